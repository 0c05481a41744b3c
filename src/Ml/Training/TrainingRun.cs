using System.Globalization;
using LowLatency.HotPath.Features;
using LowLatency.Ml.Data;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;

namespace LowLatency.Ml.Training;

/// <summary>
/// <c>train --predictive</c> end to end: candle files → rows and labels → walk-forward split → training with early stopping
/// → test metrics of the model (SIMD pass) and of the baseline on the same held-out rows → model file and manifest.
/// Cold path.
/// </summary>
public static class TrainingRun
{
    /// <summary>The candle files under a data folder that training uses by default (both cross-venue sets of shared/data).</summary>
    public static IReadOnlyList<string> DefaultCandleFiles(string dataRoot)
    {
        ArgumentNullException.ThrowIfNull(dataRoot);
        var files = new List<string>();
        foreach (string folder in new[] { "market_history/cross_venue_2023-03", "market_history/hourly_3venues_2017-2018" })
        {
            string path = Path.Combine(dataRoot, folder);
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.GetFiles(path).Where(f => !f.EndsWith("metadata.csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            }
        }

        return files;
    }

    public static FeatureDataset LoadCandles(IReadOnlyList<string> files, DatasetOptions options, int maxRowsPerStream = 0)
    {
        ArgumentNullException.ThrowIfNull(files);
        CandleSeries[] series = [.. files.Select(CandleSeries.Load)];
        FeatureDataset data = CandleDatasets.Build(series, options);
        return maxRowsPerStream > 0 ? Truncate(data, maxRowsPerStream, options) : data;
    }

    public static ModelManifest Run(IReadOnlyList<string> files, string modelPath, DatasetOptions datasetOptions, ScorerTrainOptions trainOptions,
        WalkForward split, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(datasetOptions);
        ArgumentNullException.ThrowIfNull(trainOptions);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(progress);
        FeatureDataset data = LoadCandles(files, datasetOptions, trainOptions.MaxRowsPerStream);
        SplitPart[] parts = split.Assign(data);
        progress($"data: {data.Count} rows in {data.Streams.Count} streams from {files.Count} files; train {parts.Count(p => p == SplitPart.Train)}, validation {parts.Count(p => p == SplitPart.Validation)}, test {parts.Count(p => p == SplitPart.Test)}");
        ScorerTrainResult result = ScorerTrainer.Train(data, parts, trainOptions, progress);
        (double fires, double otherwise) = Evaluator.BaselineRates(data, parts, datasetOptions);
        double[] scores = Evaluator.ScoreAll(result.Model, data);
        MetricsPair validation = Evaluator.Judge(Evaluator.Collect(scores, data, [.. parts.Select(p => p == SplitPart.Validation)], datasetOptions, fires, otherwise), datasetOptions);
        MetricsPair test = Evaluator.Judge(Evaluator.Collect(scores, data, [.. parts.Select(p => p == SplitPart.Test)], datasetOptions, fires, otherwise), datasetOptions);
        bool beats = Evaluator.Beats(test);
        result.Model.Save(modelPath);
        var manifest = new ModelManifest
        {
            Kind = "scorer",
            FeatureSchemaVersion = FeatureIndex.SchemaVersion,
            Features = [.. FeatureIndex.Names],
            DataFiles = [.. files.Select(Path.GetFileName).OfType<string>()],
            Streams = [.. Enumerable.Range(0, data.Streams.Count).Select(s => Range(data, split, s))],
            Seed = trainOptions.Seed,
            TrainingSeconds = Math.Round(result.Seconds, 1),
            Epochs = result.Epochs,
            BestEpoch = result.BestEpoch,
            Settings = Settings(datasetOptions, trainOptions, split),
            BaselineRateWhenFires = fires,
            BaselineRateOtherwise = otherwise,
            Validation = validation,
            Test = test,
            BeatsBaseline = beats,
            Verdict = beats
                ? "the model beat the baseline out of sample (lower Brier, higher P&L after costs): ENABLE_PREDICTIVE_ARBITRAGE may use it"
                : "the model did NOT beat the baseline out of sample: the engine uses the rule-based baseline",
        };
        manifest.Save(ModelManifest.PathFor(modelPath));
        return manifest;
    }

    private static StreamRange Range(FeatureDataset data, WalkForward split, int stream)
    {
        StreamInfo s = data.Streams[stream];
        WalkForward.Boundaries b = split.BoundariesOf(data, stream);
        return new StreamRange(s.Source, s.Candidate, Iso(data.TimeNs(s.Start)), Iso(data.TimeNs(s.Start + s.Count - 1)), Iso(b.ValidationStart), Iso(b.TestStart));
    }

    internal static string Iso(long ns) => DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    internal static long ParseIso(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds() * 1_000_000;

    private static Dictionary<string, double> Settings(DatasetOptions d, ScorerTrainOptions t, WalkForward split) => new()
    {
        ["horizonMs"] = d.HorizonMs,
        ["extraCostBps"] = d.ExtraCostBps,
        ["minProfitBps"] = d.MinProfitBps,
        ["baselineThresholdBps"] = d.BaselineThresholdBps,
        ["notionalQuote"] = d.NotionalQuote,
        ["trainFraction"] = split.TrainFraction,
        ["validationFraction"] = split.ValidationFraction,
        ["dModel"] = t.DModel,
        ["heads"] = t.Heads,
        ["feedForward"] = t.FeedForward,
        ["window"] = t.Window,
        ["hidden"] = t.Hidden,
        ["chunk"] = t.Chunk,
        ["learningRate"] = t.LearningRate,
        ["maxEpochs"] = t.MaxEpochs,
        ["patience"] = t.Patience,
    };

    private static FeatureDataset Truncate(FeatureDataset data, int rows, DatasetOptions options)
    {
        var result = new FeatureDataset();
        FeatureFrame frame = default;
        foreach (StreamInfo s in data.Streams)
        {
            result.BeginStream(s.Source, s.Candidate);
            for (int i = s.Start; i < s.Start + Math.Min(rows, s.Count); i++)
            {
                data.Row(i).CopyTo(frame);
                result.Add(in frame, data.TimeNs(i), data.NetEdgeBps(i));
            }

            result.LabelStream(options);
        }

        return result;
    }
}
