using LowLatency.Testing;
using System.Globalization;
using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Kraken;

/// <summary>KRAKEN.ws.50.0 (2021, ten pairs on book-1000, a checksum on every update) end to end.</summary>
public sealed class KrakenReplayTests
{
    private static readonly Lazy<CaptureTape> s_tape = new(KrakenReplayHarness.LoadTape);

    [Fact]
    public void Recording_replays_with_every_checksum_verified_and_matches_an_independent_reference()
    {
        CaptureTape tape = s_tape.Value;
        var harness = new KrakenReplayHarness();
        int published = harness.Replay(tape);
        KrakenReferenceBooks reference = BuildReference(tape);

        // The capture is consistent under Kraken's documented algorithm (string-based, independent code)...
        Assert.Equal(4269, reference.ChecksumsChecked);
        Assert.Equal(0, reference.ChecksumMismatches);

        // ...and the engine parsed every book frame (10 snapshots + 4269 updates) and recognised the rest.
        Assert.Equal(ParseError.None, harness.Parser.Counters.TotalRejected == 0 ? ParseError.None : harness.Parser.LastError);
        Assert.Equal(0, tape.MalformedLines);
        Assert.Equal(4279, published);
        Assert.Equal(42, harness.Parser.Events); // systemStatus, 10 subscriptionStatus, 31 heartbeats
        Assert.Equal(0, harness.Parser.VenueErrors);

        VenueIntegrity integrity = harness.Books.Integrity(KrakenReplayHarness.Venue);
        Assert.Equal(0, integrity.Errors);
        Assert.Equal(0, integrity.Resyncs);
        Assert.Equal(10, integrity.Snapshots);

        long deltas = 0;
        foreach (string pair in KrakenReplayHarness.TapeSymbols)
        {
            int index = harness.BookIndex(pair);
            ref readonly BookSyncState state = ref harness.Books.State(index);
            Assert.Equal(BookStatus.Live, state.Status);
            Assert.True(harness.Books.IsTradeable(index));
            Assert.Equal(1000, state.TruncateDepth); // from "book-1000"
            Assert.True(harness.Books.Book(index).BidCount <= 1000 && harness.Books.Book(index).AskCount <= 1000);
            deltas += state.Counters.DeltasApplied;
            AssertSameBook(reference, pair, harness.Books.Book(index));
        }

        Assert.Equal(4269, deltas);
    }

    [Theory]
    [InlineData("KRAKEN.ws.48.0")]
    [InlineData("KRAKEN.ws.49.0")]
    public void Trade_and_ticker_sessions_are_recognised_and_ignored(string file)
    {
        CaptureTape tape = CaptureTape.Load(Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", file));
        var harness = new KrakenReplayHarness();

        Assert.Equal(0, harness.Replay(tape));
        Assert.Equal(0, harness.Parser.Counters.TotalRejected);
        Assert.True(harness.Parser.OtherChannelFrames > 0);
        Assert.True(harness.Parser.Events > 0);
    }

    [Fact]
    public void A_flipped_volume_fails_the_checksum_and_only_that_book_resyncs()
    {
        CaptureTape tape = s_tape.Value;
        int record = FindTopUpdate(tape, "XMR/USD", skip: 20);
        var harness = new KrakenReplayHarness();
        harness.Replay(tape, flipRecord: record);

        AssertOnlyBookResynced(harness, "XMR/USD");
    }

    [Fact]
    public void A_dropped_update_is_caught_by_the_next_checksum()
    {
        CaptureTape tape = s_tape.Value;
        int record = FindTopUpdate(tape, "SC/EUR", skip: 20);
        var harness = new KrakenReplayHarness();
        harness.Replay(tape, dropRecord: record);

        AssertOnlyBookResynced(harness, "SC/EUR");
    }

    [Fact]
    public void A_flipped_snapshot_volume_is_caught_by_the_first_update_checksum()
    {
        CaptureTape tape = s_tape.Value;
        int snapshot = -1;
        for (int i = 0; i < tape.Count && snapshot < 0; i++)
        {
            string text = Encoding.UTF8.GetString(tape.Payload(in tape[i]));
            if (text.Contains("\"as\":", StringComparison.Ordinal) && text.EndsWith("\"ETH/CHF\"]", StringComparison.Ordinal))
            {
                snapshot = i;
            }
        }

        var harness = new KrakenReplayHarness();
        harness.Replay(tape, flipRecord: snapshot, flipKey: "\"bs\":[[\"");

        AssertOnlyBookResynced(harness, "ETH/CHF");
    }

    [Fact]
    public void A_rejected_deep_update_that_no_checksum_can_see_still_resyncs_its_book()
    {
        CaptureTape tape = s_tape.Value;
        int record = FindUpdate(tape, "SC/EUR", skip: 20, minRank: 50);

        // Control: simply losing that update goes unnoticed by the top-10 checksum for the rest of the session...
        var silent = new KrakenReplayHarness();
        silent.Replay(tape, dropRecord: record);
        Assert.Equal(0, silent.Books.Integrity(KrakenReplayHarness.Venue).Errors);

        // ...but when the parser rejects it, the book's next update carries the loss mark and the book resyncs.
        var harness = new KrakenReplayHarness();
        harness.Replay(tape, breakRecord: record);
        Assert.Equal(1, harness.Parser.Counters.Rejected(ParseError.NotANumber));
        Assert.True(harness.Parser.MarkedAfterLoss > 0);
        VenueIntegrity integrity = harness.Books.Integrity(KrakenReplayHarness.Venue);
        Assert.Equal(1, integrity.Gaps);
        Assert.Equal(0, integrity.ChecksumFailures);
        foreach (string pair in KrakenReplayHarness.TapeSymbols)
        {
            int index = harness.BookIndex(pair);
            Assert.Equal(pair == "SC/EUR" ? BookStatus.Resync : BookStatus.Live, harness.Books.State(index).Status);
        }
    }

    [Fact]
    public void Replay_allocates_nothing_after_warm_up()
    {
        CaptureTape tape = s_tape.Value;
        new KrakenReplayHarness().Replay(tape); // JIT and static warm-up
        var harness = new KrakenReplayHarness();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int published = harness.Replay(tape);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(4279, published);
        Assert.Equal(0, allocated);
    }

    private static void AssertOnlyBookResynced(KrakenReplayHarness harness, string corrupted)
    {
        VenueIntegrity integrity = harness.Books.Integrity(KrakenReplayHarness.Venue);
        Assert.Equal(1, integrity.ChecksumFailures);
        Assert.Equal(1, integrity.Resyncs);
        foreach (string pair in KrakenReplayHarness.TapeSymbols)
        {
            int index = harness.BookIndex(pair);
            ref readonly BookSyncState state = ref harness.Books.State(index);
            if (pair == corrupted)
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
    /// The record of the first update of <paramref name="pair"/> (after <paramref name="skip"/>) whose first ask is a
    /// non-zero volume that ends up in the top 10: a change the checksum must see.
    /// </summary>
    private static int FindTopUpdate(CaptureTape tape, string pair, int skip) => FindUpdate(tape, pair, skip, minRank: 0, maxRank: 10, asksOnly: true);

    /// <summary>
    /// The first update of <paramref name="pair"/> (after <paramref name="skip"/>) whose first level (the first ask with
    /// <paramref name="asksOnly"/>) has a non-zero volume and ends up ranked in [<paramref name="minRank"/>,
    /// <paramref name="maxRank"/>) on its side.
    /// </summary>
    private static int FindUpdate(CaptureTape tape, string pair, int skip, int minRank, int maxRank = int.MaxValue, bool asksOnly = false)
    {
        var reference = new KrakenReferenceBooks();
        int seen = 0;
        for (int i = 0; i < tape.Count; i++)
        {
            if (tape[i].Kind != CaptureRecordKind.Received)
            {
                continue;
            }

            string text = Encoding.UTF8.GetString(tape.Payload(in tape[i]));
            if (reference.Apply(text) != pair)
            {
                continue;
            }

            int ask = text.IndexOf("{\"a\":[[\"", StringComparison.Ordinal);
            int bid = asksOnly ? -1 : text.IndexOf("{\"b\":[[\"", StringComparison.Ordinal);
            if ((ask < 0 && bid < 0) || seen++ < skip)
            {
                continue;
            }

            bool isAsk = ask >= 0 && (bid < 0 || ask < bid);
            int at = (isAsk ? ask : bid) + 8;
            decimal price = decimal.Parse(text[at..text.IndexOf('"', at)], CultureInfo.InvariantCulture);
            var side = isAsk ? reference.Books[pair].Asks : reference.Books[pair].Bids;
            int rank = side.Keys.ToList().IndexOf(price);
            if (rank >= minRank && rank < maxRank)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no suitable update in the tape");
    }

    private static KrakenReferenceBooks BuildReference(CaptureTape tape)
    {
        var reference = new KrakenReferenceBooks();
        for (int i = 0; i < tape.Count; i++)
        {
            if (tape[i].Kind == CaptureRecordKind.Received)
            {
                reference.Apply(Encoding.UTF8.GetString(tape.Payload(in tape[i])));
            }
        }

        return reference;
    }

    private static void AssertSameBook(KrakenReferenceBooks reference, string pair, L2Book book)
    {
        var (bids, asks) = reference.Books[pair];
        int decimals = KrakenReplayHarness.PriceDecimalsOf(pair);
        AssertSameSide(bids.Keys.ToList(), bids.Values.Select(v => v.Vol).ToList(), book.Bids, decimals);
        AssertSameSide(asks.Keys.ToList(), asks.Values.Select(v => v.Vol).ToList(), book.Asks, decimals);
    }

    private static void AssertSameSide(List<decimal> prices, List<string> volumes, ReadOnlySpan<BookLevel> levels, int priceDecimals)
    {
        Assert.Equal(prices.Count, levels.Length);
        for (int i = 0; i < prices.Count; i++)
        {
            Assert.Equal(prices[i], levels[i].Price.Raw / (decimal)FixedPoint.Pow10(priceDecimals));
            Assert.Equal(decimal.Parse(volumes[i], CultureInfo.InvariantCulture), levels[i].Quantity.Raw / (decimal)FixedPoint.Pow10(KrakenReplayHarness.VolumeDecimals));
        }
    }
}
