using System.Buffers.Binary;
using System.Diagnostics;
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
    public static bool TryParse(ReadOnlySpan<byte> utf8, int decimals, out long raw) =>
        TryParseCore(utf8, decimals, NoTerminator, out raw, out _);

    /// <summary>
    /// <see cref="TryParse"/> of the text before the first <paramref name="terminator"/> (a JSON string's closing
    /// quote), without finding it first: false when the text is invalid or no terminator follows it.
    /// <paramref name="length"/> is the text's length (the terminator's index). The terminator must not be a digit or '.'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseUntil(ReadOnlySpan<byte> utf8, byte terminator, int decimals, out long raw, out int length)
    {
        Debug.Assert(terminator is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.'), "the terminator would be read as part of the number");
        return TryParseCore(utf8, decimals, terminator, out raw, out length);
    }

    private const int NoTerminator = -1;

    private static bool TryParseCore(ReadOnlySpan<byte> utf8, int decimals, int terminator, out long raw, out int length)
    {
        raw = 0;
        length = utf8.Length;
        if (utf8.IsEmpty || (uint)decimals > MaxDecimals)
        {
            return false;
        }

        ulong value = 0;
        int digits = 0;
        int fractionDigits = -1; // -1: before the point
        int i = 0;
        while (i < utf8.Length)
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
                        i++;
                        continue;
                    }

                    // Eight fraction digits in one step (venues write 8 decimals): the same as eight steps below,
                    // and no overflow check is needed while the digits stay within 18.
                    if (decimals - fractionDigits >= 8 && digits <= 10 && i + 8 <= utf8.Length
                        && TryEightDigits(utf8.Slice(i, 8), out uint eight))
                    {
                        value = (value * 100_000_000) + eight;
                        digits += 8;
                        fractionDigits += 8;
                        i += 8;
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
            else if (utf8[i] == terminator)
            {
                length = i;
                break;
            }
            else
            {
                return false;
            }

            i++;
        }

        if (digits == 0 || (terminator != NoTerminator && length == utf8.Length))
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

    /// <summary>Eight ASCII digits as one number (SWAR: one 64-bit load, three multiplies), or false if any byte is not a digit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryEightDigits(ReadOnlySpan<byte> eight, out uint value)
    {
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(eight);
        if ((v & 0xF0F0F0F0F0F0F0F0) != 0x3030303030303030 || ((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) != 0x3030303030303030)
        {
            value = 0;
            return false;
        }

        v -= 0x3030303030303030;
        v = (v * 10) + (v >> 8); // byte pairs → two-digit numbers
        v = (((v & 0x000000FF000000FF) * 0x000F424000000064) + (((v >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >> 32;
        value = (uint)v;
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
