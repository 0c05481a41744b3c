using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// Integers and times written as text in venue frames (checksums, depths, millisecond and decimal-second stamps), all
/// through the one decimal parser, <see cref="FixedPoint.TryParse"/>, with the reason on failure from
/// <see cref="LevelParser.Classify"/>. Any thread; allocation-free.
/// </summary>
public static class WireNumbers
{
    /// <summary>The last millisecond whose nanoseconds fit a long (year 2262).</summary>
    public const long MaxMillis = long.MaxValue / 1_000_000;

    /// <summary>An unsigned integer written with digits only ("974947235"), at most <paramref name="max"/>.</summary>
    public static bool TryParseInteger(ReadOnlySpan<byte> text, long max, out long value, out ParseError error)
    {
        if (text.IndexOf((byte)'.') >= 0)
        {
            value = 0;
            error = ParseError.NotANumber; // an integer field never has a fraction, not even ".0"
            return false;
        }

        if (!FixedPoint.TryParse(text, 0, out value))
        {
            error = LevelParser.Classify(text, 0);
            return false;
        }

        if (value > max)
        {
            value = 0;
            error = ParseError.Overflow;
            return false;
        }

        error = ParseError.None;
        return true;
    }

    /// <summary>Milliseconds since the epoch as digits ("1652459225464") → ns; past year 2262 is an overflow.</summary>
    public static bool TryParseMillisToNs(ReadOnlySpan<byte> text, out long ns, out ParseError error)
    {
        bool ok = TryParseInteger(text, MaxMillis, out long ms, out error);
        ns = ms * 1_000_000;
        return ok;
    }

    /// <summary>Decimal seconds since the epoch ("1633998512.063357") → ns, exactly; more than 9 non-zero decimals is too precise.</summary>
    public static bool TryParseSecondsToNs(ReadOnlySpan<byte> text, out long ns, out ParseError error)
    {
        if (FixedPoint.TryParse(text, 9, out ns))
        {
            error = ParseError.None;
            return true;
        }

        error = LevelParser.Classify(text, 9);
        return false;
    }

    /// <summary>
    /// An RFC 3339 UTC time as Coinbase writes it ("2026-08-09T21:05:48.483587501Z", 0–9 fraction digits) → Unix ns.
    /// Fields go through the one decimal parser; an impossible date (month 13, 31 April) is NotANumber.
    /// </summary>
    public static bool TryParseUtcTimeToNs(ReadOnlySpan<byte> text, out long ns, out ParseError error)
    {
        ns = 0;
        error = ParseError.NotANumber;
        if (text.Length < 20 || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)'T' || text[13] != (byte)':'
            || text[16] != (byte)':' || text[^1] != (byte)'Z')
        {
            return false;
        }

        if (!Field(text[..4], 9999, out long year) || !Field(text[5..7], 12, out long month) || !Field(text[8..10], 31, out long day)
            || !Field(text[11..13], 23, out long hour) || !Field(text[14..16], 59, out long minute) || !Field(text[17..19], 59, out long second)
            || year < 1970 || year > 2261 || month < 1 || day < 1 || day > DateTime.DaysInMonth((int)year, (int)month))
        {
            return false;
        }

        long fraction = 0;
        ReadOnlySpan<byte> rest = text[19..^1];
        if (!rest.IsEmpty)
        {
            if (rest[0] != (byte)'.' || rest.Length < 2 || rest.Length > 10 || !Field(rest[1..], 999_999_999, out fraction))
            {
                return false;
            }

            fraction *= FixedPoint.Pow10(10 - rest.Length);
        }

        var utc = new DateTime((int)year, (int)month, (int)day, (int)hour, (int)minute, (int)second, DateTimeKind.Utc);
        ns = ((utc.Ticks - DateTime.UnixEpoch.Ticks) * 100) + fraction;
        error = ParseError.None;
        return true;

        static bool Field(ReadOnlySpan<byte> digits, long max, out long value) =>
            TryParseInteger(digits, max, out value, out _) && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }
}
