namespace LowLatency.HotPath.Amm;

/// <summary>
/// Outcome of a Uniswap V3 operation. Everything except <see cref="Ok"/> is a place where the pool contract reverts
/// (its revert string, where it has one, is given by <see cref="V3StatusText.RevertReason"/>), except
/// <see cref="TickDataMissing"/>, which says our copy of the pool does not know the ticks the swap would walk into.
/// </summary>
public enum V3Status : byte
{
    Ok = 0,

    /// <summary>'AS': amountSpecified is zero.</summary>
    AmountSpecifiedZero,

    /// <summary>'SPL': the price limit is on the wrong side of the price or outside (MIN_SQRT_RATIO, MAX_SQRT_RATIO).</summary>
    PriceLimit,

    /// <summary>'LOK': the pool is not initialized (slot0.unlocked is false).</summary>
    Locked,

    /// <summary>'T': |tick| is above MAX_TICK.</summary>
    TickOutOfRange,

    /// <summary>'R': sqrtPriceX96 is outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO).</summary>
    SqrtPriceOutOfRange,

    /// <summary>'LS': liquidity would go below zero.</summary>
    LiquiditySub,

    /// <summary>'LA': liquidity would overflow uint128.</summary>
    LiquidityAdd,

    /// <summary>'LO': a tick's gross liquidity would exceed maxLiquidityPerTick.</summary>
    LiquidityOverflowPerTick,

    /// <summary>'TLU': tickLower is not below tickUpper.</summary>
    TickLowerNotBelowUpper,

    /// <summary>'TLM': tickLower is below MIN_TICK.</summary>
    TickLowerTooLow,

    /// <summary>'TUM': tickUpper is above MAX_TICK.</summary>
    TickUpperTooHigh,

    /// <summary>A tick that is not a multiple of the tick spacing (TickBitmap.flipTick's require; no message).</summary>
    TickNotSpaced,

    /// <summary>Mint of zero liquidity (require(amount &gt; 0); no message).</summary>
    ZeroLiquidity,

    /// <summary>initialize() on a pool that already has a price (no message).</summary>
    AlreadyInitialized,

    /// <summary>
    /// An unnamed arithmetic require: SafeCast, LowGasSafeMath, FullMath (zero denominator or a result of 2^256 or
    /// more) or SqrtPriceMath's bounds.
    /// </summary>
    MathOverflow,

    /// <summary>Not a revert: the swap reaches tick-bitmap words or ticks this copy of the pool has not loaded.</summary>
    TickDataMissing,
}

/// <summary>Texts for <see cref="V3Status"/>. Allocation-free (constant strings).</summary>
public static class V3StatusText
{
    /// <summary>The pool's revert string ('SPL', 'LS', ...), or a short description where the contract has none.</summary>
    public static string RevertReason(V3Status status) => status switch
    {
        V3Status.Ok => "ok",
        V3Status.AmountSpecifiedZero => "AS",
        V3Status.PriceLimit => "SPL",
        V3Status.Locked => "LOK",
        V3Status.TickOutOfRange => "T",
        V3Status.SqrtPriceOutOfRange => "R",
        V3Status.LiquiditySub => "LS",
        V3Status.LiquidityAdd => "LA",
        V3Status.LiquidityOverflowPerTick => "LO",
        V3Status.TickLowerNotBelowUpper => "TLU",
        V3Status.TickLowerTooLow => "TLM",
        V3Status.TickUpperTooHigh => "TUM",
        V3Status.TickNotSpaced => "tick not a multiple of tickSpacing",
        V3Status.ZeroLiquidity => "zero liquidity",
        V3Status.AlreadyInitialized => "already initialized",
        V3Status.MathOverflow => "arithmetic overflow",
        V3Status.TickDataMissing => "tick data not loaded",
        _ => "unknown",
    };

    /// <summary>True for outcomes where the real pool reverts (everything but Ok and TickDataMissing).</summary>
    public static bool IsRevert(V3Status status) => status is not (V3Status.Ok or V3Status.TickDataMissing);
}
