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
}
