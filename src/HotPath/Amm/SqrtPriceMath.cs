using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>
/// Uniswap V3's <c>SqrtPriceMath</c>: next prices and token deltas from a Q64.96 sqrt price and a liquidity, with the
/// contract's rounding. Every <c>false</c> return is a revert of the contract (an unnamed require). Pure,
/// allocation-free, any thread.
/// </summary>
public static class SqrtPriceMath
{
    private static readonly UInt256 s_maxUInt160 = (UInt256.One << 160) - UInt256.One;

    /// <summary>getNextSqrtPriceFromAmount0RoundingUp: the price after adding or removing <paramref name="amount"/> of token0.</summary>
    public static bool TryGetNextSqrtPriceFromAmount0RoundingUp(UInt256 sqrtPX96, UInt128 liquidity, UInt256 amount, bool add, out UInt256 next)
    {
        // Short circuit: the result is otherwise not guaranteed to equal the input price.
        if (amount.IsZero)
        {
            next = sqrtPX96;
            return true;
        }

        UInt256 numerator1 = (UInt256)liquidity << 96;
        bool productFits = UInt256.TryMultiply(amount, sqrtPX96, out UInt256 product);
        if (add)
        {
            if (productFits && UInt256.TryAdd(numerator1, product, out UInt256 denominator))
            {
                // Always fits in 160 bits; the contract casts without a check.
                if (!FullMath.TryMulDivRoundingUp(numerator1, sqrtPX96, denominator, out UInt256 precise))
                {
                    next = default;
                    return false;
                }

                next = FullMath.TruncateToUInt160(precise);
                return true;
            }

            // liquidity / (liquidity / sqrtPX96 + amount), when the precise form overflows.
            if (!UInt256.TryAdd(numerator1 / sqrtPX96, amount, out UInt256 divisor))
            {
                next = default;
                return false;
            }

            next = FullMath.TruncateToUInt160(FullMath.DivRoundingUp(numerator1, divisor));
            return true;
        }

        // Removing: an overflowing product means the denominator would underflow.
        if (!productFits || numerator1 <= product)
        {
            next = default;
            return false;
        }

        return FullMath.TryMulDivRoundingUp(numerator1, sqrtPX96, numerator1 - product, out next) && FullMath.FitsInUInt160(next);
    }

    /// <summary>getNextSqrtPriceFromAmount1RoundingDown: the price after adding or removing <paramref name="amount"/> of token1.</summary>
    public static bool TryGetNextSqrtPriceFromAmount1RoundingDown(UInt256 sqrtPX96, UInt128 liquidity, UInt256 amount, bool add, out UInt256 next)
    {
        next = default;

        // A zero liquidity divides as the EVM's DIV does (to zero); getNextSqrtPriceFromInput/Output require liquidity > 0.
        UInt256 wideLiquidity = liquidity;
        UInt256 quotient;
        if (add)
        {
            if (amount <= s_maxUInt160)
            {
                quotient = wideLiquidity.IsZero ? UInt256.Zero : (amount << 96) / wideLiquidity;
            }
            else if (!FullMath.TryMulDiv(amount, FullMath.Q96, wideLiquidity, out quotient))
            {
                return false;
            }

            return UInt256.TryAdd(sqrtPX96, quotient, out next) && FullMath.FitsInUInt160(next);
        }

        if (amount <= s_maxUInt160)
        {
            quotient = FullMath.DivRoundingUp(amount << 96, wideLiquidity);
        }
        else if (!FullMath.TryMulDivRoundingUp(amount, FullMath.Q96, wideLiquidity, out quotient))
        {
            return false;
        }

        if (sqrtPX96 <= quotient)
        {
            return false;
        }

        // Always fits in 160 bits.
        next = sqrtPX96 - quotient;
        return true;
    }

    /// <summary>getNextSqrtPriceFromInput: rounds so that the target price is not passed.</summary>
    public static bool TryGetNextSqrtPriceFromInput(UInt256 sqrtPX96, UInt128 liquidity, UInt256 amountIn, bool zeroForOne, out UInt256 next)
    {
        if (sqrtPX96.IsZero || liquidity == UInt128.Zero)
        {
            next = default;
            return false;
        }

        return zeroForOne
            ? TryGetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, add: true, out next)
            : TryGetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, add: true, out next);
    }

    /// <summary>getNextSqrtPriceFromOutput: rounds so that the target price is passed.</summary>
    public static bool TryGetNextSqrtPriceFromOutput(UInt256 sqrtPX96, UInt128 liquidity, UInt256 amountOut, bool zeroForOne, out UInt256 next)
    {
        if (sqrtPX96.IsZero || liquidity == UInt128.Zero)
        {
            next = default;
            return false;
        }

        return zeroForOne
            ? TryGetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, add: false, out next)
            : TryGetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, add: false, out next);
    }

    /// <summary>getAmount0Delta: liquidity × (sqrt(upper) − sqrt(lower)) / (sqrt(upper) × sqrt(lower)).</summary>
    public static bool TryGetAmount0Delta(UInt256 sqrtRatioAX96, UInt256 sqrtRatioBX96, UInt128 liquidity, bool roundUp, out UInt256 amount0)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96)
        {
            (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        }

        amount0 = default;
        if (sqrtRatioAX96.IsZero)
        {
            return false;
        }

        UInt256 numerator1 = (UInt256)liquidity << 96;
        UInt256 numerator2 = sqrtRatioBX96 - sqrtRatioAX96;
        if (roundUp)
        {
            if (!FullMath.TryMulDivRoundingUp(numerator1, numerator2, sqrtRatioBX96, out UInt256 up))
            {
                return false;
            }

            amount0 = FullMath.DivRoundingUp(up, sqrtRatioAX96);
            return true;
        }

        if (!FullMath.TryMulDiv(numerator1, numerator2, sqrtRatioBX96, out UInt256 down))
        {
            return false;
        }

        amount0 = down / sqrtRatioAX96;
        return true;
    }

    /// <summary>getAmount1Delta: liquidity × (sqrt(upper) − sqrt(lower)).</summary>
    public static bool TryGetAmount1Delta(UInt256 sqrtRatioAX96, UInt256 sqrtRatioBX96, UInt128 liquidity, bool roundUp, out UInt256 amount1)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96)
        {
            (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        }

        return roundUp
            ? FullMath.TryMulDivRoundingUp(liquidity, sqrtRatioBX96 - sqrtRatioAX96, FullMath.Q96, out amount1)
            : FullMath.TryMulDiv(liquidity, sqrtRatioBX96 - sqrtRatioAX96, FullMath.Q96, out amount1);
    }

    /// <summary>The signed getAmount0Delta: negative liquidity rounds down and gives a negative amount.</summary>
    public static bool TryGetAmount0Delta(UInt256 sqrtRatioAX96, UInt256 sqrtRatioBX96, Int128 liquidity, out Int256 amount0)
    {
        bool negative = liquidity < 0;
        var magnitude = negative ? unchecked((UInt128)(-liquidity)) : (UInt128)liquidity;
        amount0 = default;
        if (!TryGetAmount0Delta(sqrtRatioAX96, sqrtRatioBX96, magnitude, roundUp: !negative, out UInt256 unsigned)
            || !Int256.TryFromUInt256(unsigned, out Int256 signed))
        {
            return false;
        }

        amount0 = negative ? -signed : signed;
        return true;
    }

    /// <summary>The signed getAmount1Delta.</summary>
    public static bool TryGetAmount1Delta(UInt256 sqrtRatioAX96, UInt256 sqrtRatioBX96, Int128 liquidity, out Int256 amount1)
    {
        bool negative = liquidity < 0;
        var magnitude = negative ? unchecked((UInt128)(-liquidity)) : (UInt128)liquidity;
        amount1 = default;
        if (!TryGetAmount1Delta(sqrtRatioAX96, sqrtRatioBX96, magnitude, roundUp: !negative, out UInt256 unsigned)
            || !Int256.TryFromUInt256(unsigned, out Int256 signed))
        {
            return false;
        }

        amount1 = negative ? -signed : signed;
        return true;
    }
}
