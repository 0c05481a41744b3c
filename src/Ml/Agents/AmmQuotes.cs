using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Ml.Agents;

/// <summary>
/// Exact pool quotes through the engine's own integer maths (<see cref="UniswapV2Math"/>, <see cref="SwapMath"/>), in
/// whole tokens. The V3 leg is one <c>computeSwapStep</c> over the active liquidity: the data hold no tick table, so
/// no initialised tick is crossed (exact for the sizes here unless a range edge is near). 0 where the pool reverts.
/// </summary>
public static class AmmQuotes
{
    public const double UsdcUnit = 1e6;
    public const double WethUnit = 1e18;
    public const uint V2FeeBps = 30;
    public const uint V3FeePips = 500;

    private const double TwoTo64 = 18446744073709551616.0;

    /// <summary>WETH out of the V2 pair for <paramref name="usdcIn"/>.</summary>
    public static double V2UsdcToWeth(in BlockState b, double usdcIn) =>
        V2Out(usdcIn * UsdcUnit, b.V2Usdc * UsdcUnit, b.V2Weth * WethUnit) / WethUnit;

    /// <summary>USDC out of the V2 pair for <paramref name="wethIn"/>.</summary>
    public static double V2WethToUsdc(in BlockState b, double wethIn) =>
        V2Out(wethIn * WethUnit, b.V2Weth * WethUnit, b.V2Usdc * UsdcUnit) / UsdcUnit;

    /// <summary>WETH out of the V3 pool for <paramref name="usdcIn"/> (zeroForOne).</summary>
    public static double V3UsdcToWeth(in BlockState b, double usdcIn) =>
        V3Out(b, usdcIn * UsdcUnit, zeroForOne: true) / WethUnit;

    /// <summary>USDC out of the V3 pool for <paramref name="wethIn"/>.</summary>
    public static double V3WethToUsdc(in BlockState b, double wethIn) =>
        V3Out(b, wethIn * WethUnit, zeroForOne: false) / UsdcUnit;

    private static double V2Out(double amountIn, double reserveIn, double reserveOut)
    {
        if (!(amountIn >= 1))
        {
            return 0;
        }

        return UniswapV2Math.GetAmountOut(FromDouble(amountIn), FromDouble(reserveIn), FromDouble(reserveOut), V2FeeBps, out UInt256 output) == V2Status.Ok
            ? ToDouble(output)
            : 0;
    }

    private static double V3Out(in BlockState b, double amountIn, bool zeroForOne)
    {
        if (!(amountIn >= 1) || b.Liquidity == 0)
        {
            return 0;
        }

        UInt256 target = zeroForOne ? TickMath.MinSqrtRatio + UInt256.One : TickMath.MaxSqrtRatio - UInt256.One;
        return SwapMath.TryComputeSwapStep(b.SqrtPriceX96, target, b.Liquidity, Int256.FromBits(FromDouble(amountIn)), V3FeePips, out SwapStep step)
            ? ToDouble(step.AmountOut)
            : 0;
    }

    /// <summary>A non-negative double below 2^128 as an integer (truncated).</summary>
    internal static UInt256 FromDouble(double x)
    {
        double hi = Math.Floor(x / TwoTo64);
        double lo = x - (hi * TwoTo64);
        return new UInt256((ulong)Math.Max(0, Math.Min(lo, ulong.MaxValue)), (ulong)Math.Max(0, hi));
    }

    internal static double ToDouble(UInt256 v)
    {
        var u = (UInt128)v;
        return ((double)(ulong)(u >> 64) * TwoTo64) + (ulong)u;
    }
}
