using LowLatency.Adapters.Dex.Common;
using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.Dex.Replay;

/// <summary>One DEX-DEX opportunity: consecutive blocks in which the same direction paid after gas.</summary>
public sealed record DexDexOpportunity(
    ulong FirstBlock,
    int Blocks,
    long StartUnixSeconds,
    bool BuyOnV2,
    long BestSizeUsdcUnits,
    double BestGrossUsd,
    double BestNetUsd,
    int V3TicksMoved);

/// <summary>What the day showed.</summary>
public sealed record DexDexStudyResult(
    ulong FirstBlock,
    ulong LastBlock,
    int BlocksCompared,
    int BlocksWithGrossEdge,
    int BlocksProfitableAfterGas,
    double GasPriceGwei,
    ulong GasUnits,
    IReadOnlyList<DexDexOpportunity> Opportunities,
    int[] OpportunitiesPerHour,
    TrackerCounters V3Counters,
    int V2RowsRefused);

/// <summary>
/// Item 7: the V2 USDC/WETH pair (getReserves at the end of every block) against the V3 0.05 % pool (its raw logs
/// replayed through the same decoder and tracker as the node feed) over a recorded day. At every block where both are
/// known, both directions (buy WETH on V2 and sell on V3, or the reverse) are sized exactly: the V2 closed form and the
/// V3 swap loop, the profit's maximum found by ternary search over the USDC input (profit is concave in it). The V3 side
/// walks with the in-range liquidity of the moment: the day's logs carry no tick map (see the README), so liquidity
/// beyond the nearest initialized tick is not known; each opportunity reports how many ticks its best size moved the
/// V3 price. An opportunity is a run of consecutive blocks in which the same direction is profitable after gas.
/// Offline tooling: allocates.
/// </summary>
public static class DexDexStudy
{
    private const uint V2FeeBps = 30;

    public static DexDexStudyResult Run(string v3RawCsv, string v2ReservesCsv, Address v3Pool, double gasPriceGwei, ulong gasUnits)
    {
        // V3 state at the end of every block that has logs, and the blocks' timestamps.
        var tracker = new DexPoolTracker(seedFromLogs: true);
        int pool = tracker.AddV3Pool(v3Pool, 500, 10);
        var v3ByBlock = new SortedDictionary<ulong, V3PoolState>();
        var time = new SortedDictionary<ulong, long>();
        foreach (RawLogRow row in OnchainCsv.ReadRawLogs(v3RawCsv, v3Pool))
        {
            if (row.Error is not null)
            {
                tracker.CountRefused(row.Status);
                continue;
            }

            _ = tracker.Apply(row.Log);
            time[row.Log.BlockNumber] = row.UnixSeconds;
            if (tracker.HasState(pool))
            {
                v3ByBlock[row.Log.BlockNumber] = tracker.V3(pool).State;
            }
        }

        if (v3ByBlock.Count == 0)
        {
            throw new InvalidDataException("the V3 file gave no pool state");
        }

        ulong first = v3ByBlock.Keys.First(), last = v3ByBlock.Keys.Last();
        var reserves = new SortedDictionary<ulong, (UInt256 R0, UInt256 R1)>();
        int refused = 0;
        foreach (ReservesRow row in OnchainCsv.ReadReserves(v2ReservesCsv))
        {
            if (row.Error is not null)
            {
                refused++;
            }
            else if (row.Block >= first && row.Block <= last)
            {
                reserves[row.Block] = (row.Reserve0, row.Reserve1);
            }
        }

        var quoter = new V3Pool(500, 10);
        var opportunities = new List<DexDexOpportunity>();
        int perHourBase = (int)(time[first] / 3600);
        int[] perHour = new int[24];
        int compared = 0, grossBlocks = 0, netBlocks = 0;
        V3PoolState v3 = default;
        bool haveV3 = false;
        using IEnumerator<KeyValuePair<ulong, V3PoolState>> v3Cursor = v3ByBlock.GetEnumerator();
        bool more = v3Cursor.MoveNext();
        DexDexOpportunity? open = null;
        ulong previousBlock = 0;
        foreach ((ulong block, (UInt256 r0, UInt256 r1)) in reserves)
        {
            while (more && v3Cursor.Current.Key <= block)
            {
                v3 = v3Cursor.Current.Value;
                haveV3 = true;
                more = v3Cursor.MoveNext();
            }

            if (!haveV3)
            {
                continue;
            }

            compared++;
            quoter.State = v3;
            double ethUsd = EthPriceUsd(v3.SqrtPriceX96);
            double gasUsd = gasUnits * gasPriceGwei * 1e-9 * ethUsd;
            Best buyV2 = Optimise(quoter, r0, r1, buyOnV2: true);
            Best buyV3 = Optimise(quoter, r0, r1, buyOnV2: false);
            Best best = buyV2.ProfitUnits >= buyV3.ProfitUnits ? buyV2 : buyV3;
            bool bestIsV2 = buyV2.ProfitUnits >= buyV3.ProfitUnits;
            double grossUsd = best.ProfitUnits / 1e6;
            double netUsd = grossUsd - gasUsd;
            if (best.ProfitUnits > 0)
            {
                grossBlocks++;
            }

            bool continues = open is not null && open.BuyOnV2 == bestIsV2 && block == previousBlock + 1;
            if (netUsd > 0)
            {
                netBlocks++;
                int ticksMoved = Math.Abs(best.TickAfter - v3.Tick);
                if (continues)
                {
                    open = open! with
                    {
                        Blocks = open.Blocks + 1,
                        BestSizeUsdcUnits = netUsd > open.BestNetUsd ? best.SizeUnits : open.BestSizeUsdcUnits,
                        BestGrossUsd = Math.Max(open.BestGrossUsd, grossUsd),
                        BestNetUsd = Math.Max(open.BestNetUsd, netUsd),
                        V3TicksMoved = Math.Max(open.V3TicksMoved, ticksMoved),
                    };
                }
                else
                {
                    Close(open, opportunities, perHour, perHourBase);
                    open = new DexDexOpportunity(block, 1, Timestamp(time, block), bestIsV2, best.SizeUnits, grossUsd, netUsd, ticksMoved);
                }
            }
            else
            {
                Close(open, opportunities, perHour, perHourBase);
                open = null;
            }

            previousBlock = block;
        }

        Close(open, opportunities, perHour, perHourBase);
        return new DexDexStudyResult(first, last, compared, grossBlocks, netBlocks, gasPriceGwei, gasUnits, opportunities, perHour, tracker.Counters, refused);
    }

    /// <summary>USD per ETH from the USDC/WETH price (token0 USDC 6 dp, token1 WETH 18 dp).</summary>
    public static double EthPriceUsd(UInt256 sqrtPriceX96)
    {
        double s = (double)sqrtPriceX96.ToBigInteger() / Math.Pow(2, 96);
        return 1e12 / (s * s);
    }

    /// <summary>Median of a per-minute gas price CSV (block_timestamp,gas_price in gwei).</summary>
    public static double MedianGasGwei(string path)
    {
        var values = new List<double>();
        using TextReader reader = OnchainCsv.OpenText(path);
        _ = reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            string[] f = line.Split(',');
            if (f.Length >= 2 && double.TryParse(f[^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double g) && g > 0)
            {
                values.Add(g);
            }
        }

        if (values.Count == 0)
        {
            throw new InvalidDataException("no gas prices in " + path);
        }

        values.Sort();
        return values[values.Count / 2];
    }

    private readonly record struct Best(long SizeUnits, long ProfitUnits, int TickAfter);

    /// <summary>The USDC input (in 1e-6 units) that maximises USDC out minus in, for one direction.</summary>
    private static Best Optimise(V3Pool v3, UInt256 r0, UInt256 r1, bool buyOnV2)
    {
        const long probe = 10_000_000; // 10 USDC: if even this loses, the concave profit has its maximum at zero
        if (Profit(v3, r0, r1, buyOnV2, probe, out _) <= 0)
        {
            return new Best(0, 0, v3.State.Tick);
        }

        long lo = probe, hi = (long)Math.Min((double)(ulong)r0 / 10, 5e13); // at most a tenth of the pair's USDC
        while (hi - lo > 1_000_000)
        {
            long m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;
            if (Profit(v3, r0, r1, buyOnV2, m1, out _) < Profit(v3, r0, r1, buyOnV2, m2, out _))
            {
                lo = m1;
            }
            else
            {
                hi = m2;
            }
        }

        long size = (lo + hi) / 2;
        long profit = Profit(v3, r0, r1, buyOnV2, size, out int tick);
        return profit > 0 ? new Best(size, profit, tick) : new Best(0, 0, v3.State.Tick);
    }

    /// <summary>USDC back minus USDC in (1e-6 units) for <paramref name="usdcIn"/>; a revert or a failed quote counts as a loss.</summary>
    private static long Profit(V3Pool v3, UInt256 r0, UInt256 r1, bool buyOnV2, long usdcIn, out int tickAfter)
    {
        tickAfter = v3.State.Tick;
        UInt256 input = (ulong)usdcIn;
        if (buyOnV2)
        {
            if (UniswapV2Math.GetAmountOut(input, r0, r1, V2FeeBps, out UInt256 weth) != V2Status.Ok ||
                v3.Quote(false, Int256.FromBits(weth), V3Pool.DefaultPriceLimit(false), out V3SwapResult sold) != V3Status.Ok)
            {
                return long.MinValue / 2;
            }

            tickAfter = sold.Tick;
            return (long)-sold.Amount0 - usdcIn;
        }

        if (v3.Quote(true, Int256.FromBits(input), V3Pool.DefaultPriceLimit(true), out V3SwapResult bought) != V3Status.Ok ||
            UniswapV2Math.GetAmountOut(Int256Magnitude(bought.Amount1), r1, r0, V2FeeBps, out UInt256 usdcOut) != V2Status.Ok)
        {
            return long.MinValue / 2;
        }

        tickAfter = bought.Tick;
        return (long)(ulong)usdcOut - usdcIn;
    }

    private static UInt256 Int256Magnitude(Int256 value) => (UInt256)(-value).ToBigInteger();

    private static long Timestamp(SortedDictionary<ulong, long> time, ulong block)
    {
        if (time.TryGetValue(block, out long t))
        {
            return t;
        }

        // A block without V3 logs: 12 s slots from the nearest earlier block that has them.
        ulong before = 0;
        foreach (ulong b in time.Keys)
        {
            if (b > block)
            {
                break;
            }

            before = b;
        }

        return before == 0 ? time.Values.First() : time[before] + (long)(block - before) * 12;
    }

    private static void Close(DexDexOpportunity? open, List<DexDexOpportunity> all, int[] perHour, int hourBase)
    {
        if (open is null)
        {
            return;
        }

        all.Add(open);
        int hour = (int)(open.StartUnixSeconds / 3600) - hourBase;
        if ((uint)hour < (uint)perHour.Length)
        {
            perHour[hour]++;
        }
    }
}
