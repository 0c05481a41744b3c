using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Ring;

/// <summary>
/// A <see cref="long"/> with a full cache line of padding on each side, so a producer's cursor and a
/// consumer's sequence never share a line (false sharing turns a ~50 ns hop into hundreds).
/// </summary>
/// <remarks>The value sits at offset <see cref="ValueOffset"/> of a 128-byte block; a layout test pins both.</remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct PaddedLong
{
    public const int Size = 128;
    public const int ValueOffset = 64;

    [FieldOffset(ValueOffset)]
    public long Value;
}

/// <summary>
/// A cache-line-padded sequence number: the ring's cursor, a consumer's progress, a gating cache.
/// Reads are acquire, writes are release (<see cref="Volatile"/>); read-modify-write uses <see cref="Interlocked"/>.
/// </summary>
/// <remarks>Any thread may read it; by convention exactly one thread writes it (its owner). No member allocates.</remarks>
public sealed class Sequence
{
    /// <summary>The value before anything has been claimed or consumed: the first slot is sequence 0.</summary>
    public const long InitialValue = -1;

    private PaddedLong _padded;

    /// <summary>Creates a sequence at <see cref="InitialValue"/> (allocates; start-up only).</summary>
    public Sequence()
        : this(InitialValue)
    {
    }

    /// <summary>Creates a sequence at <paramref name="initialValue"/> (allocates; start-up only).</summary>
    public Sequence(long initialValue) => _padded.Value = initialValue;

    /// <summary>Acquire read / release write of the value. Any thread reads; the owner writes.</summary>
    public long Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _padded.Value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => Volatile.Write(ref _padded.Value, value);
    }

    /// <summary>Writes with a full fence (store-load ordered), for the rare writer that must then read other sequences.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetValueVolatile(long value) => Interlocked.Exchange(ref _padded.Value, value);

    /// <summary>Atomically sets the value to <paramref name="next"/> if it is <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool CompareAndSet(long expected, long next) =>
        Interlocked.CompareExchange(ref _padded.Value, next, expected) == expected;

    /// <summary>Atomically adds <paramref name="delta"/> and returns the new value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long AddAndGet(long delta) => Interlocked.Add(ref _padded.Value, delta);

    /// <summary>Atomically adds one and returns the new value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long IncrementAndGet() => Interlocked.Increment(ref _padded.Value);

    /// <summary>The smallest value among <paramref name="sequences"/> and <paramref name="minimum"/>. No allocation.</summary>
    public static long GetMinimum(ReadOnlySpan<Sequence> sequences, long minimum)
    {
        for (int i = 0; i < sequences.Length; i++)
        {
            long value = sequences[i].Value;
            if (value < minimum)
            {
                minimum = value;
            }
        }

        return minimum;
    }

    /// <summary>Test hook: the byte offset of the value inside the padded block, measured on a live instance.</summary>
    internal nint MeasureValueOffset() =>
        Unsafe.ByteOffset(ref Unsafe.As<PaddedLong, byte>(ref _padded), ref Unsafe.As<long, byte>(ref _padded.Value));

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
