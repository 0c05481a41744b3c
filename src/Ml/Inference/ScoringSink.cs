using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Inference;

/// <summary>
/// Scores of every candidate, written on the strategy thread by <see cref="ScoringSink"/>: the latest probability and
/// the frame count per candidate. Others read approximate values.
/// </summary>
public sealed class CandidateScores
{
    private readonly ScorerSimd _scorer;
    private readonly ScorerState[] _states;

    public CandidateScores(ScorerModel model, int candidates)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        _scorer = new ScorerSimd(model);
        _states = [.. Enumerable.Range(0, candidates).Select(_ => new ScorerState(model))];
        Latest = new float[candidates];
        Array.Fill(Latest, float.NaN);
    }

    /// <summary>The latest probability of each candidate (NaN before its first frame).</summary>
    public float[] Latest { get; }

    public long Scored { get; private set; }

    internal void Score(int candidate, in FeatureFrame frame)
    {
        if ((uint)candidate >= (uint)_states.Length)
        {
            return;
        }

        Latest[candidate] = _scorer.Step(_states[candidate], in frame);
        Scored++;
    }

    /// <summary>Starts a candidate's state over (its book resynced, or a new session).</summary>
    public void Reset(int candidate) => _states[candidate].Reset();
}

/// <summary>
/// The scorer behind <see cref="FeatureStrategyHandler{TSink}"/>: every frame advances its candidate's state by one step of
/// <see cref="ScorerSimd"/>. Strategy thread; allocation-free.
/// </summary>
public readonly struct ScoringSink(CandidateScores scores) : IFeatureSink
{
    public CandidateScores Scores => scores;

    public void OnFrame(int candidate, in MarketObservation observation, in FeatureFrame frame) => scores.Score(candidate, in frame);
}
