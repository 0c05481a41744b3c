using System.Diagnostics;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Integrity;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

public sealed class IntegrityTests
{
    private static readonly VenueId A = new(0);
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void Score_falls_with_weighted_faults_in_the_window_and_recovers_when_they_leave_it()
    {
        var quarantine = new VenueQuarantine();
        var monitor = new IntegrityMonitor(new IntegrityPolicy { Window = TimeSpan.FromSeconds(10), Buckets = 10, PenaltyBudget = 10 }, quarantine);
        long t = 1000 * Second;
        Assert.Equal(1, monitor.Sample(A, new IntegritySample(0, 0, 0, 0, 0, true), t));

        // 3 gaps + 1 checksum failure + 1 reconnect (2) + 5 rejected frames (0.2 each) = 7 → score 0.3: quarantined.
        double score = monitor.Sample(A, new IntegritySample(3, 1, 0, 1, 5, true), t + Second);
        Assert.Equal(0.3, score, 9);
        Assert.True(quarantine.IsQuarantined(A));

        // Still inside the window: stays quarantined (hysteresis keeps it until 0.8).
        monitor.Sample(A, new IntegritySample(3, 1, 0, 1, 5, true), t + (5 * Second));
        Assert.True(quarantine.IsQuarantined(A));

        // The faults have slid out of the window: score 1, released.
        Assert.Equal(1, monitor.Sample(A, new IntegritySample(3, 1, 0, 1, 5, true), t + (12 * Second)));
        Assert.False(quarantine.IsQuarantined(A));
    }

    [Fact]
    public void Hysteresis_and_disconnection()
    {
        var quarantine = new VenueQuarantine();
        var monitor = new IntegrityMonitor(new IntegrityPolicy { Window = TimeSpan.FromSeconds(10), Buckets = 10, PenaltyBudget = 10, QuarantineBelow = 0.5, ReleaseAtOrAbove = 0.8 }, quarantine);
        long t = 0;
        monitor.Sample(A, new IntegritySample(0, 0, 0, 0, 0, true), t);
        monitor.Sample(A, new IntegritySample(4, 0, 0, 0, 0, true), t + Second); // 0.6: not yet
        Assert.False(quarantine.IsQuarantined(A));
        monitor.Sample(A, new IntegritySample(0, 0, 0, 0, 0, false), t + (20 * Second)); // a disconnected venue is quarantined whatever its score
        Assert.True(quarantine.IsQuarantined(A));
        int version = quarantine.Version;
        monitor.Sample(A, new IntegritySample(0, 0, 0, 0, 0, true), t + (21 * Second));
        Assert.False(quarantine.IsQuarantined(A));
        Assert.True(quarantine.Version > version);
        Assert.Single(new IntegrityPolicy { QuarantineBelow = 0.9, ReleaseAtOrAbove = 0.5 }.Validate());
    }

    [Fact]
    public void Quarantined_venue_publishes_no_edges_even_when_it_sends_nothing_more()
    {
        var b = new VenueId(1);
        var instrument = new InstrumentId(0);
        var books = new BookSet([new BookSpec(A, instrument, SequenceRule.None, 2, 2), new BookSpec(b, instrument, SequenceRule.None, 2, 2)]);
        var edges = new EdgeStage(1, 2, [2], [0.0, 0.0], thresholdBps: 1);
        var quarantine = new VenueQuarantine();
        var state = new StrategyState(books, edges, opportunityRing: null) { Quarantine = quarantine };
        var ring = new RingBuffer<TickEvent>(64, ProducerType.Single, WaitStrategyKind.Yielding);
        var processor = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(state));
        ring.AddGatingSequences(processor.Sequence);

        // Venue A bids 101, venue B asks 100: buy on B, sell on A is an edge of ~100 bps.
        Publish(ring, A, instrument, bid: 10100, ask: 10200);
        Publish(ring, b, instrument, bid: 9900, ask: 10000);
        processor.Poll();
        int pair = (0 * 2 + 1) * 2 + 0; // (instrument 0, buy B, sell A)
        Assert.True(edges.NetBps[pair] > 90);
        long opportunities = state.Opportunities;
        Assert.True(opportunities >= 1);

        // A is quarantined; only B ticks from now on. The edge must vanish at B's next tick.
        quarantine.Set(A, true);
        Publish(ring, b, instrument, bid: 9900, ask: 10001);
        processor.Poll();
        Assert.Equal(EdgeMath.NoEdge, edges.NetBps[pair]);
        Assert.Equal(opportunities, state.Opportunities);

        // Released: A's book is quoted again at the next batch.
        quarantine.Set(A, false);
        Publish(ring, b, instrument, bid: 9900, ask: 10000);
        processor.Poll();
        Assert.True(edges.NetBps[pair] > 90);
    }

    [Fact]
    public async Task Live_venue_with_injected_gaps_is_quarantined_and_released_once_healed()
    {
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync();
        var quarantine = new VenueQuarantine();
        var monitor = new IntegrityMonitor(new IntegrityPolicy { Window = TimeSpan.FromSeconds(10), Buckets = 10, PenaltyBudget = 4 }, quarantine);
        long t = 0;
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.Exchange.SendAsync(20);
        await h.WaitAllLiveAsync();
        monitor.Sample(BinanceLiveHarness.Venue, LiveIntegrity.Sample(h.Client, h.Books), t);
        Assert.False(quarantine.IsQuarantined(BinanceLiveHarness.Venue));

        // Three diffs of one book lost one after another: three gaps, three resyncs.
        int first = h.Exchange.DepthFrameCount("NKNUSDT") / 3;
        Assert.True(h.Exchange.DepthFrameIndex("NKNUSDT", first) > h.Exchange.Position);
        for (int k = 0; k < 3; k++)
        {
            int target = h.Exchange.DepthFrameIndex("NKNUSDT", first + (4 * k));
            await h.Exchange.SendAsync(target - h.Exchange.Position);
            await h.Exchange.SkipAsync(1);
            await h.Exchange.SendAsync(h.Exchange.DepthFrameIndex("NKNUSDT", first + 1 + (4 * k)) - h.Exchange.Position + 1);
            await h.SyncAsync();
            await h.WaitAllLiveAsync();
        }

        Assert.True(h.Books.Integrity(BinanceLiveHarness.Venue).Gaps >= 3);
        double score = monitor.Sample(BinanceLiveHarness.Venue, LiveIntegrity.Sample(h.Client, h.Books), t + Second);
        Assert.True(score < 0.5, $"score {score}");
        Assert.True(quarantine.IsQuarantined(BinanceLiveHarness.Venue));

        // Healed and quiet for a window: released.
        await FinishAsync(h);
        Assert.Equal(1, monitor.Sample(BinanceLiveHarness.Venue, LiveIntegrity.Sample(h.Client, h.Books), t + (12 * Second)));
        Assert.False(quarantine.IsQuarantined(BinanceLiveHarness.Venue));
    }

    private static async Task FinishAsync(BinanceLiveHarness h)
    {
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();
        await h.WaitAllLiveAsync();
        h.AssertTopsMatchExchange();
    }

    private static void Publish(RingBuffer<TickEvent> ring, VenueId venue, InstrumentId instrument, long bid, long ask)
    {
        var message = new BookMessage(4) { Kind = TickKind.Delta, Venue = venue, Instrument = instrument, ReceiveTimestamp = Stopwatch.GetTimestamp() };
        message.TryAdd(Side.Bid, new Price(bid), new Quantity(100));
        message.TryAdd(Side.Ask, new Price(ask), new Quantity(100));
        Assert.True(ReplaySession.Publish(message, ring));
    }
}
