using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LowLatency.Ml.Rl;
using ScottPlot;

namespace LowLatency.Ml.Agents;

/// <summary>What one agent's training and walk-forward evaluation produced.</summary>
public sealed record AgentReport(int Id, string Name, int Seed, long Steps, TradingMetrics TestAgent, TradingMetrics TestBaseline, TradingMetrics TrainAgent, TradingMetrics TrainBaseline, double Seconds)
{
    /// <summary>Out of sample the agent made money and more than its baseline: only then may it leave shadow mode.</summary>
    public bool BeatsBaseline => TestAgent.Pnl > 0 && TestAgent.Pnl > TestBaseline.Pnl;

    /// <summary>The verdict in words.</summary>
    public string Verdict => BeatsBaseline ? "beats its baseline and makes money out of sample: may go active"
        : TestAgent.Pnl > TestBaseline.Pnl ? "better than its baseline but makes no money out of sample: stays in shadow"
        : TestAgent.Pnl == TestBaseline.Pnl ? "ties its baseline out of sample: stays in shadow"
        : "loses to its baseline out of sample: stays in shadow";
}

/// <summary>
/// Trains agent N with our PPO on the training part of its timeline, evaluates the greedy policy and the rule baseline
/// on the training part and on the held-out later part, and writes <c>agent_N.policy.bin</c>, <c>agent_N.manifest.json</c>
/// and <c>agent_N.png</c> (risk-adjusted P&amp;L per training episode against steps). Cold path.
/// </summary>
public static class AgentRun
{
    public const long DefaultSteps = 204_800;

    /// <summary>PPO settings of the agents: CleanRL's discrete defaults with 256-step rollouts, γ 0.95 (rewards arrive within blocks) and normalised rewards.</summary>
    public static PpoOptions Options(int seed, long steps) => new()
    {
        Seed = seed,
        TotalSteps = steps,
        Envs = 4,
        StepsPerEnv = 256,
        Minibatches = 4,
        Epochs = 4,
        LearningRate = 2.5e-4,
        Gamma = 0.95,
        Lambda = 0.95,
        EntropyCoef = 0.01,
        NormalizeRewards = true,
        EvalEpisodes = 0,
    };

    public static AgentReport Run(AgentSet set, int id, int seed, long steps, string outFolder, Action<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(set);
        PpoOptions options = Options(seed, steps);
        (int from, int split, int to) = set.Segments(id);
        SignalBoard board = set.BoardOf(id);
        AgentDesk probe = set.Create(id);
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"agent {id} ({probe.Name}): train steps [{from}, {split}), test [{split}, {to}), {options.Iterations * (long)options.BatchSize} PPO steps"));
        PpoResult result = PpoTrainer.Train(() => new AgentEnvironment(set.Create(id), board, from, split), options, progress);
        var greedy = new PolicySimd(result.Policy);
        var logits = new float[result.Policy.Actions];
        int Agent(int t, float[] obs) => greedy.Greedy(obs, logits);
        AgentDesk desk = set.Create(id);
        int Rule(int t, float[] obs) => desk.Rule(t);
        var report = new AgentReport(id, probe.Name, seed, result.Steps,
            TradingMetrics.Run(desk, board, split, to, Agent),
            TradingMetrics.Run(desk, board, split, to, Rule),
            TradingMetrics.Run(desk, board, from, split, Agent),
            TradingMetrics.Run(desk, board, from, split, Rule),
            result.Seconds);
        if (outFolder.Length > 0)
        {
            Directory.CreateDirectory(outFolder);
            string stem = Path.Combine(outFolder, $"agent_{id}");
            PolicyFile.Write(result.Policy, stem + ".policy.bin");
            WriteCurve(result.Episodes, probe, report, stem + ".png");
            File.WriteAllText(stem + ".manifest.json", Manifest(report, probe, options, from, split, to).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            progress?.Invoke($"wrote {stem}.policy.bin, {stem}.manifest.json and {stem}.png");
        }

        return report;
    }

    public static string Describe(AgentReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return string.Create(CultureInfo.InvariantCulture,
            $"agent {r.Id} ({r.Name}) test: agent pnl {r.TestAgent.Pnl:F2} sharpe {r.TestAgent.Sharpe:F2} maxdd {r.TestAgent.MaxDrawdown:F2} win {r.TestAgent.WinRate:P1} turnover {r.TestAgent.Turnover:F0} | baseline pnl {r.TestBaseline.Pnl:F2} sharpe {r.TestBaseline.Sharpe:F2} maxdd {r.TestBaseline.MaxDrawdown:F2} win {r.TestBaseline.WinRate:P1} turnover {r.TestBaseline.Turnover:F0} | {r.Verdict}");
    }

    /// <summary>One Markdown row per report: agent, test P&amp;L, Sharpe, max drawdown, win rate, turnover, against the baseline's.</summary>
    public static string Table(IEnumerable<AgentReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| agent | who | P&L after costs (USD) | Sharpe (ann.) | max drawdown (USD) | win rate | turnover (USD) | active steps | verdict |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (AgentReport r in reports)
        {
            sb.AppendLine(Row(r, "PPO", r.TestAgent, r.Verdict));
            sb.AppendLine(Row(r, "rule baseline", r.TestBaseline, string.Empty));
        }

        return sb.ToString();
    }

    private static string Row(AgentReport r, string who, TradingMetrics m, string verdict) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Id} {r.Name} | {who} | {m.Pnl:F2} | {m.Sharpe:F2} | {m.MaxDrawdown:F2} | {m.WinRate:P1} | {m.Turnover:N0} | {m.ActiveSteps} / {m.Steps} | {verdict} |");

    internal static JsonObject Metrics(TradingMetrics m) => new()
    {
        ["pnl"] = Math.Round(m.Pnl, 4),
        ["sharpe"] = Math.Round(m.Sharpe, 4),
        ["maxDrawdown"] = Math.Round(m.MaxDrawdown, 4),
        ["winRate"] = Math.Round(m.WinRate, 4),
        ["turnover"] = Math.Round(m.Turnover, 2),
        ["activeSteps"] = m.ActiveSteps,
        ["steps"] = m.Steps,
    };

    private static JsonObject Manifest(AgentReport r, AgentDesk desk, PpoOptions options, int from, int split, int to)
    {
        var files = new JsonArray();
        foreach (string f in desk.DataFiles)
        {
            files.Add(f);
        }

        return new JsonObject
        {
            ["agent"] = r.Id,
            ["name"] = r.Name,
            ["environment"] = desk.Description,
            ["data"] = files,
            ["seed"] = r.Seed,
            ["steps"] = r.Steps,
            ["seconds"] = Math.Round(r.Seconds, 1),
            ["observation"] = $"{desk.FeatureCount} own features + {AgentDesk.Agents} shared signals",
            ["actions"] = desk.ActionCount,
            ["reward"] = $"P&L after every cost in USD / {desk.RewardScale}, losses x{1 + AgentDesk.LossAversion}",
            ["split"] = new JsonObject { ["trainFrom"] = from, ["trainTo"] = split, ["testFrom"] = split, ["testTo"] = to, ["kind"] = "walk-forward by time: train on the earlier 70 %, test on the later 30 %" },
            ["ppo"] = new JsonObject
            {
                ["envs"] = options.Envs, ["stepsPerEnv"] = options.StepsPerEnv, ["minibatches"] = options.Minibatches, ["epochs"] = options.Epochs,
                ["learningRate"] = options.LearningRate, ["gamma"] = options.Gamma, ["lambda"] = options.Lambda, ["clip"] = options.Clip,
                ["entropyCoef"] = options.EntropyCoef, ["normalizeRewards"] = options.NormalizeRewards, ["hidden"] = options.Hidden,
            },
            ["metrics"] = new JsonObject { ["test"] = Metrics(r.TestAgent), ["train"] = Metrics(r.TrainAgent) },
            ["baselineMetrics"] = new JsonObject { ["test"] = Metrics(r.TestBaseline), ["train"] = Metrics(r.TrainBaseline) },
            ["beatsBaselineOutOfSample"] = r.BeatsBaseline,
            ["verdict"] = r.Verdict,
            ["mode"] = r.BeatsBaseline ? "active" : "shadow",
        };
    }

    private static void WriteCurve(IReadOnlyList<EpisodeRecord> episodes, AgentDesk desk, AgentReport r, string path)
    {
        var plot = new Plot();
        double[] xs = new double[episodes.Count];
        double[] ys = new double[episodes.Count];
        for (int i = 0; i < episodes.Count; i++)
        {
            xs[i] = episodes[i].Step;
            ys[i] = episodes[i].Return * desk.RewardScale;
        }

        var raw = plot.Add.ScatterPoints(xs, ys);
        raw.MarkerSize = 3;
        raw.LegendText = "risk-adjusted P&L per 256-step training episode (USD)";
        (long[] steps, double[] means) = Curves.Rolling(episodes, 20);
        var rx = new List<double>();
        var ry = new List<double>();
        for (int i = 0; i < means.Length; i++)
        {
            if (!double.IsNaN(means[i]))
            {
                rx.Add(steps[i]);
                ry.Add(means[i] * desk.RewardScale);
            }
        }

        if (rx.Count > 0)
        {
            var rolling = plot.Add.ScatterLine(rx.ToArray(), ry.ToArray());
            rolling.LineWidth = 2;
            rolling.LegendText = "mean of the last 20";
        }

        double perEpisode = r.TrainBaseline.Steps > 0 ? r.TrainBaseline.Pnl / r.TrainBaseline.Steps * AgentEnvironment.EpisodeSteps : 0;
        var line = plot.Add.HorizontalLine(perEpisode);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = "rule baseline on the training part, P&L per 256 steps";
        plot.Title($"agent {r.Id} ({r.Name}), PPO seed {r.Seed}");
        plot.XLabel("environment steps");
        plot.YLabel("USD");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }
}
