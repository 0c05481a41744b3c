using LowLatency.Kernels.NegativeCycle;

namespace LowLatency.Kernels.Tests.NegativeCycle;

public sealed class NegativeCycleParityTests
{
    private static (double[] Distance, int[] Predecessor) Reference(RandomGraph g, int rounds)
    {
        var topology = new NegativeCycleTopology(g.Nodes, g.IncomingStart, g.EdgeFrom);
        var distance = new double[g.Nodes];
        var predecessor = new int[g.Nodes];
        Assert.Equal(NegativeCycleStatus.Ok, NegativeCycleReference.Relax(topology, rounds, g.Weight, distance, predecessor, new double[topology.ReferenceScratchLength]));
        return (distance, predecessor);
    }

    [Fact]
    public void Hand_computed_triangle()
    {
        // Edges 0: 1→0 (w 0.5), 1: 2→0 (w −1), 2: 0→1 (w −1), 3: 1→2 (w 1). Cycle 0→1→2→0 weighs −1.
        int[] start = [0, 2, 3, 4];
        int[] from = [1, 2, 0, 1];
        double[] weight = [0.5, -1, -1, 1];
        var topology = new NegativeCycleTopology(3, start, from);
        var d = new double[3];
        var p = new int[3];
        var scratch = new double[topology.SimdScratchLength];

        Assert.Equal(NegativeCycleStatus.Ok, NegativeCycleReference.Relax(topology, 1, weight, d, p, scratch));
        Assert.Equal([-1, -1, 0], d);
        Assert.Equal([1, 2, -1], p);

        // Round 2: node 0's best is d2 − 1 = −1, not strictly below its −1; node 1 ← d0 − 1 = −2; node 2's d1 + 1 = 0 is not below 0.
        Assert.Equal(NegativeCycleStatus.Ok, NegativeCycleReference.Relax(topology, 2, weight, d, p, scratch));
        Assert.Equal([-1, -2, 0], d);
        Assert.Equal([1, 2, -1], p);

        // Round 3: node 0 ← d1 + 0.5 = −1.5 through slot 0; node 2 ← d1 + 1 = −1. The predecessors now close 0 → 1 → 0 (−0.5).
        Assert.Equal(NegativeCycleStatus.Ok, NegativeCycleReference.Relax(topology, 3, weight, d, p, scratch));
        Assert.Equal([-1.5, -2, -1], d);
        Assert.Equal([0, 2, 3], p);

        var simdD = new double[3];
        var simdP = new int[3];
        Assert.Equal(NegativeCycleStatus.Ok, NegativeCycleSimd.Relax(topology, 3, weight, simdD, simdP, scratch));
        Assert.Equal(d, simdD);
        Assert.Equal(p, simdP);
    }

    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 1, 0, 0, 3 },
        { 0, 0, 0, 1 },
        { 2, 1, 3, 2 },
        { 3, 3, 7, 4 },
        { 4, 4, 12, 5 },
        { 5, 5, 30, 4 },
        { 6, 17, 60, 6 },
        { 7, 200, 2_000, 4 },
        { 8, 257, 4_000, 9 },
        { 9, 1_000, 3_000, 16 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Simd_twin_is_bit_identical_to_the_reference(int seed, int nodes, int edges, int rounds)
    {
        RandomGraph g = RandomGraph.Create(seed, nodes, edges);
        (double[] distance, int[] predecessor) = Reference(g, rounds);
        var topology = new NegativeCycleTopology(g.Nodes, g.IncomingStart, g.EdgeFrom);
        var d = new double[nodes];
        var p = new int[nodes];
        Assert.Equal(NegativeCycleStatus.Ok, NegativeCycleSimd.Relax(topology, rounds, g.Weight, d, p, new double[topology.SimdScratchLength]));
        Assert.Equal(distance, d);
        Assert.Equal(predecessor, p);
        if (nodes > 10)
        {
            Assert.Contains(p, slot => slot >= 0);
        }
    }

    [Fact]
    public void Ilgpu_kernel_on_the_cpu_accelerator_matches_the_reference()
    {
        using var host = new NegativeCycleHost(64, 400, KernelBackendPreference.IlgpuCpu);
        Assert.Equal(KernelBackend.IlgpuCpu, host.Backend);
        foreach ((int seed, int nodes, int edges, int rounds) in new[] { (11, 5, 12, 3), (12, 40, 300, 4), (13, 64, 400, 5) })
        {
            RandomGraph g = RandomGraph.Create(seed, nodes, edges);
            (double[] distance, int[] predecessor) = Reference(g, rounds);
            host.Prepare(g.Nodes, g.IncomingStart, g.EdgeFrom);
            var d = new double[nodes];
            var p = new int[nodes];
            Assert.True(host.Relax(rounds, g.Weight, d, p));
            Assert.Equal(distance, d);
            Assert.Equal(predecessor, p);
        }
    }

    [Fact]
    public void Bad_calls_are_statuses_and_leave_the_outputs_alone()
    {
        RandomGraph g = RandomGraph.Create(21, 10, 40);
        var topology = new NegativeCycleTopology(g.Nodes, g.IncomingStart, g.EdgeFrom);
        var d = new double[10];
        var p = new int[10];
        d[0] = 42;
        var scratch = new double[topology.SimdScratchLength];
        foreach (Func<NegativeCycleStatus> call in new Func<NegativeCycleStatus>[]
        {
            () => NegativeCycleReference.Relax(topology, 0, g.Weight, d, p, scratch),
            () => NegativeCycleSimd.Relax(topology, 1_025, g.Weight, d, p, scratch),
            () => NegativeCycleReference.Relax(topology, 2, g.Weight.AsSpan(0, 39), d, p, scratch),
            () => NegativeCycleSimd.Relax(topology, 2, g.Weight, d.AsSpan(0, 9), p, scratch),
            () => NegativeCycleSimd.Relax(topology, 2, g.Weight, d, p, scratch.AsSpan(0, scratch.Length - 1)),
            () => NegativeCycleReference.Relax(topology, 2, g.Weight, d, p.AsSpan(0, 9), scratch),
        })
        {
            Assert.NotEqual(NegativeCycleStatus.Ok, call());
            Assert.Equal(42, d[0]);
        }

        Assert.Throws<ArgumentException>(() => new NegativeCycleTopology(3, [0, 1, 2], [0, 0]));       // too short
        Assert.Throws<ArgumentException>(() => new NegativeCycleTopology(2, [1, 1, 2], [0, 0]));       // does not start at 0
        Assert.Throws<ArgumentException>(() => new NegativeCycleTopology(2, [0, 2, 1], [0, 0]));       // decreases
        Assert.Throws<ArgumentException>(() => new NegativeCycleTopology(2, [0, 1, 2], [0, 2]));       // node out of range
        Assert.Throws<ArgumentException>(() => new NegativeCycleTopology(2, [0, 1, 3], [0, 1]));       // too few sources
    }

    [Fact]
    public void Host_refuses_and_counts_what_it_cannot_run_and_its_simd_path_does_not_allocate()
    {
        using var host = new NegativeCycleHost(256, 2_000, KernelBackendPreference.Simd);
        var d = new double[200];
        var p = new int[200];
        Assert.False(host.Relax(4, new double[10], d, p));
        Assert.Equal(NegativeCycleStatus.ExceedsCapacity, host.LastRefusal);

        RandomGraph big = RandomGraph.Create(31, 300, 100);
        Assert.Throws<ArgumentException>(() => host.Prepare(big.Nodes, big.IncomingStart, big.EdgeFrom));

        RandomGraph g = RandomGraph.Create(32, 200, 2_000);
        host.Prepare(g.Nodes, g.IncomingStart, g.EdgeFrom);
        Assert.False(host.Relax(0, g.Weight, d, p));
        Assert.Equal(2, host.RefusedRelaxations);
        Assert.Equal(NegativeCycleStatus.InvalidRounds, host.LastRefusal);

        for (int i = 0; i < 50; i++)
        {
            Assert.True(host.Relax(4, g.Weight, d, p));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            host.Relax(4, g.Weight, d, p);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        (double[] distance, _) = Reference(g, 4);
        Assert.Equal(distance, d);
    }
}
