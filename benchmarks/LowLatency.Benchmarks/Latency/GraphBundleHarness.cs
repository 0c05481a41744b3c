using HdrHistogram;
using LowLatency.Adapters.Flashbots;
using LowLatency.Kernels;
using LowLatency.Kernels.NegativeCycle;
using LowLatency.Testing.Graph;

namespace LowLatency.Benchmarks.Latency;

/// <summary>
/// Tick → signed bundle through <c>run</c>'s own strategy step (<see cref="GraphBundleRig"/>: a V2 Sync into the market
/// ring, the strategy handler, the venue graph's evaluation with the SIMD cycle kernel, sizing and costing, and the
/// GraphBundler's exact re-quote, nonce, calldata and EIP-1559 signature), each tick's latency read from the bundle's own
/// stamps as the dashboard reads them (trigger tick's receive timestamp → signature). HdrHistogram, 3 significant digits;
/// allocations counted on the same thread. Every measured tick must sign exactly one bundle.
/// </summary>
public static class GraphBundleHarness
{
    public static LatencyResult Run(bool quick)
    {
        using var rig = new GraphBundleRig((nodes, edges) => new NegativeCycleHost(nodes, edges, KernelBackendPreference.Simd));
        // As run warms its copy before the first tick: every method of the path, the recording included, at tier 1
        // before anything is measured.
        var histogram = new LongHistogram(10_000_000_000L, 3);
        Ticks(rig, 3_000, histogram);
        histogram.Reset();
        int measured = quick ? 4_096 : 16_384;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Ticks(rig, measured, histogram);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return new LatencyResult(histogram.TotalCount, histogram.GetValueAtPercentile(50), histogram.GetValueAtPercentile(99), histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue(), allocated / (double)histogram.TotalCount);
    }

    private static void Ticks(GraphBundleRig rig, int count, LongHistogram histogram)
    {
        double nsPerTick = 1e9 / System.Diagnostics.Stopwatch.Frequency;
        for (int i = 0; i < count; i++)
        {
            if (rig.PoolTick() != 1)
            {
                throw new InvalidOperationException($"a pool tick signed no bundle (failed {rig.Bundler.Failed}, unsized {rig.Stage.Unsized}): the harness would measure something else");
            }

            ref readonly BuiltBundle bundle = ref rig.LastBundle;
            histogram.RecordValue(Math.Max(1, (long)((bundle.SignedTimestamp - bundle.TriggerTimestamp) * nsPerTick)));
        }
    }
}
