using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels;

/// <summary>
/// Owns the ILGPU context, the chosen accelerator, the compiled kernels and their device buffers.
/// Built once at start-up (which allocates, compiles and may throw on a broken GPU driver); afterwards
/// <see cref="Sweep"/> runs on whichever backend was chosen. Single-threaded: the strategy thread
/// calls <see cref="Sweep"/>; construction and <see cref="Dispose"/> happen on the start-up thread.
/// </summary>
public sealed class KernelHost : IDisposable, LowLatency.HotPath.Strategy.IEdgeSweeper
{
    private readonly Context? _context;
    private readonly Accelerator? _accelerator;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>? _edgeSweep;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _bid;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _ask;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense>? _tradeable;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _takerFee;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _netBps;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _grossBps;
    private bool _disposed;
    private long _refusedSweeps;
    private int _lastRefusal;

    /// <summary>
    /// Chooses the backend, compiles the kernels and preallocates device buffers for up to
    /// <paramref name="capacity"/> (instruments × venues). Start-up thread; allocates.
    /// </summary>
    /// <exception cref="ArgumentException">The capacity is not a valid shape.</exception>
    public KernelHost(EdgeSweepShape capacity, KernelBackendPreference preference = KernelBackendPreference.Auto)
    {
        if (!capacity.IsValid)
        {
            throw new ArgumentException($"Capacity {capacity} is not a valid edge-sweep shape.", nameof(capacity));
        }

        Capacity = capacity;
        try
        {
            (_context, _accelerator, Backend) = ChooseBackend(preference);
            if (_accelerator is null)
            {
                return;
            }

            _edgeSweep = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(EdgeSweepKernel.Execute);
            int quotes = Math.Max(1, capacity.QuoteCount);
            int slots = Math.Max(1, capacity.PairSlotCount);
            _bid = _accelerator.Allocate1D<double>(quotes);
            _ask = _accelerator.Allocate1D<double>(quotes);
            _tradeable = _accelerator.Allocate1D<byte>(quotes);
            _takerFee = _accelerator.Allocate1D<double>(Math.Max(1, capacity.VenueCount));
            _netBps = _accelerator.Allocate1D<double>(slots);
            _grossBps = _accelerator.Allocate1D<double>(slots);
        }
        catch
        {
            Dispose(); // start-up failed half way: release what ILGPU already holds, then report
            throw;
        }
    }

    /// <summary>The context and accelerator for a preference (CUDA falls back to SIMD without a device); every kernel host starts here.</summary>
    internal static (Context? Context, Accelerator? Accelerator, KernelBackend Backend) ChooseBackend(KernelBackendPreference preference)
    {
        switch (preference)
        {
            case KernelBackendPreference.Simd:
                return (null, null, KernelBackend.Simd);
            case KernelBackendPreference.IlgpuCpu:
            {
                var context = Context.Create(builder => builder.CPU());
                return (context, CreateOrDispose(context, c => c.CreateCPUAccelerator(0)), KernelBackend.IlgpuCpu);
            }

            default:
            {
                // The CUDA plug-in enumerates no device when the driver library is absent.
                var context = Context.Create(builder => builder.Cuda());
                if (context.GetCudaDevices().Count == 0)
                {
                    context.Dispose();
                    return (null, null, KernelBackend.Simd);
                }

                return (context, CreateOrDispose(context, c => c.CreateCudaAccelerator(0)), KernelBackend.Cuda);
            }
        }
    }

    private static Accelerator CreateOrDispose(Context context, Func<Context, Accelerator> create)
    {
        try
        {
            return create(context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The backend every call runs on, fixed at construction.</summary>
    public KernelBackend Backend { get; }

    /// <summary>The largest instruments × venues this host accepts (on every backend, so behaviour does not depend on hardware).</summary>
    public EdgeSweepShape Capacity { get; }

    /// <summary>Name of the accelerator device, or "SIMD (Vector&lt;double&gt; width N)".</summary>
    public string DeviceName => _accelerator?.Name ?? $"SIMD (Vector<double> width {System.Numerics.Vector<double>.Count})";

    /// <summary>
    /// Cross-venue edge sweep; same contract, layout and <see cref="EdgeSweepLimits.NoEdge"/> rule as
    /// <see cref="EdgeSweepReference.Sweep"/>. Strategy thread. The SIMD backend never allocates; the
    /// ILGPU backends copy in, launch, synchronise and copy out (blocking).
    /// </summary>
    public EdgeSweepStatus Sweep(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (shape.InstrumentCount > Capacity.InstrumentCount || shape.VenueCount > Capacity.VenueCount
            || (long)shape.InstrumentCount * shape.VenueCount * shape.VenueCount > Capacity.PairSlotCount)
        {
            netBps.Fill(EdgeSweepLimits.NoEdge);
            grossBps.Fill(EdgeSweepLimits.NoEdge);
            return EdgeSweepStatus.ExceedsCapacity;
        }

        if (_accelerator is null)
        {
            return EdgeSweepSimd.Sweep(shape, bid, ask, tradeable, takerFee, netBps, grossBps);
        }

        var status = EdgeSweepLimits.Validate(shape, bid, ask, tradeable, takerFee, netBps, grossBps);
        if (status != EdgeSweepStatus.Ok || shape.PairSlotCount == 0)
        {
            return status;
        }

        return SweepOnDevice(shape, bid, ask, tradeable, takerFee, netBps, grossBps);
    }

    private EdgeSweepStatus SweepOnDevice(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        var stream = _accelerator!.DefaultStream;
        int quotes = shape.QuoteCount;
        int slots = shape.PairSlotCount;
        var bidView = _bid!.View.SubView(0, quotes);
        var askView = _ask!.View.SubView(0, quotes);
        var tradeableView = _tradeable!.View.SubView(0, quotes);
        var feeView = _takerFee!.View.SubView(0, shape.VenueCount);
        var netView = _netBps!.View.SubView(0, slots);
        var grossView = _grossBps!.View.SubView(0, slots);

        bidView.CopyFromCPU(stream, bid[..quotes]);
        askView.CopyFromCPU(stream, ask[..quotes]);
        tradeableView.CopyFromCPU(stream, tradeable[..quotes]);
        feeView.CopyFromCPU(stream, takerFee[..shape.VenueCount]);
        _edgeSweep!(slots, bidView, askView, tradeableView, feeView, netView, grossView, shape.VenueCount);
        netView.CopyToCPU(stream, netBps[..slots]);
        grossView.CopyToCPU(stream, grossBps[..slots]);
        stream.Synchronize();
        return EdgeSweepStatus.Ok;
    }

    /// <summary>
    /// The strategy's view: a full sweep in the shared layout. True when it ran; false when <see cref="Sweep"/> refused
    /// the call (every pair is then <see cref="EdgeSweepLimits.NoEdge"/> and the caller must evaluate another way), counted
    /// in <see cref="RefusedSweeps"/> with the reason in <see cref="LastRefusal"/>. Strategy thread.
    /// </summary>
    bool LowLatency.HotPath.Strategy.IEdgeSweeper.Sweep(
        int instruments,
        int venues,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        EdgeSweepStatus status = Sweep(new EdgeSweepShape(instruments, venues), bid, ask, tradeable, takerFee, netBps, grossBps);
        if (status == EdgeSweepStatus.Ok)
        {
            return true;
        }

        RecordRefusal(status);
        return false;
    }

    /// <summary>Strategy-view sweeps refused so far (any status but <see cref="EdgeSweepStatus.Ok"/>). Any thread reads; the strategy thread writes.</summary>
    public long RefusedSweeps => Volatile.Read(ref _refusedSweeps);

    /// <summary>Why the last refused strategy-view sweep was refused (<see cref="EdgeSweepStatus.Ok"/> while none was). Any thread.</summary>
    public EdgeSweepStatus LastRefusal => (EdgeSweepStatus)Volatile.Read(ref _lastRefusal);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordRefusal(EdgeSweepStatus status)
    {
        Volatile.Write(ref _lastRefusal, (int)status);
        Volatile.Write(ref _refusedSweeps, _refusedSweeps + 1);
    }

    /// <summary>Releases buffers, accelerator and context. Start-up/shut-down thread.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _bid?.Dispose();
        _ask?.Dispose();
        _tradeable?.Dispose();
        _takerFee?.Dispose();
        _netBps?.Dispose();
        _grossBps?.Dispose();
        _accelerator?.Dispose();
        _context?.Dispose();
    }
}
