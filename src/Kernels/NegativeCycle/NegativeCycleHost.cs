using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using LowLatency.HotPath.Graph;

namespace LowLatency.Kernels.NegativeCycle;

/// <summary>
/// Runs the negative-cycle relaxation on the chosen backend, as <see cref="KernelHost"/> does for the edge sweep: CUDA
/// when a device exists (Auto), else the SIMD twin; ILGPU's CPU accelerator only for parity tests. Built on the
/// start-up thread with a capacity (allocates, compiles, may throw on a broken driver); <see cref="Prepare"/> once per
/// topology; <see cref="Relax"/> from the strategy thread (not thread-safe). The SIMD path never allocates; the ILGPU
/// paths copy the weights in, launch one kernel per round, copy out and synchronise (blocking).
/// </summary>
public sealed class NegativeCycleHost : INegativeCycleSearch, IDisposable
{
    private readonly Context? _context;
    private readonly Accelerator? _accelerator;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<int>>? _start;
    private readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>>? _round;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>? _incomingStart;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>? _edgeFrom;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _weight;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _distanceA;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _distanceB;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>? _predecessor;
    private NegativeCycleTopology? _topology;
    private double[] _scratch = [];
    private bool _disposed;
    private long _refused;
    private int _lastRefusal;

    /// <summary>Chooses the backend and preallocates for up to <paramref name="maxNodes"/> nodes and <paramref name="maxEdges"/> edges.</summary>
    public NegativeCycleHost(int maxNodes, int maxEdges, KernelBackendPreference preference = KernelBackendPreference.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEdges, 1);
        MaxNodes = maxNodes;
        MaxEdges = maxEdges;
        try
        {
            (_context, _accelerator, Backend) = KernelHost.ChooseBackend(preference);
            if (_accelerator is null)
            {
                return;
            }

            _start = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>>(NegativeCycleKernel.Start);
            _round = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>>(NegativeCycleKernel.Round);
            _incomingStart = _accelerator.Allocate1D<int>(maxNodes + 1);
            _edgeFrom = _accelerator.Allocate1D<int>(maxEdges);
            _weight = _accelerator.Allocate1D<double>(maxEdges);
            _distanceA = _accelerator.Allocate1D<double>(maxNodes);
            _distanceB = _accelerator.Allocate1D<double>(maxNodes);
            _predecessor = _accelerator.Allocate1D<int>(maxNodes);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public KernelBackend Backend { get; }

    public int MaxNodes { get; }

    public int MaxEdges { get; }

    /// <summary>The prepared topology, or null.</summary>
    public NegativeCycleTopology? Topology => _topology;

    /// <summary>Relaxations refused so far (no topology, short spans, bad rounds). Any thread reads; the strategy thread writes.</summary>
    public long RefusedRelaxations => Volatile.Read(ref _refused);

    /// <summary>Why the last refused call was refused.</summary>
    public NegativeCycleStatus LastRefusal => (NegativeCycleStatus)Volatile.Read(ref _lastRefusal);

    /// <inheritdoc />
    public void Prepare(int nodes, ReadOnlySpan<int> incomingStart, ReadOnlySpan<int> edgeFrom)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var topology = new NegativeCycleTopology(nodes, incomingStart, edgeFrom);
        if (topology.NodeCount > MaxNodes || topology.EdgeCount > MaxEdges)
        {
            throw new ArgumentException($"a graph of {topology.NodeCount} nodes and {topology.EdgeCount} edges exceeds the host's capacity ({MaxNodes}, {MaxEdges})");
        }

        _scratch = new double[Math.Max(topology.SimdScratchLength, topology.ReferenceScratchLength)];
        if (_accelerator is not null && topology.NodeCount > 0)
        {
            _incomingStart!.View.SubView(0, topology.NodeCount + 1).CopyFromCPU(topology.IncomingStart);
            if (topology.EdgeCount > 0)
            {
                _edgeFrom!.View.SubView(0, topology.EdgeCount).CopyFromCPU(topology.EdgeFrom);
            }
        }

        _topology = topology;
    }

    /// <inheritdoc />
    public bool Relax(int rounds, ReadOnlySpan<double> edgeWeight, Span<double> distance, Span<int> predecessor)
    {
        NegativeCycleStatus status = Run(rounds, edgeWeight, distance, predecessor);
        if (status == NegativeCycleStatus.Ok)
        {
            return true;
        }

        RecordRefusal(status);
        return false;
    }

    /// <summary>As <see cref="Relax"/>, with the status.</summary>
    public NegativeCycleStatus Run(int rounds, ReadOnlySpan<double> edgeWeight, Span<double> distance, Span<int> predecessor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        NegativeCycleTopology? topology = _topology;
        if (topology is null)
        {
            return NegativeCycleStatus.ExceedsCapacity;
        }

        if (_accelerator is null)
        {
            return NegativeCycleSimd.Relax(topology, rounds, edgeWeight, distance, predecessor, _scratch);
        }

        var status = NegativeCycleLimits.Check(topology, rounds, edgeWeight.Length, distance.Length, predecessor.Length);
        if (status != NegativeCycleStatus.Ok || topology.NodeCount == 0)
        {
            return status;
        }

        var stream = _accelerator.DefaultStream;
        int n = topology.NodeCount;
        var start = _incomingStart!.View.SubView(0, n + 1);
        var from = _edgeFrom!.View.SubView(0, Math.Max(1, topology.EdgeCount));
        var weight = _weight!.View.SubView(0, Math.Max(1, topology.EdgeCount));
        var a = _distanceA!.View.SubView(0, n);
        var b = _distanceB!.View.SubView(0, n);
        var pred = _predecessor!.View.SubView(0, n);
        if (topology.EdgeCount > 0)
        {
            weight.SubView(0, topology.EdgeCount).CopyFromCPU(stream, edgeWeight[..topology.EdgeCount]);
        }

        _start!(n, a, pred);
        for (int r = 0; r < rounds; r++)
        {
            _round!(n, start, from, weight, r % 2 == 0 ? a : b, r % 2 == 0 ? b : a, pred);
        }

        (rounds % 2 == 0 ? a : b).CopyToCPU(stream, distance[..n]);
        pred.CopyToCPU(stream, predecessor[..n]);
        stream.Synchronize();
        return NegativeCycleStatus.Ok;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordRefusal(NegativeCycleStatus status)
    {
        Volatile.Write(ref _lastRefusal, (int)status);
        Volatile.Write(ref _refused, _refused + 1);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _incomingStart?.Dispose();
        _edgeFrom?.Dispose();
        _weight?.Dispose();
        _distanceA?.Dispose();
        _distanceB?.Dispose();
        _predecessor?.Dispose();
        _accelerator?.Dispose();
        _context?.Dispose();
    }
}
