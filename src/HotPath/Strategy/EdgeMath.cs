using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Strategy;

/// <summary>The edge formula, in one place for the incremental path; the kernels' scalar reference is bound to it by a parity test.</summary>
public static class EdgeMath
{
    /// <summary>(sellBid − buyAsk) / buyAsk × 10⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GrossBps(double buyAsk, double sellBid) => (sellBid - buyAsk) / buyAsk * 10_000d;

    /// <summary>(sellBid·(1 − sellFee) − buyAsk·(1 + buyFee)) / buyAsk × 10⁴; fees are fractions (0.001 = 10 bps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NetBps(double buyAsk, double sellBid, double buyFee, double sellFee) =>
        ((sellBid * (1d - sellFee)) - (buyAsk * (1d + buyFee))) / buyAsk * 10_000d;
}
