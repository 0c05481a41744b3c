using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Ring;

/// <summary>
/// What a consumer waits on: the ring's published cursor and, for a chained consumer, the sequences of the
/// consumers upstream of it (it never reads a slot they have not finished). Created by <see cref="RingSequencer.NewBarrier"/>.
/// </summary>
/// <remarks>
/// One consumer thread calls the wait/poll members; any thread may call <see cref="Alert"/>. No member allocates.
/// </remarks>
public sealed class SequenceBarrier
{
    private readonly RingSequencer _sequencer;
    private readonly IWaitStrategy _waitStrategy;
    private readonly Sequence _cursor;
    private readonly Sequence[] _dependents;
    private bool _alerted;

    internal SequenceBarrier(RingSequencer sequencer, IWaitStrategy waitStrategy, Sequence cursor, Sequence[] dependents)
    {
        _sequencer = sequencer;
        _waitStrategy = waitStrategy;
        _cursor = cursor;
        _dependents = dependents;
    }

    /// <summary>The ring's producer cursor (may include claimed-but-unpublished slots for a multi-producer ring).</summary>
    public long CursorValue => _cursor.Value;

    /// <summary>True after <see cref="Alert"/> until <see cref="ClearAlert"/>: waiters give up and return.</summary>
    public bool IsAlerted => Volatile.Read(ref _alerted);

    /// <summary>Upstream consumer sequences this barrier is gated on (empty: gated on the producers only).</summary>
    public ReadOnlySpan<Sequence> Dependents => _dependents;

    /// <summary>The value waited on: the minimum of the dependents, or the cursor when there are none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long GetDependentValue() =>
        _dependents.Length == 0 ? _cursor.Value : Sequence.GetMinimum(_dependents, long.MaxValue);

    /// <summary>
    /// Consumer thread: waits with the ring's configured strategy until <paramref name="sequence"/> is readable and
    /// returns the highest readable sequence (&gt;= <paramref name="sequence"/>), or a smaller value if alerted
    /// or if a multi-producer slot is claimed but not yet published (call again).
    /// </summary>
    public long WaitFor(long sequence)
    {
        IWaitStrategy waitStrategy = _waitStrategy;
        return WaitFor(sequence, ref waitStrategy);
    }

    /// <summary>
    /// As <see cref="WaitFor(long)"/> but with a caller-chosen strategy; a struct <typeparamref name="TWait"/> gets a
    /// specialised, devirtualised loop. Only spin/yield structs make sense here: producers signal the ring's strategy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long WaitFor<TWait>(long sequence, ref TWait waitStrategy)
        where TWait : IWaitStrategy
    {
        long available = GetDependentValue();
        if (available < sequence)
        {
            available = waitStrategy.WaitFor(sequence, this);
            if (available < sequence)
            {
                return available;
            }
        }

        return Published(sequence, available);
    }

    /// <summary>
    /// Consumer thread, never waits: the highest readable sequence now; below <paramref name="sequence"/> when
    /// nothing new is readable.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long GetAvailable(long sequence)
    {
        long available = GetDependentValue();
        return available < sequence ? available : Published(sequence, available);
    }

    /// <summary>Any thread: makes current and future waits return at once (halt), waking blocked waiters.</summary>
    public void Alert()
    {
        Volatile.Write(ref _alerted, true);
        _waitStrategy.SignalAllWhenBlocking();
    }

    /// <summary>Consumer start-up: clears a previous <see cref="Alert"/>.</summary>
    public void ClearAlert() => Volatile.Write(ref _alerted, false);

    // Upstream consumers only pass published slots, so with dependents there is nothing to scan.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Published(long sequence, long available) =>
        _dependents.Length == 0 ? _sequencer.GetHighestPublishedSequence(sequence, available) : available;
}
