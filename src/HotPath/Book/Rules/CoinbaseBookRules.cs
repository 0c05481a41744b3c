using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Coinbase Advanced Trade <c>level2</c> (<c>l2_data</c>) rules. The snapshot arrives in band. Coinbase numbers every
/// message of a connection with one <c>sequence_num</c> across all channels, so contiguity can only be checked where
/// every message is seen: in the parser, which flags the following update of every book of the connection
/// <see cref="TickFlags.AfterLostMessage"/> after a skipped number. Here: a flagged update is a gap; a
/// <c>sequence_num</c> (<see cref="TickEvent.LastUpdateId"/>) not above the book's is stale (a duplicate or a late frame).
/// Strategy thread; allocation-free.
/// </summary>
public static class CoinbaseBookRules
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

        if (first.LastUpdateId <= state.LastUpdateId)
        {
            return SequenceVerdict.Stale;
        }

        state.LastUpdateId = first.LastUpdateId;
        state.AwaitingFirstDelta = false;
        return SequenceVerdict.Apply;
    }
}
