using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Strategy;

/// <summary>
/// The strategy handler evaluates edges only at batch ends that fall between messages: a batch that ends inside a
/// multi-slot message (a multi-producer ring shows a contiguous published prefix, which may stop mid-message) must not
/// read the half-applied book.
/// </summary>
public sealed class StrategyHandlerTests
{
    private static readonly InstrumentId s_instrument = new(0);
    private static readonly VenueId s_v0 = new(0);
    private static readonly VenueId s_v1 = new(1);

    /// <summary>Two venues, one instrument, prices at 2 decimals, no fees, 50 bps threshold; opportunities into a ring.</summary>
    private sealed class Market
    {
        public Market()
        {
            Books = new BookSet([
                new BookSpec(s_v0, s_instrument, SequenceRule.None, 2, 0, Capacity: 64),
                new BookSpec(s_v1, s_instrument, SequenceRule.None, 2, 0, Capacity: 64),
            ]);
            Edges = new EdgeStage(1, 2, [2], [0.0, 0.0], thresholdBps: 50);
            Opportunities = new RingBuffer<Opportunity>(16, ProducerType.Single, WaitStrategyKind.Yielding);
            State = new StrategyState(Books, Edges, Opportunities) { UseRecordedTime = true };
            Handler = new StrategyHandler(State);
        }

        public BookSet Books { get; }

        public EdgeStage Edges { get; }

        public RingBuffer<Opportunity> Opportunities { get; }

        public StrategyState State { get; }

        public StrategyHandler Handler { get; }

        /// <summary>Opportunities published so far (the ring has no consumer, so nothing is overwritten below 16).</summary>
        public List<Opportunity> Published()
        {
            var list = new List<Opportunity>();
            for (long s = 0; s <= Opportunities.Cursor; s++)
            {
                list.Add(Opportunities[s]);
            }

            return list;
        }
    }

    private static TickEvent Chunk(VenueId venue, TickKind kind, TickFlags flags, (long P, long Q)[] bids, (long P, long Q)[] asks)
    {
        TickEvent e = default;
        e.Kind = kind;
        e.Flags = flags;
        e.Venue = venue;
        e.Instrument = s_instrument;
        e.ReceiveTimeNs = 1;
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

    private const TickFlags Whole = TickFlags.FirstChunk | TickFlags.LastChunk;

    /// <summary>Both venues at 99.90 / 100.00: no edge.</summary>
    private static TickEvent[] Opening() =>
    [
        Chunk(s_v0, TickKind.Snapshot, Whole, [(9_990, 1)], [(10_000, 1)]),
        Chunk(s_v1, TickKind.Snapshot, Whole, [(9_990, 1)], [(10_000, 1)]),
    ];

    /// <summary>
    /// Venue 0 moves up to 101.00 / 101.10 (one slot); venue 1 moves its bid to 99.95 and its ask up to 101.05 in a
    /// two-slot message, bids first as every adapter lays them out. After both, no edge. After only venue 1's first
    /// slot, venue 1 would show 99.95 / 100.00 — a top it never had — and a false 100 bps edge (buy venue 1 at 100.00,
    /// sell venue 0 at 101.00).
    /// </summary>
    private static TickEvent[] MoveUp() =>
    [
        Chunk(s_v0, TickKind.Delta, Whole, [(9_990, 0), (10_100, 1)], [(10_000, 0), (10_110, 1)]),
        Chunk(s_v1, TickKind.Delta, TickFlags.FirstChunk, [(9_990, 0), (9_995, 1)], []),
        Chunk(s_v1, TickKind.Delta, TickFlags.LastChunk, [], [(10_000, 0), (10_105, 1)]),
    ];

    private static int PairSlot(int buy, int sell) => (buy * 2) + sell;

    private static void AssertNoEdgeAfterTheWholeMessage(Market market)
    {
        Assert.Empty(market.Published());
        Assert.Equal(0, market.State.Opportunities);

        // Buy venue 1 at its new ask 101.05, sell venue 0 at 101.00: the edge the whole message leaves.
        Assert.Equal(EdgeMath.NetBps(101.05, 101.00, 0, 0), market.Edges.NetBps[PairSlot(buy: 1, sell: 0)], 9);
    }

    [Fact]
    public void A_batch_that_ends_inside_a_message_is_evaluated_when_the_message_ends()
    {
        var market = new Market();
        StrategyHandler handler = market.Handler;
        TickEvent[] opening = Opening();
        TickEvent[] move = MoveUp();
        long seq = 0;
        handler.OnEvent(ref opening[0], seq++, endOfBatch: false);
        handler.OnEvent(ref opening[1], seq++, endOfBatch: true);
        Assert.Equal(1, market.State.Batches);

        // The consumer saw venue 0's move and the first slot of venue 1's: the batch ends inside venue 1's message.
        handler.OnEvent(ref move[0], seq++, endOfBatch: false);
        handler.OnEvent(ref move[1], seq++, endOfBatch: true);
        Assert.Equal(1, market.State.Batches);
        Assert.Empty(market.Published());

        handler.OnEvent(ref move[2], seq++, endOfBatch: true);
        Assert.Equal(2, market.State.Batches);
        AssertNoEdgeAfterTheWholeMessage(market);
    }

    [Fact]
    public void A_multi_producer_ring_that_shows_part_of_a_message_does_not_evaluate_it()
    {
        var market = new Market();
        var ring = new RingBuffer<TickEvent>(16, ProducerType.Multi, WaitStrategyKind.Yielding);
        var processor = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), market.Handler);
        ring.AddGatingSequences(processor.Sequence);

        foreach (TickEvent e in Opening())
        {
            Assert.True(ring.TryPublish(e));
        }

        Assert.Equal(2, processor.Poll());
        Assert.Equal(1, market.State.Batches);

        // Venue 1's producer claims two slots and has published only the first when the consumer looks.
        TickEvent[] move = MoveUp();
        Assert.True(ring.TryPublish(move[0]));
        Assert.True(ring.TryNext(2, out long lo, out long hi));
        ring[lo] = move[1];
        ring[hi] = move[2];
        ring.Publish(lo);
        Assert.Equal(2, processor.Poll());
        Assert.Equal(1, market.State.Batches);
        Assert.Empty(market.Published());

        ring.Publish(hi);
        Assert.Equal(1, processor.Poll());
        Assert.Equal(2, market.State.Batches);
        AssertNoEdgeAfterTheWholeMessage(market);
    }

    [Fact]
    public void A_batch_ending_on_a_stray_chunk_is_still_evaluated()
    {
        // A middle chunk with no open message is a producer bug the book handler drops and counts; it must not hold
        // back the evaluation of the complete messages before it.
        var market = new Market();
        StrategyHandler handler = market.Handler;
        TickEvent[] opening = Opening();
        TickEvent stray = Chunk(s_v1, TickKind.Delta, TickFlags.None, [(9_995, 1)], []);
        handler.OnEvent(ref opening[0], 0, endOfBatch: false);
        handler.OnEvent(ref opening[1], 1, endOfBatch: false);
        handler.OnEvent(ref stray, 2, endOfBatch: true);

        Assert.Equal(1, market.State.Batches);
        Assert.Equal(1, market.Books.BrokenChunkSequences);
        Assert.Equal(EdgeMath.NetBps(100.00, 99.90, 0, 0), market.Edges.NetBps[PairSlot(buy: 0, sell: 1)], 9);
    }
}
