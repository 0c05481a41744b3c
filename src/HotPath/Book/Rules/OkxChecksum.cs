using System.Runtime.CompilerServices;
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

    // Longest number FixedPoint.Format writes (19 digits, '.', sign) plus a separator.
    private const int MaxNumberBytes = 22;
    private const int MaxTextBytes = Depth * 2 * 2 * (MaxNumberBytes + 1);

    /// <summary>Checksum of a book given best-first bids and asks at the instrument's scales.</summary>
    [SkipLocalsInit]
    public static int Compute(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, int priceDecimals, int quantityDecimals)
    {
        // The whole string is built first, then hashed in one pass (the CRC runs 8 bytes at a time).
        Span<byte> text = stackalloc byte[MaxTextBytes];
        int length = 0;
        int bidLevels = Math.Min(bids.Length, Depth);
        int askLevels = Math.Min(asks.Length, Depth);
        int rows = Math.Max(bidLevels, askLevels);
        for (int i = 0; i < rows; i++)
        {
            if (i < bidLevels)
            {
                length = AppendLevel(text, length, bids[i], priceDecimals, quantityDecimals);
            }

            if (i < askLevels)
            {
                length = AppendLevel(text, length, asks[i], priceDecimals, quantityDecimals);
            }
        }

        return unchecked((int)Crc32.Compute(text[..length]));
    }

    /// <summary>Checksum of an <see cref="L2Book"/>.</summary>
    public static int Compute(L2Book book, int priceDecimals, int quantityDecimals)
    {
        ArgumentNullException.ThrowIfNull(book);
        return Compute(book.Bids, book.Asks, priceDecimals, quantityDecimals);
    }

    private static int AppendLevel(Span<byte> text, int length, in BookLevel level, int priceDecimals, int quantityDecimals)
    {
        if (length > 0)
        {
            text[length++] = (byte)':';
        }

        length += FixedPoint.Format(level.Price.Raw, priceDecimals, text[length..]);
        text[length++] = (byte)':';
        return length + FixedPoint.Format(level.Quantity.Raw, quantityDecimals, text[length..]);
    }
}
