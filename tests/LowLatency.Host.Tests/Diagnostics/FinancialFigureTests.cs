using LowLatency.Host.Diagnostics;

namespace LowLatency.Host.Tests.Diagnostics;

/// <summary>Every financial figure of /api/pnl against values worked out by hand in the comments.</summary>
public sealed class FinancialFigureTests
{
    private const long Hour = 3_600_000_000_000L;
    private const long Day = 24 * Hour;

    [Fact]
    public void A_quiet_hour_is_a_zero_return_in_the_lists_and_in_the_sharpe_ratio()
    {
        var ledger = new PnlLedger();
        ledger.Add(new TradeOutcome(1 * Hour + 10, "a", "cex-cex", "v", true, 3, 0.001));
        ledger.Add(new TradeOutcome(3 * Hour + 10, "b", "cex-dex", "v", true, 3, 0.001));
        ledger.Add(new TradeOutcome(3 * Hour + 20, "b", "cex-dex", "v", true, -1, -0.0005));
        PnlReport r = ledger.Report(null);

        // Hours 1, 2, 3: 3, 0 (nothing traded), 3 − 1 = 2.
        Assert.Equal([3.0, 0.0, 2.0], r.HourlyReturns.Select(b => b.PnlUsd));
        Assert.Equal([1L, 2L, 3L], r.HourlyReturns.Select(b => b.Start.ToUnixTimeMilliseconds() / 3_600_000L));
        // mean 5/3; squared deviations 16/9 + 25/9 + 1/9 = 42/9, over n − 1 = 2: 7/3; (5/3) / √(7/3) × √8760 = 102.1204.
        Assert.Equal(102.12037714663725, r.Sharpe!.Value, 9);
        ReturnBucket day = Assert.Single(r.DailyReturns);
        Assert.Equal(5, day.PnlUsd, 9);
        Assert.Equal(DateTimeOffset.UnixEpoch, day.Start);
        Assert.Equal(5, r.TotalUsd, 9);
        Assert.Equal(0.0015, r.TotalEth, 12);
        Assert.Equal(3, r.Trades);
        // Win rate per strategy: a 1 of 1, b 1 of 2 (the −1 loses).
        Assert.Equal(new WinRate(1, 1, 1.0), r.WinRateByStrategy["a"]);
        Assert.Equal(new WinRate(2, 1, 0.5), r.WinRateByStrategy["b"]);
        // Cumulative 3, 6, 5: the only fall is 1, from the peak 6.
        Assert.Equal(1, r.MaxDrawdownUsd, 9);
        Assert.Equal([3.0, 6.0, 5.0], r.Curve.Select(c => c.CumulativeUsd));
        Assert.Equal([0.0, 0.0, 1.0], r.Curve.Select(c => c.DrawdownUsd));
    }

    [Fact]
    public void Daily_returns_span_every_day_from_the_first_trade_to_the_last()
    {
        var ledger = new PnlLedger();
        ledger.Add(new TradeOutcome(23 * Hour, "a", "cex-cex", "v", true, 10, 0));
        ledger.Add(new TradeOutcome(2 * Day + Hour, "a", "cex-cex", "v", true, -4, 0));
        PnlReport r = ledger.Report(null);
        Assert.Equal([10.0, 0.0, -4.0], r.DailyReturns.Select(b => b.PnlUsd));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(2), r.DailyReturns[^1].Start);
        // Hour 23 of day 0 to hour 1 of day 2: 27 hours, two of them with a trade.
        Assert.Equal(27, r.HourlyReturns.Count);
        Assert.Equal(6, r.HourlyReturns.Sum(b => b.PnlUsd), 9);
        // A losing trade after the peak of 10: drawdown 4; 1 win of 2.
        Assert.Equal(4, r.MaxDrawdownUsd, 9);
        Assert.Equal(0.5, r.WinRateByStrategy["a"].Rate);
    }

    [Fact]
    public void The_lists_keep_the_latest_buckets_and_the_sharpe_ratio_uses_every_hour()
    {
        var ledger = new PnlLedger();
        int hours = PnlLedger.MaxHourlyReturns + 80;
        for (int h = 0; h < hours; h++)
        {
            ledger.Add(new TradeOutcome(h * Hour, "a", "cex-cex", "v", true, h % 2 == 0 ? 2 : -1, 0));
        }

        PnlReport r = ledger.Report(null);
        Assert.Equal(PnlLedger.MaxHourlyReturns, r.HourlyReturns.Count);
        Assert.Equal(hours - 1, r.HourlyReturns[^1].Start.ToUnixTimeMilliseconds() / 3_600_000L);
        // 400 hours of +2 and 400 of −1: mean 0.5, sample variance 800 × 2.25 / 799.
        double expected = 0.5 / Math.Sqrt(800 * 2.25 / 799) * Math.Sqrt(8760);
        Assert.Equal(expected, r.Sharpe!.Value, 9);
    }

    [Fact]
    public void Slippage_and_gas_are_compared_with_their_predictions_per_path_and_in_total()
    {
        var ledger = new PnlLedger();
        // Predicted 2 and 4 bps, realised 3 and 7: means 3 and 5, error +2 bps.
        ledger.Add(new TradeOutcome(Hour, "s", "cex-dex", "uni", true, 1, 0, 2, 3, 100_000, 110_000));
        ledger.Add(new TradeOutcome(Hour, "s", "cex-dex", "uni", true, 1, 0, 4, 7, 300_000, 250_000));
        // A failed attempt without figures counts as an attempt only.
        ledger.Add(new TradeOutcome(Hour, "s", "dex-dex", "uni", false, 0, 0));
        PnlReport r = ledger.Report(null);
        Assert.Equal(new SlippageComparison(2, 3, 5, 2), r.SlippageVsPredicted);
        // Gas estimated 100k and 300k (mean 200k), used 110k and 250k (mean 180k): 0.9 of the estimate.
        Assert.Equal(200_000, r.GasVsEstimated!.MeanEstimated, 9);
        Assert.Equal(180_000, r.GasVsEstimated.MeanUsed, 9);
        Assert.Equal(0.9, r.GasVsEstimated.UsedOverEstimated, 12);
        Assert.Equal(new PathSuccess(2, 2, 1.0), r.ExecutionSuccessByPath["cex-dex"]);
        Assert.Equal(new PathSuccess(1, 0, 0.0), r.ExecutionSuccessByPath["dex-dex"]);

        IReadOnlyList<ExecutionCellFigures> cells = ledger.Matrix();
        ExecutionCellFigures cexDex = cells.Single(c => c.Path == "cex-dex");
        Assert.Equal(2, cexDex.SlippageVsPredictedBps!.Value, 12);
        Assert.Equal(0.9, cexDex.GasVsEstimated!.Value, 12);
        ExecutionCellFigures dexDex = cells.Single(c => c.Path == "dex-dex");
        Assert.Null(dexDex.SlippageVsPredictedBps);
        Assert.Null(dexDex.GasVsEstimated);
        Assert.Equal(0.0, dexDex.SuccessRate);
    }

    [Fact]
    public void With_no_trades_every_figure_is_zero_or_absent_never_invented()
    {
        PnlReport r = new PnlLedger().Report(null);
        Assert.Equal((0.0, 0.0, 0L, 0.0), (r.TotalUsd, r.TotalEth, r.Trades, r.MaxDrawdownUsd));
        Assert.Null(r.Sharpe);
        Assert.Null(r.OpportunitiesPerHour);
        Assert.Null(r.SlippageVsPredicted);
        Assert.Null(r.GasVsEstimated);
        Assert.Empty(r.HourlyReturns);
        Assert.Empty(r.DailyReturns);
        Assert.Empty(r.WinRateByStrategy);
        Assert.Empty(r.ExecutionSuccessByPath);
    }
}
