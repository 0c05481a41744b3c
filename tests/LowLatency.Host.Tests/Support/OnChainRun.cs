using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Host.Cli;
using LowLatency.Testing.Chain;
using LowLatency.Testing.Exchanges;
using LowLatency.Testing.Relay;
using LowLatency.Testing.Venues;
using Xunit.Abstractions;

namespace LowLatency.Host.Tests.Support;

/// <summary>
/// <c>run</c> on live data with the scene of a <see cref="RelayChainFixture"/> as one chain naming our executor (and,
/// optionally, a second chain whose node never answers), beside two CEX venues on loopback whose books do not cross.
/// Returns the exit code, stdout, stderr and the arbitrage log; every one is written to the test output.
/// </summary>
internal static class OnChainRun
{
    public const string FlashbotsKey = "0x7777777777777777777777777777777777777777777777777777777777777777";
    private const string BybitKey = "bybit-chain-key-Hq2x";
    private const string BybitSecret = "bybit-chain-secret-Vn7pQ3rT9w";
    private const string CoinbaseKeyName = "organizations/loopback/apiKeys/chain1";
    private const string BybitBook = """{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1786310818129,"data":{"s":"BTCUSDT","b":[["29990","0.2"]],"a":[["30000","0.2"]],"u":100,"seq":7},"cts":1786310818127}""";
    private const string CoinbaseBook = """{"channel":"l2_data","timestamp":"2026-08-09T21:05:48.483587501Z","sequence_num":1,"events":[{"type":"snapshot","product_id":"BTC-USDT","updates":[{"side":"bid","event_time":"2026-08-09T21:05:48.170326Z","price_level":"29980","new_quantity":"0.2"},{"side":"offer","event_time":"2026-08-09T21:05:48.170326Z","price_level":"30010","new_quantity":"0.2"}]}]}""";

    /// <summary>What a run changes from the plain one: <c>--execute</c> unless <see cref="DryRun"/>.</summary>
    public sealed record Options
    {
        public string? KillFile { get; init; }

        public double? MaxBaseFeeGwei { get; init; }

        public Uri? DarkNode { get; init; }

        public bool DryRun { get; init; }

        /// <summary>The scene's token as the configuration names it (its decimals are the fixture's).</summary>
        public string Token { get; init; } = "TKN";

        /// <summary><c>--models DIR</c>; null: the default (no models next to the test binaries: agents off).</summary>
        public string? Models { get; init; }

        /// <summary>More top-level settings, as JSON members (<c>"cluster": { … }</c>).</summary>
        public string? MoreSettings { get; init; }

        /// <summary>More arguments of <c>run</c> (<c>--cluster URL --node NAME</c>).</summary>
        public string[] MoreArgs { get; init; } = [];

        /// <summary>The configuration's and the log's file names (several engines share one folder).</summary>
        public string Name { get; init; } = "chain";
    }

    /// <summary>What one engine on the scene needs: its configuration file, log path and environment, and the CEX venues it trades beside the chain.</summary>
    public sealed class Scene : IAsyncDisposable
    {
        private readonly IAsyncDisposable _venues;

        internal Scene(string config, string log, Dictionary<string, string> environment, IAsyncDisposable venues) =>
            (Config, Log, Environment, _venues) = (config, log, environment, venues);

        public string Config { get; }

        public string Log { get; }

        public Dictionary<string, string> Environment { get; }

        public ValueTask DisposeAsync() => _venues.DisposeAsync();
    }

    public static async Task<(int Exit, string Out, string Err, string Log)> RunAsync(RelayChainFixture f, TempFolder folder, ITestOutputHelper output, Address executor, string duration, Options? options = null)
    {
        Options o = options ?? new Options();
        await using Scene scene = await PrepareAsync(f, folder, executor, o);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await Task.Run(() => Program.Invoke(QuietRun.Args([.. (o.DryRun ? new[] { "run" } : ["run", "--live", "--execute"]), "--config", scene.Config, "--log", scene.Log, "--duration", duration, .. (o.Models is null ? Array.Empty<string>() : ["--models", o.Models]), .. o.MoreArgs]),
            stdout, stderr, name => scene.Environment.GetValueOrDefault(name)));
        string text = File.Exists(scene.Log) ? await File.ReadAllTextAsync(scene.Log) : "";
        output.WriteLine(stdout.ToString());
        output.WriteLine(stderr.ToString());
        output.WriteLine(text);
        return (exit, stdout.ToString(), stderr.ToString(), text);
    }

    /// <summary>Writes the scene's configuration and starts its CEX venues; the caller runs the engine (in process or as a child).</summary>
    public static async Task<Scene> PrepareAsync(RelayChainFixture f, TempFolder folder, Address executor, Options? options = null)
    {
        Options o = options ?? new Options();
        (string? killFile, double? maxBaseFeeGwei, Uri? darkNode, bool dryRun) = (o.KillFile, o.MaxBaseFeeGwei, o.DarkNode, o.DryRun);
        FlashScenario s = f.Chain.Scenario;
        (DexPool v2, DexPool v3) = await s.ReadPoolsAsync();
        string Symbol(Address a) => a == s.Weth ? "WETH" : o.Token;
        string Chain(string name, string variable, ulong chainId) => $$"""
            "{{name}}": {
              "chainId": {{chainId}}, "rpcUrlVariable": "{{variable}}", "blockTimeMs": 1000, "nativeToken": "ETH",
              "tokens": {
                "WETH": { "address": "{{s.Weth}}", "decimals": 18 },
                "{{o.Token}}": { "address": "{{s.Token}}", "decimals": {{f.Chain.TokenDecimals}}, "usdPrice": 1 }
              },
              "pools": [
                { "kind": "v2", "address": "{{s.V2Pair}}", "token0": "{{Symbol(v2.Token0)}}", "token1": "{{Symbol(v2.Token1)}}", "fee": 30 },
                { "kind": "v3", "address": "{{s.V3Pool}}", "token0": "{{Symbol(v3.Token0)}}", "token1": "{{Symbol(v3.Token1)}}", "fee": 500 }
              ],
              {{(maxBaseFeeGwei is { } cap ? "\"maxBaseFeeGwei\": " + cap.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "," : "")}}
              "aavePool": "{{s.Aave.Pool}}",
              "executor": "{{executor}}"
            }
            """;
        LoopbackSet venues = await LoopbackSet.StartAsync();
        string config = folder.Write(o.Name + ".json", $$"""
            {{{(o.MoreSettings is null ? "" : "\n  " + o.MoreSettings + ",")}}
              "marketData": "live",
              "thresholdBps": 1,
              "execution": { "killSwitchFile": "{{killFile ?? Path.Combine(folder.Path, "NO_KILL")}}" },
              "venues": {
                "bybit": { "wsUrl": "{{venues.BybitFeed.WsUrl}}", "orderUrl": "{{venues.Bybit.BaseUrl}}", "symbols": ["BTCUSDT"] },
                "coinbase": { "wsUrl": "{{venues.CoinbaseFeed.WsUrl}}", "orderUrl": "{{venues.Coinbase.BaseUrl}}", "symbols": ["BTCUSDT"] }
              },
              "chains": {
                {{Chain("anvil", "ANVIL_WS_URL", s.Chain.ChainId)}}{{(darkNode is null ? "" : ",\n" + Chain("abyss", "ABYSS_WS_URL", s.Chain.ChainId + 1))}}
              },
              "flashbots": { "relays": [ { "name": "alpha", "url": "{{f.Alpha.Url}}" } ], "targetBlocks": 3, "confirmBlocks": 0 }
            }
            """);
        string log = Path.Combine(folder.Path, o.Name + ".log");
        var env = new Dictionary<string, string>
        {
            ["LIVE_VENUES"] = "bybit,coinbase",
            ["BYBIT_API_KEY"] = BybitKey,
            ["BYBIT_API_SECRET"] = BybitSecret,
            ["COINBASE_API_KEY_NAME"] = CoinbaseKeyName,
            ["COINBASE_API_PRIVATE_KEY"] = venues.CoinbaseKeyPem,
            ["ANVIL_WS_URL"] = f.Chain.Anvil.WsUrl.ToString(),
            ["ABYSS_WS_URL"] = darkNode?.ToString() ?? "",
        };
        if (!dryRun)
        {
            env["TRADING_PRIVATE_KEY"] = LocalAnvil.DevKey0;
            env["FLASHBOTS_SIGNER_KEY"] = FlashbotsKey;
        }

        return new Scene(config, log, env, venues);
    }

    public static JsonElement[] Lines(string log) =>
        [.. log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    public static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(LocalAnvil.DevKey0[2..], text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(FlashbotsKey[2..], text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(BybitSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY-----", text, StringComparison.Ordinal);
    }

    /// <summary>Two CEX venues on loopback whose books do not cross (no CEX pair is traded), with their order endpoints.</summary>
    private sealed class LoopbackSet : IAsyncDisposable
    {
        private readonly ECDsa _key;

        private LoopbackSet(LoopbackFrameServer bybitFeed, LoopbackFrameServer coinbaseFeed, LoopbackVenueServer bybit, LoopbackVenueServer coinbase, ECDsa key)
        {
            (BybitFeed, CoinbaseFeed, Bybit, Coinbase, _key) = (bybitFeed, coinbaseFeed, bybit, coinbase, key);
            CoinbaseKeyPem = key.ExportECPrivateKeyPem();
        }

        public LoopbackFrameServer BybitFeed { get; }

        public LoopbackFrameServer CoinbaseFeed { get; }

        public LoopbackVenueServer Bybit { get; }

        public LoopbackVenueServer Coinbase { get; }

        public string CoinbaseKeyPem { get; }

        public static async Task<LoopbackSet> StartAsync()
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            LoopbackFrameServer bybitFeed = await LoopbackFrameServer.StartAsync([Encoding.UTF8.GetBytes(BybitBook)]);
            LoopbackFrameServer coinbaseFeed = await LoopbackFrameServer.StartAsync([Encoding.UTF8.GetBytes(CoinbaseBook)]);
            LoopbackVenueServer bybit = await LoopbackVenueServer.StartAsync(new BybitDialect(new VenueLedger(), BybitKey, BybitSecret));
            LoopbackVenueServer coinbase = await LoopbackVenueServer.StartAsync(new CoinbaseDialect(new VenueLedger(), CoinbaseKeyName, key.ExportParameters(includePrivateParameters: false)));
            return new LoopbackSet(bybitFeed, coinbaseFeed, bybit, coinbase, key);
        }

        public async ValueTask DisposeAsync()
        {
            await BybitFeed.DisposeAsync();
            await CoinbaseFeed.DisposeAsync();
            await Bybit.DisposeAsync();
            await Coinbase.DisposeAsync();
            _key.Dispose();
        }
    }
}
