using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Tests.Ring;

public sealed class RingAllocationTests
{
    private struct SumHandler : IEventHandler<TestEvent>
    {
        public long Sum;
        public long Count;

        public void OnEvent(ref TestEvent evt, long sequence, bool endOfBatch)
        {
            Sum += evt.Value;
            Count++;
        }
    }

    [Theory]
    [InlineData(ProducerType.Single, WaitStrategyKind.Yielding)]
    [InlineData(ProducerType.Single, WaitStrategyKind.Blocking)]
    [InlineData(ProducerType.Multi, WaitStrategyKind.BusySpin)]
    [InlineData(ProducerType.Multi, WaitStrategyKind.Blocking)]
    public void Publish_and_consume_allocate_nothing(ProducerType producerType, WaitStrategyKind kind)
    {
        const int Events = 1_000_000;
        var ring = new RingBuffer<TestEvent>(1024, producerType, kind);
        var a = new BatchEventProcessor<TestEvent, SumHandler>(ring, ring.NewBarrier(), default);
        var b = new BatchEventProcessor<TestEvent, SumHandler>(ring, ring.NewBarrier(a.Sequence), default);
        ring.AddGatingSequences(b.Sequence);

        Pump(ring, a, b, 10_000);
        long sumBefore = b.Handler.Sum;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Pump(ring, a, b, Events);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(10_000 + Events, b.Handler.Count);
        Assert.Equal((long)Events * (Events - 1) / 2, b.Handler.Sum - sumBefore);
    }

    // Single-thread pump: single-slot and multi-slot claims, consumers drained every 64 events.
    private static void Pump(
        RingBuffer<TestEvent> ring,
        BatchEventProcessor<TestEvent, SumHandler> a,
        BatchEventProcessor<TestEvent, SumHandler> b,
        int events)
    {
        int value = 0;
        while (value < events)
        {
            if ((value & 7) == 0 && events - value >= 2 && ring.TryNext(2, out long lo, out long hi))
            {
                ring[lo].Value = value++;
                ring[hi].Value = value++;
                ring.Publish(lo, hi);
            }
            else if (ring.TryNext(out long sequence))
            {
                ring[sequence].Value = value++;
                ring.Publish(sequence);
            }
            else
            {
                a.Poll();
                b.Poll();
            }

            if ((value & 63) == 0)
            {
                a.Poll();
                b.Poll();
            }
        }

        while (a.Poll() + b.Poll() > 0)
        {
        }
    }
}
