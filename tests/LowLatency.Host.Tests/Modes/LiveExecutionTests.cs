using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Adapters.Cluster;
using LowLatency.Adapters.Cluster.Limits;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.HotPath.Risk;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;
using LowLatency.Testing.Exchanges;
using LowLatency.Testing.Nats;
using LowLatency.Testing.Venues;

namespace LowLatency.Host.Tests.Modes;

/// <summary>
/// <c>run --live --execute</c> end to end: Bybit and Coinbase book snapshots from loopback WebSocket servers cross, the
/// strategy thread's gate approves, and the pair goes as two signed orders to the loopback venues (Bybit HMAC, Coinbase
/// ES256 JWT), which play fills or a reject; both venues are reconciled at start-up (an order left working by an earlier
/// run is adopted); the log and the done line account for the pair; no key is printed.
/// </summary>
public sealed class LiveExecutionTests
{
    private const string BybitKey = "bybit-live-key-Hq2x";
    private const string BybitSecret = "bybit-live-secret-Vn7pQ3rT9w";
    private const string CoinbaseKeyName = "organizations/loopback/apiKeys/live1";

    // Bybit asks 30000, Coinbase bids 30100: about 33 bps gross, 13 net of the two 10 bps taker fees.
    private const string BybitSnapshot = """{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1786310818129,"data":{"s":"BTCUSDT","b":[["29990","0.2"]],"a":[["30000","0.2"]],"u":100,"seq":7},"cts":1786310818127}""";
    private const string CoinbaseSnapshot = """{"channel":"l2_data","timestamp":"2026-08-09T21:05:48.483587501Z","sequence_num":1,"events":[{"type":"snapshot","product_id":"BTC-USDT","updates":[{"side":"bid","event_time":"2026-08-09T21:05:48.170326Z","price_level":"30100","new_quantity":"0.2"},{"side":"offer","event_time":"2026-08-09T21:05:48.170326Z","price_level":"30110","new_quantity":"0.2"}]}]}""";

    [Fact]
    public async Task A_crossed_pair_is_sent_to_both_venues_filled_hedged_logged_and_released()
    {
        await using Rig rig = await Rig.StartAsync();
        rig.Bybit.Ledger.Play(VenuePlay.Fill);
        rig.Coinbase.Ledger.Play(VenuePlay.Fill);
        // Left working by an earlier run: the start-up reconciliation adopts it.
        rig.Bybit.Ledger.Take("earlier-run-1", "BTCUSDT", true, 0.01m, 20_000m, VenuePlay.Rest);

        (int exit, string output, string error, string log) = rig.Run();

        Assert.True(exit == 0, error);
        Assert.Contains("live trading on live market data", output, StringComparison.Ordinal);
        Assert.True(output.Contains("done: live: pairs=1 hedged=1 unwound=0", StringComparison.Ordinal), output + log);
        LoopbackOrder buy = Assert.Single(rig.Bybit.Ledger.History, e => e.Kind == "New" && e.Order.ClientOrderId != "earlier-run-1").Order;
        LoopbackOrder sell = Assert.Single(rig.Coinbase.Ledger.History, e => e.Kind == "New").Order;
        Assert.True(buy.Buy);
        Assert.False(sell.Buy);
        Assert.Equal(30_000m, buy.Price);
        Assert.Equal(30_100m, sell.Price);
        Assert.Equal(0.2m, buy.Quantity); // the top; under the per-trade notional
        Assert.Equal("Filled", buy.Status);
        Assert.Equal("Filled", sell.Status);
        Assert.Equal(0, rig.Bybit.Ledger.BadSignatures + rig.Coinbase.Ledger.BadSignatures);

        // The symbols' rules were read at start-up, once, not by the pair.
        Assert.Equal((1, 1), (rig.Bybit.Ledger.RulesRequests, rig.Coinbase.Ledger.RulesRequests));
        JsonElement rules = Lines(log).Single(l => l.TryGetProperty("rules", out _) && l.GetProperty("venue").GetString() == "bybit");
        Assert.Equal("BTCUSDT", rules.GetProperty("symbol").GetString());
        Assert.StartsWith("BTC/USDT tick 0.00000001", rules.GetProperty("rules").GetString(), StringComparison.Ordinal);
        JsonElement bybit = Lines(log).Single(l => l.TryGetProperty("result", out _) && l.GetProperty("venue").GetString() == "bybit");
        Assert.Equal("ok", bybit.GetProperty("result").GetString());
        Assert.Equal(1, bybit.GetProperty("adopted").GetInt32());
        Assert.Equal("ok", Lines(log).Single(l => l.TryGetProperty("result", out _) && l.GetProperty("venue").GetString() == "coinbase").GetProperty("result").GetString());
        JsonElement pair = Lines(log).Single(l => l.TryGetProperty("outcome", out _));
        Assert.Equal("Hedged", pair.GetProperty("outcome").GetString());
        Assert.Equal(buy.ClientOrderId, pair.GetProperty("buyOrderId").GetString());
        Assert.Equal(sell.ClientOrderId, pair.GetProperty("sellOrderId").GetString());
        Assert.Matches("^ll[0-9a-f]+1b$", buy.ClientOrderId);
        Assert.Equal(0.2, pair.GetProperty("sold").GetDouble(), 9);
        double fees = (0.2 * 30_000 * 0.001) + (0.2 * 30_100 * 0.001);
        Assert.Equal((0.2 * 100) - fees, pair.GetProperty("pnl").GetDouble(), 6);
        rig.AssertNoSecret(output + error + log);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task In_cluster_mode_the_live_pair_passes_the_nodes_lease_and_its_fills_land_in_the_clusters_stream_once()
    {
        using var nats = new NatsServer();
        await using Rig rig = await Rig.StartAsync();
        rig.Bybit.Ledger.Play(VenuePlay.Fill);
        rig.Coinbase.Ledger.Play(VenuePlay.Fill);

        (int exit, string output, string error, string log) = rig.Run("--cluster", nats.Url, "--node", "a");

        Assert.True(exit == 0, error + output);
        Assert.Contains("cluster: node a joined " + nats.Url + ": 1 instruments x 2 venues", output, StringComparison.Ordinal);
        Assert.True(output.Contains("done: live: pairs=1 hedged=1", StringComparison.Ordinal), output + log);
        Assert.Matches(@"cluster: node a left: lease approved 1, refused 0 expired", output);

        // Both legs in the fill stream, once each, as the venues filled them; the pair's P&L rides on the last.
        JsonElement pair = Lines(log).Single(l => l.TryGetProperty("outcome", out _));
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        var fills = new List<JsonElement>();
        long records = await StreamReading.ReadAllAsync(observer.JetStream, ClusterBus.FillsStream, "ll.fill.a", (_, data) =>
        {
            using var doc = JsonDocument.Parse(data);
            fills.Add(doc.RootElement.Clone());
        });
        Assert.Equal(2, records);
        Assert.Equal([1L, 2L], fills.Select(f => f.GetProperty("seq").GetInt64()));
        Assert.Equal(["bybit buy 30000", "coinbase sell 30100"], fills.Select(f => $"{f.GetProperty("venue").GetString()} {f.GetProperty("side").GetString()} {f.GetProperty("price").GetDouble()}"));
        Assert.All(fills, f => Assert.Equal("BTCUSDT", f.GetProperty("asset").GetString()));
        Assert.All(fills, f => Assert.Equal(0.2, f.GetProperty("qty").GetDouble(), 9));
        Assert.Equal(0.2 * 30_000 * 0.001, fills[0].GetProperty("fee").GetDouble(), 9);
        Assert.Equal(0, fills[0].GetProperty("pnl").GetDouble());
        Assert.Equal(pair.GetProperty("pnl").GetDouble(), fills[1].GetProperty("pnl").GetDouble(), 6);

        // Each leg carries the lease's reading of the day: the pair's notional, charged once (what a restart adopts).
        Assert.All(fills, f => Assert.Equal(0.2 * 30_000, f.GetProperty("notionalToday").GetDouble(), 6));
        rig.AssertNoSecret(output + error + log);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Two_live_engines_on_one_cluster_share_its_day_so_a_pair_that_fits_it_once_is_sent_once()
    {
        // Two engine processes on one NATS see the same crossed book. The cluster's day (9,000 USD of notional) holds one
        // pair of about 6,000 USD, not two: the node holding the day's share sends it, the other node's lease refuses it as
        // daily notional, and the venues see one pair. With limits per node, both would send (each venue has two fills ready).
        using var nats = new NatsServer();
        await using Rig rig = await Rig.StartAsync();
        rig.Bybit.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);
        rig.Coinbase.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);
        string config = rig.WriteConfig("\"cluster\": { \"dailyNotionalLimitUsd\": 9000 },");
        using ChildProcess a = rig.Start(config, nats.Url, "a");
        using ChildProcess b = rig.Start(config, nats.Url, "b");
        Assert.True(await a.WaitExitAsync() == 0, a.Out + a.Err);
        Assert.True(await b.WaitExitAsync() == 0, b.Out + b.Err);

        ChildProcess[] traded = [.. new[] { a, b }.Where(e => e.Out.Contains("done: live: pairs=1 hedged=1", StringComparison.Ordinal))];
        ChildProcess[] notTraded = [.. new[] { a, b }.Where(e => e.Out.Contains("done: live: pairs=0", StringComparison.Ordinal))];
        Assert.True(traded.Length == 1 && notTraded.Length == 1, "a: " + a.Out + "\nb: " + b.Out);
        ChildProcess refused = notTraded[0];
        Match left = Regex.Match(refused.Out, @"left: lease approved 0, refused \d+ expired, \d+ paused, \d+ exposure, (?<notional>\d+) daily notional");
        Assert.True(left.Success && int.Parse(left.Groups["notional"].Value, CultureInfo.InvariantCulture) >= 1, refused.Out);
        Assert.Single(rig.Bybit.Ledger.History, e => e.Kind == "New");
        Assert.Single(rig.Coinbase.Ledger.History, e => e.Kind == "New");

        // The one pair's two legs are the cluster's only fills, and the day's shares never summed past the limit.
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        Assert.Equal(2, await StreamReading.ReadAllAsync(observer.JetStream, ClusterBus.FillsStream, "ll.fill.>", (_, _) => { }));
        var entry = await observer.Limits.TryGetEntryAsync("notional." + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        Assert.True(entry.Success && LimitShares.TryParse(entry.Value.Value, out LimitShares? shares, out _) && shares!.TotalGranted() <= ClusterLease.ToMicros(9_000),
            "the day's shares of notional sum past 9,000 USD");
        rig.AssertNoSecret(a.Out + a.Err + b.Out + b.Err + File.ReadAllText(rig.LogOf("a")) + File.ReadAllText(rig.LogOf("b")));
    }

    [Fact]
    public async Task A_rejected_leg_gets_the_other_unwound_and_a_partial_is_traded_out()
    {
        await using Rig rig = await Rig.StartAsync();
        rig.Bybit.Ledger.Play(VenuePlay.PartialFill);         // buys 0.08 of 0.2; cancelled at its window
        rig.Coinbase.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill); // sells 0.2, then buys the 0.12 back

        (int exit, string output, string error, string log) = rig.Run();

        Assert.True(exit == 0, error);
        Assert.True(output.Contains("done: live: pairs=1 hedged=0 unwound=1", StringComparison.Ordinal), output + log);
        LoopbackOrder unwind = rig.Coinbase.Ledger.History.Where(e => e.Kind == "New").Select(e => e.Order).Last();
        Assert.True(unwind.Buy);
        Assert.Equal(0.12m, unwind.Quantity);
        JsonElement pair = Lines(log).Single(l => l.TryGetProperty("outcome", out _));
        Assert.Equal("Unwound", pair.GetProperty("outcome").GetString());
        Assert.Equal(0.08, pair.GetProperty("bought").GetDouble(), 9);
        Assert.Equal(0.12, pair.GetProperty("unwound").GetDouble(), 9);
        Assert.Equal(0, pair.GetProperty("residual").GetDouble(), 9);
        rig.AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task A_venue_refusal_is_a_logged_value_and_the_filled_leg_is_unwound()
    {
        await using Rig rig = await Rig.StartAsync();
        rig.Bybit.Ledger.Play(VenuePlay.InsufficientBalance);
        rig.Coinbase.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);

        (int exit, string output, string error, string log) = rig.Run();

        Assert.True(exit == 0, error);
        Assert.True(output.Contains("done: live: pairs=1 hedged=0 unwound=1", StringComparison.Ordinal), output + log);
        Assert.Contains("InsufficientBalance", log, StringComparison.Ordinal);
        rig.AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task A_residual_whose_unwind_was_refused_is_retried_and_traded_flat_before_the_run_ends()
    {
        await using Rig rig = await Rig.StartAsync();
        rig.Bybit.Ledger.Play(VenuePlay.InsufficientBalance);
        rig.Coinbase.Ledger.Play(VenuePlay.Fill, VenuePlay.InsufficientBalance, VenuePlay.Fill); // sells, its buy-back is refused, the retry fills

        (int exit, string output, string error, string log) = rig.Run();

        Assert.True(exit == 0, error);
        Assert.True(output.Contains("done: live: pairs=1 hedged=0 unwound=0 held=0 unhedged=1", StringComparison.Ordinal), output + log);
        Assert.True(output.Contains("residuals=0 retried=1 flattened=1", StringComparison.Ordinal), output + log);
        JsonElement retry = Lines(log).Single(l => l.TryGetProperty("attempt", out _));
        Assert.Equal("flat", retry.GetProperty("state").GetString());
        Assert.Equal("buy", retry.GetProperty("side").GetString());
        Assert.Equal(0.2, retry.GetProperty("filled").GetDouble(), 9);
        LoopbackOrder buyBack = rig.Coinbase.Ledger.History.Where(e => e.Kind == "New").Select(e => e.Order).Last();
        Assert.True(buyBack.Buy);
        Assert.Equal(0.2m, buyBack.Quantity);
        rig.AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task A_venue_whose_connection_drops_fails_its_leg_the_other_is_unwound_and_the_private_stream_reconciles()
    {
        await using Rig rig = await Rig.StartAsync();
        rig.BybitPrivateStream = true; // Bybit's fills also arrive on its private stream, which reconciles when it connects
        rig.Bybit.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);
        rig.Coinbase.Ledger.Play(VenuePlay.DropBeforeAccept, VenuePlay.DropBeforeAccept, VenuePlay.DropBeforeAccept);

        (int exit, string output, string error, string log) = rig.Run();

        Assert.True(exit == 0, error);
        Assert.True(output.Contains("done: live: pairs=1 hedged=0 unwound=1", StringComparison.Ordinal), output + log);
        Assert.Equal(0, rig.Coinbase.Ledger.PlacesTaken); // never taken: three sends under one id, each dropped
        LoopbackOrder unwind = rig.Bybit.Ledger.History.Where(e => e.Kind == "New").Select(e => e.Order).Last();
        Assert.False(unwind.Buy);
        Assert.Equal(0.2m, unwind.Quantity);
        Assert.True(rig.Bybit.Dialect.StreamConnections >= 1);
        Assert.Matches(@"reconciles=bybit:[2-9]\d*,coinbase:1", output); // start-up, and the stream's own on connecting
        JsonElement pair = Lines(log).Single(l => l.TryGetProperty("outcome", out _));
        Assert.Contains("coinbase sell: Transport", pair.GetProperty("failures").GetString(), StringComparison.Ordinal);
        rig.AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task Without_a_second_traded_venue_live_refuses_to_start_and_sends_nothing()
    {
        await using Rig rig = await Rig.StartAsync();
        rig.Environment["LIVE_VENUES"] = "bybit";

        (int exit, _, string error, _) = rig.Run();

        Assert.Equal(2, exit);
        Assert.Contains("live trades CEX pairs across two venues", error, StringComparison.Ordinal);
        Assert.Equal(0, rig.Bybit.Ledger.RequestsSeen + rig.Coinbase.Ledger.RequestsSeen);
    }

    private static List<JsonElement> Lines(string log) =>
        [.. log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private sealed class Rig : IAsyncDisposable
    {
        private readonly ECDsa _coinbaseKey;
        private readonly TempFolder _folder = new();

        private Rig(LoopbackFrameServer bybitFeed, LoopbackFrameServer coinbaseFeed, LoopbackVenueServer bybit, LoopbackVenueServer coinbase, ECDsa coinbaseKey)
        {
            BybitFeed = bybitFeed;
            CoinbaseFeed = coinbaseFeed;
            Bybit = bybit;
            Coinbase = coinbase;
            _coinbaseKey = coinbaseKey;
            Environment = new Dictionary<string, string>
            {
                ["LIVE_VENUES"] = "bybit,coinbase",
                ["BYBIT_API_KEY"] = BybitKey,
                ["BYBIT_API_SECRET"] = BybitSecret,
                ["COINBASE_API_KEY_NAME"] = CoinbaseKeyName,
                ["COINBASE_API_PRIVATE_KEY"] = coinbaseKey.ExportECPrivateKeyPem(),
                ["ETH_RPC_URL"] = "http://127.0.0.1:1/rpcSECRET",
                ["TRADING_PRIVATE_KEY"] = "trading-key-QWERTYUIOP",
                ["FLASHBOTS_SIGNER_KEY"] = "signer-key-ASDFGHJKL",
            };
        }

        public LoopbackFrameServer BybitFeed { get; }

        public LoopbackFrameServer CoinbaseFeed { get; }

        public LoopbackVenueServer Bybit { get; }

        public LoopbackVenueServer Coinbase { get; }

        public Dictionary<string, string> Environment { get; }

        public bool BybitPrivateStream { get; set; }

        public static async Task<Rig> StartAsync()
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            // The books come 3 s after the subscriptions: the once-a-second integrity sample has seen both venues connected
            // by then (a venue sampled before it connects is quarantined until the next sample, and these feeds go quiet).
            LoopbackFrameServer bybitFeed = await LoopbackFrameServer.StartAsync([Encoding.UTF8.GetBytes(BybitSnapshot)], sendDelay: TimeSpan.FromSeconds(3));
            LoopbackFrameServer coinbaseFeed = await LoopbackFrameServer.StartAsync([Encoding.UTF8.GetBytes(CoinbaseSnapshot)], sendDelay: TimeSpan.FromSeconds(3));
            LoopbackVenueServer bybit = await LoopbackVenueServer.StartAsync(new BybitDialect(new VenueLedger(), BybitKey, BybitSecret));
            LoopbackVenueServer coinbase = await LoopbackVenueServer.StartAsync(new CoinbaseDialect(new VenueLedger(), CoinbaseKeyName, key.ExportParameters(includePrivateParameters: false)));
            return new Rig(bybitFeed, coinbaseFeed, bybit, coinbase, key);
        }

        /// <summary>Runs until both snapshots are processed (two ticks); the stop lets the pair finish. Quotes may age on a loaded box: the stale guard is wide.</summary>
        public (int Exit, string Out, string Err, string Log) Run(params string[] extra)
        {
            string config = WriteConfig();
            string log = Path.Combine(_folder.Path, "arb.log");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Program.Invoke(QuietRun.Args(["run", "--live", "--execute", "--config", config, "--log", log, "--ticks", "2", "--duration", "60s", .. extra]),
                stdout, stderr, name => Environment.GetValueOrDefault(name));
            return (exit, stdout.ToString(), stderr.ToString(), File.Exists(log) ? File.ReadAllText(log) : "");
        }

        /// <summary>As <see cref="Run"/>, as its own process in cluster mode as <paramref name="node"/> (log: <see cref="LogOf"/>).</summary>
        public ChildProcess Start(string config, string natsUrl, string node) =>
            ChildProcess.StartShell(_folder.Path,
                $"exec $LL run --live --execute --config '{config}' --log '{LogOf(node)}' --ticks 2 --duration 60s --cluster {natsUrl} --node {node} --no-db --no-dashboard",
                Environment, "cluster: node " + node + " joined");

        public string LogOf(string node) => Path.Combine(_folder.Path, node + ".log");

        /// <summary>The run's settings: both loopback venues' feeds and order endpoints, plus <paramref name="more"/> (members ending in a comma).</summary>
        public string WriteConfig(string more = "")
        {
            return _folder.Write("live.json", $$"""
                {
                  {{more}}
                  "marketData": "live",
                  "thresholdBps": 1,
                  "execution": { "risk": { "maxQuoteAgeNs": 60000000000 } },
                  "venues": {
                    "bybit": { "wsUrl": "{{BybitFeed.WsUrl}}", "orderUrl": "{{Bybit.BaseUrl}}", {{(BybitPrivateStream ? $"\"privateWsUrl\": \"{new Uri(Bybit.WsBase, "/v5/private")}\"," : "")}} "symbols": ["BTCUSDT"] },
                    "coinbase": { "wsUrl": "{{CoinbaseFeed.WsUrl}}", "orderUrl": "{{Coinbase.BaseUrl}}", "symbols": ["BTCUSDT"] }
                  }
                }
                """);
        }

        public void AssertNoSecret(string text)
        {
            Assert.DoesNotContain(BybitSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(BybitKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY-----", text, StringComparison.Ordinal);
            Assert.DoesNotContain("QWERTYUIOP", text, StringComparison.Ordinal);
        }

        public async ValueTask DisposeAsync()
        {
            await BybitFeed.DisposeAsync();
            await CoinbaseFeed.DisposeAsync();
            await Bybit.DisposeAsync();
            await Coinbase.DisposeAsync();
            _coinbaseKey.Dispose();
            _folder.Dispose();
        }
    }
}
