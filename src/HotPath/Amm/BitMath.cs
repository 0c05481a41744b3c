using System.Numerics;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>Uniswap's <c>BitMath</c> on a 256-bit word (the callers guarantee a non-zero word). Pure, allocation-free.</summary>
public static class BitMath
{
    /// <summary>Index of the highest set bit (0..255) of a non-zero word.</summary>
    public static int MostSignificantBit(UInt256 x) => x.BitLength - 1;

    /// <summary>Index of the lowest set bit (0..255) of a non-zero word.</summary>
    public static int LeastSignificantBit(UInt256 x) =>
        x.U0 != 0 ? BitOperations.TrailingZeroCount(x.U0) :
        x.U1 != 0 ? 64 + BitOperations.TrailingZeroCount(x.U1) :
        x.U2 != 0 ? 128 + BitOperations.TrailingZeroCount(x.U2) :
        192 + BitOperations.TrailingZeroCount(x.U3);
}
