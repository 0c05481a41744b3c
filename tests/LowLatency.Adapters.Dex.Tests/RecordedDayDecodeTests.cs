using System.Globalization;
using System.IO.Compression;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Replay;
using LowLatency.HotPath.Amm;
using LowLatency.Testing;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// The recorded mainnet day (USDC/WETH 0.05 %, 2024-01-05) through the feed's own decoder and tracker: every raw log
/// decodes, each decoded Swap/Mint/Burn equals demeter-fetch's independent decoding of the same log, and the tracker
/// (seeded by the first Swap, as a replay has no snapshot) ends in the pool's last logged state with every Mint/Burn's
/// amounts recomputed exactly.
/// </summary>
public sealed class RecordedDayDecodeTests
{
    internal static readonly Address Pool = Address.Parse("0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640");
    private readonly ITestOutputHelper _output;

    public RecordedDayDecodeTests(ITestOutputHelper output) => _output = output;

    internal static string RawPath => SharedData.File("onchain", "uniswap_v3", "usdc_weth_005_2024-01-05.raw.csv.gz");

    [Fact]
    public void Every_log_of_the_day_decodes_and_equals_the_independent_decoding()
    {
        var decoded = new Dictionary<(ulong, uint), string[]>();
        using (var text = new StreamReader(new GZipStream(File.OpenRead(SharedData.File("onchain", "uniswap_v3", "usdc_weth_005_2024-01-05.pool.tick.csv.gz")), CompressionMode.Decompress)))
        {
            string header = text.ReadLine()!;
            Assert.StartsWith("block_number,block_timestamp,tx_type", header, StringComparison.Ordinal);
            while (text.ReadLine() is { } line)
            {
                string[] f = line.Split(',');
                decoded[(ulong.Parse(f[0], CultureInfo.InvariantCulture), uint.Parse(f[5], CultureInfo.InvariantCulture))] = f;
            }
        }

        int rows = 0, swaps = 0, mints = 0, burns = 0, noState = 0, compared = 0;
        foreach (RawLogRow row in OnchainCsv.ReadRawLogs(RawPath, Pool))
        {
            rows++;
            Assert.True(row.Error is null, $"line {row.Line}: {row.Error}");
            Assert.Equal(DecodeStatus.Ok, row.Status);
            DexLog log = row.Log;
            switch (log.Kind)
            {
                case DexEventKind.V3Swap: swaps++; break;
                case DexEventKind.V3Mint: mints++; break;
                case DexEventKind.V3Burn: burns++; break;
                case DexEventKind.NoState: noState++; continue;
                default: Assert.Fail("unexpected kind " + log.Kind); break;
            }

            // demeter-fetch columns: ...,amount0(8),amount1(9),total_liquidity(10),total_liquidity_delta(11),sqrtPriceX96(12),current_tick(13),tick_lower(14),tick_upper(15),liquidity(16)
            string[] f = decoded[(log.BlockNumber, log.LogIndex)];
            if (log.Kind == DexEventKind.V3Swap)
            {
                Assert.Equal("SWAP", f[2]);
                Assert.Equal(f[8], log.Amount0.ToString());
                Assert.Equal(f[9], log.Amount1.ToString());
                Assert.Equal(f[12], log.SqrtPriceX96.ToString());
                Assert.Equal(f[13], log.Tick.ToString(CultureInfo.InvariantCulture) + ".0");
                Assert.Equal(f[10], log.Liquidity.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                Assert.Equal(log.Kind == DexEventKind.V3Mint ? "MINT" : "BURN", f[2]);
                Assert.Equal(f[14], log.TickLower.ToString(CultureInfo.InvariantCulture) + ".0");
                Assert.Equal(f[15], log.TickUpper.ToString(CultureInfo.InvariantCulture) + ".0");
                Assert.Equal(f[8], log.Amount0.ToString());
                Assert.Equal(f[9], log.Amount1.ToString());
                Assert.Equal(f[16], log.Liquidity.ToString(CultureInfo.InvariantCulture));
            }

            compared++;
        }

        _output.WriteLine($"rows {rows}: swaps {swaps}, mints {mints}, burns {burns}, no-state events {noState}; compared with demeter-fetch {compared}");
        Assert.Equal(6234, rows);
        Assert.Equal(6046, swaps);
        Assert.Equal(123, mints + burns);
        Assert.Equal(swaps + mints + burns, compared);
    }

    [Fact]
    public void The_tracker_replays_the_day_and_ends_in_the_last_logged_state()
    {
        var tracker = new DexPoolTracker(seedFromLogs: true);
        int pool = tracker.AddV3Pool(Pool, 500, 10);
        DexLog last = default;
        foreach (RawLogRow row in OnchainCsv.ReadRawLogs(RawPath, Pool))
        {
            Assert.Null(row.Error);
            LogOutcome outcome = tracker.Apply(row.Log);
            if (row.Log.Kind == DexEventKind.V3Swap)
            {
                Assert.Equal(LogOutcome.Applied, outcome);
                last = row.Log;
            }
        }

        TrackerCounters c = tracker.Counters;
        _output.WriteLine($"applied {c.Applied}, no-state {c.NoState}, not seeded {c.NotSeeded}, rejected {c.Rejected}, seeded {c.Seeded}");
        V3PoolState s = tracker.V3(pool).State;
        Assert.Equal(last.SqrtPriceX96, s.SqrtPriceX96);
        Assert.Equal(last.Tick, s.Tick);
        Assert.Equal(last.Liquidity, s.Liquidity);
        Assert.Equal(0, c.Rejected);
        Assert.Equal(1, c.Seeded);
        Assert.Equal(6046 + 123 - c.NotSeeded, c.Applied);
        Assert.True(c.NotSeeded <= 5, "only Mints/Burns before the first swap lack state");
    }
}
