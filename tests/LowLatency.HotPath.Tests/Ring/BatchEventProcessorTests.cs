using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Tests.Ring;

public sealed class BatchEventProcessorTests
{
    /// <summary>Chain stage A: stamps the slot for B.</summary>
    private struct StampHandler : IEventHandler<TestEvent>
    {
        public long Count;

        public void OnEvent(ref TestEvent evt, long sequence, bool endOfBatch)
        {
            evt.Stage = 1;
            evt.StampedBy = sequence;
            Count++;
        }
    }

    /// <summary>Chain stage B: must only see slots A has finished.</summary>
    private struct AfterStampHandler : IEventHandler<TestEvent>
    {
        private readonly Sequence _upstream;
        public long Count;
        public long Errors;

        public AfterStampHandler(Sequence upstream) => _upstream = upstream;

        public void OnEvent(ref TestEvent evt, long sequence, bool endOfBatch)
        {
            if (evt.Stage != 1 || evt.StampedBy != sequence || _upstream.Value < sequence || evt.Value != Count)
            {
                Errors++;
            }

            evt.Stage = 2;
            Count++;
        }
    }

    /// <summary>Checks chunk indices 0..ChunkCount-1 arrive contiguously with one producer and message per run.</summary>
    private struct ChunkHandler : IEventHandler<TestEvent>
    {
        public const int ChunkCount = 3;
        private int _expectedChunk;
        private int _producer;
        private long _message;
        public long Messages;
        public long Errors;

        public void OnEvent(ref TestEvent evt, long sequence, bool endOfBatch)
        {
            if (evt.Chunk != _expectedChunk ||
                (_expectedChunk > 0 && (evt.ProducerId != _producer || evt.Value != _message)))
            {
                Errors++;
            }

            _producer = evt.ProducerId;
            _message = evt.Value;
            _expectedChunk = (evt.Chunk + 1) % ChunkCount;
            if (_expectedChunk == 0)
            {
                Messages++;
            }
        }
    }

    [Fact]
    public void Poll_processes_everything_published_as_one_batch()
    {
        var ring = new RingBuffer<TestEvent>(16, ProducerType.Single, WaitStrategyKind.Blocking);
        var processor = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(processor.Sequence);
        Assert.Equal(0, processor.Poll());

        for (int i = 0; i < 5; i++)
        {
            Assert.True(ring.TryPublish(new TestEvent { Value = i }));
        }

        Assert.Equal(5, processor.Poll());
        Assert.Equal(4, processor.Sequence.Value);
        Assert.Equal(5, processor.Handler.Count);
        Assert.Equal(1, processor.Handler.Batches);
        Assert.Equal(4, processor.Handler.LastSequence);
        Assert.Equal(0, processor.Handler.Errors);
        Assert.Equal(0, processor.Poll());
        Assert.Equal(1, processor.Handler.Batches);
    }

    // Fewer events with a busy-spinning consumer: on a loaded 2-core box it starves the producer.
    [Theory]
    [InlineData(WaitStrategyKind.BusySpin, 1 << 17)]
    [InlineData(WaitStrategyKind.Yielding, 1 << 20)]
    [InlineData(WaitStrategyKind.Blocking, 1 << 20)]
    public void Spsc_across_threads_delivers_every_event_in_order(WaitStrategyKind kind, int events)
    {
        long total = events;
        var ring = new RingBuffer<TestEvent>(1024, ProducerType.Single, kind);
        var processor = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(processor.Sequence);
        Thread consumer = RingTestSupport.Start(() => processor.Run(), "spsc-consumer");

        // Only the consumer may spin; this producer yields when the ring is full.
        for (long i = 0; i < total; i++)
        {
            long sequence = RingTestSupport.Claim(ring);
            ring[sequence].Value = i;
            ring.Publish(sequence);
        }

        RingTestSupport.WaitUntil(() => processor.Sequence.Value == total - 1, "the consumer to catch up");
        processor.Halt();
        RingTestSupport.Join(consumer);

        Assert.Equal(total, processor.Handler.Count);
        Assert.Equal(0, processor.Handler.Errors);
        Assert.Equal(total * (total - 1) / 2, processor.Handler.Sum);
    }

    [Theory]
    [InlineData(WaitStrategyKind.Yielding)]
    [InlineData(WaitStrategyKind.Blocking)]
    public void Mpsc_two_producers_lose_and_duplicate_nothing(WaitStrategyKind kind)
    {
        const int Producers = 2;
        const int EventsPerProducer = 250_000; // ~490 laps of the 1,024-slot ring: plenty of contended claims
        var ring = new RingBuffer<TestEvent>(1024, ProducerType.Multi, kind);
        var processor = new BatchEventProcessor<TestEvent, PerProducerHandler>(
            ring, ring.NewBarrier(), new PerProducerHandler(Producers));
        ring.AddGatingSequences(processor.Sequence);
        Thread consumer = RingTestSupport.Start(() => processor.Run(), "mpsc-consumer");

        var producers = new Thread[Producers];
        for (int p = 0; p < Producers; p++)
        {
            int producerId = p;
            producers[p] = RingTestSupport.Start(
                () =>
                {
                    for (long i = 0; i < EventsPerProducer; i++)
                    {
                        long sequence = RingTestSupport.Claim(ring);
                        ref TestEvent slot = ref ring[sequence];
                        slot.ProducerId = producerId;
                        slot.Value = i;
                        ring.Publish(sequence);
                    }
                },
                $"mpsc-producer-{p}");
        }

        foreach (Thread producer in producers)
        {
            RingTestSupport.Join(producer);
        }

        long total = (long)Producers * EventsPerProducer;
        RingTestSupport.WaitUntil(() => processor.Sequence.Value == total - 1, "the consumer to catch up");
        processor.Halt();
        RingTestSupport.Join(consumer);

        Assert.Equal(total, processor.Handler.Count);
        Assert.Equal(0, processor.Handler.Errors);
        for (int p = 0; p < Producers; p++)
        {
            Assert.Equal(EventsPerProducer, processor.Handler.NextFor(p));
        }
    }

    [Fact]
    public void Mpsc_multi_slot_claims_stay_contiguous()
    {
        const int Producers = 2;
        const int MessagesPerProducer = 100_000;
        var ring = new RingBuffer<TestEvent>(256, ProducerType.Multi, WaitStrategyKind.Yielding);
        var processor = new BatchEventProcessor<TestEvent, ChunkHandler>(ring, ring.NewBarrier(), default);
        ring.AddGatingSequences(processor.Sequence);
        Thread consumer = RingTestSupport.Start(() => processor.Run(), "chunk-consumer");

        var producers = new Thread[Producers];
        for (int p = 0; p < Producers; p++)
        {
            int producerId = p;
            producers[p] = RingTestSupport.Start(
                () =>
                {
                    for (long m = 0; m < MessagesPerProducer; m++)
                    {
                        long lo;
                        long hi;
                        while (!ring.TryNext(ChunkHandler.ChunkCount, out lo, out hi))
                        {
                            Thread.Yield();
                        }

                        for (long s = lo; s <= hi; s++)
                        {
                            ref TestEvent slot = ref ring[s];
                            slot.ProducerId = producerId;
                            slot.Value = m;
                            slot.Chunk = (int)(s - lo);
                        }

                        ring.Publish(lo, hi);
                    }
                },
                $"chunk-producer-{p}");
        }

        foreach (Thread producer in producers)
        {
            RingTestSupport.Join(producer);
        }

        long totalSlots = (long)Producers * MessagesPerProducer * ChunkHandler.ChunkCount;
        RingTestSupport.WaitUntil(() => processor.Sequence.Value == totalSlots - 1, "the consumer to catch up");
        processor.Halt();
        RingTestSupport.Join(consumer);

        Assert.Equal(0, processor.Handler.Errors);
        Assert.Equal((long)Producers * MessagesPerProducer, processor.Handler.Messages);
    }

    [Fact]
    public void Chained_consumer_never_overtakes_its_upstream_single_threaded()
    {
        var ring = new RingBuffer<TestEvent>(8, ProducerType.Single, WaitStrategyKind.Yielding);
        var a = new BatchEventProcessor<TestEvent, StampHandler>(ring, ring.NewBarrier(), default);
        var b = new BatchEventProcessor<TestEvent, AfterStampHandler>(
            ring, ring.NewBarrier(a.Sequence), new AfterStampHandler(a.Sequence));
        ring.AddGatingSequences(b.Sequence);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(ring.TryPublish(new TestEvent { Value = i }));
        }

        Assert.Equal(0, b.Poll());
        Assert.Equal(5, a.Poll());
        Assert.Equal(5, b.Poll());

        // The ring is gated by B: A being done is not enough to reuse a slot.
        for (int i = 5; i < 13; i++)
        {
            Assert.True(ring.TryPublish(new TestEvent { Value = i }));
        }

        Assert.False(ring.TryPublish(default));
        Assert.Equal(8, a.Poll());
        Assert.False(ring.TryPublish(default));
        Assert.Equal(8, b.Poll());
        Assert.Equal(13, b.Handler.Count);
        Assert.Equal(0, b.Handler.Errors);
    }

    [Theory]
    [InlineData(WaitStrategyKind.Yielding)]
    [InlineData(WaitStrategyKind.Blocking)]
    public void Chained_consumers_across_threads_never_overtake(WaitStrategyKind kind)
    {
        const int Events = 200_000;
        var ring = new RingBuffer<TestEvent>(64, ProducerType.Single, kind);
        var a = new BatchEventProcessor<TestEvent, StampHandler>(ring, ring.NewBarrier(), default);
        var b = new BatchEventProcessor<TestEvent, AfterStampHandler>(
            ring, ring.NewBarrier(a.Sequence), new AfterStampHandler(a.Sequence));
        ring.AddGatingSequences(b.Sequence);
        Thread threadA = RingTestSupport.Start(() => a.Run(), "chain-a");
        Thread threadB = RingTestSupport.Start(() => b.Run(), "chain-b");

        for (long i = 0; i < Events; i++)
        {
            long sequence = RingTestSupport.Claim(ring);
            ref TestEvent slot = ref ring[sequence];
            slot.Value = i;
            slot.Stage = 0;
            slot.StampedBy = -1;
            ring.Publish(sequence);
        }

        RingTestSupport.WaitUntil(() => b.Sequence.Value == Events - 1, "the chain to drain");
        a.Halt();
        b.Halt();
        RingTestSupport.Join(threadA);
        RingTestSupport.Join(threadB);

        Assert.Equal(Events, a.Handler.Count);
        Assert.Equal(Events, b.Handler.Count);
        Assert.Equal(0, b.Handler.Errors);
    }

    [Fact]
    public void Blocking_consumer_sleeps_and_is_woken_by_each_publish()
    {
        var strategy = new BlockingWaitStrategy();
        var ring = new RingBuffer<TestEvent>(16, ProducerType.Single, strategy);
        var processor = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(processor.Sequence);
        Thread consumer = RingTestSupport.Start(() => processor.Run(), "blocking-consumer");

        for (int i = 0; i < 5; i++)
        {
            RingTestSupport.WaitUntil(() => strategy.WaiterCount == 1, "the consumer to fall asleep");
            Assert.Equal(i - 1, processor.Sequence.Value);
            Assert.True(ring.TryPublish(new TestEvent { Value = i }));
            int expected = i;
            RingTestSupport.WaitUntil(() => processor.Sequence.Value == expected, "the consumer to wake and consume");
        }

        processor.Halt();
        RingTestSupport.Join(consumer);
        Assert.Equal(0, strategy.WaiterCount);
        Assert.Equal(5, processor.Handler.Count);
        Assert.Equal(0, processor.Handler.Errors);
    }

    [Theory]
    [InlineData(WaitStrategyKind.BusySpin, false)]
    [InlineData(WaitStrategyKind.Yielding, false)]
    [InlineData(WaitStrategyKind.Blocking, false)]
    [InlineData(WaitStrategyKind.Yielding, true)]
    [InlineData(WaitStrategyKind.Blocking, true)]
    public void Halt_or_cancel_wakes_a_waiting_consumer(WaitStrategyKind kind, bool viaToken)
    {
        var ring = new RingBuffer<TestEvent>(16, ProducerType.Multi, kind);
        var processor = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(processor.Sequence);
        using var cancellation = new CancellationTokenSource();
        Thread consumer = RingTestSupport.Start(() => processor.Run(cancellation.Token), "halt-consumer");

        RingTestSupport.WaitUntil(() => processor.IsRunning, "the consumer to start");
        if (ring.WaitStrategy is BlockingWaitStrategy blocking)
        {
            RingTestSupport.WaitUntil(() => blocking.WaiterCount == 1, "the consumer to block");
        }

        if (viaToken)
        {
            cancellation.Cancel();
        }
        else
        {
            processor.Halt();
        }

        RingTestSupport.Join(consumer);
        Assert.False(processor.IsRunning);
        Assert.Equal(0, processor.Handler.Count);

        // A halted processor can be run again and still sees new events.
        Assert.True(ring.TryPublish(new TestEvent { Value = 0 }));
        Assert.Equal(1, processor.Poll());
    }

    [Fact]
    public void Halt_before_run_returns_at_once_and_a_second_run_is_rejected()
    {
        var ring = new RingBuffer<TestEvent>(16, ProducerType.Single, WaitStrategyKind.Blocking);
        var processor = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        processor.Halt();
        processor.Run();
        Assert.False(processor.IsRunning);

        Thread consumer = RingTestSupport.Start(() => processor.Run(), "first-run");
        RingTestSupport.WaitUntil(() => processor.IsRunning, "the consumer to start");
        Assert.Throws<InvalidOperationException>(() => processor.Run());
        processor.Halt();
        RingTestSupport.Join(consumer);
    }

    [Fact]
    public void Struct_wait_strategy_overrides_the_configured_one()
    {
        const int Events = 50_000;
        var ring = new RingBuffer<TestEvent>(256, ProducerType.Single, WaitStrategyKind.Blocking);
        var processor = new BatchEventProcessor<TestEvent, OrderedHandler>(ring, ring.NewBarrier(), new OrderedHandler());
        ring.AddGatingSequences(processor.Sequence);
        Thread consumer = RingTestSupport.Start(() => processor.Run(new BusySpinWaitStrategy()), "struct-spin-consumer");

        for (long i = 0; i < Events; i++)
        {
            long sequence = RingTestSupport.Claim(ring);
            ring[sequence].Value = i;
            ring.Publish(sequence);
        }

        RingTestSupport.WaitUntil(() => processor.Sequence.Value == Events - 1, "the consumer to catch up");
        processor.Halt();
        RingTestSupport.Join(consumer);
        Assert.Equal(Events, processor.Handler.Count);
        Assert.Equal(0, processor.Handler.Errors);
    }
}
