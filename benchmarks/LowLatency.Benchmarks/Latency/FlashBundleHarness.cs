using System.Diagnostics;
using System.Numerics;
using HdrHistogram;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.Flashbots;
using LowLatency.HotPath.Amm;

namespace LowLatency.Benchmarks.Latency;

/// <summary>
/// Tick → signed bundle ready to send, on one thread: a V2 pair's reserves change (a replayed sequence of seeded
/// Sync-event states, not a recorded capture), the exact two-pool detector runs against a V3 0.05 % pool
/// (TwoPoolArbitrage over src/HotPath/Amm), and when it finds profit the executor call is encoded and signed as an
/// EIP-1559 transaction (BundleFactory). HdrHistogram, 3 significant digits; allocations counted on the same thread.
/// The external baseline is ethers v6 encoding and signing the same transaction (ethers/flash-bundle.mjs).
/// </summary>
public static class FlashBundleHarness
{
    public const string TradingKeyHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    public static readonly Address Weth = Address.Parse("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
    public static readonly Address Token = Address.Parse("0xdac17f958d2ee523a2206206994597c13d831ec7");
    public static readonly Address Pair = Address.Parse("0x0d4a11d5eeaac28ec3f61d100daf4d40471f1852");
    public static readonly Address Pool = Address.Parse("0x11b815efb8f581194ae79006d24e0d814b7697f6");
    public static readonly Address Executor = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");

    private static readonly UInt256 s_ether = 1_000_000_000_000_000_000UL;

    public static LatencyResult Run(bool quick)
    {
        // WETH (0xc02a…) > USDT-like token (0xdac1…): token0 is the token, token1 WETH.
        var v3 = new V3Pool(500, 10);
        BigInteger q192 = BigInteger.One << 192;
        if (v3.Initialize(UInt256.FromBigInteger(Sqrt(q192 / 3150))) != V3Status.Ok ||
            v3.Mint(-887270, 887270, (UInt128)Sqrt(200 * s_ether.ToBigInteger() * (200 * s_ether.ToBigInteger() * 3150)), out _, out _) != V3Status.Ok)
        {
            throw new InvalidOperationException("the V3 pool could not be set up");
        }

        DexPool v2 = DexPool.UniswapV2(Pair, Token, Weth, new V2PoolState { Reserve0 = s_ether * 600_000UL, Reserve1 = s_ether * 200UL, FeeBps = 30 });
        DexPool pool = DexPool.UniswapV3(Pool, Token, Weth, v3);

        // The replayed ticks: 4096 reserve states of the pair after seeded swaps (±2 WETH each).
        var rng = new Random(9);
        var states = new (UInt256 R0, UInt256 R1)[4096];
        UInt256 r0 = v2.V2.Reserve0;
        UInt256 r1 = v2.V2.Reserve1;
        for (int i = 0; i < states.Length; i++)
        {
            UInt256 move = s_ether / 1000UL * (ulong)rng.Next(1, 2000);
            if (rng.Next(2) == 0 && r1 > move * 4UL)
            {
                r1 -= move;
                r0 += move * 3000UL;
            }
            else
            {
                r1 += move;
                r0 = r0 > move * 3000UL ? r0 - (move * 3000UL) : r0;
            }

            states[i] = (r0, r1);
        }

        var signer = new EthSigner(PrivateKey.FromHex(TradingKeyHex));
        var factory = new BundleFactory(signer, Executor, 1);
        var route = new FlashRoute();
        var histogram = new LongHistogram(10_000_000_000L, 3);
        double nsPerTick = 1e9 / Stopwatch.Frequency;
        int warmupPasses = quick ? 3 : 10;
        int measuredPasses = quick ? 2 : 10;
        long allocated = 0;
        long built = 0;
        ulong nonce = 0;
        for (int pass = 0; pass < warmupPasses + measuredPasses; pass++)
        {
            bool measuring = pass >= warmupPasses;
            if (pass == warmupPasses)
            {
                histogram.Reset();
                built = 0;
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < states.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                ref V2PoolState reserves = ref v2.V2;
                reserves.Reserve0 = states[i].R0;
                reserves.Reserve1 = states[i].R1;
                Dislocation found = TwoPoolArbitrage.Find(Weth, v2, pool, 5, s_ether * 100UL, route);
                if (found.Found && factory.Build(route, found.Profit / 2UL, 1_000, nonce++, 600_000, 60_000_000_000UL, 1_000_000_000UL))
                {
                    built++;
                }

                long end = Stopwatch.GetTimestamp();
                histogram.RecordValue(Math.Max(1, (long)((end - start) * nsPerTick)));
            }

            if (measuring)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }

        if (built == 0)
        {
            throw new InvalidOperationException("no tick produced a bundle: the harness measures nothing");
        }

        long count = histogram.TotalCount;
        return new LatencyResult(count, histogram.GetValueAtPercentile(50), histogram.GetValueAtPercentile(99), histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue(), allocated / (double)count);
    }

    private static BigInteger Sqrt(BigInteger n)
    {
        BigInteger x = BigInteger.One << (int)((n.GetBitLength() / 2) + 1);
        while (true)
        {
            BigInteger next = (x + (n / x)) / 2;
            if (next >= x)
            {
                return x;
            }

            x = next;
        }
    }
}

/// <summary>
/// The external baseline of <see cref="FlashBundleHarness"/>: ethers v6 encoding and signing the same executor
/// transaction (Ethereum/ethers/flash-bundle.mjs under node), median ns per transaction.
/// </summary>
public static class FlashBundleEthers
{
    public const string Name = "ethers_flash_bundle";

    public static bool TryMeasureMedianNs(bool quick, out double medianNs, out string? failure)
    {
        medianNs = double.NaN;
        string root = LowLatency.Testing.SharedData.RepoRoot;
        string tools = Path.Combine(root, "tools");
        failure = Ethereum.EthersComparison.MissingSetUp(tools);
        if (failure is not null)
        {
            return false;
        }

        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(root, "benchmarks", "LowLatency.Benchmarks", "Ethereum", "ethers", "flash-bundle.mjs"));
        if (quick)
        {
            psi.ArgumentList.Add("--quick");
        }

        psi.Environment["LL_TOOLS_DIR"] = tools;
        try
        {
            using Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                failure = "ethers flash-bundle benchmark did not finish in 5 minutes";
                return false;
            }

            if (process.ExitCode != 0)
            {
                failure = "node flash-bundle.mjs exited " + process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": " + stderr.Result.Trim().Split('\n')[0];
                return false;
            }

            using var doc = System.Text.Json.JsonDocument.Parse(stdout.Trim());
            medianNs = doc.RootElement.GetProperty("medianNs").GetDouble();
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            failure = ExternalBaselines.NotSetUp("node is not on PATH (install Node.js 20 or later)");
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            failure = "node flash-bundle.mjs: " + ex.Message.Split('\n')[0];
        }

        return false;
    }
}
