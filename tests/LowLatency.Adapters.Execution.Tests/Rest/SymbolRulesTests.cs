using LowLatency.Adapters.Cex.Execution;

namespace LowLatency.Adapters.Execution.Tests.Rest;

/// <summary>
/// Orders on a venue's grid: the quantity down to the lot step, the price to the tick on the side that never trades
/// worse than asked, and what falls below the least quantity or value refused before it leaves, with the numbers.
/// </summary>
public sealed class SymbolRulesTests
{
    // Binance BTCUSDT's published rules: tick 0.01, step 0.00001, min quantity 0.00001, min notional 5.
    private static readonly SymbolRules s_btc = new(0.01m, 0.00001m, 0.00001m, 5m);

    [Theory]
    [InlineData(true, "30000.019", "30000.01")] // a buy never pays more than asked
    [InlineData(false, "30000.011", "30000.02")] // a sell never takes less than asked
    [InlineData(true, "30000.01", "30000.01")] // on the tick: unchanged
    [InlineData(false, "30000.01", "30000.01")]
    public void Prices_go_to_the_tick_on_the_side_that_never_trades_worse(bool buy, string asked, string sent)
    {
        ExecResult<OrderRequest> shaped = s_btc.Shape(new OrderRequest("c1", "BTCUSDT", buy, 0.5m, decimal.Parse(asked, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(shaped.Ok, shaped.Detail);
        Assert.Equal(decimal.Parse(sent, System.Globalization.CultureInfo.InvariantCulture), shaped.Value!.Price);
        Assert.Equal(RuleBreach.None, s_btc.Check(shaped.Value.Quantity, shaped.Value.Price));
    }

    [Fact]
    public void The_quantity_goes_down_to_the_lot_step_and_the_rest_of_the_order_is_kept()
    {
        ExecResult<OrderRequest> shaped = s_btc.Shape(new OrderRequest("c7", "BTCUSDT", true, 0.123456789m, 30_000m));
        Assert.True(shaped.Ok, shaped.Detail);
        Assert.Equal(new OrderRequest("c7", "BTCUSDT", true, 0.12345m, 30_000m), shaped.Value);
    }

    [Fact]
    public void Below_the_least_quantity_or_value_is_refused_with_the_numbers()
    {
        ExecResult<OrderRequest> dust = s_btc.Shape(new OrderRequest("c1", "BTCUSDT", true, 0.000009m, 30_000m));
        Assert.Equal(ExecError.MinNotional, dust.Error);
        Assert.Contains("0.000009", dust.Detail, StringComparison.Ordinal);
        Assert.Contains("least quantity 0.00001", dust.Detail, StringComparison.Ordinal);

        // 0.0001 BTC at 30,000 is 3 USDT: above the least quantity, below the least value of 5.
        ExecResult<OrderRequest> small = s_btc.Shape(new OrderRequest("c2", "BTCUSDT", false, 0.0001m, 30_000m));
        Assert.Equal(ExecError.MinNotional, small.Error);
        Assert.Contains("order value 3.0000", small.Detail, StringComparison.Ordinal);
        Assert.Contains("least value 5", small.Detail, StringComparison.Ordinal);

        ExecResult<OrderRequest> cheap = s_btc.Shape(new OrderRequest("c3", "BTCUSDT", true, 1m, 0.004m));
        Assert.Equal(ExecError.PriceFilter, cheap.Error);
    }

    [Theory]
    [InlineData("0.5", "30000.01", RuleBreach.None)]
    [InlineData("0.5", "30000.015", RuleBreach.Tick)]
    [InlineData("0.500001", "30000", RuleBreach.Step)]
    [InlineData("0.0001", "30000", RuleBreach.MinNotional)]
    public void Check_names_the_first_rule_an_order_breaks(string quantity, string price, RuleBreach expected)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(expected, s_btc.Check(decimal.Parse(quantity, inv), decimal.Parse(price, inv)));
        Assert.Equal(RuleBreach.MinQuantity, new SymbolRules(0, 0, 0.001m, 0).Check(0.0009m, 1m));
    }

    [Fact]
    public void No_rules_leave_the_order_as_it_is_and_negative_rules_are_refused()
    {
        var none = new SymbolRules(0, 0, 0, 0);
        var order = new OrderRequest("c1", "X", true, 0.123456789123m, 1.23456789123m);
        Assert.Equal(order, none.Shape(order).Value);
        Assert.Null(SymbolRules.TryCreate(-0.01m, 0, 0, 0));
        Assert.NotNull(SymbolRules.TryCreate(0.01m, 0.001m, 0, 1m));
    }
}
