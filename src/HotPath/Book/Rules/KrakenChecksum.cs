using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Kraken v1 <c>book</c> checksum: CRC-32 (unsigned) of the top 10 asks (ascending) then the top 10 bids (descending),
/// each level as its price string then its volume string with '.' removed and leading zeros stripped, concatenated.
/// Kraken writes every number of a pair with a fixed number of decimals (the "wire decimals", e.g. "354.80000000"),
/// so each string is just the value scaled to those decimals, printed as an integer. Allocation-free.
/// </summary>
public static class KrakenChecksum
{
    /// <summary>Levels per side that the checksum covers.</summary>
    public const int Depth = 10;

    // 20 digits per number (ulong), two numbers per level, ten levels per side.
    private const int MaxTextBytes = Depth * 2 * 2 * 20;

    /// <summary>
    /// Computes the checksum. Returns false only when a value cannot be written at the wire decimals
    /// (a digit below the wire scale, or overflow), which a validated feed never produces.
    /// </summary>
    [SkipLocalsInit]
    public static bool TryCompute(
        ReadOnlySpan<BookLevel> bids,
        ReadOnlySpan<BookLevel> asks,
        int priceDecimals,
        int quantityDecimals,
        int wirePriceDecimals,
        int wireQuantityDecimals,
        out uint checksum)
    {
        // The whole string is built first, then hashed in one pass (the CRC runs 8 bytes at a time).
        checksum = 0;
        Span<byte> text = stackalloc byte[MaxTextBytes];
        int length = 0;
        int askLevels = Math.Min(asks.Length, Depth);
        for (int i = 0; i < askLevels; i++)
        {
            if (!AppendLevel(text, ref length, asks[i], priceDecimals, quantityDecimals, wirePriceDecimals, wireQuantityDecimals))
            {
                return false;
            }
        }

        int bidLevels = Math.Min(bids.Length, Depth);
        for (int i = 0; i < bidLevels; i++)
        {
            if (!AppendLevel(text, ref length, bids[i], priceDecimals, quantityDecimals, wirePriceDecimals, wireQuantityDecimals))
            {
                return false;
            }
        }

        checksum = Crc32.Compute(text[..length]);
        return true;
    }

    /// <summary>Checksum of an <see cref="L2Book"/>; see the span overload.</summary>
    public static bool TryCompute(L2Book book, int priceDecimals, int quantityDecimals, int wirePriceDecimals, int wireQuantityDecimals, out uint checksum)
    {
        ArgumentNullException.ThrowIfNull(book);
        return TryCompute(book.Bids, book.Asks, priceDecimals, quantityDecimals, wirePriceDecimals, wireQuantityDecimals, out checksum);
    }

    /// <summary>
    /// <paramref name="raw"/> (at <paramref name="decimals"/>) rescaled to <paramref name="wireDecimals"/>: the integer
    /// Kraken's string becomes once its '.' and leading zeros are gone.
    /// </summary>
    public static bool TryRescale(long raw, int decimals, int wireDecimals, out ulong scaled)
    {
        scaled = 0;
        if (raw < 0 || (uint)decimals > FixedPoint.MaxDecimals || (uint)wireDecimals > FixedPoint.MaxDecimals)
        {
            return false;
        }

        ulong value = (ulong)raw;
        if (wireDecimals <= decimals)
        {
            ulong div = (ulong)FixedPoint.Pow10(decimals - wireDecimals);
            if (value % div != 0)
            {
                return false;
            }

            scaled = value / div;
            return true;
        }

        ulong mul = (ulong)FixedPoint.Pow10(wireDecimals - decimals);
        if (value > ulong.MaxValue / mul)
        {
            return false;
        }

        scaled = value * mul;
        return true;
    }

    private static bool AppendLevel(Span<byte> text, ref int length, in BookLevel level, int priceDecimals, int quantityDecimals, int wirePriceDecimals, int wireQuantityDecimals)
    {
        if (!TryRescale(level.Price.Raw, priceDecimals, wirePriceDecimals, out ulong price)
            || !TryRescale(level.Quantity.Raw, quantityDecimals, wireQuantityDecimals, out ulong volume))
        {
            return false;
        }

        length = AppendInteger(text, length, price);
        length = AppendInteger(text, length, volume);
        return true;
    }

    /// <summary>Writes <paramref name="value"/> in decimal; "leading zeros stripped" means zero writes nothing
    /// (Kraken never has a zero level in its top 10).</summary>
    private static int AppendInteger(Span<byte> text, int length, ulong value)
    {
        int digits = 0;
        for (ulong v = value; v != 0; v /= 10)
        {
            digits++;
        }

        int end = length + digits;
        for (int pos = end - 1; value != 0; pos--)
        {
            text[pos] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }

        return end;
    }
}
