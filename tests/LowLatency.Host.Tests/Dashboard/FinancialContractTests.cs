using System.Globalization;
using System.Text.Json;
using LowLatency.Host.Diagnostics;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary>
/// The financial figures as an operator reads them, in /api/pnl, /api/execution/matrix and /metrics, over trades whose
/// figures are worked out by hand (the same trades as <c>FinancialFigureTests</c>, so the arithmetic is in one place).
/// </summary>
public sealed class FinancialContractTests
{
    private const long Hour = 3_600_000_000_000L;

    private static void Feed(DashboardFixture d)
    {
        // Hours 1, 2, 3: +3, nothing, +3 − 1. Predicted slippage 2 and 4 bps, realised 3 and 7; gas 100k → 110k and
        // 300k → 250k. One failed flash-loan attempt.
        d.Feed.OnTrade(new TradeOutcome(1 * Hour, "a", "cex-cex", "alpha", true, 3, 0.001));
        d.Feed.OnTrade(new TradeOutcome(3 * Hour, "b", "cex-dex", "uni", true, 3, 0.001, 2, 3, 100_000, 110_000));
        d.Feed.OnTrade(new TradeOutcome(3 * Hour + 1, "b", "cex-dex", "uni", true, -1, -0.0005, 4, 7, 300_000, 250_000));
        d.Feed.OnTrade(new TradeOutcome(3 * Hour + 2, "flash", "flash-loan", "mainnet", false, 0, 0));
        d.Publish();
    }

    [Fact]
    public async Task Api_pnl_serves_the_hand_computed_figures()
    {
        await using var d = DashboardFixture.Start();
        Feed(d);
        using JsonDocument doc = JsonDocument.Parse(await d.Http.GetStringAsync("/api/pnl"));
        JsonElement p = doc.RootElement;
        Assert.Equal(5, p.GetProperty("totalUsd").GetDouble(), 9);
        Assert.Equal(0.0015, p.GetProperty("totalEth").GetDouble(), 12);
        Assert.Equal(3, p.GetProperty("trades").GetInt64());
        Assert.Equal(102.12037714663725, p.GetProperty("sharpe").GetDouble(), 9); // (5/3) / √(7/3) × √8760
        Assert.Equal(1, p.GetProperty("maxDrawdownUsd").GetDouble(), 9);
        Assert.Equal([3.0, 0.0, 2.0], p.GetProperty("hourlyReturns").EnumerateArray().Select(b => b.GetProperty("pnlUsd").GetDouble()));
        Assert.Equal("1970-01-01T01:00:00+00:00", p.GetProperty("hourlyReturns")[0].GetProperty("start").GetString());
        Assert.Equal(5, Assert.Single(p.GetProperty("dailyReturns").EnumerateArray()).GetProperty("pnlUsd").GetDouble(), 9);
        JsonElement b = p.GetProperty("winRateByStrategy").GetProperty("b");
        Assert.Equal((2, 1, 0.5), (b.GetProperty("trades").GetInt64(), b.GetProperty("wins").GetInt64(), b.GetProperty("rate").GetDouble()));
        JsonElement flash = p.GetProperty("executionSuccessByPath").GetProperty("flash-loan");
        Assert.Equal((1, 0, 0.0), (flash.GetProperty("attempts").GetInt64(), flash.GetProperty("successes").GetInt64(), flash.GetProperty("rate").GetDouble()));
        JsonElement slip = p.GetProperty("slippageVsPredicted");
        Assert.Equal((2, 3.0, 5.0, 2.0), (slip.GetProperty("samples").GetInt64(), slip.GetProperty("meanPredictedBps").GetDouble(), slip.GetProperty("meanRealizedBps").GetDouble(), slip.GetProperty("meanErrorBps").GetDouble()));
        Assert.Equal(0.9, p.GetProperty("gasVsEstimated").GetProperty("usedOverEstimated").GetDouble(), 12);

        using JsonDocument matrix = JsonDocument.Parse(await d.Http.GetStringAsync("/api/execution/matrix"));
        JsonElement cell = matrix.RootElement.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "cex-dex");
        Assert.Equal("uni", cell.GetProperty("venue").GetString());
        Assert.Equal(2, cell.GetProperty("slippageVsPredictedBps").GetDouble(), 12);
        Assert.Equal(0.9, cell.GetProperty("gasVsEstimated").GetDouble(), 12);
    }

    [Fact]
    public async Task Metrics_carry_the_same_figures()
    {
        await using var d = DashboardFixture.Start();
        Feed(d);
        string text = await d.Http.GetStringAsync("/metrics");
        Assert.Equal(5, Sample(text, "lowlatency_pnl_total{currency=\"usd\"}"), 9);
        Assert.Equal(0.0015, Sample(text, "lowlatency_pnl_total{currency=\"eth\"}"), 12);
        Assert.Equal(3, Sample(text, "lowlatency_trades_total"));
        Assert.Equal(102.12037714663725, Sample(text, "lowlatency_sharpe_ratio"), 9);
        Assert.Equal(1, Sample(text, "lowlatency_max_drawdown_usd"), 9);
        Assert.Equal(0.5, Sample(text, "lowlatency_win_rate{strategy=\"b\"}"), 12);
        Assert.Equal(2, Sample(text, "lowlatency_period_pnl_usd{period=\"hour\"}"), 9); // the latest hour: 3 − 1
        Assert.Equal(5, Sample(text, "lowlatency_period_pnl_usd{period=\"day\"}"), 9);
        Assert.Equal(0, Sample(text, "lowlatency_execution_success_rate{path=\"flash-loan\"}"));
        Assert.Equal(1, Sample(text, "lowlatency_execution_attempts_total{path=\"flash-loan\"}"));
        Assert.Equal(2, Sample(text, "lowlatency_slippage_error_bps"), 9);
        Assert.Equal(0.9, Sample(text, "lowlatency_gas_used_over_estimated"), 12);
        Assert.Equal(2, Sample(text, "lowlatency_execution_slippage_error_bps{path=\"cex-dex\",venue=\"uni\"}"), 9);
        Assert.Equal(0.9, Sample(text, "lowlatency_execution_gas_used_over_estimated{path=\"cex-dex\",venue=\"uni\"}"), 12);
        Assert.True(double.IsNaN(Sample(text, "lowlatency_execution_gas_used_over_estimated{path=\"flash-loan\",venue=\"mainnet\"}")), "no gas figures: NaN, not 0");
    }

    [Fact]
    public async Task Before_any_trade_the_period_figures_are_nan_not_zero()
    {
        await using var d = DashboardFixture.Start();
        d.Publish();
        string text = await d.Http.GetStringAsync("/metrics");
        Assert.True(double.IsNaN(Sample(text, "lowlatency_period_pnl_usd{period=\"hour\"}")));
        Assert.True(double.IsNaN(Sample(text, "lowlatency_sharpe_ratio")));
        Assert.Equal(0, Sample(text, "lowlatency_trades_total"));
    }

    // The value of the one sample line that starts with the series' name and labels.
    private static double Sample(string exposition, string series)
    {
        string line = Assert.Single(exposition.Split('\n'), l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line.AsSpan(series.Length + 1), NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
