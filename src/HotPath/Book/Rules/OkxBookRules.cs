using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// OKX v5 <c>books</c> rules. The snapshot arrives in-band (<c>prevSeqId</c> = -1). With sequence ids (today's format)
/// each update's <c>prevSeqId</c> must equal the last <c>seqId</c>; <c>seqId</c> == <c>prevSeqId</c> is a heartbeat (no
/// change); a <c>seqId</c> below <c>prevSeqId</c> is OKX's maintenance reset, which we treat as a gap (resync from a fresh
/// snapshot rather than trust a book across a venue restart). Without ids (the 2022 format) only the checksum guards
/// the book, plus <see cref="TickFlags.AfterLostMessage"/>: an id-less update the parser flags after rejecting a frame of
/// the book.
/// Every message's CRC32 of the top 25 is verified when present (<see cref="OkxChecksum"/>).
/// Strategy thread; allocation-free.
/// </summary>
public static class OkxBookRules
{
    /// <summary>The snapshot's <c>seqId</c> becomes the book's id; the next update must continue from it.</summary>
    public static void OnSnapshot(ref BookSyncState state, in TickEvent last)
    {
        state.LastUpdateId = last.LastUpdateId;
        state.AwaitingFirstDelta = true; // until an update continues it
    }

    /// <summary>Decides an update from <c>prevSeqId</c> (PrevUpdateId) and <c>seqId</c> (LastUpdateId); advances the id on Apply.</summary>
    public static SequenceVerdict OnDelta(ref BookSyncState state, in TickEvent first)
    {
        if ((first.Flags & TickFlags.AfterLostMessage) != 0)
        {
            // The book missed the message the parser rejected (the top-25 checksum may never show it); buffered
            // updates are never replayed onto an OKX book, so a flagged update always meets the book it lost a message of.
            return SequenceVerdict.Gap;
        }

        if ((first.Flags & TickFlags.HasPrevUpdateId) == 0)
        {
            // 2022 format: no ids; the checksum guards the book.
            state.AwaitingFirstDelta = false;
            return SequenceVerdict.Apply;
        }

        long prev = first.PrevUpdateId;
        long seq = first.LastUpdateId;
        long current = state.LastUpdateId;
        if (prev == current)
        {
            if (seq < prev)
            {
                return SequenceVerdict.Gap; // maintenance reset
            }

            state.LastUpdateId = seq; // seq == prev: heartbeat, nothing changes
            state.AwaitingFirstDelta = false;
            return SequenceVerdict.Apply;
        }

        // Updates buffered before the snapshot that re-synced the book are older than it: drop them quietly.
        // Once live, OKX never repeats a message on one connection, so anything that does not continue is a gap
        // (calling it "stale" would freeze a live book if OKX reset its ids and we missed the reset message).
        if (state.AwaitingFirstDelta && seq <= current)
        {
            return SequenceVerdict.Stale;
        }

        return SequenceVerdict.Gap;
    }

    /// <summary>True when <paramref name="checksum"/> (OKX's signed int, as sent) matches the book's top 25.</summary>
    public static bool VerifyChecksum(L2Book book, in BookSyncState state, uint checksum)
    {
        ArgumentNullException.ThrowIfNull(book);
        return OkxChecksum.Compute(book.Bids, book.Asks, state.PriceDecimals, state.QuantityDecimals) == unchecked((int)checksum);
    }
}
