using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Tests.Ring;

public sealed class SequenceTests
{
    [Fact]
    public void Padded_value_sits_at_offset_64_of_a_128_byte_block()
    {
        Assert.Equal(128, Unsafe.SizeOf<PaddedLong>());
        Assert.Equal(64, (int)Marshal.OffsetOf<PaddedLong>(nameof(PaddedLong.Value)));
        Assert.Equal(64, (int)new Sequence().MeasureValueOffset());
    }

    [Fact]
    public void Sequence_object_carries_the_padding()
    {
        // Warm up the type so only the object itself is counted.
        _ = new Sequence(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sequence = new Sequence(5);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(sequence);

        // Object header + method table (16) + 128 padded bytes.
        Assert.True(allocated >= 144, $"a Sequence allocated only {allocated} bytes: padding was removed");
    }

    [Fact]
    public void Starts_at_minus_one_and_supports_atomic_updates()
    {
        var sequence = new Sequence();
        Assert.Equal(Sequence.InitialValue, sequence.Value);
        Assert.Equal(-1, sequence.Value);

        Assert.True(sequence.CompareAndSet(-1, 10));
        Assert.False(sequence.CompareAndSet(-1, 11));
        Assert.Equal(10, sequence.Value);
        Assert.Equal(15, sequence.AddAndGet(5));
        Assert.Equal(16, sequence.IncrementAndGet());
        sequence.SetValueVolatile(3);
        Assert.Equal(3, sequence.Value);
    }

    [Fact]
    public void Minimum_over_sequences_and_floor()
    {
        Sequence[] sequences = [new Sequence(7), new Sequence(3), new Sequence(9)];
        Assert.Equal(3, Sequence.GetMinimum(sequences, long.MaxValue));
        Assert.Equal(2, Sequence.GetMinimum(sequences, 2));
        Assert.Equal(42, Sequence.GetMinimum([], 42));
    }
}
