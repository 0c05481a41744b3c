using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// OKX v5 <c>books</c> checksum: CRC-32 of the top 25 levels as "bidPx:bidSz:askPx:askSz:…" (bid1, ask1, bid2, ask2…;
/// when one side runs out the other continues alone), read as a signed 32-bit int.
/// OKX writes numbers in their shortest form ("30261", "0.06523858": no trailing zeros, no exponent), which is exactly
/// what <see cref="FixedPoint.Format"/> produces from the raw value, so no wire strings need to be kept.
/// Allocation-free; called on the thread that owns the book.
/// </summary>
public static class OkxChecksum
{
    /// <summary>Levels per side that the checksum covers.</summary>
    public const int Depth = 25;

    /// <summary>Checksum of a book given best-first bids and asks at the instrument's scales.</summary>
    public static int Compute(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, int priceDecimals, int quantityDecimals)
    {
        Span<byte> text = stackalloc byte[48];
        uint crc = Crc32.Begin;
        bool first = true;
        int bidLevels = Math.Min(bids.Length, Depth);
        int askLevels = Math.Min(asks.Length, Depth);
        int rows = Math.Max(bidLevels, askLevels);
        for (int i = 0; i < rows; i++)
        {
            if (i < bidLevels)
            {
                crc = AppendLevel(crc, bids[i], priceDecimals, quantityDecimals, text, ref first);
            }

            if (i < askLevels)
            {
                crc = AppendLevel(crc, asks[i], priceDecimals, quantityDecimals, text, ref first);
            }
        }

        return unchecked((int)Crc32.End(crc));
    }

    /// <summary>Checksum of an <see cref="L2Book"/>.</summary>
    public static int Compute(L2Book book, int priceDecimals, int quantityDecimals)
    {
        ArgumentNullException.ThrowIfNull(book);
        return Compute(book.Bids, book.Asks, priceDecimals, quantityDecimals);
    }

    private static uint AppendLevel(uint crc, in BookLevel level, int priceDecimals, int quantityDecimals, Span<byte> text, ref bool first)
    {
        if (!first)
        {
            crc = Crc32.Append(crc, (byte)':');
        }

        first = false;
        int n = FixedPoint.Format(level.Price.Raw, priceDecimals, text);
        crc = Crc32.Append(crc, text[..n]);
        crc = Crc32.Append(crc, (byte)':');
        n = FixedPoint.Format(level.Quantity.Raw, quantityDecimals, text);
        return Crc32.Append(crc, text[..n]);
    }
}
