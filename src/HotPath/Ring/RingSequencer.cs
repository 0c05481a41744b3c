using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Ring;

/// <summary>
/// The claim/publish/gating half of a ring (LMAX Disruptor's Sequencer), independent of the slot type so
/// barriers and wait strategies are not generic. <see cref="RingBuffer{T}"/> adds the slots.
/// </summary>
/// <remarks>
/// Producer threads call <see cref="TryNext(out long)"/>/<see cref="Publish(long)"/>; with
/// <see cref="ProducerType.Single"/> that is exactly one thread. Consumers never call producer members.
/// Start-up code (one thread, before producers run) calls <see cref="AddGatingSequences"/> and <see cref="NewBarrier"/>.
/// No producer or consumer member allocates.
/// </remarks>
public abstract class RingSequencer
{
    private readonly int _bufferSize;
    private readonly long _mask;
    private readonly int _indexShift;
    private readonly bool _isMulti;
    private readonly ProducerType _producerType;
    private readonly bool _signalOnPublish;
    private readonly IWaitStrategy _waitStrategy;

    // Single producer: the last published sequence. Multi producer: the last claimed sequence.
    private readonly Sequence _cursor = new();

    // Multi producer only: per-slot "lap number" of the last publish (LMAX availableBuffer); empty otherwise.
    private readonly int[] _available;

    // Multi producer only: last seen minimum of the gating sequences, shared by the producers.
    private readonly Sequence _gatingCache = new();

    // Replaced (copy-on-write) at start-up; read by producers.
    private Sequence[] _gatingSequences = [];

    // Written by the single producer only; padded so consumers reading the readonly fields above don't share its line.
    private SingleProducerState _single;

    private protected RingSequencer(int bufferSize, ProducerType producerType, IWaitStrategy waitStrategy)
    {
        ArgumentNullException.ThrowIfNull(waitStrategy);
        if (bufferSize < 1 || !BitOperations.IsPow2(bufferSize))
        {
            throw new ArgumentException($"Ring capacity must be a positive power of two; got {bufferSize}.", nameof(bufferSize));
        }

        if (producerType is not (ProducerType.Single or ProducerType.Multi))
        {
            throw new ArgumentException($"Unknown producer type {producerType}.", nameof(producerType));
        }

        _bufferSize = bufferSize;
        _mask = bufferSize - 1;
        _indexShift = BitOperations.Log2((uint)bufferSize);
        _producerType = producerType;
        _isMulti = producerType == ProducerType.Multi;
        _waitStrategy = waitStrategy;
        _signalOnPublish = waitStrategy.SignalsOnPublish;
        _single.NextValue = Sequence.InitialValue;
        _single.CachedGating = Sequence.InitialValue;
        if (_isMulti)
        {
            _available = GC.AllocateUninitializedArray<int>(bufferSize, pinned: true);
            _available.AsSpan().Fill(-1);
        }
        else
        {
            _available = [];
        }
    }

    /// <summary>Number of slots (a power of two).</summary>
    public int BufferSize => _bufferSize;

    /// <summary>Chosen at construction.</summary>
    public ProducerType ProducerType => _producerType;

    /// <summary>The strategy consumers of this ring wait with (and producers signal, if it blocks).</summary>
    public IWaitStrategy WaitStrategy => _waitStrategy;

    /// <summary>
    /// The producer cursor: the last published sequence (single producer) or the last claimed one (multi producer;
    /// use <see cref="GetHighestPublishedSequence"/> for what is readable). Any thread.
    /// </summary>
    public long Cursor => _cursor.Value;

    internal long Mask => _mask;

    /// <summary>Producer thread: claims one slot; false (nothing claimed) when it would overwrite an unconsumed slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryNext(out long sequence) => TryNext(1, out _, out sequence);

    /// <summary>
    /// Producer thread: claims <paramref name="n"/> contiguous slots <paramref name="lo"/>..<paramref name="hi"/>
    /// (a multi-slot message). Returns false, claiming nothing, when the ring lacks room: that is back-pressure,
    /// the caller decides to retry, drop-and-count or wait. Never blocks, never throws on a full ring.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not in 1..<see cref="BufferSize"/> (a caller bug).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryNext(int n, out long lo, out long hi)
    {
        if ((uint)(n - 1) >= (uint)_bufferSize)
        {
            ThrowClaimSizeOutOfRange(n);
        }

        return _isMulti ? TryNextMulti(n, out lo, out hi) : TryNextSingle(n, out lo, out hi);
    }

    /// <summary>
    /// Producer thread: claims one slot, waiting (spin, then yield) while the ring is full. For producers that
    /// prefer waiting to dropping; it waits as long as the consumers are behind. Does not allocate.
    /// </summary>
    public long Next()
    {
        SpinWait spin = default;
        long sequence;
        while (!TryNext(1, out _, out sequence))
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        return sequence;
    }

    /// <summary>Producer thread: makes a claimed slot visible to consumers (and wakes blocked ones). Does not allocate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Publish(long sequence)
    {
        if (_isMulti)
        {
            SetAvailable(sequence);
        }
        else
        {
            _cursor.Value = sequence;
        }

        if (_signalOnPublish)
        {
            _waitStrategy.SignalAllWhenBlocking();
        }
    }

    /// <summary>Producer thread: publishes the claimed range <paramref name="lo"/>..<paramref name="hi"/> at once.</summary>
    public void Publish(long lo, long hi)
    {
        if (_isMulti)
        {
            for (long s = lo; s <= hi; s++)
            {
                SetAvailable(s);
            }
        }
        else
        {
            _cursor.Value = hi;
        }

        if (_signalOnPublish)
        {
            _waitStrategy.SignalAllWhenBlocking();
        }
    }

    /// <summary>
    /// Any thread: whether <paramref name="sequence"/> has been published (multi producer: on the current lap of its slot).
    /// </summary>
    public bool IsAvailable(long sequence) =>
        _isMulti
            ? Volatile.Read(ref _available[(int)(sequence & _mask)]) == (int)(sequence >> _indexShift)
            : sequence <= _cursor.Value;

    /// <summary>
    /// Consumer thread: the highest sequence in <paramref name="lowerBound"/>..<paramref name="availableSequence"/>
    /// such that every slot from <paramref name="lowerBound"/> up to it is published (lowerBound - 1 if none).
    /// Multi producer only scans; single producer returns <paramref name="availableSequence"/>.
    /// </summary>
    public long GetHighestPublishedSequence(long lowerBound, long availableSequence)
    {
        if (!_isMulti)
        {
            return availableSequence;
        }

        for (long s = lowerBound; s <= availableSequence; s++)
        {
            if (Volatile.Read(ref _available[(int)(s & _mask)]) != (int)(s >> _indexShift))
            {
                return s - 1;
            }
        }

        return availableSequence;
    }

    /// <summary>Any thread: free slots right now (a snapshot).</summary>
    public long RemainingCapacity()
    {
        long produced = _isMulti ? _cursor.Value : Volatile.Read(ref _single.NextValue);
        long consumed = Sequence.GetMinimum(Volatile.Read(ref _gatingSequences), produced);
        return _bufferSize - (produced - consumed);
    }

    /// <summary>
    /// Start-up: producers will never overwrite a slot these sequences have not passed. Each is moved to the
    /// current cursor. Register the last consumer of each chain (registering all of them is also correct).
    /// </summary>
    public void AddGatingSequences(params Sequence[] sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        Sequence[] current;
        Sequence[] updated;
        do
        {
            current = Volatile.Read(ref _gatingSequences);
            updated = new Sequence[current.Length + sequences.Length];
            current.CopyTo(updated, 0);
            long cursor = ClaimedCursor();
            for (int i = 0; i < sequences.Length; i++)
            {
                ArgumentNullException.ThrowIfNull(sequences[i], nameof(sequences));
                sequences[i].Value = cursor;
                updated[current.Length + i] = sequences[i];
            }
        }
        while (Interlocked.CompareExchange(ref _gatingSequences, updated, current) != current);

        // The cursor may have moved while swapping; never let a new gate sit behind a claimed slot.
        long latest = ClaimedCursor();
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i].Value = latest;
        }
    }

    /// <summary>Shutdown/start-up: stops <paramref name="sequence"/> gating producers. Returns whether it was registered.</summary>
    public bool RemoveGatingSequence(Sequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        Sequence[] current;
        Sequence[] updated;
        do
        {
            current = Volatile.Read(ref _gatingSequences);
            int index = Array.IndexOf(current, sequence);
            if (index < 0)
            {
                return false;
            }

            updated = new Sequence[current.Length - 1];
            Array.Copy(current, 0, updated, 0, index);
            Array.Copy(current, index + 1, updated, index, current.Length - index - 1);
        }
        while (Interlocked.CompareExchange(ref _gatingSequences, updated, current) != current);
        return true;
    }

    /// <summary>
    /// Start-up: a barrier for a consumer that reads published slots, gated additionally on
    /// <paramref name="dependents"/> (upstream consumers) when given. Allocates.
    /// </summary>
    public SequenceBarrier NewBarrier(params Sequence[] dependents)
    {
        ArgumentNullException.ThrowIfNull(dependents);
        return new SequenceBarrier(this, _waitStrategy, _cursor, (Sequence[])dependents.Clone());
    }

    private long ClaimedCursor() => _isMulti ? _cursor.Value : Volatile.Read(ref _single.NextValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryNextSingle(int n, out long lo, out long hi)
    {
        long nextValue = _single.NextValue;
        long nextSequence = nextValue + n;
        long wrapPoint = nextSequence - _bufferSize;
        long cachedGating = _single.CachedGating;
        if ((wrapPoint > cachedGating || cachedGating > nextValue) && !RefreshSingleGating(nextValue, wrapPoint))
        {
            lo = hi = 0;
            return false;
        }

        // Volatile so RemainingCapacity/AddGatingSequences on other threads see a recent value; a plain store on x64.
        Volatile.Write(ref _single.NextValue, nextSequence);
        lo = nextSequence - n + 1;
        hi = nextSequence;
        return true;
    }

    // Once per lap of the cached gating value: reads every consumer's sequence (shared cache lines).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RefreshSingleGating(long nextValue, long wrapPoint)
    {
        long minSequence = Sequence.GetMinimum(Volatile.Read(ref _gatingSequences), nextValue);
        _single.CachedGating = minSequence;
        return wrapPoint <= minSequence;
    }

    private bool TryNextMulti(int n, out long lo, out long hi)
    {
        while (true)
        {
            long current = _cursor.Value;
            long next = current + n;
            long wrapPoint = next - _bufferSize;
            long cachedGating = _gatingCache.Value;
            if (wrapPoint > cachedGating || cachedGating > current)
            {
                long gating = Sequence.GetMinimum(Volatile.Read(ref _gatingSequences), current);
                if (wrapPoint > gating)
                {
                    lo = hi = 0;
                    return false;
                }

                _gatingCache.Value = gating;
            }

            // The CAS fails if another producer claimed meanwhile; the capacity check above is then redone.
            if (_cursor.CompareAndSet(current, next))
            {
                lo = current + 1;
                hi = next;
                return true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetAvailable(long sequence) =>
        Volatile.Write(ref _available[(int)(sequence & _mask)], (int)(sequence >> _indexShift));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowClaimSizeOutOfRange(int n) =>
        throw new ArgumentOutOfRangeException(nameof(n), n, "Claim size must be between 1 and the ring's buffer size.");

    [StructLayout(LayoutKind.Explicit, Size = PaddedLong.Size)]
    private struct SingleProducerState
    {
        [FieldOffset(PaddedLong.ValueOffset - sizeof(long))]
        public long NextValue;

        [FieldOffset(PaddedLong.ValueOffset)]
        public long CachedGating;
    }
}
