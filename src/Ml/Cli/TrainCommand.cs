using System.Globalization;
using LowLatency.Ml.Agents;
using LowLatency.Ml.Data;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Rl;
using LowLatency.Ml.Training;

namespace LowLatency.Ml.Cli;

/// <summary>What <c>train</c> was asked to do.</summary>
public sealed record TrainRequest
{
    public bool Predictive { get; init; }

    public bool Slippage { get; init; }

    /// <summary>The shared data folder (market_history/, cex_ws/ …).</summary>
    public string DataRoot { get; init; } = string.Empty;

    public string OutFolder { get; init; } = "models";

    public int Seed { get; init; } = 7;

    public int MaxEpochs { get; init; } = 40;

    /// <summary>A seconds-long smoke run: a tiny model on the first rows of each stream.</summary>
    public bool Quick { get; init; }

    /// <summary>Train PPO on a reinforcement-learning benchmark (<see cref="RlEnv"/>) instead of the market models.</summary>
    public bool Rl { get; init; }

    /// <summary>cartpole | pendulum; null = cartpole.</summary>
    public string? RlEnv { get; init; }

    /// <summary>Environment steps; 0 = the benchmark's default (CartPole 500k, Pendulum 200k).</summary>
    public long RlSteps { get; init; }

    /// <summary>End with one JSON line of the run's figures.</summary>
    public bool Json { get; init; }

    /// <summary>With <see cref="Rl"/>: train the market agents (ids "1,3"; empty = all five) instead of a benchmark; null = not asked.</summary>
    public string? Agents { get; init; }

    /// <summary>With <see cref="Agents"/>: instead of training them, run a walk-forward of this many folds on the trained agents (0: none).</summary>
    public int WalkForward { get; init; }

    /// <summary><c>--all</c>: after the scorer and the slippage predictor, the five market agents and their 3-fold walk-forward.</summary>
    public bool AllAgents { get; init; }
}

/// <summary>
/// <c>train --all | --predictive | --slippage [--data DIR] [--out models/] [--seed N] [--epochs N] [--quick]</c>, with
/// progress lines (epoch, loss, validation metric, ETA). Exit codes: 0, 1 (the data could not be read or trained on),
/// 2 (usage). Cold path.
/// </summary>
public static class TrainCommand
{
    public static int Run(TrainRequest request, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (request.Rl)
        {
            return RunRl(request, stdout, stderr);
        }

        if (request.RlEnv is not null || request.RlSteps != 0 || request.Json || request.Agents is not null || request.WalkForward != 0)
        {
            return Usage(stderr, request.Agents is not null ? "--agents goes with --rl" : request.WalkForward != 0 ? "--walk-forward goes with --rl --agents" : "--env, --steps and --json go with --rl");
        }

        if (!request.Predictive && !request.Slippage)
        {
            return Usage(stderr, "say what to train: --all, --predictive or --slippage");
        }

        if (!Directory.Exists(request.DataRoot))
        {
            return Usage(stderr, $"--data: no such folder '{request.DataRoot}'");
        }

        if (request.MaxEpochs < 1)
        {
            return Usage(stderr, $"--epochs: {request.MaxEpochs} must be at least 1");
        }

        try
        {
            Directory.CreateDirectory(request.OutFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Usage(stderr, $"--out: cannot create '{request.OutFolder}' ({e.Message})");
        }

        void Progress(string line)
        {
            stdout.WriteLine(line);
            stdout.Flush();
        }

        try
        {
            if (request.Predictive)
            {
                IReadOnlyList<string> files = TrainingRun.DefaultCandleFiles(request.DataRoot);
                if (files.Count == 0)
                {
                    stderr.WriteLine($"train: no candle files under {request.DataRoot}/market_history");
                    return 1;
                }

                ScorerTrainOptions options = request.Quick
                    ? new ScorerTrainOptions { Seed = request.Seed, MaxEpochs = Math.Min(request.MaxEpochs, 2), DModel = 16, Heads = 2, FeedForward = 16, Window = 4, Hidden = 16, Chunk = 32, MaxRowsPerStream = 300 }
                    : new ScorerTrainOptions { Seed = request.Seed, MaxEpochs = request.MaxEpochs };
                string path = Path.Combine(request.OutFolder, "scorer.llm");
                Progress($"train: predictive scorer on {files.Count} files, seed {request.Seed}{(request.Quick ? " (quick)" : string.Empty)}");
                ModelManifest m = TrainingRun.Run(files, path, new DatasetOptions(), options, new WalkForward(), Progress);
                Progress(string.Create(CultureInfo.InvariantCulture,
                    $"test ({m.Test!.Model.Rows} rows): model auc {m.Test.Model.Auc:F3} brier {m.Test.Model.Brier:F5} p@10% {m.Test.Model.PrecisionTop10:F3} pnl {m.Test.Model.Pnl:F2} | baseline auc {m.Test.Baseline.Auc:F3} brier {m.Test.Baseline.Brier:F5} p@10% {m.Test.Baseline.PrecisionTop10:F3} pnl {m.Test.Baseline.Pnl:F2}"));
                Progress($"verdict: {m.Verdict}");
                Progress($"wrote {path} and {ModelManifest.PathFor(path)}");
            }

            if (request.Slippage)
            {
                IReadOnlyList<string[]> sets = SlippageRun.DefaultCaptureSets(request.DataRoot);
                if (sets.Count == 0)
                {
                    stderr.WriteLine($"train: no captures under {request.DataRoot}/cex_ws/cryptofeed");
                    return 1;
                }

                string path = Path.Combine(request.OutFolder, "slippage.lgbm.txt");
                Progress($"train: slippage predictor on {sets.Count} capture sessions, seed {request.Seed}");
                SlippageManifest s = SlippageRun.Run(sets, path, horizonMs: 100, request.Seed, request.Quick ? 20 : 300, Progress);
                Progress(string.Create(CultureInfo.InvariantCulture, $"test ({s.TestRows} rows): RMSE model {s.TestRmseModel:F4} bps, depth walk {s.TestRmseBaseline:F4} bps"));
                Progress($"verdict: {s.Verdict}");
                Progress($"wrote {path}, its manifest and predictions (predicted against realised, per test row)");
            }

            if (request.AllAgents)
            {
                // Every model: the agents as `train --rl --agents` trains them, then judged walk-forward as committed.
                var agents = request with { Rl = true, Agents = string.Empty, Predictive = false, Slippage = false, AllAgents = false, RlSteps = request.Quick ? 2048 : 0 };
                int trained = AgentsCommand.Run(agents, stdout, stderr);
                return trained != 0 ? trained : AgentsCommand.Run(agents with { WalkForward = AgentWalkForward.DefaultFolds }, stdout, stderr);
            }

            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"train: {e.Message}");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            stderr.WriteLine($"train: {e.Message}");
            return 1;
        }
    }

    /// <summary><c>train --rl --env cartpole|pendulum --seed N [--steps N] [--json]</c>: PPO, progress lines, then the figures.</summary>
    private static int RunRl(TrainRequest request, TextWriter stdout, TextWriter stderr)
    {
        if (request.Predictive || request.Slippage)
        {
            return Usage(stderr, "--rl trains a reinforcement-learning benchmark; train the market models in another run");
        }

        if (request.Agents is not null)
        {
            return AgentsCommand.Run(request, stdout, stderr);
        }

        if (request.WalkForward != 0)
        {
            return Usage(stderr, "--walk-forward goes with --agents (the market agents)");
        }

        if (RlBenchmark.Find(request.RlEnv ?? "cartpole") is not { } benchmark)
        {
            return Usage(stderr, $"--env: '{request.RlEnv}' is not cartpole or pendulum");
        }

        long steps = request.RlSteps == 0 ? benchmark.DefaultSteps : request.RlSteps;
        PpoOptions options = benchmark.Options(request.Seed, steps);
        if (request.RlSteps < 0 || options.Validate() is not null)
        {
            return Usage(stderr, request.RlSteps < 0 ? $"--steps: {request.RlSteps} must be positive" : options.Validate()!);
        }

        string folder = Path.Combine(request.OutFolder, "rl");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Usage(stderr, $"--out: cannot create '{folder}' ({e.Message})");
        }

        void Progress(string line)
        {
            stdout.WriteLine(line);
            stdout.Flush();
        }

        try
        {
            Progress($"train: PPO on {benchmark.Name}, seed {request.Seed}, {options.Iterations * (long)options.BatchSize} steps ({options.Envs} envs × {options.StepsPerEnv} steps × {options.Iterations} iterations)");
            RlReport report = RlRun.Run(benchmark, request.Seed, steps, folder, Progress);
            Progress(RlRun.Describe(report));
            if (request.Json)
            {
                Progress(RlRun.SummaryJson(report));
            }

            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            stderr.WriteLine($"train: {e.Message}");
            return 1;
        }
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"train: {message}");
        return 2;
    }
}
