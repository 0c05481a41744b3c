using System.Diagnostics;
using System.Globalization;
using System.Text;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Integrity;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// The live data plane of a run or a recording: one <see cref="WebSocketMarketDataClient"/> per configured venue, their
/// books, the multi-producer market ring, the strategy thread and the integrity monitor that quarantines a venue.
/// <see cref="Start"/> opens everything; <see cref="Sample"/> (host thread, once a second) feeds the monitor and returns
/// the summary; <see cref="StopAsync"/> stops the clients, lets the strategy finish what was published and joins.
/// Building allocates; the per-frame path does not.
/// </summary>
public sealed class LiveMarket : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<WebSocketMarketDataClient> _clients = [];
    private readonly List<(string Name, VenueId Venue, WebSocketMarketDataClient[] Clients)> _venues = []; // each venue's connections
    private readonly long[] _lastFrames;
    private readonly Thread _strategyThread;
    private readonly List<Task> _runs = [];
    private long _lastSample;

    /// <param name="venues">Validated options, venue ids 0 … n−1, instrument ids shared across venues for the same instrument.</param>
    /// <param name="takerFees">Per venue (by index): taker fee fraction, for the edges.</param>
    public LiveMarket(IReadOnlyList<LiveVenueOptions> venues, IReadOnlyList<double> takerFees, double thresholdBps, int ringSize,
        RingBuffer<Opportunity>? opportunities, IntegrityPolicy? integrity = null, Action<string>? log = null, Func<LiveVenueOptions, ICaptureSink?>? capture = null)
    {
        ArgumentNullException.ThrowIfNull(venues);
        ArgumentNullException.ThrowIfNull(takerFees);
        var specs = new List<BookSpec>();
        var instruments = new SortedDictionary<int, InstrumentSpec>();
        foreach (LiveVenueOptions v in venues)
        {
            foreach (LiveSymbol s in v.Symbols)
            {
                instruments[s.Instrument.Id.Value] = s.Instrument;
                SequenceRule rule = v.Kind switch
                {
                    LiveVenueKind.BinanceSpot => SequenceRule.BinanceSpot,
                    LiveVenueKind.BinanceFutures or LiveVenueKind.BinanceCoinM => SequenceRule.BinanceFutures,
                    LiveVenueKind.Okx => SequenceRule.Okx,
                    LiveVenueKind.Kraken or LiveVenueKind.KrakenV2 => SequenceRule.Kraken,
                    LiveVenueKind.Coinbase => SequenceRule.Coinbase,
                    LiveVenueKind.Bybit => SequenceRule.Bybit,
                    _ => throw new ArgumentOutOfRangeException(nameof(venues), $"venues.{v.Name}: no book rules for {v.Kind}"),
                };
                specs.Add(new BookSpec(v.Venue, s.Instrument.Id, rule, s.Instrument.PriceDecimals, s.Instrument.QuantityDecimals,
                    TruncateDepth: v.Kind is LiveVenueKind.Kraken or LiveVenueKind.KrakenV2 ? v.BookDepth : 0));
            }
        }

        int instrumentCount = instruments.Keys.Max() + 1;
        var decimals = new int[instrumentCount];
        foreach ((int id, InstrumentSpec spec) in instruments)
        {
            decimals[id] = spec.PriceDecimals;
        }

        int venueCount = Math.Max(2, venues.Max(v => v.Venue.Value) + 1);
        var fees = new double[venueCount];
        for (int i = 0; i < takerFees.Count && i < venueCount; i++)
        {
            fees[i] = takerFees[i];
        }

        Books = new BookSet(specs);
        Quarantine = new VenueQuarantine();
        Monitor = new IntegrityMonitor(integrity ?? new IntegrityPolicy(), Quarantine);
        Strategy = new StrategyState(Books, new EdgeStage(instrumentCount, venueCount, decimals, fees, thresholdBps), opportunities) { Quarantine = Quarantine };
        Ring = new RingBuffer<TickEvent>(ringSize, ProducerType.Multi, WaitStrategyKind.Yielding);
        Processor = new BatchEventProcessor<TickEvent, StrategyHandler>(Ring, Ring.NewBarrier(), new StrategyHandler(Strategy));
        Ring.AddGatingSequences(Processor.Sequence);
        foreach (LiveVenueOptions v in venues)
        {
            // More streams than one connection carries: several connections, each with its share of the symbols.
            var group = new List<WebSocketMarketDataClient>();
            foreach (LiveVenueOptions part in v.PerConnection())
            {
                var client = new WebSocketMarketDataClient(part, Books, Ring, Processor.Sequence, log: log) { Capture = capture?.Invoke(part) };
                _clients.Add(client);
                group.Add(client);
            }

            _venues.Add((v.Name, v.Venue, [.. group]));
        }

        _lastFrames = new long[_venues.Count];
        _strategyThread = new Thread(() => Processor.Run(_stop.Token)) { IsBackground = true, Name = "strategy" };
    }

    public BookSet Books { get; }

    public StrategyState Strategy { get; }

    public RingBuffer<TickEvent> Ring { get; }

    public BatchEventProcessor<TickEvent, StrategyHandler> Processor { get; }

    public VenueQuarantine Quarantine { get; }

    public IntegrityMonitor Monitor { get; }

    public IReadOnlyList<WebSocketMarketDataClient> Clients => _clients;

    /// <summary>Starts the strategy thread and every connection. Once.</summary>
    public void Start()
    {
        _lastSample = Stopwatch.GetTimestamp();
        _strategyThread.Start();
        foreach (WebSocketMarketDataClient client in _clients)
        {
            _runs.Add(Task.Run(() => client.RunAsync(_stop.Token)));
        }
    }

    /// <summary>
    /// Feeds each venue's counters to the integrity monitor and returns the summary: per venue its state
    /// (connecting / live / resync / quarantined), messages per second since the last call, and its score. Host thread.
    /// </summary>
    public string Sample()
    {
        long now = Stopwatch.GetTimestamp();
        double seconds = Math.Max(1e-3, Stopwatch.GetElapsedTime(_lastSample, now).TotalSeconds);
        _lastSample = now;
        var sb = new StringBuilder();
        for (int i = 0; i < _venues.Count; i++)
        {
            (string name, VenueId venue, WebSocketMarketDataClient[] clients) = _venues[i];
            double score = Monitor.Sample(venue, LiveIntegrity.Sample(clients, Books), now);
            long frames = 0;
            LiveConnectionState worst = LiveConnectionState.Live;
            foreach (WebSocketMarketDataClient client in clients)
            {
                frames += client.Counters.Frames;
                worst = Worse(worst, client.State);
            }

            double rate = (frames - _lastFrames[i]) / seconds;
            _lastFrames[i] = frames;
            string state = Quarantine.IsQuarantined(venue) ? "quarantined" : worst switch
            {
                LiveConnectionState.Live => "live",
                LiveConnectionState.Resync => "resync",
                LiveConnectionState.Stopped => "stopped",
                _ => "connecting",
            };
            sb.Append(i == 0 ? "" : " ").Append(CultureInfo.InvariantCulture, $"{name}={state} {rate:F0} msg/s score={score:F2}");
        }

        return sb.ToString();
    }

    /// <summary>A venue over several connections is as far from live as its worst one (connecting, then resync, then live).</summary>
    private static LiveConnectionState Worse(LiveConnectionState a, LiveConnectionState b)
    {
        static int Rank(LiveConnectionState s) => s switch
        {
            LiveConnectionState.Live => 0,
            LiveConnectionState.Resync => 1,
            LiveConnectionState.Stopped => 3,
            _ => 2,
        };
        return Rank(b) > Rank(a) ? b : a;
    }

    /// <summary>Stops the connections, lets the strategy apply what was published, joins it.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_runs).ConfigureAwait(false);
        if (_strategyThread.IsAlive)
        {
            _strategyThread.Join();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        foreach (WebSocketMarketDataClient client in _clients)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }
}
