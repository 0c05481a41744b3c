using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Ring;

/// <summary>
/// A Disruptor ring: a power-of-two array of preallocated unmanaged slots. Producers claim a slot
/// (<see cref="RingSequencer.TryNext(out long)"/>), write it in place through <see cref="this[long]"/>, then
/// <see cref="RingSequencer.Publish(long)"/>; consumers (<see cref="BatchEventProcessor{T, THandler}"/>) read
/// published slots in order and never get overtaken by producers.
/// </summary>
/// <typeparam name="T">The slot type: unmanaged, so slots hold no references and live in one pinned array.</typeparam>
/// <remarks>Construction allocates (start-up); no member used per event allocates.</remarks>
public sealed class RingBuffer<T> : RingSequencer
    where T : unmanaged
{
    private readonly T[] _entries;

    /// <summary>Creates a ring of <paramref name="bufferSize"/> zeroed slots.</summary>
    /// <exception cref="ArgumentException"><paramref name="bufferSize"/> is not a positive power of two.</exception>
    public RingBuffer(int bufferSize, ProducerType producerType, IWaitStrategy waitStrategy)
        : base(bufferSize, producerType, waitStrategy)
    {
        // Pinned: slots never move, so adapters may hand out pointers into them and the GC never copies the ring.
        _entries = GC.AllocateArray<T>(bufferSize, pinned: true);
    }

    /// <summary>Creates a ring whose wait strategy comes from configuration.</summary>
    public RingBuffer(int bufferSize, ProducerType producerType, WaitStrategyKind waitStrategy)
        : this(bufferSize, producerType, WaitStrategies.Create(waitStrategy))
    {
    }

    /// <summary>
    /// The slot for <paramref name="sequence"/> (mask-indexed, no bounds check needed). The producer writes
    /// only slots it has claimed and not yet published; consumers read only slots their barrier made available.
    /// </summary>
    public ref T this[long sequence]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (nint)(sequence & Mask));
    }

    /// <summary>The first slot; consumers index from it with <see cref="RingSequencer.Mask"/> in tight loops.</summary>
    internal ref T FirstSlot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref MemoryMarshal.GetArrayDataReference(_entries);
    }

    /// <summary>Producer thread: claim, copy <paramref name="value"/> in, publish. False when full (nothing written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPublish(in T value)
    {
        if (!TryNext(out long sequence))
        {
            return false;
        }

        this[sequence] = value;
        Publish(sequence);
        return true;
    }
}
