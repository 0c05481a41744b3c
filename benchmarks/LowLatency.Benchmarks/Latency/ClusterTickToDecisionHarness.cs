using System.Diagnostics;
using HdrHistogram;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Benchmarks.Latency;

/// <summary>
/// Tick-to-decision with the risk gate on the strategy thread, on one box and in cluster mode (the gate, then the
/// node's <see cref="ClusterLease"/>), over the same ticks of the embedded simulated market, on one thread. The two
/// variants run in alternating passes on one thread, so whatever else the box does falls on both alike; the budget is
/// the cluster variant's p99 against the single box's in the same run. Every approval is released after its step (as a
/// dry run's host does), so both stay in their approving steady state; the lease is confirmed and its shares never run out.
/// </summary>
public static class ClusterTickToDecisionHarness
{
    public const string SingleBox = "tick_to_decision_gate";
    public const string Cluster = "tick_to_decision_lease";

    private static readonly Dictionary<(string Name, bool Quick), LatencyResult> s_results = [];

    /// <summary>The named variant's result; the first call measures both.</summary>
    public static LatencyResult Run(string name, bool quick)
    {
        if (!s_results.TryGetValue((name, quick), out LatencyResult? result))
        {
            (LatencyResult single, LatencyResult cluster) = Measure(quick);
            s_results[(SingleBox, quick)] = single;
            s_results[(Cluster, quick)] = cluster;
            result = s_results[(name, quick)];
        }

        return result;
    }

    private static (LatencyResult SingleBox, LatencyResult Cluster) Measure(bool quick)
    {
        // The embedded simulated market (the default run's): venues quote one instrument set, so cross-venue edges and
        // decisions happen; the same ticks, generated once, go through both variants.
        SimulatedMarketOptions market = SimulatedMarketOptions.Embedded;
        var source = new SimulatedMarket(market);
        var ticks = new TickEvent[quick ? 20_000 : 100_000];
        for (int i = 0; i < ticks.Length; i++)
        {
            source.Next(ref ticks[i]);
        }

        var single = new Variant(source, market, ticks, withLease: false);
        var cluster = new Variant(source, market, ticks, withLease: true);
        int warmupPasses = quick ? 10 : 30;
        int measuredPasses = quick ? 10 : 60;
        for (int pass = 0; pass < warmupPasses + measuredPasses; pass++)
        {
            bool measuring = pass >= warmupPasses;
            if (pass == warmupPasses)
            {
                single.Histogram.Reset();
                cluster.Histogram.Reset();
            }

            // Alternate which goes first, so neither always runs on a cache the other warmed.
            (Variant first, Variant second) = pass % 2 == 0 ? (single, cluster) : (cluster, single);
            first.Pass(measuring);
            second.Pass(measuring);
        }

        // A variant that denied everything would time the cheap path: the comparison holds only if both approved.
        long leaseApproved = cluster.Lease!.Approved;
        Console.WriteLine($"latency {Cluster}: {ticks.Length} ticks a pass; gate approvals {single.Approvals} (single box), {cluster.Approvals} (cluster, the lease approved {leaseApproved})");
        if (single.Approvals == 0 || leaseApproved == 0)
        {
            throw new InvalidOperationException("the gate or the lease approved nothing: the harness would compare the denial path");
        }

        return (single.Result(), cluster.Result());
    }

    private sealed class Variant
    {
        private static readonly double s_nsPerTick = 1e9 / Stopwatch.Frequency;
        private readonly TickEvent[] _ticks;
        private readonly StrategyPipeline _pipeline;
        private readonly StrategyHandler _handler;
        private readonly RingBuffer<Opportunity> _opportunities;
        private readonly StrategyRiskGate _gate;
        private readonly Sequence _drained = new();
        private long _sequence;
        private long _allocated;

        public Variant(SimulatedMarket market, SimulatedMarketOptions options, TickEvent[] ticks, bool withLease)
        {
            _ticks = ticks;
            int venues = market.VenueCount;
            int assets = market.InstrumentCount;
            var priceDecimals = new int[assets];
            var quantityDecimals = new int[assets];
            var specs = new List<BookSpec>(venues * assets);
            for (int i = 0; i < assets; i++)
            {
                priceDecimals[i] = market.PriceDecimals(i);
                quantityDecimals[i] = market.QuantityDecimals(i);
            }

            for (int v = 0; v < venues; v++)
            {
                for (int i = 0; i < assets; i++)
                {
                    specs.Add(new BookSpec(VenueId.FromIndex(v), InstrumentId.FromIndex(i), SequenceRule.None, priceDecimals[i], quantityDecimals[i], Capacity: 64, PendingSlots: 16));
                }
            }

            double[] fees = [.. options.Venues.Select(v => v.TakerFee)];
            _opportunities = new RingBuffer<Opportunity>(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);
            _pipeline = new StrategyPipeline(specs, assets, venues, priceDecimals, fees, thresholdBps: 5, _opportunities, sweeper: null,
                fullSweepMinTouched: int.MaxValue, ringSize: 64, WaitStrategyKind.Yielding);
            _opportunities.AddGatingSequences(_drained);

            // Every pass replays the same simulated hour: the gate's time rules would see time run backwards and trip.
            // Its checks all run; only the limits that a replayed clock would trip are out of the way.
            var risk = new RiskOptions
            {
                Assets = assets,
                Venues = venues,
                MaxQuoteAgeNs = long.MaxValue / 4,
                MaxVolatilityBps = 1e9,
                VolatilityResumeBps = 1e9,
                MaxOpenLegs = 1 << 20,
                MaxAssetNotionalUsd = 1e15,
                MaxTradeNotionalUsd = 1e12,
                DailyLossLimitUsd = 1e12,
            };
            _gate = new StrategyRiskGate(risk, new KillSwitch(), priceDecimals, quantityDecimals, feedbackCapacity: 1 << 14);
            if (withLease)
            {
                var lease = new ClusterLease(assets, venues);
                lease.Extend(long.MaxValue);
                for (int slot = 0; slot < lease.SlotCount; slot++)
                {
                    lease.Grant(slot, long.MaxValue / 4);
                }

                _gate.Lease = lease;
                Lease = lease;
            }

            _pipeline.Strategy.UseRecordedTime = true;
            _pipeline.Strategy.Risk = _gate;
            _handler = new StrategyHandler(_pipeline.Strategy);
            Histogram = new LongHistogram(10_000_000_000L, 3);
        }

        public LongHistogram Histogram { get; }

        public ClusterLease? Lease { get; }

        /// <summary>Opportunities the strategy thread's verdict approved (gate and, in cluster mode, lease).</summary>
        public long Approvals { get; private set; }

        public void Pass(bool measuring)
        {
            _pipeline.Books.Restart();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < _ticks.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                _handler.OnEvent(ref _ticks[i], _sequence++, endOfBatch: true);
                long end = Stopwatch.GetTimestamp();
                ReleaseApprovals();
                Histogram.RecordValue(Math.Max(1, (long)((end - start) * s_nsPerTick)));
            }

            if (measuring)
            {
                _allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }

        public LatencyResult Result()
        {
            long count = Histogram.TotalCount;
            return new LatencyResult(count, Histogram.GetValueAtPercentile(50), Histogram.GetValueAtPercentile(99), Histogram.GetValueAtPercentile(99.9),
                Histogram.GetMaxValue(), count == 0 ? double.NaN : _allocated / (double)count);
        }

        // The host's part: every approval is released (nothing executes here), so the next batch frees it.
        private void ReleaseApprovals()
        {
            long last = _opportunities.Cursor;
            for (long s = _drained.Value + 1; s <= last; s++)
            {
                ref Opportunity o = ref _opportunities[s];
                if (o.Risk.Approved)
                {
                    Approvals++;
                    _gate.TryPost(new RiskFeedback
                    {
                        Kind = RiskFeedbackKind.Release, Asset = o.Instrument, BuyVenue = o.BuyVenue, SellVenue = o.SellVenue,
                        Legs = o.Risk.Legs, NotionalUsd = o.Risk.NotionalUsd,
                    });
                }
            }

            _drained.Value = last;
        }
    }
}
