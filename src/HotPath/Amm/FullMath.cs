using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Amm;

/// <summary>
/// Uniswap's <c>FullMath</c> and <c>UnsafeMath</c>: multiply-then-divide with a 512-bit intermediate. A <c>false</c>
/// return is where the contract reverts (zero denominator, or a result of 2^256 or more). Pure, allocation-free, any thread.
/// </summary>
public static class FullMath
{
    /// <summary>2^96 (FixedPoint96.Q96).</summary>
    public static readonly UInt256 Q96 = UInt256.One << 96;

    /// <summary>2^128 (FixedPoint128.Q128).</summary>
    public static readonly UInt256 Q128 = UInt256.One << 128;

    /// <summary>FullMath.mulDiv: floor(a × b / denominator).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryMulDiv(UInt256 a, UInt256 b, UInt256 denominator, out UInt256 result) =>
        UInt256.TryMulDiv(a, b, denominator, out result);

    /// <summary>FullMath.mulDivRoundingUp: ceil(a × b / denominator).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryMulDivRoundingUp(UInt256 a, UInt256 b, UInt256 denominator, out UInt256 result) =>
        UInt256.TryMulDivRoundingUp(a, b, denominator, out result);

    /// <summary>
    /// UnsafeMath.divRoundingUp: ceil(x / y). Like the EVM's DIV and MOD, a zero divisor gives 0 instead of reverting;
    /// every caller in the pool has already required a non-zero divisor.
    /// </summary>
    public static UInt256 DivRoundingUp(UInt256 x, UInt256 y)
    {
        if (y.IsZero)
        {
            return UInt256.Zero;
        }

        UInt256 quotient = UInt256.DivRem(x, y, out UInt256 remainder);
        return remainder.IsZero ? quotient : quotient + UInt256.One;
    }

    /// <summary>Solidity's <c>uint160(x)</c>: keeps the low 160 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 TruncateToUInt160(UInt256 x) => new(x.U0, x.U1, x.U2 & 0xFFFF_FFFFUL);

    /// <summary>SafeCast.toUint160: false if <paramref name="x"/> does not fit in 160 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool FitsInUInt160(UInt256 x) => x.U3 == 0 && (x.U2 >> 32) == 0;
}
