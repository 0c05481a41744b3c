using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>The venue protocols a live connection speaks (each bound to its parser on main).</summary>
public enum LiveVenueKind
{
    /// <summary>Binance spot: diff depth + REST snapshot, bookTicker, aggTrade (combined stream, SUBSCRIBE).</summary>
    BinanceSpot = 0,

    /// <summary>Binance USD-M futures: the same streams with <c>pu</c> sequencing, REST <c>/fapi/v1/depth</c>.</summary>
    BinanceFutures = 1,

    /// <summary>OKX v5 public: <c>books</c> (seqId/prevSeqId + checksum), <c>bbo-tbt</c>, <c>trades</c>.</summary>
    Okx = 2,

    /// <summary>Kraken spot WebSocket v1 <c>book</c> (CRC32 over the top 10), <c>ticker</c>, <c>trade</c>: the parser main has.</summary>
    Kraken = 3,

    /// <summary>Coinbase Advanced Trade: <c>level2</c> (in-band snapshot, <c>sequence_num</c> per connection), <c>heartbeats</c>.</summary>
    Coinbase = 4,

    /// <summary>Bybit v5 public: <c>orderbook.{1,50,200}</c> snapshot/delta (<c>u</c> = 1 resets), <c>{"op":"ping"}</c> every 20 s.</summary>
    Bybit = 5,

    /// <summary>Kraken spot WebSocket v2 (<c>/v2</c>): <c>book</c> (CRC32 over the top 10 at the pair's precision), <c>ticker</c>, <c>trade</c>.</summary>
    KrakenV2 = 6,

    /// <summary>Binance COIN-M futures (<c>dstream</c>/<c>dapi</c>): the USD-M streams and sequencing; the pair field <c>ps</c> is skipped as unknown.</summary>
    BinanceCoinM = 7,
}

/// <summary>One subscribed symbol: the venue's spelling and the engine instrument it feeds.</summary>
/// <param name="VenueSymbol">As the venue writes it in frames and URLs (<c>BTCUSDT</c>, <c>BTC-USDT</c>, <c>XBT/USD</c>).</param>
/// <param name="Instrument">The engine's instrument and its fixed-point scales.</param>
public sealed record LiveSymbol(string VenueSymbol, InstrumentSpec Instrument);

/// <summary>
/// Everything a live venue connection needs, validated before a socket opens (<see cref="Validate"/>). Endpoints come
/// from configuration (<c>venues.&lt;name&gt;.wsUrl</c>, <c>restUrl</c>) so tests and operators point them anywhere.
/// Immutable once built.
/// </summary>
public sealed record LiveVenueOptions
{
    public required string Name { get; init; }

    public required LiveVenueKind Kind { get; init; }

    public required VenueId Venue { get; init; }

    /// <summary>The WebSocket endpoint (<c>wss://stream.binance.com:9443/stream</c>, <c>wss://ws.okx.com:8443/ws/v5/public</c>, <c>wss://ws.kraken.com</c>).</summary>
    public required Uri WsUrl { get; init; }

    /// <summary>The REST base (<c>https://api.binance.com</c>); required where snapshots come over REST (Binance).</summary>
    public Uri? RestUrl { get; init; }

    public required IReadOnlyList<LiveSymbol> Symbols { get; init; }

    /// <summary>Also subscribe to the venue's best bid/ask stream (Binance <c>bookTicker</c>, OKX <c>bbo-tbt</c>).</summary>
    public bool SubscribeTops { get; init; } = true;

    /// <summary>Also subscribe to trades (Binance <c>aggTrade</c>, OKX <c>trades</c>, Kraken <c>trade</c>); counted, not consumed.</summary>
    public bool SubscribeTrades { get; init; }

    /// <summary>Kraken book depth (10, 25, 100, 500, 1000).</summary>
    public int BookDepth { get; init; } = 10;

    /// <summary>Bybit <c>orderbook.{depth}</c> (1, 50, 200).</summary>
    public int BybitDepth { get; init; } = 50;

    /// <summary>Binance REST snapshot depth (<c>limit</c>): 1000 weighs 50 on spot.</summary>
    public int SnapshotDepth { get; init; } = 1000;

    /// <summary>Request weight of one REST snapshot.</summary>
    public double SnapshotWeight { get; init; } = 50;

    /// <summary>REST weight budget: capacity (Binance spot: 6,000 per minute).</summary>
    public double RestWeightCapacity { get; init; } = 6000;

    /// <summary>REST weight budget: refill per second.</summary>
    public double RestWeightPerSecond { get; init; } = 100;

    /// <summary>Nothing at all received (data, pong, heartbeat) for this long: the connection is dead; drop it.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Application ping after this much silence (OKX closes at 30 s; Kraken v1 sends heartbeats each second).</summary>
    public TimeSpan PingAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Renew the connection before the venue cuts it (Binance: every connection is closed at 24 hours).</summary>
    public TimeSpan ForcedReconnectAfter { get; init; } = TimeSpan.FromHours(23.9);

    /// <summary>
    /// Renew by overlap (default): a second connection subscribed and every book moved to it before the old one is closed,
    /// so the forced disconnect costs no gap. False: the old behaviour, drop and reconnect (a resync of every book).
    /// </summary>
    public bool OverlappingRenewal { get; init; } = true;

    /// <summary>A book the renewal could not bridge by then moves anyway and resyncs (counted in <c>RenewalFallbacks</c>).</summary>
    public TimeSpan RenewalTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A requested snapshot that has not reached its book after this long is requested again.</summary>
    public TimeSpan SnapshotTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed of the back-off jitter (tests fix it).</summary>
    public int BackoffSeed { get; init; } = Environment.TickCount;

    /// <summary>The receive buffer: a frame that fits is parsed where it landed.</summary>
    public int ReceiveBufferBytes { get; init; } = 1 << 16;

    /// <summary>The largest message accepted (assembled on the slow path); a longer one is read to its end and dropped.</summary>
    public int MaxFrameBytes { get; init; } = 8 << 20;

    /// <summary>The largest REST body accepted.</summary>
    public int MaxRestBodyBytes { get; init; } = 16 << 20;

    /// <summary>How often the maintenance loop checks staleness, pings and snapshot requests.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>True for the Binance kinds (REST snapshots, combined streams, SUBSCRIBE).</summary>
    public bool IsBinance => Kind is LiveVenueKind.BinanceSpot or LiveVenueKind.BinanceFutures or LiveVenueKind.BinanceCoinM;

    /// <summary>
    /// Streams one connection may carry: Binance spot, USD-M and COIN-M 1,024 (their docs); OKX, Kraken, Coinbase and Bybit
    /// publish no per-connection number, so 500. A venue with more streams is split over several connections.
    /// </summary>
    public int MaxStreamsPerConnection { get; init; } = 0;

    /// <summary><see cref="MaxStreamsPerConnection"/> when set, else the venue's limit.</summary>
    public int StreamLimit => MaxStreamsPerConnection > 0 ? MaxStreamsPerConnection : IsBinance ? 1024 : 500;

    /// <summary>Connections one venue may open to carry its streams.</summary>
    public const int MaxConnections = 20;

    /// <summary>
    /// The options of each connection: the symbols split so that none carries more than <see cref="StreamLimit"/>
    /// streams (one connection, these options, when they fit). Start-up; allocates.
    /// </summary>
    public IReadOnlyList<LiveVenueOptions> PerConnection()
    {
        int perSymbol = StreamCount / Math.Max(1, Symbols.Count);
        int symbolsPerConnection = Math.Max(1, StreamLimit / Math.Max(1, perSymbol));
        if (Symbols.Count <= symbolsPerConnection)
        {
            return [this];
        }

        var parts = new List<LiveVenueOptions>();
        for (int at = 0, k = 1; at < Symbols.Count; at += symbolsPerConnection, k++)
        {
            parts.Add(this with { Name = $"{Name}#{k}", Symbols = [.. Symbols.Skip(at).Take(symbolsPerConnection)] });
        }

        return parts;
    }

    /// <summary>
    /// These options with the book depth of configuration (<c>venues.&lt;name&gt;.depth</c>): Kraken's book depth, Bybit's
    /// <c>orderbook.N</c>, Binance's REST snapshot limit with the request weight Binance charges for it. Null for a venue
    /// without one (OKX, Coinbase). The value is checked by <see cref="Validate"/>.
    /// </summary>
    public LiveVenueOptions? WithDepth(int depth) => Kind switch
    {
        LiveVenueKind.Kraken or LiveVenueKind.KrakenV2 => this with { BookDepth = depth },
        LiveVenueKind.Bybit => this with { BybitDepth = depth },
        // Binance's weights per depth limit: spot 5/25/50/250, USD-M and COIN-M 2/5/10/20.
        LiveVenueKind.BinanceSpot => this with { SnapshotDepth = depth, SnapshotWeight = depth <= 100 ? 5 : depth <= 500 ? 25 : depth <= 1000 ? 50 : 250 },
        LiveVenueKind.BinanceFutures or LiveVenueKind.BinanceCoinM => this with { SnapshotDepth = depth, SnapshotWeight = depth <= 50 ? 2 : depth <= 100 ? 5 : depth <= 500 ? 10 : 20 },
        _ => null,
    };

    /// <summary>The most streams per connection any venue here documents (Binance: 1,024).</summary>
    public const int MaxStreamLimit = 1024;

    /// <summary>Streams this configuration subscribes (over all its connections).</summary>
    public int StreamCount => Symbols.Count * (1 + (SubscribeTops ? 1 : 0) + (SubscribeTrades ? 1 : 0));

    /// <summary>Every problem of the options, each one line naming the venue; empty when they can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        string p = $"venues.{Name}";
        if (!Enum.IsDefined(Kind))
        {
            errors.Add($"{p}: unknown venue kind");
        }

        if (WsUrl is null || !WsUrl.IsAbsoluteUri || WsUrl.Scheme is not ("ws" or "wss"))
        {
            errors.Add($"{p}.wsUrl: must be an absolute ws:// or wss:// URL");
        }

        bool restSnapshots = IsBinance;
        if (restSnapshots && (RestUrl is null || !RestUrl.IsAbsoluteUri || RestUrl.Scheme is not ("http" or "https")))
        {
            errors.Add($"{p}.restUrl: {Name} takes its depth snapshots over REST; give an absolute http(s):// URL");
        }

        if (Symbols is null || Symbols.Count == 0)
        {
            errors.Add($"{p}.symbols: at least one symbol");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (LiveSymbol s in Symbols)
            {
                if (string.IsNullOrWhiteSpace(s.VenueSymbol) || s.VenueSymbol.Any(c => c is '"' or '\\' || char.IsControl(c) || c > 127))
                {
                    errors.Add($"{p}.symbols: '{s.VenueSymbol}' is not a symbol (ASCII, no quotes or backslashes)");
                }
                else if (!seen.Add(s.VenueSymbol))
                {
                    errors.Add($"{p}.symbols: '{s.VenueSymbol}' is listed twice");
                }
            }

            if (StreamCount > StreamLimit * MaxConnections)
            {
                errors.Add($"{p}.symbols: {StreamCount} streams; {Name} is given at most {MaxConnections} connections of {StreamLimit} streams");
            }
        }

        if (Kind is LiveVenueKind.Kraken or LiveVenueKind.KrakenV2 && BookDepth is not (10 or 25 or 100 or 500 or 1000))
        {
            errors.Add($"{p}.depth: Kraken books are 10, 25, 100, 500 or 1000 deep, not {BookDepth} (bookDepth)");
        }

        if (Kind == LiveVenueKind.Bybit && BybitDepth is not (1 or 50 or 200))
        {
            errors.Add($"{p}.depth: Bybit order books are 1, 50 or 200 deep, not {BybitDepth} (bybitDepth)");
        }

        if (restSnapshots && SnapshotDepth is not (5 or 10 or 20 or 50 or 100 or 500 or 1000 or 5000))
        {
            errors.Add($"{p}.depth: Binance depth limits are 5, 10, 20, 50, 100, 500, 1000 or 5000, not {SnapshotDepth} (snapshotDepth)");
        }

        if (MaxStreamsPerConnection < 0 || MaxStreamsPerConnection > MaxStreamLimit)
        {
            errors.Add($"{p}.streamsPerConnection: {MaxStreamsPerConnection} is not 1 … {MaxStreamLimit} (Binance allows 1,024 streams a connection; the others publish no higher number)");
        }
        else if (Symbols is { Count: > 0 } && MaxStreamsPerConnection > 0 && MaxStreamsPerConnection < StreamCount / Symbols.Count)
        {
            errors.Add($"{p}.streamsPerConnection: {MaxStreamsPerConnection} is fewer than the {StreamCount / Symbols.Count} streams one symbol subscribes");
        }

        if (StaleAfter <= TimeSpan.Zero || PingAfter <= TimeSpan.Zero || PingAfter >= StaleAfter)
        {
            errors.Add($"{p}: needs 0 < pingAfter < staleAfter");
        }

        if (ForcedReconnectAfter <= TimeSpan.Zero || RenewalTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{p}: forcedReconnectAfter and renewalTimeout must be positive");
        }

        if (ReceiveBufferBytes < 1024 || MaxFrameBytes < ReceiveBufferBytes)
        {
            errors.Add($"{p}: needs 1 KiB <= receiveBufferBytes <= maxFrameBytes");
        }

        if (!(RestWeightCapacity > 0) || !(RestWeightPerSecond > 0) || !(SnapshotWeight > 0))
        {
            errors.Add($"{p}: REST weights must be positive");
        }

        return errors;
    }
}
