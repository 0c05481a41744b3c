using System.Buffers;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.Dex.Node;

/// <summary>
/// Reads pool state from a node at one block, in batched eth_calls: V2 <c>getReserves()</c>; V3 <c>slot0()</c>,
/// <c>liquidity()</c>, the tick bitmap words around the price (<c>tickBitmap(int16)</c>) and every initialized tick in
/// them (<c>ticks(int24)</c>). Loads the result into the tracker. Cold path (start-up, re-snapshots): allocates.
/// </summary>
public sealed class PoolSnapshotter
{
    private static readonly byte[] s_getReserves = Selector("getReserves()");
    private static readonly byte[] s_slot0 = Selector("slot0()");
    private static readonly byte[] s_liquidity = Selector("liquidity()");
    private static readonly byte[] s_tickBitmap = Selector("tickBitmap(int16)");
    private static readonly byte[] s_ticks = Selector("ticks(int24)");

    private readonly JsonRpcClient _client;
    private readonly int _wordsEachSide;

    /// <param name="wordsEachSide">Bitmap words read on each side of the price's word (each word is 256 spaced ticks).</param>
    public PoolSnapshotter(JsonRpcClient client, int wordsEachSide = 2)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfNegative(wordsEachSide);
        _client = client;
        _wordsEachSide = wordsEachSide;
    }

    /// <summary>Snapshots every stale pool (or every pool with <paramref name="all"/>) at the node's latest block; returns that block.</summary>
    public async Task<RpcResult<ulong>> SnapshotAsync(DexPoolTracker tracker, bool all = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        RpcResult<ulong> latest = await _client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        if (!latest.IsOk)
        {
            return latest;
        }

        ulong block = latest.Value;
        for (int i = 0; i < tracker.PoolCount; i++)
        {
            if (!all && !tracker.IsStale(i) && tracker.HasState(i))
            {
                continue;
            }

            RpcError? error = tracker.IsV3(i)
                ? await SnapshotV3Async(tracker, i, block, cancellationToken).ConfigureAwait(false)
                : await SnapshotV2Async(tracker, i, block, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }
        }

        return block;
    }

    private async Task<RpcError?> SnapshotV2Async(DexPoolTracker tracker, int index, ulong block, CancellationToken ct)
    {
        RpcResult<byte[]>[] r = await CallAllAsync(tracker.AddressOf(index), [s_getReserves], block, ct).ConfigureAwait(false);
        if (!r[0].IsOk)
        {
            return r[0].Error;
        }

        byte[] w = r[0].Value;
        if (w.Length < 96)
        {
            return RpcError.Malformed("getReserves answered " + w.Length + " bytes");
        }

        tracker.LoadV2Snapshot(index, block, UInt256.FromBigEndian(w.AsSpan(0, 32)), UInt256.FromBigEndian(w.AsSpan(32, 32)));
        return null;
    }

    private async Task<RpcError?> SnapshotV3Async(DexPoolTracker tracker, int index, ulong block, CancellationToken ct)
    {
        Address pool = tracker.AddressOf(index);
        RpcResult<byte[]>[] head = await CallAllAsync(pool, [s_slot0, s_liquidity], block, ct).ConfigureAwait(false);
        if (!head[0].IsOk || !head[1].IsOk)
        {
            return head[0].Error ?? head[1].Error;
        }

        if (head[0].Value.Length < 64 || head[1].Value.Length < 32)
        {
            return RpcError.Malformed("slot0/liquidity answers are too short");
        }

        var state = new V3PoolState
        {
            SqrtPriceX96 = UInt256.FromBigEndian(head[0].Value.AsSpan(0, 32)),
            Tick = (int)(long)Int256.FromBits(UInt256.FromBigEndian(head[0].Value.AsSpan(32, 32))),
            Liquidity = (UInt128)UInt256.FromBigEndian(head[1].Value.AsSpan(0, 32)),
        };
        int spacing = tracker.V3(index).TickSpacing;
        int compressed = state.Tick / spacing - (state.Tick < 0 && state.Tick % spacing != 0 ? 1 : 0);
        int center = compressed >> 8;
        short from = (short)Math.Max(short.MinValue, center - _wordsEachSide);
        short to = (short)Math.Min(short.MaxValue, center + _wordsEachSide);
        var wordCalls = new byte[to - from + 1][];
        for (int w = from; w <= to; w++)
        {
            wordCalls[w - from] = WithInt(s_tickBitmap, w);
        }

        RpcResult<byte[]>[] words = await CallAllAsync(pool, wordCalls, block, ct).ConfigureAwait(false);
        var ticks = new List<int>();
        for (int k = 0; k < words.Length; k++)
        {
            if (!words[k].IsOk || words[k].Value.Length < 32)
            {
                return words[k].Error ?? RpcError.Malformed("tickBitmap answer too short");
            }

            UInt256 bits = UInt256.FromBigEndian(words[k].Value.AsSpan(0, 32));
            for (int bit = 0; bit < 256 && !bits.IsZero; bit++)
            {
                if (!((bits >> bit) & UInt256.One).IsZero)
                {
                    ticks.Add((((from + k) << 8) + bit) * spacing);
                }
            }
        }

        var infos = new V3TickInfo[ticks.Count];
        if (ticks.Count > 0)
        {
            RpcResult<byte[]>[] answers = await CallAllAsync(pool, ticks.ConvertAll(t => WithInt(s_ticks, t)).ToArray(), block, ct).ConfigureAwait(false);
            for (int k = 0; k < answers.Length; k++)
            {
                if (!answers[k].IsOk || answers[k].Value.Length < 64)
                {
                    return answers[k].Error ?? RpcError.Malformed("ticks answer too short");
                }

                UInt256 gross = UInt256.FromBigEndian(answers[k].Value.AsSpan(0, 32));
                Int256 net = Int256.FromBits(UInt256.FromBigEndian(answers[k].Value.AsSpan(32, 32)));
                if (!gross.FitsInUInt128 || !Int256.TryToInt128(net, out Int128 net128))
                {
                    return RpcError.Malformed("ticks answer outside uint128/int128");
                }

                infos[k] = new V3TickInfo((UInt128)gross, net128);
            }
        }

        V3Status loaded = tracker.LoadV3Snapshot(index, block, state, ticks.ToArray(), infos, from, to);
        return loaded == V3Status.Ok ? null : RpcError.Malformed("the node's pool state is not valid: " + loaded);
    }

    private async Task<RpcResult<byte[]>[]> CallAllAsync(Address to, byte[][] calldata, ulong block, CancellationToken ct)
    {
        var calls = new RpcCall[calldata.Length];
        string toHex = to.ToLowerHexString();
        string blockHex = RpcParams.Quantity(block);
        for (int i = 0; i < calldata.Length; i++)
        {
            byte[] data = calldata[i];
            calls[i] = new RpcCall("eth_call", RpcParams.Build(w =>
            {
                w.WriteStartObject();
                w.WriteString("to"u8, toHex);
                w.WriteString("data"u8, Hex.Encode(data));
                w.WriteEndObject();
                w.WriteStringValue(blockHex);
            }));
        }

        RpcResult<JsonElement>[] answers = await _client.BatchAsync(calls, ct).ConfigureAwait(false);
        var results = new RpcResult<byte[]>[answers.Length];
        for (int i = 0; i < answers.Length; i++)
        {
            results[i] = answers[i].IsOk ? RpcJson.Data(answers[i].Value) : answers[i].Error!;
        }

        return results;
    }

    private static byte[] Selector(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature))[..4];

    private static byte[] WithInt(byte[] selector, int value)
    {
        var data = new byte[36];
        selector.CopyTo(data, 0);
        data.AsSpan(4).Fill(value < 0 ? (byte)0xff : (byte)0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(32), value);
        return data;
    }
}
