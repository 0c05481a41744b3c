using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Bybit v5 <c>orderbook.{1,50,200}</c> rules. Snapshots arrive in band and always reset the book (a snapshot with
/// <c>u</c> = 1 is Bybit's service restart: a fresh book). Each delta's <c>u</c> (<see cref="TickEvent.LastUpdateId"/>)
/// must be the book's <c>u</c> + 1; one not above it is stale (a duplicate), anything else a gap (resync until the next
/// snapshot). An update the parser flags <see cref="TickFlags.AfterLostMessage"/> is a gap too.
/// Strategy thread; allocation-free.
/// </summary>
public static class BybitBookRules
{
    public static void OnSnapshot(ref BookSyncState state, in TickEvent last)
    {
        state.LastUpdateId = last.LastUpdateId;
        state.AwaitingFirstDelta = true;
    }

    public static SequenceVerdict OnDelta(ref BookSyncState state, in TickEvent first)
    {
        if ((first.Flags & TickFlags.AfterLostMessage) != 0)
        {
            return SequenceVerdict.Gap;
        }

        long u = first.LastUpdateId;
        if (u == state.LastUpdateId + 1)
        {
            state.LastUpdateId = u;
            state.AwaitingFirstDelta = false;
            return SequenceVerdict.Apply;
        }

        return u <= state.LastUpdateId ? SequenceVerdict.Stale : SequenceVerdict.Gap;
    }
}
