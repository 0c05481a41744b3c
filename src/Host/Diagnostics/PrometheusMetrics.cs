using LowLatency.Host.Dashboard;
using Prometheus;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format (prometheus-net, a registry of our own, so tests and two engines in one
/// process never share series). Values are copied from the dashboard's current snapshot just before each scrape; a
/// figure that does not exist yet (a Sharpe ratio before two hours of trades) is NaN, never a made-up number.
/// </summary>
public sealed class PrometheusMetrics
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Func<DashboardSnapshot> _snapshot;
    private readonly Counter _ticks;
    private readonly Counter _events;
    private readonly Counter _opportunities;
    private readonly Counter _opportunitiesDropped;
    private readonly Counter _backPressured;
    private readonly Counter _logLines;
    private readonly Counter _persistenceRows;
    private readonly Gauge _latency;
    private readonly Counter _latencyCount;
    private readonly Gauge _venueIntegrity;
    private readonly Counter _venueErrors;
    private readonly Gauge _pnl;
    private readonly Gauge _sharpe;
    private readonly Gauge _maxDrawdown;
    private readonly Gauge _winRate;
    private readonly Gauge _opportunitiesPerHour;
    private readonly Gauge _executionSuccess;
    private readonly Counter _executionAttempts;
    private readonly Gauge _slippageError;
    private readonly Gauge _gasRatio;
    private readonly Counter _trades;
    private readonly Gauge _periodPnl;
    private readonly Gauge _cellSlippageError;
    private readonly Gauge _cellGasRatio;
    private readonly Gauge _snapshotAge;
    private readonly Gauge _breakerTripped;
    private readonly Counter _riskDenied;

    public PrometheusMetrics(Func<DashboardSnapshot> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _snapshot = snapshot;
        MetricFactory f = Metrics.WithCustomRegistry(_registry);
        _ticks = f.CreateCounter("lowlatency_ticks_total", "Market ticks published into the ring.");
        _events = f.CreateCounter("lowlatency_strategy_events_total", "Market events handled by the strategy thread.");
        _opportunities = f.CreateCounter("lowlatency_opportunities_total", "Opportunities found, by kind.", "kind");
        _opportunitiesDropped = f.CreateCounter("lowlatency_opportunities_dropped_total", "Opportunities dropped on a full opportunity ring.");
        _backPressured = f.CreateCounter("lowlatency_producer_back_pressure_total", "Failed claims on a full market ring.");
        _logLines = f.CreateCounter("lowlatency_log_lines_total", "Arbitrage log lines by outcome.", "outcome");
        _persistenceRows = f.CreateCounter("lowlatency_persistence_rows_total", "SQLite rows by outcome.", "outcome");
        _latency = f.CreateGauge("lowlatency_latency_seconds", "Latency percentiles by stage.", "stage", "quantile");
        _latencyCount = f.CreateCounter("lowlatency_latency_samples_total", "Latency samples by stage.", "stage");
        _venueIntegrity = f.CreateGauge("lowlatency_venue_integrity_score", "Fraction of a venue's books that are live and uncrossed.", "venue");
        _venueErrors = f.CreateCounter("lowlatency_venue_errors_total", "Venue book integrity errors by kind.", "venue", "kind");
        _pnl = f.CreateGauge("lowlatency_pnl_total", "Total realised P&L by currency.", "currency");
        _sharpe = f.CreateGauge("lowlatency_sharpe_ratio", "Annualised Sharpe ratio of hourly P&L (NaN: not enough data).");
        _maxDrawdown = f.CreateGauge("lowlatency_max_drawdown_usd", "Largest fall of cumulative P&L from its peak, USD.");
        _winRate = f.CreateGauge("lowlatency_win_rate", "Fraction of winning trades by strategy.", "strategy");
        _opportunitiesPerHour = f.CreateGauge("lowlatency_opportunities_per_hour", "Opportunities per hour over the run (NaN: not started).");
        _executionSuccess = f.CreateGauge("lowlatency_execution_success_rate", "Execution success rate by path.", "path");
        _executionAttempts = f.CreateCounter("lowlatency_execution_attempts_total", "Execution attempts by path.", "path");
        _slippageError = f.CreateGauge("lowlatency_slippage_error_bps", "Mean realised minus predicted slippage, bps (NaN: no samples).");
        _gasRatio = f.CreateGauge("lowlatency_gas_used_over_estimated", "Mean gas used over mean gas estimated (NaN: no samples).");
        _trades = f.CreateCounter("lowlatency_trades_total", "Executed (successful) trades, the ones P&L counts.");
        _periodPnl = f.CreateGauge("lowlatency_period_pnl_usd", "P&L of the latest UTC hour or day with a trade, USD (NaN: no trades).", "period");
        _cellSlippageError = f.CreateGauge("lowlatency_execution_slippage_error_bps", "Mean realised minus predicted slippage by path and venue, bps (NaN: no samples).", "path", "venue");
        _cellGasRatio = f.CreateGauge("lowlatency_execution_gas_used_over_estimated", "Mean gas used over mean gas estimated by path and venue (NaN: no samples).", "path", "venue");
        _snapshotAge = f.CreateGauge("lowlatency_strategy_snapshot_age_seconds", "Age of the strategy thread's last published snapshot (NaN: none yet).");
        _breakerTripped = f.CreateGauge("lowlatency_breaker_tripped", "1 while a risk breaker is tripped (for any subject), else 0.", "breaker");
        _riskDenied = f.CreateCounter("lowlatency_risk_denied_total", "Actions the risk gate denied, by breaker or refusal.", "breaker");
        _registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>Writes the current values in the text exposition format.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    private static double OrNaN(double? value) => value ?? double.NaN;

    private void Update()
    {
        DashboardSnapshot s = _snapshot();
        HealthResponse h = s.Health;
        _ticks.IncTo(h.Strategy.Ticks);
        _events.IncTo(h.Strategy.Events);
        foreach ((string kind, long count) in s.Opportunities.ByKind)
        {
            _opportunities.WithLabels(kind).IncTo(count);
        }

        _opportunitiesDropped.IncTo(h.Strategy.OpportunitiesDropped);
        _backPressured.IncTo(h.Strategy.BackPressured);
        _logLines.WithLabels("written").IncTo(h.Log.Written);
        _logLines.WithLabels("dropped").IncTo(h.Log.Dropped);
        _logLines.WithLabels("lost").IncTo(h.Log.Lost);
        _persistenceRows.WithLabels("written").IncTo(h.Persistence.Written);
        _persistenceRows.WithLabels("dropped").IncTo(h.Persistence.Dropped);
        _persistenceRows.WithLabels("failed").IncTo(h.Persistence.Failed);
        foreach (LatencyHistogramView l in s.Latency.Histograms)
        {
            _latencyCount.WithLabels(l.Name).IncTo(l.Count);
            _latency.WithLabels(l.Name, "0.5").Set(OrNaN(l.P50Ns) / 1e9);
            _latency.WithLabels(l.Name, "0.99").Set(OrNaN(l.P99Ns) / 1e9);
            _latency.WithLabels(l.Name, "0.999").Set(OrNaN(l.P999Ns) / 1e9);
        }

        foreach (VenueView v in s.Venues.Venues)
        {
            _venueIntegrity.WithLabels(v.Name).Set(v.IntegrityScore);
            _venueErrors.WithLabels(v.Name, "gap").IncTo(v.Gaps);
            _venueErrors.WithLabels(v.Name, "checksum").IncTo(v.ChecksumFailures);
            _venueErrors.WithLabels(v.Name, "crossed").IncTo(v.CrossedBooks);
            _venueErrors.WithLabels(v.Name, "stale").IncTo(v.StaleDrops);
        }

        PnlReport p = s.Pnl;
        _pnl.WithLabels("usd").Set(p.TotalUsd);
        _pnl.WithLabels("eth").Set(p.TotalEth);
        _sharpe.Set(OrNaN(p.Sharpe));
        _maxDrawdown.Set(p.MaxDrawdownUsd);
        foreach ((string strategy, WinRate w) in p.WinRateByStrategy)
        {
            _winRate.WithLabels(strategy).Set(OrNaN(w.Rate));
        }

        _opportunitiesPerHour.Set(OrNaN(p.OpportunitiesPerHour));
        foreach ((string path, PathSuccess ps) in p.ExecutionSuccessByPath)
        {
            _executionSuccess.WithLabels(path).Set(OrNaN(ps.Rate));
            _executionAttempts.WithLabels(path).IncTo(ps.Attempts);
        }

        _slippageError.Set(OrNaN(p.SlippageVsPredicted?.MeanErrorBps));
        _gasRatio.Set(OrNaN(p.GasVsEstimated?.UsedOverEstimated));
        _trades.IncTo(p.Trades);
        _periodPnl.WithLabels("hour").Set(p.HourlyReturns.Count == 0 ? double.NaN : p.HourlyReturns[^1].PnlUsd);
        _periodPnl.WithLabels("day").Set(p.DailyReturns.Count == 0 ? double.NaN : p.DailyReturns[^1].PnlUsd);
        foreach (ExecutionCell c in s.Execution.Cells)
        {
            _cellSlippageError.WithLabels(c.Path, c.Venue).Set(OrNaN(c.SlippageVsPredictedBps));
            _cellGasRatio.WithLabels(c.Path, c.Venue).Set(OrNaN(c.GasVsEstimated));
        }

        _snapshotAge.Set(OrNaN(h.SnapshotAgeMs) / 1000);
        UpdateBreakers(s.Breakers.Breakers);
    }

    private void UpdateBreakers(IReadOnlyList<BreakerView> breakers)
    {
        // One row per tripped subject: the breaker's series is 1 if any of its rows is tripped.
        var tripped = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (BreakerView b in breakers)
        {
            tripped[b.Name] = tripped.GetValueOrDefault(b.Name) || b.State == "tripped";
            _riskDenied.WithLabels(b.Name).IncTo(b.Denied);
        }

        foreach ((string name, bool on) in tripped)
        {
            _breakerTripped.WithLabels(name).Set(on ? 1 : 0);
        }
    }
}
