namespace LowLatency.Host.Diagnostics;

/// <summary>
/// One executed (or failed) attempt as execution reports it: what P&amp;L, slippage and gas it realised next to what was
/// predicted. Execution paths: <c>cex-cex</c>, <c>cex-dex</c>, <c>dex-dex</c>, <c>flash-loan</c>, <c>cross-chain</c>.
/// </summary>
public sealed record TradeOutcome(
    long TimeNs,
    string Strategy,
    string Path,
    string Venue,
    bool Succeeded,
    double PnlUsd,
    double PnlEth,
    double? PredictedSlippageBps = null,
    double? RealizedSlippageBps = null,
    long? GasEstimated = null,
    long? GasUsed = null);

public sealed record WinRate(long Trades, long Wins, double? Rate);

public sealed record PathSuccess(long Attempts, long Successes, double? Rate);

public sealed record ReturnBucket(DateTimeOffset Start, double PnlUsd);

public sealed record CurvePoint(long TimeNs, double CumulativeUsd, double DrawdownUsd);

public sealed record SlippageComparison(long Samples, double MeanPredictedBps, double MeanRealizedBps, double MeanErrorBps);

public sealed record GasComparison(long Samples, double MeanEstimated, double MeanUsed, double UsedOverEstimated);

public sealed record ExecutionCellFigures(string Path, string Venue, long Attempts, long Successes, double? SuccessRate, double? SlippageVsPredictedBps, double? GasVsEstimated);

/// <summary>
/// The financial figures of <c>/api/pnl</c>, the page and <c>/metrics</c>. Returns are P&amp;L in USD per UTC hour (day),
/// every hour (day) from the first trade's to the last trade's, a quiet one as 0: leaving quiet hours out would
/// overstate the Sharpe ratio. Sharpe is over those hourly returns (mean / sample standard deviation × √(24 × 365)),
/// null with fewer than two hours or no variation; drawdown is the largest fall of cumulative P&amp;L from its running
/// peak, in USD. A rate with nothing to divide by is null, not 0. The lists hold the latest
/// <see cref="PnlLedger.MaxHourlyReturns"/> hours and <see cref="PnlLedger.MaxDailyReturns"/> days; Sharpe uses every hour.
/// </summary>
public sealed record PnlReport(
    double TotalUsd,
    double TotalEth,
    long Trades,
    IReadOnlyDictionary<string, WinRate> WinRateByStrategy,
    double? Sharpe,
    double MaxDrawdownUsd,
    IReadOnlyList<ReturnBucket> DailyReturns,
    IReadOnlyList<ReturnBucket> HourlyReturns,
    IReadOnlyList<CurvePoint> Curve,
    double? OpportunitiesPerHour,
    IReadOnlyDictionary<string, PathSuccess> ExecutionSuccessByPath,
    SlippageComparison? SlippageVsPredicted,
    GasComparison? GasVsEstimated);

/// <summary>
/// Every <see cref="TradeOutcome"/> of a run, in arrival order, and the figures over them. Host thread (or under the
/// caller's own ordering); not on the hot path, allocates.
/// </summary>
public sealed class PnlLedger
{
    private const int MaxCurvePoints = 2_000;
    private const long HourNs = 3_600_000_000_000L;
    private const long DayNs = 24 * HourNs;

    /// <summary>Hourly returns listed (a month); the Sharpe ratio is over all of them.</summary>
    public const int MaxHourlyReturns = 720;

    /// <summary>Daily returns listed (a year).</summary>
    public const int MaxDailyReturns = 366;
    private readonly List<TradeOutcome> _outcomes = [];

    public int Count => _outcomes.Count;

    public void Add(TradeOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _outcomes.Add(outcome);
    }

    /// <summary>The cells of the execution matrix, one per (path, venue) seen.</summary>
    public IReadOnlyList<ExecutionCellFigures> Matrix()
    {
        var cells = new SortedDictionary<(string, string), List<TradeOutcome>>();
        foreach (TradeOutcome o in _outcomes)
        {
            if (!cells.TryGetValue((o.Path, o.Venue), out List<TradeOutcome>? list))
            {
                cells[(o.Path, o.Venue)] = list = [];
            }

            list.Add(o);
        }

        var result = new List<ExecutionCellFigures>(cells.Count);
        foreach (((string path, string venue), List<TradeOutcome> list) in cells)
        {
            long successes = list.Count(o => o.Succeeded);
            result.Add(new ExecutionCellFigures(path, venue, list.Count, successes, (double)successes / list.Count, Slippage(list)?.MeanErrorBps, Gas(list)?.UsedOverEstimated));
        }

        return result;
    }

    public PnlReport Report(double? opportunitiesPerHour)
    {
        double totalUsd = 0;
        double totalEth = 0;
        double peak = 0;
        double maxDrawdown = 0;
        var curve = new List<CurvePoint>(_outcomes.Count);
        var wins = new SortedDictionary<string, (long Trades, long Wins)>(StringComparer.Ordinal);
        var paths = new SortedDictionary<string, (long Attempts, long Successes)>(StringComparer.Ordinal);
        var hourly = new SortedDictionary<long, double>();
        var daily = new SortedDictionary<long, double>();
        foreach (TradeOutcome o in _outcomes)
        {
            (long a, long s) = paths.GetValueOrDefault(o.Path);
            paths[o.Path] = (a + 1, s + (o.Succeeded ? 1 : 0));
            if (!o.Succeeded)
            {
                continue;
            }

            totalUsd += o.PnlUsd;
            totalEth += o.PnlEth;
            peak = Math.Max(peak, totalUsd);
            maxDrawdown = Math.Max(maxDrawdown, peak - totalUsd);
            curve.Add(new CurvePoint(o.TimeNs, totalUsd, peak - totalUsd));
            (long t, long w) = wins.GetValueOrDefault(o.Strategy);
            wins[o.Strategy] = (t + 1, w + (o.PnlUsd > 0 ? 1 : 0));
            long hour = o.TimeNs / HourNs;
            hourly[hour] = hourly.GetValueOrDefault(hour) + o.PnlUsd;
            long day = o.TimeNs / DayNs;
            daily[day] = daily.GetValueOrDefault(day) + o.PnlUsd;
        }

        (double[] hours, long firstHour) = Filled(hourly);
        (double[] days, long firstDay) = Filled(daily);

        return new PnlReport(
            totalUsd,
            totalEth,
            curve.Count,
            wins.ToDictionary(kv => kv.Key, kv => new WinRate(kv.Value.Trades, kv.Value.Wins, (double)kv.Value.Wins / kv.Value.Trades), StringComparer.Ordinal),
            Sharpe(hours),
            maxDrawdown,
            Buckets(days, firstDay, 86_400_000L, MaxDailyReturns),
            Buckets(hours, firstHour, 3_600_000L, MaxHourlyReturns),
            Thin(curve),
            opportunitiesPerHour,
            paths.ToDictionary(kv => kv.Key, kv => new PathSuccess(kv.Value.Attempts, kv.Value.Successes, (double)kv.Value.Successes / kv.Value.Attempts), StringComparer.Ordinal),
            Slippage(_outcomes),
            Gas(_outcomes));
    }

    // Every bucket from the first to the last, 0 where nothing traded; at most MaxSpan of the latest (one clock per run
    // keeps the span to the run's length; this bounds what a nonsensical timestamp can cost).
    private static (double[] Values, long FirstKey) Filled(SortedDictionary<long, double> buckets)
    {
        const long maxSpan = 100_000;
        if (buckets.Count == 0)
        {
            return ([], 0);
        }

        long last = buckets.Keys.Last();
        long first = Math.Max(buckets.Keys.First(), last - maxSpan + 1);
        var filled = new double[last - first + 1];
        foreach ((long key, double pnl) in buckets)
        {
            if (key >= first)
            {
                filled[key - first] = pnl;
            }
        }

        return (filled, first);
    }

    // The latest `max` of them, each with its start (UTC).
    private static List<ReturnBucket> Buckets(double[] values, long firstKey, long bucketMs, int max)
    {
        int skip = Math.Max(0, values.Length - max);
        var list = new List<ReturnBucket>(values.Length - skip);
        for (int i = skip; i < values.Length; i++)
        {
            list.Add(new ReturnBucket(DateTimeOffset.FromUnixTimeMilliseconds((firstKey + i) * bucketMs), values[i]));
        }

        return list;
    }

    /// <summary>Annualised Sharpe of hourly P&amp;L: null with fewer than two values or a zero deviation.</summary>
    internal static double? Sharpe(ICollection<double> hourly)
    {
        if (hourly.Count < 2)
        {
            return null;
        }

        double mean = hourly.Average();
        double variance = hourly.Sum(r => (r - mean) * (r - mean)) / (hourly.Count - 1);
        return variance <= 0 ? null : mean / Math.Sqrt(variance) * Math.Sqrt(24 * 365);
    }

    private static SlippageComparison? Slippage(IEnumerable<TradeOutcome> outcomes)
    {
        var pairs = outcomes.Where(o => o.PredictedSlippageBps.HasValue && o.RealizedSlippageBps.HasValue).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        double predicted = pairs.Average(o => o.PredictedSlippageBps!.Value);
        double realized = pairs.Average(o => o.RealizedSlippageBps!.Value);
        return new SlippageComparison(pairs.Count, predicted, realized, realized - predicted);
    }

    private static GasComparison? Gas(IEnumerable<TradeOutcome> outcomes)
    {
        var pairs = outcomes.Where(o => o.GasEstimated is > 0 && o.GasUsed.HasValue).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        double estimated = pairs.Average(o => (double)o.GasEstimated!.Value);
        double used = pairs.Average(o => (double)o.GasUsed!.Value);
        return new GasComparison(pairs.Count, estimated, used, used / estimated);
    }

    // The page draws at most a few thousand points; keep every k-th and always the last.
    private static List<CurvePoint> Thin(List<CurvePoint> curve)
    {
        if (curve.Count <= MaxCurvePoints)
        {
            return curve;
        }

        int step = (curve.Count + MaxCurvePoints - 1) / MaxCurvePoints;
        var thin = new List<CurvePoint>(MaxCurvePoints + 1);
        for (int i = 0; i < curve.Count; i += step)
        {
            thin.Add(curve[i]);
        }

        if (thin[^1] != curve[^1])
        {
            thin.Add(curve[^1]);
        }

        return thin;
    }
}
