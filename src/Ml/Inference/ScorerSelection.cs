using LowLatency.Ml.Evaluation;

namespace LowLatency.Ml.Inference;

/// <summary>Which scorer the engine runs, and the one-line reason for the start-up log.</summary>
public sealed record ScorerChoice(ScorerModel? Model, ModelManifest? Manifest, string Reason)
{
    /// <summary>True when the rule-based baseline (net edge above threshold) decides.</summary>
    public bool UsesBaseline => Model is null;
}

/// <summary>
/// The <c>ENABLE_PREDICTIVE_ARBITRAGE</c> rule: the model is used only when the flag is on, its file loads (present,
/// complete, this feature schema) and its manifest says it beat the baseline out of sample; in every other case the
/// engine uses the baseline and says why. Start-up only; never throws for a bad file.
/// </summary>
public static class ScorerSelection
{
    public static ScorerChoice Choose(bool enablePredictive, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        if (!enablePredictive)
        {
            return new ScorerChoice(null, null, "scorer: baseline (ENABLE_PREDICTIVE_ARBITRAGE is off)");
        }

        if (!ScorerModel.TryLoad(modelPath, out ScorerModel? model, out string error))
        {
            return new ScorerChoice(null, null, $"scorer: baseline (model refused: {error})");
        }

        if (!ModelManifest.TryLoad(ModelManifest.PathFor(modelPath), out ModelManifest? manifest, out error))
        {
            return new ScorerChoice(null, null, $"scorer: baseline (manifest refused: {error})");
        }

        if (manifest!.FeatureSchemaVersion != HotPath.Features.FeatureIndex.SchemaVersion)
        {
            return new ScorerChoice(null, manifest, $"scorer: baseline (manifest is for feature schema v{manifest.FeatureSchemaVersion})");
        }

        if (!manifest.BeatsBaseline || manifest.Test is null)
        {
            return new ScorerChoice(null, manifest, $"scorer: baseline ({modelPath} did not beat the baseline out of sample: {Summary(manifest.Test)})");
        }

        return new ScorerChoice(model, manifest, $"scorer: model {modelPath} (beat the baseline out of sample: {Summary(manifest.Test)})");
    }

    private static string Summary(MetricsPair? test) => test is null
        ? "no test metrics"
        : FormattableString.Invariant($"Brier {test.Model.Brier:F4} vs {test.Baseline.Brier:F4}, P&L {test.Model.Pnl:F2} vs {test.Baseline.Pnl:F2} on {test.Model.Rows} rows");
}
