using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book;

/// <summary>
/// A REST snapshot older than what its book already applied (a slow or repeated fetch) is ignored and counted, at
/// start and mid-session: it never rolls a book back and never throws a healthy book into resync.
/// </summary>
public sealed class StaleSnapshotTests
{
    private static readonly (long, long)[] None = [];

    [Theory]
    [InlineData(SequenceRule.BinanceSpot)]
    [InlineData(SequenceRule.BinanceFutures)]
    public void An_older_snapshot_arriving_on_a_live_book_is_ignored_and_counted(SequenceRule rule)
    {
        var b = new BookEvents(rule);
        b.Snapshot(100, [(50, 1)], [(60, 1)]);
        b.Delta(99, 105, [(52, 2)], None, prev: 98); // bridges 100 under both rules
        b.Delta(106, 110, [(53, 3)], None, prev: 105);
        Assert.Equal(BookStatus.Live, b.State.Status);

        b.Snapshot(90, [(40, 9)], [(70, 9)]); // fetched before the book's last update: would roll it back

        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.True(b.Books.IsTradeable(0));
        Assert.Equal(110, b.State.LastUpdateId);
        Assert.Equal(53, b.Book.BestBid.Price.Raw);
        Assert.Equal(3, b.Book.BidCount);
        Assert.Equal(1, b.State.Counters.StaleSnapshots);
        Assert.Equal(1, b.Integrity.StaleSnapshots);
        Assert.Equal(1, b.Integrity.Snapshots);
        Assert.Equal(0, b.Integrity.Errors);

        // The stream goes on as if the stale snapshot had never come.
        b.Delta(111, 112, [(54, 1)], None, prev: 110);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(54, b.Book.BestBid.Price.Raw);
        Assert.Equal(0, b.Integrity.Gaps + b.Integrity.Resyncs);
    }

    [Theory]
    [InlineData(SequenceRule.BinanceSpot)]
    [InlineData(SequenceRule.BinanceFutures)]
    public void At_start_a_later_older_snapshot_does_not_replace_the_bridged_one(SequenceRule rule)
    {
        var b = new BookEvents(rule);
        b.Delta(95, 101, [(51, 1)], None, prev: 94); // buffered, bridges the snapshot below
        b.Snapshot(100, [(50, 1)], [(60, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(101, b.State.LastUpdateId);

        b.Snapshot(80, [(45, 1)], [(65, 1)]); // a second, older fetch that arrived later

        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(51, b.Book.BestBid.Price.Raw);
        Assert.Equal(1, b.Integrity.StaleSnapshots);
        Assert.Equal(1, b.State.Counters.SnapshotsApplied);
    }

    [Fact]
    public void An_older_snapshot_spanning_several_slots_is_skipped_whole()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Snapshot(100, [(50, 1)], [(60, 1)]);
        b.Delta(101, 101, [(51, 1)], None);
        var bids = new (long, long)[40];
        for (int i = 0; i < bids.Length; i++)
        {
            bids[i] = (49 - i, 1);
        }

        Assert.Equal(3, b.Send(TickKind.Snapshot, 99, 99, 0, bids, [(61, 1)]));

        Assert.Equal(2, b.Book.BidCount);
        Assert.Equal(51, b.Book.BestBid.Price.Raw);
        Assert.Equal(1, b.Integrity.StaleSnapshots);
        Assert.Equal(0, b.Books.BrokenChunkSequences);
        b.Delta(102, 102, [(52, 1)], None); // framing is intact after the skipped chunks
        Assert.Equal(52, b.Book.BestBid.Price.Raw);
    }

    [Fact]
    public void A_book_in_resync_ignores_an_older_snapshot_and_takes_a_newer_one()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Snapshot(10, [(100, 1)], [(110, 1)]);
        b.Delta(11, 12, [(101, 1)], None);
        b.Delta(14, 15, [(102, 1)], None); // 13 missing: resync, message buffered
        Assert.Equal(BookStatus.Resync, b.State.Status);

        b.Snapshot(11, [(99, 1)], [(110, 1)]); // older than the applied 12
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.StaleSnapshots);
        Assert.True(b.Books.NeedsSnapshot(0));

        b.Snapshot(14, [(100, 2)], [(110, 1)]); // bridged by the buffered 14..15
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(15, b.State.LastUpdateId);
        Assert.Equal(102, b.Book.BestBid.Price.Raw);
    }

    [Fact]
    public void Futures_snapshot_at_the_books_own_update_id_keeps_a_healthy_book_live()
    {
        var b = new BookEvents(SequenceRule.BinanceFutures);
        b.Snapshot(100, [(50, 1)], [(60, 1)]);
        b.Delta(99, 105, [(52, 2)], None, prev: 98);

        b.Snapshot(105, [(50, 1), (52, 2)], [(60, 1)]); // not older: applied

        b.Delta(107, 109, [(53, 1)], None, prev: 105); // U > id, but pu continues the snapshot exactly
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(109, b.State.LastUpdateId);
        Assert.Equal(53, b.Book.BestBid.Price.Raw);
        Assert.Equal(0, b.Integrity.StaleSnapshots + b.Integrity.Gaps);
        Assert.Equal(2, b.Integrity.Snapshots);
    }

    [Fact]
    public void Futures_first_diff_after_a_snapshot_that_neither_spans_nor_continues_it_is_a_gap()
    {
        var b = new BookEvents(SequenceRule.BinanceFutures);
        b.Snapshot(100, [(50, 1)], [(60, 1)]);
        b.Delta(107, 109, [(53, 1)], None, prev: 104);
        Assert.Equal(BookStatus.Resync, b.State.Status);
        Assert.Equal(1, b.Integrity.Gaps);
    }

    [Fact]
    public void Spot_snapshot_at_the_books_own_update_id_is_bridged_by_the_next_diff()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        b.Snapshot(100, [(50, 1)], [(60, 1)]);
        b.Delta(101, 105, [(52, 2)], None);
        b.Snapshot(105, [(50, 1), (52, 2)], [(60, 1)]);
        b.Delta(106, 108, [(53, 1)], None);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(108, b.State.LastUpdateId);
        Assert.Equal(0, b.Integrity.StaleSnapshots + b.Integrity.Gaps);
    }

    [Fact]
    public void Okx_in_band_snapshot_with_a_lower_seq_id_still_resets_the_book()
    {
        // OKX restarts seqIds after maintenance: the snapshot that follows is the truth, whatever its id.
        var b = new BookEvents(SequenceRule.Okx);
        b.Snapshot(1000, [(50, 1)], [(60, 1)]);
        b.Delta(1001, 1001, [(51, 1)], None, prev: 1000);
        Assert.Equal(BookStatus.Live, b.State.Status);

        b.Snapshot(5, [(40, 1)], [(45, 1)]);

        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(5, b.State.LastUpdateId);
        Assert.Equal(40, b.Book.BestBid.Price.Raw);
        Assert.Equal(0, b.Integrity.StaleSnapshots);
        Assert.Equal(2, b.Integrity.Snapshots);
    }

    [Fact]
    public void Kraken_snapshots_always_reset_the_book()
    {
        var b = new BookEvents(SequenceRule.Kraken);
        long format = KrakenBookRules.PackFormat(10, 0, 0);
        b.Snapshot(format, [(50, 1)], [(60, 1)]);
        b.Snapshot(format, [(40, 1)], [(45, 1)]);
        Assert.Equal(BookStatus.Live, b.State.Status);
        Assert.Equal(40, b.Book.BestBid.Price.Raw);
        Assert.Equal(0, b.Integrity.StaleSnapshots);
    }

    [Fact]
    public void After_a_restart_the_same_session_replays_as_if_new()
    {
        var b = new BookEvents(SequenceRule.BinanceSpot);
        for (int pass = 0; pass < 2; pass++)
        {
            b.Snapshot(100, [(50, 1)], [(60, 1)]);
            b.Delta(101, 102, [(51, 1)], None);
            b.Top(7, 51, 60);
            Assert.Equal(BookStatus.Live, b.State.Status);
            Assert.Equal(102, b.State.LastUpdateId);
            Assert.Equal(51, b.Book.BestBid.Price.Raw);
            Assert.Equal(0, b.Integrity.StaleSnapshots + b.Integrity.StaleDrops + b.Integrity.Errors);
            Assert.Equal(pass + 1, b.Integrity.Snapshots); // counters add up over the passes

            b.Books.Restart();
            Assert.Equal(BookStatus.AwaitingSnapshot, b.State.Status);
            Assert.Equal(0, b.Book.BidCount);
            Assert.False(b.Books.Top(0).IsSet);
            Assert.True(b.Books.NeedsSnapshot(0));
            Assert.False(b.Books.IsTradeable(0));
            Assert.Equal([0], b.Books.TouchedBooks.ToArray()); // the edge stage is told at the next batch's end
        }
    }
}
