using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Kraken v1 <c>book-N</c> rules. Snapshots arrive in-band; updates carry no sequence ids, only a CRC32 of the top 10
/// (<see cref="KrakenChecksum"/>), verified after every update. The book is kept truncated to the subscribed depth N.
/// <para>
/// Slot convention (Kraken has no update ids): <see cref="TickEvent.LastUpdateId"/> of a Kraken message holds
/// <see cref="PackFormat"/>(N, wire price decimals, wire volume decimals) — what the checksum needs to rebuild Kraken's
/// strings. <see cref="OnSnapshot"/> keeps it in <see cref="BookSyncState.LastUpdateId"/> and sets
/// <see cref="BookSyncState.TruncateDepth"/> to N; an update written differently from its snapshot is a gap, and so is
/// one flagged <see cref="TickFlags.AfterLostMessage"/> (the parser rejected a frame of this book since its snapshot).
/// </para>
/// Strategy thread; allocation-free.
/// </summary>
public static class KrakenBookRules
{
    private const int DecimalsBits = 8;
    private const long DecimalsMask = (1 << DecimalsBits) - 1;

    /// <summary>Packs the subscription depth and the wire decimals into one id-sized value (see the class remarks).</summary>
    public static long PackFormat(int depth, int wirePriceDecimals, int wireVolumeDecimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)wirePriceDecimals, (uint)FixedPoint.MaxDecimals, nameof(wirePriceDecimals));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)wireVolumeDecimals, (uint)FixedPoint.MaxDecimals, nameof(wireVolumeDecimals));
        return ((long)depth << (2 * DecimalsBits)) | ((long)wirePriceDecimals << DecimalsBits) | (uint)wireVolumeDecimals;
    }

    /// <summary>The subscription depth of a packed format.</summary>
    public static int DepthOf(long format) => (int)(format >> (2 * DecimalsBits));

    /// <summary>The wire price decimals of a packed format.</summary>
    public static int WirePriceDecimalsOf(long format) => (int)((format >> DecimalsBits) & DecimalsMask);

    /// <summary>The wire volume decimals of a packed format.</summary>
    public static int WireVolumeDecimalsOf(long format) => (int)(format & DecimalsMask);

    /// <summary>Takes the snapshot's format: checksum decimals and the depth to truncate to.</summary>
    public static void OnSnapshot(ref BookSyncState state, in TickEvent last)
    {
        state.LastUpdateId = last.LastUpdateId;
        state.AwaitingFirstDelta = true; // until an update applies: see OnDelta
        int depth = DepthOf(last.LastUpdateId);
        if (depth > 0)
        {
            state.TruncateDepth = depth;
        }
    }

    /// <summary>
    /// No ids to check: an update applies unless it is written in another format than its snapshot, or follows a
    /// message the parser lost (<see cref="TickFlags.AfterLostMessage"/>): the book has missed that message, a gap. (The handler
    /// never replays buffered updates onto a Kraken book, so a marked update always meets the book it lost a message of.)
    /// </summary>
    public static SequenceVerdict OnDelta(ref BookSyncState state, in TickEvent first)
    {
        if ((first.Flags & TickFlags.AfterLostMessage) != 0)
        {
            return SequenceVerdict.Gap;
        }

        if (first.LastUpdateId != state.LastUpdateId)
        {
            return SequenceVerdict.Gap;
        }

        state.AwaitingFirstDelta = false;
        return SequenceVerdict.Apply;
    }

    /// <summary>True when <paramref name="checksum"/> matches the book's top 10 written in the snapshot's format.</summary>
    public static bool VerifyChecksum(L2Book book, in BookSyncState state, uint checksum)
    {
        ArgumentNullException.ThrowIfNull(book);
        long format = state.LastUpdateId;
        return KrakenChecksum.TryCompute(
                   book.Bids,
                   book.Asks,
                   state.PriceDecimals,
                   state.QuantityDecimals,
                   WirePriceDecimalsOf(format),
                   WireVolumeDecimalsOf(format),
                   out uint computed)
               && computed == checksum;
    }
}
