using System.Text;
using LowLatency.Adapters.Cex.Execution;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Adapters.Cex.Execution.Signing;
using LowLatency.Adapters.Execution.Tests.Rest;
using LowLatency.Testing.Venues;

namespace LowLatency.Adapters.Execution.Tests.Streams;

/// <summary>
/// Binance's user data stream and Bybit's private stream from the loopback venues into the session: fills arrive with
/// their trade ids and count once however often they are sent (by REST and by the stream, or replayed), orphans and
/// late acks are named, and a dropped stream reconnects and reconciles what it missed.
/// </summary>
public sealed class PrivateStreamTests
{
    public static readonly TheoryData<string> Venues = ["binance", "bybit", "okx", "kraken", "coinbase"];

    /// <summary>The venues whose streams send trades with their ids (Coinbase's sends each order's totals).</summary>
    public static readonly TheoryData<string> TradeIdVenues = ["binance", "bybit", "okx", "kraken"];

    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(TradeIdVenues))]
    public async Task Stream_fills_count_once_beside_the_rest_answer_and_a_replayed_fill_is_a_duplicate(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        await using StreamRun run = await StreamRun.StartAsync(rig, venue);

        rig.Ledger.Play(VenuePlay.Fill);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);
        Assert.True(placed.Ok, placed.Detail);
        await Eventually(() => placed.Value!.State == OrderState.Filled && run.Stream.Reports >= 3);

        LedgerEvent lastTrade = rig.Ledger.History.Last(e => e.Kind == "Trade");
        int before = Count(rig.Tracker, ReportOutcome.DuplicateFill);
        rig.Ledger.Replay(lastTrade);
        await Eventually(() => Count(rig.Tracker, ReportOutcome.DuplicateFill) > before);

        Assert.Equal(0.5, rig.Tracker.Position(rig.Symbol), 12);
        Assert.Equal(0, run.Stream.Malformed);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task A_fill_for_an_order_we_never_sent_is_an_orphan_and_moves_no_position(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        await using StreamRun run = await StreamRun.StartAsync(rig, venue);

        LoopbackOrder foreign = rig.Ledger.Take("web-ui-1", rig.Symbol, true, 1m, 60_000m, VenuePlay.Rest)!;
        rig.Ledger.Fill(foreign, 0.2m, 60_000m);
        await Eventually(() => rig.Tracker.Orphans.Count >= 2); // its ack and its fill

        Assert.True(Count(rig.Tracker, ReportOutcome.UnknownOrder) >= 2);
        Assert.Equal(0.0, rig.Tracker.Position(rig.Symbol));
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task An_ack_that_arrives_after_we_asked_to_cancel_keeps_the_order_pending_cancel(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        await using StreamRun run = await StreamRun.StartAsync(rig, venue);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);
        await Eventually(() => run.Stream.Reports >= 1);

        rig.Tracker.RequestCancel(placed.Value!.ClientOrderId);
        rig.Ledger.Replay(rig.Ledger.History.First(e => e.Kind == "New"));
        await Eventually(() => Count(rig.Tracker, ReportOutcome.AckAfterCancel) == 1);
        Assert.Equal(OrderState.PendingCancel, placed.Value.State);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task A_dropped_stream_reconnects_and_reconciles_the_fill_it_missed_and_its_late_report_does_not_count_again(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        await using StreamRun run = await StreamRun.StartAsync(rig, venue);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 1m, 60_000m, None);
        int reconciles = rig.Session.Reconciles;

        rig.Ledger.MuteStreams = true; // the fill happens while we are not listening
        rig.Ledger.Fill(rig.Ledger.Get(placed.Value!.ClientOrderId)!, 0.4m, 60_000m);
        rig.Server.Dialect.DropStreams();
        rig.Ledger.MuteStreams = false;

        await Eventually(() => run.Stream.Connections >= 2 && rig.Session.Reconciles > reconciles && run.Stream.Live);
        Assert.Equal(0.4, rig.Tracker.Position(rig.Symbol), 12);
        Assert.Equal(OrderState.PartiallyFilled, placed.Value.State);

        // The venue's late report of the same fill is consumed by the reconciled credit.
        int reports = run.Stream.Reports;
        rig.Ledger.Replay(rig.Ledger.History.Last(e => e.Kind == "Trade"));
        await Eventually(() => run.Stream.Reports > reports);
        Assert.Equal(0.4, rig.Tracker.Position(rig.Symbol), 12);
    }

    [Fact]
    public async Task Coinbase_totals_count_each_fill_once_beside_the_rest_answer_and_a_repeated_total_changes_nothing()
    {
        await using VenueRig rig = await VenueRig.StartAsync("coinbase");
        await using StreamRun run = await StreamRun.StartAsync(rig, "coinbase");

        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 1m, 60_000m, None);
        Assert.True(placed.Ok, placed.Detail);
        LoopbackOrder order = rig.Ledger.Get(placed.Value!.ClientOrderId)!;
        rig.Ledger.Fill(order, 0.25m, 60_000m);
        rig.Ledger.Fill(order, 0.5m, 60_010m);
        await Eventually(() => rig.Tracker.Position(rig.Symbol) >= 0.75 - 1e-12);
        Assert.Equal(OrderState.PartiallyFilled, placed.Value.State);
        Assert.Equal((0.25 * 60_000) + (0.5 * 60_010), rig.Session.Read(placed.Value.ClientOrderId)!.Value.Notional, 6);

        int reports = run.Stream.Reports;
        rig.Ledger.Replay(rig.Ledger.History.Last(e => e.Kind == "Trade"));
        await Eventually(() => run.Stream.Reports > reports);
        Assert.Equal(0.75, rig.Tracker.Position(rig.Symbol), 12);

        rig.Ledger.Fill(order, 0.25m, 60_020m);
        await Eventually(() => placed.Value.State == OrderState.Filled);
        Assert.Equal(1.0, rig.Tracker.Position(rig.Symbol), 12);
        Assert.Equal(0, run.Stream.Malformed);
    }

    [Fact]
    public void Coinbase_frames_not_in_its_shape_are_counted_and_its_other_channels_are_skipped()
    {
        var session = new ExecutionSession(new NoVenue(), new OrderTracker("x-"));
        using var coinbase = new CoinbaseUserStream(session, new Uri("ws://127.0.0.1:1"), CoinbaseJwtSigner.TryCreate(VenueRig.CoinbaseKeyName, VenueRig.CoinbasePem)!);
        foreach (string frame in new[]
        {
            "{not json", "[]", """{"type":"error","message":"authentication failure"}""",
            """{"channel":"user","events":[{"type":"update"}]}""",
            """{"channel":"user","events":[{"type":"update","orders":[{"client_order_id":"x-1","status":"OPEN","cumulative_quantity":"0"}]}]}""",
            """{"channel":"user","events":[{"type":"update","orders":[{"order_id":"1","status":"OPEN","cumulative_quantity":"NaN?"}]}]}""",
            """{"channel":"user","events":[{"type":"update","orders":[{"order_id":"1","status":"FILLED","cumulative_quantity":"1","avg_price":""}]}]}""",
        })
        {
            coinbase.Handle(Encoding.UTF8.GetBytes(frame));
        }

        Assert.Equal(7, coinbase.Malformed);
        coinbase.Handle("""{"channel":"heartbeats","events":[{"current_time":"2024-01-05T00:00:00Z","heartbeat_counter":3}]}"""u8);
        coinbase.Handle("""{"channel":"subscriptions","events":[{"subscriptions":{"user":[]}}]}"""u8);
        coinbase.Handle("""{"channel":"user","events":[{"type":"update","orders":[{"order_id":"1","status":"CANCEL_QUEUED","cumulative_quantity":"0"}]}]}"""u8);
        Assert.Equal(7, coinbase.Malformed);
        Assert.Equal(0, coinbase.Reports);
    }

    [Fact]
    public async Task A_coinbase_subscription_signed_by_another_key_is_refused_and_the_stream_never_goes_live()
    {
        await using VenueRig rig = await VenueRig.StartAsync("coinbase");
        using var stop = new CancellationTokenSource();
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var coinbase = new CoinbaseUserStream(rig.Session, new Uri(rig.Server.WsBase, "/ws/user"),
            CoinbaseJwtSigner.TryCreate(VenueRig.CoinbaseKeyName, other.ExportECPrivateKeyPem())!, backoff: TimeSpan.FromMilliseconds(20));
        Task run = coinbase.RunAsync(stop.Token);
        await Eventually(() => rig.Ledger.BadSignatures >= 2); // refused, reconnected with a new token, refused again
        Assert.False(coinbase.Live);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void Frames_not_in_the_venues_shape_are_counted_and_change_nothing()
    {
        var session = new ExecutionSession(new NoVenue(), new OrderTracker("x-"));
        using var binance = new BinanceUserDataStream(session, new Uri("http://127.0.0.1:1"), new Uri("ws://127.0.0.1:1"), "k");
        using var bybit = new BybitPrivateStream(session, new Uri("ws://127.0.0.1:1"), "k", "s");
        foreach (string frame in new[] { "{not json", "[]", """{"e":"executionReport","x":"TRADE","c":"x-1","i":1}""", """{"topic":"execution","data":[{"orderId":"1","execType":"Trade","execQty":"NaN?"}]}""" })
        {
            binance.Handle(Encoding.UTF8.GetBytes(frame));
            bybit.Handle(Encoding.UTF8.GetBytes(frame));
        }

        Assert.Equal(4, binance.Malformed);
        Assert.Equal(4, bybit.Malformed);
        Assert.Equal(0, binance.Reports + bybit.Reports);

        // Frames about other things are read and skipped.
        binance.Handle("""{"e":"outboundAccountPosition","E":1,"B":[]}"""u8);
        bybit.Handle("""{"success":true,"op":"auth"}"""u8);
        Assert.Equal(4, binance.Malformed);
        Assert.Equal(4, bybit.Malformed);
    }

    [Fact]
    public void Okx_frames_not_in_its_shape_are_counted_and_its_events_and_other_channels_are_skipped()
    {
        var session = new ExecutionSession(new NoVenue(), new OrderTracker("x-"));
        using var okx = new OkxPrivateStream(session, new Uri("ws://127.0.0.1:1"), "k", "s", "p");
        foreach (string frame in new[] { "{not json", "[]", """{"arg":{"channel":"orders"},"data":[{"clOrdId":"x-1"}]}""", """{"arg":{"channel":"orders"},"data":[{"ordId":"1","tradeId":"9","fillSz":"NaN?","fillPx":"1"}]}""" })
        {
            okx.Handle(Encoding.UTF8.GetBytes(frame));
        }

        Assert.Equal(4, okx.Malformed);
        okx.Handle("""{"event":"login","code":"0","msg":""}"""u8);
        okx.Handle("""{"arg":{"channel":"account"},"data":[{"ccy":"BTC"}]}"""u8);
        okx.Handle("""{"event":"subscribe","arg":{"channel":"orders","instType":"SPOT"}}"""u8);
        Assert.Equal(4, okx.Malformed);
        Assert.Equal(0, okx.Reports);
    }

    [Fact]
    public async Task An_okx_login_with_the_wrong_secret_is_refused_and_the_stream_never_goes_live()
    {
        await using VenueRig rig = await VenueRig.StartAsync("okx");
        using var stop = new CancellationTokenSource();
        using var okx = new OkxPrivateStream(rig.Session, new Uri(rig.Server.WsBase, "/ws/v5/private"), VenueRig.ApiKey, "not-the-secret", VenueRig.Passphrase, backoff: TimeSpan.FromMilliseconds(20));
        Task run = okx.RunAsync(stop.Token);
        await Eventually(() => rig.Ledger.BadSignatures >= 2); // refused, reconnected, refused again
        Assert.False(okx.Live);
        await stop.CancelAsync();
        await run;
    }

    private static int Count(OrderTracker tracker, ReportOutcome outcome) => tracker.Outcomes.GetValueOrDefault(outcome);

    // Waits for a condition the test caused (never for time to pass); the limit is only a guard against a hang.
    private static async Task Eventually(Func<bool> condition)
    {
        DateTime limit = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < limit, "condition not reached");
            await Task.Delay(10);
        }
    }

    /// <summary>A stream running against the rig's venue until disposed.</summary>
    private sealed class StreamRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        private StreamRun(PrivateOrderStream stream)
        {
            Stream = stream;
            _run = stream.RunAsync(_stop.Token);
        }

        public PrivateOrderStream Stream { get; }

        public static async Task<StreamRun> StartAsync(VenueRig rig, string venue)
        {
            PrivateOrderStream stream = venue switch
            {
                "binance" => new BinanceUserDataStream(rig.Session, rig.Server.BaseUrl, rig.Server.WsBase, VenueRig.ApiKey, backoff: TimeSpan.FromMilliseconds(20)),
                "kraken" => new KrakenPrivateStream(rig.Session, (KrakenExecutionClient)rig.Client, new Uri(rig.Server.WsBase, "/v2"), backoff: TimeSpan.FromMilliseconds(20)),
                "okx" => new OkxPrivateStream(rig.Session, new Uri(rig.Server.WsBase, "/ws/v5/private"), VenueRig.ApiKey, VenueRig.Secret, VenueRig.Passphrase, backoff: TimeSpan.FromMilliseconds(20)),
                "coinbase" => new CoinbaseUserStream(rig.Session, new Uri(rig.Server.WsBase, "/ws/user"), CoinbaseJwtSigner.TryCreate(VenueRig.CoinbaseKeyName, VenueRig.CoinbasePem)!,
                    backoff: TimeSpan.FromMilliseconds(20)),
                _ => new BybitPrivateStream(rig.Session, new Uri(rig.Server.WsBase, "/v5/private"), VenueRig.ApiKey, VenueRig.Secret, backoff: TimeSpan.FromMilliseconds(20)),
            };
            var run = new StreamRun(stream);
            await Eventually(() => stream.Live && rig.Server.Dialect.StreamConnections >= 1);
            return run;
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _run;
            Stream.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class NoVenue : IExecutionClient
    {
        public string Venue => "none";

        public Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel) => throw new NotSupportedException();

        public Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel) => throw new NotSupportedException();

        public Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel) => throw new NotSupportedException();

        public Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel) => throw new NotSupportedException();

        public Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel) => throw new NotSupportedException();

        public Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
