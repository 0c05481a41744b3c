using LowLatency.Ml.Agents;
using LowLatency.Ml.Cli;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Tests.Agents;

/// <summary>Online learning in the replay: only active agents learn, from their own weights, at each interval, seeded; a drifted agent stops; the CLI's refusals.</summary>
public sealed class OnlineLearningTests
{
    private static readonly OnlineLearning s_quick = new(Interval: 512, Steps: 2048);

    private static AgentEnsemble CrossChainActive() => new(EnsembleTests.Policies(), [false, true, false, false, false], enabled: true);

    private static int Steps(AgentSet set)
    {
        (_, int split, int to) = set.Segments(1);
        (_, int crossSplit, int crossTo) = set.Segments(2);
        return Math.Min(to - split, crossTo - crossSplit);
    }

    [Fact]
    public void Only_the_active_agent_is_fine_tuned_from_its_own_weights_at_each_interval_and_a_seed_repeats_it()
    {
        TorchFixture.Ensure();
        AgentSet set = AgentData.Set;
        AgentEnsemble a = CrossChainActive();
        PolicyWeights[] before = [.. Enumerable.Range(0, AgentEnsemble.Count).Select(a.WeightsOf)];
        float[] startActor = [.. before[1].Actor.Weights[0]];

        EnsembleReplayResult first = EnsembleReplay.Run(set, a, online: s_quick);

        int expected = (Steps(set) - 1) / s_quick.Interval; // before steps 512, 1024, 1536 (not step 0)
        Assert.Equal([0, expected, 0, 0, 0], first.OnlineUpdates);
        for (int k = 0; k < AgentEnsemble.Count; k++)
        {
            if (k != 1)
            {
                Assert.Same(before[k], a.WeightsOf(k)); // shadow agents never learn
            }
        }

        Assert.NotSame(before[1], a.WeightsOf(1));
        Assert.NotEqual(startActor, a.WeightsOf(1).Actor.Weights[0]); // it moved
        Assert.Equal(startActor, before[1].Actor.Weights[0]); // from a copy: the snapshot it started from is untouched

        AgentEnsemble b = CrossChainActive();
        EnsembleReplayResult second = EnsembleReplay.Run(set, b, online: s_quick);
        Assert.Equal(first.Acted, second.Acted);
        Assert.Equal(a.WeightsOf(1).Actor.Weights[^1], b.WeightsOf(1).Actor.Weights[^1]);
    }

    [Fact]
    public void An_agent_its_drift_detector_returned_to_shadow_learns_no_more()
    {
        TorchFixture.Ensure();
        AgentSet set = AgentData.Set;
        AgentEnsemble strict = CrossChainActive();
        // Held to a claim no book meets: the first losing active step trips it.
        strict.Evaluations[1] = new AgentEvaluation(Pnl: 1e-6, WinRate: 1, MaxDrawdown: 0, ActiveSteps: 1, Steps: 1);
        var online = s_quick with { Interval = 256 };

        EnsembleReplayResult r = EnsembleReplay.Run(set, strict, online: online);

        Assert.True(r.DriftSteps[1] >= 0, "the detector tripped");
        Assert.Equal(AgentMode.Shadow, r.Modes[1]);
        Assert.Equal(r.DriftSteps[1] / online.Interval, r.OnlineUpdates[1]); // the updates before the trip, none after
    }

    [Fact]
    public void Warm_started_training_refuses_weights_of_another_shape()
    {
        TorchFixture.Ensure();
        var wrong = new PolicyWeights(3, 2, continuous: false);
        PpoOptions options = AgentRun.Options(1, 1024) with { InitialWeights = wrong };
        ArgumentException e = Assert.Throws<ArgumentException>(() => PpoTrainer.Train(() => new AgentEnvironment(AgentData.Set.Create(2), AgentData.Set.BoardOf(2), 24, 2000), options));
        Assert.Contains("the initial weights take 3 inputs to 2 actions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_refuses_online_learning_with_the_agents_off_or_a_bad_rate()
    {
        string models = Path.Combine(LowLatency.Testing.SharedData.RepoRoot, "models", "multi_agent_rl");
        var stderr = new StringWriter();
        Assert.Equal(2, AgentsCommand.Shadow(models, LowLatency.Testing.SharedData.Root, enabled: false, TextWriter.Null, stderr, new OnlineLearning()));
        Assert.Contains("--online-learning trains the agents that act", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(2, AgentsCommand.Shadow(models, LowLatency.Testing.SharedData.Root, enabled: true, TextWriter.Null, stderr, new OnlineLearning(LearningRate: 0)));
        Assert.Contains("the learning rate 0 must be in (0, 1)", stderr.ToString(), StringComparison.Ordinal);
    }
}
