namespace LowLatency.Kernels.NegativeCycle;

/// <summary>Outcome of a relaxation. On anything but <see cref="Ok"/> the outputs are untouched and mean "not evaluated".</summary>
public enum NegativeCycleStatus
{
    Ok = 0,

    /// <summary>Rounds outside [1, <see cref="NegativeCycleLimits.MaxRounds"/>].</summary>
    InvalidRounds,

    /// <summary>The weights are fewer than the topology's edges.</summary>
    InputTooShort,

    /// <summary>distance or predecessor is shorter than the node count, or the scratch than the topology asks.</summary>
    OutputTooShort,

    /// <summary>The topology is larger than the capacity the host was built for, or none was prepared.</summary>
    ExceedsCapacity,
}

/// <summary>Constants and rules shared by every negative-cycle implementation.</summary>
public static class NegativeCycleLimits
{
    /// <summary>Most rounds per call (cycles longer than a few legs cost more gas than they make).</summary>
    public const int MaxRounds = 1024;

    /// <summary>
    /// Largest usable |weight|. A weight is −ln(rate); beyond ±1e6 the rate is a feed error. With at most
    /// <see cref="MaxRounds"/> rounds every distance stays within ±1.1e9, so no sum can overflow and no implementation
    /// needs an overflow test.
    /// </summary>
    public const double MaxWeight = 1e6;

    /// <summary>Finite and within ±<see cref="MaxWeight"/>; anything else (+∞ "no quote", NaN, −∞) is never relaxed.</summary>
    public static bool IsUsableWeight(double weight) => weight >= -MaxWeight && weight <= MaxWeight;

    /// <summary>Checks a call against a topology; the outputs are not touched on failure.</summary>
    public static NegativeCycleStatus Check(NegativeCycleTopology topology, int rounds, int weights, int distance, int predecessor)
    {
        ArgumentNullException.ThrowIfNull(topology);
        if (rounds < 1 || rounds > MaxRounds)
        {
            return NegativeCycleStatus.InvalidRounds;
        }

        if (weights < topology.EdgeCount)
        {
            return NegativeCycleStatus.InputTooShort;
        }

        if (distance < topology.NodeCount || predecessor < topology.NodeCount)
        {
            return NegativeCycleStatus.OutputTooShort;
        }

        return NegativeCycleStatus.Ok;
    }
}
