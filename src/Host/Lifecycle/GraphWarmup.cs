using System.Diagnostics;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Host.Configuration;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// Start-up only: runs a throw-away copy of the run's strategy chain (its own books, venue graph, cycle kernel, risk
/// gate, nonce manager and bundle ring, over its own simulated market with short block times) through a few thousand
/// events, so every method of the tick → opportunity → signed bundle path is compiled before the strategy thread
/// takes its first tick. Without it the first bundles of a run paid the JIT on the strategy thread (a bundle path
/// runs a few times a minute, so it stayed cold for most of a run: tick → signed bundle p50 in milliseconds). Nothing
/// of the copy reaches the run: no log line, no nonce, no opportunity; it is dropped when done.
/// </summary>
internal static class GraphWarmup
{
    /// <summary>Enough events for every graph kind and a few signed bundles on the embedded market.</summary>
    private const int MaxEvents = 6_000;

    private const int BundlesWanted = 4;

    /// <summary>Blocks of the copy's chains: pool events every few ticks, so the DEX and bundle paths run early.</summary>
    private const int WarmBlockTimeMs = 25;

    /// <summary>Runs the copy; returns the events it took and the bundles it signed (0, 0 when the market has no DEX side).</summary>
    public static (int Events, long Bundles) Run(EngineOptions options, SimulatedMarketOptions market, int[] priceDecimals, int[] quantityDecimals)
    {
        if (market.Dex is not { } dex)
        {
            return (0, 0);
        }

        SimulatedMarketOptions fast = market with { Dex = dex with { Chains = dex.Chains.Select(c => c with { BlockTimeMs = WarmBlockTimeMs }).ToArray() }, Seed = market.Seed + 1 };
        var sim = new SimulatedMarket(fast);
        int venues = sim.VenueCount;
        int instruments = sim.InstrumentCount;
        List<BookSpec> specs = BookSpecs(venues, instruments, priceDecimals, quantityDecimals);

        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var opportunityReader = new Sequence();
        opportunities.AddGatingSequences(opportunityReader);
        var pipeline = new StrategyPipeline(specs, instruments, venues, priceDecimals, fast.Venues.Select(v => v.TakerFee).ToArray(), options.ThresholdBps,
            opportunities, null, int.MaxValue, 1 << 10, WaitStrategyKind.Yielding);
        RiskOptions risk = options.Execution.Risk with { Assets = Math.Max(1, instruments), Venues = Math.Max(1, venues) };
        var gate = new StrategyRiskGate(risk, new KillSwitch(), priceDecimals, quantityDecimals);
        pipeline.Strategy.Risk = gate;
        using GraphWiring? copy = GraphWiring.Compose(options, fast, pipeline, priceDecimals, quantityDecimals, TextWriter.Null, logs: null);
        if (copy is null)
        {
            return (0, 0);
        }

        RingBuffer<TickEvent> ring = pipeline.MarketRing;
        var strategy = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(pipeline.Strategy));
        ring.AddGatingSequences(strategy.Sequence);
        int n = 0;
        while (n < MaxEvents && copy.Bundler.Built < BundlesWanted && Pump(sim, strategy, ring, opportunities, opportunityReader, gate, copy, seen: null))
        {
            n++;
        }

        return (n, copy.Bundler.Built);
    }

    /// <summary>The run's books: one per venue and instrument, no sequence rule (the simulated market's), as the dry run builds them.</summary>
    internal static List<BookSpec> BookSpecs(int venues, int instruments, int[] priceDecimals, int[] quantityDecimals)
    {
        var specs = new List<BookSpec>(venues * instruments);
        for (int v = 0; v < venues; v++)
        {
            for (int i = 0; i < instruments; i++)
            {
                specs.Add(new BookSpec(VenueId.FromIndex(v), InstrumentId.FromIndex(i), SequenceRule.None, priceDecimals[i], quantityDecimals[i], Capacity: 64, PendingSlots: 16));
            }
        }

        return specs;
    }

    /// <summary>
    /// One market event through a strategy chain on the calling thread (its own batch); each opportunity it published is
    /// shown to <paramref name="seen"/>, then released as the host does for a dry run (or the gate's open-leg limit would
    /// soon deny everything), and the bundles are skipped. False when the ring is full.
    /// </summary>
    internal static bool Pump(SimulatedMarket sim, BatchEventProcessor<TickEvent, StrategyHandler> strategy, RingBuffer<TickEvent> ring,
        RingBuffer<Opportunity> opportunities, Sequence reader, StrategyRiskGate gate, GraphWiring graph, Action<Opportunity>? seen)
    {
        if (!ring.TryNext(out long sequence))
        {
            return false;
        }

        ref TickEvent slot = ref ring[sequence];
        sim.Next(ref slot);
        slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
        ring.Publish(sequence);
        strategy.Poll();
        long cursor = opportunities.Cursor;
        for (long s = reader.Value + 1; s <= cursor; s++)
        {
            ref Opportunity o = ref opportunities[s];
            seen?.Invoke(o);
            if (o.Risk.Approved)
            {
                gate.TryPost(new RiskFeedback { Kind = RiskFeedbackKind.Release, Legs = o.Risk.Legs, NotionalUsd = o.Risk.NotionalUsd, Asset = o.Instrument });
            }
        }

        reader.Value = cursor;
        graph.SkipBundles();
        return true;
    }
}
