using System.Buffers.Text;
using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>
/// The engine's live data plane against a loopback Binance exchange serving BINANCE.ws.1.0 / BINANCE.http.0.0:
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
    public static async Task<BinanceLiveHarness> StartAsync(Func<LiveVenueOptions, LiveVenueOptions>? tweak = null, int ringSize = 4096, bool startConsumer = true,
        bool venueHosts = false, ICaptureSink? capture = null)
    {
        LoopbackBinanceExchange exchange = await LoopbackBinanceExchange.StartAsync(
            SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"), SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0"));
        var harness = new BinanceLiveHarness(exchange);
        harness.Build(tweak, ringSize, venueHosts);
        harness.Client.Capture = capture;
        if (startConsumer)
        {
            harness.StartConsumer();
        }

        harness._run = harness.Client.RunAsync(harness._stop.Token);
        return harness;
    }

    private void Build(Func<LiveVenueOptions, LiveVenueOptions>? tweak, int ringSize, bool venueHosts)
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
        foreach (string symbol in Exchange.Symbols.Order(StringComparer.Ordinal))
        {
            var instrument = new InstrumentSpec(InstrumentId.FromIndex(n++), symbol, 8, 8);
            _ids[symbol] = instrument.Id;
            symbols.Add(new LiveSymbol(symbol, instrument));
            specs.Add(new BookSpec(Venue, instrument.Id, SequenceRule.BinanceSpot, 8, 8));
        }

        var options = new LiveVenueOptions
        {
            Name = "binance",
            Kind = LiveVenueKind.BinanceSpot,
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
            Volatile.Write(ref _lastMarker, id);
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

    public int BookOf(string symbol) => Books.IndexOf(Venue, _ids[symbol]);

    public BookStatus StatusOf(string symbol) => Books.State(BookOf(symbol)).Status;

    /// <summary>The client's book equals the exchange's own (the fault-free result) over the top <paramref name="depth"/> levels.</summary>
    public void AssertTopsMatchExchange(int depth = 10)
    {
        foreach (string symbol in Exchange.Symbols)
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
