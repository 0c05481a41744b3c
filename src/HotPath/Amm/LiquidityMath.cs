namespace LowLatency.HotPath.Amm;

/// <summary>Uniswap's <c>LiquidityMath</c>. Pure, allocation-free.</summary>
public static class LiquidityMath
{
    /// <summary>
    /// LiquidityMath.addDelta: <paramref name="x"/> + <paramref name="y"/> in uint128. Returns
    /// <see cref="V3Status.LiquiditySub"/> ('LS') on underflow and <see cref="V3Status.LiquidityAdd"/> ('LA') on overflow.
    /// </summary>
    public static V3Status AddDelta(UInt128 x, Int128 y, out UInt128 z)
    {
        if (y < 0)
        {
            // uint128(-y) of int128.min is 2^127, which is what the EVM's wrapping negation gives too.
            z = unchecked(x - (UInt128)(-y));
            return z < x ? V3Status.Ok : V3Status.LiquiditySub;
        }

        z = unchecked(x + (UInt128)y);
        return z >= x ? V3Status.Ok : V3Status.LiquidityAdd;
    }
}
