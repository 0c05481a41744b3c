using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Bybit;
using LowLatency.Adapters.Cex.Coinbase;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.InBand;

/// <summary>
/// Replays the live Coinbase Advanced Trade and Bybit v5 sessions of 2026-08-09, stored in cryptofeed's JSON-lines
/// layout, through tape → parser → ring → books; then the same sessions with one frame dropped or doubled.
/// </summary>
public sealed class CoinbaseBybitReplayTests : IDisposable
{
    // Edited captures are ~11 MB each: each test deletes its own.
    private readonly List<string> _written = [];

    public void Dispose()
    {
        foreach (string path in _written)
        {
            File.Delete(path);
        }
    }

    private const string CoinbaseFile = "coinbase_advtrade_v3jsonl_BTC-USD_ETH-USD_2026-08-09.jsonl.gz";
    private const string BybitFile = "bybit_v5_v3jsonl_linear_spot_2026-08-09.jsonl.gz";

    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static string[] Lines(string name)
    {
        using var gzip = new GZipStream(File.OpenRead(Capture(name)), CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.UTF8);
        return text.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The capture as plain JSON lines with <paramref name="edit"/> applied to its lines.</summary>
    private string Edited(string name, Func<List<string>, List<string>> edit)
    {
        List<string> lines = edit([.. Lines(name)]);
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-{name.Replace(".gz", "", StringComparison.Ordinal)}");
        _written.Add(path);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private static string Frame(string line) => JsonDocument.Parse(line).RootElement.GetProperty("data").GetString()!;

    private static bool IsRecv(string line) => line.StartsWith("{\"t\":\"recv\"", StringComparison.Ordinal);

    private static ReplayPipeline Replay(string path)
    {
        ReplaySession session = ReplaySession.Load([path]);
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var drained = new Sequence();
        opportunities.AddGatingSequences(drained);
        var pipeline = new ReplayPipeline(session, _ => 0.001, 5, opportunities);
        for (int i = 0; i < session.Tape.Count; i++)
        {
            pipeline.Step(i);
            drained.Value = opportunities.Cursor;
        }

        return pipeline;
    }

    private static int Book(ReplayPipeline pipeline, string venue, string symbol)
    {
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            if (pipeline.VenueNameOf(pipeline.Books.State(b).Venue) == venue && pipeline.SymbolOf(b) == symbol)
            {
                return b;
            }
        }

        throw new InvalidOperationException($"no book {venue} {symbol}");
    }

    private static double Price(ReplayPipeline pipeline, int book, Price price) =>
        price.Raw / (double)FixedPoint.Pow10(pipeline.Session.Instruments[pipeline.Books.State(book).Instrument.Value].PriceDecimals);

    private static void AssertSaneTop(ReplayPipeline pipeline, int book, double expectedMid)
    {
        L2Book l2 = pipeline.Books.Book(book);
        Assert.True(l2.BidCount > 0 && l2.AskCount > 0);
        double bid = Price(pipeline, book, l2.BestBid.Price);
        double ask = Price(pipeline, book, l2.BestAsk.Price);
        Assert.True(bid < ask, $"crossed {bid} / {ask}");
        Assert.True((ask - bid) / ask < 0.002, $"spread {bid} / {ask}");
        Assert.InRange((bid + ask) / 2, expectedMid * 0.995, expectedMid * 1.005);
    }

    private static CoinbaseParser CoinbaseOf(ReplayPipeline pipeline) => Assert.IsType<CoinbaseParser>(pipeline.Session.Venues[0].InBand);

    /// <summary>The last best bid/ask of each product in the capture's own ticker frames, read independently.</summary>
    private static Dictionary<string, double> LastCoinbaseTickerMids()
    {
        var mids = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in Lines(CoinbaseFile))
        {
            if (!IsRecv(line) || !line.Contains("\\\"channel\\\":\\\"ticker\\\"", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument frame = JsonDocument.Parse(Frame(line));
            foreach (JsonElement e in frame.RootElement.GetProperty("events").EnumerateArray())
            {
                foreach (JsonElement t in e.GetProperty("tickers").EnumerateArray())
                {
                    double bid = double.Parse(t.GetProperty("best_bid").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    double ask = double.Parse(t.GetProperty("best_ask").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    mids[t.GetProperty("product_id").GetString()!] = (bid + ask) / 2;
                }
            }
        }

        return mids;
    }

    [Fact]
    public void The_coinbase_advanced_trade_session_replays_to_live_books_whose_tops_match_its_tickers()
    {
        ReplayPipeline pipeline = Replay(Capture(CoinbaseFile));

        ReplayVenue venue = Assert.Single(pipeline.Session.Venues);
        Assert.Equal(CaptureVenue.CoinbaseAdvanced, venue.Kind);
        Assert.Equal(0, venue.Counters.TotalRejected);
        Assert.Equal(775, venue.Counters.Messages); // 2 snapshots + 773 updates
        CoinbaseParser parser = CoinbaseOf(pipeline);
        Assert.Equal(0, parser.SequenceGaps);
        Assert.Equal(0, parser.DuplicateFrames);
        Assert.Equal(1029, parser.LastSequence);
        Assert.True(parser.SnapshotLevelsDropped > 0); // 27,236 asks of BTC-USD do not fit the scratch; the best do
        Assert.Equal(0, pipeline.Books.Integrity(venue.Id).Errors);
        Dictionary<string, double> mids = LastCoinbaseTickerMids();
        foreach (string product in new[] { "BTC-USD", "ETH-USD" })
        {
            int b = Book(pipeline, "coinbase", product);
            Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
            Assert.True(pipeline.Books.IsTradeable(b));
            AssertSaneTop(pipeline, b, mids[product]);
        }
    }

    [Theory]
    [InlineData("l2_data")]    // a book frame of one product
    [InlineData("heartbeats")] // not a book frame at all: sequence_num is one counter across channels
    public void A_frame_dropped_from_a_coinbase_connection_is_a_gap_for_every_book_of_it(string channel)
    {
        string path = Edited(CoinbaseFile, lines =>
        {
            int seen = 0;
            int at = lines.FindIndex(l => IsRecv(l) && l.Contains($"\\\"channel\\\":\\\"{channel}\\\"", StringComparison.Ordinal) && ++seen == 10);
            lines.RemoveAt(at);
            return lines;
        });

        ReplayPipeline pipeline = Replay(path);

        Assert.Equal(1, CoinbaseOf(pipeline).SequenceGaps);
        ReplayVenue venue = pipeline.Session.Venues[0];
        Assert.Equal(2, pipeline.Books.Integrity(venue.Id).Gaps); // both books, each at its next update
        foreach (string product in new[] { "BTC-USD", "ETH-USD" })
        {
            int b = Book(pipeline, "coinbase", product);
            Assert.Equal(BookStatus.Resync, pipeline.Books.State(b).Status); // no snapshot follows in this session
            Assert.False(pipeline.Books.IsTradeable(b));
        }
    }

    [Fact]
    public void A_duplicated_coinbase_frame_is_ignored_and_the_books_stay_live()
    {
        string path = Edited(CoinbaseFile, lines =>
        {
            int at = lines.FindIndex(l => IsRecv(l) && l.Contains("\\\"type\\\":\\\"update\\\",\\\"product_id\\\":\\\"ETH-USD\\\"", StringComparison.Ordinal));
            lines.Insert(at + 1, lines[at]);
            return lines;
        });

        ReplayPipeline pipeline = Replay(path);

        Assert.Equal(1, CoinbaseOf(pipeline).DuplicateFrames);
        Assert.Equal(0, CoinbaseOf(pipeline).SequenceGaps);
        Assert.Equal(0, pipeline.Books.Integrity(pipeline.Session.Venues[0].Id).Errors);
        Assert.Equal(BookStatus.Live, pipeline.Books.State(Book(pipeline, "coinbase", "ETH-USD")).Status);
    }

    [Fact]
    public void The_bybit_v5_session_replays_spot_and_linear_as_two_venues_with_live_sane_books()
    {
        ReplayPipeline pipeline = Replay(Capture(BybitFile));

        Assert.Equal(2, pipeline.Session.Venues.Count);
        Assert.Contains(pipeline.Session.Venues, v => v.Kind == CaptureVenue.BybitLinear && v.Name == "bybit-linear");
        Assert.Contains(pipeline.Session.Venues, v => v.Kind == CaptureVenue.BybitSpot && v.Name == "bybit");
        Assert.Equal(6, pipeline.Books.Count); // linear BTC, ETH, SOL, DOGE; spot BTC, ETH
        foreach (ReplayVenue venue in pipeline.Session.Venues)
        {
            Assert.IsType<BybitParser>(venue.InBand);
            Assert.Equal(0, venue.Counters.TotalRejected);
            Assert.Equal(0, pipeline.Books.Integrity(venue.Id).Errors);
        }

        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
            Assert.True(pipeline.Books.State(b).Counters.DeltasApplied > 200);
        }

        // Spot and perpetual of one coin trade within a fraction of a percent of each other.
        foreach (string symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            int spot = Book(pipeline, "bybit", symbol);
            int perp = Book(pipeline, "bybit-linear", symbol);
            L2Book s = pipeline.Books.Book(spot);
            double spotMid = (Price(pipeline, spot, s.BestBid.Price) + Price(pipeline, spot, s.BestAsk.Price)) / 2;
            AssertSaneTop(pipeline, spot, spotMid);
            AssertSaneTop(pipeline, perp, spotMid);
        }
    }

    [Fact]
    public void A_bybit_delta_dropped_from_the_tape_resyncs_exactly_that_book()
    {
        string path = Edited(BybitFile, lines =>
        {
            int seen = 0;
            int at = lines.FindIndex(l => IsRecv(l) && l.Contains("\"conn\":\"BYBIT.ws.2\"", StringComparison.Ordinal)
                && l.Contains("orderbook.200.ETHUSDT", StringComparison.Ordinal) && l.Contains("\\\"type\\\":\\\"delta\\\"", StringComparison.Ordinal) && ++seen == 50);
            lines.RemoveAt(at);
            return lines;
        });

        ReplayPipeline pipeline = Replay(path);

        int broken = Book(pipeline, "bybit-linear", "ETHUSDT");
        Assert.Equal(BookStatus.Resync, pipeline.Books.State(broken).Status);
        Assert.Equal(1, pipeline.Books.State(broken).Counters.Gaps);
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            if (b != broken)
            {
                Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
            }
        }
    }

    [Fact]
    public void A_duplicated_bybit_delta_is_dropped_as_stale_and_the_book_stays_live()
    {
        string path = Edited(BybitFile, lines =>
        {
            int at = lines.FindIndex(l => IsRecv(l) && l.Contains("orderbook.200.BTCUSDT", StringComparison.Ordinal) && l.Contains("\\\"type\\\":\\\"delta\\\"", StringComparison.Ordinal));
            lines.Insert(at + 1, lines[at]);
            return lines;
        });

        ReplayPipeline pipeline = Replay(path);

        int b = Book(pipeline, "bybit-linear", "BTCUSDT");
        Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
        Assert.Equal(1, pipeline.Books.State(b).Counters.StaleDropped);
    }

    [Fact]
    public void Zero_bytes_allocated_per_frame_replaying_both_sessions_after_warm_up()
    {
        ReplaySession session = ReplaySession.Load([Capture(CoinbaseFile), Capture(BybitFile)]);
        var opportunities = new RingBuffer<Opportunity>(1 << 12, ProducerType.Single, WaitStrategyKind.Yielding);
        var drained = new Sequence();
        opportunities.AddGatingSequences(drained);
        var pipeline = new ReplayPipeline(session, _ => 0.001, 5, opportunities);
        int records = session.Tape.Count;

        // Each pass is a new connection (Coinbase's counter restarts) into restarted books, so every path runs again.
        void Pass()
        {
            pipeline.Books.Restart();
            for (int v = 0; v < session.Venues.Count; v++) // an interface foreach would box its enumerator
            {
                (session.Venues[v].InBand as CoinbaseParser)?.OnNewConnection();
            }

            for (int i = 0; i < records; i++)
            {
                pipeline.Step(i);
                drained.Value = opportunities.Cursor;
            }
        }

        for (int pass = 0; pass < 3; pass++)
        {
            Pass();
        }

        long messagesBefore = pipeline.Published;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Pass();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(0, allocated);
        Assert.Equal(775 + 1598 + 550, pipeline.Published - messagesBefore); // the whole of both sessions, every pass
        for (int b = 0; b < pipeline.Books.Count; b++)
        {
            Assert.Equal(BookStatus.Live, pipeline.Books.State(b).Status);
        }
    }
}
