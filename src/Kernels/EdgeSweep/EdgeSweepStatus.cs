namespace LowLatency.Kernels.EdgeSweep;

/// <summary>
/// Outcome of a sweep. On anything but <see cref="Ok"/> every slot of both output spans holds
/// <see cref="EdgeSweepLimits.NoEdge"/>, so a caller that ignores the status never trades on garbage — but those slots
/// mean "not evaluated", not "no edge": the strategy's view (<see cref="LowLatency.HotPath.Strategy.IEdgeSweeper"/>)
/// returns false, and the edge stage counts it and evaluates instrument by instrument instead.
/// </summary>
public enum EdgeSweepStatus
{
    Ok = 0,

    /// <summary>Negative counts, more than <see cref="EdgeSweepLimits.MaxVenues"/> venues, or too many slots.</summary>
    InvalidShape,

    /// <summary>bid, ask or tradeable is shorter than the quote count, or takerFee than the venue count.</summary>
    InputTooShort,

    /// <summary>netBps or grossBps is shorter than the pair-slot count.</summary>
    OutputTooShort,

    /// <summary>A taker fee is NaN, infinite, or outside (−1, 1).</summary>
    InvalidFee,

    /// <summary>The shape is larger than the capacity <see cref="KernelHost"/> was built for.</summary>
    ExceedsCapacity,
}
