using System.Globalization;
using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Okx;

/// <summary>Today's format (seqId/prevSeqId): OKX's sequencing rules end to end through the handler.</summary>
public sealed class OkxSequenceTests
{
    private const string Symbol = "BTC-USDT";

    [Fact]
    public void In_sequence_updates_and_heartbeats_apply()
    {
        var h = new OkxReplayHarness([Symbol]);
        Feed(h, Frame("snapshot", 100, -1, bids: """[["100","1","0","1"]]""", asks: """[["101","1","0","1"]]"""));
        Feed(h, Frame("update", 101, 100, bids: """[["100","2","0","1"]]""", asks: "[]"));
        Feed(h, Frame("update", 101, 101, bids: "[]", asks: "[]")); // heartbeat: seqId == prevSeqId
        Feed(h, Frame("update", 102, 101, bids: "[]", asks: """[["101","0","0","0"],["102","5","0","1"]]"""));

        ref readonly BookSyncState state = ref h.Books.State(0);
        Assert.Equal(BookStatus.Live, state.Status);
        Assert.Equal(102, state.LastUpdateId);
        Assert.Equal(3, state.Counters.DeltasApplied);
        Assert.Equal(200000000L, h.Books.Book(0).BestBid.Quantity.Raw);
        Assert.Equal(10200000000L, h.Books.Book(0).BestAsk.Price.Raw);
        Assert.Equal(0, h.Books.Integrity(OkxReplayHarness.Venue).Errors);
    }

    [Fact]
    public void A_gap_resyncs_and_the_next_snapshot_recovers_without_replaying_older_updates()
    {
        var h = new OkxReplayHarness([Symbol]);
        Feed(h, Frame("snapshot", 100, -1, bids: """[["100","1","0","1"]]""", asks: """[["101","1","0","1"]]"""));
        Feed(h, Frame("update", 106, 105, bids: """[["99","1","0","1"]]""", asks: "[]")); // 101..105 missing

        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.State(0).Counters.Gaps);
        Assert.False(h.Books.IsTradeable(0));

        Feed(h, Frame("update", 107, 106, bids: """[["98","1","0","1"]]""", asks: "[]")); // still before the re-sync
        Feed(h, Frame("snapshot", 200, -1, bids: """[["90","1","0","1"]]""", asks: """[["95","1","0","1"]]"""));
        Feed(h, Frame("update", 201, 200, bids: """[["91","1","0","1"]]""", asks: "[]"));

        ref readonly BookSyncState state = ref h.Books.State(0);
        Assert.Equal(BookStatus.Live, state.Status);
        Assert.Equal(201, state.LastUpdateId);
        Assert.Equal(1, state.Counters.Gaps); // the older buffered updates were dropped, not counted as new gaps
        Assert.Equal(2, h.Books.Book(0).BidCount); // 91 and 90 only: 99 and 98 belonged to the old sequence
        Assert.Equal(9100000000L, h.Books.Book(0).BestBid.Price.Raw);
    }

    [Fact]
    public void A_sequence_reset_going_backwards_resyncs()
    {
        var h = new OkxReplayHarness([Symbol]);
        Feed(h, Frame("snapshot", 100, -1, bids: """[["100","1","0","1"]]""", asks: """[["101","1","0","1"]]"""));
        Feed(h, Frame("update", 3, 100, bids: """[["100","3","0","1"]]""", asks: "[]"));

        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.Integrity(OkxReplayHarness.Venue).Gaps);
    }

    [Fact]
    public void A_duplicate_update_while_live_is_a_gap_not_silently_dropped()
    {
        var h = new OkxReplayHarness([Symbol]);
        Feed(h, Frame("snapshot", 100, -1, bids: """[["100","1","0","1"]]""", asks: """[["101","1","0","1"]]"""));
        Feed(h, Frame("update", 101, 100, bids: """[["100","2","0","1"]]""", asks: "[]"));
        Feed(h, Frame("update", 101, 100, bids: """[["100","2","0","1"]]""", asks: "[]"));

        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
    }

    [Fact]
    public void An_update_that_crosses_the_book_resyncs_it()
    {
        var h = new OkxReplayHarness([Symbol]);
        Feed(h, Frame("snapshot", 100, -1, bids: """[["100","1","0","1"]]""", asks: """[["101","1","0","1"]]"""));
        Feed(h, Frame("update", 101, 100, bids: """[["102","1","0","1"]]""", asks: "[]"));

        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.Integrity(OkxReplayHarness.Venue).CrossedBooks);
        Assert.False(h.Books.IsTradeable(0));
    }

    [Fact]
    public void Checksums_are_verified_alongside_sequence_ids()
    {
        var h = new OkxReplayHarness([Symbol]);
        var reference = new OkxReferenceBooks();
        string snapshot = Frame("snapshot", 100, -1, bids: """[["100","1","0","1"],["99.5","0.25","0","1"]]""", asks: """[["101","1","0","1"]]""");
        Feed(h, WithChecksum(reference, snapshot));
        Feed(h, WithChecksum(reference, Frame("update", 101, 100, bids: """[["99.5","0","0","0"]]""", asks: """[["100.5","3.1","0","1"]]""")));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
        Assert.Equal(0, h.Books.State(0).Counters.ChecksumFailures);

        string wrong = Frame("update", 102, 101, bids: """[["100","7","0","1"]]""", asks: "[]").Replace("\"ts\"", "\"checksum\":12345,\"ts\"", StringComparison.Ordinal);
        Feed(h, wrong);
        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.State(0).Counters.ChecksumFailures);
    }

    private static void Feed(OkxReplayHarness h, string frame) =>
        Assert.Equal(ParseResult.Message, h.Feed(Encoding.UTF8.GetBytes(frame)));

    private static string Frame(string action, long seqId, long prevSeqId, string bids, string asks) =>
        "{\"arg\":{\"channel\":\"books\",\"instId\":\"" + Symbol + "\"},\"action\":\"" + action + "\",\"data\":[{\"asks\":" + asks
        + ",\"bids\":" + bids + ",\"ts\":\"1700000000000\",\"seqId\":" + seqId.ToString(CultureInfo.InvariantCulture)
        + ",\"prevSeqId\":" + prevSeqId.ToString(CultureInfo.InvariantCulture) + "}]}";

    /// <summary>Adds the checksum the reference computes for the book after this frame.</summary>
    private static string WithChecksum(OkxReferenceBooks reference, string frame)
    {
        reference.Apply(frame);
        var (bids, asks) = reference.Books[Symbol];
        int checksum = OkxReferenceBooks.Checksum(bids, asks);
        return frame.Replace("\"ts\"", "\"checksum\":" + checksum.ToString(CultureInfo.InvariantCulture) + ",\"ts\"", StringComparison.Ordinal);
    }
}
