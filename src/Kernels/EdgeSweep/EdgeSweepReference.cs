namespace LowLatency.Kernels.EdgeSweep;

/// <summary>
/// The scalar reference sweep: the formula exactly as written in DESIGN.md, one pair at a time.
/// It is the parity oracle for <see cref="EdgeSweepSimd"/> and <see cref="EdgeSweepKernel"/> and the
/// benchmark baseline. Any thread (no shared state); never allocates.
/// </summary>
public static class EdgeSweepReference
{
    /// <summary>
    /// For every instrument and ordered venue pair (buy at b's ask, sell at s's bid):
    /// gross = (bid[s] − ask[b]) / ask[b] × 1e4 and
    /// net = (bid[s]·(1 − fee[s]) − ask[b]·(1 + fee[b])) / ask[b] × 1e4, or <see cref="EdgeSweepLimits.NoEdge"/>.
    /// </summary>
    public static EdgeSweepStatus Sweep(
        EdgeSweepShape shape,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps)
    {
        var status = EdgeSweepLimits.Validate(shape, bid, ask, tradeable, takerFee, netBps, grossBps);
        if (status != EdgeSweepStatus.Ok)
        {
            return status;
        }

        int venues = shape.VenueCount;
        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            for (int b = 0; b < venues; b++)
            {
                for (int s = 0; s < venues; s++)
                {
                    int p = shape.PairIndex(i, b, s);
                    PairEdge(shape, i, b, s, bid, ask, tradeable, takerFee, out netBps[p], out grossBps[p]);
                }
            }
        }

        return EdgeSweepStatus.Ok;
    }

    private static void PairEdge(
        EdgeSweepShape shape,
        int instrument,
        int buyVenue,
        int sellVenue,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        out double net,
        out double gross)
    {
        net = EdgeSweepLimits.NoEdge;
        gross = EdgeSweepLimits.NoEdge;
        if (buyVenue == sellVenue)
        {
            return;
        }

        int qb = shape.QuoteIndex(instrument, buyVenue);
        int qs = shape.QuoteIndex(instrument, sellVenue);
        if (!EdgeSweepLimits.IsUsablePrice(tradeable[qb], ask[qb]) || !EdgeSweepLimits.IsUsablePrice(tradeable[qs], bid[qs]))
        {
            return;
        }

        double buy = ask[qb];
        double sell = bid[qs];
        gross = (sell - buy) / buy * EdgeSweepLimits.BpsPerUnit;
        net = ((sell * (1 - takerFee[sellVenue])) - (buy * (1 + takerFee[buyVenue]))) / buy * EdgeSweepLimits.BpsPerUnit;
    }
}
