using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Graph;

/// <summary>
/// Hands the pool and gas events the strategy thread applied on to another thread (the paper DEX venue settles swaps
/// against them on the host thread): each accepted event is copied into a ring of its own, in the order applied. The
/// strategy thread never waits on it: a full ring drops the event and counts it (<see cref="Dropped"/>), and the
/// reader says so; the next block's events bring the pools back. 0 B per event.
/// </summary>
public sealed class PoolEventRelay
{
    private long _relayed;
    private long _dropped;

    /// <param name="size">Slots (a power of two): a few blocks' worth of every pool's events.</param>
    public PoolEventRelay(int size = 1 << 12)
    {
        Ring = new RingBuffer<TickEvent>(size, ProducerType.Single, WaitStrategyKind.Yielding);
    }

    /// <summary>The events, for one reader (a <see cref="BatchEventProcessor{T, THandler}"/> polled by its thread).</summary>
    public RingBuffer<TickEvent> Ring { get; }

    /// <summary>Events handed on (read from any thread).</summary>
    public long Relayed => Volatile.Read(ref _relayed);

    /// <summary>Events dropped because the reader was a full ring behind (read from any thread).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Strategy thread: one applied event.</summary>
    internal void Publish(in TickEvent evt)
    {
        if (Ring.TryPublish(in evt))
        {
            Volatile.Write(ref _relayed, _relayed + 1);
        }
        else
        {
            Volatile.Write(ref _dropped, _dropped + 1);
        }
    }
}
