using System.Buffers.Text;
using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>A recorded Binance session the loopback exchange serves, the market the client reads it as, and which of its books.</summary>
internal sealed record BinanceSession(string WsCapture, string HttpCapture, LiveVenueKind Kind, SequenceRule Rule)
{
    public static readonly BinanceSession Spot = new("BINANCE.ws.1.0", "BINANCE.http.0.0", LiveVenueKind.BinanceSpot, SequenceRule.BinanceSpot);

    public static readonly BinanceSession UsdM = new("BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.http.0.0", LiveVenueKind.BinanceFutures, SequenceRule.BinanceFutures);

    /// <summary>The USD-M recording read as COIN-M (the same stream format and <c>pu</c> rule; REST on <c>/dapi</c>).</summary>
    public static readonly BinanceSession CoinM = UsdM with { Kind = LiveVenueKind.BinanceCoinM };

    /// <summary>The books the client subscribes (null: every symbol of the session); the exchange still streams them all.</summary>
    public IReadOnlyList<string>? Symbols { get; init; }
}

/// <summary>
/// The engine's live data plane against a loopback Binance exchange serving a recorded session (by default BINANCE.ws.1.0 / BINANCE.http.0.0):
/// books, a multi-producer market ring, the strategy chain on its own thread and the WebSocket client. The test steps
/// the exchange; <see cref="SyncAsync"/> returns once the client has handled everything sent so far and the strategy
/// thread has applied it (so the books may be read).
/// </summary>
internal sealed class BinanceLiveHarness : IAsyncDisposable
{
    public static readonly VenueId Venue = new(0);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _log = [];
    private readonly Dictionary<string, InstrumentId> _ids = new(StringComparer.Ordinal);
    private Thread? _consumer;
    private Task? _run;
    private long _lastMarker;

    private BinanceLiveHarness(LoopbackBinanceExchange exchange) => Exchange = exchange;

    public LoopbackBinanceExchange Exchange { get; }

    public WebSocketMarketDataClient Client { get; private set; } = null!;

    public BookSet Books { get; private set; } = null!;

    public StrategyState Strategy { get; private set; } = null!;

    public RingBuffer<TickEvent> Ring { get; private set; } = null!;

    public BatchEventProcessor<TickEvent, StrategyHandler> Processor { get; private set; } = null!;

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <param name="venueHosts">Configure Binance's own host names (stream.binance.com, api.binance.com) and route them to
    /// the loopback exchange, as a recorded session must name its venue.</param>
    /// <param name="capture">Set as the client's capture sink before it starts.</param>
    /// <param name="session">The recorded session and market (default <see cref="BinanceSession.Spot"/>).</param>
    public static async Task<BinanceLiveHarness> StartAsync(Func<LiveVenueOptions, LiveVenueOptions>? tweak = null, int ringSize = 4096, bool startConsumer = true,
        bool venueHosts = false, ICaptureSink? capture = null, BinanceSession? session = null, Action<LoopbackBinanceExchange>? arrange = null)
    {
        session ??= BinanceSession.Spot;
        LoopbackBinanceExchange exchange = await LoopbackBinanceExchange.StartAsync(
            SharedData.File("cex_ws", "cryptofeed", session.WsCapture), SharedData.File("cex_ws", "cryptofeed", session.HttpCapture));
        // Faults the client meets on connect must be armed before it connects, or it may subscribe first.
        arrange?.Invoke(exchange);
        var harness = new BinanceLiveHarness(exchange);
        harness.Build(tweak, ringSize, venueHosts, session);
        harness.Client.Capture = capture;
        if (startConsumer)
        {
            harness.StartConsumer();
        }

        harness._run = harness.Client.RunAsync(harness._stop.Token);
        return harness;
    }

    private void Build(Func<LiveVenueOptions, LiveVenueOptions>? tweak, int ringSize, bool venueHosts, BinanceSession session)
    {
        int port = Exchange.WsUrl.Port;
        HttpMessageInvoker? http = null;
        if (venueHosts)
        {
            http = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, token) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, token);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            });
        }

        var symbols = new List<LiveSymbol>();
        var specs = new List<BookSpec>();
        int n = 0;
        foreach (string symbol in (session.Symbols ?? Exchange.Symbols).Order(StringComparer.Ordinal))
        {
            var instrument = new InstrumentSpec(InstrumentId.FromIndex(n++), symbol, 8, 8);
            _ids[symbol] = instrument.Id;
            symbols.Add(new LiveSymbol(symbol, instrument));
            specs.Add(new BookSpec(Venue, instrument.Id, session.Rule, 8, 8));
        }

        var options = new LiveVenueOptions
        {
            Name = "binance",
            Kind = session.Kind,
            Venue = Venue,
            WsUrl = venueHosts ? new Uri($"ws://stream.binance.com:{port}/stream") : Exchange.WsUrl,
            RestUrl = venueHosts ? new Uri($"http://api.binance.com:{port}") : Exchange.RestUrl,
            Symbols = symbols,
            BackoffInitial = TimeSpan.FromMilliseconds(20),
            BackoffMax = TimeSpan.FromMilliseconds(200),
            BackoffSeed = 1,
            MaintenanceInterval = TimeSpan.FromMilliseconds(5),
        };
        options = tweak?.Invoke(options) ?? options;

        Books = new BookSet(specs);
        int[] decimals = [.. Enumerable.Repeat(8, n)];
        var edges = new EdgeStage(n, 2, decimals, [0.001, 0.001], 5);
        Strategy = new StrategyState(Books, edges, opportunityRing: null);
        Ring = new RingBuffer<TickEvent>(ringSize, ProducerType.Multi, WaitStrategyKind.Yielding);
        Processor = new BatchEventProcessor<TickEvent, StrategyHandler>(Ring, Ring.NewBarrier(), new StrategyHandler(Strategy));
        Ring.AddGatingSequences(Processor.Sequence);
        Client = new WebSocketMarketDataClient(options, Books, Ring, Processor.Sequence, http, log: line =>
        {
            lock (_log)
            {
                _log.Add(line);
            }
        })
        {
            FrameHandled = OnFrame,
        };
    }

    public void StartConsumer()
    {
        _consumer = new Thread(() => Processor.Run(_stop.Token)) { IsBackground = true, Name = "strategy (test)" };
        _consumer.Start();
    }

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        ReadOnlySpan<byte> prefix = "{\"result\":null,\"id\":"u8;
        if (frame.StartsWith(prefix) && Utf8Parser.TryParse(frame[prefix.Length..], out long id, out _))
        {
            // Two connections hand markers in during a renewal: the highest handled counts (a lagging one never lowers it).
            long seen = Volatile.Read(ref _lastMarker);
            while (seen < id)
            {
                long was = Interlocked.CompareExchange(ref _lastMarker, id, seen);
                if (was == seen)
                {
                    break;
                }

                seen = was;
            }
        }
    }

    /// <summary>Waits until the client handled everything the exchange sent so far and the books applied it.</summary>
    public async Task SyncAsync()
    {
        long id = await Exchange.SyncAsync();
        await Wait.UntilAsync(() => Volatile.Read(ref _lastMarker) >= id, $"the client to handle marker {id}");
        await WaitAppliedAsync();
    }

    /// <summary>Waits until the strategy thread applied everything published.</summary>
    public Task WaitAppliedAsync() => Wait.UntilAsync(() => Processor.Sequence.Value >= Ring.Cursor, "the strategy thread to apply what was published");

    /// <summary>Waits until every book is live (snapshots fetched and applied), then syncs.</summary>
    public async Task WaitAllLiveAsync()
    {
        await Wait.UntilAsync(() => AllLive(), "every book to be live");
        await SyncAsync();
        Assert.True(AllLive());
    }

    public bool AllLive()
    {
        for (int i = 0; i < Books.Count; i++)
        {
            if (Books.NeedsSnapshot(i))
            {
                return false;
            }
        }

        return Processor.Sequence.Value >= Ring.Cursor;
    }

    /// <summary>
    /// Waits until every book is live with the exchange's last update id and the strategy thread applied it all. Unlike
    /// <see cref="SyncAsync"/> this holds with two connections streaming: a marker handled on one says nothing of the
    /// other, which may be the one feeding a book.
    /// </summary>
    public async Task WaitCaughtUpAsync()
    {
        try
        {
            await Wait.UntilAsync(() => AllLive() && _ids.Keys.All(s => Books.State(BookOf(s)).LastUpdateId == Exchange.LastUpdateId(s)),
                "every book live at the exchange's last update id");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; {Describe()}", ex);
        }
    }

    /// <summary>The client's, books' and exchange's state in one line (for failure messages).</summary>
    public string Describe()
    {
        LiveClientCounters c = Client.Counters;
        VenueIntegrity integrity = Books.Integrity(Venue);
        string books = string.Join(", ", _ids.Keys.Select(s => $"{s} {StatusOf(s)} {Books.State(BookOf(s)).LastUpdateId}/{Exchange.LastUpdateId(s)}"));
        return $"renewals={c.Renewals} connects={c.Connects} reconnects={c.Reconnects} fallbacks={c.RenewalFallbacks} dropped={c.HandoverDropped} "
            + $"gaps={integrity.Gaps} resyncs={integrity.Resyncs} rest={Exchange.RestLog.Count} subscriptions={Exchange.Subscriptions} "
            + $"streaming={Exchange.Streaming} position={Exchange.Position}/{Exchange.Frames.Count}; books: {books}; log: {string.Join(" | ", Log.TakeLast(12))}";
    }

    /// <summary>The symbols the client subscribed.</summary>
    public IReadOnlyCollection<string> Symbols => _ids.Keys;

    public int BookOf(string symbol) => Books.IndexOf(Venue, _ids[symbol]);

    public BookStatus StatusOf(string symbol) => Books.State(BookOf(symbol)).Status;

    /// <summary>The client's book equals the exchange's own (the fault-free result) over the top <paramref name="depth"/> levels.</summary>
    public void AssertTopsMatchExchange(int depth = 10)
    {
        foreach (string symbol in _ids.Keys)
        {
            int index = BookOf(symbol);
            Assert.Equal(BookStatus.Live, Books.State(index).Status);
            Assert.Equal(Exchange.LastUpdateId(symbol), Books.State(index).LastUpdateId);
            L2Book book = Books.Book(index);
            AssertSide(symbol, "bids", Exchange.Top(symbol, bids: true, depth), book.Bids);
            AssertSide(symbol, "asks", Exchange.Top(symbol, bids: false, depth), book.Asks);
        }
    }

    private static void AssertSide(string symbol, string side, IReadOnlyList<(decimal Price, decimal Quantity)> expected, ReadOnlySpan<BookLevel> actual)
    {
        Assert.True(actual.Length >= expected.Count, $"{symbol} {side}: {actual.Length} levels, expected at least {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            decimal price = actual[i].Price.Raw / 100_000_000m;
            decimal quantity = actual[i].Quantity.Raw / 100_000_000m;
            Assert.True(expected[i] == (price, quantity), $"{symbol} {side}[{i}]: {price} x {quantity}, the exchange has {expected[i].Price} x {expected[i].Quantity}");
        }
    }

    /// <summary>Stops the client and the strategy thread: what the books hold now is final (no renewal moves them any more).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }

        _consumer?.Join();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }

        _consumer?.Join();
        Client.Dispose();
        await Exchange.DisposeAsync();
        _stop.Dispose();
    }
}
