using System.Text;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Bybit;
using LowLatency.Adapters.Cex.Coinbase;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>What a received frame is, decided on its first bytes before any parser sees it.</summary>
internal enum FrameClass
{
    /// <summary>Market data (or anything else): the venue's parser decides.</summary>
    Data = 0,

    /// <summary>A subscription acknowledgement or status message: counted as ignored.</summary>
    Ack,

    /// <summary>An application-level pong or heartbeat: liveness only.</summary>
    Pong,

    /// <summary>An error message from the venue.</summary>
    VenueError,

    /// <summary>The venue refused a subscription.</summary>
    SubscriptionRejected,
}

/// <summary>
/// One venue's wire protocol for a live connection: the subscribe and resubscribe messages, the application ping, how
/// control frames look, where snapshots come from, and which parser reads the frames. Built at start-up (allocates
/// then); <see cref="Classify"/> and <see cref="Parse"/> run on the receive loop and do not allocate.
/// </summary>
internal abstract class VenueProtocol
{
    protected VenueProtocol(LiveVenueOptions options)
    {
        Options = options;
        Symbols = new SymbolTable();
        Instruments = new InstrumentSpec[options.Symbols.Count];
        for (int i = 0; i < options.Symbols.Count; i++)
        {
            Symbols.Add(options.Symbols[i].VenueSymbol, options.Symbols[i].Instrument.Id);
            Instruments[i] = options.Symbols[i].Instrument;
        }
    }

    public LiveVenueOptions Options { get; }

    public SymbolTable Symbols { get; }

    public InstrumentSpec[] Instruments { get; }

    /// <summary>Books are seeded from REST snapshots (Binance) rather than in band (OKX, Kraken: resubscribe).</summary>
    public abstract bool RestSnapshots { get; }

    /// <summary>The messages sent right after connecting.</summary>
    public abstract IReadOnlyList<byte[]> SubscribeMessages();

    /// <summary>The messages that make the venue send a fresh in-band snapshot of one symbol (unsubscribe, subscribe).</summary>
    public virtual IReadOnlyList<byte[]> ResubscribeMessages(int symbolIndex) => [];

    /// <summary>The application ping, or null when the venue pings us (Binance: protocol pings, answered by the socket).</summary>
    public virtual byte[]? Ping => null;

    /// <summary>The ping is due every <see cref="LiveVenueOptions.PingAfter"/> even while data flows (Bybit), not only after silence.</summary>
    public virtual bool PingWhileBusy => false;

    /// <summary>A new connection is open, before its subscriptions are sent (per-connection parser state restarts).</summary>
    public virtual void OnConnected()
    {
    }

    /// <summary>Classifies a frame on its first bytes. Receive loop; allocation-free.</summary>
    public abstract FrameClass Classify(ReadOnlySpan<byte> frame);

    /// <summary>Parses a data frame into <paramref name="output"/>. Receive loop; allocation-free.</summary>
    public abstract ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output);

    /// <summary>The parser's counters (per error).</summary>
    public abstract ParseCounters ParserCounters { get; }

    /// <summary>The REST snapshot URL of a symbol (REST venues).</summary>
    public virtual Uri SnapshotUrl(int symbolIndex) => throw new NotSupportedException();

    /// <summary>Parses a REST snapshot body. Snapshot task (its own parser instance); allocation-free.</summary>
    public virtual ParseResult ParseSnapshot(int symbolIndex, ReadOnlySpan<byte> body, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        throw new NotSupportedException();

    public static VenueProtocol Create(LiveVenueOptions options) => options.Kind switch
    {
        LiveVenueKind.BinanceSpot or LiveVenueKind.BinanceFutures or LiveVenueKind.BinanceCoinM => new BinanceProtocol(options),
        LiveVenueKind.Okx => new OkxProtocol(options),
        LiveVenueKind.Kraken => new KrakenProtocol(options),
        LiveVenueKind.KrakenV2 => new KrakenV2Protocol(options),
        LiveVenueKind.Coinbase => new CoinbaseProtocol(options),
        LiveVenueKind.Bybit => new BybitProtocol(options),
        _ => throw new ArgumentOutOfRangeException(nameof(options), "unknown venue kind"),
    };

    protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>True when <paramref name="frame"/> (short control frames only) contains <paramref name="needle"/>.</summary>
    protected static bool SmallContains(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> needle) =>
        frame.Length <= 4096 && frame.IndexOf(needle) >= 0;
}

/// <summary>
/// Binance spot, USD-M and COIN-M futures: one combined-stream connection (<c>/stream</c>) subscribed with <c>SUBSCRIBE</c>
/// (depth@100ms, bookTicker, aggTrade), REST depth snapshots weighed against the venue's request weight. Frames are
/// wrapped <c>{"stream":..,"data":..}</c>; <c>{"result":null,"id":1}</c> acknowledges, <c>{"error":{..},"id":1}</c>
/// refuses a subscription, <c>{"code":..,"msg":..}</c> is an error.
/// </summary>
internal sealed class BinanceProtocol : VenueProtocol
{
    private readonly BinanceParser _stream;
    private readonly BinanceParser _snapshots;
    private readonly byte[][] _snapshotUrlBytes;
    private readonly Uri[] _snapshotUrls;

    public BinanceProtocol(LiveVenueOptions options) : base(options)
    {
        // COIN-M speaks the USD-M format (plus fields such as ps, skipped as unknown) on dstream / dapi.
        BinanceMarket market = options.Kind is LiveVenueKind.BinanceFutures or LiveVenueKind.BinanceCoinM ? BinanceMarket.Futures : BinanceMarket.Spot;
        _stream = new BinanceParser(market, options.Venue, Symbols, Instruments);
        _snapshots = new BinanceParser(market, options.Venue, Symbols, Instruments);
        string path = options.Kind switch
        {
            LiveVenueKind.BinanceFutures => "fapi/v1/depth",
            LiveVenueKind.BinanceCoinM => "dapi/v1/depth",
            _ => "api/v3/depth",
        };
        _snapshotUrls = new Uri[options.Symbols.Count];
        _snapshotUrlBytes = new byte[options.Symbols.Count][];
        for (int i = 0; i < options.Symbols.Count; i++)
        {
            string baseUrl = options.RestUrl!.AbsoluteUri.TrimEnd('/');
            _snapshotUrls[i] = new Uri($"{baseUrl}/{path}?symbol={options.Symbols[i].VenueSymbol}&limit={options.SnapshotDepth}");
            _snapshotUrlBytes[i] = Utf8(_snapshotUrls[i].AbsoluteUri);
        }
    }

    public override bool RestSnapshots => true;

    public override ParseCounters ParserCounters => _stream.Counters;

    /// <summary>Counters of the snapshot parser.</summary>
    public ParseCounters SnapshotCounters => _snapshots.Counters;

    public override IReadOnlyList<byte[]> SubscribeMessages()
    {
        var streams = new List<string>();
        foreach (LiveSymbol s in Options.Symbols)
        {
            string lower = s.VenueSymbol.ToLowerInvariant();
            streams.Add($"\"{lower}@depth@100ms\"");
            if (Options.SubscribeTops)
            {
                streams.Add($"\"{lower}@bookTicker\"");
            }

            if (Options.SubscribeTrades)
            {
                streams.Add($"\"{lower}@aggTrade\"");
            }
        }

        return [Utf8($"{{\"method\":\"SUBSCRIBE\",\"params\":[{string.Join(',', streams)}],\"id\":1}}")];
    }

    public override FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"stream\":"u8))
        {
            return FrameClass.Data;
        }

        if (frame.StartsWith("{\"result\":"u8))
        {
            return FrameClass.Ack;
        }

        if (frame.StartsWith("{\"error\":"u8) || (frame.StartsWith("{\"id\":"u8) && SmallContains(frame, "\"error\":"u8)))
        {
            return FrameClass.SubscriptionRejected;
        }

        return frame.StartsWith("{\"code\":"u8) ? FrameClass.VenueError : FrameClass.Data;
    }

    public override ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _stream.ParseFrame(frame, receiveTimeNs, receiveTimestamp, output);

    public override Uri SnapshotUrl(int symbolIndex) => _snapshotUrls[symbolIndex];

    public override ParseResult ParseSnapshot(int symbolIndex, ReadOnlySpan<byte> body, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _snapshots.ParseDepthSnapshot(_snapshotUrlBytes[symbolIndex], body, receiveTimeNs, receiveTimestamp, output);
}

/// <summary>
/// OKX v5 public: <c>books</c> (in-band snapshot, seqId/prevSeqId, CRC32 checksum), <c>bbo-tbt</c> and <c>trades</c>
/// (subscribed on request, counted; the parser on main consumes <c>books</c>). Text <c>ping</c> after 20 s of silence
/// (OKX closes at 30 s), answered by <c>pong</c>. A resync is an unsubscribe + subscribe of the one book, which makes
/// OKX send a fresh snapshot. <c>{"event":"error"}</c> answers a request we sent: a refused subscription.
/// </summary>
internal sealed class OkxProtocol : VenueProtocol
{
    private static readonly byte[] s_ping = "ping"u8.ToArray();
    private readonly OkxBookParser _parser;

    public OkxProtocol(LiveVenueOptions options) : base(options)
    {
        _parser = new OkxBookParser(options.Venue, Symbols, Instruments);
    }

    public override bool RestSnapshots => false;

    public override ParseCounters ParserCounters => _parser.Counters;

    public override byte[]? Ping => s_ping;

    public override IReadOnlyList<byte[]> SubscribeMessages()
    {
        var args = new List<string>();
        foreach (LiveSymbol s in Options.Symbols)
        {
            args.Add(Arg("books", s.VenueSymbol));
            if (Options.SubscribeTops)
            {
                args.Add(Arg("bbo-tbt", s.VenueSymbol));
            }

            if (Options.SubscribeTrades)
            {
                args.Add(Arg("trades", s.VenueSymbol));
            }
        }

        return [Utf8($"{{\"op\":\"subscribe\",\"args\":[{string.Join(',', args)}]}}")];
    }

    public override IReadOnlyList<byte[]> ResubscribeMessages(int symbolIndex)
    {
        string arg = Arg("books", Options.Symbols[symbolIndex].VenueSymbol);
        return [Utf8($"{{\"op\":\"unsubscribe\",\"args\":[{arg}]}}"), Utf8($"{{\"op\":\"subscribe\",\"args\":[{arg}]}}")];
    }

    public override FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"arg\":"u8))
        {
            return FrameClass.Data;
        }

        if (frame.SequenceEqual("pong"u8))
        {
            return FrameClass.Pong;
        }

        if (frame.StartsWith("{\"event\":\"error\""u8))
        {
            return FrameClass.SubscriptionRejected;
        }

        return frame.StartsWith("{\"event\":"u8) ? FrameClass.Ack : FrameClass.Data;
    }

    public override ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _parser.ParseFrame(frame, receiveTimeNs, receiveTimestamp, output);

    private static string Arg(string channel, string instId) => $"{{\"channel\":\"{channel}\",\"instId\":\"{instId}\"}}";
}

/// <summary>
/// Kraken spot WebSocket v1 (<c>wss://ws.kraken.com</c>), the <c>book</c> format main's parser reads: in-band snapshot
/// and CRC32 over the top 10; <c>{"event":"heartbeat"}</c> each second of silence, <c>{"event":"ping"}</c> answered by
/// <c>pong</c>; <c>subscriptionStatus</c> with <c>"status":"error"</c> refuses a subscription. A resync is an
/// unsubscribe + subscribe of the pair. (Kraken v2, <c>wss://ws.kraken.com/v2</c>: <see cref="KrakenV2Protocol"/>.)
/// </summary>
internal sealed class KrakenProtocol : VenueProtocol
{
    private static readonly byte[] s_ping = "{\"event\":\"ping\"}"u8.ToArray();
    private readonly KrakenBookParser _parser;

    public KrakenProtocol(LiveVenueOptions options) : base(options)
    {
        _parser = new KrakenBookParser(options.Venue, Symbols, Instruments);
    }

    public override bool RestSnapshots => false;

    public override ParseCounters ParserCounters => _parser.Counters;

    public override byte[]? Ping => s_ping;

    public override IReadOnlyList<byte[]> SubscribeMessages()
    {
        string pairs = string.Join(',', Options.Symbols.Select(s => $"\"{s.VenueSymbol}\""));
        var messages = new List<byte[]> { Utf8($"{{\"event\":\"subscribe\",\"pair\":[{pairs}],\"subscription\":{{\"name\":\"book\",\"depth\":{Options.BookDepth}}}}}") };
        if (Options.SubscribeTops)
        {
            messages.Add(Utf8($"{{\"event\":\"subscribe\",\"pair\":[{pairs}],\"subscription\":{{\"name\":\"ticker\"}}}}"));
        }

        if (Options.SubscribeTrades)
        {
            messages.Add(Utf8($"{{\"event\":\"subscribe\",\"pair\":[{pairs}],\"subscription\":{{\"name\":\"trade\"}}}}"));
        }

        return messages;
    }

    public override IReadOnlyList<byte[]> ResubscribeMessages(int symbolIndex)
    {
        string body = $"\"pair\":[\"{Options.Symbols[symbolIndex].VenueSymbol}\"],\"subscription\":{{\"name\":\"book\",\"depth\":{Options.BookDepth}}}";
        return [Utf8($"{{\"event\":\"unsubscribe\",{body}}}"), Utf8($"{{\"event\":\"subscribe\",{body}}}")];
    }

    public override FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty || frame[0] == (byte)'[')
        {
            return FrameClass.Data;
        }

        if (frame.StartsWith("{\"event\":\"heartbeat\""u8) || frame.StartsWith("{\"event\":\"pong\""u8))
        {
            return FrameClass.Pong;
        }

        if (frame.StartsWith("{\"event\":\"subscriptionStatus\""u8) || SmallContains(frame, "\"subscriptionStatus\""u8))
        {
            return SmallContains(frame, "\"status\":\"error\""u8) ? FrameClass.SubscriptionRejected : FrameClass.Ack;
        }

        // {"event":"error","errorMessage":..}: Kraken's answer to a request it cannot take (rate, malformed); counted, logged.
        if (frame.StartsWith("{\"event\":\"error\""u8) || (frame.StartsWith("{\"errorMessage\""u8) && SmallContains(frame, "\"event\":\"error\""u8)))
        {
            return FrameClass.VenueError;
        }

        return frame.StartsWith("{\"event\":"u8) || frame.StartsWith("{\"connectionID\""u8) ? FrameClass.Ack : FrameClass.Data;
    }

    public override ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _parser.ParseFrame(frame, receiveTimeNs, receiveTimestamp, output);
}

/// <summary>
/// Coinbase Advanced Trade (<c>wss://advanced-trade-ws.coinbase.com</c>): <c>level2</c> (in-band snapshot, then
/// <c>l2_data</c> updates) and <c>heartbeats</c> (one a second, so thin books keep the connection visibly alive), and
/// <c>ticker</c> / <c>market_trades</c> on request (counted, not consumed). Every frame, heartbeats included, goes to the
/// parser: <c>sequence_num</c> is one counter per connection across all channels, restarted on each connection
/// (<see cref="CoinbaseParser.OnNewConnection"/>). A skipped number flags every book of the connection, and each then
/// resyncs by an unsubscribe + subscribe of its product, which makes Coinbase send a fresh snapshot.
/// <c>{"type":"error"}</c> answers a request we sent: a refused subscription.
/// </summary>
internal sealed class CoinbaseProtocol : VenueProtocol
{
    private readonly CoinbaseParser _parser;

    public CoinbaseProtocol(LiveVenueOptions options) : base(options)
    {
        _parser = new CoinbaseParser(options.Venue, Symbols, Instruments);
    }

    public override bool RestSnapshots => false;

    public override ParseCounters ParserCounters => _parser.Counters;

    /// <summary>The connection's parser (its sequence counters).</summary>
    public CoinbaseParser Parser => _parser;

    public override void OnConnected() => _parser.OnNewConnection();

    public override IReadOnlyList<byte[]> SubscribeMessages()
    {
        string products = string.Join(',', Options.Symbols.Select(s => $"\"{s.VenueSymbol}\""));
        var messages = new List<byte[]> { Subscribe("subscribe", products, "level2"), Subscribe("subscribe", products, "heartbeats") };
        if (Options.SubscribeTops)
        {
            messages.Add(Subscribe("subscribe", products, "ticker"));
        }

        if (Options.SubscribeTrades)
        {
            messages.Add(Subscribe("subscribe", products, "market_trades"));
        }

        return messages;
    }

    public override IReadOnlyList<byte[]> ResubscribeMessages(int symbolIndex)
    {
        string product = $"\"{Options.Symbols[symbolIndex].VenueSymbol}\"";
        return [Subscribe("unsubscribe", product, "level2"), Subscribe("subscribe", product, "level2")];
    }

    public override FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"channel\":"u8))
        {
            return FrameClass.Data; // heartbeats too: they carry the connection's sequence_num
        }

        if (frame.StartsWith("{\"type\":\"error\""u8))
        {
            return FrameClass.SubscriptionRejected;
        }

        return FrameClass.Data;
    }

    public override ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _parser.ParseFrame(frame, receiveTimeNs, receiveTimestamp, output);

    private static byte[] Subscribe(string type, string products, string channel) =>
        Utf8($"{{\"type\":\"{type}\",\"product_ids\":[{products}],\"channel\":\"{channel}\"}}");
}

/// <summary>
/// Bybit v5 public (<c>wss://stream.bybit.com/v5/public/spot</c>, <c>/linear</c>): <c>orderbook.{depth}.SYMBOL</c>
/// (in-band snapshot, then deltas whose <c>u</c> follows by one; a snapshot with <c>u</c> = 1 is a service restart and
/// resets the book), <c>tickers</c> / <c>publicTrade</c> on request. Bybit drops a connection that sends nothing for
/// a while, so <c>{"op":"ping"}</c> goes every 20 s even while data flows; its answer (<c>"op":"pong"</c>, or spot's
/// <c>"ret_msg":"pong"</c>) is liveness. Subscribe requests carry at most 10 topics (spot's limit). A resync is an
/// unsubscribe + subscribe of the one book. <c>"success":false</c> answers a request we sent: a refused subscription.
/// </summary>
internal sealed class BybitProtocol : VenueProtocol
{
    private const int TopicsPerRequest = 10;
    private static readonly byte[] s_ping = "{\"op\":\"ping\"}"u8.ToArray();
    private readonly BybitParser _parser;

    public BybitProtocol(LiveVenueOptions options) : base(options)
    {
        _parser = new BybitParser(options.Venue, Symbols, Instruments);
    }

    public override bool RestSnapshots => false;

    public override ParseCounters ParserCounters => _parser.Counters;

    public override byte[]? Ping => s_ping;

    public override bool PingWhileBusy => true;

    public override IReadOnlyList<byte[]> SubscribeMessages()
    {
        var topics = new List<string>();
        foreach (LiveSymbol s in Options.Symbols)
        {
            topics.Add(BookTopic(s.VenueSymbol));
            if (Options.SubscribeTops)
            {
                topics.Add($"\"tickers.{s.VenueSymbol}\"");
            }

            if (Options.SubscribeTrades)
            {
                topics.Add($"\"publicTrade.{s.VenueSymbol}\"");
            }
        }

        var messages = new List<byte[]>();
        for (int i = 0; i < topics.Count; i += TopicsPerRequest)
        {
            messages.Add(Request("subscribe", string.Join(',', topics.Skip(i).Take(TopicsPerRequest))));
        }

        return messages;
    }

    public override IReadOnlyList<byte[]> ResubscribeMessages(int symbolIndex)
    {
        string topic = BookTopic(Options.Symbols[symbolIndex].VenueSymbol);
        return [Request("unsubscribe", topic), Request("subscribe", topic)];
    }

    public override FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"topic\":"u8))
        {
            return FrameClass.Data;
        }

        if (SmallContains(frame, "\"success\":false"u8))
        {
            return FrameClass.SubscriptionRejected;
        }

        if (SmallContains(frame, "\"op\":\"pong\""u8) || SmallContains(frame, "\"ret_msg\":\"pong\""u8))
        {
            return FrameClass.Pong;
        }

        return SmallContains(frame, "\"op\":"u8) ? FrameClass.Ack : FrameClass.Data;
    }

    public override ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _parser.ParseFrame(frame, receiveTimeNs, receiveTimestamp, output);

    private string BookTopic(string symbol) => $"\"orderbook.{Options.BybitDepth}.{symbol}\"";

    private static byte[] Request(string op, string topics) => Utf8($"{{\"op\":\"{op}\",\"args\":[{topics}]}}");
}
