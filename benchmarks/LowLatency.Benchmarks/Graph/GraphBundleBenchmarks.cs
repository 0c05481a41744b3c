using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.Flashbots;
using LowLatency.Kernels;
using LowLatency.Kernels.NegativeCycle;
using LowLatency.Testing.Graph;

namespace LowLatency.Benchmarks.Graph;

/// <summary>
/// Tick → signed bundle through the real strategy step of <c>run</c> (<see cref="GraphBundleRig"/>): a V2 Sync moves a
/// pair off a V3 pool, the strategy handler applies it, evaluates the venue graph (two-leg routes and the SIMD cycle
/// kernel), sizes and costs the DEX-DEX route, and the GraphBundler re-quotes it exactly, reserves a nonce, writes the
/// executor calldata and signs the EIP-1559 transaction. <see cref="SignOnly"/> (baseline) signs the same route with
/// nothing else, so the ratio is what the strategy step adds on top of the signature. Budgets: budgets/graph-bundle.json.
/// </summary>
[MemoryDiagnoser]
public class GraphBundleBenchmarks
{
    private GraphBundleRig _rig = null!;
    private FlashRoute _route = null!;
    private BundleFactory _factory = null!;
    private ulong _nonce;

    [GlobalSetup]
    public void Setup()
    {
        _rig = new GraphBundleRig((nodes, edges) => new NegativeCycleHost(nodes, edges, KernelBackendPreference.Simd));
        // As run warms its copy before the first tick: enough ticks for every method of the path to reach tier 1 here
        // (a quick job's warm-up alone is a few hundred operations of this one).
        for (int i = 0; i < 3_000; i++)
        {
            if (_rig.PoolTick() != 1)
            {
                throw new InvalidOperationException($"the rig's pool tick signed no bundle (failed {_rig.Bundler.Failed}, unsized {_rig.Stage.Unsized})");
            }
        }

        _route = _rig.Bundler.LastRoute;
        _factory = _rig.Factory;
    }

    [GlobalCleanup]
    public void Cleanup() => _rig.Dispose();

    [Benchmark(Baseline = true)]
    public bool SignOnly() => _factory.Build(_route, UInt256.One, 1_000, _nonce++, 455_000, new UInt256(16_500_000_000UL), new UInt256(500_000_000UL));

    [Benchmark]
    public long PoolTickToSignedBundle() => _rig.PoolTick();
}
