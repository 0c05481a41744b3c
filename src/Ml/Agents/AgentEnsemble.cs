using System.Text.Json;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Agents;

/// <summary>Whether an agent's decision is acted on.</summary>
public enum AgentMode : byte
{
    /// <summary>Agents off (<c>--no-ai</c>, <c>ENABLE_RL_AGENTS=false</c>, or no models): rules decide and act.</summary>
    Off = 0,

    /// <summary>The agent decides and is logged; its rule acts.</summary>
    Shadow = 1,

    /// <summary>The agent acts: its manifest says it beat its baseline out of sample.</summary>
    Active = 2,
}

/// <summary>
/// The five agents as one decision per tick on the strategy thread: the four specialists decide on their observations
/// (features then the shared signals, written by the caller into <see cref="Observations"/>), then the risk manager
/// decides last on its own; each acted decision is the agent's where its mode is <see cref="AgentMode.Active"/> and the
/// rule's otherwise, and the acted scale (the risk manager's, or its rule's) multiplies every acted proposal: it can only
/// shrink or veto. What is acted then passes the engine's RiskGate (the caller's). Greedy forward passes through
/// <see cref="PolicySimd"/>; no allocation after construction. The weights are a snapshot unless a caller replaces them
/// between decisions (<see cref="Replace"/>: the replay's online learning). One instance per thread.
/// </summary>
public sealed class AgentEnsemble
{
    public const int Count = AgentDesk.Agents;
    public const int RiskManager = 4;
    private readonly PolicySimd[] _policies;
    private readonly PolicyWeights[] _weights;
    private readonly float[] _logits;
    private readonly long[] _decisions = new long[Count];
    private readonly long[] _disagreements = new long[Count];

    public AgentEnsemble(IReadOnlyList<PolicyWeights> policies, IReadOnlyList<bool> beatsBaseline, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(beatsBaseline);
        if (policies.Count != Count || beatsBaseline.Count != Count)
        {
            throw new ArgumentException($"the ensemble needs {Count} policies and verdicts, got {policies.Count} and {beatsBaseline.Count}");
        }

        _policies = new PolicySimd[Count];
        _weights = [.. policies];
        Observations = new float[Count][];
        Modes = new AgentMode[Count];
        int widest = 1;
        for (int i = 0; i < Count; i++)
        {
            _policies[i] = new PolicySimd(policies[i]);
            Observations[i] = new float[policies[i].Observations];
            Modes[i] = !enabled ? AgentMode.Off : beatsBaseline[i] ? AgentMode.Active : AgentMode.Shadow;
            widest = Math.Max(widest, policies[i].Actions);
        }

        _logits = new float[widest];
    }

    /// <summary>Per agent (index = id − 1), the observation the caller fills before <see cref="DecideSpecialists"/> / <see cref="DecideRisk"/>.</summary>
    public float[][] Observations { get; }

    public AgentMode[] Modes { get; }

    /// <summary>The agents' own decisions of the last call (−1 while off).</summary>
    public int[] AgentActions { get; } = [-1, -1, -1, -1, -1];

    /// <summary>The rules' decisions, written by the caller.</summary>
    public int[] RuleActions { get; } = new int[Count];

    /// <summary>What is acted on, per agent.</summary>
    public int[] ActedActions { get; } = new int[Count];

    /// <summary>
    /// Per agent, its out-of-sample evaluation (from its manifest); where given, an active agent's live steps
    /// (<see cref="OnLiveStep"/>) are held to it by a <see cref="DriftDetector"/>.
    /// </summary>
    public AgentEvaluation?[] Evaluations { get; } = new AgentEvaluation?[Count];

    /// <summary>Per agent, its drift detector once it has had a live step while active (null before).</summary>
    public DriftDetector?[] Drift { get; } = new DriftDetector?[Count];

    /// <summary>
    /// One live step of agent <paramref name="index"/>'s own book (its P&amp;L after costs, whether it took or held risk).
    /// Counted only while it is active; when its detector trips it returns to shadow (its rule acts again) and this
    /// returns true, once. Cold path around the step (the detector is made on the first active step).
    /// </summary>
    public bool OnLiveStep(int index, double pnl, bool active)
    {
        if (Modes[index] != AgentMode.Active || Evaluations[index] is not { } evaluation)
        {
            return false;
        }

        DriftDetector detector = Drift[index] ??= new DriftDetector(evaluation);
        if (!detector.Observe(pnl, active))
        {
            return false;
        }

        Modes[index] = AgentMode.Shadow;
        return true;
    }

    /// <summary>Agent <paramref name="index"/>'s current weights (read only: <see cref="Replace"/> changes them).</summary>
    public PolicyWeights WeightsOf(int index) => _weights[index];

    /// <summary>
    /// Online learning: agent <paramref name="index"/> decides with <paramref name="weights"/> from its next decision on
    /// (same shape as before). Between decisions, never during one; allocates (the SIMD layout is rebuilt).
    /// </summary>
    public void Replace(int index, PolicyWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        PolicyWeights old = _weights[index];
        if (weights.Observations != old.Observations || weights.Actions != old.Actions || weights.Continuous != old.Continuous)
        {
            throw new ArgumentException($"agent {index + 1}: new weights take {weights.Observations} inputs to {weights.Actions} actions, not {old.Observations} to {old.Actions}", nameof(weights));
        }

        _policies[index] = new PolicySimd(weights);
        _weights[index] = weights;
    }

    /// <summary>Decisions the agent made (in shadow or active).</summary>
    public long Decisions(int index) => Volatile.Read(ref _decisions[index]);

    /// <summary>Decisions where the agent and its rule differed.</summary>
    public long Disagreements(int index) => Volatile.Read(ref _disagreements[index]);

    /// <summary>Clears the decision counts (after a start-up warm-up, before the strategy thread starts).</summary>
    public void ResetCounts()
    {
        Array.Clear(_decisions);
        Array.Clear(_disagreements);
    }

    /// <summary>The four specialists (indices 0..3) decide; the acted actions follow their modes.</summary>
    public void DecideSpecialists()
    {
        for (int i = 0; i < RiskManager; i++)
        {
            Decide(i);
        }
    }

    /// <summary>The risk manager decides last (its observation holds the specialists' acted proposals).</summary>
    public void DecideRisk() => Decide(RiskManager);

    private void Decide(int i)
    {
        if (Modes[i] == AgentMode.Off)
        {
            AgentActions[i] = -1;
            ActedActions[i] = RuleActions[i];
            return;
        }

        int a = _policies[i].Greedy(Observations[i], _logits.AsSpan(0, _policies[i].Actions));
        AgentActions[i] = a;
        _decisions[i]++;
        _disagreements[i] += a != RuleActions[i] ? 1 : 0;
        ActedActions[i] = Modes[i] == AgentMode.Active ? a : RuleActions[i];
    }

    /// <summary>
    /// Loads <c>agent_1..5.policy.bin</c> and their manifests from <paramref name="folder"/>. Null with one line in
    /// <paramref name="problem"/> when a file is missing or damaged (the engine then runs the rules).
    /// </summary>
    public static AgentEnsemble? Load(string folder, bool enabled, out string? problem)
    {
        problem = null;
        var policies = new PolicyWeights[Count];
        var beats = new bool[Count];
        var evaluations = new AgentEvaluation?[Count];
        for (int id = 1; id <= Count; id++)
        {
            string stem = Path.Combine(folder, $"agent_{id}");
            try
            {
                policies[id - 1] = PolicyFile.Read(stem + ".policy.bin");
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(stem + ".manifest.json"));
                if (!doc.RootElement.TryGetProperty("beatsBaselineOutOfSample", out JsonElement b) || b.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problem = $"{stem}.manifest.json: no beatsBaselineOutOfSample verdict";
                    return null;
                }

                beats[id - 1] = MayAct(doc.RootElement);
                evaluations[id - 1] = EvaluationOf(doc.RootElement);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException)
            {
                problem = $"agent {id}: {e.Message}";
                return null;
            }
        }

        var ensemble = new AgentEnsemble(policies, beats, enabled);
        evaluations.CopyTo(ensemble.Evaluations, 0);
        return ensemble;
    }

    /// <summary>
    /// Whether a manifest lets its agent act: it beat its baseline out of sample on the 70/30 split
    /// (<c>beatsBaselineOutOfSample</c>) and, where a walk-forward was run (<c>walkForward</c>), there too. A walk-forward
    /// without a true/false verdict counts as not beaten.
    /// </summary>
    public static bool MayAct(JsonElement manifest)
    {
        if (!manifest.TryGetProperty("beatsBaselineOutOfSample", out JsonElement split) || split.ValueKind != JsonValueKind.True)
        {
            return false;
        }

        return !manifest.TryGetProperty("walkForward", out JsonElement walk)
            || (walk.ValueKind == JsonValueKind.Object && walk.TryGetProperty("beatsBaseline", out JsonElement w) && w.ValueKind == JsonValueKind.True);
    }

    /// <summary><c>metrics.test</c> of a manifest; null when absent or not numbers (an agent without it is never held to one).</summary>
    private static AgentEvaluation? EvaluationOf(JsonElement manifest)
    {
        if (!manifest.TryGetProperty("metrics", out JsonElement metrics) || metrics.ValueKind != JsonValueKind.Object
            || !metrics.TryGetProperty("test", out JsonElement test) || test.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        static bool Number(JsonElement o, string name, out double value)
        {
            value = 0;
            return o.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out value) && double.IsFinite(value);
        }

        if (!Number(test, "pnl", out double pnl) || !Number(test, "winRate", out double win) || win is < 0 or > 1
            || !Number(test, "maxDrawdown", out double dd) || dd < 0 || !Number(test, "activeSteps", out double activeSteps) || activeSteps < 0
            || !Number(test, "steps", out double steps) || steps < 0)
        {
            return null;
        }

        return new AgentEvaluation(pnl, win, dd, (int)Math.Min(activeSteps, int.MaxValue), (int)Math.Min(steps, int.MaxValue));
    }

    /// <summary>Agents run unless <c>--no-ai</c> or <c>ENABLE_RL_AGENTS</c> is false/0/no/off.</summary>
    public static bool Enabled(bool noAi, string? enableRlAgents) =>
        !noAi && enableRlAgents?.Trim().ToLowerInvariant() is not ("false" or "0" or "no" or "off");
}
