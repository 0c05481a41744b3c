using System.IO.Compression;
using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>
/// Loading captures as a hostile user would hand them over: bad bytes inside strings, venues the engine does not read,
/// captures without book frames, more symbols than the engine holds, damaged files. Each one is a value (a clear
/// message naming the file and the venue, or a counted drop), never an exception.
/// </summary>
public sealed class ReplaySessionLoadTests
{
    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static string TempFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string TempFile(string name, string text) => TempFile(name, Encoding.UTF8.GetBytes(text));

    private static byte[] ReplaceFirst(byte[] text, string find, byte[] replacement)
    {
        byte[] needle = Encoding.ASCII.GetBytes(find);
        int at = text.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, $"'{find}' not in the capture");
        return [.. text[..at], .. replacement, .. text[(at + needle.Length)..]];
    }

    private static ReplayPipeline ReplayAll(ReplaySession session)
    {
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

    private static string Fail(params string[] paths)
    {
        Assert.False(ReplaySession.TryLoad(paths, out ReplaySession? session, out string? error));
        Assert.Null(session);
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        return error;
    }

    [Fact]
    public void Invalid_utf8_in_a_symbol_is_a_counted_drop_not_a_crash()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.ws.1.0"));
        byte[] bad = ReplaceFirst(text, "\"s\":\"NKNUSDT\"", [.. "\"s\":\"NKN"u8, 0xFF, .. "USDT\""u8]);
        string path = TempFile("BINANCE.ws.1.0", bad);

        ReplaySession session = ReplaySession.Load([path, Capture("BINANCE.http.0.0")]);
        ReplayPipeline pipeline = ReplayAll(session);

        Assert.Equal(4, session.Books.Count);
        Assert.Equal(1, session.Venues[0].Counters.Rejected(ParseError.UnknownSymbol));
        Assert.Equal(1, pipeline.Rejected);
    }

    [Theory]
    [InlineData("\"b\":[[\"0.35", "\"b\":[[\"0.\u00ff35")]   // inside a price
    [InlineData("\"e\":\"depthUpdate\"", "\"e\":\"depth\u00ffUpdate\"")] // inside the event type
    [InlineData("\"stream\":\"nknusdt", "\"stream\":\"\u00ffnknusdt")]    // inside the stream name
    public void Invalid_utf8_in_any_string_field_does_not_crash_the_scan(string find, string replacement)
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.ws.1.0"));
        // \u00ff stands for the raw byte 0xFF (never valid UTF-8 on its own).
        byte[] bytes = [.. replacement.Select(c => c == '\u00ff' ? (byte)0xFF : (byte)c)];
        string path = TempFile("BINANCE.ws.1.0", ReplaceFirst(text, find, bytes));

        Assert.True(ReplaySession.TryLoad([path, Capture("BINANCE.http.0.0")], out ReplaySession? session, out string? error), error);
        ReplayAll(session);
        Assert.Equal(4, session.Books.Count);
    }

    [Theory]
    [InlineData("{\"arg\":1,\"data\":[]}")]
    [InlineData("{\"arg\":{\"instId\":7},\"data\":[]}")]
    [InlineData("{\"arg\":{\"instId\":\"\"},\"data\":[]}")]
    [InlineData("[1,2,3,4]")]
    [InlineData("\"text\"")]
    public void Okx_frames_of_the_wrong_shape_do_not_crash_the_scan(string frame)
    {
        string[] lines = File.ReadAllLines(Capture("OKX.ws.1.0"));
        var damaged = new List<string>(lines);
        damaged.Insert(5, "1646998512.0: " + frame);
        string path = TempFile("OKX.ws.1.0", string.Join('\n', damaged) + "\n");

        Assert.True(ReplaySession.TryLoad([path], out ReplaySession? session, out string? error), error);
        ReplayAll(session);
        ReplaySession clean = ReplaySession.Load([Capture("OKX.ws.1.0")]);
        ReplayAll(clean);

        Assert.Equal(3, session.Books.Count);
        static long Frames(ParseCounters c) => c.Messages + c.Ignored + c.TotalRejected;
        Assert.Equal(Frames(clean.Venues[0].Counters) + 1, Frames(session.Venues[0].Counters)); // the bad frame is counted once
        Assert.Equal(clean.Venues[0].Counters.Messages, session.Venues[0].Counters.Messages);
    }

    [Fact]
    public void A_capture_without_book_frames_names_its_file_and_venue()
    {
        string error = Fail(Capture("KRAKEN.0"));
        Assert.StartsWith(Capture("KRAKEN.0") + ": kraken: no order-book frames", error, StringComparison.Ordinal);

        string trades = Fail(Capture("KRAKEN.ws.48.0")); // trades only
        Assert.Contains("kraken: no order-book frames", trades, StringComparison.Ordinal);

        string exchangeInfo = Fail(Capture("BINANCE.0.gz"));
        Assert.Contains("binance: no order-book frames", exchangeInfo, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_book_frames_beside_its_sessions_files_is_fine()
    {
        Assert.True(ReplaySession.TryLoad([Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0"), Capture("BINANCE.0.gz")], out ReplaySession? session, out string? error), error);
        Assert.Equal(4, session.Books.Count);
    }

    [Fact]
    public void A_kraken_futures_capture_is_not_misread_as_kraken_spot()
    {
        string path = TempFile("KRAKEN_FUTURES.ws.1.0",
            "wss://futures.kraken.com/ws/v1 <-> 1633998511.1\n" +
            "wss://futures.kraken.com/ws/v1 <- 1633998511.2: {\"event\":\"subscribe\",\"feed\":\"book\",\"product_ids\":[\"PI_XBTUSD\"]}\n" +
            "1633998512.0: {\"feed\":\"book_snapshot\",\"product_id\":\"PI_XBTUSD\",\"timestamp\":1633998512000,\"seq\":1,\"bids\":[{\"price\":50000.0,\"qty\":10.0}],\"asks\":[{\"price\":50001.0,\"qty\":5.0}]}\n");

        string error = Fail(path);
        Assert.StartsWith(path + ": Kraken Futures (futures.kraken.com) is not a venue the engine reads", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BITSTAMP.ws.1.0", "Bitstamp (ws.bitstamp.net)")]
    [InlineData("BYBIT.ws.25.0.gz", "Bybit (stream.bybit.com)")]
    [InlineData("COINBASE.ws.28.0.gz", "Coinbase (ws-feed.pro.coinbase.com)")]
    public void Captures_of_venues_the_engine_does_not_read_say_which_venue(string name, string venue)
    {
        string error = Fail(Capture(name));
        Assert.StartsWith($"{Capture(name)}: {venue} is not a venue the engine reads", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wss://vstream.binance.com/stream?streams=btc-200730-9000-c@depth", "Binance options")]
    [InlineData("wss://dstream.binance.com/stream?streams=btcusd_perp@depth", null)]
    [InlineData("wss://ws.kraken.com/v2", null)]
    [InlineData("wss://futures.kraken.com/ws/v1", "Kraken Futures")]
    [InlineData("wss://fstream.binance.com/ws", null)]
    [InlineData("wss://stream.binance.us:9443/ws", null)]
    public void Urls_are_classified_by_host_and_the_more_specific_host_wins(string url, string? notRead)
    {
        UrlVenue kind = CaptureVenues.Classify(Encoding.ASCII.GetBytes(url), out _, out string? name);
        if (notRead is null)
        {
            Assert.Equal(UrlVenue.Read, kind);
        }
        else
        {
            Assert.Equal(UrlVenue.NotRead, kind);
            Assert.StartsWith(notRead, name, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_file_with_urls_of_two_venues_is_refused()
    {
        string path = TempFile("MIXED.ws",
            "wss://stream.binance.com:9443/ws <-> 1633998511.1\n" +
            "wss://ws.okx.com:8443/ws/v5/public <-> 1633998511.2\n");
        Assert.Contains("holds URLs of two venues (binance and okx)", Fail(path), StringComparison.Ordinal);
    }

    [Fact]
    public void More_symbols_than_the_engine_holds_books_is_reported_as_that_limit()
    {
        var text = new StringBuilder("wss://stream.binance.com:9443/stream?streams=all@bookTicker <-> 1633998511.1\n");
        for (int i = 0; i < 33_000; i++)
        {
            text.Append("1633998512.0: {\"u\":1,\"s\":\"S").Append(i).Append("USDT\",\"b\":\"1.0\",\"B\":\"1\",\"a\":\"1.1\",\"A\":\"1\"}\n");
        }

        string error = Fail(TempFile("BINANCE.ws.many", text.ToString()));
        Assert.Contains("the capture has 33,000 symbols (33,000 books over 1 venue(s)); the engine holds at most 32,767 books", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_capture_still_loads_what_came_before_and_says_it_is_damaged()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.ws.1.0"));
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(text);
        }

        string path = TempFile("BINANCE.ws.1.0.gz", gz.ToArray()[..(int)(gz.Length / 2)]);
        Assert.True(ReplaySession.TryLoad([path, Capture("BINANCE.http.0.0")], out ReplaySession? session, out string? error), error);
        Assert.True(session.Tape.IsDamaged);
        Assert.True(session.IsDamaged(session.Venues[0]));

        string empty = Fail(TempFile("BINANCE.ws.1.0.gz", gz.ToArray()[..8]));
        Assert.Contains("damaged capture", empty, StringComparison.Ordinal);
        Assert.Contains("nothing before the damage tells the venue", empty, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_captures_are_not_damaged()
    {
        ReplaySession session = ReplaySession.Load([Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0")]);
        Assert.False(session.Tape.IsDamaged);
        Assert.False(session.IsDamaged(session.Venues[0]));
    }
}
