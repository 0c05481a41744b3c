using LowLatency.Host.Diagnostics;

namespace LowLatency.Host.Tests.Diagnostics;

public sealed class FinancialMetricsTests
{
    private const long Hour = 3_600_000_000_000L;

    [Fact]
    public void Drawdown_is_the_largest_fall_from_the_running_peak()
    {
        var ledger = new PnlLedger();
        foreach ((long t, double pnl) in new[] { (1L, 5.0), (2L, 5.0), (3L, -7.0), (4L, 1.0), (5L, -3.0), (6L, 20.0) })
        {
            ledger.Add(new TradeOutcome(t * Hour, "s", "cex-cex", "v", true, pnl, pnl / 2000));
        }

        PnlReport r = ledger.Report(12);
        Assert.Equal(21, r.TotalUsd, 9);
        Assert.Equal(0.0105, r.TotalEth, 9);
        Assert.Equal(9, r.MaxDrawdownUsd, 9); // peak 10, trough 1
        Assert.Equal(6, r.HourlyReturns.Count);
        Assert.Single(r.DailyReturns);
        Assert.Equal(21, r.DailyReturns[0].PnlUsd, 9);
        Assert.Equal(4.0 / 6, r.WinRateByStrategy["s"].Rate!.Value, 9); // 5, 5, 1 and 20 win; -7 and -3 lose
        Assert.Equal(12, r.OpportunitiesPerHour);
    }

    [Fact]
    public void Sharpe_is_the_annualised_mean_over_the_sample_deviation_of_hourly_pnl()
    {
        double[] hourly = [1, 2, 3];
        // mean 2, sample sd 1 → 2 · √8760
        Assert.Equal(2 * Math.Sqrt(8760), PnlLedger.Sharpe(hourly)!.Value, 9);
        Assert.Null(PnlLedger.Sharpe([5]));
        Assert.Null(PnlLedger.Sharpe([5, 5, 5]));
    }

    [Fact]
    public void Failed_attempts_count_for_execution_success_but_not_for_pnl()
    {
        var ledger = new PnlLedger();
        ledger.Add(new TradeOutcome(Hour, "flash", "flash-loan", "mainnet", true, 3, 0.001, 1, 2, 100, 120));
        ledger.Add(new TradeOutcome(Hour, "flash", "flash-loan", "mainnet", false, 99, 99));
        PnlReport r = ledger.Report(null);
        Assert.Equal(3, r.TotalUsd, 9);
        Assert.Equal(1, r.Trades);
        Assert.Equal(new PathSuccess(2, 1, 0.5), r.ExecutionSuccessByPath["flash-loan"]);
        Assert.Equal(1.2, r.GasVsEstimated!.UsedOverEstimated, 9);
        Assert.Equal(1, r.SlippageVsPredicted!.MeanErrorBps, 9);
        ExecutionCellFigures cell = Assert.Single(ledger.Matrix());
        Assert.Equal(("flash-loan", "mainnet", 2L, 1L), (cell.Path, cell.Venue, cell.Attempts, cell.Successes));
    }
}
