using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Binance spot diff-depth sequencing ("How to manage a local order book correctly"): after the REST snapshot,
/// drop every event with <c>u</c> ≤ <c>lastUpdateId</c>; the first applied must satisfy
/// <c>U</c> ≤ <c>lastUpdateId</c>+1 ≤ <c>u</c>; after that each <c>U</c> must equal the previous <c>u</c>+1.
/// Strategy thread; pure functions of the state; allocation-free.
/// </summary>
public static class BinanceSpotBookRules
{
    /// <summary>The snapshot's <c>lastUpdateId</c> becomes the book's id; the next delta must bridge it.</summary>
    public static void OnSnapshot(ref BookSyncState state, in TickEvent last)
    {
        state.LastUpdateId = last.LastUpdateId;
        state.AwaitingFirstDelta = true;
    }

    /// <summary>
    /// True when a snapshot is older than what the book has already applied (its <c>lastUpdateId</c> below the book's
    /// last update id): applying it would roll the book back and, on a live book, force a resync. The handler ignores
    /// it. A book that has never been synchronised takes any snapshot.
    /// </summary>
    public static bool IsStaleSnapshot(in BookSyncState state, in TickEvent first) =>
        state.Status != BookStatus.AwaitingSnapshot && first.LastUpdateId < state.LastUpdateId;

    /// <summary>Decides a delta from its <c>U</c> (FirstUpdateId) and <c>u</c> (LastUpdateId); advances the id on Apply.</summary>
    public static SequenceVerdict OnDelta(ref BookSyncState state, in TickEvent first)
    {
        if ((first.Flags & TickFlags.AfterLostMessage) != 0)
        {
            return SequenceVerdict.Gap; // id-less: the client lost the book's feed (a renewal that moved it without a bridge)
        }

        long firstId = first.FirstUpdateId;
        long lastId = first.LastUpdateId;
        long expected = state.LastUpdateId + 1;
        if (lastId < expected)
        {
            return SequenceVerdict.Stale;
        }

        bool inSequence = state.AwaitingFirstDelta ? firstId <= expected : firstId == expected;
        if (!inSequence || firstId > lastId)
        {
            return SequenceVerdict.Gap;
        }

        state.AwaitingFirstDelta = false;
        state.LastUpdateId = lastId;
        return SequenceVerdict.Apply;
    }
}
