using System.Globalization;
using System.IO.Compression;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;
using Xunit.Abstractions;

namespace LowLatency.HotPath.Tests.Amm;

/// <summary>
/// Proof (c): the recorded mainnet day of the USDC/WETH 0.05 % pool (2024-01-05, every raw log). Each Swap is
/// recomputed from the state the previous events left (the previous Swap's price, tick and liquidity, with the Mints
/// and Burns in between applied to the in-range liquidity) and compared with what the pool logged. Each Mint and Burn's
/// token amounts are recomputed too. The day does not contain the pool's tick map, so a swap that crossed an
/// initialized tick (its logged liquidity differs from the liquidity before) cannot be judged; every other swap must
/// reproduce exactly.
/// </summary>
public sealed class RecordedDayTests
{
    private const string SwapTopic = "0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67";
    private const string MintTopic = "0x7a53080ba414158be7ec69b987b5fb7d07dee101fe85488f0853ae16239d0bde";
    private const string BurnTopic = "0x0c396cd989a39f4459b5fa1aed6a9a8dcdbc45908acfd67e028cd568da98982c";
    private const string CollectTopic = "0x70935338e69775456a85ddef226c395fb668b63fa0115f5f20610b388e6ca9c0";

    private readonly ITestOutputHelper _output;

    public RecordedDayTests(ITestOutputHelper output) => _output = output;

    /// <summary>One raw log: topic0, the other topics and the data words.</summary>
    private sealed record RawLog(long Block, int LogIndex, string Topic0, string[] Topics, UInt256[] Words);

    internal sealed record DayResult(int Swaps, int First, int Exact, int ExactAtLoggedLimit, int CrossedTicks, int Mismatch, int MintsBurns, int MintsBurnsExact, int MintsBurnsBeforeFirstSwap, int Collects, List<string> Mismatches);

    [Fact]
    public void Every_swap_that_crosses_no_initialized_tick_reproduces_exactly()
    {
        DayResult r = Replay();
        _output.WriteLine(
            $"swaps {r.Swaps}: first of the day {r.First}, exact {r.Exact}, exact with the logged price as limit {r.ExactAtLoggedLimit}, " +
            $"crossed initialized ticks (not judged) {r.CrossedTicks}, mismatches {r.Mismatch}; mints+burns {r.MintsBurns} " +
            $"({r.MintsBurnsExact} exact, {r.MintsBurnsBeforeFirstSwap} before the first swap); collects {r.Collects}");
        foreach (string m in r.Mismatches.Take(20))
        {
            _output.WriteLine(m);
        }

        Assert.Equal(0, r.Mismatch);
        Assert.Empty(r.Mismatches);
        Assert.Equal(r.MintsBurns, r.MintsBurnsExact + r.MintsBurnsBeforeFirstSwap);
        Assert.True(r.MintsBurnsExact > 100);
        Assert.Equal(r.Swaps, r.First + r.Exact + r.ExactAtLoggedLimit + r.CrossedTicks);
        Assert.True(r.Exact > 5000, r.Exact.ToString(CultureInfo.InvariantCulture));
    }

    internal static DayResult Replay()
    {
        List<RawLog> logs = ReadLogs(SharedData.File("onchain", "uniswap_v3", "usdc_weth_005_2024-01-05.raw.csv.gz"));
        int swaps = 0, first = 0, exact = 0, atLimit = 0, crossed = 0, mismatch = 0, mintsBurns = 0, mintsBurnsExact = 0, mintsBurnsBeforeFirstSwap = 0, collects = 0;
        var mismatches = new List<string>();
        V3PoolState? state = null;
        var pool = new V3Pool(500, 10);
        var scratch = new V3Pool(500, 10);
        foreach (RawLog log in logs)
        {
            switch (log.Topic0)
            {
                case SwapTopic:
                {
                    swaps++;
                    var amount0 = Int256.FromBits(log.Words[0]);
                    var amount1 = Int256.FromBits(log.Words[1]);
                    UInt256 price = log.Words[2];
                    var liquidity = (UInt128)log.Words[3];
                    int tick = (int)(long)Int256.FromBits(log.Words[4]);
                    if (state is not { } before)
                    {
                        first++;
                    }
                    else if (before.Liquidity != liquidity)
                    {
                        crossed++;
                    }
                    else
                    {
                        switch (Recompute(pool, before, amount0, amount1, price, liquidity, tick))
                        {
                            case 1:
                                exact++;
                                break;
                            case 2:
                                atLimit++;
                                break;
                            default:
                                mismatch++;
                                mismatches.Add($"block {log.Block} log {log.LogIndex}: amount0 {amount0} amount1 {amount1} price {price} tick {tick}");
                                break;
                        }
                    }

                    state = new V3PoolState { SqrtPriceX96 = price, Tick = tick, Liquidity = liquidity };
                    break;
                }

                case MintTopic:
                case BurnTopic:
                {
                    mintsBurns++;
                    bool mint = log.Topic0 == MintTopic;
                    // Topics: signature, owner, tickLower, tickUpper.
                    int lower = (int)(long)Int256.FromBits(UInt256.Parse(log.Topics[2]));
                    int upper = (int)(long)Int256.FromBits(UInt256.Parse(log.Topics[3]));

                    // Mint data: sender, amount, amount0, amount1; Burn data: amount, amount0, amount1.
                    int offset = mint ? 1 : 0;
                    var amount = (UInt128)log.Words[offset];
                    if (state is { } s)
                    {
                        if (MintOrBurnReproduces(scratch, s, mint, lower, upper, amount, log.Words[offset + 1], log.Words[offset + 2]))
                        {
                            mintsBurnsExact++;
                        }
                        else
                        {
                            mismatches.Add($"{(mint ? "mint" : "burn")} block {log.Block} log {log.LogIndex}: [{lower}, {upper}) amount {amount} amounts {log.Words[offset + 1]} {log.Words[offset + 2]} at tick {s.Tick}");
                        }

                        if (s.Tick >= lower && s.Tick < upper)
                        {
                            UInt128 l = mint ? s.Liquidity + amount : s.Liquidity - amount;
                            state = s with { Liquidity = l };
                        }
                    }
                    else
                    {
                        // Before the first swap the price is unknown: nothing to recompute.
                        mintsBurnsBeforeFirstSwap++;
                    }

                    break;
                }

                case CollectTopic:
                    collects++;
                    break;
                default:
                    throw new InvalidDataException($"unknown topic {log.Topic0} at block {log.Block}");
            }
        }

        return new DayResult(swaps, first, exact, atLimit, crossed, mismatch, mintsBurns, mintsBurnsExact, mintsBurnsBeforeFirstSwap, collects, mismatches);
    }

    /// <summary>1: exact input or output reproduces; 2: reproduces with the logged price as the limit; 0: neither.</summary>
    private static int Recompute(V3Pool pool, V3PoolState before, Int256 amount0, Int256 amount1, UInt256 price, UInt128 liquidity, int tick)
    {
        pool.Ticks.Clear();
        pool.State = before;
        bool zeroForOne = amount0 > Int256.Zero || (amount0.IsZero && amount1 < Int256.Zero);
        Int256 paid = zeroForOne ? amount0 : amount1;
        Int256 received = zeroForOne ? amount1 : amount0;
        UInt256 limit = V3Pool.DefaultPriceLimit(zeroForOne);
        bool Same(in V3SwapResult r) =>
            r.Amount0 == amount0 && r.Amount1 == amount1 && r.SqrtPriceX96 == price && r.Liquidity == liquidity && r.Tick == tick;

        if ((pool.Quote(zeroForOne, paid, limit, out V3SwapResult exactIn) == V3Status.Ok && Same(exactIn))
            || (pool.Quote(zeroForOne, received, limit, out V3SwapResult exactOut) == V3Status.Ok && Same(exactOut)))
        {
            return 1;
        }

        bool limitValid = zeroForOne ? price < before.SqrtPriceX96 : price > before.SqrtPriceX96;
        return limitValid && pool.Quote(zeroForOne, paid, price, out V3SwapResult limited) == V3Status.Ok && Same(limited) ? 2 : 0;
    }

    private static bool MintOrBurnReproduces(V3Pool scratch, V3PoolState state, bool mint, int lower, int upper, UInt128 amount, UInt256 logged0, UInt256 logged1)
    {
        scratch.Ticks.Clear();
        scratch.State = state;
        if (!mint && amount == UInt128.Zero)
        {
            // A burn of nothing (a fee poke) moves no tokens.
            return scratch.Burn(lower, upper, amount, out UInt256 none0, out UInt256 none1) == V3Status.Ok && none0 == logged0 && none1 == logged1;
        }

        if (scratch.Mint(lower, upper, amount, out UInt256 in0, out UInt256 in1) != V3Status.Ok)
        {
            return false;
        }

        if (mint)
        {
            return in0 == logged0 && in1 == logged1;
        }

        return scratch.Burn(lower, upper, amount, out UInt256 out0, out UInt256 out1) == V3Status.Ok && out0 == logged0 && out1 == logged1;
    }

    private static List<RawLog> ReadLogs(string path)
    {
        var logs = new List<RawLog>();
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        string? header = reader.ReadLine();
        Assert.Equal("block_number,block_timestamp,transaction_hash,transaction_index,log_index,topics,data", header);
        while (reader.ReadLine() is { } line)
        {
            // The topics column is a quoted Python list: "['0x..', '0x..']".
            int open = line.IndexOf("\"[", StringComparison.Ordinal);
            int close = line.IndexOf("]\"", StringComparison.Ordinal);
            string[] head = line[..open].Split(',');
            string[] topics = line[(open + 2)..close].Split(", ").Select(t => t.Trim('\'')).ToArray();
            string data = line[(close + 3)..];
            Assert.True(data.StartsWith("0x", StringComparison.Ordinal) && (data.Length - 2) % 64 == 0, line);
            var words = new UInt256[(data.Length - 2) / 64];
            for (int i = 0; i < words.Length; i++)
            {
                words[i] = UInt256.Parse(string.Concat("0x", data.AsSpan(2 + (64 * i), 64)));
            }

            logs.Add(new RawLog(long.Parse(head[0], CultureInfo.InvariantCulture), int.Parse(head[4], CultureInfo.InvariantCulture), topics[0], topics, words));
        }

        logs.Sort((a, b) => a.Block != b.Block ? a.Block.CompareTo(b.Block) : a.LogIndex.CompareTo(b.LogIndex));
        return logs;
    }
}
