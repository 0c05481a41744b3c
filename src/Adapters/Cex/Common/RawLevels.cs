using System.Text.Json;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>Where a level's price and size strings lie in the frame (read before the instrument's scale is known).</summary>
internal struct RawLevel
{
    public int PriceStart;
    public int PriceLength;
    public int SizeStart;
    public int SizeLength;
}

/// <summary>What follows price and size inside one level array (OKX: order counts; Kraken: a timestamp and "r").</summary>
internal interface ILevelTail
{
    /// <summary>The reader is on the size string; reads up to and including the level's EndArray.</summary>
    ParseError ReadTail(ref Utf8JsonReader reader);
}

/// <summary>A venue's check of one level's wire text once parsed (OKX: shortest form; Kraken: fixed decimals).</summary>
internal interface ILevelCheck
{
    ParseError Check(ReadOnlySpan<byte> price, ReadOnlySpan<byte> size);
}

/// <summary>
/// The level reader of the venues whose levels are read before the book is known (OKX, Kraken: the instrument comes
/// after the levels or the scale is per instrument): <c>[[px, sz, …], …]</c> into frame positions, then the positions
/// into fixed-point levels. One copy for both venues; the parts that differ are <see cref="ILevelTail"/> and
/// <see cref="ILevelCheck"/> structs, so the calls are direct. Allocation-free.
/// </summary>
internal static class RawLevels
{
    /// <summary>Reads the array the reader is about to enter; positions are <paramref name="baseOffset"/>-relative (the frame).</summary>
    public static ParseError Read<TTail>(ref Utf8JsonReader reader, int baseOffset, RawLevel[] raw, ref int count, ref TTail tail)
        where TTail : struct, ILevelTail
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return ParseError.WrongShape;
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return ParseError.None;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return ParseError.WrongShape;
            }

            if (count == raw.Length)
            {
                return ParseError.TooManyLevels;
            }

            ref RawLevel level = ref raw[count];
            if (!ReadString(ref reader))
            {
                return ParseError.WrongShape;
            }

            level.PriceStart = baseOffset + (int)reader.TokenStartIndex + 1;
            level.PriceLength = reader.ValueSpan.Length;
            if (!ReadString(ref reader))
            {
                return ParseError.WrongShape;
            }

            level.SizeStart = baseOffset + (int)reader.TokenStartIndex + 1;
            level.SizeLength = reader.ValueSpan.Length;
            ParseError e = tail.ReadTail(ref reader);
            if (e != ParseError.None)
            {
                return e;
            }

            count++;
        }

        return ParseError.WrongShape;
    }

    /// <summary>Parses the positions' text at the instrument's scale into <paramref name="output"/>.</summary>
    public static ParseError Convert<TCheck>(ReadOnlySpan<byte> frame, InstrumentSpec spec, Side side, ReadOnlySpan<RawLevel> raw, BookMessage output, ref TCheck check)
        where TCheck : struct, ILevelCheck
    {
        for (int i = 0; i < raw.Length; i++)
        {
            ReadOnlySpan<byte> px = frame.Slice(raw[i].PriceStart, raw[i].PriceLength);
            ReadOnlySpan<byte> sz = frame.Slice(raw[i].SizeStart, raw[i].SizeLength);
            if (!LevelParser.TryParsePrice(px, spec.PriceDecimals, out Price price, out ParseError error)
                || !LevelParser.TryParseQuantity(sz, spec.QuantityDecimals, out Quantity quantity, out error))
            {
                return error;
            }

            error = check.Check(px, sz);
            if (error != ParseError.None)
            {
                return error;
            }

            if (!output.TryAdd(side, price, quantity))
            {
                return ParseError.TooManyLevels;
            }
        }

        return ParseError.None;
    }

    /// <summary>Reads the next token: true when it is an unescaped string.</summary>
    public static bool ReadString(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped;
}
