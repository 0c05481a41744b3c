using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book;

public sealed class OrderBookHandlerTests
{
    private static readonly (long, long)[] None = [];

    [Fact]
    public void Spot_diffs_before_the_snapshot_are_buffered_then_bridged()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        Assert.True(b.Books.NeedsSnapshot(0));
        b.Delta(90, 99, [(100, 1)], None);      // entirely before the snapshot: dropped on sync
        b.Delta(100, 103, [(101, 2)], None);    // bridges 100 (= lastUpdateId + 1)
        b.Delta(104, 104, None, [(104, 5)]);
        Assert.Equal(BookStatus.AwaitingSnapshot, b.State.Status);
        Assert.Equal(0, b.Book.BidCount);

        b.Snapshot(99, [(100, 3), (99, 4)], [(105, 1)]);

        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.False(b.Books.NeedsSnapshot(0));
        Assert.Equal(104, b.State.LastUpdateId);
        Assert.Equal(101, b.Book.BestBid.Price.Raw);
        Assert.Equal(104, b.Book.BestAsk.Price.Raw);
        Assert.Equal(1, b.State.Counters.PreSnapshotDropped);
        Assert.Equal(2, b.State.Counters.DeltasApplied);
        Assert.Equal(0, b.Integrity.Errors);
        Assert.True(b.Books.IsTradeable(0));
    }

    [Fact]
    public void Spot_first_diff_not_bridging_the_snapshot_is_a_gap()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Snapshot(99, [(100, 3)], [(105, 1)]);
        b.Delta(101, 102, [(101, 1)], None); // 100 missing
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.Gaps);
        Assert.Equal(100, b.Book.BestBid.Price.Raw); // the gap message was not applied
        Assert.True(b.Books.NeedsSnapshot(0));
        Assert.False(b.Books.IsTradeable(0));
    }

    [Fact]
    public void Spot_live_rules_gap_duplicate_and_out_of_order()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Snapshot(10, [(100, 1)], [(110, 1)]);
        b.Delta(11, 12, [(101, 1)], None);
        b.Delta(11, 12, [(102, 1)], None); // duplicate
        b.Delta(5, 8, [(103, 1)], None);   // old
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(2, b.Integrity.StaleDrops);
        Assert.Equal(101, b.Book.BestBid.Price.Raw);

        b.Delta(14, 15, [(104, 1)], None); // 13 missing
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.Gaps);
        Assert.Equal(1, b.Integrity.Resyncs);

        // Later diffs are buffered; a fresh snapshot bridged by them makes the book live again.
        b.Delta(16, 17, [(105, 1)], None);
        Assert.Equal(BookStatus.Resync, b.State.Status);
        b.Snapshot(15, [(104, 2)], [(110, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(17, b.State.LastUpdateId);
        Assert.Equal(105, b.Book.BestBid.Price.Raw);
        Assert.Equal(1, b.Integrity.Resyncs);
    }

    [Fact]
    public void Futures_rules_use_pu_and_bridge_on_U_le_id_le_u()
    {
        var b = new BookEvents(SequenceRule.BinanceFutures);
        b.Delta(50, 60, [(99, 1)], None, prev: 49);     // u < lastUpdateId: dropped
        b.Delta(61, 75, [(100, 2)], None, prev: 60);    // U <= 70 <= u: first applied
        b.Delta(80, 90, [(101, 3)], None, prev: 75);    // pu == previous u
        b.Snapshot(70, [(98, 1)], [(120, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(90, b.State.LastUpdateId);
        Assert.Equal(101, b.Book.BestBid.Price.Raw);

        b.Delta(80, 90, [(102, 3)], None, prev: 75);    // duplicate
        Assert.Equal(1, b.Integrity.StaleDrops);
        b.Delta(95, 99, [(103, 1)], None, prev: 91);    // pu != 90
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.Gaps);
    }

    [Fact]
    public void Futures_diff_without_pu_while_live_is_a_gap()
    {
        var b = new BookEvents(SequenceRule.BinanceFutures);
        b.Snapshot(70, [(98, 1)], [(120, 1)]);
        b.Delta(61, 75, [(100, 2)], None, prev: 60);
        b.Delta(76, 80, [(101, 2)], None);
        Assert.Equal(BookStatus.Resync, b.State.Status);
    }

    [Theory]
    [InlineData(SequenceRule.BinanceSpot)]
    [InlineData(SequenceRule.BinanceFutures)]
    public void Binance_a_live_book_marked_lost_resyncs_and_the_next_snapshot_heals_it(SequenceRule rule)
    {
        // The live client's mark (an id-less update flagged AfterLostMessage): the book's feed moved without a bridge.
        var b = new BookEvents(rule);
        b.Delta(11, 12, [(101, 1)], None, prev: 10); // buffered, then bridges the REST snapshot
        b.Snapshot(10, [(100, 1)], [(110, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        b.Lost();
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.True(b.Books.NeedsSnapshot(0));
        b.Lost(); // resyncing already: not one more gap, and not kept to be replayed after the snapshot
        Assert.Equal(1, b.Integrity.Gaps);

        b.Snapshot(20, [(102, 1)], [(110, 1)]);
        b.Delta(21, 22, [(103, 1)], None, prev: 20);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.False(b.Books.NeedsSnapshot(0));
        Assert.Equal(103, b.Book.BestBid.Price.Raw);
        Assert.Equal(1, b.Integrity.Gaps);

        // A snapshot no diff has bridged yet: the diffs that would have are gone with the feed.
        b.Snapshot(30, [(104, 1)], [(110, 1)]);
        b.Lost();
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(2, b.Integrity.Gaps);
    }

    [Fact]
    public void A_crossed_book_after_a_diff_resyncs_and_is_not_tradeable()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Snapshot(10, [(100, 1)], [(110, 1)]);
        b.Delta(11, 11, [(111, 1)], None);
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.CrossedBooks);
        Assert.False(b.Books.IsTradeable(0));
        Assert.True(b.Books.NeedsSnapshot(0));
    }

    [Fact]
    public void Multi_chunk_snapshot_and_delta_apply_every_level()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        var bids = new (long, long)[40];
        var asks = new (long, long)[25];
        for (int i = 0; i < bids.Length; i++)
        {
            bids[i] = (1000 - i, i + 1);
        }

        for (int i = 0; i < asks.Length; i++)
        {
            asks[i] = (2000 + i, i + 1);
        }

        Assert.Equal(5, b.Send(TickKind.Snapshot, 5, 5, 0, bids, asks));
        Assert.Equal(40, b.Book.BidCount);
        Assert.Equal(25, b.Book.AskCount);
        var deletes = new (long, long)[20];
        for (int i = 0; i < deletes.Length; i++)
        {
            deletes[i] = (1000 - i, 0);
        }

        Assert.Equal(2, b.Send(TickKind.Delta, 6, 6, 0, deletes, None));
        Assert.Equal(20, b.Book.BidCount);
        Assert.Equal(980, b.Book.BestBid.Price.Raw);
    }

    [Fact]
    public void Pending_overflow_drops_the_oldest_and_the_bridge_check_catches_it()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot, pendingSlots: 2);
        b.Delta(11, 11, [(101, 1)], None);
        b.Delta(12, 12, [(102, 1)], None);
        b.Delta(13, 13, [(103, 1)], None); // pushes out 11
        Assert.Equal(1, b.Integrity.PendingOverflows);
        b.Snapshot(10, [(100, 1)], [(110, 1)]); // needs 11 to bridge
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.Gaps);

        // A newer snapshot is bridged by what is still buffered.
        b.Snapshot(11, [(100, 1)], [(110, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(13, b.State.LastUpdateId);
        Assert.Equal(103, b.Book.BestBid.Price.Raw);
    }

    [Fact]
    public void A_message_larger_than_the_pending_buffer_is_discarded_whole()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot, pendingSlots: 1);
        var bids = new (long, long)[20];
        for (int i = 0; i < bids.Length; i++)
        {
            bids[i] = (100 - i, 1);
        }

        b.Send(TickKind.Delta, 11, 11, 0, bids, None); // 2 chunks, 1 slot of buffer
        Assert.Equal(1, b.Integrity.PendingOverflows);
        b.Snapshot(10, [(50, 1)], [(110, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(50, b.Book.BestBid.Price.Raw); // nothing torn was applied
        Assert.Equal(10, b.State.LastUpdateId);
    }

    [Fact]
    public void Tops_drop_stale_duplicate_and_crossed_updates()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Top(5, 100, 101);
        b.Top(5, 99, 102);  // duplicate id
        b.Top(4, 98, 103);  // older
        b.Top(6, 105, 104); // crossed
        b.Top(7, 100, 102);
        ref readonly TopOfBook top = ref b.Books.Top(0);
        Assert.True(top.IsSet);
        Assert.Equal(7, top.LastUpdateId);
        Assert.Equal(102, top.Ask.Price.Raw);
        Assert.Equal(2, b.State.Counters.TopsApplied);
        Assert.Equal(3, b.State.Counters.TopsDropped);
        Assert.Equal(2, b.Integrity.StaleDrops);
        Assert.Equal(1, b.Integrity.CrossedBooks);
    }

    [Fact]
    public void Touched_lists_cover_the_last_batch_only()
    {
        var books = new BookSet(
        [
            new BookSpec(new VenueId(1), new InstrumentId(1), SequenceRule.None, 0, 0),
            new BookSpec(new VenueId(2), new InstrumentId(1), SequenceRule.None, 0, 0),
            new BookSpec(new VenueId(1), new InstrumentId(4), SequenceRule.None, 0, 0),
        ]);
        OrderBookHandler handler = books.CreateHandler();
        TickEvent a = Delta(new VenueId(1), new InstrumentId(1));
        TickEvent b = Delta(new VenueId(2), new InstrumentId(1));
        TickEvent c = Delta(new VenueId(1), new InstrumentId(4));
        handler.OnEvent(ref a, 0, false);
        handler.OnEvent(ref b, 1, true);
        Assert.Equal([0, 1], books.TouchedBooks.ToArray());
        Assert.Equal([new InstrumentId(1)], books.TouchedInstruments.ToArray());
        Assert.True(books.IsTouched(new InstrumentId(1)));

        handler.OnEvent(ref c, 2, true);
        Assert.Equal([2], books.TouchedBooks.ToArray());
        Assert.False(books.IsTouched(new InstrumentId(1)));
        Assert.True(books.IsTouched(new InstrumentId(4)));
    }

    [Fact]
    public void Unrouted_events_and_broken_chunk_framing_are_counted_not_applied()
    {
        var b = new BookEvents(SequenceRule.None);
        TickEvent unknown = Delta(new VenueId(9), new InstrumentId(1));
        b.Raw(ref unknown, true);
        Assert.Equal(1, b.Books.UnroutedEvents);

        TickEvent middle = Delta(BookEvents.Venue, BookEvents.Instrument);
        middle.Flags = TickFlags.None; // a chunk with no first chunk before it
        b.Raw(ref middle, true);
        Assert.Equal(1, b.Books.BrokenChunkSequences);
        Assert.Equal(0, b.Book.BidCount);

        TickEvent first = Delta(BookEvents.Venue, BookEvents.Instrument);
        first.Flags = TickFlags.FirstChunk; // never finished ...
        b.Raw(ref first, false);
        TickEvent next = Delta(BookEvents.Venue, BookEvents.Instrument); // ... a new message starts
        b.Raw(ref next, true);
        Assert.Equal(2, b.Books.BrokenChunkSequences);
        Assert.Equal(BookStatus.Resync, b.State.Status);
    }

    [Fact]
    public void Handler_allocates_nothing_per_event()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        (long, long)[] bid = [(100, 1)];
        (long, long)[] ask = [(110, 1)];
        b.Snapshot(10, bid, ask);
        for (long i = 11; i < 100; i++)
        {
            b.Delta(i, i, bid, ask);
            b.Top(i, 100, 110);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long i = 100; i < 5000; i++)
        {
            b.Delta(i, i, bid, ask);
            b.Top(i, 100, 110);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, b.Integrity.Errors);
    }

    [Fact]
    public void BookSet_rejects_duplicate_books()
    {
        Assert.Throws<ArgumentException>(() => new BookSet(
        [
            new BookSpec(new VenueId(1), new InstrumentId(1), SequenceRule.None, 0, 0),
            new BookSpec(new VenueId(1), new InstrumentId(1), SequenceRule.BinanceSpot, 0, 0),
        ]));
        Assert.Equal(-1, new BookSet([new BookSpec(new VenueId(1), new InstrumentId(1), SequenceRule.None, 0, 0)]).IndexOf(new VenueId(200), new InstrumentId(60000)));
    }

    private static TickEvent Delta(VenueId venue, InstrumentId instrument)
    {
        TickEvent e = default;
        e.Kind = TickKind.Delta;
        e.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        e.Venue = venue;
        e.Instrument = instrument;
        e.BidCount = 1;
        e.Levels[0] = new BookLevel(new Price(100), new Quantity(1));
        return e;
    }
}
