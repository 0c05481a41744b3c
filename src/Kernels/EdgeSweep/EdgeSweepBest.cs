namespace LowLatency.Kernels.EdgeSweep;

/// <summary>
/// Best ordered venue pair per instrument by net edge, read from a sweep's output. Scalar: one pass
/// over the sweep's output, a fraction of the sweep's own cost. Any thread; never allocates.
/// </summary>
public static class EdgeSweepBest
{
    /// <summary>
    /// For each instrument writes the output slot of its highest net edge (ties: lowest slot) and that
    /// edge, or −1 and <see cref="EdgeSweepLimits.NoEdge"/> when it has no usable pair.
    /// </summary>
    public static EdgeSweepStatus Reduce(
        EdgeSweepShape shape,
        ReadOnlySpan<double> netBps,
        Span<int> bestSlot,
        Span<double> bestNetBps)
    {
        if (!shape.IsValid)
        {
            return EdgeSweepStatus.InvalidShape;
        }

        if (netBps.Length < shape.PairSlotCount)
        {
            return EdgeSweepStatus.InputTooShort;
        }

        if (bestSlot.Length < shape.InstrumentCount || bestNetBps.Length < shape.InstrumentCount)
        {
            return EdgeSweepStatus.OutputTooShort;
        }

        int block = shape.VenueCount * shape.VenueCount;
        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            ReadOnlySpan<double> slots = netBps.Slice(i * block, block);
            int best = -1;
            double bestNet = EdgeSweepLimits.NoEdge;
            for (int p = 0; p < slots.Length; p++)
            {
                // NoEdge never wins; a NaN (impossible from a sweep) would be skipped too.
                if (slots[p] > bestNet)
                {
                    bestNet = slots[p];
                    best = (i * block) + p;
                }
            }

            bestSlot[i] = best;
            bestNetBps[i] = bestNet;
        }

        return EdgeSweepStatus.Ok;
    }
}
