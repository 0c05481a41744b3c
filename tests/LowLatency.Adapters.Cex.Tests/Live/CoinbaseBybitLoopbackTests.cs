using System.IO.Compression;
using System.Text;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>
/// The live Coinbase Advanced Trade and Bybit v5 sessions of 2026-08-09 served by a loopback exchange to the live
/// client: fault-free, the books equal a replay of the same frames; with a frame lost on the way, the books resync by
/// resubscribing and end live with the same top levels as the fault-free replay.
/// </summary>
public sealed class CoinbaseBybitLoopbackTests
{
    internal const string CoinbaseFile = "coinbase_advtrade_v3jsonl_BTC-USD_ETH-USD_2026-08-09.jsonl.gz";
    internal const string BybitFile = "bybit_v5_v3jsonl_linear_spot_2026-08-09.jsonl.gz";
    internal const string BybitLinear = "BYBIT.ws.2";

    internal static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    /// <summary>The header and one connection's records of a JSON-lines capture, as a file of its own.</summary>
    internal static string OneConnection(string name, string connection)
    {
        using var gzip = new GZipStream(File.OpenRead(Capture(name)), CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.UTF8);
        var kept = text.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("{\"t\":\"header\"", StringComparison.Ordinal) || l.Contains($"\"conn\":\"{connection}\"", StringComparison.Ordinal));
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-{connection}.jsonl");
        File.WriteAllText(path, string.Join('\n', kept) + "\n");
        return path;
    }

    private static async Task<InBandOutcome> RunAsync(string replayPath, string connection, LiveVenueKind kind, Func<IInBandVenueModel> model, Func<IReadOnlyList<byte[]>, IEnumerable<int>> drop, TimeSpan? pingAfter = null, int measureAfterFrames = 0)
    {
        IReadOnlyList<byte[]> frames = [.. RecordedCapture.JsonLinesFrames(replayPath, connection).Select(f => f.Bytes)];
        return await InBandLoopbackHarness.RunAsync(ReplaySession.Load([replayPath]), frames, kind, model, new InBandRun
        {
            Faults = drop(frames).ToDictionary(i => i, _ => LoopbackFault.Drop),
            PingAfter = pingAfter,
            MeasureAfterFrames = measureAfterFrames,
        });
    }

    private static void AssertSameBooks(InBandOutcome o, int levels) => InBandLoopbackHarness.AssertSameBooks(o, levels);

    private static int NthIndex(IReadOnlyList<byte[]> frames, string[] needles, int n) => InBandLoopbackHarness.NthIndex(frames, needles, n);

    private static async Task<InBandOutcome> CoinbaseAsync(Func<IReadOnlyList<byte[]>, IEnumerable<int>> drop)
    {
        string path = Capture(CoinbaseFile);
        return await RunAsync(path, "COINBASE.ws.2", LiveVenueKind.Coinbase, () => new CoinbaseExchangeModel(), drop);
    }

    [Fact]
    public async Task Coinbase_session_over_loopback_builds_the_same_books_as_its_replay()
    {
        InBandOutcome o = await CoinbaseAsync(_ => []);
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;

        Assert.Contains(server.Received, m => m.Contains("\"channel\":\"level2\"", StringComparison.Ordinal) && m.Contains("\"BTC-USD\"", StringComparison.Ordinal));
        Assert.Contains(server.Received, m => m.Contains("\"channel\":\"heartbeats\"", StringComparison.Ordinal));
        Assert.Equal(0, o.Books.Integrity(o.Venue).Gaps);
        Assert.Equal(0, client.Counters.Resubscribes);
        Assert.Equal(0, server.SnapshotsSent);
        Assert.Equal(775, client.ParserCounters.Messages); // 2 snapshots + 773 updates, as the replay
        AssertSameBooks(o, int.MaxValue);
    }

    [Fact]
    public async Task A_frame_lost_on_a_coinbase_connection_resyncs_every_book_of_it_by_resubscribing()
    {
        InBandOutcome o = await CoinbaseAsync(frames => [NthIndex(frames, ["\"channel\":\"l2_data\"", "\"type\":\"update\""], 10)]);
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;

        Assert.Equal(2, o.Books.Integrity(o.Venue).Gaps); // sequence_num skipped once: both books, each at its next update
        Assert.Equal(2, client.Counters.Resubscribes);
        Assert.Equal(2, server.SnapshotsSent);
        Assert.Contains(server.Received, m => m.StartsWith("{\"type\":\"unsubscribe\",\"product_ids\":[\"ETH-USD\"],\"channel\":\"level2\"", StringComparison.Ordinal));
        AssertSameBooks(o, 10);
    }

    [Fact]
    public async Task Bybit_session_over_loopback_builds_the_same_books_as_its_replay()
    {
        string path = OneConnection(BybitFile, BybitLinear);
        InBandOutcome o = await RunAsync(path, BybitLinear, LiveVenueKind.Bybit, () => new BybitExchangeModel(), _ => [], pingAfter: TimeSpan.FromMilliseconds(50));
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;

        Assert.Contains(server.Received, m => m.StartsWith("{\"op\":\"subscribe\",\"args\":[\"orderbook.200.", StringComparison.Ordinal));
        Assert.Equal(0, o.Books.Integrity(o.Venue).Gaps);
        Assert.Equal(0, client.Counters.Resubscribes);
        Assert.Equal(0, client.ParserCounters.TotalRejected);
        AssertSameBooks(o, int.MaxValue);
    }

    [Fact]
    public async Task A_bybit_delta_lost_on_the_way_resyncs_that_book_by_resubscribing()
    {
        string path = OneConnection(BybitFile, BybitLinear);
        InBandOutcome o = await RunAsync(path, BybitLinear, LiveVenueKind.Bybit, () => new BybitExchangeModel(),
            frames => [NthIndex(frames, ["orderbook.200.ETHUSDT", "\"type\":\"delta\""], 50)]);
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;

        Assert.Equal(1, o.Books.Integrity(o.Venue).Gaps);
        Assert.Equal(1, client.Counters.Resubscribes);
        Assert.Equal(1, server.SnapshotsSent);
        Assert.Contains(server.Received, m => m == "{\"op\":\"unsubscribe\",\"args\":[\"orderbook.200.ETHUSDT\"]}");
        AssertSameBooks(o, 10);
    }

    [Fact]
    public void Bybit_protocol_subscribes_ten_topics_a_request_pings_while_busy_and_classifies_control_frames()
    {
        string[] names = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT", "XRPUSDT", "ADAUSDT"];
        var options = new LiveVenueOptions
        {
            Name = "bybit",
            Kind = LiveVenueKind.Bybit,
            Venue = VenueId.FromIndex(0),
            WsUrl = new Uri("ws://127.0.0.1:1/ws"),
            Symbols = [.. names.Select((n, i) => new LiveSymbol(n, new InstrumentSpec(InstrumentId.FromIndex(i), n, 8, 8)))],
        };
        Assert.Empty(options.Validate());
        Assert.Contains(new LiveVenueOptions { Name = "bybit", Kind = LiveVenueKind.Bybit, Venue = options.Venue, WsUrl = options.WsUrl, Symbols = options.Symbols, BybitDepth = 10 }.Validate(),
            e => e.Contains("bybitDepth", StringComparison.Ordinal));
        VenueProtocol protocol = VenueProtocol.Create(options);

        string[] messages = [.. protocol.SubscribeMessages().Select(m => Encoding.UTF8.GetString(m))];
        Assert.Equal(2, messages.Length); // 6 books + 6 tickers, at most 10 a request
        Assert.StartsWith("{\"op\":\"subscribe\",\"args\":[\"orderbook.50.BTCUSDT\",\"tickers.BTCUSDT\"", messages[0], StringComparison.Ordinal);
        Assert.Equal(12, messages.Sum(m => m.Split("USDT\"").Length - 1)); // every topic once
        Assert.Equal("{\"op\":\"ping\"}", Encoding.UTF8.GetString(protocol.Ping!));
        Assert.True(protocol.PingWhileBusy);
        Assert.Equal(["{\"op\":\"unsubscribe\",\"args\":[\"orderbook.50.ETHUSDT\"]}", "{\"op\":\"subscribe\",\"args\":[\"orderbook.50.ETHUSDT\"]}"],
            protocol.ResubscribeMessages(1).Select(m => Encoding.UTF8.GetString(m)));

        Assert.Equal(FrameClass.Data, protocol.Classify("{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"delta\"}"u8));
        Assert.Equal(FrameClass.Pong, protocol.Classify("{\"req_id\":\"1\",\"op\":\"pong\",\"args\":[\"1\"],\"conn_id\":\"c\"}"u8));
        Assert.Equal(FrameClass.Pong, protocol.Classify("{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"c\",\"op\":\"ping\"}"u8));
        Assert.Equal(FrameClass.Ack, protocol.Classify("{\"success\":true,\"ret_msg\":\"\",\"conn_id\":\"c\",\"op\":\"subscribe\"}"u8));
        Assert.Equal(FrameClass.SubscriptionRejected, protocol.Classify("{\"success\":false,\"ret_msg\":\"error:handler not found,topic:orderbook.7.X\",\"op\":\"subscribe\"}"u8));
    }

    [Fact]
    public async Task A_live_market_gives_coinbase_and_bybit_books_their_own_sequence_rules()
    {
        var btc = new InstrumentSpec(InstrumentId.FromIndex(0), "BTCUSDT", 8, 8);
        LiveVenueOptions Venue(string name, LiveVenueKind kind, int id, string symbol) => new()
        {
            Name = name,
            Kind = kind,
            Venue = VenueId.FromIndex(id),
            WsUrl = new Uri("ws://127.0.0.1:1/ws"), // never connected: the market is not started
            Symbols = [new LiveSymbol(symbol, btc)],
        };

        await using var market = new LiveMarket([Venue("coinbase", LiveVenueKind.Coinbase, 0, "BTC-USDT"), Venue("bybit", LiveVenueKind.Bybit, 1, "BTCUSDT")],
            [0.001, 0.001], 5, 1 << 10, opportunities: null);

        Assert.Equal(SequenceRule.Coinbase, market.Books.State(market.Books.IndexOf(VenueId.FromIndex(0), btc.Id)).Rule);
        Assert.Equal(SequenceRule.Bybit, market.Books.State(market.Books.IndexOf(VenueId.FromIndex(1), btc.Id)).Rule);
    }

    [Theory]
    [InlineData("coinbase")]
    [InlineData("bybit")]
    public async Task Steady_state_coinbase_and_bybit_frames_allocate_nothing_from_receive_to_ring_publish(string venue)
    {
        InBandOutcome o = venue == "coinbase"
            ? await RunAsync(Capture(CoinbaseFile), "COINBASE.ws.2", LiveVenueKind.Coinbase, () => new CoinbaseExchangeModel(), _ => [], measureAfterFrames: 300)
            : await RunAsync(OneConnection(BybitFile, BybitLinear), BybitLinear, LiveVenueKind.Bybit, () => new BybitExchangeModel(), _ => [], measureAfterFrames: 300);
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;

        Assert.True(client.FramesMeasured > 500, $"{client.FramesMeasured} frames measured");
        Assert.Equal(0, client.FramePathAllocatedBytes);
        AssertSameBooks(o, int.MaxValue);
    }
}
