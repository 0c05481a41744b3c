using System.Diagnostics;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Cex.Replay;

/// <summary>
/// The hot path over a <see cref="ReplaySession"/> on one thread: each record is parsed into a scratch message,
/// published into the market ring and consumed at once by the strategy chain (books → edges → opportunities) via
/// <see cref="BatchEventProcessor{T, THandler}.Poll"/>. Deterministic: the same tape gives the same books and
/// opportunities. <see cref="Step"/> allocates nothing after construction.
/// </summary>
public sealed class ReplayPipeline
{
    private readonly BookMessage _scratch = new();

    public ReplayPipeline(
        ReplaySession session,
        Func<string, double> takerFeeOfVenue,
        double thresholdBps,
        RingBuffer<Opportunity>? opportunityRing,
        IEdgeSweeper? sweeper = null,
        int fullSweepMinTouched = int.MaxValue,
        int ringSize = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(takerFeeOfVenue);
        Session = session;
        int venues = Math.Max(2, session.Venues.Count); // a single-venue replay still builds books; it just has no pairs
        var fees = new double[venues];
        for (int v = 0; v < session.Venues.Count; v++)
        {
            fees[v] = takerFeeOfVenue(session.Venues[v].Name);
        }

        var decimals = new int[Math.Max(1, session.Instruments.Count)];
        for (int i = 0; i < session.Instruments.Count; i++)
        {
            decimals[i] = session.Instruments[i].PriceDecimals;
        }

        var pipeline = new StrategyPipeline(session.Books, decimals.Length, venues, decimals, fees, thresholdBps, opportunityRing, sweeper, fullSweepMinTouched, ringSize, WaitStrategyKind.Yielding);
        Books = pipeline.Books;
        Edges = pipeline.Edges;
        Strategy = pipeline.Strategy;
        Strategy.UseRecordedTime = true;
        Ring = pipeline.MarketRing;
        Processor = new BatchEventProcessor<TickEvent, StrategyHandler>(Ring, Ring.NewBarrier(), new StrategyHandler(Strategy));
        Ring.AddGatingSequences(Processor.Sequence);
    }

    public ReplaySession Session { get; }

    public BookSet Books { get; }

    public EdgeStage Edges { get; }

    public StrategyState Strategy { get; }

    public RingBuffer<TickEvent> Ring { get; }

    public BatchEventProcessor<TickEvent, StrategyHandler> Processor { get; }

    /// <summary>Records that parsed into a published message.</summary>
    public long Published { get; private set; }

    /// <summary>Records the parsers rejected (counted per error in each venue's <see cref="ReplayVenue.Counters"/>).</summary>
    public long Rejected { get; private set; }

    /// <summary>
    /// Parses record <paramref name="recordIndex"/>, publishes it and runs the strategy chain over it. Returns what the
    /// parser said. Allocation-free.
    /// </summary>
    public ParseResult Step(int recordIndex)
    {
        ParseResult result = Session.Decode(recordIndex, Stopwatch.GetTimestamp(), _scratch);
        if (result == ParseResult.Message)
        {
            while (!ReplaySession.Publish(_scratch, Ring))
            {
                Processor.Poll(); // one thread: make room by consuming
            }

            Published++;
            Processor.Poll();
        }
        else if (result == ParseResult.Rejected)
        {
            Rejected++;
        }

        return result;
    }

    /// <summary>The venue symbol of a book, for output.</summary>
    public string SymbolOf(int bookIndex)
    {
        ref readonly BookSyncState state = ref Books.State(bookIndex);
        foreach (ReplayVenue venue in Session.Venues)
        {
            if (venue.Id == state.Venue)
            {
                return venue.Symbols[state.Instrument];
            }
        }

        throw new ArgumentOutOfRangeException(nameof(bookIndex));
    }

    public string VenueNameOf(VenueId venue)
    {
        foreach (ReplayVenue v in Session.Venues)
        {
            if (v.Id == venue)
            {
                return v.Name;
            }
        }

        return venue.ToString();
    }
}
