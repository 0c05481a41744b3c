using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;
using LowLatency.Kernels;
using LowLatency.Kernels.NegativeCycle;

namespace LowLatency.Benchmarks.Graph;

/// <summary>
/// The venue graph on the strategy thread: one evaluation after a pool moved, on a chain with a V2 pair and a V3
/// 0.05 % pool of 21 positions (the sizing walks V3 ticks) plus a triangle of V2 pairs found by the SIMD cycle kernel.
/// <see cref="FindOnly"/> (baseline) is the same evaluation with a threshold no route passes (weights summed, cycle
/// kernel run, nothing sized), so the ratio shows what sizing and costing add. Budgets: budgets/graph.json (0 B per
/// evaluation; no time budget is claimed).
/// </summary>
[MemoryDiagnoser]
public class GraphStageBenchmarks
{
    private static readonly UInt256 s_e18 = 1_000_000_000_000_000_000UL;
    private VenueGraph _graph = null!;
    private GraphStage _sizing = null!;
    private GraphStage _findOnly = null!;
    private NegativeCycleHost _hostA = null!;
    private NegativeCycleHost _hostB = null!;
    private int _pair;
    private int _tick;

    [GlobalSetup]
    public void Setup()
    {
        _graph = new VenueGraph(8, 32, 4, 1);
        int a = _graph.AddNode(0, GraphLocationKind.Chain, 0);
        int b = _graph.AddNode(1, GraphLocationKind.Chain, 0);
        int c = _graph.AddNode(2, GraphLocationKind.Chain, 0);
        _pair = _graph.AddV2Pool(a, b, 30);
        var v3 = new V3Pool(500, 10);
        v3.Initialize(FullMath.Q96);
        for (int i = -10; i <= 10; i++)
        {
            v3.Mint(i * 20, (i * 20) + 200, (UInt128)s_e18 * (UInt128)(11 + i), out _, out _);
        }

        int pool = _graph.AddV3Pool(a, b, v3);
        int bc = _graph.AddV2Pool(b, c, 30);
        int ca = _graph.AddV2Pool(c, a, 30);
        _graph.Freeze();
        _graph.OnV3Changed(pool);
        _graph.UpdateV2Reserves(bc, s_e18 * (UInt256)1_000UL, s_e18 * (UInt256)1_010UL);
        _graph.UpdateV2Reserves(ca, s_e18 * (UInt256)1_000UL, s_e18 * (UInt256)1_010UL);
        for (int asset = 0; asset < 3; asset++)
        {
            _graph.SetAssetPrice(asset, 2_000);
        }

        _graph.SetChainGas(0, new ChainGas { BaseFeeWei = 10e9, PriorityFeeWei = 1e9, FlashLoanPremiumBps = 5, TxBaseGas = 21_000, FlashLoanGas = 30_000, V2SwapGas = 100_000, V3SwapGas = 130_000, V3TickCrossGas = 25_000 });
        _hostA = new NegativeCycleHost(8, 32, KernelBackendPreference.Simd);
        _hostB = new NegativeCycleHost(8, 32, KernelBackendPreference.Simd);
        _sizing = new GraphStage(_graph, new GraphStageOptions(), _hostA);
        _findOnly = new GraphStage(_graph, new GraphStageOptions { ThresholdBps = 9_999 }, _hostB);
        if (Sizing() == 0)
        {
            throw new InvalidOperationException("the benchmark graph found no opportunity");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hostA.Dispose();
        _hostB.Dispose();
    }

    private void Move()
    {
        // 1,002 … 1,009 B per 1,000 A: the pair is always 0.2–0.9 % off the V3 pool, so there is always a route to size.
        _tick = (_tick + 1) & 7;
        _graph.UpdateV2Reserves(_pair, s_e18 * (UInt256)1_000UL, s_e18 * (UInt256)(ulong)(1_002 + _tick));
    }

    [Benchmark(Baseline = true)]
    public int FindOnly()
    {
        Move();
        var sink = new NullSink();
        return _findOnly.Evaluate(ref sink, 0, 0);
    }

    [Benchmark]
    public int Sizing()
    {
        Move();
        var sink = new NullSink();
        return _sizing.Evaluate(ref sink, 0, 0);
    }

    private struct NullSink : IOpportunitySink
    {
        public readonly void OnOpportunity(in Opportunity opportunity)
        {
        }
    }
}
