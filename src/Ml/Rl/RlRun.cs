using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScottPlot;

namespace LowLatency.Ml.Rl;

/// <summary>A benchmark environment with its PPO settings and its published reference.</summary>
public sealed record RlBenchmark(string Name, Func<IRlEnvironment> Create, Func<int, long, PpoOptions> Options, long DefaultSteps, double Reference, string ReferenceSource)
{
    public static readonly RlBenchmark CartPole = new(
        "cartpole", () => new CartPole(), (seed, steps) => PpoOptions.CartPole(seed, steps), 500_000, 490, "CleanRL ppo.py, 490 ± 6 over 3 seeds");

    public static readonly RlBenchmark Pendulum = new(
        "pendulum", () => new Pendulum(), (seed, steps) => PpoOptions.Pendulum(seed, steps), 200_000, -172, "SB3 RL zoo PPO, −172 ± 104");

    /// <summary>The benchmark called <paramref name="name"/> (cartpole | pendulum), or null.</summary>
    public static RlBenchmark? Find(string name) => name.ToLowerInvariant() switch
    {
        "cartpole" or "cartpole-v1" => CartPole,
        "pendulum" or "pendulum-v1" => Pendulum,
        _ => null,
    };
}

/// <summary>The figures of one run, as <c>train --rl --json</c> prints them (and more in the results file).</summary>
public sealed record RlReport(string Env, int Seed, long Steps, double Last100, double Greedy100, long? FirstReach475, int Episodes, double Seconds);

/// <summary>Trains one seed on one benchmark, evaluates greedily, writes the learning curve (PNG), results (JSON) and weights. Cold path.</summary>
public static class RlRun
{
    public const int EvalSeedOffset = 1_000_000;

    public static RlReport Run(RlBenchmark benchmark, int seed, long steps, string outFolder, Action<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        PpoOptions options = benchmark.Options(seed, steps);
        PpoResult result = PpoTrainer.Train(benchmark.Create, options, progress);
        double[] greedy = PpoTrainer.EvaluateGreedy(result.Policy, benchmark.Create(), options.EvalEpisodes, seed + EvalSeedOffset);
        double greedyMean = greedy.Length == 0 ? double.NaN : greedy.Sum() / greedy.Length;
        long? reach = Curves.FirstReach(result.Episodes, 100, 475);
        var report = new RlReport(benchmark.Name, seed, result.Steps, result.Last100, greedyMean, benchmark == RlBenchmark.CartPole ? reach : null, result.Episodes.Count, result.Seconds);
        if (outFolder.Length > 0)
        {
            Directory.CreateDirectory(outFolder);
            string stem = Path.Combine(outFolder, $"{benchmark.Name}.seed{seed}");
            WriteCurve(result.Episodes, benchmark, seed, stem + ".png");
            File.WriteAllText(stem + ".json", ResultsJson(report, options, benchmark, greedy).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            PolicyFile.Write(result.Policy, stem + ".policy.bin");
            progress?.Invoke($"wrote {stem}.png, {stem}.json and {stem}.policy.bin");
        }

        return report;
    }

    /// <summary>The one-line JSON summary: <c>{"env":…,"seed":…,"steps":…,"last100":…,"greedy100":…}</c>.</summary>
    public static string SummaryJson(RlReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = new JsonObject
        {
            ["env"] = report.Env,
            ["seed"] = report.Seed,
            ["steps"] = report.Steps,
            ["last100"] = Round(report.Last100),
            ["greedy100"] = Round(report.Greedy100),
        };
        return o.ToJsonString();
    }

    /// <summary>Episodic return against steps, the rolling 100-episode mean and the published reference as a line.</summary>
    public static void WriteCurve(IReadOnlyList<EpisodeRecord> episodes, RlBenchmark benchmark, int seed, string path)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        ArgumentNullException.ThrowIfNull(benchmark);
        var plot = new Plot();
        double[] xs = new double[episodes.Count];
        double[] ys = new double[episodes.Count];
        for (int i = 0; i < episodes.Count; i++)
        {
            xs[i] = episodes[i].Step;
            ys[i] = episodes[i].Return;
        }

        var raw = plot.Add.ScatterPoints(xs, ys);
        raw.MarkerSize = 2;
        raw.LegendText = "episode return";
        (long[] steps, double[] means) = Curves.Rolling(episodes, 100);
        var rx = new List<double>();
        var ry = new List<double>();
        for (int i = 0; i < means.Length; i++)
        {
            if (!double.IsNaN(means[i]))
            {
                rx.Add(steps[i]);
                ry.Add(means[i]);
            }
        }

        if (rx.Count > 0)
        {
            var rolling = plot.Add.ScatterLine(rx.ToArray(), ry.ToArray());
            rolling.LineWidth = 2;
            rolling.LegendText = "mean of the last 100";
        }

        var reference = plot.Add.HorizontalLine(benchmark.Reference);
        reference.LinePattern = LinePattern.Dashed;
        reference.LegendText = $"published: {benchmark.ReferenceSource}";
        plot.Title($"PPO (ours, TorchSharp) on {benchmark.Name}, seed {seed}");
        plot.XLabel("environment steps");
        plot.YLabel("episodic return");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }

    private static JsonObject ResultsJson(RlReport report, PpoOptions options, RlBenchmark benchmark, double[] greedy)
    {
        var settings = new JsonObject();
        foreach (var p in typeof(PpoOptions).GetProperties())
        {
            object? v = p.GetValue(options);
            settings[char.ToLowerInvariant(p.Name[0]) + p.Name[1..]] = v switch
            {
                bool b => b,
                int i => i,
                long l => l,
                double d => d,
                _ => v?.ToString(),
            };
        }

        return new JsonObject
        {
            ["env"] = report.Env,
            ["seed"] = report.Seed,
            ["steps"] = report.Steps,
            ["episodes"] = report.Episodes,
            ["last100"] = Round(report.Last100),
            ["greedy100"] = Round(report.Greedy100),
            ["greedyMin"] = greedy.Length == 0 ? null : Round(greedy.Min()),
            ["firstReach475"] = report.FirstReach475,
            ["seconds"] = Math.Round(report.Seconds, 1),
            ["reference"] = benchmark.Reference,
            ["referenceSource"] = benchmark.ReferenceSource,
            ["evalSeed"] = report.Seed + EvalSeedOffset,
            ["options"] = settings,
        };
    }

    /// <summary>Two decimals; null for a figure that does not exist (no episode finished), as JSON has no NaN.</summary>
    private static double? Round(double v) => double.IsFinite(v) ? Math.Round(v, 2) : null;

    /// <summary>One progress-free human line of a report.</summary>
    public static string Describe(RlReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        string reach = report.FirstReach475 is long r ? r.ToString(CultureInfo.InvariantCulture) : "never";
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Env} seed {report.Seed}: {report.Steps} steps, {report.Episodes} episodes, last100 {report.Last100:F1}, greedy100 {report.Greedy100:F1}{(report.Env == "cartpole" ? $", rolling mean ≥ 475 first at step {reach}" : string.Empty)}, {report.Seconds:F0} s");
    }
}
