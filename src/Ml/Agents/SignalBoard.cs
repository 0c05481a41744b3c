namespace LowLatency.Ml.Agents;

/// <summary>
/// The agents' shared signals on one timeline: per step, each agent's published signal (direction × conviction, in
/// [−1, 1]; the risk manager's is its scale). Built by running each agent's policy over the whole timeline in order on
/// its own desk (the rule baselines while the agents train one at a time). An agent at step t reads the others' signals
/// of step t − 1 (they decide simultaneously); the risk manager acts last and reads step t. Agents on another timeline
/// leave their slot at 0.
/// </summary>
public sealed class SignalBoard
{
    private readonly float[] _signals;

    public SignalBoard(int length)
    {
        Length = length;
        _signals = new float[length * AgentDesk.Agents];
    }

    public int Length { get; }

    public float this[int t, int agentId] => _signals[(t * AgentDesk.Agents) + agentId - 1];

    /// <summary>Runs <paramref name="desk"/> from its start with <paramref name="policy"/> (its rule when null) and records its signals.</summary>
    public void Record(AgentDesk desk, Func<int, int>? policy = null)
    {
        ArgumentNullException.ThrowIfNull(desk);
        policy ??= desk.Rule;
        desk.ResetState();
        int n = Math.Min(desk.Length, Length);
        for (int t = 0; t < n; t++)
        {
            int a = policy(t);
            _signals[(t * AgentDesk.Agents) + desk.Id - 1] = desk.Signal(t, a);
            desk.Act(t, a, 1);
        }

        desk.ResetState();
    }

    /// <summary>Sets one slot (tests, and boards built from signals published elsewhere).</summary>
    public void Set(int t, int agentId, float signal) => _signals[(t * AgentDesk.Agents) + agentId - 1] = signal;

    /// <summary>The five slots an agent sees at <paramref name="t"/>: step t − 1's (step t for the risk manager), its own slot replaced by <paramref name="ownLast"/>.</summary>
    public void Read(int t, int agentId, float ownLast, Span<float> into)
    {
        int s = agentId == 5 ? t : t - 1;
        Share(s >= 0 && s < Length ? _signals.AsSpan(s * AgentDesk.Agents, AgentDesk.Agents) : s_none, agentId, ownLast, into);
    }

    /// <summary>The shared part of an observation from a step's five signals: one layout for training, the replay and <c>run</c>.</summary>
    public static void Share(ReadOnlySpan<float> signals, int agentId, float ownLast, Span<float> into)
    {
        signals[..AgentDesk.Agents].CopyTo(into);
        into[agentId - 1] = ownLast;
    }

    private static readonly float[] s_none = new float[AgentDesk.Agents];
}
