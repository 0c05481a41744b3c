using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>The result of one swap step within a tick range (SwapMath.computeSwapStep's return values).</summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct SwapStep(UInt256 SqrtRatioNextX96, UInt256 AmountIn, UInt256 AmountOut, UInt256 FeeAmount);

/// <summary>Uniswap V3's <c>SwapMath</c>. Pure, allocation-free, any thread.</summary>
public static class SwapMath
{
    /// <summary>1e6: fees are in hundredths of a basis point (pips).</summary>
    public const uint FeeDenominator = 1_000_000;

    private static readonly UInt256 s_feeDenominator = new(FeeDenominator);

    /// <summary>
    /// computeSwapStep: swap within one price range towards <paramref name="sqrtRatioTargetX96"/> (which also gives the
    /// direction), exact input when <paramref name="amountRemaining"/> is non-negative. False where the contract reverts.
    /// </summary>
    public static bool TryComputeSwapStep(
        UInt256 sqrtRatioCurrentX96,
        UInt256 sqrtRatioTargetX96,
        UInt128 liquidity,
        Int256 amountRemaining,
        uint feePips,
        out SwapStep step)
    {
        step = default;
        bool zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
        bool exactIn = !amountRemaining.IsNegative;
        UInt256 feeComplement = new(FeeDenominator - feePips);
        UInt256 amountIn = default, amountOut = default, sqrtRatioNextX96;

        // uint256(-amountRemaining): the EVM's wrapping negation, so int256.min gives 2^255.
        UInt256 remainingOut = (-amountRemaining).Bits;
        if (exactIn)
        {
            if (!FullMath.TryMulDiv(amountRemaining.Bits, feeComplement, s_feeDenominator, out UInt256 amountRemainingLessFee))
            {
                return false;
            }

            bool ok = zeroForOne
                ? SqrtPriceMath.TryGetAmount0Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, roundUp: true, out amountIn)
                : SqrtPriceMath.TryGetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, roundUp: true, out amountIn);
            if (!ok)
            {
                return false;
            }

            if (amountRemainingLessFee >= amountIn)
            {
                sqrtRatioNextX96 = sqrtRatioTargetX96;
            }
            else if (!SqrtPriceMath.TryGetNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountRemainingLessFee, zeroForOne, out sqrtRatioNextX96))
            {
                return false;
            }
        }
        else
        {
            bool ok = zeroForOne
                ? SqrtPriceMath.TryGetAmount1Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, roundUp: false, out amountOut)
                : SqrtPriceMath.TryGetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, roundUp: false, out amountOut);
            if (!ok)
            {
                return false;
            }

            if (remainingOut >= amountOut)
            {
                sqrtRatioNextX96 = sqrtRatioTargetX96;
            }
            else if (!SqrtPriceMath.TryGetNextSqrtPriceFromOutput(sqrtRatioCurrentX96, liquidity, remainingOut, zeroForOne, out sqrtRatioNextX96))
            {
                return false;
            }
        }

        bool max = sqrtRatioTargetX96 == sqrtRatioNextX96;

        // The amounts for the range actually swapped; a reached target keeps the amount computed above.
        bool okIn, okOut;
        if (zeroForOne)
        {
            okIn = (max && exactIn) || SqrtPriceMath.TryGetAmount0Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, roundUp: true, out amountIn);
            okOut = (max && !exactIn) || SqrtPriceMath.TryGetAmount1Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, roundUp: false, out amountOut);
        }
        else
        {
            okIn = (max && exactIn) || SqrtPriceMath.TryGetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, roundUp: true, out amountIn);
            okOut = (max && !exactIn) || SqrtPriceMath.TryGetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, roundUp: false, out amountOut);
        }

        if (!(okIn && okOut))
        {
            return false;
        }

        // Cap the output at what remains to be bought.
        if (!exactIn && amountOut > remainingOut)
        {
            amountOut = remainingOut;
        }

        UInt256 feeAmount;
        if (exactIn && sqrtRatioNextX96 != sqrtRatioTargetX96)
        {
            // The target was not reached: the rest of the input is the fee.
            feeAmount = amountRemaining.Bits - amountIn;
        }
        else if (!FullMath.TryMulDivRoundingUp(amountIn, new UInt256(feePips), feeComplement, out feeAmount))
        {
            return false;
        }

        step = new SwapStep(sqrtRatioNextX96, amountIn, amountOut, feeAmount);
        return true;
    }
}
