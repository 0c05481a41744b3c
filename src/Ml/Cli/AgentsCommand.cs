using System.Globalization;
using System.Text.Json;
using LowLatency.Ml.Agents;

namespace LowLatency.Ml.Cli;

/// <summary>
/// <c>train --rl --agents [1,3] [--seed N] [--steps N] [--data DIR] [--out models]</c>: trains the chosen market agents
/// (all five when no list is given) with progress lines, evaluates each against its rule baseline walk-forward and
/// writes <c>OUT/multi_agent_rl/agent_N.*</c> and <c>RESULTS.md</c>. Exit codes 0, 1 (data or files), 2 (usage). Cold path.
/// </summary>
public static class AgentsCommand
{
    public static int Run(TrainRequest request, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (ParseIds(request.Agents ?? string.Empty, out string? problem) is not { } ids)
        {
            stderr.WriteLine($"train: --agents: {problem}");
            return 2;
        }

        if (request.RlEnv is not null)
        {
            stderr.WriteLine("train: --agents trains the market agents; --env picks a benchmark: use one of them");
            return 2;
        }

        long steps = request.RlSteps == 0 ? AgentRun.DefaultSteps : request.RlSteps;
        if (request.RlSteps < 0 || AgentRun.Options(request.Seed, steps).Validate() is { } bad)
        {
            stderr.WriteLine($"train: {(request.RlSteps < 0 ? $"--steps: {request.RlSteps} must be positive" : AgentRun.Options(request.Seed, steps).Validate())}");
            return 2;
        }

        if (!Directory.Exists(request.DataRoot))
        {
            stderr.WriteLine($"train: --data: no such folder '{request.DataRoot}'");
            return 2;
        }

        void Progress(string line)
        {
            stdout.WriteLine(line);
            stdout.Flush();
        }

        string folder = Path.Combine(request.OutFolder, "multi_agent_rl");
        if (request.WalkForward != 0)
        {
            return WalkForward(request, ids, steps, folder, Progress, stderr);
        }

        try
        {
            Directory.CreateDirectory(folder);
            Progress($"train: market agents {string.Join(',', ids)} on {request.DataRoot}, seed {request.Seed}");
            AgentSet set = AgentSet.Load(request.DataRoot);
            var reports = new List<AgentReport>();
            foreach (int id in ids)
            {
                AgentReport r = AgentRun.Run(set, id, request.Seed, steps, folder, Progress);
                Progress(AgentRun.Describe(r));
                reports.Add(r);
            }

            string table = Path.Combine(folder, "RESULTS.md");
            File.WriteAllText(table, string.Create(CultureInfo.InvariantCulture, $"Held-out test part (later 30 % of each timeline), seed {request.Seed}, {steps} PPO steps per agent.\n\n") + AgentRun.Table(reports));
            Progress($"wrote {table}");
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            stderr.WriteLine($"train: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// <c>train --rl --agents [1,3] --walk-forward K</c>: for each chosen agent already trained in <paramref name="folder"/>,
    /// K folds over the later half of its timeline, a policy trained from scratch per fold; each agent's folds go into its
    /// manifest (its mode with them) as it finishes, and all of them into <c>WALK_FORWARD.md</c>.
    /// </summary>
    private static int WalkForward(TrainRequest request, int[] ids, long steps, string folder, Action<string> progress, TextWriter stderr)
    {
        if (request.WalkForward is < 2 or > 10)
        {
            stderr.WriteLine($"train: --walk-forward: {request.WalkForward} folds; give 2 to 10");
            return 2;
        }

        foreach (int id in ids)
        {
            if (!File.Exists(Path.Combine(folder, $"agent_{id}.manifest.json")))
            {
                stderr.WriteLine($"train: --walk-forward judges trained agents: no {Path.Combine(folder, $"agent_{id}.manifest.json")} (train them with --rl --agents first)");
                return 2;
            }
        }

        try
        {
            progress($"train: walk-forward of market agents {string.Join(',', ids)} over {request.WalkForward} folds on {request.DataRoot}, seed {request.Seed}");
            AgentSet set = AgentSet.Load(request.DataRoot);
            var reports = new List<WalkForwardReport>();
            string table = Path.Combine(folder, "WALK_FORWARD.md");
            foreach (int id in ids)
            {
                WalkForwardReport r = AgentWalkForward.Run(set, id, request.Seed, steps, request.WalkForward, progress);
                AgentWalkForward.WriteToManifest(r, folder);
                reports.Add(r);
                progress($"agent {id} ({r.Name}) walk-forward: agent pnl {r.AgentPnl.ToString("F2", CultureInfo.InvariantCulture)} rule pnl {r.RulePnl.ToString("F2", CultureInfo.InvariantCulture)}: {r.Verdict}");

                // Written after each agent: a long run stopped part-way keeps what it judged.
                File.WriteAllText(table, string.Create(CultureInfo.InvariantCulture,
                    $"Walk-forward, {request.WalkForward} folds over the later half of each timeline, seed {request.Seed}, {steps} PPO steps per fold.\n\n") + AgentWalkForward.Table(reports.OrderBy(r => r.Id)));
            }

            progress($"wrote {table}");
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or JsonException)
        {
            stderr.WriteLine($"train: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// <c>agents [--models DIR] [--data DIR] [--no-ai]</c>: loads the five agents, replays the held-out part through the
    /// ensemble and the RiskGate (<see cref="EnsembleReplay"/>) and prints, per agent, its mode, decisions and
    /// disagreements with its rule (for an active agent also what its drift detector saw), then the acted book and the
    /// agents' own. Exit codes 0, 1 (models or data), 2 (usage).
    /// </summary>
    public static int Shadow(string models, string dataRoot, bool enabled, TextWriter stdout, TextWriter stderr, OnlineLearning? online = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!Directory.Exists(dataRoot))
        {
            stderr.WriteLine($"agents: --data: no such folder '{dataRoot}'");
            return 2;
        }

        // Usage first: a flag that cannot work is said before the models and the data are read.
        if (online?.Validate() is { } invalid)
        {
            stderr.WriteLine("agents: " + invalid);
            return 2;
        }

        if (online is not null && !enabled)
        {
            stderr.WriteLine("agents: --online-learning trains the agents that act: with the agents off there are none");
            return 2;
        }

        if (AgentEnsemble.Load(models, enabled, out string? problem) is not { } ensemble)
        {
            stderr.WriteLine($"agents: {problem} (train them with ./lowlatency train --rl --agents)");
            return 1;
        }

        try
        {
            AgentSet set = AgentSet.Load(dataRoot);
            EnsembleReplayResult r = EnsembleReplay.Run(set, ensemble, online: online);
            stdout.WriteLine(enabled ? "agents on: each acts only where its manifest says it beat its baseline out of sample; otherwise shadow (it decides, its rule acts)" : "agents off (--no-ai or ENABLE_RL_AGENTS=false): the rules decide and act");
            if (online is not null)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"online learning: every {online.Interval} steps each active agent is fine-tuned ({online.Steps} PPO steps, lr {online.LearningRate:G3}) on its data up to that step; updates: {string.Join(", ", Enumerable.Range(0, AgentEnsemble.Count).Where(k => r.OnlineUpdates[k] > 0).Select(k => $"agent {k + 1} {AgentSet.Names[k]} {r.OnlineUpdates[k]}").DefaultIfEmpty("none (no agent active)"))}"));
            }
            for (int k = 0; k < AgentEnsemble.Count; k++)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agent {k + 1} {AgentSet.Names[k]}: {r.Modes[k].ToString().ToLowerInvariant()}, {r.Decisions[k]} decisions, {r.Disagreements[k]} differ from the rule"));
                if (r.DriftSteps[k] >= 0)
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agent {k + 1}: back to shadow at step {r.DriftSteps[k]} of the held-out part: {r.DriftReasons[k]}"));
                }
                else if (ensemble.Drift[k] is { } drift)
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agent {k + 1}: held to its evaluation, no drift: win rate {drift.WinRate:P1} over {drift.ActiveSteps} active steps (evaluated {drift.Evaluation.WinRate:P1}), drawdown {drift.Drawdown:F2} (evaluated max {drift.Evaluation.MaxDrawdown:F2})"));
                }
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"acted (through the risk gate: {r.GateApproved} approved, {r.GateDenied} denied): pnl {r.Acted.Pnl:F2} sharpe {r.Acted.Sharpe:F2} maxdd {r.Acted.MaxDrawdown:F2} win {r.Acted.WinRate:P1} turnover {r.Acted.Turnover:F0}"));
            if (enabled)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agents' own decisions (had they all acted, no gate): pnl {r.AgentsOnly.Pnl:F2} sharpe {r.AgentsOnly.Sharpe:F2} maxdd {r.AgentsOnly.MaxDrawdown:F2} win {r.AgentsOnly.WinRate:P1} turnover {r.AgentsOnly.Turnover:F0}"));
            }

            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // InvalidOperationException: online learning's training could not load libtorch (one line, as train says it).
            stderr.WriteLine($"agents: {e.Message}");
            return 1;
        }
    }

    /// <summary>"1,3" → [1, 3]; empty → all five; null with <paramref name="problem"/> on anything else.</summary>
    public static int[]? ParseIds(string text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return [1, 2, 3, 4, 5];
        }

        var ids = new List<int>();
        foreach (string part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id is < 1 or > 5)
            {
                problem = $"'{part.Trim()}' is not an agent (1 cex-dex, 2 cross-chain, 3 flash-loan, 4 whale-copy, 5 risk-manager)";
                return null;
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return [.. ids];
    }
}
