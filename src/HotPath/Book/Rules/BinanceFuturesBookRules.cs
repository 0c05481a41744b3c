using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Binance USD-M futures diff-depth sequencing: after the REST snapshot drop events with <c>u</c> &lt;
/// <c>lastUpdateId</c>; the first applied must satisfy <c>U</c> ≤ <c>lastUpdateId</c> ≤ <c>u</c>; after that each
/// event's <c>pu</c> must equal the previous event's <c>u</c>. A repeat of the last applied event is a stale drop.
/// The first event after a snapshot also bridges it when its <c>pu</c> is the snapshot's id: it continues the snapshot
/// exactly (this is what follows a snapshot taken at the book's own last update id).
/// Strategy thread; allocation-free.
/// </summary>
public static class BinanceFuturesBookRules
{
    /// <summary>The snapshot's <c>lastUpdateId</c> becomes the book's id; the next delta must bridge it.</summary>
    public static void OnSnapshot(ref BookSyncState state, in TickEvent last)
    {
        state.LastUpdateId = last.LastUpdateId;
        state.AwaitingFirstDelta = true;
    }

    /// <summary>
    /// True when a snapshot is older than what the book has already applied (see
    /// <see cref="BinanceSpotBookRules.IsStaleSnapshot"/>): the handler ignores it and counts it.
    /// </summary>
    public static bool IsStaleSnapshot(in BookSyncState state, in TickEvent first) =>
        state.Status != BookStatus.AwaitingSnapshot && first.LastUpdateId < state.LastUpdateId;

    /// <summary>Decides a delta from <c>U</c>, <c>u</c> and <c>pu</c> (PrevUpdateId); advances the id on Apply.</summary>
    public static SequenceVerdict OnDelta(ref BookSyncState state, in TickEvent first)
    {
        if ((first.Flags & TickFlags.AfterLostMessage) != 0)
        {
            return SequenceVerdict.Gap; // id-less: the client lost the book's feed (a renewal that moved it without a bridge)
        }

        long firstId = first.FirstUpdateId;
        long lastId = first.LastUpdateId;
        long current = state.LastUpdateId;
        if (firstId > lastId)
        {
            return SequenceVerdict.Gap;
        }

        if (state.AwaitingFirstDelta)
        {
            if (lastId < current)
            {
                return SequenceVerdict.Stale;
            }

            bool continues = (first.Flags & TickFlags.HasPrevUpdateId) != 0 && first.PrevUpdateId == current;
            if (firstId > current && !continues)
            {
                return SequenceVerdict.Gap;
            }

            state.AwaitingFirstDelta = false;
            state.LastUpdateId = lastId;
            return SequenceVerdict.Apply;
        }

        if (lastId <= current)
        {
            return SequenceVerdict.Stale;
        }

        if ((first.Flags & TickFlags.HasPrevUpdateId) == 0 || first.PrevUpdateId != current)
        {
            return SequenceVerdict.Gap;
        }

        state.LastUpdateId = lastId;
        return SequenceVerdict.Apply;
    }
}
