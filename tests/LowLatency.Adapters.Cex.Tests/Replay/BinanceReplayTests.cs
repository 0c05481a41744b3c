using System.Text;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>
/// Replays the shared cryptofeed Binance spot and USD-M futures captures (WebSocket frames merged with their REST
/// depth snapshots by receive time) through parser → slots → OrderBookHandler. The captures have no sequence gaps
/// (checked independently by <see cref="ReferenceBinanceBooks"/>), so every book must go live with zero errors.
/// </summary>
public sealed class BinanceReplayTests
{
    public static TheoryData<bool> Markets => new() { true, false };

    private static (BinanceReplayHarness Harness, CaptureTape Tape) Load(bool spot) =>
        spot ? (BinanceReplayHarness.Spot(), BinanceReplayHarness.LoadSpot()) : (BinanceReplayHarness.Futures(), BinanceReplayHarness.LoadFutures());

    [Theory]
    [MemberData(nameof(Markets))]
    public void Every_book_goes_live_with_zero_sequence_errors(bool spot)
    {
        var (h, tape) = Load(spot);
        Assert.Equal(0, tape.MalformedLines);

        int published = h.Replay(tape);

        Assert.True(published > (spot ? 250 : 1300), $"published {published}");
        Assert.Equal(0, h.Parser.Counters.TotalRejected);
        Assert.True(h.Parser.Counters.Ignored > 0); // aggTrade and kline frames are recognised and skipped
        VenueIntegrity integrity = h.Books.Integrity(BinanceReplayHarness.Venue);
        Assert.Equal(0, integrity.Errors);
        Assert.Equal(0, integrity.Resyncs);
        Assert.Equal(4, integrity.Snapshots);
        foreach (string symbol in h.Symbols)
        {
            int i = h.BookIndex(symbol);
            ref readonly BookSyncState state = ref h.Books.State(i);
            Assert.Equal(BookStatus.Live, state.Status);
            Assert.True(h.Books.IsTradeable(i), symbol);
            Assert.False(h.Books.NeedsSnapshot(i), symbol);
            Assert.True(state.Counters.DeltasApplied >= 1, symbol);
            Assert.Equal(0, state.Counters.Gaps + state.Counters.StaleDropped + state.Counters.Crossed + state.Counters.PendingOverflows);
        }

        Assert.Equal(0, h.Books.UnroutedEvents);
        Assert.Equal(0, h.Books.BrokenChunkSequences);
    }

    [Theory]
    [MemberData(nameof(Markets))]
    public void Final_books_match_an_independent_reference(bool spot)
    {
        var (h, tape) = Load(spot);
        var reference = new ReferenceBinanceBooks(futures: !spot);
        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            h.Feed(tape, in record);
            reference.Feed(tape, in record);
        }

        foreach (string symbol in h.Symbols)
        {
            ReferenceBinanceBooks.Book expected = reference[symbol];
            Assert.False(expected.Gap, $"reference saw a gap in {symbol}: the capture is not gap-free");
            L2Book book = h.Books.Book(h.BookIndex(symbol));
            AssertLevels(expected.Levels(bids: true, BinanceReplayHarness.Decimals, 50), book.Bids, symbol);
            AssertLevels(expected.Levels(bids: false, BinanceReplayHarness.Decimals, 50), book.Asks, symbol);
            Assert.Equal(expected.Bids.Count, book.BidCount);
            Assert.Equal(expected.Asks.Count, book.AskCount);
            Assert.Equal(expected.LastUpdateId, h.Books.State(h.BookIndex(symbol)).LastUpdateId);
        }
    }

    [Theory]
    [MemberData(nameof(Markets))]
    public void A_dropped_diff_is_detected_as_a_gap_in_exactly_that_book(bool spot)
    {
        var tape = spot ? BinanceReplayHarness.LoadSpot() : BinanceReplayHarness.LoadFutures();
        int tested = 0;
        foreach (string symbol in spot ? BinanceReplayHarness.SpotSymbols : BinanceReplayHarness.FuturesSymbols)
        {
            List<int> live = LiveDiffs(tape, symbol);
            if (live.Count < 2)
            {
                continue; // RUNEEUR gets one diff after its snapshot: dropping it leaves nothing to detect with
            }

            int victim = live[live.Count / 2];
            var h = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();
            ReadOnlySpan<CaptureRecord> records = tape.Records;
            for (int i = 0; i < records.Length; i++)
            {
                if (i != victim)
                {
                    h.Feed(tape, in records[i]);
                }
            }

            AssertOnlyThisBookResynced(h, symbol, gaps: 1);
            tested++;
        }

        Assert.True(tested >= 3, $"only {tested} books had enough live diffs");
    }

    [Theory]
    [MemberData(nameof(Markets))]
    public void Two_reordered_diffs_are_detected_as_a_gap(bool spot)
    {
        var tape = spot ? BinanceReplayHarness.LoadSpot() : BinanceReplayHarness.LoadFutures();
        int tested = 0;
        foreach (string symbol in spot ? BinanceReplayHarness.SpotSymbols : BinanceReplayHarness.FuturesSymbols)
        {
            List<int> live = LiveDiffs(tape, symbol);
            if (live.Count < 2)
            {
                continue;
            }

            int a = live[live.Count / 2 - 1];
            int b = live[live.Count / 2];
            var h = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();
            ReadOnlySpan<CaptureRecord> records = tape.Records;
            for (int i = 0; i < records.Length; i++)
            {
                int index = i == a ? b : i == b ? a : i;
                h.Feed(tape, in records[index]);
            }

            AssertOnlyThisBookResynced(h, symbol, gaps: 1);
            tested++;
        }

        Assert.True(tested >= 3, $"only {tested} books had enough live diffs");
    }

    [Theory]
    [MemberData(nameof(Markets))]
    public void A_duplicated_diff_is_a_counted_stale_drop_and_the_book_stays_correct(bool spot)
    {
        var tape = spot ? BinanceReplayHarness.LoadSpot() : BinanceReplayHarness.LoadFutures();
        int tested = 0;
        foreach (string symbol in spot ? BinanceReplayHarness.SpotSymbols : BinanceReplayHarness.FuturesSymbols)
        {
            List<int> live = LiveDiffs(tape, symbol);
            int twice = live[live.Count / 2];
            var h = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();
            var clean = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();
            ReadOnlySpan<CaptureRecord> records = tape.Records;
            for (int i = 0; i < records.Length; i++)
            {
                h.Feed(tape, in records[i]);
                clean.Feed(tape, in records[i]);
                if (i == twice)
                {
                    h.Feed(tape, in records[i]);
                }
            }

            int book = h.BookIndex(symbol);
            Assert.Equal(1, h.Books.State(book).Counters.StaleDropped);
            Assert.Equal(1, h.Books.Integrity(BinanceReplayHarness.Venue).StaleDrops);
            Assert.Equal(BookStatus.Live, h.Books.State(book).Status);
            Assert.True(h.Books.Book(book).Bids.SequenceEqual(clean.Books.Book(book).Bids, LevelComparer.Instance));
            Assert.True(h.Books.Book(book).Asks.SequenceEqual(clean.Books.Book(book).Asks, LevelComparer.Instance));
            tested++;
        }

        Assert.Equal(4, tested);
    }

    [Fact]
    public void A_snapshot_that_is_too_old_for_the_buffered_diffs_is_a_gap()
    {
        // Hold back the NKNUSDT snapshot until after several diffs beyond it have been applied... i.e. make the
        // buffer lose its oldest diffs (tiny pending buffer): the snapshot can no longer be bridged.
        var tape = BinanceReplayHarness.LoadSpot();
        var h = new BinanceReplayHarness(BinanceMarket.Spot, BinanceReplayHarness.SpotSymbols, pendingSlots: 1);
        ReadOnlySpan<CaptureRecord> records = tape.Records;
        int snapshot = IndexOfSnapshot(tape, "NKNUSDT");
        for (int i = 0; i < records.Length; i++)
        {
            if (i != snapshot)
            {
                h.Feed(tape, in records[i]);
            }
        }

        h.Feed(tape, in records[snapshot]); // arrives last: all buffered diffs but the newest were dropped
        int book = h.BookIndex("NKNUSDT");
        Assert.True(h.Books.State(book).Counters.PendingOverflows > 100);
        Assert.Equal(BookStatus.Resync, h.Books.State(book).Status);
        Assert.Equal(1, h.Books.State(book).Counters.Gaps);
        Assert.True(h.Books.NeedsSnapshot(book));
        Assert.False(h.Books.IsTradeable(book));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Replay_from_frame_bytes_to_book_update_allocates_nothing_after_warm_up()
    {
        var spotTape = BinanceReplayHarness.LoadSpot();
        var futuresTape = BinanceReplayHarness.LoadFutures();
        var warmSpot = BinanceReplayHarness.Spot();
        var warmFutures = BinanceReplayHarness.Futures();
        warmSpot.Replay(spotTape);
        warmFutures.Replay(futuresTape);
        var spot = BinanceReplayHarness.Spot();
        var futures = BinanceReplayHarness.Futures();

        // Second warm pass over the same harness types so tiered JIT has settled the hot methods.
        BinanceReplayHarness.Spot().Replay(spotTape);
        BinanceReplayHarness.Futures().Replay(futuresTape);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int published = spot.Replay(spotTape) + futures.Replay(futuresTape);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(published > 1500);
        Assert.Equal(0, spot.Books.Integrity(BinanceReplayHarness.Venue).Errors + futures.Books.Integrity(BinanceReplayHarness.Venue).Errors);
        Assert.Equal(0, allocated);
    }

    /// <summary>Indices of the symbol's depth diffs that arrive after its REST snapshot (applied live).</summary>
    private static List<int> LiveDiffs(CaptureTape tape, string symbol)
    {
        int snapshot = IndexOfSnapshot(tape, symbol);
        byte[] needle = Encoding.UTF8.GetBytes($"\"e\":\"depthUpdate\",\"E\":");
        byte[] sym = Encoding.UTF8.GetBytes($"\"s\":\"{symbol}\"");
        var result = new List<int>();
        for (int i = snapshot + 1; i < tape.Count; i++)
        {
            ref readonly CaptureRecord r = ref tape[i];
            ReadOnlySpan<byte> payload = tape.Payload(r);
            if (r.Kind == CaptureRecordKind.Received && payload.IndexOf(needle) >= 0 && payload.IndexOf(sym) >= 0)
            {
                result.Add(i);
            }
        }

        // The first live diffs may still be older than the snapshot (bootstrap overlap): skip to safely-live ones.
        return result.Count > 4 ? result.GetRange(3, result.Count - 3) : result;
    }

    private static int IndexOfSnapshot(CaptureTape tape, string symbol)
    {
        byte[] query = Encoding.UTF8.GetBytes($"symbol={symbol}&");
        for (int i = 0; i < tape.Count; i++)
        {
            if (tape[i].Kind == CaptureRecordKind.HttpResponse && tape.Url(tape[i]).IndexOf(query) >= 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"no snapshot for {symbol}");
    }

    private static void AssertOnlyThisBookResynced(BinanceReplayHarness h, string symbol, int gaps)
    {
        foreach (string other in h.Symbols)
        {
            int i = h.BookIndex(other);
            if (other == symbol)
            {
                Assert.Equal(BookStatus.Resync, h.Books.State(i).Status);
                Assert.Equal(gaps, h.Books.State(i).Counters.Gaps);
                Assert.False(h.Books.IsTradeable(i));
                Assert.True(h.Books.NeedsSnapshot(i));
            }
            else
            {
                Assert.Equal(BookStatus.Live, h.Books.State(i).Status);
                Assert.Equal(0, h.Books.State(i).Counters.Gaps);
            }
        }

        Assert.Equal(gaps, h.Books.Integrity(BinanceReplayHarness.Venue).Gaps);
        Assert.Equal(1, h.Books.Integrity(BinanceReplayHarness.Venue).Resyncs);
        Span<InstrumentId> requests = stackalloc InstrumentId[8];
        int n = h.Books.CollectSnapshotRequests(BinanceReplayHarness.Venue, requests);
        Assert.Equal(1, n);
        Assert.Equal(h.Books.State(h.BookIndex(symbol)).Instrument, requests[0]);
    }

    private static void AssertLevels(List<(long Price, long Qty)> expected, ReadOnlySpan<BookLevel> actual, string symbol)
    {
        Assert.True(expected.Count > 0, symbol);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i] == (actual[i].Price.Raw, actual[i].Quantity.Raw), $"{symbol} level {i}: expected {expected[i]}, got ({actual[i].Price.Raw}, {actual[i].Quantity.Raw})");
        }
    }

    private sealed class LevelComparer : IEqualityComparer<BookLevel>
    {
        public static readonly LevelComparer Instance = new();

        public bool Equals(BookLevel x, BookLevel y) => x.Price == y.Price && x.Quantity == y.Quantity;

        public int GetHashCode(BookLevel obj) => HashCode.Combine(obj.Price, obj.Quantity);
    }
}
