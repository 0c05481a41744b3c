using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Ring;

/// <summary>
/// Runs one <typeparamref name="THandler"/> over a ring: takes every slot available past its
/// <see cref="Sequence"/>, calls the handler on each (endOfBatch on the last), then advances its sequence once
/// per batch. Either on its own thread (<see cref="Run(CancellationToken)"/>, waiting with the ring's strategy)
/// or pumped from the owner's thread (<see cref="Poll"/>, never waits) — not both at once.
/// </summary>
/// <typeparam name="T">The ring's slot type.</typeparam>
/// <typeparam name="THandler">A struct handler, held in a field and called by ref, so the call is devirtualised.</typeparam>
/// <remarks>
/// Register <see cref="Sequence"/> with <see cref="RingSequencer.AddGatingSequences"/> (the last consumer of each
/// chain, at least) so producers cannot overwrite slots it has not consumed. Nothing allocates per event; Run
/// allocates a cancellation registration once.
/// </remarks>
public sealed class BatchEventProcessor<T, THandler>
    where T : unmanaged
    where THandler : struct, IEventHandler<T>
{
    private const int Idle = 0;
    private const int Running = 1;
    private const int Halted = 2;

    private readonly RingBuffer<T> _ring;
    private readonly SequenceBarrier _barrier;
    private readonly Sequence _sequence = new();
    private THandler _handler;
    private int _state;

    /// <summary>Start-up: a processor reading <paramref name="ring"/> through <paramref name="barrier"/> (allocates).</summary>
    public BatchEventProcessor(RingBuffer<T> ring, SequenceBarrier barrier, THandler handler)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(barrier);
        _ring = ring;
        _barrier = barrier;
        _handler = handler;
    }

    /// <summary>The last sequence this consumer has finished. Others read it (gating, chained barriers).</summary>
    public Sequence Sequence => _sequence;

    /// <summary>The barrier this consumer waits on.</summary>
    public SequenceBarrier Barrier => _barrier;

    /// <summary>
    /// The handler, by reference, for its owner to read state. Safe while the processor is pumped on the same
    /// thread (<see cref="Poll"/>) or after <see cref="Run(CancellationToken)"/> has returned; racy during Run.
    /// </summary>
    public ref THandler Handler => ref _handler;

    /// <summary>True while <see cref="Run(CancellationToken)"/> is executing.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == Running;

    /// <summary>
    /// Owner thread, single-threaded pumping: processes everything readable now as one batch and returns how
    /// many events it handled (0 when nothing was readable). Never waits, does not allocate.
    /// </summary>
    public int Poll()
    {
        long next = _sequence.Value + 1;
        long available = _barrier.GetAvailable(next);
        if (available < next)
        {
            return 0;
        }

        ProcessBatch(next, available);
        return (int)(available - next + 1);
    }

    /// <summary>
    /// The consumer's own thread: loops until <see cref="Halt"/> or <paramref name="cancellationToken"/>, waiting
    /// with the ring's configured wait strategy. Returns at once if halted before it started.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already running on another thread.</exception>
    public void Run(CancellationToken cancellationToken = default)
    {
        IWaitStrategy waitStrategy = _ring.WaitStrategy;
        RunCore(ref waitStrategy, cancellationToken);
    }

    /// <summary>
    /// As <see cref="Run(CancellationToken)"/> but waiting with a struct strategy (specialised loop), e.g. the one
    /// busy-spinning hot consumer of a ring configured with a yielding strategy.
    /// </summary>
    public void Run<TWait>(TWait waitStrategy, CancellationToken cancellationToken = default)
        where TWait : struct, IWaitStrategy =>
        RunCore(ref waitStrategy, cancellationToken);

    /// <summary>Any thread: asks <see cref="Run(CancellationToken)"/> to return and wakes it if it is blocked.</summary>
    public void Halt()
    {
        Volatile.Write(ref _state, Halted);
        _barrier.Alert();
    }

    private void RunCore<TWait>(ref TWait waitStrategy, CancellationToken cancellationToken)
        where TWait : IWaitStrategy
    {
        int previous = Interlocked.CompareExchange(ref _state, Running, Idle);
        if (previous == Halted)
        {
            // Halted before it started: honour it, and leave the processor runnable again.
            Volatile.Write(ref _state, Idle);
            return;
        }

        if (previous == Running)
        {
            throw new InvalidOperationException("This processor is already running on another thread.");
        }

        _barrier.ClearAlert();
        using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(
            static state => ((BatchEventProcessor<T, THandler>)state!).Halt(), this);
        try
        {
            long next = _sequence.Value + 1;
            SpinWait unpublished = default;
            while (!_barrier.IsAlerted && Volatile.Read(ref _state) == Running)
            {
                long available = _barrier.WaitFor(next, ref waitStrategy);
                if (available >= next)
                {
                    ProcessBatch(next, available);
                    next = available + 1;
                    unpublished.Reset();
                }
                else if (!_barrier.IsAlerted)
                {
                    // Multi producer: the slot is claimed but its producer has not published yet.
                    unpublished.SpinOnce(sleep1Threshold: -1);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _state, Idle);
            _barrier.ClearAlert();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ProcessBatch(long next, long available)
    {
        // Hoisted: the handler writes through a ref, so the JIT would otherwise reload the array and mask per event.
        ref T first = ref _ring.FirstSlot;
        long mask = _ring.Mask;
        ref THandler handler = ref _handler;
        for (long sequence = next; sequence <= available; sequence++)
        {
            handler.OnEvent(ref Unsafe.Add(ref first, (nint)(sequence & mask)), sequence, sequence == available);
        }

        _sequence.Value = available;
    }
}
