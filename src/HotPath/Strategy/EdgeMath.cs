using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Strategy;

/// <summary>The edge formula, in one place for the incremental path; the kernels' scalar reference is bound to it by a parity test.</summary>
public static class EdgeMath
{
    /// <summary>What a pair with no edge holds (unusable quote, same venue): below every threshold, no special case needed.</summary>
    public const double NoEdge = double.NegativeInfinity;

    /// <summary>Prices outside [1e-15, 1e15] are treated as unusable (zero, negative, NaN, infinite); inside it every edge is finite.</summary>
    public const double MinUsablePrice = 1e-15;

    public const double MaxUsablePrice = 1e15;

    /// <summary>A quote side takes part in edges only when its book is tradeable and its price is in range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUsablePrice(bool tradeable, double price) => tradeable && price >= MinUsablePrice && price <= MaxUsablePrice;

    /// <summary>(sellBid − buyAsk) / buyAsk × 10⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GrossBps(double buyAsk, double sellBid) => (sellBid - buyAsk) / buyAsk * 10_000d;

    /// <summary>(sellBid·(1 − sellFee) − buyAsk·(1 + buyFee)) / buyAsk × 10⁴; fees are fractions (0.001 = 10 bps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NetBps(double buyAsk, double sellBid, double buyFee, double sellFee) =>
        ((sellBid * (1d - sellFee)) - (buyAsk * (1d + buyFee))) / buyAsk * 10_000d;
}
