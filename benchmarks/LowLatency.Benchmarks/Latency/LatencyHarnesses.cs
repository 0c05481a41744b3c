namespace LowLatency.Benchmarks.Latency;

/// <summary>Percentiles of one harness run, in nanoseconds, and the bytes allocated per event on the measured thread.</summary>
public sealed record LatencyResult(long Count, double P50Ns, double P99Ns, double P999Ns, double MaxNs, double AllocatedBytesPerEvent);

/// <summary>The HdrHistogram latency harnesses the budget checker can run, by name.</summary>
public static class LatencyHarnesses
{
    public static LatencyResult? Run(string name, bool quick) => name switch
    {
        "tick_to_decision" => TickToDecisionHarness.Run(quick),
        ClusterTickToDecisionHarness.SingleBox or ClusterTickToDecisionHarness.Cluster => ClusterTickToDecisionHarness.Run(name, quick),
        "flash_bundle" => FlashBundleHarness.Run(quick),
        "graph_bundle" => GraphBundleHarness.Run(quick),
        "quote_loopback" => QuoteLoopbackHarness.Run(quick),
        _ => null,
    };
}

/// <summary>Baselines measured outside .NET in the same run (e.g. ethers.js via node), by name.</summary>
public static class ExternalBaselines
{
    /// <summary>
    /// Measures the named baseline. False with <paramref name="failure"/> set to one line saying what went wrong and,
    /// when something is not installed, what to run.
    /// </summary>
    public static bool TryMeasure(string name, bool quick, out double medianNs, out string? failure)
    {
        switch (name)
        {
            case Ethereum.EthersComparison.Name:
                return Ethereum.EthersComparison.TryMeasureMedianNs(quick, out medianNs, out failure);
            case Live.CcxtComparison.Name:
                return Live.CcxtComparison.TryMeasureMedianNs(quick, out medianNs, out failure);
            case FlashBundleEthers.Name:
                return FlashBundleEthers.TryMeasureMedianNs(quick, out medianNs, out failure);
            default:
                medianNs = double.NaN;
                failure = $"no external baseline named '{name}' (known: {Ethereum.EthersComparison.Name}, {Live.CcxtComparison.Name}, {FlashBundleEthers.Name})";
                return false;
        }
    }

    /// <summary>The one-line reason for a baseline whose tools are not installed: what is missing and the command that installs it.</summary>
    public static string NotSetUp(string what) => $"{what}; run 'make setup' (or scripts/setup-node-tools.sh) first";
}
