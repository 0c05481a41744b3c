using System.Globalization;

namespace LowLatency.Benchmarks.Checking;

/// <summary>What was measured for one benchmark or harness metric.</summary>
public sealed record MeasuredValue(double MedianNs, long? AllocatedBytesPerOp);

/// <summary>One line of the check: name, measured value, budget, verdict.</summary>
public sealed record BudgetVerdict(Budget Budget, double? Measured, string BudgetText, bool Pass, string? Note);

/// <summary>Compares measurements with budgets. Pure: no I/O, so it is unit-tested directly.</summary>
public static class BudgetChecker
{
    public static IReadOnlyList<BudgetVerdict> Check(
        IReadOnlyList<Budget> budgets,
        IReadOnlyDictionary<string, MeasuredValue> measured,
        IReadOnlyDictionary<string, double> externalMedianNs,
        bool quick)
    {
        var verdicts = new List<BudgetVerdict>(budgets.Count);
        foreach (Budget b in budgets)
        {
            verdicts.Add(CheckOne(b, measured, externalMedianNs, quick));
        }

        return verdicts;
    }

    private static BudgetVerdict CheckOne(
        Budget b,
        IReadOnlyDictionary<string, MeasuredValue> measured,
        IReadOnlyDictionary<string, double> external,
        bool quick)
    {
        double? min = b.EffectiveMin(quick);
        double? max = b.EffectiveMax(quick);
        string budgetText = min is { } lo ? $">= {Format(lo)}" : max is { } hi ? $"<= {Format(hi)}" : "(none)";
        if (min is null && max is null)
        {
            return new BudgetVerdict(b, null, budgetText, false, "budget has neither min nor max");
        }

        if (!measured.TryGetValue(b.Benchmark, out MeasuredValue? m))
        {
            return new BudgetVerdict(b, null, budgetText, false, $"{b.Benchmark} was not measured");
        }

        double? value;
        string? note = null;
        switch (b.Metric)
        {
            case "median_ns":
            case "p50_ns":
            case "p99_ns":
            case "p999_ns":
                value = m.MedianNs;
                break;
            case "allocated_bytes":
                value = m.AllocatedBytesPerOp;
                note = value is null ? "no memory diagnoser result" : null;
                break;
            case "speedup":
                if (b.Baseline is null || !measured.TryGetValue(b.Baseline, out MeasuredValue? baseline))
                {
                    return new BudgetVerdict(b, null, budgetText, false, $"baseline {b.Baseline ?? "(missing)"} was not measured");
                }

                value = baseline.MedianNs / m.MedianNs;
                break;
            case "speedup_vs_external":
                if (b.External is null || !external.TryGetValue(b.External, out double ext))
                {
                    return new BudgetVerdict(b, null, budgetText, false, $"external {b.External ?? "(missing)"} was not measured");
                }

                value = ext / m.MedianNs;
                break;
            default:
                return new BudgetVerdict(b, null, budgetText, false, $"unknown metric '{b.Metric}'");
        }

        if (value is not { } v || double.IsNaN(v))
        {
            return new BudgetVerdict(b, null, budgetText, false, note ?? "no value");
        }

        bool pass = (min is null || v >= min) && (max is null || v <= max);
        return new BudgetVerdict(b, v, budgetText, pass, note);
    }

    public static string Format(double value) =>
        Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}
