using System.Text.Json;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Host.Tests.Cli;

/// <summary><c>quote</c> end to end against the Kestrel loopback 0x and 1inch, in-process and through the launcher.</summary>
public sealed class QuoteVerbTests
{
    private const string ZeroExKey = "zx-secret-key-123";
    private const string OneInchKey = "oi-secret-key-456";

    // The recorded day's last state of the USDC/WETH 0.05 % pool and a V2 pair with a worse price.
    private const string PoolState = """
        {"block":18944480,"pools":[
          {"address":"0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640","sqrtPriceX96":"1663132957987881128134345656405165","tick":199047,"liquidity":"11687005496855121730"},
          {"address":"0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc","reserve0":"60000000000000","reserve1":"25000000000000000000000"}]}
        """;

    private static string Config(LoopbackAggregator zeroEx, LoopbackAggregator oneInch) =>
        "{\"aggregators\":{\"zeroX\":{\"baseUrl\":\"" + zeroEx.BaseUri + "\",\"maxAttempts\":2,\"baseDelayMs\":1},"
        + "\"oneInch\":{\"baseUrl\":\"" + oneInch.BaseUri + "\",\"maxAttempts\":2,\"baseDelayMs\":1}}}";

    private static (int Exit, string Out, string Err) Run(Dictionary<string, string> environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(["quote", .. args], stdout, stderr, name => environment.GetValueOrDefault(name));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Both_quotes_our_price_and_the_best_are_printed_as_a_table_and_the_keys_never()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, ZeroExKey);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, OneInchKey);
        zeroEx.Rate = (334_500_000, 1);
        using var folder = new TempFolder();
        string config = folder.Write("quote.json", Config(zeroEx, oneInch));
        string state = folder.Write("state.json", PoolState);
        (int exit, string output, string err) = Run(new() { ["ZEROX_API_KEY"] = ZeroExKey, ["ONEINCH_API_KEY"] = OneInchKey },
            "--chain", "1", "--sell", "USDC", "--buy", "WETH", "--amount", "1000", "--config", config, "--pool-state", state);

        Assert.True(exit == 0, err);
        Assert.Equal("", err);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sell 1000 USDC for WETH on chain 1 (ethereum)", lines[0]);
        Assert.StartsWith("source", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^0x\s+0\.3345\s+0\.0003345\s+-2\d{3}\.\d bps$", lines[2]); // the recorded V3 state pays ~0.44 WETH: far more than both
        Assert.Matches(@"^1inch\s+0\.3346\s+0\.0003346\s+-2\d{3}\.\d bps$", lines[3]);
        Assert.Matches(@"^own\s+0\.4\d+\s+0\.000\d+\s+best\s+v3 pool 0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640 at block 18944480$", lines[4]);
        Assert.Equal("best: own", lines[5]);
        Assert.DoesNotContain(ZeroExKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain(OneInchKey, output, StringComparison.Ordinal);
        Assert.Equal(ZeroExKey, Assert.Single(zeroEx.Requests).Headers["0x-api-key"]); // but it was sent
    }

    [Fact]
    public async Task Json_gives_one_object_with_every_source_and_a_missing_key_is_not_configured()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, ZeroExKey);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, OneInchKey);
        using var folder = new TempFolder();
        string config = folder.Write("quote.json", Config(zeroEx, oneInch));
        (int exit, string output, string err) = Run(new() { ["ZEROX_API_KEY"] = ZeroExKey },
            "--chain", "ethereum", "--sell", "usdc", "--buy", "WETH", "--amount", "1000.5", "--json", "--config", config);

        Assert.True(exit == 0, err);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Equal(1, root.GetProperty("chainId").GetInt32());
        Assert.Equal("1000500000", root.GetProperty("sellAmountBaseUnits").GetString());
        JsonElement[] quotes = [.. root.GetProperty("quotes").EnumerateArray()];
        Assert.Equal(["0x", "1inch", "own"], quotes.Select(q => q.GetProperty("source").GetString()));
        Assert.Equal("ok", quotes[0].GetProperty("status").GetString());
        Assert.Equal("334767300000000000", quotes[0].GetProperty("buyAmountBaseUnits").GetString());
        Assert.Equal("0.3347673", quotes[0].GetProperty("buyAmount").GetString());
        Assert.Equal("not configured", quotes[1].GetProperty("status").GetString());
        Assert.Equal("ONEINCH_API_KEY is not set", quotes[1].GetProperty("reason").GetString());
        Assert.Equal("no node configured", quotes[2].GetProperty("status").GetString());
        Assert.Contains("ETH_RPC_URL", quotes[2].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("0x", root.GetProperty("best").GetString());
        Assert.Equal(0, oneInch.RequestCount);
    }

    [Fact]
    public async Task Aggregator_faults_are_rows_with_their_reason_and_no_price_at_all_exits_1()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, ZeroExKey);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, OneInchKey);
        zeroEx.Steady = AggregatorFault.WrongToken;
        oneInch.Steady = AggregatorFault.ServerError;
        using var folder = new TempFolder();
        string config = folder.Write("quote.json", Config(zeroEx, oneInch));
        (int exit, string output, string err) = Run(new() { ["ZEROX_API_KEY"] = ZeroExKey, ["ONEINCH_API_KEY"] = OneInchKey },
            "--chain", "1", "--sell", "USDC", "--buy", "WETH", "--amount", "1000", "--config", config);

        Assert.Equal(1, exit);
        Assert.Equal("quote: no source gave a price\n", err);
        Assert.Contains("error (WrongToken: the answer quotes another token)", output, StringComparison.Ordinal);
        Assert.Contains("error (ServerError: HTTP 500)", output, StringComparison.Ordinal);
        Assert.Equal(2, oneInch.RequestCount); // retried once, as configured
        Assert.EndsWith("best: none\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--chain 5 --sell USDC --buy WETH --amount 1", "quote: --chain: '5' is not a configured chain")]
    [InlineData("--chain 1 --sell USDC --buy DOGE --amount 1", "quote: --buy: 'DOGE' is not a token of chain 1 (USDC, USDT, WETH)")]
    [InlineData("--chain 1 --sell USDC --buy WETH --amount 1.0000001", "quote: --amount: '1.0000001' must be a positive number of USDC with at most 6 decimals")]
    [InlineData("--chain 1 --sell USDC --buy WETH --amount -3", "quote: --amount:")]
    [InlineData("--chain 1 --sell USDC --buy WETH --amount 0", "quote: --amount:")]
    [InlineData("--chain 1 --sell USDC --buy usdc --amount 1", "quote: --buy: the same token as --sell")]
    [InlineData("--chain 1 --sell USDC --buy WETH", "quote: --amount: give the amount sold")]
    [InlineData("--chain 1 --sell USDC --buy WETH --amount 1 --pool-state /nonexistent/x.json", "quote: --pool-state: '/nonexistent/x.json' does not exist")]
    public void Usage_errors_are_one_line_starting_with_quote_and_exit_2(string args, string expected)
    {
        (int exit, string output, string err) = Run([], args.Split(' '));
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", output);
    }

    [Fact]
    public void A_bad_aggregator_setting_is_a_configuration_error()
    {
        using var folder = new TempFolder();
        string config = folder.Write("bad.json", """{"aggregators":{"zeroX":{"baseUrl":"ftp://x","maxAttempts":0}}}""");
        (int exit, _, string err) = Run([], "--chain", "1", "--sell", "USDC", "--buy", "WETH", "--amount", "1", "--config", config);
        Assert.Equal(2, exit);
        Assert.Contains("aggregators.zeroX.baseUrl: must be an http:// or https:// URL", err, StringComparison.Ordinal);
        Assert.Contains("aggregators.zeroX.maxAttempts: 0 must be between 1 and 10", err, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Through_the_launcher_the_keys_come_from_dot_env_and_never_reach_stdout_or_stderr()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, ZeroExKey);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, OneInchKey);
        using var folder = new TempFolder();
        folder.Write("quote.json", Config(zeroEx, oneInch));
        folder.Write("state.json", PoolState);
        folder.Write(".env", $"ZEROX_API_KEY={ZeroExKey}\nexport ONEINCH_API_KEY=\"{OneInchKey}\"\n");
        using ChildProcess child = ChildProcess.StartShell(folder.Path,
            "env -u ZEROX_API_KEY -u ONEINCH_API_KEY -u ETH_RPC_URL $LAUNCHER quote --chain 1 --sell USDC --buy WETH --amount 1000 --json --config quote.json --pool-state state.json",
            new Dictionary<string, string> { ["ZEROX_API_KEY"] = "", ["ONEINCH_API_KEY"] = "", ["ETH_RPC_URL"] = "" });
        int exit = await child.WaitExitAsync();
        Assert.True(exit == 0, child.Err);
        using JsonDocument json = JsonDocument.Parse(child.Out);
        Assert.All(json.RootElement.GetProperty("quotes").EnumerateArray(), q => Assert.Equal("ok", q.GetProperty("status").GetString()));
        Assert.Equal("own", json.RootElement.GetProperty("best").GetString());
        Assert.DoesNotContain(ZeroExKey, child.Out + child.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(OneInchKey, child.Out + child.Err, StringComparison.Ordinal);
        Assert.Equal("Bearer " + OneInchKey, Assert.Single(oneInch.Requests).Headers["Authorization"]);
    }

    private const string Taker = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    [Fact]
    public async Task With_a_taker_both_firm_quotes_follow_with_what_their_transactions_call_and_nothing_is_sent()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, ZeroExKey);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, OneInchKey);
        using var folder = new TempFolder();
        string config = folder.Write("quote.json", Config(zeroEx, oneInch));
        string state = folder.Write("state.json", PoolState);
        (int exit, string output, string err) = Run(new() { ["ZEROX_API_KEY"] = ZeroExKey, ["ONEINCH_API_KEY"] = OneInchKey },
            "--chain", "1", "--sell", "USDC", "--buy", "WETH", "--amount", "1000", "--config", config, "--pool-state", state, "--taker", Taker, "--slippage-bps", "100");

        Assert.True(exit == 0, err);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"firm quotes for {Taker}, slippage 100 bps (nothing is sent):", lines[6]);
        Assert.Equal($"0x    0.3346 WETH, at least 0.331254; tx to {LoopbackAggregator.AllowanceHolder} calls {LoopbackAggregator.ZeroExSelector} (164 bytes), gas 288095, value 0; approve USDC to {LoopbackAggregator.AllowanceHolder}", lines[7]);
        Assert.Equal($"1inch 0.3346 WETH, at least 0.331254; tx to {LoopbackAggregator.RouterV6} calls {LoopbackAggregator.OneInchSelector} (164 bytes), gas 180000, value 0; approve USDC to {LoopbackAggregator.RouterV6}", lines[8]);
        Assert.Contains(zeroEx.Requests, r => r.PathAndQuery.StartsWith("/swap/allowance-holder/quote?", StringComparison.Ordinal) && r.PathAndQuery.Contains("&slippageBps=100", StringComparison.Ordinal));
        Assert.Contains(oneInch.Requests, r => r.PathAndQuery.StartsWith("/swap/v6.0/1/swap?", StringComparison.Ordinal) && r.PathAndQuery.Contains("&slippage=1", StringComparison.Ordinal));
        Assert.DoesNotContain(ZeroExKey, output + err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_taker_json_carries_each_firm_quotes_transaction_and_a_missing_key_is_not_configured()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, ZeroExKey);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, OneInchKey);
        using var folder = new TempFolder();
        string config = folder.Write("quote.json", Config(zeroEx, oneInch));
        (int exit, string output, string err) = Run(new() { ["ZEROX_API_KEY"] = ZeroExKey },
            "--chain", "1", "--sell", "USDC", "--buy", "WETH", "--amount", "1000", "--config", config, "--taker", Taker, "--json");

        Assert.True(exit == 0, err);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement[] firm = [.. json.RootElement.GetProperty("firm").EnumerateArray()];
        Assert.Equal(["0x", "1inch"], firm.Select(f => f.GetProperty("source").GetString()));
        Assert.Equal("ok", firm[0].GetProperty("status").GetString());
        Assert.Equal("334600000000000000", firm[0].GetProperty("buyAmountBaseUnits").GetString());
        Assert.Equal("331254000000000000", firm[0].GetProperty("minBuyAmountBaseUnits").GetString()); // 0.5 %, the default
        JsonElement tx = firm[0].GetProperty("transaction");
        Assert.Equal(LoopbackAggregator.AllowanceHolder, tx.GetProperty("to").GetString());
        Assert.Equal(LoopbackAggregator.ZeroExSelector, tx.GetProperty("selector").GetString());
        Assert.Equal(164, tx.GetProperty("dataBytes").GetInt32());
        Assert.False(tx.TryGetProperty("data", out _)); // key-shaped words: not printed
        Assert.Equal("288095", tx.GetProperty("gas").GetString());
        Assert.Equal("not configured", firm[1].GetProperty("status").GetString());
        Assert.Equal("ONEINCH_API_KEY is not set", firm[1].GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("--taker", "0x1234", "--taker: '0x1234' is not an address")]
    [InlineData("--slippage-bps", "100", "--slippage-bps goes with --taker")]
    public void A_bad_taker_or_a_lone_slippage_is_a_usage_error(string flag, string value, string says)
    {
        (int exit, _, string err) = Run([], "--chain", "1", "--sell", "USDC", "--buy", "WETH", "--amount", "1000", flag, value);
        Assert.Equal(2, exit);
        Assert.Contains(says, err, StringComparison.Ordinal);
    }
}
