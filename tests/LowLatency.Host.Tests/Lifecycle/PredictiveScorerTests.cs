using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Features;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Lifecycle;

/// <summary>ENABLE_PREDICTIVE_ARBITRAGE in the running engine: the model decides only when its manifest shows it beat the baseline.</summary>
public sealed class PredictiveScorerTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static (DryRunEngine.Result Result, string Console, string Log) Run(Func<string, string?> environment, string? scorerModel = null)
    {
        using var folder = new TempFolder();
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(folder.Write("certain.json", CertainMarket.Json), environment);
        Assert.Empty(errors);
        if (scorerModel is not null)
        {
            options = options with { ScorerModel = scorerModel };
        }

        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, EngineLogs.QueueCapacity);
        var console = new StringWriter();
        DryRunEngine.Result result = Task.Run(() => new DryRunEngine(options, console, logs).Run(new RunLimits(MaxTicks: 3000), CancellationToken.None))
            .WaitAsync(s_hangGuard).GetAwaiter().GetResult();
        return (result, console.ToString(), string.Join("\n", output.Lines));
    }

    [Fact]
    public void Off_by_default_the_baseline_decides_and_says_so()
    {
        (DryRunEngine.Result result, string console, string log) = Run(_ => null);
        Assert.Equal("baseline", result.Scorer);
        Assert.Equal(0, result.Scored);
        Assert.Contains("scorer: baseline (ENABLE_PREDICTIVE_ARBITRAGE is off)", console, StringComparison.Ordinal);
        Assert.Contains("ENABLE_PREDICTIVE_ARBITRAGE is off", log, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_model_did_not_beat_its_baseline_so_the_flag_leaves_the_baseline_deciding()
    {
        string shipped = Path.Combine(SharedData.RepoRoot, "models", "scorer.llm");
        Assert.True(ModelManifest.TryLoad(ModelManifest.PathFor(shipped), out ModelManifest? manifest, out string error), error);
        Assert.False(manifest!.BeatsBaseline); // README's verdict; if a retrained model wins, this test must change with it
        (DryRunEngine.Result result, string console, _) = Run(name => name == "ENABLE_PREDICTIVE_ARBITRAGE" ? "true" : null, shipped);
        Assert.Equal("baseline", result.Scorer);
        Assert.Contains("did not beat the baseline", console, StringComparison.Ordinal);
    }

    private static string WinningModel(TempFolder folder, float outputBias)
    {
        string path = Path.Combine(folder.Path, "scorer.llm");
        var model = new ScorerModel();
        model.OutB[0] = outputBias; // zero weights elsewhere: every score is sigmoid(bias)
        model.Save(path);
        var metrics = new ScoreMetrics(0.9, 0.1, 0.5, 10, 5, 100);
        new ModelManifest
        {
            FeatureSchemaVersion = FeatureIndex.SchemaVersion,
            BeatsBaseline = true,
            Test = new MetricsPair(metrics, metrics with { Pnl = 1 }),
        }.Save(ModelManifest.PathFor(path));
        return path;
    }

    [Fact]
    public void A_model_whose_manifest_beat_the_baseline_scores_every_candidate_on_the_strategy_thread()
    {
        using var folder = new TempFolder();
        string path = WinningModel(folder, outputBias: 10);
        (DryRunEngine.Result result, string console, string log) = Run(name => name == "ENABLE_PREDICTIVE_ARBITRAGE" ? "1" : null, path);
        Assert.Equal("model", result.Scorer);
        Assert.True(result.Scored > 0, "the scorer stepped no frame");
        Assert.Contains($"scorer: model {path}", console, StringComparison.Ordinal);
        Assert.Contains("\"scorer\":\"model\"", log, StringComparison.Ordinal);
        Assert.True(result.Opportunities > 0);
        Assert.True(result.ScorerVetoed < result.Opportunities, "a model scoring ~1 let nothing through");
    }

    [Fact]
    public void A_model_that_scores_every_candidate_low_holds_back_what_it_has_scored()
    {
        using var folder = new TempFolder();
        string path = WinningModel(folder, outputBias: -10);
        (DryRunEngine.Result result, string console, _) = Run(name => name == "ENABLE_PREDICTIVE_ARBITRAGE" ? "1" : null, path);
        Assert.Equal("model", result.Scorer);
        Assert.True(result.Opportunities > 0);
        Assert.Equal(result.Opportunities, result.ScorerVetoed); // still logged, none acted on
        Assert.Contains("let 0 through", console, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_switch_value_is_a_configuration_error()
    {
        using var folder = new TempFolder();
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(folder.Write("certain.json", CertainMarket.Json), name => name == "ENABLE_PREDICTIVE_ARBITRAGE" ? "maybe" : null);
        Assert.Contains("ENABLE_PREDICTIVE_ARBITRAGE: 'maybe' must be true or false (or 1 or 0)", errors);
    }
}
