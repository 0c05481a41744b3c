using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Graph;

/// <summary>Conversions between on-chain integers and the graph's amounts in whole tokens (doubles). Never allocates.</summary>
public static class Amounts
{
    private const double TwoTo64 = 18446744073709551616d;

    private static readonly double[] s_pow10 = BuildPow10();

    /// <summary>10^<paramref name="decimals"/> for decimals in [0, 36].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Pow10(int decimals) => s_pow10[decimals];

    /// <summary>Largest token decimals the graph accepts (ERC-20s use 0 … 18; 36 leaves room for odd ones).</summary>
    public const int MaxDecimals = 36;

    /// <summary>The value as a double (rounded to 53 bits).</summary>
    public static double ToDouble(UInt256 value) =>
        (((((value.U3 * TwoTo64) + value.U2) * TwoTo64) + value.U1) * TwoTo64) + value.U0;

    /// <summary>A raw amount in whole tokens: raw / 10^decimals.</summary>
    public static double ToTokens(UInt256 raw, int decimals) => ToDouble(raw) / s_pow10[decimals];

    /// <summary>
    /// Whole tokens to a raw amount, rounded down: false for NaN, negative or infinite input, or raw ≥ 2^128 (no token
    /// supply comes near; such a size is a bug upstream, not a trade).
    /// </summary>
    public static bool TryToRaw(double tokens, int decimals, out UInt256 raw)
    {
        double scaled = tokens * s_pow10[decimals];
        if (!(scaled >= 0) || scaled >= TwoTo64 * TwoTo64)
        {
            raw = UInt256.Zero;
            return false;
        }

        double high = Math.Floor(scaled / TwoTo64);
        double low = scaled - (high * TwoTo64);
        raw = new UInt256(low >= TwoTo64 ? ulong.MaxValue : (ulong)low, (ulong)high);
        return true;
    }

    private static double[] BuildPow10()
    {
        // Parsed, not multiplied: each power correctly rounded (repeated products drift past 1e22).
        var table = new double[MaxDecimals + 1];
        for (int i = 0; i <= MaxDecimals; i++)
        {
            table[i] = double.Parse("1e" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
        }

        return table;
    }
}
