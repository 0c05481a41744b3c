using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Tests.Ring;

/// <summary>Slot type for ring tests: who produced it, its per-producer counter, chunk index, chain stage.</summary>
internal struct TestEvent
{
    public long Value;
    public int ProducerId;
    public int Chunk;
    public int Stage;
    public long StampedBy;
}

/// <summary>Checks values arrive as 0,1,2,... and counts batches.</summary>
internal struct OrderedHandler : IEventHandler<TestEvent>
{
    public long Count;
    public long Errors;
    public long Batches;
    public long Sum;
    public long LastSequence;

    public OrderedHandler() => LastSequence = -1;

    public void OnEvent(ref TestEvent evt, long sequence, bool endOfBatch)
    {
        if (evt.Value != Count || sequence != LastSequence + 1)
        {
            Errors++;
        }

        Sum += evt.Value;
        Count++;
        LastSequence = sequence;
        if (endOfBatch)
        {
            Batches++;
        }
    }
}

/// <summary>Checks each producer's counter arrives as 0,1,2,... (no loss, no duplicate, per-producer order).</summary>
internal struct PerProducerHandler : IEventHandler<TestEvent>
{
    private readonly long[] _next;
    public long Count;
    public long Errors;

    public PerProducerHandler(int producers) => _next = new long[producers];

    public readonly long NextFor(int producerId) => _next[producerId];

    public void OnEvent(ref TestEvent evt, long sequence, bool endOfBatch)
    {
        if ((uint)evt.ProducerId >= (uint)_next.Length || evt.Value != _next[evt.ProducerId])
        {
            Errors++;
        }
        else
        {
            _next[evt.ProducerId]++;
        }

        Count++;
    }
}

internal static class RingTestSupport
{
    // A hang guard, not a performance limit: it only has to end a test whose ring lost a wake-up or an event. 10 s was
    // not enough for 2 M events on a 2-core box running other builds (load average 31 here), so it failed by chance.
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static Thread Start(Action body, string name)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    public static void Join(Thread thread) =>
        Assert.True(thread.Join(Timeout), $"thread {thread.Name} did not finish within {Timeout}");

    public static void WaitUntil(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, Timeout), $"timed out waiting for {what}");

    /// <summary>Claims one slot, yielding while the ring is full (the test producers must not busy-spin on 2 cores).</summary>
    public static long Claim(RingBuffer<TestEvent> ring)
    {
        long sequence;
        while (!ring.TryNext(out sequence))
        {
            Thread.Yield();
        }

        return sequence;
    }
}
