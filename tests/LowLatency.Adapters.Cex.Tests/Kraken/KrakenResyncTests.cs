using System.Globalization;
using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;

namespace LowLatency.Adapters.Cex.Tests.Kraken;

/// <summary>A checksum failure takes the book out of trading until the next snapshot re-syncs it.</summary>
public sealed class KrakenResyncTests
{
    private const string Pair = "ETH/CHF";

    [Fact]
    public void A_bad_checksum_resyncs_and_the_next_snapshot_makes_the_book_live_again()
    {
        var harness = new KrakenReplayHarness([Pair]);
        var reference = new KrakenReferenceBooks();

        FeedSnapshot(harness, reference, Snapshot("2192.68000", "2192.50000"));
        FeedUpdate(harness, reference, Update("a", "2192.60000", "0.50000000"));
        Assert.Equal(BookStatus.Live, harness.Books.State(0).Status);
        Assert.True(harness.Books.IsTradeable(0));

        FeedUpdate(harness, reference, Update("b", "2192.55000", "1.00000000"), wrongChecksum: 12345);
        Assert.Equal(BookStatus.Resync, harness.Books.State(0).Status);
        Assert.False(harness.Books.IsTradeable(0));
        Assert.True(harness.Books.NeedsSnapshot(0));

        reference = new KrakenReferenceBooks();
        FeedSnapshot(harness, reference, Snapshot("2193.00000", "2192.00000"));
        FeedUpdate(harness, reference, Update("b", "2192.10000", "2.00000000"));

        ref readonly BookSyncState state = ref harness.Books.State(0);
        Assert.Equal(BookStatus.Live, state.Status);
        Assert.True(harness.Books.IsTradeable(0));
        Assert.False(harness.Books.NeedsSnapshot(0));
        Assert.Equal(1, state.Counters.ChecksumFailures);
        Assert.Equal(2, state.Counters.SnapshotsApplied);
        Assert.Equal(2192_100000L, harness.Books.Book(0).BestBid.Price.Raw);
    }

    private static string Snapshot(string ask, string bid) =>
        "[496,{\"as\":[[\"" + ask + "\",\"1.00000000\",\"1618678133.1\"]],\"bs\":[[\"" + bid + "\",\"1.00000000\",\"1618678133.1\"]]},\"book-10\",\"" + Pair + "\"]";

    private static string Update(string side, string price, string volume) =>
        "[496,{\"" + side + "\":[[\"" + price + "\",\"" + volume + "\",\"1618678134.1\"]]},\"book-10\",\"" + Pair + "\"]";

    private static void FeedSnapshot(KrakenReplayHarness harness, KrakenReferenceBooks reference, string frame)
    {
        reference.Apply(frame);
        Assert.Equal(ParseResult.Message, harness.Feed(Encoding.UTF8.GetBytes(frame)));
    }

    /// <summary>Feeds an update carrying the checksum the reference computes, or <paramref name="wrongChecksum"/>.</summary>
    private static void FeedUpdate(KrakenReplayHarness harness, KrakenReferenceBooks reference, string frame, uint? wrongChecksum = null)
    {
        reference.Apply(frame);
        var (bids, asks) = reference.Books[Pair];
        uint value = wrongChecksum ?? KrakenReferenceBooks.Checksum(bids, asks);
        frame = frame.Replace("]]}", "]],\"c\":\"" + value.ToString(CultureInfo.InvariantCulture) + "\"}", StringComparison.Ordinal);
        Assert.Equal(ParseResult.Message, harness.Feed(Encoding.UTF8.GetBytes(frame)));
    }
}
