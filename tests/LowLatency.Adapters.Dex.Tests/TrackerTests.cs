using System.Text;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Replay;
using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// The tracker and the notification parser on bad input and chain events: removed logs roll back exactly, duplicates
/// and out-of-order logs are dropped and counted, contradictions leave the pool unchanged and ask for a snapshot,
/// heads detect gaps and reorgs, malformed frames never throw, and the path from frame bytes to state allocates nothing.
/// </summary>
public sealed class TrackerTests
{
    private static readonly Address V2Pair = Address.Parse("0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc");

    /// <summary>The first Swap of each of the recorded day's first blocks, decoded (one per block, so a snapshot at one block precedes the next).</summary>
    private static List<DexLog> DayLogs(int count)
    {
        var logs = new List<DexLog>();
        foreach (RawLogRow row in OnchainCsv.ReadRawLogs(RecordedDayDecodeTests.RawPath, RecordedDayDecodeTests.Pool))
        {
            if (row.Log.Kind == DexEventKind.V3Swap && (logs.Count == 0 || logs[^1].BlockNumber != row.Log.BlockNumber))
            {
                DexLog log = row.Log;
                log.BlockHash = new Hash32(log.BlockNumber, 0, 0, 1);
                logs.Add(log);
                if (logs.Count == count)
                {
                    break;
                }
            }
        }

        return logs;
    }

    private static (DexPoolTracker Tracker, int Pool) SnapshotAt(DexLog seed)
    {
        var tracker = new DexPoolTracker();
        int pool = tracker.AddV3Pool(RecordedDayDecodeTests.Pool, 500, 10);
        var state = new V3PoolState { SqrtPriceX96 = seed.SqrtPriceX96, Tick = seed.Tick, Liquidity = seed.Liquidity };
        Assert.Equal(V3Status.Ok, tracker.LoadV3Snapshot(pool, seed.BlockNumber, state, [], [], -10, 10));
        return (tracker, pool);
    }

    /// <summary>An eth_subscription frame for <paramref name="log"/> as a node writes it (with fields we do not read).</summary>
    internal static string Frame(in DexLog log, string topicsJson, string dataHex, bool removed = false, string extra = "") =>
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xabc\",\"result\":{" +
        $"\"address\":\"{log.Pool.ToLowerHexString()}\",\"topics\":{topicsJson},\"data\":\"{dataHex}\"," +
        $"\"blockNumber\":\"0x{log.BlockNumber:x}\",\"transactionHash\":\"0x{new string('1', 64)}\",\"transactionIndex\":\"0x{log.TransactionIndex:x}\"," +
        $"\"blockHash\":\"{log.BlockHash}\",\"logIndex\":\"0x{log.LogIndex:x}\",\"removed\":{(removed ? "true" : "false")}{extra}}}}}}}";

    [Fact]
    public void A_removed_log_rolls_the_pool_back_to_its_state_before_it()
    {
        List<DexLog> logs = DayLogs(12);
        (DexPoolTracker tracker, int pool) = SnapshotAt(logs[0]);
        var states = new List<V3PoolState>();
        for (int i = 1; i < logs.Count; i++)
        {
            states.Add(tracker.V3(pool).State);
            Assert.Equal(LogOutcome.Applied, tracker.Apply(logs[i]));
        }

        // Undo the last three, newest first (as a node sends them), then one that is already undone.
        for (int i = logs.Count - 1; i >= logs.Count - 3; i--)
        {
            DexLog removed = logs[i];
            removed.Removed = true;
            Assert.Equal(LogOutcome.RolledBack, tracker.Apply(removed));
            Assert.Equal(states[i - 1].SqrtPriceX96, tracker.V3(pool).State.SqrtPriceX96);
            Assert.Equal(states[i - 1].Liquidity, tracker.V3(pool).State.Liquidity);
            Assert.Equal(LogOutcome.RemovedNotApplied, tracker.Apply(removed));
        }

        // Removing an older log undoes everything after it too.
        DexLog older = logs[3];
        older.Removed = true;
        Assert.Equal(LogOutcome.RolledBack, tracker.Apply(older));
        Assert.Equal(states[2].SqrtPriceX96, tracker.V3(pool).State.SqrtPriceX96);
        Assert.Equal(logs[2].Position, tracker.LastPosition(pool));

        // The replacement chain's logs apply on top.
        Assert.Equal(LogOutcome.Applied, tracker.Apply(logs[3]));
        Assert.Equal(logs[3].SqrtPriceX96, tracker.V3(pool).State.SqrtPriceX96);
        Assert.False(tracker.NeedsSnapshot);
    }

    [Fact]
    public void Duplicates_out_of_order_logs_and_unknown_pools_are_counted_and_change_nothing()
    {
        List<DexLog> logs = DayLogs(6);
        (DexPoolTracker tracker, int pool) = SnapshotAt(logs[0]);
        Assert.Equal(LogOutcome.BeforeSnapshot, tracker.Apply(logs[0]));
        Assert.Equal(LogOutcome.Applied, tracker.Apply(logs[1]));
        Assert.Equal(LogOutcome.Applied, tracker.Apply(logs[3]));
        V3PoolState before = tracker.V3(pool).State;
        Assert.Equal(LogOutcome.Duplicate, tracker.Apply(logs[3]));

        DexLog stranger = logs[4];
        stranger.Pool = V2Pair;
        Assert.Equal(LogOutcome.UnknownPool, tracker.Apply(stranger));

        DexLog sync = logs[4];
        sync.Kind = DexEventKind.V2Sync;
        Assert.Equal(LogOutcome.WrongPoolKind, tracker.Apply(sync));
        Assert.Equal(before, tracker.V3(pool).State);
        Assert.False(tracker.NeedsSnapshot);

        // logs[2] arrives after logs[3]: a gap in what we saw, so the pool waits for a snapshot.
        Assert.Equal(LogOutcome.OutOfOrder, tracker.Apply(logs[2]));
        Assert.Equal(before, tracker.V3(pool).State);
        Assert.True(tracker.NeedsSnapshot && tracker.IsStale(pool));
        Assert.Equal(LogOutcome.Stale, tracker.Apply(logs[5]));
        Assert.Equal(before, tracker.V3(pool).State);

        TrackerCounters c = tracker.Counters;
        Assert.Equal((1, 1, 1, 1, 1, 1), (c.BeforeSnapshot, c.Duplicates, c.UnknownPool, c.WrongPoolKind, c.OutOfOrder, c.Stale));
        Assert.Equal(6, c.Dropped + c.BeforeSnapshot);
    }

    [Fact]
    public void A_log_that_contradicts_the_state_is_refused_whole()
    {
        List<DexLog> logs = DayLogs(2);
        (DexPoolTracker tracker, int pool) = SnapshotAt(logs[0]);
        V3PoolState before = tracker.V3(pool).State;

        // A Swap whose tick is not its price's.
        DexLog badTick = logs[1];
        badTick.Tick += 50;
        Assert.Equal(LogOutcome.Rejected, tracker.Apply(badTick));
        Assert.Equal(before, tracker.V3(pool).State);

        // A Mint whose amounts are not what that liquidity costs at this price.
        (tracker, pool) = SnapshotAt(logs[0]);
        var mint = new DexLog
        {
            Pool = RecordedDayDecodeTests.Pool, BlockNumber = logs[1].BlockNumber, LogIndex = 1, Kind = DexEventKind.V3Mint,
            TickLower = 199000, TickUpper = 199100, Liquidity = 1_000_000_000_000UL, Amount0 = 1, Amount1 = 1,
        };
        Assert.Equal(LogOutcome.Rejected, tracker.Apply(mint));
        Assert.Equal(before, tracker.V3(pool).State);
        Assert.Equal(0, tracker.V3(pool).Ticks.Count);

        // A Mint that would overflow the in-range liquidity, with the amounts that liquidity would cost.
        (tracker, pool) = SnapshotAt(logs[0]);
        var huge = mint with { };
        huge.Liquidity = (UInt128)Int128.MaxValue;
        Assert.Equal(LogOutcome.Rejected, tracker.Apply(huge));
        Assert.Equal(before, tracker.V3(pool).State);

        // A Burn of liquidity the known ticks never had.
        (tracker, pool) = SnapshotAt(logs[0]);
        var burn = mint with { };
        burn.Kind = DexEventKind.V3Burn;
        burn.Liquidity = 1;
        burn.Amount0 = 0;
        burn.Amount1 = 0;
        Assert.Equal(LogOutcome.Rejected, tracker.Apply(burn));
        Assert.Equal(0, tracker.V3(pool).Ticks.Count);
        Assert.True(tracker.NeedsSnapshot);
    }

    [Fact]
    public void Heads_that_skip_or_fork_ask_every_pool_for_a_snapshot()
    {
        var tracker = new DexPoolTracker();
        _ = tracker.AddV2Pool(V2Pair, 30);
        tracker.LoadV2Snapshot(0, 10, 100, 200);
        var h10 = new HeadInfo { Number = 10, Hash = new Hash32(10, 0, 0, 0), ParentHash = new Hash32(9, 0, 0, 0) };
        var h11 = new HeadInfo { Number = 11, Hash = new Hash32(11, 0, 0, 0), ParentHash = h10.Hash };
        Assert.Equal(HeadOutcome.Next, tracker.OnHead(h10));
        Assert.Equal(HeadOutcome.Next, tracker.OnHead(h11));
        Assert.Equal(HeadOutcome.Duplicate, tracker.OnHead(h11));
        Assert.False(tracker.NeedsSnapshot);
        Assert.Equal(HeadOutcome.Gap, tracker.OnHead(new HeadInfo { Number = 13, Hash = new Hash32(13, 0, 0, 0), ParentHash = new Hash32(12, 0, 0, 0) }));
        Assert.True(tracker.NeedsSnapshot);
        tracker.LoadV2Snapshot(0, 13, 100, 200);
        Assert.False(tracker.NeedsSnapshot);
        Assert.Equal(HeadOutcome.Reorg, tracker.OnHead(new HeadInfo { Number = 14, Hash = new Hash32(14, 0, 0, 9), ParentHash = new Hash32(13, 0, 0, 9) }));
        Assert.True(tracker.NeedsSnapshot);
        tracker.LoadV2Snapshot(0, 14, 100, 200);
        Assert.Equal(HeadOutcome.Reorg, tracker.OnHead(new HeadInfo { Number = 12, Hash = new Hash32(12, 0, 0, 7), ParentHash = new Hash32(11, 0, 0, 7) }));
        Assert.True(tracker.NeedsSnapshot);
        Assert.Equal((1L, 2L), (tracker.Counters.HeadGaps, tracker.Counters.Reorgs));
    }

    [Fact]
    public void A_notification_frame_decodes_to_the_same_log_as_the_recorded_row_and_bad_frames_never_throw()
    {
        DexLog log = DayLogs(1)[0];
        string topics = "[\"" + Hex.Encode(DexLogDecoder.V3SwapTopic) + "\",\"0x" + new string('0', 24) + "3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad\",\"0x" + new string('0', 24) + "3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad\"]";
        string data = RawData(log);
        string frame = Frame(log, topics, data, extra: ",\"blockTimestamp\":\"0x659745b7\",\"future\":{\"a\":[1,2,{\"b\":null}]}");
        Assert.Equal(DecodeStatus.Ok, NotificationParser.ParseLogNotification(Encoding.UTF8.GetBytes(frame), out DexLog parsed));
        Assert.Equal(log.SqrtPriceX96, parsed.SqrtPriceX96);
        Assert.Equal(log.Amount0, parsed.Amount0);
        Assert.Equal(log.Amount1, parsed.Amount1);
        Assert.Equal(log.Tick, parsed.Tick);
        Assert.Equal(log.Liquidity, parsed.Liquidity);
        Assert.Equal(log.Position, parsed.Position);
        Assert.Equal(log.BlockHash, parsed.BlockHash);
        Assert.Equal(log.Pool, parsed.Pool);
        Assert.False(parsed.Removed);

        string unknownTopic = "[\"0x" + new string('e', 64) + "\"]";
        Assert.Equal(DecodeStatus.UnknownTopic, NotificationParser.ParseLogNotification(Encoding.UTF8.GetBytes(Frame(log, unknownTopic, data)), out _));

        string[] bad =
        [
            frame[..(frame.Length / 2)],                                 // cut in the middle
            frame.Replace("\"logIndex\"", "\"logIndeks\"", StringComparison.Ordinal), // a required field missing
            Frame(log, topics, data[..^2]),                              // data one byte short
            Frame(log, topics, data + "zz"),                             // not hex
            Frame(log, topics.Replace("\"0x", "\"0X\\u0030", StringComparison.Ordinal), data), // escaped text
            Frame(log, "[]", data),                                      // no topics: an anonymous event
            Frame(log, topics, "0x" + new string('f', 64 * 5)),          // sqrtPrice word beyond uint160
            "[]", "null", "{\"params\":{\"result\":7}}", "",
        ];
        foreach (string b in bad)
        {
            DecodeStatus status = NotificationParser.ParseLogNotification(Encoding.UTF8.GetBytes(b), out _);
            Assert.NotEqual(DecodeStatus.Ok, status);
        }

        // A Swap word whose tick is not a sign-extended int24 is refused.
        byte[] words = Hex.Decode(data);
        words[4 * 32] = 0x01;
        Assert.Equal(DecodeStatus.Malformed, NotificationParser.ParseLogNotification(Encoding.UTF8.GetBytes(Frame(log, topics, Hex.Encode(words))), out _));
    }

    [Fact]
    public void Parsing_and_applying_notifications_allocates_nothing_after_warm_up()
    {
        List<DexLog> logs = DayLogs(200);
        (DexPoolTracker tracker, int pool) = SnapshotAt(logs[0]);
        string topics = "[\"" + Hex.Encode(DexLogDecoder.V3SwapTopic) + "\",\"0x" + new string('0', 64) + "\",\"0x" + new string('0', 64) + "\"]";
        byte[][] frames = logs.ConvertAll(l => Encoding.UTF8.GetBytes(Frame(l, topics, RawData(l)))).ToArray();
        var head = new HeadInfo { Number = logs[0].BlockNumber, Hash = new Hash32(1, 0, 0, 0) };
        byte[] headFrame = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\",\"result\":{\"number\":\"0x1\",\"hash\":\"0x" + new string('a', 64) + "\",\"parentHash\":\"0x" + new string('b', 64) + "\",\"baseFeePerGas\":\"0x3b9aca00\",\"timestamp\":\"0x10\",\"miner\":\"0x" + new string('0', 40) + "\"}}}");
        _ = tracker.OnHead(head);
        for (int i = 1; i < 100; i++)
        {
            Assert.Equal(DecodeStatus.Ok, NotificationParser.ParseLogNotification(frames[i], out DexLog l));
            Assert.Equal(LogOutcome.Applied, tracker.Apply(l));
            Assert.Equal(DecodeStatus.Ok, NotificationParser.ParseHeadNotification(headFrame, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int applied = 0;
        for (int i = 100; i < frames.Length; i++)
        {
            if (NotificationParser.ParseLogNotification(frames[i], out DexLog l) == DecodeStatus.Ok && tracker.Apply(l) == LogOutcome.Applied)
            {
                applied++;
            }

            _ = NotificationParser.ParseHeadNotification(headFrame, out HeadInfo h);
            Assert.True(h.HasBaseFee);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(frames.Length - 100, applied);
        Assert.Equal(0, allocated);
        Assert.Equal(logs[^1].SqrtPriceX96, tracker.V3(pool).State.SqrtPriceX96);
    }

    /// <summary>The ABI data words of a Swap log.</summary>
    internal static string RawData(in DexLog log)
    {
        Span<byte> data = stackalloc byte[160];
        Int256Bits(log.Amount0).ToBigEndian(data[..32]);
        Int256Bits(log.Amount1).ToBigEndian(data.Slice(32, 32));
        log.SqrtPriceX96.ToBigEndian(data.Slice(64, 32));
        ((UInt256)log.Liquidity).ToBigEndian(data.Slice(96, 32));
        Int256Bits(log.Tick).ToBigEndian(data.Slice(128, 32));
        return Hex.Encode(data);
    }

    private static UInt256 Int256Bits(Int256 value) => UInt256.FromBigInteger(value.ToBigInteger() < 0 ? (System.Numerics.BigInteger.One << 256) + value.ToBigInteger() : value.ToBigInteger());
}
