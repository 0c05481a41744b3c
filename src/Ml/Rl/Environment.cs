namespace LowLatency.Ml.Rl;

/// <summary>The outcome of one environment step: the reward for it and whether the episode ended (terminated) or was cut (truncated).</summary>
public readonly record struct EnvStep(double Reward, bool Terminated, bool Truncated)
{
    public bool Done => Terminated || Truncated;
}

/// <summary>
/// A single-agent environment with a flat float observation. Discrete environments read the action index from
/// <c>action[0]</c>; continuous ones read <see cref="ActionDims"/> values. Implementations keep their own step counter and
/// truncate themselves (gymnasium's TimeLimit), and draw their start states from the <see cref="Random"/> given to
/// <see cref="Reset"/>, so a seed fixes every episode.
/// </summary>
public interface IRlEnvironment
{
    int ObservationSize { get; }

    /// <summary>Number of discrete actions, or 0 for a continuous action space.</summary>
    int ActionCount { get; }

    /// <summary>Continuous action dimensions (1 for a discrete environment: the index).</summary>
    int ActionDims { get; }

    /// <summary>Lowest and highest valid continuous action (the environment clips to them).</summary>
    double ActionLow { get; }

    double ActionHigh { get; }

    void Reset(Random random, Span<float> observation);

    /// <summary>Applies <paramref name="action"/> and writes the next observation.</summary>
    EnvStep Step(ReadOnlySpan<float> action, Span<float> observation);
}
