using System.Text;
using System.Text.Json;
using LowLatency.Host.Cli;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Tests.Cli;

public sealed class DexVerbTests
{
    // The pool's state after the first swap of 2024-01-05 (USDC/WETH 0.05 %), from its Swap log.
    private const string MainnetState = "\"sqrtPriceX96\":\"1662995104975155420368771254341874\",\"liquidity\":\"12453647101533358277\",\"tick\":199045,\"tickSpacing\":10,\"fee\":500";

    private static (int Exit, string[] Lines, string Err) Quote(params string[] inputLines) => Run(["quote", "--ndjson"], string.Join('\n', inputLines) + "\n");

    private static (int Exit, string[] Lines, string Err) Run(string[] args, string input)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = DexVerb.Run(args, new StringReader(input), stdout, stderr);
        return (exit, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr.ToString());
    }

    private static JsonElement Parse(string line)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Reproduces_the_second_swap_of_the_recorded_day_to_the_wei()
    {
        // Its log: amount0 1779711470, amount1 -783707260129944808, sqrtPriceX96 1662990119151672310826534140478120.
        (int exit, string[] lines, string err) = Quote("{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1779711470\"}");
        Assert.Equal(0, exit);
        Assert.Empty(err);
        JsonElement r = Parse(Assert.Single(lines));
        Assert.Equal("1779711470", r.GetProperty("amount0").GetString());
        Assert.Equal("-783707260129944808", r.GetProperty("amount1").GetString());
        Assert.Equal("1662990119151672310826534140478120", r.GetProperty("sqrtPriceX96").GetString());
        Assert.Equal(199045, r.GetProperty("tick").GetInt32());
        Assert.Equal("12453647101533358277", r.GetProperty("liquidity").GetString());
    }

    [Fact]
    public void Crosses_the_given_ticks_and_honours_the_limit_exactly_as_the_pool_does()
    {
        var pool = new V3Pool(3000, 60);
        pool.Initialize(FullMath.Q96);
        pool.Mint(-600, 600, 1_000_000_000_000_000_000UL, out _, out _);
        pool.Mint(-120, 240, 3_000_000_000_000_000_000UL, out _, out _);
        var ticks = new StringBuilder();
        for (int i = 0; i < pool.Ticks.Count; i++)
        {
            ticks.Append(i == 0 ? "" : ",").Append('[').Append(pool.Ticks.Ticks[i]).Append(",\"").Append(pool.Ticks.Infos[i].LiquidityNet).Append("\"]");
        }

        UInt256 limit = pool.State.SqrtPriceX96 - (pool.State.SqrtPriceX96 >> 6);
        string state = $"\"sqrtPriceX96\":\"{pool.State.SqrtPriceX96}\",\"liquidity\":\"{pool.State.Liquidity}\",\"tick\":{pool.State.Tick},\"tickSpacing\":60,\"fee\":3000,\"ticks\":[{ticks}]";
        (int exit, string[] lines, _) = Quote(
            "{\"pool\":\"v3\"," + state + ",\"zeroForOne\":true,\"amountSpecified\":\"500000000000000000\"}",
            "{\"pool\":\"v3\"," + state + ",\"zeroForOne\":true,\"amountSpecified\":\"-50000000000000000\",\"sqrtPriceLimitX96\":\"" + limit + "\"}",
            "{\"pool\":\"v3\"," + state + ",\"zeroForOne\":false,\"amountSpecified\":\"900000000000000000000\",\"sqrtPriceLimitX96\":\"" + pool.State.SqrtPriceX96 + "\"}");
        Assert.Equal(0, exit);
        Assert.Equal(3, lines.Length);

        Assert.Equal(V3Status.Ok, pool.Quote(true, 500_000_000_000_000_000L, V3Pool.DefaultPriceLimit(true), out V3SwapResult big));
        Assert.True(big.TicksCrossed >= 2);
        AssertSame(big, Parse(lines[0]));
        Assert.Equal(V3Status.Ok, pool.Quote(true, -50_000_000_000_000_000L, limit, out V3SwapResult limited));
        AssertSame(limited, Parse(lines[1]));
        Assert.Equal("{\"error\":\"the pool reverts: SPL\"}", lines[2]);
    }

    private static void AssertSame(V3SwapResult expected, JsonElement actual)
    {
        Assert.Equal(expected.Amount0.ToString(), actual.GetProperty("amount0").GetString());
        Assert.Equal(expected.Amount1.ToString(), actual.GetProperty("amount1").GetString());
        Assert.Equal(expected.SqrtPriceX96.ToString(), actual.GetProperty("sqrtPriceX96").GetString());
        Assert.Equal(expected.Tick, actual.GetProperty("tick").GetInt32());
        Assert.Equal(expected.Liquidity.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.GetProperty("liquidity").GetString());
    }

    [Fact]
    public void V2_quotes_both_ways_with_the_fee_as_given()
    {
        (int exit, string[] lines, _) = Quote(
            "{\"pool\":\"v2\",\"reserveIn\":\"5000000000000\",\"reserveOut\":\"2000000000000000000000\",\"amountIn\":\"1000000000\"}",
            "{\"pool\":\"v2\",\"reserveIn\":\"5000000000000\",\"reserveOut\":\"2000000000000000000000\",\"amountOut\":\"1000000000000000000\",\"feeBps\":25}",
            "{\"pool\":\"v2\",\"reserveIn\":\"5\",\"reserveOut\":\"5\",\"amountOut\":\"5\"}");
        Assert.Equal(0, exit);
        UniswapV2Math.GetAmountOut(1_000_000_000UL, 5_000_000_000_000UL, UInt256.Parse("2000000000000000000000"), 30, out UInt256 amountOut);
        UniswapV2Math.GetAmountIn(1_000_000_000_000_000_000UL, 5_000_000_000_000UL, UInt256.Parse("2000000000000000000000"), 25, out UInt256 amountIn);
        Assert.Equal("{\"amountOut\":\"" + amountOut + "\"}", lines[0]);
        Assert.Equal("{\"amountIn\":\"" + amountIn + "\"}", lines[1]);
        Assert.Equal("{\"error\":\"the library reverts: UniswapV2Library: INSUFFICIENT_LIQUIDITY\"}", lines[2]);
    }

    [Fact]
    public void Every_bad_line_gets_its_own_error_and_the_next_line_is_still_answered()
    {
        string good = "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1779711470\"}";
        string[] bad =
        [
            "",
            "not json",
            "[1,2]",
            "{\"pool\":\"v4\"}",
            "{\"pool\":\"v3\"}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":\"yes\",\"amountSpecified\":\"1\"}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":1}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1.5\"}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"0x10\"}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"0\"}",
            "{\"pool\":\"v3\"," + MainnetState.Replace("199045", "199046", StringComparison.Ordinal) + ",\"zeroForOne\":true,\"amountSpecified\":\"1\"}",
            "{\"pool\":\"v3\"," + MainnetState.Replace("\"fee\":500", "\"fee\":1000000", StringComparison.Ordinal) + ",\"zeroForOne\":true,\"amountSpecified\":\"1\"}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1\",\"ticks\":[[199041,\"5\"]]}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1\",\"ticks\":[[199040,\"5\"],[199040,\"5\"]]}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1\",\"ticks\":[[199040,5]]}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1\",\"sqrtPriceLimitX96\":\"1461446703485210103287273052203988822378723970342999\"}",
            "{\"pool\":\"v3\"," + MainnetState + ",\"zeroForOne\":true,\"amountSpecified\":\"1\",\"zeroForOne\":false}",
            "{\"pool\":\"v2\",\"reserveIn\":\"5\",\"reserveOut\":\"5\",\"amountIn\":\"1\",\"amountOut\":\"1\"}",
            "{\"pool\":\"v2\",\"reserveIn\":\"-5\",\"reserveOut\":\"5\",\"amountIn\":\"1\"}",
        ];
        var input = new List<string>();
        foreach (string line in bad)
        {
            input.Add(line);
            input.Add(good);
        }

        (int exit, string[] lines, string err) = Quote([.. input]);
        Assert.Equal(0, exit);
        Assert.Empty(err);
        Assert.Equal(input.Count, lines.Length);
        for (int i = 0; i < lines.Length; i += 2)
        {
            JsonElement error = Parse(lines[i]);
            Assert.True(error.TryGetProperty("error", out JsonElement message), $"line {i}: {lines[i]}");
            Assert.Single(error.EnumerateObject());
            Assert.DoesNotContain("   at ", message.GetString(), StringComparison.Ordinal);
            Assert.Equal("1779711470", Parse(lines[i + 1]).GetProperty("amount0").GetString());
        }

        Assert.Contains("AS", lines[2 * 9], StringComparison.Ordinal);
        Assert.Contains("tick", lines[2 * 10], StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_exit_2_and_help_exits_0()
    {
        Assert.Equal(2, Run([], "").Exit);
        Assert.Equal(2, Run(["price"], "").Exit);
        (int exit, _, string err) = Run(["quote", "--csv"], "");
        Assert.Equal(2, exit);
        Assert.StartsWith("dex: ", err, StringComparison.Ordinal);
        Assert.Equal(0, Run(["quote", "--help"], "").Exit);

        // Registered on the root command, arguments passed through.
        var stderr = new StringWriter();
        Assert.Equal(2, Program.BuildRoot(new StringWriter(), stderr).Parse(["dex", "nonsense"]).Invoke());
        Assert.Contains("dex: unknown command", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pasted_as_an_argument_is_not_echoed()
    {
        const string key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        (int exit, _, string err) = Run(["quote", "--" + key], "");
        Assert.Equal(2, exit);
        Assert.DoesNotContain(key, err, StringComparison.OrdinalIgnoreCase);
        (exit, string[] lines, _) = Quote("{\"" + key + "\":1,\"" + key + "\":2}");
        Assert.Equal(0, exit);
        Assert.DoesNotContain(key, lines[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_failed_write_or_read_is_exit_1_with_one_line_on_stderr()
    {
        var stderr = new StringWriter();
        int exit = DexVerb.Run(["quote", "--ndjson"], new StringReader("{\"pool\":\"v2\",\"reserveIn\":\"5\",\"reserveOut\":\"5\",\"amountIn\":\"1\"}\n"), new FailingWriter(), stderr);
        Assert.Equal(1, exit);
        Assert.StartsWith("dex quote: writing the answer to line 1 failed", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));

        stderr = new StringWriter();
        Assert.Equal(1, DexVerb.Run(["quote"], new FailingReader(), new StringWriter(), stderr));
        Assert.StartsWith("dex quote: reading stdin failed", stderr.ToString(), StringComparison.Ordinal);
    }

    private sealed class FailingWriter : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => throw new IOException("broken pipe");

        public override void Write(string? value) => throw new IOException("broken pipe");

        public override void WriteLine(string? value) => throw new IOException("broken pipe");
    }

    private sealed class FailingReader : TextReader
    {
        public override string? ReadLine() => throw new IOException("device error");
    }
}
