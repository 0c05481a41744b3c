using System.Globalization;
using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Okx;

/// <summary>OKX.ws.1.0 (2022, BTC-USD-220527 / UNI-USD-SWAP / BTC-USDT books with checksums) end to end.</summary>
public sealed class OkxReplayTests
{
    private static readonly Lazy<CaptureTape> s_tape = new(OkxReplayHarness.LoadTape);

    [Fact]
    public void Recording_replays_with_every_checksum_verified_and_matches_an_independent_reference()
    {
        CaptureTape tape = s_tape.Value;
        var harness = new OkxReplayHarness();
        int published = harness.Replay(tape);
        OkxReferenceBooks reference = BuildReference(tape);

        // The capture itself is consistent under OKX's documented algorithm (string-based, independent code)...
        Assert.Equal(290, reference.ChecksumsChecked);
        Assert.Equal(0, reference.ChecksumMismatches);

        // ...and the engine parsed every books frame and recognised the rest.
        Assert.Equal(290, published);
        Assert.Equal(290, harness.Parser.Counters.Messages);
        Assert.Equal(0, harness.Parser.Counters.TotalRejected);
        Assert.Equal(18, harness.Parser.Events);
        Assert.True(harness.Parser.OtherChannelFrames > 0); // tickers and trades
        Assert.Equal(0, harness.Parser.NonCanonicalNumbers);

        VenueIntegrity integrity = harness.Books.Integrity(OkxReplayHarness.Venue);
        Assert.Equal(0, integrity.Errors);
        Assert.Equal(0, integrity.Resyncs);
        Assert.Equal(3, integrity.Snapshots);

        long deltas = 0;
        foreach (string symbol in OkxReplayHarness.TapeSymbols)
        {
            int index = harness.BookIndex(symbol);
            ref readonly BookSyncState state = ref harness.Books.State(index);
            Assert.Equal(BookStatus.Live, state.Status);
            Assert.True(harness.Books.IsTradeable(index));
            Assert.Equal(0, state.Counters.ChecksumFailures);
            deltas += state.Counters.DeltasApplied;
            AssertSameBook(reference, symbol, harness.Books.Book(index), depth: 400);
        }

        Assert.Equal(287, deltas);
    }

    [Fact]
    public void A_flipped_size_fails_the_checksum_and_only_that_book_resyncs()
    {
        CaptureTape tape = s_tape.Value;
        int record = FindTopUpdate(tape, "BTC-USDT", skip: 10, out _);
        var harness = new OkxReplayHarness();
        harness.Replay(tape, flipRecord: record);

        AssertOnlyBookResynced(harness, "BTC-USDT");
    }

    [Fact]
    public void A_dropped_update_is_caught_by_the_next_checksum()
    {
        CaptureTape tape = s_tape.Value;
        int record = FindTopUpdate(tape, "UNI-USD-SWAP", skip: 5, out _);
        var harness = new OkxReplayHarness();
        harness.Replay(tape, dropRecord: record);

        AssertOnlyBookResynced(harness, "UNI-USD-SWAP");
    }

    [Fact]
    public void A_flipped_snapshot_size_fails_the_snapshot_checksum()
    {
        CaptureTape tape = s_tape.Value;
        int snapshot = -1;
        for (int i = 0; i < tape.Count && snapshot < 0; i++)
        {
            string text = Encoding.UTF8.GetString(tape.Payload(in tape[i]));
            if (text.Contains("\"instId\":\"BTC-USD-220527\"},\"action\":\"snapshot\"", StringComparison.Ordinal))
            {
                snapshot = i;
            }
        }

        var harness = new OkxReplayHarness();
        harness.Replay(tape, flipRecord: snapshot, flipSide: "bids");

        AssertOnlyBookResynced(harness, "BTC-USD-220527");
    }

    [Fact]
    public void A_rejected_update_marks_the_next_ones_and_the_book_resyncs_even_without_sequence_ids()
    {
        CaptureTape tape = s_tape.Value;
        int record = FindUpdate(tape, "BTC-USDT", skip: 10, minRank: 0, out _);
        var harness = new OkxReplayHarness();
        harness.Replay(tape, breakRecord: record);

        Assert.Equal(1, harness.Parser.Counters.Rejected(ParseError.NotANumber));
        Assert.True(harness.Parser.MarkedAfterLoss > 0);
        VenueIntegrity integrity = harness.Books.Integrity(OkxReplayHarness.Venue);
        Assert.Equal(1, integrity.Gaps);
        foreach (string symbol in OkxReplayHarness.TapeSymbols)
        {
            int index = harness.BookIndex(symbol);
            Assert.Equal(symbol == "BTC-USDT" ? BookStatus.Resync : BookStatus.Live, harness.Books.State(index).Status);
        }
    }

    [Fact]
    public void Replay_allocates_nothing_after_warm_up()
    {
        CaptureTape tape = s_tape.Value;
        new OkxReplayHarness().Replay(tape); // JIT and static warm-up
        var harness = new OkxReplayHarness();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int published = harness.Replay(tape);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(290, published);
        Assert.Equal(0, allocated);
    }

    private static void AssertOnlyBookResynced(OkxReplayHarness harness, string corrupted)
    {
        VenueIntegrity integrity = harness.Books.Integrity(OkxReplayHarness.Venue);
        Assert.Equal(1, integrity.ChecksumFailures);
        Assert.Equal(1, integrity.Resyncs);
        foreach (string symbol in OkxReplayHarness.TapeSymbols)
        {
            int index = harness.BookIndex(symbol);
            ref readonly BookSyncState state = ref harness.Books.State(index);
            if (symbol == corrupted)
            {
                Assert.Equal(BookStatus.Resync, state.Status);
                Assert.Equal(1, state.Counters.ChecksumFailures);
                Assert.False(harness.Books.IsTradeable(index));
                Assert.True(harness.Books.NeedsSnapshot(index));
            }
            else
            {
                Assert.Equal(BookStatus.Live, state.Status);
                Assert.Equal(0, state.Counters.ChecksumFailures);
            }
        }
    }

    /// <summary>
    /// The record index of the first update for <paramref name="symbol"/> (after <paramref name="skip"/> of them) whose
    /// first ask is a non-zero size that ends up in the top 25: a change the checksum must see.
    /// </summary>
    internal static int FindTopUpdate(CaptureTape tape, string symbol, int skip, out string frame) =>
        FindUpdate(tape, symbol, skip, minRank: 0, out frame, maxRank: 25);

    /// <summary>The first update of <paramref name="symbol"/> (after <paramref name="skip"/>) whose first ask is a level
    /// ranked in [<paramref name="minRank"/>, <paramref name="maxRank"/>) after it applies.</summary>
    internal static int FindUpdate(CaptureTape tape, string symbol, int skip, int minRank, out string frame, int maxRank = int.MaxValue)
    {
        var reference = new OkxReferenceBooks();
        int seen = 0;
        for (int i = 0; i < tape.Count; i++)
        {
            if (tape[i].Kind != CaptureRecordKind.Received)
            {
                continue;
            }

            string text = Encoding.UTF8.GetString(tape.Payload(in tape[i]));
            if (reference.Apply(text) != symbol || !text.Contains("\"action\":\"update\"", StringComparison.Ordinal))
            {
                continue;
            }

            int at = text.IndexOf("\"asks\":[[\"", StringComparison.Ordinal);
            if (at < 0 || seen++ < skip)
            {
                continue;
            }

            string px = text[(at + 10)..text.IndexOf('"', at + 10)];
            decimal price = decimal.Parse(px, CultureInfo.InvariantCulture);
            int rank = reference.Books[symbol].Asks.Keys.ToList().IndexOf(price);
            if (rank >= minRank && rank < maxRank)
            {
                frame = text;
                return i;
            }
        }

        throw new InvalidOperationException("no suitable update in the tape");
    }

    internal static OkxReferenceBooks BuildReference(CaptureTape tape)
    {
        var reference = new OkxReferenceBooks();
        for (int i = 0; i < tape.Count; i++)
        {
            if (tape[i].Kind == CaptureRecordKind.Received)
            {
                reference.Apply(Encoding.UTF8.GetString(tape.Payload(in tape[i])));
            }
        }

        return reference;
    }

    private static void AssertSameBook(OkxReferenceBooks reference, string symbol, L2Book book, int depth)
    {
        var (bids, asks) = reference.Books[symbol];
        AssertSameSide(bids.Keys.Take(depth).ToList(), bids.Values.Take(depth).Select(v => v.Sz).ToList(), book.Bids);
        AssertSameSide(asks.Keys.Take(depth).ToList(), asks.Values.Take(depth).Select(v => v.Sz).ToList(), book.Asks);
    }

    private static void AssertSameSide(List<decimal> prices, List<string> sizes, ReadOnlySpan<BookLevel> levels)
    {
        Assert.Equal(prices.Count, Math.Min(levels.Length, prices.Count));
        Assert.True(levels.Length >= prices.Count);
        for (int i = 0; i < prices.Count; i++)
        {
            Assert.Equal(prices[i], ToDecimal(levels[i].Price.Raw));
            Assert.Equal(decimal.Parse(sizes[i], CultureInfo.InvariantCulture), ToDecimal(levels[i].Quantity.Raw));
        }
    }

    private static decimal ToDecimal(long raw) => raw / (decimal)FixedPoint.Pow10(OkxReplayHarness.Decimals);
}
