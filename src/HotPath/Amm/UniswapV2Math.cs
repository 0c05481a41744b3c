using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>Outcome of a V2 quote; everything but <see cref="Ok"/> is where UniswapV2Library reverts.</summary>
public enum V2Status : byte
{
    Ok = 0,

    /// <summary>'UniswapV2Library: INSUFFICIENT_INPUT_AMOUNT': amountIn is zero.</summary>
    InsufficientInputAmount,

    /// <summary>'UniswapV2Library: INSUFFICIENT_OUTPUT_AMOUNT': amountOut is zero.</summary>
    InsufficientOutputAmount,

    /// <summary>'UniswapV2Library: INSUFFICIENT_LIQUIDITY': a reserve is zero, or amountOut is not below reserveOut.</summary>
    InsufficientLiquidity,

    /// <summary>'ds-math-mul-overflow' / 'ds-math-add-overflow': an intermediate exceeds 2^256.</summary>
    Overflow,

    /// <summary>The fee is not below 10,000 bps (not a contract revert: a bad parameter).</summary>
    InvalidFee,
}

/// <summary>
/// Uniswap V2's constant-product quotes (UniswapV2Library.getAmountOut / getAmountIn) with the fee as a parameter in
/// basis points, since forks differ (Uniswap 30, PancakeSwap 25, ...). The fraction is reduced first, so 30 bps is
/// the library's own 997/1000, intermediate for intermediate (and overflows where it does). Pure, allocation-free,
/// any thread.
/// </summary>
public static class UniswapV2Math
{
    /// <summary>Basis points in one.</summary>
    public const uint FeeDenominatorBps = 10_000;

    /// <summary>(1 − fee) as the reduced fraction complement / denominator (30 bps: 997 / 1000).</summary>
    private static void FeeFraction(uint feeBps, out UInt256 complement, out UInt256 denominator)
    {
        uint a = FeeDenominatorBps, b = FeeDenominatorBps - feeBps;
        uint x = a, y = b;
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        complement = new UInt256(b / x);
        denominator = new UInt256(a / x);
    }

    /// <summary>getAmountOut: the most <paramref name="reserveOut"/>-token out for <paramref name="amountIn"/> in.</summary>
    public static V2Status GetAmountOut(UInt256 amountIn, UInt256 reserveIn, UInt256 reserveOut, uint feeBps, out UInt256 amountOut)
    {
        amountOut = default;
        if (feeBps >= FeeDenominatorBps)
        {
            return V2Status.InvalidFee;
        }

        if (amountIn.IsZero)
        {
            return V2Status.InsufficientInputAmount;
        }

        if (reserveIn.IsZero || reserveOut.IsZero)
        {
            return V2Status.InsufficientLiquidity;
        }

        // amountIn × (1 − fee) × reserveOut / (reserveIn + amountIn × (1 − fee)), scaled by the fee's denominator.
        FeeFraction(feeBps, out UInt256 complement, out UInt256 scale);
        if (!UInt256.TryMultiply(amountIn, complement, out UInt256 amountInWithFee)
            || !UInt256.TryMultiply(amountInWithFee, reserveOut, out UInt256 numerator)
            || !UInt256.TryMultiply(reserveIn, scale, out UInt256 scaledReserve)
            || !UInt256.TryAdd(scaledReserve, amountInWithFee, out UInt256 denominator))
        {
            return V2Status.Overflow;
        }

        amountOut = numerator / denominator;
        return V2Status.Ok;
    }

    /// <summary>getAmountIn: the input the library asks for <paramref name="amountOut"/> out (its +1 included).</summary>
    public static V2Status GetAmountIn(UInt256 amountOut, UInt256 reserveIn, UInt256 reserveOut, uint feeBps, out UInt256 amountIn)
    {
        amountIn = default;
        if (feeBps >= FeeDenominatorBps)
        {
            return V2Status.InvalidFee;
        }

        if (amountOut.IsZero)
        {
            return V2Status.InsufficientOutputAmount;
        }

        // The library reverts on reserveOut - amountOut underflowing (ds-math-sub-underflow) or on dividing by zero
        // when they are equal; both mean the pool cannot pay that much.
        if (reserveIn.IsZero || reserveOut.IsZero || amountOut >= reserveOut)
        {
            return V2Status.InsufficientLiquidity;
        }

        FeeFraction(feeBps, out UInt256 complement, out UInt256 scale);
        if (!UInt256.TryMultiply(reserveIn, amountOut, out UInt256 product)
            || !UInt256.TryMultiply(product, scale, out UInt256 numerator)
            || !UInt256.TryMultiply(reserveOut - amountOut, complement, out UInt256 denominator)
            || !UInt256.TryAdd(numerator / denominator, UInt256.One, out amountIn))
        {
            amountIn = default;
            return V2Status.Overflow;
        }

        return V2Status.Ok;
    }
}

/// <summary>
/// A V2 pair's state: its reserves (uint112 on-chain) and fee. Unmanaged; a Sync log sets both reserves.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct V2PoolState
{
    public UInt256 Reserve0 { get; set; }

    public UInt256 Reserve1 { get; set; }

    /// <summary>The pair's fee in basis points (30 for Uniswap V2).</summary>
    public uint FeeBps { get; set; }

    /// <summary>Output for an exact input, token0 in when <paramref name="zeroForOne"/>. Allocation-free.</summary>
    public readonly V2Status QuoteExactIn(bool zeroForOne, UInt256 amountIn, out UInt256 amountOut) =>
        zeroForOne
            ? UniswapV2Math.GetAmountOut(amountIn, Reserve0, Reserve1, FeeBps, out amountOut)
            : UniswapV2Math.GetAmountOut(amountIn, Reserve1, Reserve0, FeeBps, out amountOut);

    /// <summary>Input for an exact output, token0 in when <paramref name="zeroForOne"/>. Allocation-free.</summary>
    public readonly V2Status QuoteExactOut(bool zeroForOne, UInt256 amountOut, out UInt256 amountIn) =>
        zeroForOne
            ? UniswapV2Math.GetAmountIn(amountOut, Reserve0, Reserve1, FeeBps, out amountIn)
            : UniswapV2Math.GetAmountIn(amountOut, Reserve1, Reserve0, FeeBps, out amountIn);
}
