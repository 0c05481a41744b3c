using System.Diagnostics;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>
/// The venue graph inside <c>run</c>, on the embedded default market (seed 42), driven event by event on the test's
/// thread exactly as the dry run composes it (StrategyPipeline + GraphWiring): deterministic, no pacing, no timing.
/// </summary>
public sealed class GraphRunTests
{
    /// <summary>The run's chain on the calling thread: market → ring → strategy; opportunities and bundles kept.</summary>
    private sealed class GraphRig : IDisposable
    {
        private readonly SimulatedMarket _market;
        private readonly BatchEventProcessor<TickEvent, StrategyHandler> _strategy;
        private readonly BatchEventProcessor<Opportunity, Collect> _drain;

        public GraphRig()
        {
            var engine = new EngineOptions();
            SimulatedMarketOptions options = GraphWiring.WithChainBlockTimes(SimulatedMarketOptions.Embedded, engine.Chains);
            _market = new SimulatedMarket(options);
            int venues = _market.VenueCount;
            int instruments = _market.InstrumentCount;
            int[] priceDecimals = Enumerable.Range(0, instruments).Select(_market.PriceDecimals).ToArray();
            int[] quantityDecimals = Enumerable.Range(0, instruments).Select(_market.QuantityDecimals).ToArray();
            var specs = new List<BookSpec>();
            for (int v = 0; v < venues; v++)
            {
                for (int i = 0; i < instruments; i++)
                {
                    specs.Add(new BookSpec(VenueId.FromIndex(v), InstrumentId.FromIndex(i), SequenceRule.None, priceDecimals[i], quantityDecimals[i], Capacity: 64, PendingSlots: 16));
                }
            }

            var opportunities = new RingBuffer<Opportunity>(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);
            Pipeline = new StrategyPipeline(specs, instruments, venues, priceDecimals, options.Venues.Select(v => v.TakerFee).ToArray(), 5, opportunities, null, int.MaxValue, 1 << 12, WaitStrategyKind.Yielding);
            Logs = EngineLogs.Create(Output, "test", _ => { }, EngineLogs.QueueCapacity);
            Graph = GraphWiring.TryAttach(engine, options, Pipeline, priceDecimals, quantityDecimals, TextWriter.Null, Logs)!;
            RingBuffer<TickEvent> ring = Pipeline.MarketRing;
            _strategy = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(Pipeline.Strategy));
            ring.AddGatingSequences(_strategy.Sequence);
            _drain = new BatchEventProcessor<Opportunity, Collect>(opportunities, opportunities.NewBarrier(), new Collect(Found));
            opportunities.AddGatingSequences(_drain.Sequence);
        }

        public RecordingOutput Output { get; } = new();

        public EngineLogs Logs { get; }

        public StrategyPipeline Pipeline { get; }

        public GraphWiring Graph { get; }

        public List<Opportunity> Found { get; } = [];

        /// <summary>Publishes <paramref name="events"/> market events, each its own batch; drains nothing (allocation-free).</summary>
        public void Pump(int events)
        {
            RingBuffer<TickEvent> ring = Pipeline.MarketRing;
            for (int n = 0; n < events; n++)
            {
                if (!ring.TryNext(out long sequence))
                {
                    throw new InvalidOperationException("the strategy fell behind the test's own pump");
                }

                ref TickEvent slot = ref ring[sequence];
                _market.Next(ref slot);
                slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
                ring.Publish(sequence);
                _strategy.Poll();
            }
        }

        /// <summary>Lets the strategy handle whatever the test published itself.</summary>
        public void Poll() => _strategy.Poll();

        /// <summary>Takes the opportunities (kept in <see cref="Found"/>) and logs the bundles.</summary>
        public void Drain()
        {
            _drain.Poll();
            Graph.Drain();
        }

        public void Dispose()
        {
            Graph.Dispose();
            Logs.Dispose();
        }

        private readonly struct Collect(List<Opportunity> found) : IEventHandler<Opportunity>
        {
            public void OnEvent(ref Opportunity evt, long sequence, bool endOfBatch) => found.Add(evt);
        }
    }

    private static GraphRig RunFor(int events)
    {
        var rig = new GraphRig();
        for (int done = 0; done < events; done += 2_000)
        {
            rig.Pump(2_000);
            rig.Drain();
        }

        return rig;
    }

    [Fact]
    public void The_embedded_market_gives_every_kind_each_with_its_path_size_and_costs()
    {
        using GraphRig rig = RunFor(40_000);
        List<Opportunity> graph = rig.Found.Where(o => o.Path.Count > 0).ToList();
        VenueGraph g = rig.Graph.Graph;

        foreach (OpportunityKind kind in new[] { OpportunityKind.CexDex, OpportunityKind.DexDex, OpportunityKind.Cycle, OpportunityKind.CrossChain })
        {
            Assert.Contains(graph, o => o.Kind == kind);
            Assert.Equal(graph.Count(o => o.Kind == kind), rig.Pipeline.Strategy.GraphOpportunitiesOf(kind));
        }

        foreach (Opportunity o in graph)
        {
            Assert.True(o.Size > 0 && o.SizeQuote > 0, $"{o.Kind} sized");
            Assert.True(o.NetProfitQuote > 0 && o.GrossProfitQuote > o.NetProfitQuote, $"{o.Kind} gross {o.GrossProfitQuote} net {o.NetProfitQuote}");
            Assert.Equal(o.GrossProfitQuote - o.Costs.Total, o.NetProfitQuote, 9);
            Assert.True(o.Costs.PoolFees > 0, $"{o.Kind}: every kind here has a pool leg");
            Assert.True(o.Costs.Gas > 0, $"{o.Kind}: every pool leg pays gas");
            bool atomic = PathQuote.IsAtomic(g, o.Path, out int chain);
            switch (o.Kind)
            {
                case OpportunityKind.CexDex:
                    Assert.True(o.Costs.TakerFees > 0);
                    Assert.Equal(0, o.Costs.FlashLoanPremium);
                    Assert.False(atomic);
                    break;
                case OpportunityKind.DexDex:
                    Assert.True(atomic);
                    Assert.True(o.Costs.FlashLoanPremium > 0);
                    Assert.Equal(0, o.Costs.TakerFees);
                    break;
                case OpportunityKind.CrossChain:
                    Assert.True(o.Costs.BridgeFee > 0);
                    Assert.True(o.SettlementSeconds > 0);
                    Assert.Equal(0, o.Costs.FlashLoanPremium);
                    Assert.False(atomic);
                    break;
            }

            // Base (chain 1) is a rollup: a path with a leg there pays its L1 data fee.
            bool onBase = Enumerable.Range(0, o.Path.Count).Any(i => g.IsTrade(o.Path[i]) && g.EdgeLocation(o.Path[i]) == (GraphLocationKind.Chain, 1));
            Assert.Equal(onBase, o.Costs.L1DataFee > 0);
        }
    }

    [Fact]
    public void Graph_opportunities_are_sized_within_the_gates_per_trade_limit()
    {
        // Sized past the limit, the gate would deny the whole trade though a smaller one pays (it denied 1,351 in 40 s).
        double limit = new EngineOptions().Execution.Risk.MaxTradeNotionalUsd;
        using GraphRig rig = RunFor(40_000);
        List<Opportunity> graph = rig.Found.Where(o => o.Path.Count > 0).ToList();
        Assert.NotEmpty(graph);
        Assert.All(graph, o => Assert.True(o.SizeQuote <= limit, $"{o.Kind} sized {o.SizeQuote} over {limit}"));
        Assert.Contains(graph, o => o.SizeQuote > limit * 0.999); // the cap binds: these would have been sized larger
    }

    [Fact]
    public void Atomic_dex_opportunities_become_signed_bundles_and_inventory_ones_never_do()
    {
        using GraphRig rig = RunFor(40_000);
        VenueGraph g = rig.Graph.Graph;
        List<Opportunity> atomic = rig.Found.Where(o => o.Path.Count > 0 && PathQuote.IsAtomic(g, o.Path, out _)).ToList();
        Assert.NotEmpty(atomic);
        Assert.Contains(rig.Found, o => o.Path.Count > 0 && !PathQuote.IsAtomic(g, o.Path, out _));
        Assert.Equal(atomic.Count, rig.Graph.Bundler.Built + rig.Graph.Bundler.Failed + rig.Graph.Bundler.Dropped);
        Assert.True(rig.Graph.Bundler.Built > 0);
        Assert.Equal(0, rig.Graph.Bundler.Dropped);

        rig.Logs.Writer.Close(TimeSpan.FromSeconds(5));
        string[] bundles = rig.Output.Lines.Where(l => l.Contains("\"txHash\"", StringComparison.Ordinal)).ToArray();
        Assert.Equal(rig.Graph.Bundler.Built, bundles.Length);
        Assert.All(bundles, b => Assert.True(b.Contains("\"kind\":\"DexDex\"", StringComparison.Ordinal) || b.Contains("\"kind\":\"Cycle\"", StringComparison.Ordinal), b));
        Assert.DoesNotContain(bundles, b => b.Contains("inventory", StringComparison.Ordinal) || b.Contains("bridge", StringComparison.Ordinal) || b.Contains("sim-", StringComparison.Ordinal));

        // Each bundle has its own nonce on its chain, and the route's exact return beats what it borrowed.
        Assert.Contains(rig.Output.Lines, l => l.Contains("throw-away key", StringComparison.Ordinal));
        FlashLoansRoute(rig);
    }

    private static void FlashLoansRoute(GraphRig rig)
    {
        var route = rig.Graph.Bundler.LastRoute;
        Assert.True(route.HopCount >= 2);
        Assert.True(route.ExpectedReturn > route.Amount);
        for (int i = 1; i < route.HopCount; i++)
        {
            Assert.Equal(route[i - 1].ExpectedOut, route[i].AmountIn);
        }
    }

    [Fact]
    public void Pool_events_reach_the_graph_only_through_the_ring_and_a_bad_one_is_a_counted_drop()
    {
        using var rig = new GraphRig();
        VenueGraph g = rig.Graph.Graph;
        long version = g.Version;

        // The market's first events are the snapshot: written into a slot, nothing changes until the strategy reads it.
        RingBuffer<TickEvent> ring = rig.Pipeline.MarketRing;
        Assert.True(ring.TryNext(out long sequence));
        ref TickEvent slot = ref ring[sequence];
        PoolUpdate.WriteV2(ref slot, 1, 100, new UInt256(10_000_000_000_000), new UInt256(3_000_000_000_000_000_000));
        Assert.True(g.V2(0).Reserve0.IsZero);
        ring.Publish(sequence);
        Assert.Equal(version, g.Version);
        Assert.True(g.V2(0).Reserve0.IsZero, "published is not applied: only the strategy's read applies it");
        rig.Poll();
        Assert.True(rig.Graph.Pools.Applied >= 1);
        Assert.Equal(new UInt256(10_000_000_000_000), g.V2(0).Reserve0);

        // Bad events: each refused whole and counted by reason; the pool keeps its state.
        long applied = rig.Graph.Pools.Applied;
        UInt256 reserve0 = g.V2(0).Reserve0;
        long unroutedBefore = rig.Pipeline.Books.UnroutedEvents;
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV2(ref e, 999, 200, UInt256.One, UInt256.One));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV3(ref e, 1, 200, new UInt256(1), 0, 1));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV2(ref e, 1, 200, UInt256.Zero, UInt256.One));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV2(ref e, 1, 1, UInt256.One, UInt256.One));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV3(ref e, 0, 200, new UInt256(1UL << 63, 1), 12345, 10));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteGas(ref e, 0, 200, UInt256.Zero, UInt256.One, 0, 5));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteGas(ref e, 77, 200, UInt256.One, UInt256.One, 0, 5));
        DrainStrategy(rig);
        PoolEventApplier pools = rig.Graph.Pools;
        Assert.Equal(applied, pools.Applied);
        Assert.Equal(2, pools.DroppedFor(PoolEventDrop.UnknownPool));
        Assert.Equal(1, pools.DroppedFor(PoolEventDrop.WrongKind));
        Assert.Equal(3, pools.DroppedFor(PoolEventDrop.BadState));
        Assert.Equal(1, pools.DroppedFor(PoolEventDrop.Stale));
        Assert.Equal(reserve0, g.V2(0).Reserve0);
        Assert.Equal(unroutedBefore, rig.Pipeline.Books.UnroutedEvents);
    }

    private delegate void Writer(ref TickEvent slot);

    private static void Publish(RingBuffer<TickEvent> ring, Writer write)
    {
        Assert.True(ring.TryNext(out long sequence));
        write(ref ring[sequence]);
        ring.Publish(sequence);
    }

    private static void DrainStrategy(GraphRig rig) => rig.Poll();

    [Fact]
    public void The_strategy_thread_allocates_nothing_per_event_with_the_graph_and_bundler_attached()
    {
        using GraphRig rig = RunFor(20_000);
        long built = rig.Graph.Bundler.Built;
        long applied = rig.Graph.Pools.Applied;
        long graphOpportunities = rig.Pipeline.Strategy.GraphOpportunities;
        long before = GC.GetAllocatedBytesForCurrentThread();
        rig.Pump(20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        rig.Drain();
        Assert.True(rig.Graph.Pools.Applied > applied, "pool events were applied in the measured window");
        Assert.True(rig.Pipeline.Strategy.GraphOpportunities > graphOpportunities, "the graph found opportunities in the measured window");
        Assert.True(rig.Graph.Bundler.Built > built, "bundles were signed in the measured window");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_start_up_warm_up_leaves_nothing_in_the_run()
    {
        // TryAttach ran the throw-away copy (it signs bundles on its own market); the run's own graph has seen nothing.
        using var rig = new GraphRig();
        Assert.Equal(0, rig.Graph.Bundler.Built + rig.Graph.Bundler.Failed + rig.Graph.Bundler.Dropped);
        Assert.Equal(0, rig.Graph.Pools.Applied);
        Assert.Equal(0, rig.Pipeline.Strategy.GraphOpportunities);
        Assert.Equal(0, rig.Graph.Stage.Evaluations);
        rig.Logs.Writer.Close(TimeSpan.FromSeconds(5));
        Assert.Single(rig.Output.Lines); // the key notice only
    }
}
