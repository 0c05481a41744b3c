using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Snapshots;

namespace LowLatency.Adapters.Paper;

/// <summary>
/// The strategy thread's depth, as the paper exchange reads it on the execution thread: each <see cref="Levels"/> call
/// copies the book's last whole publish out of its seqlock (never touching the strategy thread's books). A side's span
/// lives until the next call for the same side of the same book. Execution thread only; allocation-free after
/// construction.
/// </summary>
public sealed class DepthSnapshotBooks : IPaperBooks
{
    private readonly DepthSnapshotPublisher _depth;
    private readonly Dictionary<(byte, ushort), int> _slots = [];
    private BookDepth[] _bids = new BookDepth[8];
    private BookDepth[] _asks = new BookDepth[8];

    public DepthSnapshotBooks(DepthSnapshotPublisher depth)
    {
        ArgumentNullException.ThrowIfNull(depth);
        _depth = depth;
    }

    /// <summary>Reads that found no whole copy (the writer publishing through every retry): empty, so nothing fills.</summary>
    public long TornReads { get; private set; }

    public ReadOnlySpan<BookLevel> Levels(VenueId venue, InstrumentId instrument, Side side)
    {
        if (!_slots.TryGetValue((venue.Value, instrument.Value), out int slot))
        {
            slot = _slots.Count;
            _slots.Add((venue.Value, instrument.Value), slot);
            if (slot == _bids.Length)
            {
                Array.Resize(ref _bids, slot * 2);
                Array.Resize(ref _asks, slot * 2);
            }
        }

        ref BookDepth copy = ref side == Side.Bid ? ref _bids[slot] : ref _asks[slot];
        if (!_depth.TryRead(venue, instrument, out copy))
        {
            if (_depth.Version(venue, instrument) > 0)
            {
                TornReads++;
            }

            return [];
        }

        return DepthSnapshotPublisher.Side(ref copy, side);
    }
}
