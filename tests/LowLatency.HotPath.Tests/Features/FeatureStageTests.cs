using LowLatency.HotPath.Book;
using LowLatency.HotPath.Features;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Features;

public sealed class FeatureStageTests
{
    private static readonly InstrumentId s_instrument = new(0);
    private static readonly VenueId s_v0 = new(0);
    private static readonly VenueId s_v1 = new(1);

    private sealed class Recorded
    {
        public List<(int Candidate, MarketObservation Observation, float[] Frame)> Frames { get; } = [];
    }

    private readonly struct RecordingSink(Recorded recorded) : IFeatureSink
    {
        public void OnFrame(int candidate, in MarketObservation observation, in FeatureFrame frame) =>
            recorded.Frames.Add((candidate, observation, ((ReadOnlySpan<float>)frame).ToArray()));
    }

    private struct CountingSink : IFeatureSink
    {
        public int Count;
        public float LastNet;

        public void OnFrame(int candidate, in MarketObservation observation, in FeatureFrame frame)
        {
            Count++;
            LastNet = frame[FeatureIndex.NetEdgeBps];
        }
    }

    private static (StrategyState State, FeatureStage Stage) Market()
    {
        var books = new BookSet([
            new BookSpec(s_v0, s_instrument, SequenceRule.None, 2, 2, Capacity: 64),
            new BookSpec(s_v1, s_instrument, SequenceRule.None, 2, 2, Capacity: 64),
        ]);
        var edges = new EdgeStage(1, 2, [2], [0.001, 0.002], thresholdBps: 50);
        var state = new StrategyState(books, edges, null) { UseRecordedTime = true };
        var stage = new FeatureStage(state, FeatureStage.SameInstrumentPairs(books), [0.001, 0.002], new FeatureOptions { NotionalQuote = 1_000 });
        return (state, stage);
    }

    private static TickEvent Snapshot(VenueId venue, long timeNs, (long P, long Q)[] bids, (long P, long Q)[] asks, TickFlags flags = TickFlags.FirstChunk | TickFlags.LastChunk)
    {
        TickEvent e = default;
        e.Kind = TickKind.Snapshot;
        e.Flags = flags;
        e.Venue = venue;
        e.Instrument = s_instrument;
        e.ReceiveTimeNs = timeNs;
        int n = 0;
        foreach (var (p, q) in bids)
        {
            e.Levels[n++] = new BookLevel(new Price(p), new Quantity(q));
        }

        foreach (var (p, q) in asks)
        {
            e.Levels[n++] = new BookLevel(new Price(p), new Quantity(q));
        }

        e.BidCount = (byte)bids.Length;
        e.AskCount = (byte)asks.Length;
        return e;
    }

    [Fact]
    public void Both_directions_get_a_frame_per_touching_message_with_edges_depth_and_staleness_from_the_books()
    {
        (StrategyState state, FeatureStage stage) = Market();
        Assert.Equal(2, stage.Candidates.Length); // buy 0 / sell 1 and buy 1 / sell 0
        var recorded = new Recorded();
        var handler = new FeatureStrategyHandler<RecordingSink>(new StrategyHandler(state), stage, new RecordingSink(recorded));

        // Venue 0: 100.00 / 100.10 with 5.00 + 10.00 on the ask; venue 1: 100.50 / 100.60.
        TickEvent a = Snapshot(s_v0, 1_000_000_000, [(10_000, 500)], [(10_010, 500), (10_020, 1_000)]);
        TickEvent b = Snapshot(s_v1, 3_000_000_000, [(10_050, 2_000)], [(10_060, 2_000)]);
        handler.OnEvent(ref a, 0, endOfBatch: true);
        handler.OnEvent(ref b, 1, endOfBatch: true);

        Assert.Equal(4, recorded.Frames.Count); // the first message touches both candidates, so does the second
        var (candidate, o, frame) = recorded.Frames[2];
        Assert.Equal(0, candidate);
        Assert.Equal(stage.Candidates[0], new FeatureCandidate(0, 1));
        Assert.Equal(3_000_000_000, o.TimeNs);
        Assert.Equal(100.10, o.BuyAsk, 9);
        Assert.Equal(100.50, o.SellBid, 9);
        Assert.Equal((float)EdgeMath.NetBps(100.10, 100.50, 0.001, 0.002), frame[FeatureIndex.NetEdgeBps]);
        Assert.Equal(1f, frame[FeatureIndex.Tradeable]);

        // 1,000 USD at 100.10 is 9.99 units: 5 at 100.10 and 4.99 at 100.20.
        double size = 1_000 / 100.10;
        double vwap = ((5 * 100.10) + ((size - 5) * 100.20)) / size;
        Assert.Equal((vwap - 100.10) / 100.10 * 10_000, o.BuySlippageBps, 9);
        Assert.Equal(15 / size, o.BuyDepthAtSize, 9); // both levels are within 10 bps of 100.10
        Assert.Equal(0, o.SellSlippageBps, 9); // 20 units at the top
        Assert.Equal((float)Math.Log(1 + 2_000), frame[FeatureIndex.BuyStaleness], 3); // venue 0's quote is 2 s old
        Assert.Equal(0f, frame[FeatureIndex.SellStaleness]);
    }

    [Fact]
    public void A_batch_that_ends_inside_a_message_builds_no_frame_until_the_message_ends()
    {
        (StrategyState state, FeatureStage stage) = Market();
        var recorded = new Recorded();
        var handler = new FeatureStrategyHandler<RecordingSink>(new StrategyHandler(state), stage, new RecordingSink(recorded));
        TickEvent a = Snapshot(s_v0, 1, [(10_000, 500)], [(10_010, 500)]);
        handler.OnEvent(ref a, 0, endOfBatch: true);
        int before = recorded.Frames.Count;
        TickEvent first = Snapshot(s_v1, 2, [(10_050, 100)], [], TickFlags.FirstChunk);
        TickEvent last = Snapshot(s_v1, 2, [], [(10_060, 100)], TickFlags.LastChunk);
        handler.OnEvent(ref first, 1, endOfBatch: true);
        Assert.Equal(before, recorded.Frames.Count);
        handler.OnEvent(ref last, 2, endOfBatch: true);
        Assert.Equal(before + 2, recorded.Frames.Count);
        Assert.Equal(100.60, recorded.Frames[^1].Observation.BuyAsk, 9); // candidate 1 buys on venue 1: the whole message's ask
    }

    [Fact]
    public void Building_frames_from_books_allocates_nothing()
    {
        (StrategyState state, FeatureStage stage) = Market();
        var handler = new FeatureStrategyHandler<CountingSink>(new StrategyHandler(state), stage, default);
        TickEvent[] events = new TickEvent[200];
        for (int i = 0; i < events.Length; i++)
        {
            long p = 10_000 + (i % 17);
            events[i] = Snapshot(i % 2 == 0 ? s_v0 : s_v1, i + 1, [(p, 500), (p - 1, 300)], [(p + 10, 500), (p + 12, 100)]);
        }

        for (int i = 0; i < 50; i++)
        {
            handler.OnEvent(ref events[i], i, endOfBatch: true);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 50; i < events.Length; i++)
        {
            handler.OnEvent(ref events[i], i, endOfBatch: true);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(400, handler.Sink.Count);
    }
}
