using System.Runtime.CompilerServices;
using System.Text.Json;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// Decimal text → fixed-point for prices and quantities, with the reason when the text is rejected. The happy path
/// is <see cref="FixedPoint.TryParse"/>; classification of a failure runs only on bad input. Any thread; allocation-free.
/// </summary>
public static class LevelParser
{
    /// <summary>A price: plain decimal, &gt; 0, within the scale and range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParsePrice(ReadOnlySpan<byte> text, int decimals, out Price price, out ParseError error)
    {
        if (FixedPoint.TryParse(text, decimals, out long raw))
        {
            price = new Price(raw);
            error = raw > 0 ? ParseError.None : ParseError.ZeroPrice;
            return raw > 0;
        }

        price = default;
        error = Classify(text, decimals);
        return false;
    }

    /// <summary>A quantity: plain decimal, ≥ 0 (zero deletes a level), within the scale and range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseQuantity(ReadOnlySpan<byte> text, int decimals, out Quantity quantity, out ParseError error)
    {
        if (FixedPoint.TryParse(text, decimals, out long raw))
        {
            quantity = new Quantity(raw);
            error = ParseError.None;
            return true;
        }

        quantity = default;
        error = Classify(text, decimals);
        return false;
    }

    /// <summary>Why <see cref="FixedPoint.TryParse"/> rejected <paramref name="text"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ParseError Classify(ReadOnlySpan<byte> text, int decimals)
    {
        if (text.IsEmpty)
        {
            return ParseError.NotANumber;
        }

        if (text[0] == (byte)'-')
        {
            return ParseError.Negative;
        }

        int point = -1;
        bool anyDigit = false;
        for (int i = 0; i < text.Length; i++)
        {
            byte c = text[i];
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                anyDigit = true;
            }
            else if (c == (byte)'.' && point < 0)
            {
                point = i;
            }
            else
            {
                return ParseError.NotANumber; // NaN, Infinity, exponents, signs, spaces, second '.'
            }
        }

        if (!anyDigit)
        {
            return ParseError.NotANumber;
        }

        if (point >= 0)
        {
            ReadOnlySpan<byte> fraction = text[(point + 1)..];
            for (int i = decimals; i < fraction.Length; i++)
            {
                if (fraction[i] != (byte)'0')
                {
                    return ParseError.TooPrecise;
                }
            }
        }

        return ParseError.Overflow;
    }

    /// <summary>
    /// Reads <c>[["price","qty"],...]</c> (Binance, Bybit) into <paramref name="output"/>; the reader is on the
    /// StartArray and ends on the matching EndArray. Strings must be unescaped; a level of another shape is WrongShape.
    /// </summary>
    public static bool TryReadPairArray(ref Utf8JsonReader reader, Side side, int priceDecimals, int quantityDecimals, BookMessage output, out ParseError error)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                error = ParseError.None;
                return true;
            }

            if (reader.TokenType != JsonTokenType.StartArray
                || !RawLevels.ReadString(ref reader))
            {
                error = ParseError.WrongShape;
                return false;
            }

            ReadOnlySpan<byte> priceText = reader.ValueSpan;
            if (!RawLevels.ReadString(ref reader))
            {
                error = ParseError.WrongShape;
                return false;
            }

            ReadOnlySpan<byte> quantityText = reader.ValueSpan;
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                error = ParseError.WrongShape;
                return false;
            }

            if (!TryParsePrice(priceText, priceDecimals, out Price price, out error)
                || !TryParseQuantity(quantityText, quantityDecimals, out Quantity quantity, out error))
            {
                return false;
            }

            if (!output.TryAdd(side, price, quantity))
            {
                error = ParseError.TooManyLevels;
                return false;
            }
        }

        error = ParseError.TruncatedJson;
        return false;
    }
}
