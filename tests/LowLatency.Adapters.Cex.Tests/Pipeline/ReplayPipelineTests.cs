using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Pipeline;

/// <summary>The whole hot path (frame bytes → parser → ring → books → edges → opportunity ring) over recorded captures.</summary>
public sealed class ReplayPipelineTests
{
    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static string[] AllCaptures() =>
    [
        Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0"),
        Capture("BINANCE_FUTURES.ws.1.0"), Capture("BINANCE_FUTURES.http.0.0"),
        Capture("OKX.ws.1.0"), Capture("KRAKEN.ws.50.0"),
    ];

    /// <summary>
    /// The Binance spot session seen through a second connection: the same real frames, with the hosts rewritten to
    /// Binance.US (same wire format). Two venues now quote the same instruments, so edges and opportunities exist.
    /// </summary>
    private static string[] TwoVenueCaptures()
    {
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var paths = new List<string> { Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0") };
        foreach (string name in new[] { "BINANCE.ws.1.0", "BINANCE.http.0.0" })
        {
            string text = File.ReadAllText(Capture(name))
                .Replace("stream.binance.com", "stream.binance.us", StringComparison.Ordinal)
                .Replace("api.binance.com", "api.binance.us", StringComparison.Ordinal);
            string path = Path.Combine(folder, "US_" + name);
            File.WriteAllText(path, text);
            paths.Add(path);
        }

        return [.. paths];
    }

    private static (ReplayPipeline Pipeline, RingBuffer<Opportunity> Opportunities, Sequence Drained) NewPipeline(string[] files, double thresholdBps)
    {
        ReplaySession session = ReplaySession.Load(files);
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var drained = new Sequence();
        opportunities.AddGatingSequences(drained);
        return (new ReplayPipeline(session, _ => 0.001, thresholdBps, opportunities), opportunities, drained);
    }

    [Fact]
    public void Every_book_of_every_capture_goes_live_with_no_integrity_error()
    {
        (ReplayPipeline pipeline, RingBuffer<Opportunity> opportunities, Sequence drained) = NewPipeline(AllCaptures(), thresholdBps: 5);
        for (int i = 0; i < pipeline.Session.Tape.Count; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        Assert.Equal(4, pipeline.Session.Venues.Count);
        Assert.Equal(21, pipeline.Books.Count); // 4 spot + 4 futures + 3 OKX + 10 Kraken
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            ref readonly BookSyncState state = ref pipeline.Books.State(b);
            Assert.True(state.Status == BookStatus.Live, $"{pipeline.VenueNameOf(state.Venue)} {pipeline.SymbolOf(b)} is {state.Status}");
            Assert.True(pipeline.Books.IsTradeable(b));
            Assert.True(pipeline.Books.Book(b).BidCount > 0 && pipeline.Books.Book(b).AskCount > 0);
        }

        foreach (ReplayVenue venue in pipeline.Session.Venues)
        {
            VenueIntegrity integrity = pipeline.Books.Integrity(venue.Id);
            Assert.Equal(0, integrity.Errors);
            Assert.Equal(0, integrity.Resyncs);
            Assert.Equal(0, venue.Counters.TotalRejected);
        }

        Assert.Equal(0, pipeline.Rejected);
        Assert.Equal(0, pipeline.Books.UnroutedEvents);
        Assert.Equal(0, pipeline.Books.BrokenChunkSequences);
    }

    [Fact]
    public void Zero_bytes_allocated_per_tick_from_frame_bytes_to_published_opportunity()
    {
        (ReplayPipeline pipeline, RingBuffer<Opportunity> opportunities, Sequence drained) = NewPipeline(TwoVenueCaptures(), thresholdBps: -10_000);
        int records = pipeline.Session.Tape.Count;

        // Warm-up: every path (snapshots, diffs, tickers, edges, publishing) runs and is jitted. Each pass restarts the
        // books: replayed again into books that already applied it, the tape is all stale data (older snapshots are
        // ignored, old diffs dropped) and would exercise none of the paths measured here.
        for (int pass = 0; pass < 3; pass++)
        {
            pipeline.Books.Restart();
            for (int i = 0; i < records; i++)
            {
                pipeline.Step(i);
                drained.Value = opportunities.Cursor;
            }
        }

        long opportunitiesBefore = pipeline.Strategy.Opportunities;
        long eventsBefore = pipeline.Strategy.Events;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        pipeline.Books.Restart();
        for (int i = 0; i < records; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(0, allocated);
        Assert.True(pipeline.Strategy.Events - eventsBefore > 1_000, "the measured pass carried the whole tape through the ring");
        long published = pipeline.Strategy.Opportunities - opportunitiesBefore;
        Assert.True(published >= 20, $"and published opportunities ({published})");
        Assert.Equal(0, pipeline.Strategy.OpportunitiesDropped);
        Assert.Equal(0, pipeline.Books.Integrity(pipeline.Session.Venues[0].Id).StaleSnapshots); // every pass started afresh
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            Assert.True(pipeline.Books.IsTradeable(b), pipeline.SymbolOf(b));
        }
    }

    [Fact]
    public void Two_connections_to_the_same_market_agree_and_show_no_net_edge()
    {
        (ReplayPipeline pipeline, RingBuffer<Opportunity> opportunities, Sequence drained) = NewPipeline(TwoVenueCaptures(), thresholdBps: 0);
        for (int i = 0; i < pipeline.Session.Tape.Count; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        Assert.Equal(2, pipeline.Session.Venues.Count);
        Assert.Equal(0, pipeline.Strategy.Opportunities); // identical books: buying one ask to sell the same bid never pays
        BookSet books = pipeline.Books;
        for (int b = 0; b < books.Count; b++)
        {
            ref readonly BookSyncState state = ref books.State(b);
            int twin = books.IndexOf(new VenueId((byte)(1 - state.Venue.Value)), state.Instrument);
            Assert.True(twin >= 0);
            Assert.Equal(books.Book(b).Bids.ToArray(), books.Book(twin).Bids.ToArray());
            Assert.Equal(books.Book(b).Asks.ToArray(), books.Book(twin).Asks.ToArray());
        }
    }

    [Fact]
    public void Replaying_the_same_tape_gives_the_same_books_and_opportunities()
    {
        string[] files = TwoVenueCaptures();
        var runs = new List<(string Books, long Opportunities)>();
        for (int run = 0; run < 2; run++)
        {
            (ReplayPipeline pipeline, RingBuffer<Opportunity> opportunities, Sequence drained) = NewPipeline(files, thresholdBps: -50);
            for (int i = 0; i < pipeline.Session.Tape.Count; i++)
            {
                pipeline.Step(i);
                drained.Value = opportunities.Cursor;
            }

            var text = new StringBuilder();
            for (int b = 0; b < pipeline.Books.Count; b++)
            {
                foreach (BookLevel level in pipeline.Books.Book(b).Bids)
                {
                    text.Append(level.Price.Raw).Append(':').Append(level.Quantity.Raw).Append(',');
                }

                text.Append('|');
            }

            runs.Add((text.ToString(), pipeline.Strategy.Opportunities));
        }

        Assert.Equal(runs[0].Books, runs[1].Books);
        Assert.Equal(runs[0].Opportunities, runs[1].Opportunities);
        Assert.True(runs[0].Opportunities > 0);
    }

    [Fact]
    public void A_file_from_an_unknown_venue_is_a_clear_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-unknown-{Guid.NewGuid():N}.0");
        File.WriteAllText(path, "wss://example.invalid/ws <-> 1633998511.1\n1633998512.0: {\"a\":1}\n");
        var error = Assert.Throws<InvalidDataException>(() => ReplaySession.Load([path]));
        Assert.Contains("cannot tell the venue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Instruments_are_shared_across_venues_by_canonical_name()
    {
        Assert.Equal("BTCUSDT", ReplaySession.Canonical(CaptureVenue.Okx, "BTC-USDT"));
        Assert.Equal("BTCUSD", ReplaySession.Canonical(CaptureVenue.Kraken, "XBT/USD"));
        Assert.Equal("KSMBTC", ReplaySession.Canonical(CaptureVenue.Kraken, "KSM/XBT"));
        Assert.Equal("BTCUSDT", ReplaySession.Canonical(CaptureVenue.BinanceSpot, "BTCUSDT"));
        Assert.Equal("SUSHIUSDT-PERP", ReplaySession.Canonical(CaptureVenue.BinanceFutures, "SUSHIUSDT"));
    }

    [Fact]
    public void A_kraken_update_that_cannot_be_parsed_resyncs_its_book_and_only_its_book()
    {
        string[] lines = File.ReadAllLines(Capture("KRAKEN.ws.50.0"));
        int update = Array.FindIndex(lines, l => char.IsAsciiDigit(l[0]) && l.Contains("\"b\":[[\"", StringComparison.Ordinal)
            && l.Contains("XMR/USD", StringComparison.Ordinal) && !l.Contains("\"bs\"", StringComparison.Ordinal));
        Assert.True(update > 0);
        lines[update] = lines[update].Replace("\"b\":[[\"", "\"b\":[[\"-", StringComparison.Ordinal); // a negative price
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-KRAKEN.ws.50.0");
        File.WriteAllLines(path, lines);

        (ReplayPipeline pipeline, RingBuffer<Opportunity> opportunities, Sequence drained) = NewPipeline([path], thresholdBps: 5);
        for (int i = 0; i < pipeline.Session.Tape.Count; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        Assert.Equal(1, pipeline.Rejected);
        VenueIntegrity integrity = pipeline.Books.Integrity(pipeline.Session.Venues[0].Id);
        Assert.Equal(1, integrity.Gaps);
        int xmr = -1;
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            if (pipeline.SymbolOf(b) == "XMR/USD")
            {
                xmr = b;
            }
            else
            {
                Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
            }
        }

        Assert.Equal(BookStatus.Resync, pipeline.Books.State(xmr).Status);
        Assert.False(pipeline.Books.IsTradeable(xmr));
    }
}
