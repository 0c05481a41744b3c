using LowLatency.Ml.Agents;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Tests.Agents;

/// <summary>The ensemble: modes from the manifests' verdicts, rules act in shadow, the risk manager last, 0 B per decision, clear refusals.</summary>
public sealed class EnsembleTests
{
    internal static PolicyWeights[] Policies()
    {
        AgentSet set = AgentData.Set;
        var list = new PolicyWeights[5];
        for (int id = 1; id <= 5; id++)
        {
            AgentDesk d = set.Create(id);
            var w = new PolicyWeights(d.FeatureCount + AgentDesk.Agents, d.ActionCount, continuous: false);
            OrthogonalInit.Initialize(w, 40 + id);
            w.Actor.Weights[2].AsSpan().Fill(0.05f); // past the 0.01 head gain, so decisions depend on the input
            list[id - 1] = w;
        }

        return list;
    }

    [Fact]
    public void Modes_follow_the_verdicts_and_the_switch()
    {
        var on = new AgentEnsemble(Policies(), [false, true, false, false, true], enabled: true);
        Assert.Equal([AgentMode.Shadow, AgentMode.Active, AgentMode.Shadow, AgentMode.Shadow, AgentMode.Active], on.Modes);
        var off = new AgentEnsemble(Policies(), [true, true, true, true, true], enabled: false);
        Assert.All(off.Modes, m => Assert.Equal(AgentMode.Off, m));
        Assert.True(AgentEnsemble.Enabled(noAi: false, null));
        Assert.True(AgentEnsemble.Enabled(noAi: false, "true"));
        Assert.False(AgentEnsemble.Enabled(noAi: true, "true"));
        Assert.False(AgentEnsemble.Enabled(noAi: false, "false"));
        Assert.False(AgentEnsemble.Enabled(noAi: false, " OFF "));
        Assert.False(AgentEnsemble.Enabled(noAi: false, "0"));
    }

    [Fact]
    public void In_shadow_the_agents_decide_and_the_rules_act_when_active_the_agent_acts()
    {
        var e = new AgentEnsemble(Policies(), [false, true, false, false, false], enabled: true);
        var random = new Random(5);
        for (int round = 0; round < 200; round++)
        {
            foreach (float[] o in e.Observations)
            {
                for (int k = 0; k < o.Length; k++)
                {
                    o[k] = (float)((random.NextDouble() * 4) - 2);
                }
            }

            for (int k = 0; k < 5; k++)
            {
                e.RuleActions[k] = round % 3;
            }

            e.DecideSpecialists();
            e.DecideRisk();
            Assert.Equal(e.RuleActions[0], e.ActedActions[0]);
            Assert.Equal(e.AgentActions[1], e.ActedActions[1]);
            Assert.Equal(e.RuleActions[4], e.ActedActions[4]);
            Assert.All(e.AgentActions, a => Assert.True(a >= 0));
        }

        Assert.Equal(200, e.Decisions(0));
        Assert.True(e.Disagreements(0) > 0);
    }

    [Fact]
    public void A_decision_of_all_five_allocates_nothing()
    {
        var e = new AgentEnsemble(Policies(), [true, false, true, false, true], enabled: true);
        for (int i = 0; i < 100; i++)
        {
            e.DecideSpecialists();
            e.DecideRisk();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            e.Observations[i % 5][0] = i * 1e-3f;
            e.DecideSpecialists();
            e.DecideRisk();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Shadow_replay_acts_exactly_as_the_rules_and_logs_the_agents_beside_them()
    {
        AgentSet set = AgentData.Set;
        EnsembleReplayResult rules = EnsembleReplay.Run(set, new AgentEnsemble(Policies(), [false, false, false, false, false], enabled: false));
        EnsembleReplayResult shadow = EnsembleReplay.Run(set, new AgentEnsemble(Policies(), [false, false, false, false, false], enabled: true));
        Assert.Equal(rules.Acted, shadow.Acted);
        Assert.All(rules.Decisions, d => Assert.Equal(0, d));
        Assert.All(shadow.Decisions, d => Assert.True(d > 1000));
        Assert.NotEqual(shadow.Acted, shadow.AgentsOnly);
        Assert.True(rules.GateApproved > 0);
    }

    [Fact]
    public void In_the_replay_the_risk_manager_reads_this_blocks_specialist_signals_as_in_training()
    {
        AgentSet set = AgentData.Set;
        // The committed agents: their own decisions signal on many blocks (random weights here would never act).
        string folder = Path.Combine(LowLatency.Testing.SharedData.RepoRoot, "models", "multi_agent_rl");
        AgentEnsemble e = AgentEnsemble.Load(folder, enabled: true, out string? problem) ?? throw new InvalidOperationException(problem);
        (_, int split, _) = set.Segments(1);
        (_, int crossSplit, _) = set.Segments(2);
        int checkedBlocks = 0, signalled = 0;
        float[] expected = new float[4];
        EnsembleReplay.Run(set, e, decided: i =>
        {
            // The risk manager's shared slots are the specialists' signals of this very block (their own decisions).
            BlockState b = set.Day.Blocks[split + i];
            expected[0] = CexDexDesk.SignalOf(in b, Math.Max(0, e.AgentActions[0]));
            expected[1] = set.Cross.Signal(crossSplit + i, Math.Max(0, e.AgentActions[1]));
            expected[2] = FlashLoanDesk.SignalOf(in b, Math.Max(0, e.AgentActions[2]));
            expected[3] = WhaleDesk.Direction(Math.Max(0, e.AgentActions[3]));
            Assert.Equal(expected, e.Observations[AgentEnsemble.RiskManager][RiskDesk.OwnFeatures..(RiskDesk.OwnFeatures + 4)]);
            checkedBlocks++;
            signalled += Array.Exists(expected, v => v != 0) ? 1 : 0;
        });

        Assert.True(checkedBlocks > 1_000);
        Assert.True(signalled > 100, $"{signalled} blocks with a signal"); // enough blocks where a stale signal would differ
    }

    [Fact]
    public void Missing_or_damaged_models_are_refused_with_one_line()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ll-ensemble-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Assert.Null(AgentEnsemble.Load(dir, enabled: true, out string? p));
            Assert.StartsWith("agent 1: ", p, StringComparison.Ordinal);
            PolicyWeights[] policies = Policies();
            for (int id = 1; id <= 5; id++)
            {
                PolicyFile.Write(policies[id - 1], Path.Combine(dir, $"agent_{id}.policy.bin"));
                File.WriteAllText(Path.Combine(dir, $"agent_{id}.manifest.json"), id == 3 ? "{\"mode\":\"shadow\"}" : "{\"beatsBaselineOutOfSample\": " + (id == 2 ? "true" : "false") + "}");
            }

            Assert.Null(AgentEnsemble.Load(dir, enabled: true, out p));
            Assert.EndsWith("agent_3.manifest.json: no beatsBaselineOutOfSample verdict", p, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir, "agent_3.manifest.json"), "{\"beatsBaselineOutOfSample\": false}");
            AgentEnsemble? e = AgentEnsemble.Load(dir, enabled: true, out p);
            Assert.NotNull(e);
            Assert.Equal(AgentMode.Active, e.Modes[1]);
            Assert.Equal(AgentMode.Shadow, e.Modes[0]);
            File.WriteAllBytes(Path.Combine(dir, "agent_4.policy.bin"), [1, 2, 3]);
            Assert.Null(AgentEnsemble.Load(dir, enabled: true, out p));
            Assert.StartsWith("agent 4: ", p, StringComparison.Ordinal);
            Assert.Contains("too short", p, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
