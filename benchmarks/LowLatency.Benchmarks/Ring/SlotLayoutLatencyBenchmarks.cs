using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.Benchmarks.Ring;

/// <summary>How a benchmark writes a typical tick (a top with one bid and one ask) into a slot and how the strategy reads it.</summary>
public interface ISlotOps<T>
    where T : unmanaged
{
    static abstract void Write(ref T slot, long i);

    static abstract long Read(ref T slot);
}

/// <summary>The alternative the issue names: a compact top-of-book event, one cache line (header + two levels).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CompactTick
{
    public TickKind Kind;
    public TickFlags Flags;
    public VenueId Venue;
    public byte BidCount;
    public byte AskCount;
    public InstrumentId Instrument;
    public long LastUpdateId;
    public long ExchangeTimeNs;
    public long ReceiveTimestamp;
    public BookLevel Bid;
    public BookLevel Ask;
}

/// <summary>Fewer inline levels: the header of <see cref="TickEvent"/> and four levels, two cache lines.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FourLevelTick
{
    public TickKind Kind;
    public TickFlags Flags;
    public VenueId Venue;
    public byte BidCount;
    public byte AskCount;
    public InstrumentId Instrument;
    public uint Checksum;
    public long FirstUpdateId;
    public long LastUpdateId;
    public long PrevUpdateId;
    public long ExchangeTimeNs;
    public long ReceiveTimeNs;
    public long ReceiveTimestamp;
    public FourLevels Levels;
}

[InlineArray(4)]
public struct FourLevels
{
    private BookLevel _element0;
}

public struct TickEventOps : ISlotOps<TickEvent>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref TickEvent slot, long i)
    {
        slot.Kind = TickKind.Top;
        slot.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        slot.Venue = new VenueId(1);
        slot.Instrument = new InstrumentId(3);
        slot.BidCount = 1;
        slot.AskCount = 1;
        slot.FirstUpdateId = i;
        slot.LastUpdateId = i;
        slot.ExchangeTimeNs = i;
        slot.ReceiveTimeNs = i;
        slot.ReceiveTimestamp = i;
        slot.Levels[0] = new BookLevel(new Price(100_000 + i), new Quantity(5));
        slot.Levels[1] = new BookLevel(new Price(100_001 + i), new Quantity(7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Read(ref TickEvent slot)
    {
        long sum = slot.ReceiveTimestamp + slot.LastUpdateId;
        for (int k = 0; k < slot.BidCount + slot.AskCount; k++)
        {
            sum += slot.Levels[k].Price.Raw + slot.Levels[k].Quantity.Raw;
        }

        return sum;
    }
}

public struct CompactTickOps : ISlotOps<CompactTick>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref CompactTick slot, long i)
    {
        slot.Kind = TickKind.Top;
        slot.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        slot.Venue = new VenueId(1);
        slot.Instrument = new InstrumentId(3);
        slot.BidCount = 1;
        slot.AskCount = 1;
        slot.LastUpdateId = i;
        slot.ExchangeTimeNs = i;
        slot.ReceiveTimestamp = i;
        slot.Bid = new BookLevel(new Price(100_000 + i), new Quantity(5));
        slot.Ask = new BookLevel(new Price(100_001 + i), new Quantity(7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Read(ref CompactTick slot) =>
        slot.ReceiveTimestamp + slot.LastUpdateId + slot.Bid.Price.Raw + slot.Bid.Quantity.Raw + slot.Ask.Price.Raw + slot.Ask.Quantity.Raw;
}

public struct FourLevelTickOps : ISlotOps<FourLevelTick>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref FourLevelTick slot, long i)
    {
        slot.Kind = TickKind.Top;
        slot.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        slot.Venue = new VenueId(1);
        slot.Instrument = new InstrumentId(3);
        slot.BidCount = 1;
        slot.AskCount = 1;
        slot.FirstUpdateId = i;
        slot.LastUpdateId = i;
        slot.ExchangeTimeNs = i;
        slot.ReceiveTimeNs = i;
        slot.ReceiveTimestamp = i;
        slot.Levels[0] = new BookLevel(new Price(100_000 + i), new Quantity(5));
        slot.Levels[1] = new BookLevel(new Price(100_001 + i), new Quantity(7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Read(ref FourLevelTick slot)
    {
        long sum = slot.ReceiveTimestamp + slot.LastUpdateId;
        for (int k = 0; k < slot.BidCount + slot.AskCount; k++)
        {
            sum += slot.Levels[k].Price.Raw + slot.Levels[k].Quantity.Raw;
        }

        return sum;
    }
}

/// <summary>The strategy side of the hop: reads what a strategy reads of a tick (header, the levels present).</summary>
public struct ReadingHandler<T, TOps> : IEventHandler<T>
    where T : unmanaged
    where TOps : struct, ISlotOps<T>
{
    public long Sum;

    public void OnEvent(ref T evt, long sequence, bool endOfBatch) => Sum += TOps.Read(ref evt);
}

/// <summary>One producer, one consumer thread over a ring of <typeparamref name="T"/>: the hop the benchmarks time.</summary>
public sealed class SlotHop<T, TOps>
    where T : unmanaged
    where TOps : struct, ISlotOps<T>
{
    private readonly RingBuffer<T> _ring;
    private readonly BatchEventProcessor<T, ReadingHandler<T, TOps>> _processor;
    private readonly Thread _consumer;
    private long _next;

    public SlotHop(int capacity)
    {
        _ring = new RingBuffer<T>(capacity, ProducerType.Single, WaitStrategyKind.Yielding); // the engine's default consumer
        _processor = new BatchEventProcessor<T, ReadingHandler<T, TOps>>(_ring, _ring.NewBarrier(), default);
        _ring.AddGatingSequences(_processor.Sequence);
        _consumer = new Thread(() => _processor.Run()) { IsBackground = true, Name = "slot-hop-consumer" };
        _consumer.Start();
    }

    /// <summary>
    /// One tick at a time: write it, publish, wait until the consumer has read it. The next tick goes to the next slot,
    /// so the producer walks the whole ring (cold slots, as in the engine: the default ring is 65,536 slots).
    /// </summary>
    public long PingPong(int messages)
    {
        long last = 0;
        for (int m = 0; m < messages; m++)
        {
            last = _ring.Next();
            TOps.Write(ref _ring[last], _next++);
            _ring.Publish(last);
            while (_processor.Sequence.Value < last)
            {
                Thread.SpinWait(1);
            }
        }

        return _processor.Handler.Sum;
    }

    /// <summary>Streams <paramref name="messages"/> ticks (throughput: the producer waits only when the ring is full).</summary>
    public long Stream(int messages)
    {
        long last = 0;
        for (int m = 0; m < messages; m++)
        {
            last = _ring.Next();
            TOps.Write(ref _ring[last], _next++);
            _ring.Publish(last);
        }

        SpinWait spin = default;
        while (_processor.Sequence.Value < last)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        return _processor.Handler.Sum;
    }

    public void Stop()
    {
        _processor.Halt();
        _consumer.Join();
    }
}

/// <summary>
/// Issue 7 item 8: the producer thread → strategy thread hop with the real <see cref="TickEvent"/> (320 B, five cache
/// lines, 16 inline levels) against the layouts one could choose instead: a compact top-of-book event (64 B, two
/// levels: what most ticks carry) and four inline levels (128 B). Every ring has the engine's default 65,536 slots and
/// its default (yielding) consumer; only the measured layout's consumer thread exists during its benchmark.
/// Each operation is one tick end to end: write, publish, the consumer reads it, the producer sees its sequence move —
/// the one-way latency plus the return of one cache line. Budgets: budgets/slotlayout.json (allocations only: on a
/// shared 2-core box the hop is dominated by scheduling, see the README's figures).
/// </summary>
[MemoryDiagnoser]
public class SlotLayoutLatencyBenchmarks
{
    public const int EngineRingSlots = 1 << 16;
    private const int PingPongs = 1 << 12;

    private SlotHop<TickEvent, TickEventOps>? _tick;
    private SlotHop<CompactTick, CompactTickOps>? _compact;
    private SlotHop<FourLevelTick, FourLevelTickOps>? _four;

    [GlobalSetup(Target = nameof(TickEvent320B))]
    public void SetupTick() => _tick = new SlotHop<TickEvent, TickEventOps>(EngineRingSlots);

    [GlobalSetup(Target = nameof(CompactTop64B))]
    public void SetupCompact() => _compact = new SlotHop<CompactTick, CompactTickOps>(EngineRingSlots);

    [GlobalSetup(Target = nameof(FourLevels128B))]
    public void SetupFour() => _four = new SlotHop<FourLevelTick, FourLevelTickOps>(EngineRingSlots);

    [GlobalCleanup]
    public void Cleanup()
    {
        _tick?.Stop();
        _compact?.Stop();
        _four?.Stop();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PingPongs)]
    public long CompactTop64B() => _compact!.PingPong(PingPongs);

    [Benchmark(OperationsPerInvoke = PingPongs)]
    public long FourLevels128B() => _four!.PingPong(PingPongs);

    [Benchmark(OperationsPerInvoke = PingPongs)]
    public long TickEvent320B() => _tick!.PingPong(PingPongs);
}

/// <summary>
/// The same layouts streamed (the producer waits only when the ring is full): ticks per second through the hop, where
/// the slot size shows as memory traffic. Per tick. Budgets: budgets/slotlayout.json.
/// </summary>
[MemoryDiagnoser]
public class SlotLayoutThroughputBenchmarks
{
    private const int Streamed = 1 << 18;

    private SlotHop<TickEvent, TickEventOps>? _tick;
    private SlotHop<CompactTick, CompactTickOps>? _compact;
    private SlotHop<FourLevelTick, FourLevelTickOps>? _four;

    [GlobalSetup(Target = nameof(TickEvent320B))]
    public void SetupTick() => _tick = new SlotHop<TickEvent, TickEventOps>(SlotLayoutLatencyBenchmarks.EngineRingSlots);

    [GlobalSetup(Target = nameof(CompactTop64B))]
    public void SetupCompact() => _compact = new SlotHop<CompactTick, CompactTickOps>(SlotLayoutLatencyBenchmarks.EngineRingSlots);

    [GlobalSetup(Target = nameof(FourLevels128B))]
    public void SetupFour() => _four = new SlotHop<FourLevelTick, FourLevelTickOps>(SlotLayoutLatencyBenchmarks.EngineRingSlots);

    [GlobalCleanup]
    public void Cleanup()
    {
        _tick?.Stop();
        _compact?.Stop();
        _four?.Stop();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Streamed)]
    public long CompactTop64B() => _compact!.Stream(Streamed);

    [Benchmark(OperationsPerInvoke = Streamed)]
    public long FourLevels128B() => _four!.Stream(Streamed);

    [Benchmark(OperationsPerInvoke = Streamed)]
    public long TickEvent320B() => _tick!.Stream(Streamed);
}

/// <summary>
/// The ring-vs-channel comparison of <see cref="RingThroughputBenchmarks"/> with the real 320-byte <see cref="TickEvent"/>
/// instead of a 16-byte struct: a bounded SPSC channel (its synchronous TryWrite/TryRead fast paths, the baseline) against
/// our ring, one tick per claim and publish, the consumer reading each tick. Per tick. Budgets: budgets/ring.json.
/// </summary>
[MemoryDiagnoser]
public class TickEventRingVsChannelBenchmarks
{
    private const int Messages = 1 << 18;
    private const int Capacity = 4096;

    private Channel<TickEvent> _channel = null!;
    private SlotHop<TickEvent, TickEventOps> _ring = null!;

    [GlobalSetup(Target = nameof(Channel))]
    public void SetupChannel() =>
        _channel = System.Threading.Channels.Channel.CreateBounded<TickEvent>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

    [GlobalSetup(Target = nameof(Ring))]
    public void SetupRing() => _ring = new SlotHop<TickEvent, TickEventOps>(Capacity);

    [GlobalCleanup(Target = nameof(Ring))]
    public void CleanupRing() => _ring.Stop();

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public async Task<long> Channel()
    {
        ChannelReader<TickEvent> reader = _channel.Reader;
        Task<long> consumer = Task.Run(async () =>
        {
            long sum = 0;
            long received = 0;
            while (received < Messages)
            {
                while (received < Messages && reader.TryRead(out TickEvent tick))
                {
                    sum += TickEventOps.Read(ref tick);
                    received++;
                }

                if (received < Messages && !await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    break;
                }
            }

            return sum;
        });
        ChannelWriter<TickEvent> writer = _channel.Writer;
        TickEvent tick = default;
        for (long i = 0; i < Messages; i++)
        {
            TickEventOps.Write(ref tick, i);
            if (!writer.TryWrite(tick))
            {
                await writer.WriteAsync(tick).ConfigureAwait(false);
            }
        }

        return await consumer.ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long Ring() => _ring.Stream(Messages);
}
