using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Host.Cli;
using LowLatency.Host.Configuration;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Modes;

public sealed partial class ModeTests
{
    // Shaped like real secrets (not hex, so the 64-hex redaction would not catch them: they must never be printed at all).
    private static readonly Dictionary<string, string> s_allKeys = new()
    {
        ["BINANCE_API_KEY"] = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        ["BINANCE_API_SECRET"] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        ["ETH_RPC_URL"] = "http://127.0.0.1:8545/SeCrEtToKeN",
        ["TRADING_PRIVATE_KEY"] = "trading-key-file-contents-QWERTYUIOP",
        ["FLASHBOTS_SIGNER_KEY"] = "signer-key-file-contents-ASDFGHJKL",
    };

    private static (int Exit, string Out, string Err) Invoke(Dictionary<string, string> env, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(args), stdout, stderr, name => env.GetValueOrDefault(name));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Live_without_execute_and_keys_refuses_and_names_every_missing_variable()
    {
        (int exit, string output, string error) = Invoke([], "run", "--live", "--duration", "1s");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("live needs --execute", error, StringComparison.Ordinal);
        Assert.Contains("not set: BINANCE_API_KEY, BINANCE_API_SECRET", error, StringComparison.Ordinal);
        // No chain names an executor: live trades CEX pairs only and asks for no key it would not use.
        Assert.False(ModeChecks.ExecutesOnChain(new EngineOptions()));
        foreach (string name in Credentials.Chain.Append("ETH_RPC_URL"))
        {
            Assert.DoesNotContain(name, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Live_trading_cex_pairs_needs_only_the_venues_keys()
    {
        var options = new EngineOptions { Mode = TradingMode.Live, MarketData = "live" };
        var venueKeys = new Dictionary<string, string>
        {
            ["BINANCE_API_KEY"] = s_allKeys["BINANCE_API_KEY"],
            ["BINANCE_API_SECRET"] = s_allKeys["BINANCE_API_SECRET"],
        };
        var errors = new List<string>();
        ModeChecks.Check(options, execute: true, name => venueKeys.GetValueOrDefault(name), errors);
        Assert.Empty(errors);

        // A key pasted as both is still refused, whichever keys the mode needs.
        venueKeys["TRADING_PRIVATE_KEY"] = venueKeys["FLASHBOTS_SIGNER_KEY"] = s_allKeys["TRADING_PRIVATE_KEY"];
        ModeChecks.Check(options, execute: true, name => venueKeys.GetValueOrDefault(name), errors);
        Assert.Contains(errors, e => e.Contains("FLASHBOTS_SIGNER_KEY must be a different key", StringComparison.Ordinal));
    }

    private static EngineOptions WithExecutor(string rpcVariable = "ETH_RPC_URL") => new()
    {
        Mode = TradingMode.Live,
        MarketData = "live",
        Chains = new Dictionary<string, ChainOptions>(ChainOptions.Defaults())
        {
            ["ethereum"] = ChainOptions.Defaults()["ethereum"] with { Executor = "0x809d550fca64d94Bd9F66E60752A544199cfAC3D", RpcUrlVariable = rpcVariable },
        },
    };

    [Fact]
    public void A_chain_naming_an_executor_makes_live_need_its_node_and_both_keys_and_names_each_missing_one()
    {
        EngineOptions options = WithExecutor("MAINNET_WS_URL");
        Assert.True(ModeChecks.ExecutesOnChain(options));
        Assert.Equal(["MAINNET_WS_URL"], ModeChecks.NodeVariables(options));
        var venueKeys = new Dictionary<string, string>
        {
            ["BINANCE_API_KEY"] = s_allKeys["BINANCE_API_KEY"],
            ["BINANCE_API_SECRET"] = s_allKeys["BINANCE_API_SECRET"],
        };
        var errors = new List<string>();
        ModeChecks.Check(options, execute: true, name => venueKeys.GetValueOrDefault(name), errors);
        string error = Assert.Single(errors);
        Assert.Contains("not set: MAINNET_WS_URL, TRADING_PRIVATE_KEY, FLASHBOTS_SIGNER_KEY", error, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public void On_chain_execution_refuses_a_node_that_is_not_a_websocket_keys_that_do_not_load_and_no_relay_without_quoting_a_value()
    {
        EngineOptions options = WithExecutor() with { Flashbots = new FlashbotsOptions { Relays = [] } };
        var errors = new List<string>();
        Assert.Null(OnChainExecution.TryCreate(options, name => s_allKeys.GetValueOrDefault(name), errors));
        Assert.Contains(errors, e => e.Contains("TRADING_PRIVATE_KEY is not a 32-byte hex key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("FLASHBOTS_SIGNER_KEY is not a 32-byte hex key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("flashbots.relays: on-chain execution sends bundles to relays", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ETH_RPC_URL must be a ws:// or wss:// URL (its value is not shown)", StringComparison.Ordinal));
        AssertNoSecret(string.Join("\n", errors));

        // The same valid key as both: refused, and neither key is quoted.
        string key = "0x" + new string('5', 64);
        var same = new Dictionary<string, string> { ["ETH_RPC_URL"] = "ws://127.0.0.1:8546/", ["TRADING_PRIVATE_KEY"] = key, ["FLASHBOTS_SIGNER_KEY"] = key };
        errors.Clear();
        Assert.Null(OnChainExecution.TryCreate(WithExecutor(), name => same.GetValueOrDefault(name), errors));
        string refused = Assert.Single(errors);
        Assert.Contains("FLASHBOTS_SIGNER_KEY", refused, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('5', 64), refused, StringComparison.Ordinal);

        // No executor anywhere: nothing on-chain, and nothing asked for.
        errors.Clear();
        Assert.Null(OnChainExecution.TryCreate(new EngineOptions { Mode = TradingMode.Live }, _ => null, errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void An_executing_chain_without_its_wrapped_native_token_aave_pool_or_two_pools_is_invalid()
    {
        ChainOptions bare = ChainOptions.Defaults()["polygon"] with { Executor = "0x809d550fca64d94Bd9F66E60752A544199cfAC3D", AavePool = "", Tokens = new Dictionary<string, TokenOptions> { ["USDC"] = new() { Address = "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", Decimals = 6, UsdPrice = -1 } } };
        string[] errors = [.. ChainOptions.ValidateAll(new Dictionary<string, ChainOptions> { ["polygon"] = bare with { Executor = "not-an-address" } }, "chains")];
        Assert.Contains(errors, e => e.StartsWith("chains.polygon.executor: must be a 0x address", StringComparison.Ordinal));
        errors = [.. ChainOptions.ValidateAll(new Dictionary<string, ChainOptions> { ["polygon"] = bare }, "chains")];
        Assert.Contains(errors, e => e.StartsWith("chains.polygon.aavePool: the executor borrows from Aave V3", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("the executor borrows WPOL (the wrapped POL)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("chains.polygon.pools: an executing chain needs at least two pools", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("chains.polygon.tokens.USDC.usdPrice: -1 must be a positive price", StringComparison.Ordinal));
        Assert.Empty(ChainOptions.ValidateAll(WithExecutor().Chains, "chains"));
    }

    [Fact]
    public void The_dry_run_follows_a_chain_with_a_websocket_node_says_which_key_signs_and_never_quotes_it()
    {
        EngineOptions options = WithExecutor() with { Mode = TradingMode.DryRun };
        string badKey = "0x" + new string('z', 64);
        string goodKey = "0x" + new string('5', 64);

        // No node URL: the chain is named as not followed, and a throw-away key would sign.
        using OnChainExecution? none = OnChainExecution.TryCreateDryRun(options, _ => null);
        Assert.NotNull(none);
        Assert.True(none.IsDryRun);
        Assert.Contains("ethereum not followed (ETH_RPC_URL is not a ws:// or wss:// URL)", none.DescribeStart(), StringComparison.Ordinal);
        Assert.Contains("signed with a throw-away key (no TRADING_PRIVATE_KEY)", none.DescribeStart(), StringComparison.Ordinal);

        // A key that does not load is said, not quoted; one that loads signs.
        var env = new Dictionary<string, string> { ["ETH_RPC_URL"] = "ws://127.0.0.1:8546/", ["TRADING_PRIVATE_KEY"] = badKey };
        using OnChainExecution? bad = OnChainExecution.TryCreateDryRun(options, name => env.GetValueOrDefault(name));
        string described = bad!.DescribeStart();
        Assert.Contains("on-chain dry run on ethereum (executor 0x809d550fca64d94Bd9F66E60752A544199cfAC3D, 2 pools)", described, StringComparison.Ordinal);
        Assert.Contains("signed with a throw-away key: TRADING_PRIVATE_KEY", described, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('z', 64), described, StringComparison.Ordinal);
        env["TRADING_PRIVATE_KEY"] = goodKey;
        using OnChainExecution? good = OnChainExecution.TryCreateDryRun(options, name => env.GetValueOrDefault(name));
        Assert.Contains("bundles are signed with TRADING_PRIVATE_KEY,", good!.DescribeStart(), StringComparison.Ordinal);
        Assert.DoesNotContain(new string('5', 64), good.DescribeStart(), StringComparison.Ordinal);

        // No chain names an executor: nothing on-chain.
        Assert.Null(OnChainExecution.TryCreateDryRun(new EngineOptions(), _ => null));
    }

    [Fact]
    public void The_gas_price_cap_defaults_per_chain_and_a_given_one_must_be_a_positive_number_of_gwei()
    {
        Dictionary<string, ChainOptions> chains = ChainOptions.Defaults();
        Assert.Equal(200, chains["ethereum"].EffectiveMaxBaseFeeGwei);
        Assert.Equal(1_000, chains["polygon"].EffectiveMaxBaseFeeGwei);
        Assert.Equal(2, chains["base"].EffectiveMaxBaseFeeGwei);
        Assert.Equal(35.5, (chains["ethereum"] with { MaxBaseFeeGwei = 35.5 }).EffectiveMaxBaseFeeGwei);
        foreach (double bad in new[] { 0, -3, double.NaN, double.PositiveInfinity })
        {
            string[] errors = [.. ChainOptions.ValidateAll(new Dictionary<string, ChainOptions> { ["ethereum"] = chains["ethereum"] with { MaxBaseFeeGwei = bad } }, "chains")];
            Assert.Contains(errors, e => e.StartsWith("chains.ethereum.maxBaseFeeGwei: ", StringComparison.Ordinal) && e.Contains("must be a positive number of gwei", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Live_names_the_keys_of_each_configured_venue_and_only_the_missing_ones()
    {
        var env = new Dictionary<string, string>(s_allKeys) { ["LIVE_VENUES"] = "binance, okx" };
        env.Remove("BINANCE_API_SECRET");
        (int exit, _, string error) = Invoke(env, "run", "--live", "--execute", "--duration", "1s");
        Assert.Equal(2, exit);
        Assert.Contains("not set: BINANCE_API_SECRET, OKX_API_KEY, OKX_API_SECRET, OKX_API_PASSPHRASE", error, StringComparison.Ordinal);
        Assert.DoesNotContain("ETH_RPC_URL", error, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public void Live_with_every_key_on_the_simulated_market_refuses_and_prints_no_key()
    {
        (int exit, string output, string error) = Invoke(new Dictionary<string, string>(s_allKeys) { ["TRADING_MODE"] = "live" }, "run", "--execute", "--duration", "1s");
        Assert.Equal(2, exit);
        Assert.Contains("live trades on live market data", error, StringComparison.Ordinal);
        AssertNoSecret(output + error);
    }

    [Fact]
    public void The_flashbots_signer_must_not_be_the_trading_key()
    {
        var env = new Dictionary<string, string>(s_allKeys) { ["FLASHBOTS_SIGNER_KEY"] = s_allKeys["TRADING_PRIVATE_KEY"] };
        (int exit, _, string error) = Invoke(env, "run", "--live", "--execute", "--duration", "1s");
        Assert.Equal(2, exit);
        Assert.Contains("FLASHBOTS_SIGNER_KEY must be a different key", error, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public void Execute_in_dry_run_is_refused_rather_than_silently_ignored()
    {
        (int exit, _, string error) = Invoke([], "run", "--execute", "--duration", "1s");
        Assert.Equal(2, exit);
        Assert.Contains("--execute: the mode is dry-run", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INITIAL_CASH", "lots", "INITIAL_CASH: 'lots' is not a number")]
    [InlineData("INITIAL_CASH", "-5", "execution.initialCash: -5 must be a positive amount")]
    [InlineData("ENABLE_AI_ORCHESTRATION", "maybe", "ENABLE_AI_ORCHESTRATION: 'maybe' must be true or false")]
    public void Seed_variables_are_read_and_checked(string name, string value, string expected)
    {
        (int exit, _, string error) = Invoke(new Dictionary<string, string> { [name] = value }, "run", "--duration", "1s");
        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Initial_cash_ai_switch_and_no_ai_reach_the_options()
    {
        var env = new Dictionary<string, string> { ["INITIAL_CASH"] = "2500.5", ["ENABLE_AI_ORCHESTRATION"] = "false", ["TRADING_MODE"] = "paper" };
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(null, name => env.GetValueOrDefault(name));
        Assert.Empty(errors);
        Assert.Equal(TradingMode.Paper, options.Mode);
        Assert.Equal(2500.5, options.Execution.InitialCash);
        Assert.False(options.Execution.EnableAiOrchestration);
    }

    [Theory]
    [InlineData("""{ "execution": null }""", "execution: must not be null")]
    [InlineData("""{ "execution": { "risk": null } }""", "execution.risk: must not be null")]
    [InlineData("""{ "execution": { "legPolicy": "pray", "risk": { "maxOpenLegs": 0, "gasCapWei": [0] } } }""", "execution.legPolicy: 'pray' must be unwind or hold")]
    [InlineData("""{ "execution": { "risk": { "maxOpenLegs": 0 } } }""", "execution.risk.maxOpenLegs: must be at least 1")]
    [InlineData("""{ "execution": { "risk": { "killSwitch": true } } }""", "killSwitch")]
    public void Execution_settings_are_validated_with_their_paths(string json, string expected)
    {
        using var folder = new TempFolder();
        var env = new Dictionary<string, string> { ["INITIAL_CASH"] = "10" };
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(folder.Write("c.json", json), name => env.GetValueOrDefault(name), o => o with { Mode = TradingMode.Paper });
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Dot_env_is_parsed_the_process_environment_wins_and_errors_never_quote_a_value()
    {
        using var folder = new TempFolder();
        string path = folder.Write(".env", """
            # keys
            export BINANCE_API_KEY="quoted value # not a comment"
            INITIAL_CASH=5000 # a comment
            TRADING_MODE='paper'
            EMPTY=
            this line is wrong SECRETVALUE
            OKX_API_SECRET="unterminated SECRETVALUE
            """);
        var errors = new List<string>();
        Func<string, string?> env = DotEnv.Layer(name => name == "TRADING_MODE" ? "dry-run" : null, path, errors);
        Assert.Equal("quoted value # not a comment", env("BINANCE_API_KEY"));
        Assert.Equal("5000", env("INITIAL_CASH"));
        Assert.Equal("dry-run", env("TRADING_MODE"));
        Assert.Equal("", env("EMPTY"));
        Assert.Null(env("OKX_API_SECRET"));
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e == ".env: line 6: expected NAME=value");
        Assert.Contains(errors, e => e == ".env: line 7: OKX_API_SECRET: the quote is not closed");
        Assert.All(errors, e => Assert.DoesNotContain("SECRETVALUE", e, StringComparison.Ordinal));
        Assert.Empty(DotEnv.Read(folder.File("missing.env"), errors));
        Assert.Equal(2, errors.Count);
    }

    [GeneratedRegex(@"^done: (?<ticks>\d+) ticks, (?<opportunities>\d+) opportunities, (?<events>\d+) engine events.*; log (?<written>\d+) lines written, (?<dropped>\d+) dropped \(queue full\), (?<lost>\d+) lost", RegexOptions.Multiline)]
    private static partial Regex RunDone();

    [GeneratedRegex(@"^done: paper: cross-venue fills=(?<fills>\d+) fees=(?<fees>[-0-9.]+) pnl=(?<pnl>[-0-9.]+) pairs=(?<pairs>\d+)", RegexOptions.Multiline)]
    private static partial Regex PaperDone();

    [Fact]
    public void Paper_mode_trades_through_the_paper_exchange_and_accounts_for_fills_fees_and_pnl_in_the_summary_and_the_log()
    {
        using var folder = new TempFolder();
        // Every quote pair is an opportunity (threshold −10,000 bps); most lose money once crossed, which trips the
        // consecutive-loss breaker: that alert must reach the log too. Quote age is not what this test is about.
        string config = folder.Write("paper.json", CertainMarket.Json.Replace(
            "\"thresholdBps\": -10000,",
            "\"thresholdBps\": -10000, \"mode\": \"paper\", \"execution\": { \"initialCash\": 20000, \"risk\": { \"maxQuoteAgeNs\": 3600000000000 } },",
            StringComparison.Ordinal));
        string log = folder.File("logs/arbitrage.log");
        (int exit, string output, string error) = Invoke([], "run", "--ticks", "3000", "--config", config, "--log", log);
        Assert.True(exit == 0, error);
        Assert.Contains("paper trading on the simulated market", output, StringComparison.Ordinal);
        Match done = PaperDone().Match(output);
        Assert.True(done.Success, output);
        int fills = int.Parse(done.Groups["fills"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(fills >= 2, output);

        int fillLines = 0;
        int summaries = 0;
        double fees = 0;
        foreach (string line in File.ReadAllLines(log))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            JsonElement o = json.RootElement;
            if (o.TryGetProperty("orderId", out _))
            {
                fillLines++;
                fees += o.GetProperty("fee").GetDouble();
                Assert.Equal("cross-venue", o.GetProperty("strategy").GetString());
                Assert.True(o.GetProperty("quantity").GetDouble() > 0);
            }
            else if (o.TryGetProperty("pnl", out JsonElement pnl))
            {
                summaries++;
                Assert.Equal(fills, o.GetProperty("fills").GetInt32());
                Assert.Equal(double.Parse(done.Groups["pnl"].Value, System.Globalization.CultureInfo.InvariantCulture), pnl.GetDouble(), 2);
            }
        }

        Assert.Equal(fills, fillLines);
        Assert.Equal(1, summaries);
        Assert.Equal(double.Parse(done.Groups["fees"].Value, System.Globalization.CultureInfo.InvariantCulture), fees, 2);
    }

    [Fact]
    public void Paper_mode_on_the_embedded_market_with_its_venue_graph_still_trades_because_graph_approvals_are_released()
    {
        // The graph's opportunities are stamped by the gate like the exchange pairs; had their reserved legs never been
        // released, the open-leg limit would fill within a second and deny every pair after it (fills=0).
        using var folder = new TempFolder();
        (int exit, string output, string error) = Invoke([], "run", "--mode", "paper", "--ticks", "3000", "--threshold-bps", "1", "--no-dashboard", "--no-db", "--log", folder.File("logs/arbitrage.log"));
        Assert.True(exit == 0, error);
        Assert.Contains("venue graph:", output, StringComparison.Ordinal);
        Match done = PaperDone().Match(output);
        Assert.True(done.Success, output);
        Assert.True(int.Parse(done.Groups["pairs"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1, output);
    }

    [Fact]
    public void A_kill_switch_file_denies_every_paper_trade_and_the_trip_is_an_alert_in_the_log()
    {
        using var folder = new TempFolder();
        string kill = folder.Write("KILL", "");
        string config = folder.Write("paper.json", CertainMarket.Json.Replace(
            "\"thresholdBps\": -10000,",
            "\"thresholdBps\": -10000, \"mode\": \"paper\", \"execution\": { \"killSwitchFile\": " + JsonSerializer.Serialize(kill) + " },",
            StringComparison.Ordinal));
        string log = folder.File("logs/arbitrage.log");
        (int exit, string output, string error) = Invoke([], "run", "--ticks", "3000", "--config", config, "--log", log);
        Assert.True(exit == 0, error);
        Match done = PaperDone().Match(output);
        Assert.True(done.Success, output);
        Assert.Equal("0", done.Groups["fills"].Value);
        Assert.Contains("KillSwitch=", output, StringComparison.Ordinal);
        string text = File.ReadAllText(log);
        Assert.Contains("\"breaker\":\"KillSwitch\",\"kind\":\"Tripped\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("orderId", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dry-run")]
    [InlineData("paper")]
    public void Risk_alerts_and_paper_fills_are_accounted_for_in_the_done_line_like_every_other_log_line(string mode)
    {
        // The kill file trips the switch on the first batch: one risk line that is neither an opportunity nor the start event.
        using var folder = new TempFolder();
        string kill = folder.Write("KILL", "");
        string config = folder.Write("c.json", CertainMarket.Json.Replace(
            "\"thresholdBps\": -10000,",
            "\"thresholdBps\": -10000, \"mode\": \"" + mode + "\", \"execution\": { \"killSwitchFile\": " + JsonSerializer.Serialize(kill) + " },",
            StringComparison.Ordinal));
        string log = folder.File("logs/arbitrage.log");
        (int exit, string output, string error) = Invoke([], "run", "--ticks", "2000", "--config", config, "--log", log);
        Assert.True(exit == 0, error);
        Match done = RunDone().Match(output);
        Assert.True(done.Success, output);
        long Figure(string name) => long.Parse(done.Groups[name].Value, System.Globalization.CultureInfo.InvariantCulture);
        string[] lines = File.ReadAllLines(log);
        Assert.Contains(lines, l => l.Contains("\"breaker\":\"KillSwitch\",\"kind\":\"Tripped\"", StringComparison.Ordinal));
        Assert.Equal(Figure("written"), lines.Length);
        Assert.Equal(Figure("opportunities") + Figure("events"), Figure("written") + Figure("dropped") + Figure("lost"));
    }

    private static void AssertNoSecret(string text)
    {
        foreach (string value in s_allKeys.Values)
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
    }
}
