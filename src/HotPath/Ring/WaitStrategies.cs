using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Ring;

/// <summary>
/// Spins (with a CPU pause) until the sequence is available. Lock-free, never sleeps, burns a core:
/// use for at most one thread on a 2-core box. A struct so it can be a devirtualised type parameter.
/// </summary>
public readonly struct BusySpinWaitStrategy : IWaitStrategy
{
    /// <inheritdoc/>
    public bool SignalsOnPublish => false;

    /// <inheritdoc/>
    public long WaitFor(long sequence, SequenceBarrier barrier)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        long available;
        while ((available = barrier.GetDependentValue()) < sequence)
        {
            if (barrier.IsAlerted)
            {
                return available;
            }

            Thread.SpinWait(1);
        }

        return available;
    }

    /// <inheritdoc/>
    public void SignalAllWhenBlocking()
    {
    }
}

/// <summary>
/// Spins <see cref="SpinTries"/> times, then calls <see cref="Thread.Yield"/> on every retry. Lock-free;
/// gives the core away when another thread is runnable, so it is the safe default on 2 cores.
/// </summary>
public readonly struct YieldingWaitStrategy : IWaitStrategy
{
    /// <summary>Busy retries before the first yield.</summary>
    public const int SpinTries = 100;

    /// <inheritdoc/>
    public bool SignalsOnPublish => false;

    /// <inheritdoc/>
    public long WaitFor(long sequence, SequenceBarrier barrier)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        int counter = SpinTries;
        long available;
        while ((available = barrier.GetDependentValue()) < sequence)
        {
            if (barrier.IsAlerted)
            {
                return available;
            }

            if (counter > 0)
            {
                counter--;
                Thread.SpinWait(1);
            }
            else
            {
                Thread.Yield();
            }
        }

        return available;
    }

    /// <inheritdoc/>
    public void SignalAllWhenBlocking()
    {
    }
}

/// <summary>
/// Sleeps on a monitor until a producer publishes (or the barrier is alerted). Producers take the lock only
/// when a waiter exists, so publish costs one fence plus a read when nobody sleeps. Locking is this strategy's
/// purpose; use it for threads that must not burn CPU.
/// </summary>
public sealed class BlockingWaitStrategy : IWaitStrategy
{
    private readonly object _gate = new();
    private int _waiters;

    /// <inheritdoc/>
    public bool SignalsOnPublish => true;

    /// <summary>How many threads are asleep in <see cref="WaitFor"/> right now (diagnostics and tests).</summary>
    public int WaiterCount => Volatile.Read(ref _waiters);

    /// <inheritdoc/>
    public long WaitFor(long sequence, SequenceBarrier barrier)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        if (barrier.CursorValue < sequence)
        {
            lock (_gate)
            {
                // The interlocked increment is a full fence: either the producer's signal sees this waiter,
                // or this thread sees the producer's cursor write below. No lost wake-up.
                Interlocked.Increment(ref _waiters);
                try
                {
                    while (barrier.CursorValue < sequence && !barrier.IsAlerted)
                    {
                        Monitor.Wait(_gate);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _waiters);
                }
            }
        }

        // The producer has moved; dependents (an upstream consumer) are not signalled, so back off politely.
        return WaitForDependents(sequence, barrier);
    }

    /// <inheritdoc/>
    public void SignalAllWhenBlocking()
    {
        // Orders the caller's cursor/alert write before the waiter-count read (pairs with the increment above).
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _waiters) != 0)
        {
            SignalSlow();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SignalSlow()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private static long WaitForDependents(long sequence, SequenceBarrier barrier)
    {
        SpinWait spin = default;
        long available;
        while ((available = barrier.GetDependentValue()) < sequence)
        {
            if (barrier.IsAlerted)
            {
                return available;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }

        return available;
    }
}
