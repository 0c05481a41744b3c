using LowLatency.Adapters.Paper;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Snapshots;

namespace LowLatency.Adapters.Execution.Tests.Paper;

/// <summary>
/// The depth snapshot the strategy thread publishes for the paper exchange: the top levels of each book, copied whole
/// through a seqlock per book, 0 B to publish and to read, empty while a book is not tradeable, and what a paper order
/// walks when it fills.
/// </summary>
public sealed class DepthSnapshotTests
{
    private static readonly VenueId s_a = new(0);
    private static readonly VenueId s_b = new(1);
    private static readonly InstrumentId s_btc = new(0);

    /// <summary>Two venues, one instrument, 2 price and 4 quantity decimals; books fed through the real handler.</summary>
    private sealed class Feed
    {
        private readonly TickEvent[] _slots = new TickEvent[16];
        private long _sequence;

        public Feed()
        {
            Books = new BookSet([
                new BookSpec(s_a, s_btc, SequenceRule.None, 2, 4, Capacity: 64, PendingSlots: 16),
                new BookSpec(s_b, s_btc, SequenceRule.None, 2, 4, Capacity: 64, PendingSlots: 16)]);
            Handler = Books.CreateHandler();
        }

        public BookSet Books { get; }

        public OrderBookHandler Handler { get; }

        // A snapshot of `levels` levels a side around `mid` (raw units), quantity `qty` + level index.
        public void Snapshot(VenueId venue, long mid, int levels, long qty)
        {
            int total = 2 * levels;
            int chunks = (total + TickEvent.MaxLevels - 1) / TickEvent.MaxLevels;
            for (int c = 0; c < chunks; c++)
            {
                ref TickEvent e = ref _slots[c];
                e = default;
                e.Kind = TickKind.Snapshot;
                e.Venue = venue;
                e.Instrument = s_btc;
                e.FirstUpdateId = _sequence + 1;
                e.LastUpdateId = _sequence + 1;
                e.Flags = (c == 0 ? TickFlags.FirstChunk : 0) | (c == chunks - 1 ? TickFlags.LastChunk : 0);
                int n = 0;
                int bids = 0;
                for (int k = c * TickEvent.MaxLevels; k < Math.Min(total, (c + 1) * TickEvent.MaxLevels); k++)
                {
                    bool bid = k < levels;
                    int level = bid ? k : k - levels;
                    long price = bid ? mid - 1 - level : mid + 1 + level;
                    e.Levels[n++] = new BookLevel(new Price(price), new Quantity(qty + level));
                    bids += bid ? 1 : 0;
                }

                e.BidCount = (byte)bids;
                e.AskCount = (byte)(n - bids);
            }

            for (int c = 0; c < chunks; c++)
            {
                Handler.OnEvent(ref _slots[c], _sequence++, c == chunks - 1);
            }
        }

        // A top-of-book (bookTicker) update, as the simulated venues send.
        public void Top(VenueId venue, long bid, long ask, long qty)
        {
            TickEvent e = default;
            e.Kind = TickKind.Top;
            e.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
            e.Venue = venue;
            e.Instrument = s_btc;
            e.LastUpdateId = ++_sequence;
            e.FirstUpdateId = e.LastUpdateId;
            e.BidCount = 1;
            e.AskCount = 1;
            e.Levels[0] = new BookLevel(new Price(bid), new Quantity(qty));
            e.Levels[1] = new BookLevel(new Price(ask), new Quantity(qty));
            Handler.OnEvent(ref e, _sequence, endOfBatch: true);
        }
    }

    [Fact]
    public void A_top_of_book_stream_leads_the_levels_and_the_depth_behind_it_follows()
    {
        var feed = new Feed();
        var depth = new DepthSnapshotPublisher(feed.Books);

        // Venue b has only a ticker: one level a side.
        feed.Top(s_b, 99_95, 100_05, 3_0000);
        // Venue a has depth (asks 100.01, 100.02, …) and a fresher ticker at its best prices: the ticker's sizes first,
        // then the depth behind it.
        feed.Snapshot(s_a, 100_00, 4, 1_0000);
        feed.Top(s_a, 99_99, 100_01, 7_0000);
        depth.PublishAll(0, 0);

        Assert.True(depth.TryRead(s_b, s_btc, out BookDepth b));
        Assert.Equal((1, 1), (b.BidCount, b.AskCount));
        Assert.Equal(new BookLevel(new Price(100_05), new Quantity(3_0000)), b.Asks[0]);
        Assert.True(depth.TryRead(s_a, s_btc, out BookDepth a));
        Assert.Equal(new[] { 100_01L, 100_02, 100_03, 100_04 }, DepthSnapshotPublisher.Side(ref a, Side.Ask).ToArray().Select(l => l.Price.Raw));
        Assert.Equal(7_0000, a.Asks[0].Quantity.Raw);
        Assert.Equal(7_0000, a.Bids[0].Quantity.Raw);
        Assert.Equal(new[] { 99_99L, 99_98, 99_97, 99_96 }, DepthSnapshotPublisher.Side(ref a, Side.Bid).ToArray().Select(l => l.Price.Raw));
    }

    [Fact]
    public void A_publish_carries_the_top_levels_of_each_side_best_first()
    {
        var feed = new Feed();
        feed.Snapshot(s_a, 10_000_00, levels: 20, qty: 5_000);
        var depth = new DepthSnapshotPublisher(feed.Books, levels: 10);
        depth.PublishAll(1, 2);

        Assert.True(depth.TryRead(s_a, s_btc, out BookDepth d));
        Assert.Equal(10, d.BidCount);
        Assert.Equal(10, d.AskCount);
        ReadOnlySpan<BookLevel> bids = DepthSnapshotPublisher.Side(ref d, Side.Bid);
        ReadOnlySpan<BookLevel> asks = DepthSnapshotPublisher.Side(ref d, Side.Ask);
        for (int k = 0; k < 10; k++)
        {
            Assert.Equal(feed.Books.Book(0).Bids[k], bids[k]);
            Assert.Equal(feed.Books.Book(0).Asks[k], asks[k]);
        }

        Assert.Equal(10_000_00 - 1, bids[0].Price.Raw);
        Assert.Equal(10_000_00 + 1, asks[0].Price.Raw);
        Assert.Equal(2, d.ReceiveTimeNs);

        // Venue b has no snapshot yet: not tradeable, so it publishes nothing to fill against.
        Assert.True(depth.TryRead(s_b, s_btc, out BookDepth empty));
        Assert.Equal(0, empty.BidCount + empty.AskCount);
        Assert.False(depth.TryRead(new VenueId(5), s_btc, out _));
    }

    [Fact]
    public void Only_the_books_a_batch_touched_are_published_again()
    {
        var feed = new Feed();
        var depth = new DepthSnapshotPublisher(feed.Books);
        feed.Snapshot(s_a, 10_000_00, 4, 100);
        feed.Snapshot(s_b, 10_010_00, 4, 100);
        depth.PublishAll(1, 1);
        long versionB = depth.Version(s_b, s_btc);

        feed.Snapshot(s_a, 10_001_00, 4, 200);
        depth.Publish(2, 2);
        Assert.Equal(versionB, depth.Version(s_b, s_btc));
        Assert.True(depth.TryRead(s_a, s_btc, out BookDepth d));
        Assert.Equal(10_001_00 + 1, d.Asks[0].Price.Raw);
        Assert.Equal(200, d.Asks[0].Quantity.Raw);
    }

    [Fact]
    public void Publishing_and_reading_allocate_nothing()
    {
        var feed = new Feed();
        feed.Snapshot(s_a, 10_000_00, 16, 100);
        feed.Snapshot(s_b, 10_010_00, 16, 100);
        var depth = new DepthSnapshotPublisher(feed.Books);
        var books = new DepthSnapshotBooks(depth);
        depth.PublishAll(0, 0);
        _ = books.Levels(s_a, s_btc, Side.Ask);
        _ = books.Levels(s_a, s_btc, Side.Bid);
        _ = books.Levels(s_b, s_btc, Side.Ask);
        _ = books.Levels(s_b, s_btc, Side.Bid);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 10_000; i++)
        {
            depth.PublishAll(i, i);
            depth.Publish(i, i);
            sum += books.Levels(s_a, s_btc, Side.Ask).Length + books.Levels(s_b, s_btc, Side.Bid).Length;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000 * 32, sum);
    }

    [Fact]
    public void A_reader_on_another_thread_only_ever_sees_whole_books()
    {
        // Every publish writes one quantity on every level; a torn copy would mix two of them.
        var feed = new Feed();
        var depth = new DepthSnapshotPublisher(feed.Books);
        feed.Snapshot(s_a, 10_000_00, 8, 1);
        depth.PublishAll(0, 0);
        const int Publishes = 2_000;
        var writer = new Thread(() =>
        {
            for (int i = 2; i <= Publishes; i++)
            {
                feed.Snapshot(s_a, 10_000_00, 8, i * 100);
                depth.Publish(i, i);
            }
        });
        long reads = 0;
        writer.Start();
        while (writer.IsAlive || reads == 0)
        {
            if (depth.TryRead(s_a, s_btc, out BookDepth d))
            {
                reads++;
                long first = d.Bids[0].Quantity.Raw;
                for (int k = 0; k < d.BidCount; k++)
                {
                    Assert.Equal(first + k, d.Bids[k].Quantity.Raw);
                    Assert.Equal(first + k, d.Asks[k].Quantity.Raw);
                }
            }
        }

        writer.Join();
        Assert.True(depth.TryRead(s_a, s_btc, out BookDepth last));
        Assert.Equal(Publishes * 100, last.Bids[0].Quantity.Raw);
    }

    [Fact]
    public void A_paper_market_order_walks_the_published_depth()
    {
        var feed = new Feed();
        feed.Snapshot(s_a, 100_00, 8, 1_0000); // asks 100.01 × 1, 100.02 × 1.0001, …
        var depth = new DepthSnapshotPublisher(feed.Books);
        depth.PublishAll(0, 0);
        var exchange = new PaperExchange([new PaperVenueSpec(s_a, "a", 0.001, 0, 1_000_000)], [new PaperInstrumentSpec(s_btc, "BTC", "USDT", 2, 4)]);
        exchange.SetBalance(s_a, "USDT", 10_000);
        exchange.Submit(new PaperOrderRequest("m", 1, s_a, s_btc, Side.Bid, PaperOrderKind.Market, new Quantity(2_5000), default), 0);
        exchange.Advance(1_000_000, new DepthSnapshotBooks(depth));

        IReadOnlyList<PaperFill> fills = exchange.DrainFills();
        Assert.Equal(3, fills.Count);
        Assert.Equal(new[] { 100.01, 100.02, 100.03 }, fills.Select(f => f.Price));
        Assert.Equal(2.5, fills.Sum(f => f.Quantity), 9);
        Assert.Equal(1.0001, fills[1].Quantity, 9);
    }
}
