using System.Numerics;
using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Amm;
using LowLatency.Testing.Amm;

namespace LowLatency.Benchmarks.Amm;

/// <summary>
/// Exact AMM quotes: ours (UInt256, allocation-free) against the same maths on BigInteger (tests/Testing/Amm), in one
/// run. V3 within one tick range (a mainnet-sized 0.05 % pool, a 10k USDC swap) and across exactly ten initialized
/// ticks; V2 getAmountOut with mainnet USDC/WETH reserves.
/// </summary>
[MemoryDiagnoser]
public class AmmBenchmarks
{
    // USDC/WETH 0.05 % on 2024-01-05 (its first Swap log): price, liquidity.
    private static readonly UInt256 s_price = UInt256.Parse("1662995104975155420368771254341874");
    private static readonly UInt128 s_liquidity = UInt128.Parse("12453647101533358277", System.Globalization.CultureInfo.InvariantCulture);

    private readonly UInt256 _limitDown = V3Pool.DefaultPriceLimit(true);
    private readonly BigInteger _bigLimitDown = BigV3Math.MinSqrtRatio + 1;
    private V3Pool _oneRange = null!;
    private BigV3Pool _bigOneRange = null!;
    private V3Pool _ladder = null!;
    private BigV3Pool _bigLadder = null!;
    private Int256 _oneRangeAmount;
    private Int256 _tenTicksAmount;
    private V2PoolState _pair;

    [GlobalSetup]
    public void Setup()
    {
        // One range: the pool's state with no initialized tick near the price (the swap stays in its range).
        _oneRange = new V3Pool(500, 10);
        _oneRange.State = new V3PoolState { SqrtPriceX96 = s_price, Tick = 199045, Liquidity = s_liquidity };
        _bigOneRange = new BigV3Pool(500, 10) { SqrtPriceX96 = s_price.ToBigInteger(), Tick = 199045, Liquidity = (BigInteger)s_liquidity };
        _oneRangeAmount = 10_000_000_000L; // 10,000 USDC in

        // Ten ticks: positions every 10 ticks below the price, sized so that the swap crosses exactly ten.
        _ladder = new V3Pool(500, 10);
        _bigLadder = new BigV3Pool(500, 10);
        _ladder.Initialize(s_price);
        _bigLadder.Initialize(s_price.ToBigInteger());
        int top = 199040;
        for (int i = 0; i < 12; i++)
        {
            var amount = (UInt128)(1_000_000_000_000_000_000UL + ((ulong)i * 100_000_000_000_000_000UL));
            Require(_ladder.Mint(top - (10 * (i + 1)), top - (10 * i) + 10, amount, out _, out _) == V3Status.Ok, "mint");
            _bigLadder.ModifyPosition(top - (10 * (i + 1)), top - (10 * i) + 10, (BigInteger)amount);
        }

        _tenTicksAmount = 5_000_000_000L;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            Require(_ladder.Quote(true, _tenTicksAmount, _limitDown, out V3SwapResult r) == V3Status.Ok, "quote");
            if (r.TicksCrossed == 10)
            {
                break;
            }

            _tenTicksAmount = r.TicksCrossed < 10 ? _tenTicksAmount + (_tenTicksAmount >> 3) : _tenTicksAmount - (_tenTicksAmount >> 4);
        }

        Require(_ladder.Quote(true, _tenTicksAmount, _limitDown, out V3SwapResult check) == V3Status.Ok && check.TicksCrossed == 10, "ten ticks");
        Require(_bigLadder.Swap(true, _tenTicksAmount.ToBigInteger(), _bigLimitDown, commit: false).Amount1 == check.Amount1.ToBigInteger(), "parity");
        Require(_oneRange.Quote(true, _oneRangeAmount, _limitDown, out V3SwapResult one) == V3Status.Ok && one.Steps == 1, "one range");

        _pair = new V2PoolState
        {
            Reserve0 = UInt256.Parse("43925325098632"),
            Reserve1 = UInt256.Parse("19826317389049406358548"),
            FeeBps = 30,
        };
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("benchmark set-up: " + what);
        }
    }

    [Benchmark]
    public UInt256 V3QuoteOneRange()
    {
        _oneRange.Quote(true, _oneRangeAmount, _limitDown, out V3SwapResult r);
        return r.SqrtPriceX96;
    }

    [Benchmark]
    public BigInteger V3QuoteOneRangeBigInteger() => _bigOneRange.Swap(true, 10_000_000_000L, _bigLimitDown, commit: false).SqrtPriceX96;

    [Benchmark]
    public UInt256 V3SwapTenTicks()
    {
        _ladder.Quote(true, _tenTicksAmount, _limitDown, out V3SwapResult r);
        return r.SqrtPriceX96;
    }

    [Benchmark]
    public BigInteger V3SwapTenTicksBigInteger() => _bigLadder.Swap(true, _tenTicksAmount.ToBigInteger(), _bigLimitDown, commit: false).SqrtPriceX96;

    [Benchmark]
    public UInt256 V2AmountOut()
    {
        _pair.QuoteExactIn(true, 10_000_000_000UL, out UInt256 amountOut);
        return amountOut;
    }

    [Benchmark]
    public BigInteger V2AmountOutBigInteger() =>
        BigV2Math.GetAmountOut(10_000_000_000L, 43925325098632L, BigInteger.Parse("19826317389049406358548", System.Globalization.CultureInfo.InvariantCulture), 30);
}
