using System.Diagnostics.CodeAnalysis;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>
/// One Uniswap V3 pool: its immutables (fee, tick spacing), its <see cref="V3PoolState"/> and its
/// <see cref="V3TickTable"/>, with the contract's initialize, mint/burn liquidity accounting and swap loop.
/// <see cref="Quote"/> reads only, so the venue graph can ask for many sizes; <see cref="Swap"/>, <see cref="Mint"/>
/// and <see cref="Burn"/> change the state only when they return <see cref="V3Status.Ok"/>.
/// Single-threaded (the pool's owner); nothing here allocates except a tick table that outgrows its capacity.
/// Not modelled: positions (owners, fees owed), oracle observations and per-tick fee growth outside, none of which
/// changes a swap's amounts or price.
/// </summary>
public sealed class V3Pool
{
    private V3PoolState _state;

    /// <summary>Creates an uninitialized pool. <paramref name="feePips"/> must be below 1e6, the spacing in [1, 16383].</summary>
    public V3Pool(uint feePips, int tickSpacing, int tickCapacity = 64)
    {
        if (feePips >= SwapMath.FeeDenominator)
        {
            ThrowFee(feePips);
        }

        Fee = feePips;
        Ticks = new V3TickTable(tickSpacing, tickCapacity);
        MaxLiquidityPerTick = TickSpacingToMaxLiquidityPerTick(tickSpacing);
    }

    /// <summary>The swap fee in hundredths of a basis point (500 = 0.05 %).</summary>
    public uint Fee { get; }

    public int TickSpacing => Ticks.TickSpacing;

    /// <summary>Tick.tickSpacingToMaxLiquidityPerTick of the spacing.</summary>
    public UInt128 MaxLiquidityPerTick { get; }

    public V3TickTable Ticks { get; }

    /// <summary>The scalar state, by reference (a state machine sets it from logs or restores a copy on a reorg).</summary>
    public ref V3PoolState State => ref _state;

    /// <summary>The price limit the swap tests use when none is given: MIN_SQRT_RATIO + 1 or MAX_SQRT_RATIO − 1.</summary>
    public static UInt256 DefaultPriceLimit(bool zeroForOne) =>
        zeroForOne ? TickMath.MinSqrtRatio + UInt256.One : TickMath.MaxSqrtRatio - UInt256.One;

    /// <summary>Tick.tickSpacingToMaxLiquidityPerTick.</summary>
    public static UInt128 TickSpacingToMaxLiquidityPerTick(int tickSpacing)
    {
        int minTick = TickMath.MinTick / tickSpacing * tickSpacing;
        int maxTick = TickMath.MaxTick / tickSpacing * tickSpacing;
        uint numTicks = (uint)((maxTick - minTick) / tickSpacing) + 1;
        return UInt128.MaxValue / numTicks;
    }

    /// <summary>
    /// Whether <paramref name="state"/> is one a pool can be in: a price in [MIN_SQRT_RATIO, MAX_SQRT_RATIO) and the tick
    /// the pool keeps for it (getTickAtSqrtRatio, or one below when a swap down stopped exactly on a tick). For state
    /// that comes from outside (a node, a log, a caller) before it is stored; allocation-free.
    /// </summary>
    public static V3Status ValidateState(in V3PoolState state)
    {
        if (!TickMath.TryGetTickAtSqrtRatio(state.SqrtPriceX96, out int priceTick))
        {
            return V3Status.SqrtPriceOutOfRange;
        }

        if (state.Tick == priceTick)
        {
            return V3Status.Ok;
        }

        bool onBoundary = state.Tick == priceTick - 1 && TickMath.SqrtRatioAtTick((uint)Math.Abs(priceTick), priceTick > 0) == state.SqrtPriceX96;
        return onBoundary ? V3Status.Ok : V3Status.TickOutOfRange;
    }

    /// <summary>initialize(): sets the price and its tick.</summary>
    public V3Status Initialize(UInt256 sqrtPriceX96)
    {
        if (_state.IsInitialized)
        {
            return V3Status.AlreadyInitialized;
        }

        if (!TickMath.TryGetTickAtSqrtRatio(sqrtPriceX96, out int tick))
        {
            return V3Status.SqrtPriceOutOfRange;
        }

        _state.SqrtPriceX96 = sqrtPriceX96;
        _state.Tick = tick;
        return V3Status.Ok;
    }

    /// <summary>
    /// What UniswapV3Pool.swap would do, without changing anything: <paramref name="amountSpecified"/> positive is
    /// exact input, negative exact output. The result's fee growth is the pool's as it stands (a quote does not need
    /// the growth, a 512-bit division per step; <see cref="Swap"/> computes it); the amounts, price, tick, liquidity and
    /// every revert are the swap's. Allocation-free.
    /// </summary>
    public V3Status Quote(bool zeroForOne, Int256 amountSpecified, UInt256 sqrtPriceLimitX96, out V3SwapResult result) =>
        ComputeSwap(in _state, Ticks, Fee, zeroForOne, amountSpecified, sqrtPriceLimitX96, out result, computeFeeGrowth: false);

    /// <summary>UniswapV3Pool.swap: as <see cref="Quote"/>, then commits the price, tick, liquidity and fee growth.</summary>
    public V3Status Swap(bool zeroForOne, Int256 amountSpecified, UInt256 sqrtPriceLimitX96, out V3SwapResult result)
    {
        V3Status status = ComputeSwap(in _state, Ticks, Fee, zeroForOne, amountSpecified, sqrtPriceLimitX96, out result);
        if (status != V3Status.Ok)
        {
            return status;
        }

        _state.SqrtPriceX96 = result.SqrtPriceX96;
        _state.Tick = result.Tick;
        _state.Liquidity = result.Liquidity;
        if (zeroForOne)
        {
            _state.FeeGrowthGlobal0X128 = result.FeeGrowthGlobalX128;
            _state.ProtocolFees0 = unchecked(_state.ProtocolFees0 + result.ProtocolFee);
        }
        else
        {
            _state.FeeGrowthGlobal1X128 = result.FeeGrowthGlobalX128;
            _state.ProtocolFees1 = unchecked(_state.ProtocolFees1 + result.ProtocolFee);
        }

        return V3Status.Ok;
    }

    /// <summary>mint(): adds <paramref name="amount"/> liquidity over [tickLower, tickUpper); the tokens owed to the pool come back.</summary>
    public V3Status Mint(int tickLower, int tickUpper, UInt128 amount, out UInt256 amount0, out UInt256 amount1)
    {
        amount0 = default;
        amount1 = default;
        if (!_state.IsInitialized)
        {
            return V3Status.Locked;
        }

        if (amount == UInt128.Zero)
        {
            return V3Status.ZeroLiquidity;
        }

        if (amount > (UInt128)Int128.MaxValue)
        {
            return V3Status.MathOverflow;
        }

        V3Status status = ModifyPosition(tickLower, tickUpper, (Int128)amount, out Int256 signed0, out Int256 signed1);
        amount0 = signed0.Bits;
        amount1 = signed1.Bits;
        return status;
    }

    /// <summary>burn(): removes liquidity; the tokens the pool owes back come out (positions themselves are not tracked).</summary>
    public V3Status Burn(int tickLower, int tickUpper, UInt128 amount, out UInt256 amount0, out UInt256 amount1)
    {
        amount0 = default;
        amount1 = default;
        if (!_state.IsInitialized)
        {
            return V3Status.Locked;
        }

        if (amount > (UInt128)Int128.MaxValue)
        {
            return V3Status.MathOverflow;
        }

        V3Status status = ModifyPosition(tickLower, tickUpper, -(Int128)amount, out Int256 signed0, out Int256 signed1);
        amount0 = (-signed0).Bits;
        amount1 = (-signed1).Bits;
        return status;
    }

    /// <summary>
    /// _modifyPosition: updates the two ticks (and the bitmap where they flip), the in-range liquidity, and gives the
    /// token amounts (positive = owed to the pool). Checks everything before changing anything.
    /// </summary>
    public V3Status ModifyPosition(int tickLower, int tickUpper, Int128 liquidityDelta, out Int256 amount0, out Int256 amount1)
    {
        amount0 = default;
        amount1 = default;
        if (tickLower >= tickUpper)
        {
            return V3Status.TickLowerNotBelowUpper;
        }

        if (tickLower < TickMath.MinTick)
        {
            return V3Status.TickLowerTooLow;
        }

        if (tickUpper > TickMath.MaxTick)
        {
            return V3Status.TickUpperTooHigh;
        }

        if (!_state.IsInitialized)
        {
            return V3Status.Locked;
        }

        V3TickInfo lower = default, upper = default;
        if (liquidityDelta != 0)
        {
            V3Status tickStatus = UpdatedTick(tickLower, liquidityDelta, isUpper: false, out lower);
            if (tickStatus == V3Status.Ok)
            {
                tickStatus = UpdatedTick(tickUpper, liquidityDelta, isUpper: true, out upper);
            }

            if (tickStatus != V3Status.Ok)
            {
                return tickStatus;
            }
        }

        UInt256 sqrtA = TickMath.SqrtRatioAtTick((uint)Math.Abs(tickLower), tickLower > 0);
        UInt256 sqrtB = TickMath.SqrtRatioAtTick((uint)Math.Abs(tickUpper), tickUpper > 0);
        UInt128 liquidity = _state.Liquidity;
        if (liquidityDelta != 0)
        {
            bool ok;
            if (_state.Tick < tickLower)
            {
                ok = SqrtPriceMath.TryGetAmount0Delta(sqrtA, sqrtB, liquidityDelta, out amount0);
            }
            else if (_state.Tick < tickUpper)
            {
                ok = SqrtPriceMath.TryGetAmount0Delta(_state.SqrtPriceX96, sqrtB, liquidityDelta, out amount0)
                    && SqrtPriceMath.TryGetAmount1Delta(sqrtA, _state.SqrtPriceX96, liquidityDelta, out amount1);
                if (ok)
                {
                    V3Status added = LiquidityMath.AddDelta(liquidity, liquidityDelta, out liquidity);
                    if (added != V3Status.Ok)
                    {
                        amount0 = default;
                        amount1 = default;
                        return added;
                    }
                }
            }
            else
            {
                ok = SqrtPriceMath.TryGetAmount1Delta(sqrtA, sqrtB, liquidityDelta, out amount1);
            }

            if (!ok)
            {
                amount0 = default;
                amount1 = default;
                return V3Status.MathOverflow;
            }

            // Every check passed: commit.
            Ticks.SetTick(tickLower, lower);
            Ticks.SetTick(tickUpper, upper);
            _state.Liquidity = liquidity;
        }

        return V3Status.Ok;
    }

    /// <summary>Tick.update's liquidity part, without writing: the tick's info after adding the delta.</summary>
    private V3Status UpdatedTick(int tick, Int128 liquidityDelta, bool isUpper, out V3TickInfo updated)
    {
        updated = default;
        Ticks.TryGetTick(tick, out V3TickInfo info);
        V3Status status = LiquidityMath.AddDelta(info.LiquidityGross, liquidityDelta, out UInt128 grossAfter);
        if (status != V3Status.Ok)
        {
            return status;
        }

        if (grossAfter > MaxLiquidityPerTick)
        {
            return V3Status.LiquidityOverflowPerTick;
        }

        bool flipped = (grossAfter == UInt128.Zero) != (info.LiquidityGross == UInt128.Zero);
        if (flipped && tick % TickSpacing != 0)
        {
            return V3Status.TickNotSpaced;
        }

        // liquidityNet ± delta through LowGasSafeMath and SafeCast.toInt128.
        Int256 net = info.LiquidityNet;
        Int256 delta = liquidityDelta;
        bool fits = isUpper ? Int256.TrySubtract(net, delta, out Int256 netAfter) : Int256.TryAdd(net, delta, out netAfter);
        if (!fits || !Int256.TryToInt128(netAfter, out Int128 narrowed))
        {
            return V3Status.MathOverflow;
        }

        updated = new V3TickInfo(grossAfter, narrowed);
        return V3Status.Ok;
    }

    /// <summary>
    /// The loop of UniswapV3Pool.swap over a state and its ticks, changing neither. Mirrors the contract step by step,
    /// including its wrapping and checked arithmetic, so the amounts and the final state are the pool's to the wei.
    /// Without <paramref name="computeFeeGrowth"/> the fee growth is left as it was, and only its overflow (the
    /// contract's revert) is checked.
    /// </summary>
    public static V3Status ComputeSwap(
        in V3PoolState state,
        V3TickTable ticks,
        uint feePips,
        bool zeroForOne,
        Int256 amountSpecified,
        UInt256 sqrtPriceLimitX96,
        out V3SwapResult result,
        bool computeFeeGrowth = true)
    {
        result = default;
        if (amountSpecified.IsZero)
        {
            return V3Status.AmountSpecifiedZero;
        }

        if (!state.IsInitialized)
        {
            return V3Status.Locked;
        }

        // State set from outside is bounded here (ValidateState checks it fully): a price or tick out of range is
        // refused, never walked.
        if (state.SqrtPriceX96 >= TickMath.MaxSqrtRatio || state.SqrtPriceX96 < TickMath.MinSqrtRatio)
        {
            return V3Status.SqrtPriceOutOfRange;
        }

        if (state.Tick is < TickMath.MinTick or > TickMath.MaxTick)
        {
            return V3Status.TickOutOfRange;
        }

        bool limitOk = zeroForOne
            ? sqrtPriceLimitX96 < state.SqrtPriceX96 && sqrtPriceLimitX96 > TickMath.MinSqrtRatio
            : sqrtPriceLimitX96 > state.SqrtPriceX96 && sqrtPriceLimitX96 < TickMath.MaxSqrtRatio;
        if (!limitOk)
        {
            return V3Status.PriceLimit;
        }

        int feeProtocol = zeroForOne ? state.FeeProtocol % 16 : state.FeeProtocol >> 4;
        bool exactInput = !amountSpecified.IsNegative;
        Int256 remaining = amountSpecified;
        Int256 calculated = Int256.Zero;
        UInt256 sqrtPrice = state.SqrtPriceX96;
        int tick = state.Tick;
        UInt256 feeGrowth = zeroForOne ? state.FeeGrowthGlobal0X128 : state.FeeGrowthGlobal1X128;
        UInt128 protocolFee = UInt128.Zero;
        UInt128 liquidity = state.Liquidity;
        int crossed = 0, steps = 0;

        while (!remaining.IsZero && sqrtPrice != sqrtPriceLimitX96)
        {
            steps++;
            UInt256 sqrtPriceStart = sqrtPrice;
            V3Status found = ticks.NextInitializedTickWithinOneWord(tick, zeroForOne, out int tickNext, out bool initialized);
            if (found != V3Status.Ok)
            {
                return found;
            }

            // The bitmap does not know the tick bounds.
            tickNext = Math.Clamp(tickNext, TickMath.MinTick, TickMath.MaxTick);
            int tickIndex = -1;
            UInt256 sqrtPriceNext;
            if (initialized)
            {
                tickIndex = ticks.IndexOf(tickNext);
                if (tickIndex < 0)
                {
                    // The bitmap says initialized but this copy has no liquidity for the tick.
                    return V3Status.TickDataMissing;
                }

                sqrtPriceNext = ticks.SqrtPriceAt(tickIndex);
            }
            else
            {
                sqrtPriceNext = TickMath.SqrtRatioAtTick((uint)Math.Abs(tickNext), tickNext > 0);
            }

            UInt256 target = (zeroForOne ? sqrtPriceNext < sqrtPriceLimitX96 : sqrtPriceNext > sqrtPriceLimitX96) ? sqrtPriceLimitX96 : sqrtPriceNext;
            if (!SwapMath.TryComputeSwapStep(sqrtPrice, target, liquidity, remaining, feePips, out SwapStep step))
            {
                return V3Status.MathOverflow;
            }

            sqrtPrice = step.SqrtRatioNextX96;
            UInt256 feeAmount = step.FeeAmount;

            // Solidity 0.7: the remaining amount wraps; the calculated amount goes through LowGasSafeMath; both
            // go through SafeCast.toInt256.
            if (exactInput)
            {
                if (!Int256.TryFromUInt256(step.AmountIn + feeAmount, out Int256 spent)
                    || !Int256.TryFromUInt256(step.AmountOut, out Int256 received)
                    || !Int256.TrySubtract(calculated, received, out calculated))
                {
                    return V3Status.MathOverflow;
                }

                remaining -= spent;
            }
            else
            {
                if (!Int256.TryFromUInt256(step.AmountOut, out Int256 received)
                    || !Int256.TryFromUInt256(step.AmountIn + feeAmount, out Int256 spent)
                    || !Int256.TryAdd(calculated, spent, out calculated))
                {
                    return V3Status.MathOverflow;
                }

                remaining += received;
            }

            if (feeProtocol > 0)
            {
                UInt256 delta = feeAmount / new UInt256((ulong)feeProtocol);
                feeAmount -= delta;
                protocolFee = unchecked(protocolFee + (UInt128)delta);
            }

            if (liquidity != UInt128.Zero)
            {
                if (computeFeeGrowth)
                {
                    if (!FullMath.TryMulDiv(feeAmount, FullMath.Q128, liquidity, out UInt256 growth))
                    {
                        return V3Status.MathOverflow;
                    }

                    feeGrowth += growth;
                }
                else if (new UInt128(feeAmount.U3, feeAmount.U2) >= liquidity)
                {
                    // mulDiv(fee, 2^128, L) overflows 256 bits exactly when fee >= L * 2^128, i.e. when fee's high half >= L.
                    return V3Status.MathOverflow;
                }
            }

            if (sqrtPrice == sqrtPriceNext)
            {
                if (initialized)
                {
                    V3TickInfo info = ticks.InfoAt(tickIndex);

                    // Moving left, liquidityNet counts the other way (it is never int128.min).
                    Int128 liquidityNet = zeroForOne ? -info.LiquidityNet : info.LiquidityNet;
                    V3Status added = LiquidityMath.AddDelta(liquidity, liquidityNet, out liquidity);
                    if (added != V3Status.Ok)
                    {
                        return added;
                    }

                    crossed++;
                }

                tick = zeroForOne ? tickNext - 1 : tickNext;
            }
            else if (sqrtPrice != sqrtPriceStart)
            {
                // Recompute unless on a lower tick boundary already transitioned and not moved.
                tick = TickMath.TickAtSqrtRatio(sqrtPrice);
            }
        }

        Int256 settled = amountSpecified - remaining;
        result = new V3SwapResult
        {
            Amount0 = zeroForOne == exactInput ? settled : calculated,
            Amount1 = zeroForOne == exactInput ? calculated : settled,
            SqrtPriceX96 = sqrtPrice,
            Tick = tick,
            Liquidity = liquidity,
            FeeGrowthGlobalX128 = feeGrowth,
            ProtocolFee = protocolFee,
            TicksCrossed = crossed,
            Steps = steps,
        };
        return V3Status.Ok;
    }

    [DoesNotReturn]
    private static void ThrowFee(uint feePips) =>
        throw new ArgumentOutOfRangeException(nameof(feePips), feePips, "the fee must be below 1e6 pips");
}
