using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Ring;

namespace LowLatency.Benchmarks.Ring;

/// <summary>A small ring event: what a tick hop moves, minus the payload.</summary>
public struct RingMessage
{
    public long Value;
    public long TimestampTicks;
}

/// <summary>
/// One producer thread (the benchmark thread) moves <see cref="Messages"/> small structs to one consumer thread:
/// through a bounded single-reader/single-writer <see cref="System.Threading.Channels.Channel"/> (baseline) and
/// through our SPSC ring (yielding consumer; the producer spins-then-yields only when the ring is full), one
/// claim and one publish per message.
/// Medians are per message (OperationsPerInvoke). Budgets: budgets/ring.json.
/// </summary>
[MemoryDiagnoser]
public class RingThroughputBenchmarks
{
    public const int Messages = 1 << 20;
    private const int Capacity = 4096;

    private Channel<RingMessage> _channel = null!;
    private RingBuffer<RingMessage> _ring = null!;
    private BatchEventProcessor<RingMessage, SumHandler> _processor = null!;
    private Thread _consumer = null!;

    [GlobalSetup(Targets = [nameof(Channel), nameof(ChannelAwaitEach)])]
    public void SetupChannel() =>
        _channel = System.Threading.Channels.Channel.CreateBounded<RingMessage>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

    [GlobalSetup(Target = nameof(Ring))]
    public void SetupRing()
    {
        _ring = new RingBuffer<RingMessage>(Capacity, ProducerType.Single, WaitStrategyKind.Yielding);
        _processor = new BatchEventProcessor<RingMessage, SumHandler>(_ring, _ring.NewBarrier(), default);
        _ring.AddGatingSequences(_processor.Sequence);

        // The consumer thread lives across invocations: only the transfer is measured.
        _consumer = new Thread(() => _processor.Run()) { IsBackground = true, Name = "ring-bench-consumer" };
        _consumer.Start();
    }

    [GlobalCleanup(Target = nameof(Ring))]
    public void CleanupRing()
    {
        _processor.Halt();
        _consumer.Join();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public async Task<long> Channel()
    {
        ChannelReader<RingMessage> reader = _channel.Reader;
        Task<long> consumer = Task.Run(() => ConsumeAsync(reader, Messages));
        ChannelWriter<RingMessage> writer = _channel.Writer;
        for (long i = 0; i < Messages; i++)
        {
            var message = new RingMessage { Value = i, TimestampTicks = i };
            if (!writer.TryWrite(message))
            {
                await writer.WriteAsync(message).ConfigureAwait(false);
            }
        }

        return await consumer.ConfigureAwait(false);
    }

    /// <summary>
    /// The channel as it is usually written: one awaited <c>WriteAsync</c> per message, <c>ReadAllAsync</c> on the reader.
    /// <see cref="Channel"/> is the best case (synchronous TryWrite/TryRead fast paths); both are reported.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<long> ChannelAwaitEach()
    {
        ChannelReader<RingMessage> reader = _channel.Reader;
        Task<long> consumer = Task.Run(async () =>
        {
            long sum = 0;
            long received = 0;
            await foreach (RingMessage message in reader.ReadAllAsync().ConfigureAwait(false))
            {
                sum += message.Value;
                if (++received == Messages)
                {
                    break;
                }
            }

            return sum;
        });
        ChannelWriter<RingMessage> writer = _channel.Writer;
        for (long i = 0; i < Messages; i++)
        {
            await writer.WriteAsync(new RingMessage { Value = i, TimestampTicks = i }).ConfigureAwait(false);
        }

        return await consumer.ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long Ring()
    {
        RingBuffer<RingMessage> ring = _ring;
        long last = 0;
        for (long i = 0; i < Messages; i++)
        {
            last = ring.Next();
            ref RingMessage slot = ref ring[last];
            slot.Value = i;
            slot.TimestampTicks = i;
            ring.Publish(last);
        }

        SpinWait spin = default;
        while (_processor.Sequence.Value < last)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        return _processor.Handler.Sum;
    }

    private static async Task<long> ConsumeAsync(ChannelReader<RingMessage> reader, long count)
    {
        long sum = 0;
        long received = 0;
        while (received < count)
        {
            while (received < count && reader.TryRead(out RingMessage message))
            {
                sum += message.Value;
                received++;
            }

            if (received < count && !await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                break;
            }
        }

        return sum;
    }

    private struct SumHandler : IEventHandler<RingMessage>
    {
        public long Sum;

        public void OnEvent(ref RingMessage evt, long sequence, bool endOfBatch) => Sum += evt.Value;
    }
}
