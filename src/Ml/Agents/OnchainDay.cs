using System.Globalization;
using System.IO.Compression;
using LowLatency.HotPath.Primitives;
using LowLatency.Ml.Data;

namespace LowLatency.Ml.Agents;

/// <summary>
/// The on-chain day (2024-01-05, blocks 18,937,382 → 18,944,480) per block: the Uniswap V2 USDC/WETH reserves at
/// the block, the Uniswap V3 0.05 % pool's sqrt price and active liquidity after the block's last event (carried
/// forward over blocks without one), the signed USDC flow of large V3 swaps in the block, and a gas price. Token0 is
/// USDC (6 decimals), token1 WETH (18). Cold path (environments and evaluation).
/// </summary>
public sealed class OnchainDay
{
    /// <summary>A swap at least this large (USDC) counts as a whale's.</summary>
    public const double WhaleUsdc = 250_000;

    public const string V2File = "onchain/uniswap_v2/usdc_weth_reserves_blocks_18908895-18944480.csv.gz";
    public const string V3File = "onchain/uniswap_v3/usdc_weth_005_2024-01-05.pool.tick.csv.gz";
    public const string GasFile = "onchain/gas/gas_price_minute_2023-08-14_to_2023-08-16.csv";

    private OnchainDay(int count) => Blocks = new BlockState[count];

    public BlockState[] Blocks { get; }

    /// <summary>A day over blocks built elsewhere (tests, simulated blocks); <see cref="Files"/> names none of the data files.</summary>
    public static OnchainDay FromBlocks(ReadOnlySpan<BlockState> blocks)
    {
        var day = new OnchainDay(blocks.Length) { Files = [] };
        blocks.CopyTo(day.Blocks);
        return day;
    }

    public int Count => Blocks.Length;

    /// <summary>The flash-loan search per block (net, size), filled on first use by <see cref="FlashLoanDesk"/>.</summary>
    internal (double[] Net, double[] Size)? FlashCache { get; set; }

    public IReadOnlyList<string> Files { get; private init; } = [V2File, V3File, GasFile];

    /// <summary>Loads the three files under <paramref name="dataRoot"/>; <see cref="InvalidDataException"/> naming the file on a bad one.</summary>
    public static OnchainDay Load(string dataRoot)
    {
        var v3 = ReadV3(Path.Combine(dataRoot, V3File));
        if (v3.Count == 0)
        {
            throw new InvalidDataException($"{V3File}: no events");
        }

        long first = v3[0].Block;
        long last = v3[^1].Block;
        var day = new OnchainDay((int)(last - first + 1));
        ReadV2(Path.Combine(dataRoot, V2File), first, day.Blocks);
        GasSeries gas = GasSeries.Load(Path.Combine(dataRoot, GasFile));
        int k = 0;
        V3Event state = v3[0];
        long timeNs = v3[0].TimeNs;
        for (int i = 0; i < day.Count; i++)
        {
            long block = first + i;
            double whale = 0;
            double volume = 0;
            bool any = false;
            while (k < v3.Count && v3[k].Block == block)
            {
                state = v3[k];
                timeNs = v3[k].TimeNs;
                volume += Math.Abs(v3[k].Amount0Usdc);
                if (Math.Abs(v3[k].Amount0Usdc) >= WhaleUsdc)
                {
                    whale += v3[k].Amount0Usdc;
                }

                any = true;
                k++;
            }

            if (!any && i > 0)
            {
                timeNs = day.Blocks[i - 1].TimeNs + 12_000_000_000L;
            }

            ref BlockState b = ref day.Blocks[i];
            if (b.V2Usdc <= 0)
            {
                throw new InvalidDataException($"{V2File}: no reserves for block {block}");
            }

            b.Block = block;
            b.TimeNs = timeNs;
            b.SqrtPriceX96 = state.SqrtPriceX96;
            b.Liquidity = state.Liquidity;
            b.WhaleFlowUsdc = whale;
            b.VolumeUsdc = volume;
            b.GasGwei = GasAtMinuteOfDay(gas, timeNs);
        }

        return day;
    }

    /// <summary>
    /// No gas series overlaps the on-chain day: the 2023-08-14 reading at the same minute of day stands in (stated in
    /// the manifests). Always a real reading, never a constant.
    /// </summary>
    private static double GasAtMinuteOfDay(GasSeries gas, long timeNs)
    {
        long minuteOfDay = timeNs / 60_000_000_000L % 1440;
        long dayStart = gas.FirstNs - (gas.FirstNs % 86_400_000_000_000L);
        double g = gas.At(dayStart + (minuteOfDay * 60_000_000_000L));
        return double.IsNaN(g) ? gas.At(gas.FirstNs) : g;
    }

    private readonly record struct V3Event(long Block, long TimeNs, double Amount0Usdc, UInt256 SqrtPriceX96, UInt128 Liquidity);

    private static List<V3Event> ReadV3(string path)
    {
        var list = new List<V3Event>();
        string name = Path.GetFileName(path);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        string? header = reader.ReadLine();
        if (header is null || !header.StartsWith("block_number,block_timestamp,tx_type", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: not the decoded V3 pool file (header block_number,block_timestamp,tx_type…)");
        }

        int line = 1;
        UInt256 sqrt = default;
        UInt128 liquidity = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            string[] f = text.Split(',');
            if (f.Length < 14 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long block)
                || !DateTime.TryParseExact(f[1], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t))
            {
                throw new InvalidDataException($"{name}:{line}: not a decoded pool event row");
            }

            double amount0 = 0;
            if (f[2] == "SWAP")
            {
                if (!double.TryParse(f[8], NumberStyles.Float, CultureInfo.InvariantCulture, out amount0)
                    || !UInt256.TryParse(f[12], out sqrt) || !UInt128.TryParse(f[10], NumberStyles.None, CultureInfo.InvariantCulture, out liquidity))
                {
                    throw new InvalidDataException($"{name}:{line}: swap without amount0, sqrtPriceX96 or liquidity");
                }

                amount0 /= 1e6;
            }
            else if (UInt128.TryParse(f[10], NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 l))
            {
                liquidity = l;
            }

            if (sqrt.IsZero)
            {
                continue;
            }

            list.Add(new V3Event(block, (t.Ticks - DateTime.UnixEpoch.Ticks) * 100, amount0, sqrt, liquidity));
        }

        return list;
    }

    private static void ReadV2(string path, long first, BlockState[] blocks)
    {
        string name = Path.GetFileName(path);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        if (reader.ReadLine() is not "blockNumber,reserve0,reserve1")
        {
            throw new InvalidDataException($"{name}: not the V2 reserves file (header blockNumber,reserve0,reserve1)");
        }

        int line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            string[] f = text.Replace("\"", string.Empty, StringComparison.Ordinal).Split(',');
            if (f.Length != 3 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long block)
                || !double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double r0)
                || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double r1) || !(r0 > 0 && r1 > 0))
            {
                throw new InvalidDataException($"{name}:{line}: not a 'block,reserve0,reserve1' row");
            }

            long i = block - first;
            if (i >= 0 && i < blocks.Length)
            {
                blocks[i].V2Usdc = r0 / 1e6;
                blocks[i].V2Weth = r1 / 1e18;
            }
        }
    }
}

/// <summary>One block of the on-chain day (amounts in whole tokens; prices in USDC per WETH).</summary>
public struct BlockState
{
    public long Block;
    public long TimeNs;
    public double V2Usdc;
    public double V2Weth;
    public UInt256 SqrtPriceX96;
    public UInt128 Liquidity;

    /// <summary>Signed USDC of whale swaps in the block: positive = USDC into the pool = WETH bought.</summary>
    public double WhaleFlowUsdc;
    public double VolumeUsdc;
    public double GasGwei;

    public readonly double V2Mid => V2Usdc / V2Weth;

    /// <summary>V3 mid: 10^12 / (sqrtP / 2^96)^2.</summary>
    public readonly double V3Mid
    {
        get
        {
            double s = (double)(UInt128)SqrtPriceX96 / 79228162514264337593543950336.0;
            return 1e12 / (s * s);
        }
    }
}
