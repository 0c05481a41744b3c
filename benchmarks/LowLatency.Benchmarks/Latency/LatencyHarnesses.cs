namespace LowLatency.Benchmarks.Latency;

/// <summary>Percentiles of one harness run, in nanoseconds, and the bytes allocated per event on the measured thread.</summary>
public sealed record LatencyResult(long Count, double P50Ns, double P99Ns, double P999Ns, double MaxNs, double AllocatedBytesPerEvent);

/// <summary>The HdrHistogram latency harnesses the budget checker can run, by name.</summary>
public static class LatencyHarnesses
{
    public static LatencyResult? Run(string name, bool quick) => name switch
    {
        "tick_to_decision" => TickToDecisionHarness.Run(quick),
        _ => null,
    };
}

/// <summary>Baselines measured outside .NET in the same run (e.g. ethers.js via node), by name.</summary>
public static class ExternalBaselines
{
    public static bool TryMeasure(string name, bool quick, out double medianNs)
    {
        switch (name)
        {
            case "ethers":
                return Ethereum.EthersComparison.TryMeasureMedianNs(quick, out medianNs);
            default:
                medianNs = double.NaN;
                return false;
        }
    }
}
