using BenchmarkDotNet.Attributes;
using LowLatency.Kernels.NegativeCycle;

namespace LowLatency.Benchmarks.Kernels;

/// <summary>
/// One negative-cycle search: 200 nodes, 2,000 edges, 4 synchronous Bellman-Ford rounds (cycles of up to four legs),
/// weights −ln(rate) of rates within ±30 bps of 1 and 5 % of edges without a quote. Baseline: the scalar reference.
/// Budgets: budgets/kernels.json.
/// </summary>
[MemoryDiagnoser]
public class NegativeCycleBenchmarks
{
    private const int Nodes = 200;
    private const int Edges = 2_000;
    private const int Rounds = 4;
    private NegativeCycleTopology _topology = null!;
    private readonly double[] _weight = new double[Edges];
    private readonly double[] _distance = new double[Nodes];
    private readonly int[] _predecessor = new int[Nodes];
    private double[] _scratch = [];

    [GlobalSetup]
    public void Setup()
    {
        // Seeded random graph: uniform endpoints (in-degree about 10, Poisson), laid out by destination.
        var rng = new Random(20_261_202);
        var to = new int[Edges];
        var from = new int[Edges];
        var start = new int[Nodes + 1];
        for (int e = 0; e < Edges; e++)
        {
            to[e] = rng.Next(Nodes);
            from[e] = rng.Next(Nodes);
            start[to[e] + 1]++;
        }

        for (int v = 0; v < Nodes; v++)
        {
            start[v + 1] += start[v];
        }

        var next = new int[Nodes];
        var csrFrom = new int[Edges];
        for (int e = 0; e < Edges; e++)
        {
            csrFrom[start[to[e]] + next[to[e]]++] = from[e];
        }

        for (int k = 0; k < Edges; k++)
        {
            _weight[k] = rng.NextDouble() < 0.05 ? double.PositiveInfinity : -Math.Log(1 + ((rng.NextDouble() - 0.5) * 0.006));
        }

        _topology = new NegativeCycleTopology(Nodes, start, csrFrom);
        _scratch = new double[Math.Max(_topology.SimdScratchLength, _topology.ReferenceScratchLength)];
        if (Scalar() != NegativeCycleStatus.Ok || Simd() != NegativeCycleStatus.Ok)
        {
            throw new InvalidOperationException("Benchmark inputs were rejected.");
        }
    }

    [Benchmark(Baseline = true)]
    public NegativeCycleStatus Scalar() =>
        NegativeCycleReference.Relax(_topology, Rounds, _weight, _distance, _predecessor, _scratch);

    [Benchmark]
    public NegativeCycleStatus Simd() =>
        NegativeCycleSimd.Relax(_topology, Rounds, _weight, _distance, _predecessor, _scratch);
}
