using System.CommandLine;
using System.Globalization;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Replay;
using LowLatency.Adapters.Ethereum;
using LowLatency.HotPath.Amm;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>chain replay FILE... [--pool ADDR]</c>: the recorded on-chain CSVs (raw pool logs, per-block V2 reserves) through
/// the node feed's decoder and pool tracker, with every row accounted for. <c>chain study</c>: the DEX-DEX replay of
/// item 7 (V2 pair vs V3 pool over the recorded day). Exit codes: 0 done; 1 a file could not be read or gave nothing;
/// 2 usage. Everything after <c>chain</c> is parsed here.
/// </summary>
internal static class ChainVerb
{
    private const string Usage = """
        usage: chain replay FILE... [--pool 0xADDRESS]
                 raw pool-log CSVs (block_number,block_timestamp,transaction_hash,transaction_index,log_index,topics,data)
                 and per-block V2 reserves CSVs (blockNumber,reserve0,reserve1), .gz or plain; the pool address comes from
                 --pool or the file name (default: the USDC/WETH 0.05 % pool of the recorded day)
               chain study --v3 RAW.csv.gz --v2 RESERVES.csv.gz [--gas-gwei G | --gas-file GAS.csv] [--gas-units N]
                 DEX-DEX opportunities between the V2 pair and the V3 pool, block by block, sized exactly, after gas
        """;

    /// <summary>The V3 USDC/WETH 0.05 % pool on Ethereum (the recorded day's pool).</summary>
    internal static readonly Address RecordedPool = Address.Parse("0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640");

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var rest = new Argument<string[]>("arguments") { Description = "replay FILE... | study --v3 FILE --v2 FILE", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("chain", "on-chain data: replay recorded pool logs and reserves, the DEX-DEX study") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => Run([.. parse.GetValue(rest) ?? [], .. parse.UnmatchedTokens], stdout, stderr));
        return command;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        return args[0] switch
        {
            "replay" => Replay(args[1..], stdout, stderr),
            "study" => Study(args[1..], stdout, stderr),
            _ => UsageError(stderr, "chain", $"unknown command '{SecretRedaction.Redact(args[0])}' (expected replay or study)"),
        };
    }

    private static int Replay(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var files = new List<string>();
        Address? pool = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--pool")
            {
                if (i + 1 >= args.Length || !Address.TryParse(args[i + 1], out Address a))
                {
                    return UsageError(stderr, "chain replay", "--pool needs a 0x address");
                }

                pool = a;
                i++;
            }
            else if (args[i].StartsWith('-'))
            {
                return UsageError(stderr, "chain replay", $"unknown option '{SecretRedaction.Redact(args[i])}'");
            }
            else
            {
                files.Add(args[i]);
            }
        }

        if (files.Count == 0)
        {
            return UsageError(stderr, "chain replay", "give at least one on-chain CSV");
        }

        int exit = 0;
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                stderr.WriteLine($"chain replay: {SecretRedaction.Redact(file)}: no such file");
                exit = 1;
                continue;
            }

            string? kind;
            try
            {
                kind = OnchainCsv.Sniff(file);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"chain replay: {SecretRedaction.Redact(file)}: cannot be read: {e.Message}");
                exit = 1;
                continue;
            }

            try
            {
                if (kind == "raw-logs")
                {
                    exit = Math.Max(exit, ReplayRawLogs(file, pool ?? OnchainCsv.AddressInName(file) ?? RecordedPool, stdout, stderr));
                }
                else if (kind == "v2-reserves")
                {
                    exit = Math.Max(exit, ReplayReserves(file, stdout));
                }
                else
                {
                    stderr.WriteLine($"chain replay: {SecretRedaction.Redact(file)}: not an on-chain CSV this replay knows (raw pool logs or V2 reserves)");
                    exit = 1;
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                stderr.WriteLine($"chain replay: {SecretRedaction.Redact(file)}: damaged: {e.Message}");
                exit = 1;
            }
        }

        return exit;
    }

    private static int ReplayRawLogs(string file, Address pool, TextWriter stdout, TextWriter stderr)
    {
        var tracker = new DexPoolTracker(seedFromLogs: true);
        int index = tracker.AddV3Pool(pool, 500, 10);
        int rows = 0, swaps = 0, mints = 0, burns = 0, other = 0;
        ulong firstBlock = 0, lastBlock = 0;
        foreach (RawLogRow row in OnchainCsv.ReadRawLogs(file, pool))
        {
            rows++;
            if (row.Error is not null)
            {
                tracker.CountRefused(row.Status);
                if (row.Status == DecodeStatus.Malformed)
                {
                    stderr.WriteLine($"chain replay: {file} line {row.Line}: dropped: {row.Error}");
                }

                continue;
            }

            firstBlock = firstBlock == 0 ? row.Log.BlockNumber : firstBlock;
            lastBlock = row.Log.BlockNumber;
            switch (row.Log.Kind)
            {
                case DexEventKind.V3Swap: swaps++; break;
                case DexEventKind.V3Mint: mints++; break;
                case DexEventKind.V3Burn: burns++; break;
                default: other++; break;
            }

            _ = tracker.Apply(row.Log);
        }

        TrackerCounters c = tracker.Counters;
        stdout.WriteLine($"{file}: raw logs of pool {pool.ToLowerHexString()}, blocks {firstBlock}..{lastBlock}: {rows} rows = {swaps} Swap, {mints} Mint, {burns} Burn, {other} other known events, {c.UnknownTopic} unknown topics, {c.Malformed} malformed");
        stdout.WriteLine($"  tracker: applied {c.Applied} (seeded by the first Swap: the file has no snapshot), no-state {c.NoState}, before the first Swap {c.NotSeeded}, refused {c.Rejected + c.OutOfOrder + c.Duplicates}");
        if (tracker.HasState(index))
        {
            V3PoolState s = tracker.V3(index).State;
            stdout.WriteLine($"  final state: sqrtPriceX96 {s.SqrtPriceX96} tick {s.Tick} liquidity {s.Liquidity} (ETH/USDC {DexDexStudy.EthPriceUsd(s.SqrtPriceX96).ToString("F2", CultureInfo.InvariantCulture)})");
            return 0;
        }

        stderr.WriteLine($"chain replay: {file}: no Swap, so no pool state");
        return 1;
    }

    private static int ReplayReserves(string file, TextWriter stdout)
    {
        var tracker = new DexPoolTracker(seedFromLogs: true);
        int index = tracker.AddV2Pool(Address.Zero, 30);
        int rows = 0, bad = 0;
        ulong first = 0, last = 0;
        foreach (ReservesRow row in OnchainCsv.ReadReserves(file))
        {
            rows++;
            if (row.Error is not null)
            {
                bad++;
                continue;
            }

            // Each row is the pair's Sync state at the end of its block.
            var sync = new DexLog { Pool = Address.Zero, BlockNumber = row.Block, LogIndex = uint.MaxValue, Kind = DexEventKind.V2Sync, Reserve0 = row.Reserve0, Reserve1 = row.Reserve1 };
            _ = tracker.Apply(sync);
            first = first == 0 ? row.Block : first;
            last = row.Block;
        }

        TrackerCounters c = tracker.Counters;
        V2PoolState s = tracker.V2(index);
        stdout.WriteLine($"{file}: V2 reserves, blocks {first}..{last}: {rows} rows, applied {c.Applied}, refused rows {bad}, out of order {c.OutOfOrder + c.Duplicates}");
        stdout.WriteLine($"  final reserves: {s.Reserve0} / {s.Reserve1}");
        return c.Applied > 0 ? 0 : 1;
    }

    private static int Study(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? v3 = null, v2 = null, gasFile = null;
        double? gasGwei = null;
        ulong gasUnits = 200_000;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Length || name is not ("--v3" or "--v2" or "--gas-gwei" or "--gas-file" or "--gas-units"))
            {
                return UsageError(stderr, "chain study", $"unknown option or missing value: '{SecretRedaction.Redact(name)}'");
            }

            string value = args[++i];
            switch (name)
            {
                case "--v3": v3 = value; break;
                case "--v2": v2 = value; break;
                case "--gas-file": gasFile = value; break;
                case "--gas-gwei":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double g) || !(g >= 0) || g > 100_000)
                    {
                        return UsageError(stderr, "chain study", "--gas-gwei must be a number of gwei in [0, 100000]");
                    }

                    gasGwei = g;
                    break;
                default:
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out gasUnits) || gasUnits is 0 or > 30_000_000)
                    {
                        return UsageError(stderr, "chain study", "--gas-units must be a whole number in [1, 30000000]");
                    }

                    break;
            }
        }

        if (v3 is null || v2 is null || (gasGwei is null && gasFile is null) || (gasGwei is not null && gasFile is not null))
        {
            return UsageError(stderr, "chain study", "give --v3 and --v2, and one of --gas-gwei or --gas-file");
        }

        foreach (string? f in new[] { v3, v2, gasFile })
        {
            if (f is not null && !File.Exists(f))
            {
                stderr.WriteLine($"chain study: {SecretRedaction.Redact(f)}: no such file");
                return 1;
            }
        }

        DexDexStudyResult r;
        string gasSource;
        try
        {
            double gwei = gasGwei ?? DexDexStudy.MedianGasGwei(gasFile!);
            gasSource = gasFile is null ? "--gas-gwei" : $"median of {gasFile}";
            r = DexDexStudy.Run(v3, v2, RecordedPool, gwei, gasUnits);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"chain study: cannot read the data: {e.Message}");
            return 1;
        }

        Print(r, gasSource, stdout);
        return 0;
    }

    private static void Print(DexDexStudyResult r, string gasSource, TextWriter o)
    {
        CultureInfo ci = CultureInfo.InvariantCulture;
        o.WriteLine($"chain study: V2 USDC/WETH pair (reserves per block) vs V3 USDC/WETH 0.05 % (raw logs), blocks {r.FirstBlock}..{r.LastBlock}, {r.BlocksCompared} blocks compared");
        o.WriteLine(string.Create(ci, $"gas: {r.GasPriceGwei:F2} gwei ({gasSource}) x {r.GasUnits:N0} gas per arbitrage"));
        o.WriteLine($"blocks with an edge before gas: {r.BlocksWithGrossEdge}; profitable after gas: {r.BlocksProfitableAfterGas}");
        o.WriteLine($"opportunities (runs of consecutive profitable blocks, one direction): {r.Opportunities.Count}");
        o.WriteLine("per hour (UTC): " + string.Join(" ", r.OpportunitiesPerHour.Select((n, h) => string.Create(ci, $"{h:00}h={n}"))));
        if (r.Opportunities.Count == 0)
        {
            return;
        }

        int[] lengths = [.. r.Opportunities.Select(x => x.Blocks).Order()];
        o.WriteLine(string.Create(ci, $"lasted (blocks): 1 = {lengths.Count(l => l == 1)}, 2 = {lengths.Count(l => l == 2)}, 3-5 = {lengths.Count(l => l is >= 3 and <= 5)}, >5 = {lengths.Count(l => l > 5)}; median {lengths[lengths.Length / 2]}, longest {lengths[^1]}"));
        double[] nets = [.. r.Opportunities.Select(x => x.BestNetUsd).Order()];
        double[] sizes = [.. r.Opportunities.Select(x => x.BestSizeUsdcUnits / 1e6).Order()];
        o.WriteLine(string.Create(ci, $"profit after gas per opportunity (best block): median ${nets[nets.Length / 2]:F2}, max ${nets[^1]:F2}, total ${nets.Sum():F2}"));
        o.WriteLine(string.Create(ci, $"best size (USDC in): median ${sizes[sizes.Length / 2]:F0}, max ${sizes[^1]:F0}"));
        o.WriteLine($"direction: buy WETH on V2 {r.Opportunities.Count(x => x.BuyOnV2)}, buy WETH on V3 {r.Opportunities.Count(x => !x.BuyOnV2)}");
        o.WriteLine($"V3 price moved by the best size: within 10 ticks (one spacing) {r.Opportunities.Count(x => x.V3TicksMoved < 10)}, more {r.Opportunities.Count(x => x.V3TicksMoved >= 10)}");
        o.WriteLine("largest five: first block, blocks, direction, size USDC, gross $, net $");
        foreach (DexDexOpportunity x in r.Opportunities.OrderByDescending(x => x.BestNetUsd).Take(5))
        {
            o.WriteLine(string.Create(ci, $"  {x.FirstBlock} {x.Blocks} {(x.BuyOnV2 ? "buy-v2-sell-v3" : "buy-v3-sell-v2")} {x.BestSizeUsdcUnits / 1e6:F0} {x.BestGrossUsd:F2} {x.BestNetUsd:F2}"));
        }
    }

    private static int UsageError(TextWriter stderr, string verb, string message)
    {
        stderr.WriteLine($"{verb}: {message}");
        stderr.WriteLine("chain: see 'lowlatency chain --help'");
        return 2;
    }
}
