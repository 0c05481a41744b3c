using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Agents;

/// <summary>
/// A desk as a PPO environment over one segment [from, to) of its timeline (the walk-forward training part): an
/// episode starts at a step drawn from the seeded <see cref="Random"/> and runs <see cref="EpisodeSteps"/> steps.
/// Observation: the desk's features, then the five shared signals (<see cref="SignalBoard.Read"/>). Reward: the
/// risk-adjusted P&amp;L after every cost (<see cref="AgentDesk.Reward"/>).
/// </summary>
public sealed class AgentEnvironment : IRlEnvironment
{
    public const int EpisodeSteps = 256;
    private readonly AgentDesk _desk;
    private readonly SignalBoard _board;
    private readonly int _from;
    private readonly int _to;
    private int _t;
    private int _end;
    private float _ownLast;

    public AgentEnvironment(AgentDesk desk, SignalBoard board, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(desk);
        ArgumentNullException.ThrowIfNull(board);
        from = Math.Max(from, desk.Warmup);
        to = Math.Min(to, desk.Length);
        if (to - from < EpisodeSteps + 1)
        {
            throw new ArgumentException($"{desk.Name}: the segment [{from}, {to}) is shorter than an episode ({EpisodeSteps} steps)");
        }

        _desk = desk;
        _board = board;
        _from = from;
        _to = to;
    }

    public int ObservationSize => _desk.FeatureCount + AgentDesk.Agents;

    public int ActionCount => _desk.ActionCount;

    public int ActionDims => 1;

    public double ActionLow => 0;

    public double ActionHigh => _desk.ActionCount - 1;

    public void Reset(Random random, Span<float> observation)
    {
        ArgumentNullException.ThrowIfNull(random);
        _t = _from + random.Next(_to - _from - EpisodeSteps);
        _end = _t + EpisodeSteps;
        _ownLast = 0;
        _desk.ResetState();
        Observe(observation);
    }

    public EnvStep Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        int a = Math.Clamp((int)action[0], 0, _desk.ActionCount - 1);
        double pnl = _desk.Act(_t, a, 1);
        _ownLast = _desk.Signal(_t, a);
        _t++;
        Observe(observation);
        return new EnvStep(_desk.Reward(pnl), false, _t >= _end);
    }

    private void Observe(Span<float> observation) => Observation(_desk, _board, _t, _ownLast, observation);

    /// <summary>The observation an agent trains on at <paramref name="t"/>: the desk's features, then the shared signals.</summary>
    public static void Observation(AgentDesk desk, SignalBoard board, int t, float ownLast, Span<float> observation)
    {
        ArgumentNullException.ThrowIfNull(desk);
        ArgumentNullException.ThrowIfNull(board);
        desk.Features(t, observation[..desk.FeatureCount]);
        board.Read(t, desk.Id, ownLast, observation[desk.FeatureCount..]);
    }
}
