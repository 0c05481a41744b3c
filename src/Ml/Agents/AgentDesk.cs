namespace LowLatency.Ml.Agents;

/// <summary>
/// One agent's market: a timeline of steps, the agent's own features at a step (data up to that step only), a
/// rule-based baseline and the realised P&amp;L of an action after every cost. A desk keeps its trading state
/// (positions, the last outcome); <see cref="ResetState"/> clears it. Discrete actions; 0 is always "do nothing".
/// Cold path: environments, evaluation and the signal board.
/// </summary>
public abstract class AgentDesk
{
    /// <summary>Agents that publish a signal (the risk manager's slot is the last).</summary>
    public const int Agents = 5;

    /// <summary>Downside weight of the risk-adjusted reward: a loss counts 1.5 times.</summary>
    public const double LossAversion = 0.5;

    /// <summary>1..5.</summary>
    public abstract int Id { get; }

    public abstract string Name { get; }

    /// <summary>Steps on the timeline.</summary>
    public abstract int Length { get; }

    /// <summary>The first step with enough history for the features.</summary>
    public virtual int Warmup => 20;

    public abstract int FeatureCount { get; }

    public abstract int ActionCount { get; }

    /// <summary>Steps per year of the timeline (annualises the Sharpe ratio).</summary>
    public abstract double StepsPerYear { get; }

    /// <summary>USD that one unit of reward stands for.</summary>
    public abstract double RewardScale { get; }

    /// <summary>What the timeline and the costs are, for the manifest.</summary>
    public abstract string Description { get; }

    public abstract IReadOnlyList<string> DataFiles { get; }

    /// <summary>Notional (USD) the last <see cref="Act"/> traded.</summary>
    public double LastNotional { get; protected set; }

    /// <summary>Whether the last <see cref="Act"/> took or held risk (counts for the win rate).</summary>
    public bool LastActive { get; protected set; }

    public abstract void ResetState();

    public abstract void Features(int t, Span<float> features);

    /// <summary>The rule-based baseline's action at <paramref name="t"/>.</summary>
    public abstract int Rule(int t);

    /// <summary>Applies <paramref name="action"/> at step <paramref name="t"/> sized by <paramref name="scale"/> (the risk manager's) and returns the realised P&amp;L in USD after every cost.</summary>
    public abstract double Act(int t, int action, double scale);

    /// <summary>The signal this agent publishes for an action: direction × conviction in [−1, 1].</summary>
    public abstract float Signal(int t, int action);

    /// <summary>Risk-adjusted reward of a step's P&amp;L: losses weigh (1 + <see cref="LossAversion"/>).</summary>
    public double Reward(double pnl) => (pnl < 0 ? pnl * (1 + LossAversion) : pnl) / RewardScale;

    protected static float Clip(double v, double limit = 5) => (float)Math.Clamp(double.IsFinite(v) ? v : 0, -limit, limit);
}
