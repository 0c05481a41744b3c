using System.Diagnostics;
using System.Runtime.CompilerServices;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Snapshots;

/// <summary>
/// What the strategy thread shows the host: its counters and each venue's integrity, copied at one instant. Unmanaged,
/// so it travels through a <see cref="Seqlock{T}"/>. New stages add fields here (append; readers ignore what they do
/// not know).
/// </summary>
public struct StrategySnapshot
{
    /// <summary>Most venues a snapshot carries (the configuration allows 64).</summary>
    public const int MaxVenues = 64;

    /// <summary>Stopwatch timestamp at which the strategy thread took this snapshot.</summary>
    public long TakenTimestamp;

    /// <summary>Market events handled.</summary>
    public long Events;

    /// <summary>Batches evaluated.</summary>
    public long Batches;

    /// <summary>Full kernel sweeps.</summary>
    public long FullSweeps;

    /// <summary>Full sweeps refused by the kernel and done per instrument.</summary>
    public long SweepFallbacks;

    /// <summary>Opportunities found.</summary>
    public long Opportunities;

    /// <summary>Opportunities dropped on a full opportunity ring.</summary>
    public long OpportunitiesDropped;

    /// <summary>Events for a (venue, instrument) with no book.</summary>
    public long UnroutedEvents;

    /// <summary>Books that are live and uncrossed (tradeable), summed over all venues.</summary>
    public int TradeableBooks;

    /// <summary>Books in the set.</summary>
    public int Books;

    /// <summary>Venues carried in <see cref="Venues"/> (at most <see cref="MaxVenues"/>).</summary>
    public int VenueCount;

    /// <summary>Integrity counters per venue index.</summary>
    public VenueIntegrityArray Venues;

    /// <summary>Tradeable books per venue index.</summary>
    public VenueCountArray TradeableBooksPerVenue;

    /// <summary>Chains of the attached venue graph's pool applier (at most <see cref="MaxChains"/>); 0 without one.</summary>
    public int ChainCount;

    /// <summary>Per chain: last block applied and pool events applied and refused.</summary>
    public ChainFiguresArray Chains;

    /// <summary>Chains a snapshot carries.</summary>
    public const int MaxChains = 16;
}

/// <summary>One chain's pool-event figures in a <see cref="StrategySnapshot"/>.</summary>
public struct ChainFigures
{
    /// <summary>Last block applied for the chain (a pool or its gas); −1 before any.</summary>
    public long LastBlock;

    public long Applied;

    public long Dropped;
}

/// <summary>Fixed-size per-chain block of a <see cref="StrategySnapshot"/>.</summary>
[InlineArray(StrategySnapshot.MaxChains)]
public struct ChainFiguresArray
{
    private ChainFigures _element;
}

/// <summary>Fixed-size per-venue integrity block of a <see cref="StrategySnapshot"/>.</summary>
[InlineArray(StrategySnapshot.MaxVenues)]
public struct VenueIntegrityArray
{
    private VenueIntegrity _element;
}

/// <summary>Fixed-size per-venue counts of a <see cref="StrategySnapshot"/>.</summary>
[InlineArray(StrategySnapshot.MaxVenues)]
public struct VenueCountArray
{
    private int _element;
}

/// <summary>
/// Publishes a <see cref="StrategySnapshot"/> from the strategy thread at most once per interval, at the end of a batch.
/// Strategy thread only; allocation-free and lock-free (see <see cref="Seqlock{T}"/>).
/// </summary>
public sealed class StrategySnapshotPublisher
{
    private readonly long _intervalTicks;
    private long _nextTimestamp;
    private StrategySnapshot _scratch;

    /// <param name="venueCount">Venues in the book set (ids 0 … venueCount − 1).</param>
    /// <param name="interval">Least time between two publishes (the copy is ~5 KB; 1 ms keeps it far below 1 % of a core).</param>
    public StrategySnapshotPublisher(int venueCount, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(venueCount);
        VenueCount = Math.Min(venueCount, StrategySnapshot.MaxVenues);
        _intervalTicks = Math.Max(0, (long)(interval.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>The published snapshots; any thread reads.</summary>
    public Seqlock<StrategySnapshot> Snapshots { get; } = new();

    public int VenueCount { get; }

    /// <summary>Strategy thread: publishes if the interval has passed since the last publish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MaybePublish(StrategyState state, long nowTimestamp)
    {
        if (nowTimestamp < _nextTimestamp)
        {
            return;
        }

        _nextTimestamp = nowTimestamp + _intervalTicks;
        Publish(state, nowTimestamp);
    }

    /// <summary>Strategy thread (or after it stopped): publishes now.</summary>
    public void Publish(StrategyState state, long nowTimestamp)
    {
        ArgumentNullException.ThrowIfNull(state);
        ref StrategySnapshot s = ref _scratch;
        s.TakenTimestamp = nowTimestamp;
        s.Events = state.Events;
        s.Batches = state.Batches;
        s.FullSweeps = state.FullSweeps;
        s.SweepFallbacks = state.SweepFallbacks;
        s.Opportunities = state.Opportunities;
        s.OpportunitiesDropped = state.OpportunitiesDropped;
        BookSet books = state.Books;
        s.UnroutedEvents = books.UnroutedEvents;
        s.Books = books.Count;
        s.VenueCount = VenueCount;
        for (int v = 0; v < VenueCount; v++)
        {
            s.Venues[v] = books.Integrity(Primitives.VenueId.FromIndex(v));
            s.TradeableBooksPerVenue[v] = 0;
        }

        int tradeable = 0;
        for (int b = 0; b < books.Count; b++)
        {
            if (books.IsTradeable(b))
            {
                tradeable++;
                int venue = books.State(b).Venue.Value;
                if ((uint)venue < (uint)VenueCount)
                {
                    s.TradeableBooksPerVenue[venue]++;
                }
            }
        }

        s.TradeableBooks = tradeable;
        PoolEventApplier? pools = state.Pools;
        int chains = pools is null ? 0 : Math.Min(pools.ChainCount, StrategySnapshot.MaxChains);
        s.ChainCount = chains;
        for (int c = 0; c < chains; c++)
        {
            ref ChainFigures chain = ref s.Chains[c];
            chain.LastBlock = pools!.LastBlock(c);
            chain.Applied = pools.AppliedOn(c);
            chain.Dropped = pools.DroppedOn(c);
        }

        Snapshots.Publish(in s);
    }
}
