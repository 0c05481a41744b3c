using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>
/// The mutable scalar state of a Uniswap V3 pool: slot0's price, tick and protocol fee, the in-range liquidity and
/// the global fee growth. Unmanaged, so a log-driven state machine can keep it in preallocated arrays, copy it for a
/// rollback, and set it straight from a Swap log (which carries sqrtPriceX96, liquidity and tick).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct V3PoolState
{
    /// <summary>slot0.sqrtPriceX96 (a uint160); zero before initialize().</summary>
    public UInt256 SqrtPriceX96 { get; set; }

    /// <summary>slot0.tick.</summary>
    public int Tick { get; set; }

    /// <summary>The in-range liquidity (uint128).</summary>
    public UInt128 Liquidity { get; set; }

    public UInt256 FeeGrowthGlobal0X128 { get; set; }

    public UInt256 FeeGrowthGlobal1X128 { get; set; }

    /// <summary>slot0.feeProtocol: token0's denominator in the low 4 bits, token1's in the high 4 (0 = off).</summary>
    public byte FeeProtocol { get; set; }

    public UInt128 ProtocolFees0 { get; set; }

    public UInt128 ProtocolFees1 { get; set; }

    /// <summary>True once the pool has a price (the contract's slot0.unlocked outside a call).</summary>
    public readonly bool IsInitialized => !SqrtPriceX96.IsZero;
}

/// <summary>
/// The outcome of a V3 swap, in the contract's terms: the pool's signed deltas (positive = paid into the pool) and
/// its state after the swap.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct V3SwapResult
{
    /// <summary>Token0 delta of the pool (positive: the swapper pays it in).</summary>
    public Int256 Amount0 { get; init; }

    /// <summary>Token1 delta of the pool.</summary>
    public Int256 Amount1 { get; init; }

    public UInt256 SqrtPriceX96 { get; init; }

    public int Tick { get; init; }

    public UInt128 Liquidity { get; init; }

    /// <summary>The input token's feeGrowthGlobalX128 after the swap.</summary>
    public UInt256 FeeGrowthGlobalX128 { get; init; }

    /// <summary>Protocol fee taken from the input token.</summary>
    public UInt128 ProtocolFee { get; init; }

    /// <summary>Initialized ticks crossed.</summary>
    public int TicksCrossed { get; init; }

    /// <summary>Loop iterations (one per tick-bitmap word or initialized tick reached, plus the last).</summary>
    public int Steps { get; init; }
}
