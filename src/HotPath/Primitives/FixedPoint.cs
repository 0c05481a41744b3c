using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Primitives;

/// <summary>
/// Decimal text &lt;-&gt; scaled <c>long</c> ("raw") conversion. The scale (number of decimals) is per instrument,
/// so raw values of one instrument compare directly across venues. Allocation-free; any thread.
/// </summary>
public static class FixedPoint
{
    /// <summary>Largest scale we support: 10^18 still fits a long.</summary>
    public const int MaxDecimals = 18;

    private static readonly long[] s_pow10 = BuildPow10();

    /// <summary>10^<paramref name="decimals"/> for 0..18.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Pow10(int decimals) => s_pow10[decimals];

    /// <summary>
    /// Parses an unsigned decimal such as <c>"0.35130000"</c> into <c>raw = value * 10^decimals</c>.
    /// Rejects (returns false): empty input, signs, exponents, non-digits, more than one '.', non-zero digits
    /// beyond the scale (the price would be silently rounded) and anything that overflows a long.
    /// </summary>
    /// <remarks>
    /// No division per digit: the first 18 digits cannot overflow, so only longer inputs take the checked step, and the
    /// final scaling is one 128-bit multiply (BookTickerParseBenchmarks showed the per-digit division dominating).
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> utf8, int decimals, out long raw)
    {
        raw = 0;
        if (utf8.IsEmpty || (uint)decimals > MaxDecimals)
        {
            return false;
        }

        ulong value = 0;
        int digits = 0;
        int fractionDigits = -1; // -1: before the point
        for (int i = 0; i < utf8.Length; i++)
        {
            uint d = (uint)utf8[i] - '0';
            if (d <= 9)
            {
                if (fractionDigits >= 0)
                {
                    if (fractionDigits == decimals)
                    {
                        // Beyond the instrument's scale only trailing zeros are acceptable.
                        if (d != 0)
                        {
                            return false;
                        }

                        digits = Math.Max(digits, 1);
                        continue;
                    }

                    fractionDigits++;
                }

                if (digits >= 18 && value > (ulong)(long.MaxValue - d) / 10)
                {
                    return false;
                }

                value = (value * 10) + d;
                digits++;
            }
            else if (utf8[i] == (byte)'.' && fractionDigits < 0)
            {
                fractionDigits = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        int scaleUp = decimals - Math.Max(fractionDigits, 0);
        if (scaleUp > 0)
        {
            ulong high = Math.BigMul(value, (ulong)s_pow10[scaleUp], out ulong low);
            if (high != 0 || low > long.MaxValue)
            {
                return false;
            }

            value = low;
        }

        raw = (long)value;
        return true;
    }

    /// <summary>
    /// Writes <paramref name="raw"/> / 10^decimals as decimal text without trailing zeros ("0.3513", "42").
    /// Returns the number of bytes written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    public static int Format(long raw, int decimals, Span<byte> destination)
    {
        Span<byte> scratch = stackalloc byte[48];
        int pos = scratch.Length;
        bool negative = raw < 0;
        ulong magnitude = negative ? (ulong)(-(raw + 1)) + 1 : (ulong)raw;
        ulong scale = (ulong)s_pow10[decimals];
        ulong integer = magnitude / scale;
        ulong fraction = magnitude % scale;

        if (fraction != 0)
        {
            int digits = decimals;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            for (int i = 0; i < digits; i++)
            {
                scratch[--pos] = (byte)('0' + (int)(fraction % 10));
                fraction /= 10;
            }

            scratch[--pos] = (byte)'.';
        }

        do
        {
            scratch[--pos] = (byte)('0' + (int)(integer % 10));
            integer /= 10;
        }
        while (integer != 0);

        if (negative)
        {
            scratch[--pos] = (byte)'-';
        }

        int length = scratch.Length - pos;
        if (length > destination.Length)
        {
            return -1;
        }

        scratch[pos..].CopyTo(destination);
        return length;
    }

    /// <summary>raw / 10^decimals as a double, for kernel and feature maths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble(long raw, int decimals) => raw / (double)s_pow10[decimals];

    private static long[] BuildPow10()
    {
        var table = new long[MaxDecimals + 1];
        long p = 1;
        for (int i = 0; i <= MaxDecimals; i++)
        {
            table[i] = p;
            if (i < MaxDecimals)
            {
                p *= 10;
            }
        }

        return table;
    }
}
