using ILGPU;

namespace LowLatency.Kernels.EdgeSweep;

/// <summary>
/// The ILGPU kernel of the edge sweep: one implicitly grouped thread per output slot
/// (instrument × buy venue × sell venue), the same layout, formula and <see cref="EdgeSweepLimits.NoEdge"/>
/// rule as <see cref="EdgeSweepReference"/>. Compiled once by <see cref="KernelHost"/> at start-up; fees
/// are validated on the host before launch.
/// </summary>
public static class EdgeSweepKernel
{
    /// <summary>Kernel body; <paramref name="slot"/> ranges over the pair-slot count.</summary>
    public static void Execute(
        Index1D slot,
        ArrayView<double> bid,
        ArrayView<double> ask,
        ArrayView<byte> tradeable,
        ArrayView<double> takerFee,
        ArrayView<double> netBps,
        ArrayView<double> grossBps,
        int venueCount)
    {
        int p = slot;
        int sell = p % venueCount;
        int buyQuote = p / venueCount;             // instrument * venues + buy venue
        int buy = buyQuote % venueCount;
        int sellQuote = buyQuote - buy + sell;     // instrument * venues + sell venue

        double net = EdgeSweepLimits.NoEdge;
        double gross = EdgeSweepLimits.NoEdge;
        double a = ask[buyQuote];
        double b = bid[sellQuote];
        // Same rule as EdgeSweepLimits.IsUsablePrice, inlined for the kernel compiler.
        if (buy != sell
            && tradeable[buyQuote] != 0 && a >= EdgeSweepLimits.MinPrice && a <= EdgeSweepLimits.MaxPrice
            && tradeable[sellQuote] != 0 && b >= EdgeSweepLimits.MinPrice && b <= EdgeSweepLimits.MaxPrice)
        {
            gross = (b - a) / a * EdgeSweepLimits.BpsPerUnit;
            net = ((b * (1 - takerFee[sell])) - (a * (1 + takerFee[buy]))) / a * EdgeSweepLimits.BpsPerUnit;
        }

        netBps[p] = net;
        grossBps[p] = gross;
    }
}
