using System.Text.Json;
using LowLatency.Ml.Agents;
using LowLatency.Ml.Cli;

namespace LowLatency.Ml.Tests.Agents;

/// <summary>The walk-forward: its windows, its verdict, the manifest it writes and what the ensemble makes of it, the CLI's refusals.</summary>
public sealed class AgentWalkForwardTests
{
    private static readonly TradingMetrics s_flat = new(0, 0, 0, 0, 0, 0, 100);

    private static TradingMetrics Pnl(double pnl) => s_flat with { Pnl = pnl };

    private static WalkForwardFold Fold(double agent, double rule) => new(0, 0, 0, Pnl(agent), Pnl(rule), 0);

    [Theory]
    [InlineData(20, 7098, 3)]
    [InlineData(24, 6167, 4)]
    [InlineData(0, 11, 2)]
    public void The_folds_cut_the_later_half_into_consecutive_windows_each_trained_only_on_what_came_before(int from, int to, int folds)
    {
        IReadOnlyList<(int TrainFrom, int TestFrom, int TestTo)> w = AgentWalkForward.Windows(from, to, folds);
        Assert.Equal(folds, w.Count);
        Assert.Equal(from + ((to - from) / 2), w[0].TestFrom);
        Assert.Equal(to, w[^1].TestTo);
        for (int k = 0; k < folds; k++)
        {
            Assert.Equal(from, w[k].TrainFrom);
            Assert.True(w[k].TestFrom < w[k].TestTo, $"fold {k} is empty");
            if (k > 0)
            {
                Assert.Equal(w[k - 1].TestTo, w[k].TestFrom); // no gap, no overlap
            }
        }
    }

    [Fact]
    public void The_verdict_needs_money_more_than_the_rule_overall_and_not_behind_it_in_most_folds()
    {
        Assert.True(new WalkForwardReport(2, "cross-chain", 7, 1, [Fold(100, 10), Fold(5, 20), Fold(30, 10)]).BeatsBaseline);

        // One lucky window carries the total, but the agent is behind its rule in two of three.
        var lucky = new WalkForwardReport(2, "cross-chain", 7, 1, [Fold(1000, 10), Fold(5, 20), Fold(1, 30)]);
        Assert.False(lucky.BeatsBaseline);
        Assert.Contains("at least the rule's in 1 of 3 folds", lucky.Verdict, StringComparison.Ordinal);

        // A tie at 0 (nothing traded) is no edge; ahead of a losing rule while losing is none either.
        Assert.False(new WalkForwardReport(1, "cex-dex", 7, 1, [Fold(0, 0), Fold(0, 0)]).BeatsBaseline);
        Assert.False(new WalkForwardReport(4, "whale-copy", 7, 1, [Fold(-5, -50), Fold(-1, -9)]).BeatsBaseline);

        // Behind in exactly half the folds of an even count is allowed.
        Assert.True(new WalkForwardReport(2, "cross-chain", 7, 1, [Fold(50, 10), Fold(5, 20)]).BeatsBaseline);
    }

    [Theory]
    [InlineData("""{"beatsBaselineOutOfSample":true}""", true)]
    [InlineData("""{"beatsBaselineOutOfSample":true,"walkForward":{"beatsBaseline":true}}""", true)]
    [InlineData("""{"beatsBaselineOutOfSample":true,"walkForward":{"beatsBaseline":false}}""", false)]
    [InlineData("""{"beatsBaselineOutOfSample":false,"walkForward":{"beatsBaseline":true}}""", false)]
    [InlineData("""{"beatsBaselineOutOfSample":true,"walkForward":{"beatsBaseline":"yes"}}""", false)]
    [InlineData("""{"beatsBaselineOutOfSample":true,"walkForward":[]}""", false)]
    [InlineData("""{"walkForward":{"beatsBaseline":true}}""", false)]
    public void An_agent_may_act_only_where_its_split_and_any_walk_forward_say_it_beat_its_baseline(string manifest, bool mayAct)
    {
        using JsonDocument doc = JsonDocument.Parse(manifest);
        Assert.Equal(mayAct, AgentEnsemble.MayAct(doc.RootElement));
    }

    [Fact]
    public void A_short_walk_forward_of_a_trained_agent_goes_into_its_manifest_and_sets_its_mode()
    {
        TorchFixture.Ensure();
        string folder = Path.Combine(Path.GetTempPath(), "ll-walk-" + Guid.NewGuid().ToString("N"));
        try
        {
            AgentRun.Run(AgentData.Set, 2, 3, 2048, folder, null);
            var lines = new List<string>();
            WalkForwardReport r = AgentWalkForward.Run(AgentData.Set, 2, 3, 2048, 2, lines.Add);
            AgentWalkForward.WriteToManifest(r, folder);

            Assert.Equal(2, r.Folds.Count);
            Assert.Contains(lines, l => l.StartsWith("agent 2 (cross-chain) fold 2/2: train [", StringComparison.Ordinal));
            (int from, int _, int to) = AgentData.Set.Segments(2);
            Assert.Equal(to, r.Folds[^1].TestTo);
            Assert.All(r.Folds, f => Assert.Equal(f.TestTo - f.TestFrom, f.Agent.Steps));
            Assert.All(r.Folds, f => Assert.Equal(from, f.TrainFrom));

            using JsonDocument m = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "agent_2.manifest.json")));
            JsonElement walk = m.RootElement.GetProperty("walkForward");
            Assert.Equal(2, walk.GetProperty("folds").GetArrayLength());
            Assert.Equal(r.BeatsBaseline, walk.GetProperty("beatsBaseline").GetBoolean());
            Assert.Equal(Math.Round(r.AgentPnl, 4), walk.GetProperty("agentPnl").GetDouble());
            Assert.Equal(r.Folds[0].Rule.Pnl, walk.GetProperty("folds")[0].GetProperty("baseline").GetProperty("pnl").GetDouble(), 4);
            bool split = m.RootElement.GetProperty("beatsBaselineOutOfSample").GetBoolean();
            Assert.Equal(split && r.BeatsBaseline ? "active" : "shadow", m.RootElement.GetProperty("mode").GetString());
            Assert.True(m.RootElement.TryGetProperty("metrics", out _), "the split's figures stay");
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void The_cli_refuses_a_walk_forward_without_trained_agents_or_with_too_few_folds()
    {
        string empty = Path.Combine(Path.GetTempPath(), "ll-walk-none-" + Guid.NewGuid().ToString("N"));
        var stderr = new StringWriter();
        int code = TrainCommand.Run(new TrainRequest { Rl = true, Agents = "2", WalkForward = 3, OutFolder = empty, DataRoot = LowLatency.Testing.SharedData.Root }, TextWriter.Null, stderr);
        Assert.Equal(2, code);
        Assert.Contains("--walk-forward judges trained agents: no ", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(empty), "nothing was written");

        stderr = new StringWriter();
        Assert.Equal(2, TrainCommand.Run(new TrainRequest { Rl = true, Agents = "2", WalkForward = 1, OutFolder = empty, DataRoot = LowLatency.Testing.SharedData.Root }, TextWriter.Null, stderr));
        Assert.Contains("--walk-forward: 1 folds; give 2 to 10", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(2, TrainCommand.Run(new TrainRequest { Rl = true, WalkForward = 3, OutFolder = empty }, TextWriter.Null, stderr));
        Assert.Contains("--walk-forward goes with --agents", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(2, TrainCommand.Run(new TrainRequest { Slippage = true, WalkForward = 3, OutFolder = empty }, TextWriter.Null, stderr));
        Assert.Contains("--walk-forward goes with --rl --agents", stderr.ToString(), StringComparison.Ordinal);
    }
}
