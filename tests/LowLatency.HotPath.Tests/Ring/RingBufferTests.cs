using System.Runtime.CompilerServices;
using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Tests.Ring;

public sealed class RingBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-8)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(1000)]
    [InlineData(int.MinValue)]
    public void Rejects_capacity_that_is_not_a_positive_power_of_two(int capacity)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(
            () => new RingBuffer<TestEvent>(capacity, ProducerType.Single, WaitStrategyKind.Yielding));
        Assert.Contains("power of two", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1024)]
    [InlineData(1 << 16)]
    public void Accepts_power_of_two_capacity(int capacity)
    {
        var ring = new RingBuffer<TestEvent>(capacity, ProducerType.Multi, WaitStrategyKind.Blocking);
        Assert.Equal(capacity, ring.BufferSize);
        Assert.Equal(-1, ring.Cursor);
        Assert.IsType<BlockingWaitStrategy>(ring.WaitStrategy);
    }

    [Fact]
    public void Indexer_masks_the_sequence()
    {
        var ring = new RingBuffer<TestEvent>(8, ProducerType.Single, WaitStrategyKind.Yielding);
        Assert.True(Unsafe.AreSame(ref ring[3], ref ring[11]));
        Assert.True(Unsafe.AreSame(ref ring[0], ref ring[8 * 1000]));
        Assert.False(Unsafe.AreSame(ref ring[0], ref ring[1]));
        ring[5].Value = 77;
        Assert.Equal(77, ring[13].Value);
    }

    [Theory]
    [InlineData(ProducerType.Single)]
    [InlineData(ProducerType.Multi)]
    public void Full_ring_reports_back_pressure_until_the_consumer_advances(ProducerType producerType)
    {
        var ring = new RingBuffer<TestEvent>(8, producerType, WaitStrategyKind.Yielding);
        var consumer = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(consumer.Sequence);

        for (int i = 0; i < 8; i++)
        {
            Assert.True(ring.TryNext(out long sequence));
            Assert.Equal(i, sequence);
            ring[sequence].Value = i;
            ring.Publish(sequence);
        }

        Assert.Equal(0, ring.RemainingCapacity());
        Assert.False(ring.TryNext(out _));
        Assert.False(ring.TryNext(out _));
        Assert.False(ring.TryNext(1, out _, out _));
        Assert.Equal(7, ring.Cursor);

        Assert.Equal(8, consumer.Poll());
        Assert.Equal(8, ring.RemainingCapacity());
        Assert.True(ring.TryNext(3, out long lo, out long hi));
        Assert.Equal((8L, 10L), (lo, hi));
        for (long s = lo; s <= hi; s++)
        {
            ring[s].Value = s;
        }

        ring.Publish(lo, hi);
        Assert.Equal(5, ring.RemainingCapacity());
        Assert.False(ring.TryNext(6, out _, out _));
        Assert.True(ring.TryNext(5, out lo, out hi));
        Assert.Equal((11L, 15L), (lo, hi));
        Assert.False(ring.TryNext(out _));
        for (long s = lo; s <= hi; s++)
        {
            ring[s].Value = s;
        }

        ring.Publish(lo, hi);
        Assert.Equal(8, consumer.Poll());
        Assert.Equal(16, consumer.Handler.Count);
        Assert.Equal(0, consumer.Handler.Errors);
    }

    [Theory]
    [InlineData(ProducerType.Single)]
    [InlineData(ProducerType.Multi)]
    public void Partial_consumption_frees_exactly_that_many_slots(ProducerType producerType)
    {
        var ring = new RingBuffer<TestEvent>(4, producerType, WaitStrategyKind.Yielding);
        var consumer = new Sequence();
        ring.AddGatingSequences(consumer);
        Assert.True(ring.TryNext(4, out long lo, out long hi));
        ring.Publish(lo, hi);
        Assert.False(ring.TryNext(out _));

        consumer.Value = 1; // consumed 0 and 1
        Assert.False(ring.TryNext(3, out _, out _));
        Assert.True(ring.TryNext(2, out lo, out hi));
        Assert.Equal((4L, 5L), (lo, hi));
        Assert.False(ring.TryNext(out _));
    }

    [Theory]
    [InlineData(ProducerType.Single, 0)]
    [InlineData(ProducerType.Single, -1)]
    [InlineData(ProducerType.Single, 9)]
    [InlineData(ProducerType.Multi, 0)]
    [InlineData(ProducerType.Multi, 9)]
    public void Claim_size_outside_one_to_capacity_is_a_caller_bug(ProducerType producerType, int n)
    {
        var ring = new RingBuffer<TestEvent>(8, producerType, WaitStrategyKind.Yielding);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.TryNext(n, out _, out _));
        Assert.True(ring.TryNext(8, out long lo, out long hi));
        Assert.Equal((0L, 7L), (lo, hi));
    }

    [Theory]
    [InlineData(ProducerType.Single)]
    [InlineData(ProducerType.Multi)]
    public void Wraps_around_many_times_in_order(ProducerType producerType)
    {
        var ring = new RingBuffer<TestEvent>(4, producerType, WaitStrategyKind.Yielding);
        var consumer = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(consumer.Sequence);

        long value = 0;
        for (int round = 0; round < 1000; round++)
        {
            int burst = (round % 4) + 1;
            for (int i = 0; i < burst; i++)
            {
                Assert.True(ring.TryNext(out long sequence));
                Assert.Equal(value, sequence);
                ring[sequence].Value = value++;
                ring.Publish(sequence);
            }

            Assert.Equal(burst, consumer.Poll());
        }

        Assert.Equal(value, consumer.Handler.Count);
        Assert.Equal(0, consumer.Handler.Errors);
        Assert.Equal(value - 1, consumer.Sequence.Value);
        Assert.Equal(1000, consumer.Handler.Batches);
    }

    [Fact]
    public void Multi_producer_consumers_only_see_contiguous_published_slots()
    {
        var ring = new RingBuffer<TestEvent>(8, ProducerType.Multi, WaitStrategyKind.Yielding);
        var consumer = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(consumer.Sequence);

        Assert.True(ring.TryNext(out long first));
        Assert.True(ring.TryNext(2, out long lo, out long hi));
        Assert.Equal((0L, 1L, 2L), (first, lo, hi));
        ring[lo].Value = 1;
        ring[hi].Value = 2;
        ring.Publish(lo, hi);

        // Slot 0 is claimed but unpublished: nothing behind it may be seen.
        Assert.False(ring.IsAvailable(first));
        Assert.True(ring.IsAvailable(lo));
        Assert.Equal(-1, ring.GetHighestPublishedSequence(0, ring.Cursor));
        Assert.Equal(0, consumer.Poll());

        ring[first].Value = 0;
        ring.Publish(first);
        Assert.Equal(2, ring.GetHighestPublishedSequence(0, ring.Cursor));
        Assert.Equal(3, consumer.Poll());
        Assert.Equal(0, consumer.Handler.Errors);
        Assert.Equal(1, consumer.Handler.Batches);
    }

    [Fact]
    public void Multi_producer_availability_distinguishes_laps()
    {
        var ring = new RingBuffer<TestEvent>(2, ProducerType.Multi, WaitStrategyKind.Yielding);
        var consumer = new Sequence();
        ring.AddGatingSequences(consumer);
        for (long s = 0; s < 2; s++)
        {
            Assert.True(ring.TryNext(out long sequence));
            ring.Publish(sequence);
        }

        consumer.Value = 1;
        Assert.True(ring.TryNext(out long lapped));
        Assert.Equal(2, lapped);

        // Same slot as sequence 0, which was published on the previous lap.
        Assert.True(ring.IsAvailable(0));
        Assert.False(ring.IsAvailable(2));
        ring.Publish(lapped);
        Assert.True(ring.IsAvailable(2));
        Assert.False(ring.IsAvailable(0));
    }

    [Fact]
    public void Gating_sequences_start_at_the_cursor_and_can_be_removed()
    {
        var ring = new RingBuffer<TestEvent>(4, ProducerType.Single, WaitStrategyKind.Yielding);
        Assert.True(ring.TryPublish(new TestEvent { Value = 1 }));
        Assert.True(ring.TryPublish(new TestEvent { Value = 2 }));

        var late = new Sequence();
        ring.AddGatingSequences(late);
        Assert.Equal(1, late.Value);
        Assert.Equal(4, ring.RemainingCapacity());

        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryPublish(default));
        }

        Assert.False(ring.TryPublish(default));
        Assert.True(ring.RemoveGatingSequence(late));
        Assert.False(ring.RemoveGatingSequence(late));
        Assert.True(ring.TryPublish(default));
    }

    [Fact]
    public void Blocking_next_waits_for_the_consumer()
    {
        var ring = new RingBuffer<TestEvent>(2, ProducerType.Single, WaitStrategyKind.Yielding);
        var consumer = new Sequence();
        ring.AddGatingSequences(consumer);
        ring.Publish(ring.Next());
        ring.Publish(ring.Next());

        long claimed = -1;
        Thread producer = RingTestSupport.Start(() => claimed = ring.Next(), "next-producer");
        Assert.False(producer.Join(50));
        consumer.Value = 0;
        RingTestSupport.Join(producer);
        Assert.Equal(2, claimed);
    }
}
