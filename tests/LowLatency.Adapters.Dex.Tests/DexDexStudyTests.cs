using System.Numerics;
using LowLatency.Adapters.Dex.Replay;
using LowLatency.HotPath.Amm;
using LowLatency.Testing;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Dex.Tests;

/// <summary>
/// Item 7 on the recorded day: the study's opportunities are consistent (each is profitable after its gas, gas only
/// removes opportunities, and the best one's V2 leg recomputed with BigInteger
/// from the recorded reserves gives what the study's exact maths gave.
/// </summary>
public sealed class DexDexStudyTests
{
    private readonly ITestOutputHelper _output;

    public DexDexStudyTests(ITestOutputHelper output) => _output = output;

    private static string V2Path => SharedData.File("onchain", "uniswap_v2", "usdc_weth_reserves_blocks_18908895-18944480.csv.gz");

    [Fact]
    public void Opportunities_are_profitable_after_their_gas_and_gas_only_removes_them()
    {
        DexDexStudyResult free = DexDexStudy.Run(RecordedDayDecodeTests.RawPath, V2Path, RecordedDayDecodeTests.Pool, 0, 200_000);
        DexDexStudyResult paid = DexDexStudy.Run(RecordedDayDecodeTests.RawPath, V2Path, RecordedDayDecodeTests.Pool, 20, 200_000);
        _output.WriteLine($"blocks {free.BlocksCompared}, gross-edge blocks {free.BlocksWithGrossEdge}, opportunities at 0 gwei {free.Opportunities.Count}, at 20 gwei {paid.Opportunities.Count}");
        Assert.True(free.BlocksCompared > 7000, "the V2 file covers the V3 day block by block");
        Assert.Equal(free.BlocksWithGrossEdge, free.BlocksProfitableAfterGas);
        Assert.Equal(free.BlocksWithGrossEdge, paid.BlocksWithGrossEdge);
        Assert.True(paid.BlocksProfitableAfterGas <= free.BlocksProfitableAfterGas);
        Assert.Equal(free.Opportunities.Sum(o => o.Blocks), free.BlocksProfitableAfterGas);
        Assert.Equal(free.Opportunities.Count, free.OpportunitiesPerHour.Sum());
        Assert.NotEmpty(free.Opportunities);
        foreach (DexDexOpportunity o in paid.Opportunities)
        {
            Assert.True(o.BestNetUsd > 0 && o.BestGrossUsd > o.BestNetUsd && o.BestSizeUsdcUnits > 0 && o.Blocks >= 1);
            Assert.Contains(free.Opportunities, f => f.FirstBlock <= o.FirstBlock && o.FirstBlock < f.FirstBlock + (ulong)f.Blocks);
        }

        Assert.Equal(0, free.V3Counters.Rejected + free.V3Counters.Malformed + free.V3Counters.UnknownTopic);
    }

    [Fact]
    public void The_V2_leg_of_the_best_opportunity_matches_BigInteger()
    {
        DexDexStudyResult r = DexDexStudy.Run(RecordedDayDecodeTests.RawPath, V2Path, RecordedDayDecodeTests.Pool, 0, 200_000);
        DexDexOpportunity best = r.Opportunities.MaxBy(o => o.BestGrossUsd)!;
        (UInt256 r0, UInt256 r1) = OnchainCsv.ReadReserves(V2Path).Where(x => x.Block == best.FirstBlock).Select(x => (x.Reserve0, x.Reserve1)).Single();

        // The V2 leg in the pair's own integer formula, in BigInteger.
        BigInteger Out(BigInteger amountIn, BigInteger reserveIn, BigInteger reserveOut) => amountIn * 997 * reserveOut / (reserveIn * 1000 + amountIn * 997);
        var amount = new UInt256((ulong)best.BestSizeUsdcUnits);
        if (best.BuyOnV2)
        {
            Assert.Equal(V2Status.Ok, UniswapV2Math.GetAmountOut(amount, r0, r1, 30, out UInt256 weth));
            Assert.Equal(Out(best.BestSizeUsdcUnits, r0.ToBigInteger(), r1.ToBigInteger()), weth.ToBigInteger());
        }
        else
        {
            Assert.Equal(V2Status.Ok, UniswapV2Math.GetAmountOut(new UInt256(1UL << 60), r1, r0, 30, out UInt256 usdc));
            Assert.Equal(Out(BigInteger.One << 60, r1.ToBigInteger(), r0.ToBigInteger()), usdc.ToBigInteger());
        }

        _output.WriteLine($"best: block {best.FirstBlock}, {(best.BuyOnV2 ? "buy on V2" : "buy on V3")}, size {best.BestSizeUsdcUnits / 1e6:F0} USDC, gross ${best.BestGrossUsd:F2}");
        Assert.True(best.BestGrossUsd > 0);
    }
}
