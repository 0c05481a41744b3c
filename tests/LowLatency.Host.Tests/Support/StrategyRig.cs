using System.Diagnostics;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Snapshots;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Tests.Support;

/// <summary>The dry run's strategy chain on the simulated market, driven tick by tick on the calling thread.</summary>
internal sealed class StrategyRig
{
    private readonly SimulatedMarket _market;
    private readonly StrategyHandler _handler;
    private readonly BatchEventProcessor<Opportunity, CountingHandler> _drain;
    private TickEvent _tick;
    private long _sequence;

    public StrategyRig(TimeSpan publishInterval)
    {
        SimulatedMarketOptions options = SimulatedMarketOptions.Default;
        _market = new SimulatedMarket(options);
        int venues = _market.VenueCount;
        int instruments = _market.InstrumentCount;
        var specs = new List<BookSpec>();
        int[] priceDecimals = new int[instruments];
        for (int i = 0; i < instruments; i++)
        {
            priceDecimals[i] = _market.PriceDecimals(i);
        }

        for (int v = 0; v < venues; v++)
        {
            for (int i = 0; i < instruments; i++)
            {
                specs.Add(new BookSpec(VenueId.FromIndex(v), InstrumentId.FromIndex(i), SequenceRule.None, priceDecimals[i], _market.QuantityDecimals(i), Capacity: 64, PendingSlots: 16));
            }
        }

        double[] fees = options.Venues.Select(v => v.TakerFee).ToArray();
        Opportunities = new RingBuffer<Opportunity>(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);
        var edges = new EdgeStage(instruments, venues, priceDecimals, fees, 1.0);
        State = new StrategyState(new BookSet(specs), edges, Opportunities);
        Publisher = new StrategySnapshotPublisher(venues, publishInterval);
        State.SnapshotPublisher = Publisher;
        _handler = new StrategyHandler(State);
        _drain = new BatchEventProcessor<Opportunity, CountingHandler>(Opportunities, Opportunities.NewBarrier(), default);
        Opportunities.AddGatingSequences(_drain.Sequence);
    }

    public StrategyState State { get; }

    public StrategySnapshotPublisher Publisher { get; }

    public RingBuffer<Opportunity> Opportunities { get; }

    /// <summary>Feeds <paramref name="ticks"/> ticks through the chain (each its own batch) and drains the opportunities.</summary>
    public void Run(int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            _market.Next(ref _tick);
            _tick.ReceiveTimestamp = Stopwatch.GetTimestamp();
            _handler.OnEvent(ref _tick, _sequence++, endOfBatch: true);
            if ((i & 255) == 0)
            {
                _drain.Poll();
            }
        }

        _drain.Poll();
    }

    private readonly struct CountingHandler : IEventHandler<Opportunity>
    {
        public void OnEvent(ref Opportunity evt, long sequence, bool endOfBatch)
        {
        }
    }
}
