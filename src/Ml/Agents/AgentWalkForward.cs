using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Agents;

/// <summary>One walk-forward fold: a policy trained from scratch on [TrainFrom, TestFrom), then it and the rule on [TestFrom, TestTo).</summary>
public sealed record WalkForwardFold(int TrainFrom, int TestFrom, int TestTo, TradingMetrics Agent, TradingMetrics Rule, double Seconds)
{
    /// <summary>The agent did at least as well as its rule on this fold's test window.</summary>
    public bool AtLeastRule => Agent.Pnl >= Rule.Pnl;
}

/// <summary>An agent's walk-forward over its timeline: each fold's figures and the verdict over all of them.</summary>
public sealed record WalkForwardReport(int Id, string Name, int Seed, long Steps, IReadOnlyList<WalkForwardFold> Folds)
{
    public double AgentPnl => Folds.Sum(f => f.Agent.Pnl);

    public double RulePnl => Folds.Sum(f => f.Rule.Pnl);

    /// <summary>Folds where the agent did at least as well as its rule.</summary>
    public int FoldsAtLeastRule => Folds.Count(f => f.AtLeastRule);

    /// <summary>
    /// Fixed before any fold was run: over the folds' test windows together the agent makes money and more than its rule,
    /// and it is not behind its rule in more than half of the folds (one lucky window does not carry it).
    /// </summary>
    public bool BeatsBaseline => AgentPnl > 0 && AgentPnl > RulePnl && 2 * FoldsAtLeastRule >= Folds.Count;

    public string Verdict => BeatsBaseline
        ? "beats its baseline walk-forward"
        : string.Create(CultureInfo.InvariantCulture, $"does not beat its baseline walk-forward (P&L {AgentPnl:F2} against {RulePnl:F2}, at least the rule's in {FoldsAtLeastRule} of {Folds.Count} folds)");
}

/// <summary>
/// The walk-forward of an agent beyond its one 70/30 split: the later half of its timeline is cut into K consecutive test
/// windows; for each, a policy is trained from scratch (same seed and PPO settings) on everything before the window and
/// judged with the rule on the window. Only data before a window trains for it. The committed policy (the 70/30 one) is
/// kept; its manifest gains the folds, and it may act only if it beats its baseline here too (<see cref="AgentEnsemble.MayAct"/>). Cold path.
/// </summary>
public static class AgentWalkForward
{
    /// <summary>The folds <c>train --all</c> judges the agents over (and the committed manifests were judged over).</summary>
    public const int DefaultFolds = 3;

    /// <summary>The folds' (train from, test from, test to) for a timeline [from, to): the later half in <paramref name="folds"/> equal windows.</summary>
    public static IReadOnlyList<(int TrainFrom, int TestFrom, int TestTo)> Windows(int from, int to, int folds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 1);
        int start = from + ((to - from) / 2);
        var windows = new List<(int, int, int)>(folds);
        for (int k = 0; k < folds; k++)
        {
            int a = start + (int)((long)(to - start) * k / folds);
            int b = start + (int)((long)(to - start) * (k + 1) / folds);
            windows.Add((from, a, b));
        }

        return windows;
    }

    public static WalkForwardReport Run(AgentSet set, int id, int seed, long steps, int folds, Action<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(set);
        PpoOptions options = AgentRun.Options(seed, steps);
        (int from, int _, int to) = set.Segments(id);
        SignalBoard board = set.BoardOf(id);
        AgentDesk desk = set.Create(id);
        int Rule(int t, float[] obs) => desk.Rule(t);
        var results = new List<WalkForwardFold>(folds);
        IReadOnlyList<(int TrainFrom, int TestFrom, int TestTo)> windows = Windows(from, to, folds);
        for (int k = 0; k < windows.Count; k++)
        {
            (int trainFrom, int testFrom, int testTo) = windows[k];
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"agent {id} ({desk.Name}) fold {k + 1}/{windows.Count}: train [{trainFrom}, {testFrom}), test [{testFrom}, {testTo}), {options.Iterations * (long)options.BatchSize} PPO steps"));
            PpoResult result = PpoTrainer.Train(() => new AgentEnvironment(set.Create(id), board, trainFrom, testFrom), options, null);
            var greedy = new PolicySimd(result.Policy);
            var logits = new float[result.Policy.Actions];
            int Agent(int t, float[] obs) => greedy.Greedy(obs, logits);
            var fold = new WalkForwardFold(trainFrom, testFrom, testTo,
                TradingMetrics.Run(desk, board, testFrom, testTo, Agent), TradingMetrics.Run(desk, board, testFrom, testTo, Rule), result.Seconds);
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"agent {id} fold {k + 1}: agent pnl {fold.Agent.Pnl:F2} (active {fold.Agent.ActiveSteps}/{fold.Agent.Steps}) rule pnl {fold.Rule.Pnl:F2} ({result.Seconds:F0} s)"));
            results.Add(fold);
        }

        return new WalkForwardReport(id, desk.Name, seed, options.Iterations * (long)options.BatchSize, results);
    }

    /// <summary>
    /// Adds the walk-forward to <c>agent_N.manifest.json</c> in <paramref name="folder"/> (<c>walkForward</c>) and sets its
    /// <c>mode</c> to what <see cref="AgentEnsemble.MayAct"/> now says. The manifest must exist: the folds judge the policy it describes.
    /// </summary>
    public static void WriteToManifest(WalkForwardReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        string path = Path.Combine(folder, $"agent_{report.Id}.manifest.json");
        if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject manifest)
        {
            throw new InvalidDataException($"{path}: not a JSON object");
        }

        var folds = new JsonArray();
        foreach (WalkForwardFold f in report.Folds)
        {
            folds.Add(new JsonObject
            {
                ["trainFrom"] = f.TrainFrom, ["testFrom"] = f.TestFrom, ["testTo"] = f.TestTo, ["seconds"] = Math.Round(f.Seconds, 1),
                ["agent"] = AgentRun.Metrics(f.Agent), ["baseline"] = AgentRun.Metrics(f.Rule),
            });
        }

        manifest["walkForward"] = new JsonObject
        {
            ["kind"] = "the later half of the timeline in consecutive test windows; for each, a policy trained from scratch on everything before it (same seed and PPO settings)",
            ["seed"] = report.Seed,
            ["steps"] = report.Steps,
            ["folds"] = folds,
            ["agentPnl"] = Math.Round(report.AgentPnl, 4),
            ["baselinePnl"] = Math.Round(report.RulePnl, 4),
            ["foldsAtLeastBaseline"] = report.FoldsAtLeastRule,
            ["beatsBaseline"] = report.BeatsBaseline,
            ["verdict"] = report.Verdict,
        };
        using (JsonDocument check = JsonDocument.Parse(manifest.ToJsonString()))
        {
            manifest["mode"] = AgentEnsemble.MayAct(check.RootElement) ? "active" : "shadow";
        }

        File.WriteAllText(path, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>One Markdown row per fold and one per agent over all folds: P&amp;L, Sharpe, drawdown, win rate, active steps, agent against rule.</summary>
    public static string Table(IEnumerable<WalkForwardReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var sb = new StringBuilder();
        sb.AppendLine("| agent | fold | train | test | PPO P&L (USD) | rule P&L (USD) | PPO Sharpe | PPO max dd | PPO win | PPO active | rule active |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (WalkForwardReport r in reports)
        {
            for (int k = 0; k < r.Folds.Count; k++)
            {
                WalkForwardFold f = r.Folds[k];
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Id} {r.Name} | {k + 1} | [{f.TrainFrom}, {f.TestFrom}) | [{f.TestFrom}, {f.TestTo}) | {f.Agent.Pnl:F2} | {f.Rule.Pnl:F2} | {f.Agent.Sharpe:F2} | {f.Agent.MaxDrawdown:F2} | {f.Agent.WinRate:P1} | {f.Agent.ActiveSteps} / {f.Agent.Steps} | {f.Rule.ActiveSteps} / {f.Rule.Steps} |"));
            }

            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Id} {r.Name} | all | | | **{r.AgentPnl:F2}** | **{r.RulePnl:F2}** | | | | | {r.Verdict} |"));
        }

        return sb.ToString();
    }
}
