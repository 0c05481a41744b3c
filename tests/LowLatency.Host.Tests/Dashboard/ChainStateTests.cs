using System.Diagnostics;
using System.Text.Json;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Snapshots;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary>
/// Chain states on the dashboard: the strategy thread's pool applier counts applied and refused events per chain, the
/// snapshot carries them (0 B), and /api/venues shows each chain with its last block and integrity score. The run's
/// composition (StrategyPipeline + GraphWiring over the embedded market), driven event by event: no timing.
/// </summary>
public sealed class ChainStateTests
{
    private delegate void Writer(ref TickEvent slot);

    [Fact]
    public async Task Chains_show_their_last_block_and_the_share_of_pool_events_applied()
    {
        var engine = new EngineOptions();
        SimulatedMarketOptions options = GraphWiring.WithChainBlockTimes(SimulatedMarketOptions.Embedded, engine.Chains);
        var market = new SimulatedMarket(options);
        int venues = market.VenueCount;
        int instruments = market.InstrumentCount;
        int[] priceDecimals = Enumerable.Range(0, instruments).Select(market.PriceDecimals).ToArray();
        int[] quantityDecimals = Enumerable.Range(0, instruments).Select(market.QuantityDecimals).ToArray();
        var specs = new List<BookSpec>();
        for (int v = 0; v < venues; v++)
        {
            for (int i = 0; i < instruments; i++)
            {
                specs.Add(new BookSpec(VenueId.FromIndex(v), InstrumentId.FromIndex(i), SequenceRule.None, priceDecimals[i], quantityDecimals[i], Capacity: 64, PendingSlots: 16));
            }
        }

        var opportunities = new RingBuffer<Opportunity>(1 << 14, ProducerType.Single, WaitStrategyKind.Yielding);
        var pipeline = new StrategyPipeline(specs, instruments, venues, priceDecimals, options.Venues.Select(v => v.TakerFee).ToArray(), 5, opportunities, null, int.MaxValue, 1 << 12, WaitStrategyKind.Yielding);
        using EngineLogs logs = EngineLogs.Create(new RecordingOutput(), "test", _ => { }, EngineLogs.QueueCapacity);
        using GraphWiring graph = GraphWiring.TryAttach(engine, options, pipeline, priceDecimals, quantityDecimals, TextWriter.Null, logs)!;
        RingBuffer<TickEvent> ring = pipeline.MarketRing;
        var strategy = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(pipeline.Strategy));
        ring.AddGatingSequences(strategy.Sequence);

        PoolEventApplier pools = graph.Pools;
        Assert.True(pools.ChainCount >= 2);
        Assert.Equal(pools.ChainCount, graph.ChainNames.Count);

        // Chain 0's gas: one reading applied at block 200, one refused (a zero base fee). A pool update, a stale one, and
        // one for a pool nobody configured (counted in the total only: it names no chain).
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteGas(ref e, 0, 200, new UInt256(30_000_000_000), new UInt256(1_000_000_000), 0, 5));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteGas(ref e, 0, 201, UInt256.Zero, UInt256.One, 0, 5));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV2(ref e, 1, 100, new UInt256(10_000_000_000_000), new UInt256(3_000_000_000_000_000_000)));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV2(ref e, 1, 1, UInt256.One, UInt256.One));
        Publish(ring, (ref TickEvent e) => PoolUpdate.WriteV2(ref e, 999, 300, UInt256.One, UInt256.One));
        strategy.Poll();

        Assert.Equal(200, pools.LastBlock(0));
        long appliedSum = 0;
        long droppedSum = 0;
        for (int c = 0; c < pools.ChainCount; c++)
        {
            appliedSum += pools.AppliedOn(c);
            droppedSum += pools.DroppedOn(c);
        }

        Assert.Equal(pools.Applied, appliedSum);
        Assert.Equal(pools.Dropped - pools.DroppedFor(PoolEventDrop.UnknownPool), droppedSum);
        Assert.Equal(1, pools.DroppedFor(PoolEventDrop.UnknownPool));
        Assert.True(pools.AppliedOn(0) >= 1 && pools.DroppedOn(0) >= 1, "chain 0 has its gas reading applied and one refused");
        Assert.Equal(0, pools.AppliedOn(pools.ChainCount)); // outside the graph: 0, not an exception

        // The snapshot carries them; publishing with the applier attached allocates nothing.
        var publisher = new StrategySnapshotPublisher(venues, TimeSpan.Zero);
        publisher.Publish(pipeline.Strategy, Stopwatch.GetTimestamp());
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            publisher.Publish(pipeline.Strategy, Stopwatch.GetTimestamp());
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(publisher.Snapshots.TryRead(out StrategySnapshot snapshot));
        Assert.Equal(pools.ChainCount, snapshot.ChainCount);
        for (int c = 0; c < pools.ChainCount; c++)
        {
            Assert.Equal((pools.LastBlock(c), pools.AppliedOn(c), pools.DroppedOn(c)), (snapshot.Chains[c].LastBlock, snapshot.Chains[c].Applied, snapshot.Chains[c].Dropped));
        }

        // /api/venues: one entry per chain, by name; a chain with no events has no score (null), not a made-up 1.
        var feed = new DashboardFeed("dry-run", [.. options.Venues.Select(v => v.Name)], [.. options.Instruments.Select(i => i.Symbol)], priceDecimals, quantityDecimals, publisher.Snapshots, null)
        {
            ChainNames = graph.ChainNames,
        };
        Assert.True(DashboardOptions.TryParse("http://127.0.0.1:0", false, null, "no-models", "no-data", out DashboardOptions? dashboard, out string? error), error);
        Assert.True(DashboardServer.TryStart(dashboard, feed, new TrainingJobs((_, _, _) => 0), out DashboardServer? server, out error), error);
        await using (server)
        {
            feed.Publish(new HostFigures(0, 0, "log", default));
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            using JsonDocument doc = JsonDocument.Parse(await http.GetStringAsync("/api/venues"));
            JsonElement chains = doc.RootElement.GetProperty("chains");
            Assert.Equal(pools.ChainCount, chains.GetArrayLength());
            JsonElement first = chains[0];
            Assert.Equal(["integrityScore", "lastBlock", "name", "poolEventsApplied", "poolEventsDropped", "state"], first.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(graph.ChainNames[0], first.GetProperty("name").GetString());
            Assert.Equal("following", first.GetProperty("state").GetString());
            Assert.Equal(200, first.GetProperty("lastBlock").GetInt64());
            double expected = Math.Round((double)pools.AppliedOn(0) / (pools.AppliedOn(0) + pools.DroppedOn(0)), 4);
            Assert.Equal(expected, first.GetProperty("integrityScore").GetDouble(), 12);
            for (int c = 0; c < pools.ChainCount; c++)
            {
                JsonElement chain = chains[c];
                bool quiet = pools.AppliedOn(c) + pools.DroppedOn(c) == 0;
                Assert.Equal(quiet ? JsonValueKind.Null : JsonValueKind.Number, chain.GetProperty("integrityScore").ValueKind);
                Assert.Equal(pools.LastBlock(c) < 0 ? "no blocks yet" : "following", chain.GetProperty("state").GetString());
            }

            server.Stop(TimeSpan.FromMilliseconds(200));
        }
    }

    private static void Publish(RingBuffer<TickEvent> ring, Writer write)
    {
        Assert.True(ring.TryNext(out long sequence));
        write(ref ring[sequence]);
        ring.Publish(sequence);
    }
}
