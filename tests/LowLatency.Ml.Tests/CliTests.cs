using System.Text.Json;
using LowLatency.Ml.Cli;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests;

/// <summary>train and evaluate as the CLI runs them: exit codes, one-line errors, JSON shape, charts.</summary>
public sealed class CliTests
{
    private static readonly Lazy<string> s_quickModels = new(() =>
    {
        TorchFixture.Ensure();
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        int exit = TrainCommand.Run(new TrainRequest { Predictive = true, DataRoot = SharedData.Root, OutFolder = folder, Quick = true }, new StringWriter(), new StringWriter());
        Assert.Equal(0, exit);
        return folder;
    });

    private static string KrakenUsd() => SharedData.File("market_history", "cross_venue_2023-03", "kraken_XBTUSD_5m_2023-03-01_2023-03-21.csv");

    private static string BinanceUsUsd() => SharedData.File("market_history", "cross_venue_2023-03", "binanceus_BTCUSD_1m_2023-03-01_2023-03-21.csv.gz");

    private static (int Exit, string Out, string Err) Evaluate(string? model, string[] data, bool json = false, string? plot = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = EvaluateCommand.Run(model, data, json, plot, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Train_without_a_target_is_a_usage_error()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, TrainCommand.Run(new TrainRequest { DataRoot = SharedData.Root }, new StringWriter(), stderr));
        Assert.Equal("train: say what to train: --all, --predictive or --slippage\n", stderr.ToString().ReplaceLineEndings("\n"));
        stderr = new StringWriter();
        Assert.Equal(2, TrainCommand.Run(new TrainRequest { Predictive = true, DataRoot = "/nonexistent" }, new StringWriter(), stderr));
        Assert.StartsWith("train: --data: no such folder", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_all_trains_every_model_the_agents_and_their_walk_forward_included()
    {
        TorchFixture.Ensure();
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-all-" + Guid.NewGuid().ToString("N"));
        try
        {
            var stderr = new StringWriter();
            int exit = TrainCommand.Run(new TrainRequest { Predictive = true, Slippage = true, AllAgents = true, DataRoot = SharedData.Root, OutFolder = folder, Quick = true }, new StringWriter(), stderr);
            Assert.True(exit == 0, stderr.ToString());
            foreach (string file in new[] { "scorer.llm", "slippage.lgbm.txt", "multi_agent_rl/RESULTS.md", "multi_agent_rl/WALK_FORWARD.md" })
            {
                Assert.True(File.Exists(Path.Combine(folder, file)), file);
            }

            for (int id = 1; id <= 5; id++)
            {
                using JsonDocument m = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "multi_agent_rl", $"agent_{id}.manifest.json")));
                Assert.Equal(3, m.RootElement.GetProperty("walkForward").GetProperty("folds").GetArrayLength());
                Assert.Equal(2048, m.RootElement.GetProperty("steps").GetInt64()); // --quick
            }
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
    public void Evaluate_json_reports_rows_and_both_scorers_on_the_same_rows()
    {
        string model = Path.Combine(s_quickModels.Value, "scorer.llm");
        (int exit, string output, string error) = Evaluate(model, [KrakenUsd(), BinanceUsUsd()], json: true);
        Assert.True(exit == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        int rows = root.GetProperty("rows").GetInt32();
        Assert.True(rows > 5_000, $"{rows}"); // another pair than the quick run trained on: all of it is held out
        foreach (string scorer in new[] { "model", "baseline" })
        {
            JsonElement m = root.GetProperty(scorer);
            foreach (string metric in new[] { "auc", "brier", "precisionTop10", "pnl" })
            {
                Assert.True(m.TryGetProperty(metric, out _), $"{scorer}.{metric}");
            }
        }

        Assert.Single(output.Trim().Split('\n'));
    }

    [Fact]
    public void Evaluate_prints_a_table_and_writes_three_png_charts()
    {
        string model = Path.Combine(s_quickModels.Value, "scorer.llm");
        string plots = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        (int exit, string output, string error) = Evaluate(model, [KrakenUsd(), BinanceUsUsd()], plot: plots);
        Assert.True(exit == 0, error);
        Assert.Contains("model ", output, StringComparison.Ordinal);
        Assert.Contains("baseline ", output, StringComparison.Ordinal);
        Assert.Contains("verdict:", output, StringComparison.Ordinal);
        foreach (string name in new[] { "calibration.png", "precision_coverage.png", "cumulative_pnl.png" })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(plots, name));
            Assert.True(png.Length > 5_000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', name);
        }
    }

    [Fact]
    public void Evaluate_refuses_a_missing_model_with_exit_2_and_a_damaged_one_with_exit_1()
    {
        (int exit, string output, string error) = Evaluate("/nonexistent/scorer.llm", [KrakenUsd()]);
        Assert.Equal(2, exit);
        Assert.Equal("evaluate: /nonexistent/scorer.llm: no such model file", error.Trim());
        Assert.Empty(output);

        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string damaged = Path.Combine(folder, "scorer.llm");
        byte[] bytes = File.ReadAllBytes(Path.Combine(s_quickModels.Value, "scorer.llm"));
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        File.Copy(Path.Combine(s_quickModels.Value, "scorer.manifest.json"), Path.Combine(folder, "scorer.manifest.json"));
        (exit, _, error) = Evaluate(damaged, [KrakenUsd()]);
        Assert.Equal(1, exit);
        Assert.Equal($"evaluate: {damaged}: truncated or damaged (checksum mismatch)", error.Trim());
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_names_a_bad_data_line_with_exit_1()
    {
        string bad = Path.Combine(Path.GetTempPath(), $"kraken_XBTUSD_5m_{Guid.NewGuid():N}.csv");
        File.WriteAllLines(bad, ["1677628800,1,1,1,23163.0,0.1,5", "garbage"]);
        (int exit, _, string error) = Evaluate(Path.Combine(s_quickModels.Value, "scorer.llm"), [bad]);
        Assert.Equal(1, exit);
        Assert.StartsWith($"evaluate: {Path.GetFileName(bad)}:2:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_uses_the_model_only_when_enabled_loadable_and_better_than_the_baseline()
    {
        string model = Path.Combine(s_quickModels.Value, "scorer.llm");
        ScorerChoice off = ScorerSelection.Choose(false, model);
        Assert.True(off.UsesBaseline);
        Assert.Equal("scorer: baseline (ENABLE_PREDICTIVE_ARBITRAGE is off)", off.Reason);

        ScorerChoice missing = ScorerSelection.Choose(true, "/nonexistent/scorer.llm");
        Assert.True(missing.UsesBaseline);
        Assert.Contains("model refused: /nonexistent/scorer.llm: no such model file", missing.Reason, StringComparison.Ordinal);

        // The quick model's manifest says what it measured; copy it with each verdict to see both branches.
        string folder = Path.Combine(Path.GetTempPath(), "lowlatency-ml-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string copy = Path.Combine(folder, "scorer.llm");
        File.Copy(model, copy);
        Assert.True(ModelManifest.TryLoad(ModelManifest.PathFor(model), out ModelManifest? manifest, out string error), error);
        (manifest! with { BeatsBaseline = false }).Save(ModelManifest.PathFor(copy));
        ScorerChoice lost = ScorerSelection.Choose(true, copy);
        Assert.True(lost.UsesBaseline);
        Assert.Contains("did not beat the baseline", lost.Reason, StringComparison.Ordinal);

        (manifest with { BeatsBaseline = true }).Save(ModelManifest.PathFor(copy));
        ScorerChoice won = ScorerSelection.Choose(true, copy);
        Assert.False(won.UsesBaseline);
        Assert.NotNull(won.Model);
        Assert.StartsWith($"scorer: model {copy}", won.Reason, StringComparison.Ordinal);

        (manifest with { BeatsBaseline = true, FeatureSchemaVersion = 0 }).Save(ModelManifest.PathFor(copy));
        Assert.True(ScorerSelection.Choose(true, copy).UsesBaseline);
    }

    [Fact]
    public void Evaluate_that_cannot_write_its_charts_fails_with_exit_1_and_one_line()
    {
        string blocker = Path.GetTempFileName(); // a file where the chart folder should be
        (int exit, _, string error) = Evaluate(Path.Combine(s_quickModels.Value, "scorer.llm"), [KrakenUsd(), BinanceUsUsd()], plot: blocker);
        Assert.Equal(1, exit);
        Assert.StartsWith($"evaluate: cannot write the charts to {blocker}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
