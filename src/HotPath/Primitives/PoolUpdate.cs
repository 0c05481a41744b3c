using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Primitives;

/// <summary>What a <see cref="TickKind.Pool"/> event carries.</summary>
public enum PoolUpdateKind : byte
{
    None = 0,

    /// <summary>A V2 pair's reserves (a Sync log or a snapshot).</summary>
    V2Reserves = 1,

    /// <summary>A V3 pool's price, tick and in-range liquidity after a Swap/Mint/Burn (or a snapshot).</summary>
    V3State = 2,

    /// <summary>A chain's gas at a block: base fee and tip (from <c>newHeads</c>), the rollup's L1 data fee.</summary>
    ChainGas = 3,
}

/// <summary>
/// The payload of a <see cref="TickKind.Pool"/> market-ring event, laid over the slot's <see cref="TickEvent.Levels"/>
/// (256 bytes; a test pins that this fits), so the ring keeps one slot type and one consumer. <see cref="Pool"/> is the strategy's pool
/// id (the order the host configured pools in) or, for <see cref="PoolUpdateKind.ChainGas"/>, the graph's chain index.
/// Limbs are spelt out (no <see cref="UInt128"/>) so the layout needs only 8-byte alignment. Written by a producer,
/// validated and applied by the strategy thread (<c>PoolEventApplier</c>); a bad one is a counted drop there.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct PoolUpdate
{
    public PoolUpdateKind Kind;
    public int Pool;

    /// <summary>Block the state is as of.</summary>
    public long Block;

    /// <summary>V2 reserve0, V3 sqrtPriceX96, or gas: base fee in wei per gas.</summary>
    public UInt256 A;

    /// <summary>V2 reserve1, or gas: priority fee (tip) in wei per gas.</summary>
    public UInt256 B;

    /// <summary>V3 in-range liquidity, low and high limbs of the uint128.</summary>
    public ulong LiquidityLow;
    public ulong LiquidityHigh;

    /// <summary>V3 current tick.</summary>
    public int Tick;

    /// <summary>Gas: the rollup's L1 data fee of one of our transactions, wei of the native token (0 on an L1).</summary>
    public double L1DataFeeWei;

    /// <summary>Gas: Aave's FLASHLOAN_PREMIUM_TOTAL in bps as read on-chain (negative: not read, keep the last).</summary>
    public double FlashLoanPremiumBps;

    /// <summary>The payload of <paramref name="slot"/> (only meaningful when its kind is <see cref="TickKind.Pool"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref PoolUpdate Of(ref TickEvent slot) => ref Unsafe.As<LevelBuffer, PoolUpdate>(ref slot.Levels);

    public readonly UInt128 Liquidity => new(LiquidityHigh, LiquidityLow);

    /// <summary>Marks <paramref name="slot"/> as a one-slot pool event and returns its payload to fill.</summary>
    public static ref PoolUpdate Begin(ref TickEvent slot, PoolUpdateKind kind, int pool, long block)
    {
        slot.Kind = TickKind.Pool;
        slot.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        slot.Venue = default;
        slot.Instrument = default;
        slot.BidCount = 0;
        slot.AskCount = 0;
        slot.Checksum = 0;
        slot.FirstUpdateId = block;
        slot.LastUpdateId = block;
        slot.PrevUpdateId = 0;
        ref PoolUpdate u = ref Of(ref slot);
        u = default;
        u.Kind = kind;
        u.Pool = pool;
        u.Block = block;
        return ref u;
    }

    /// <summary>A V2 pair's reserves into <paramref name="slot"/>.</summary>
    public static void WriteV2(ref TickEvent slot, int pool, long block, UInt256 reserve0, UInt256 reserve1)
    {
        ref PoolUpdate u = ref Begin(ref slot, PoolUpdateKind.V2Reserves, pool, block);
        u.A = reserve0;
        u.B = reserve1;
    }

    /// <summary>A V3 pool's scalar state into <paramref name="slot"/>.</summary>
    public static void WriteV3(ref TickEvent slot, int pool, long block, UInt256 sqrtPriceX96, int tick, UInt128 liquidity)
    {
        ref PoolUpdate u = ref Begin(ref slot, PoolUpdateKind.V3State, pool, block);
        u.A = sqrtPriceX96;
        u.Tick = tick;
        u.LiquidityLow = (ulong)liquidity;
        u.LiquidityHigh = (ulong)(liquidity >> 64);
    }

    /// <summary>A chain's gas reading into <paramref name="slot"/>.</summary>
    public static void WriteGas(ref TickEvent slot, int chain, long block, UInt256 baseFeeWei, UInt256 priorityFeeWei, double l1DataFeeWei, double flashLoanPremiumBps)
    {
        ref PoolUpdate u = ref Begin(ref slot, PoolUpdateKind.ChainGas, chain, block);
        u.A = baseFeeWei;
        u.B = priorityFeeWei;
        u.L1DataFeeWei = l1DataFeeWei;
        u.FlashLoanPremiumBps = flashLoanPremiumBps;
    }
}
