using System.Globalization;
using System.Numerics;
using System.Text;
using LowLatency.Adapters.Aggregators;

namespace LowLatency.Adapters.Execution.Tests.Aggregators;

public sealed class OwnPoolPricerTests
{
    private const string Usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
    private const string Weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
    private const string V3Pool = "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640";
    private const string V2Pair = "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc";

    // The recorded day's last state of the USDC/WETH 0.05 % pool (src/Adapters/Dex/README.md).
    private static readonly BigInteger SqrtPrice = Big("1663132957987881128134345656405165");
    private static readonly BigInteger Liquidity = Big("11687005496855121730");
    private static readonly BigInteger Q96 = BigInteger.One << 96;

    private static BigInteger Big(string s) => BigInteger.Parse(s, CultureInfo.InvariantCulture);

    private static OwnPoolPricer Pricer() => new([new OwnPool(V3Pool, true, 500, Usdc, Weth), new OwnPool(V2Pair, false, 30, Usdc, Weth)]);

    private static List<string> Load(OwnPoolPricer pricer, string json)
    {
        var errors = new List<string>();
        PoolStateFile.Parse(Encoding.UTF8.GetBytes(json), pricer, errors);
        return errors;
    }

    private static string State(string v2Reserve0, string v2Reserve1, string extraV3 = "") => $$"""
        {"block":18944480,"note":"skipped","pools":[
          {"address":"{{V3Pool}}","sqrtPriceX96":"{{SqrtPrice}}","tick":199047,"liquidity":"{{Liquidity}}"{{extraV3}}},
          {"address":"{{V2Pair}}","reserve0":"{{v2Reserve0}}","reserve1":"{{v2Reserve1}}"}]}
        """;

    [Fact]
    public void Selling_usdc_on_the_v3_pool_matches_the_whitepaper_formula_in_big_integers()
    {
        OwnPoolPricer pricer = Pricer();
        Assert.Empty(Load(pricer, State("1", "1"))); // a V2 pair with nothing in it: V3 wins
        BigInteger amount = 1_000_000_000; // 1000 USDC
        OwnQuote q = pricer.Quote(Usdc, Weth, amount);
        Assert.True(q.IsOk, q.Error);
        Assert.Equal("v3", q.Kind);
        Assert.Equal(18944480UL, q.Block);

        // Within one tick range, token0 in: fee off first, then sqrtP' = ceil(L·Q96·sqrtP / (L·Q96 + in·sqrtP)), out = floor(L·(sqrtP − sqrtP')/Q96).
        BigInteger lessFee = amount * (1_000_000 - 500) / 1_000_000;
        BigInteger numerator = Liquidity * Q96 * SqrtPrice, denominator = (Liquidity * Q96) + (lessFee * SqrtPrice);
        BigInteger next = (numerator + denominator - 1) / denominator;
        Assert.Equal(Liquidity * (SqrtPrice - next) / Q96, q.BuyAmount);
        Assert.InRange((double)q.BuyAmount / 1e18, 0.43, 0.45); // ETH at ~2269 USDC
    }

    [Fact]
    public void The_best_pool_wins_and_the_v2_output_is_the_library_formula_both_ways()
    {
        OwnPoolPricer pricer = Pricer();
        BigInteger r0 = Big("60000000000000"), r1 = Big("30000000000000000000000"); // 60M USDC, 30k WETH: 2000 USDC/ETH, cheaper WETH than V3
        Assert.Empty(Load(pricer, State(r0.ToString(CultureInfo.InvariantCulture), r1.ToString(CultureInfo.InvariantCulture))));
        BigInteger amount = 1_000_000_000;
        OwnQuote q = pricer.Quote(Usdc, Weth, amount);
        Assert.Equal("v2", q.Kind);
        Assert.Equal(V2Pair, q.Pool);
        Assert.Equal(amount * 997 * r1 / ((r0 * 1000) + (amount * 997)), q.BuyAmount);

        BigInteger eth = BigInteger.Pow(10, 18);
        OwnQuote back = pricer.Quote(Weth, Usdc, eth); // token1 in
        Assert.True(back.IsOk, back.Error);
        Assert.True(back.BuyAmount > 0);
        Assert.Equal(OwnQuote.Failed("no configured pool trades this pair"), pricer.Quote(Usdc, "0xdAC17F958D2ee523a2206206994597C13D831ec7", amount));
        Assert.False(pricer.Quote(Usdc, Weth, 0).IsOk);
    }

    [Fact]
    public void A_swap_past_the_ticks_we_know_is_refused_not_guessed()
    {
        var pricer = new OwnPoolPricer([new OwnPool(V3Pool, true, 500, Usdc, Weth)]);
        // Only the price's own bitmap word is known (tick 199047 / spacing 10 = 19904 → word 77).
        Assert.Empty(Load(pricer, $$"""{"pools":[{"address":"{{V3Pool}}","sqrtPriceX96":"{{SqrtPrice}}","tick":199047,"liquidity":"{{Liquidity}}","ticks":[],"knownWords":[77,77]}]}"""));
        OwnQuote huge = pricer.Quote(Usdc, Weth, BigInteger.Pow(10, 15)); // a billion USDC walks far below the word
        Assert.False(huge.IsOk);
        Assert.Contains(V3Pool, huge.Error, StringComparison.Ordinal);
        Assert.True(pricer.Quote(Usdc, Weth, 1_000_000_000).IsOk); // 1000 USDC stays inside the known word
    }

    [Fact]
    public void Without_state_our_price_says_so()
    {
        OwnQuote q = Pricer().Quote(Usdc, Weth, 1_000_000);
        Assert.False(q.IsOk);
        Assert.Contains("has no state", q.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "\"pools\" array")]
    [InlineData("{\"pools\":[{\"address\":\"0x0000000000000000000000000000000000000001\",\"reserve0\":\"1\",\"reserve1\":\"1\"}]}", "not a configured pool")]
    [InlineData("{\"pools\":[{\"address\":\"0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc\",\"reserve0\":\"-1\",\"reserve1\":\"1\"}]}", "reserve0")]
    [InlineData("{\"pools\":[{\"address\":\"0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640\",\"sqrtPriceX96\":\"1663132957987881128134345656405165\",\"tick\":5,\"liquidity\":\"1\"}]}", "not a valid V3 state")]
    [InlineData("{\"pools\":[{\"address\":\"0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640\",\"sqrtPriceX96\":\"1663132957987881128134345656405165\",\"tick\":199047,\"liquidity\":\"1\",\"ticks\":[[1,\"x\"]]}]}", "ticks")]
    [InlineData("{\"pools\":[{\"address\":\"nope\"}]}", "address")]
    public void A_bad_pool_state_file_names_the_problem_and_loads_nothing_for_that_pool(string json, string expected)
    {
        OwnPoolPricer pricer = Pricer();
        List<string> errors = Load(pricer, json);
        Assert.Contains(expected, Assert.Single(errors), StringComparison.Ordinal);
        Assert.False(pricer.Tracker.HasState(0) && pricer.Tracker.HasState(1));
    }

    [Fact]
    public void A_missing_file_is_an_error_value()
    {
        Assert.Contains("does not exist", Assert.Single(PoolStateFile.Load("/nonexistent/state.json", Pricer())), StringComparison.Ordinal);
    }
}
