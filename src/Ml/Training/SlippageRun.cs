using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Ml.Data;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;

namespace LowLatency.Ml.Training;

/// <summary>What the slippage model is and how it did out of sample against the depth-walk baseline.</summary>
public sealed record SlippageManifest
{
    public string Kind { get; init; } = "slippage";

    public IReadOnlyList<string> Features { get; init; } = [];

    public IReadOnlyList<string> DataFiles { get; init; } = [];

    public IReadOnlyList<string> Streams { get; init; } = [];

    public double HorizonMs { get; init; }

    public int Seed { get; init; }

    public string Parameters { get; init; } = string.Empty;

    public int Iterations { get; init; }

    public double TrainingSeconds { get; init; }

    public int TrainRows { get; init; }

    public int ValidationRows { get; init; }

    public int TestRows { get; init; }

    public double TestRmseModel { get; init; }

    public double TestRmseBaseline { get; init; }

    public bool BeatsBaseline { get; init; }

    public string Verdict { get; init; } = string.Empty;
}

/// <summary>
/// <c>train --slippage</c>: capture books → rows → chronological split per book (70/15/15, purged by Δ) → LightGBM
/// (one thread: OpenMP spin-waits make two threads slower on two cores) learning the correction to the depth walk
/// (prediction = walk now + trees), with the round count chosen on validation →
/// test RMSE of the model (our tree walker) and of the depth-walk baseline → model text, manifest, and every test row's
/// predicted and realised slippage as CSV. Cold path.
/// </summary>
public static class SlippageRun
{
    /// <summary>The capture sets under a data folder (each a venue's session: WebSocket file and REST snapshot file).</summary>
    public static IReadOnlyList<string[]> DefaultCaptureSets(string dataRoot)
    {
        string c = Path.Combine(dataRoot, "cex_ws", "cryptofeed");
        string[][] sets =
        [
            ["BINANCE.ws.1.0", "BINANCE.http.0.0"], ["BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.http.0.0"], ["OKX.ws.1.0"],
            ["KRAKEN.ws.48.0"], ["KRAKEN.ws.49.0"], ["KRAKEN.ws.50.0"],
        ];
        return [.. sets.Select(s => s.Select(f => Path.Combine(c, f)).ToArray()).Where(s => s.All(File.Exists))];
    }

    public static SlippageManifest Run(IReadOnlyList<string[]> captureSets, string modelPath, double horizonMs, int seed, int maxRounds, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(captureSets);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        // A session the replay cannot read (a trades-only capture has no book to walk) is skipped and said, not fatal.
        var sets = new List<SlippageDataset>(captureSets.Count);
        var skipped = new List<string>();
        foreach (string[] files in captureSets)
        {
            if (ReplaySession.TryLoad(files, out ReplaySession? session, out string? error))
            {
                sets.Add(SlippageDataset.FromSession(session, horizonMs));
            }
            else
            {
                skipped.Add(error);
                progress("slippage data: skipped " + error);
            }
        }

        if (sets.Count == 0)
        {
            throw new InvalidDataException("no capture session could be replayed: " + string.Join("; ", skipped));
        }

        var parts = new List<(SlippageDataset Data, SplitPart[] Parts)>();
        foreach (SlippageDataset d in sets)
        {
            parts.Add((d, Split(d, (long)(horizonMs * 1e6))));
        }

        (double[] trainX, float[] trainY, int trainRows) = Gather(parts, SplitPart.Train);
        (double[] validX, float[] validY, int validRows) = Gather(parts, SplitPart.Validation);
        (double[] testX, float[] testY, int testRows) = Gather(parts, SplitPart.Test);

        // The trees learn the correction to the depth walk (realised − walk now), so "no correction" is the baseline itself.
        float[] trainResidual = [.. Enumerable.Range(0, trainRows).Select(i => (float)(trainY[i] - trainX[i * SlippageDataset.FeatureCount]))];
        double[] validBaseline = [.. Enumerable.Range(0, validRows).Select(i => validX[i * SlippageDataset.FeatureCount])];
        progress($"slippage data: {trainRows} train, {validRows} validation, {testRows} test rows from {sets.Sum(s => s.Streams.Count)} books");
        if (trainRows < 50 || validRows < 10 || testRows < 10)
        {
            throw new InvalidDataException($"too few slippage rows ({trainRows}/{validRows}/{testRows}) to train and judge");
        }

        string parameters = string.Create(CultureInfo.InvariantCulture,
            $"objective=regression num_threads=1 seed={seed} deterministic=true force_row_wise=true learning_rate=0.05 num_leaves=15 min_data_in_leaf=20 verbosity=-1");
        using LightGbm gbm = LightGbm.Create(trainX, trainRows, SlippageDataset.FeatureCount, trainResidual, parameters);
        int best = 0;
        double bestRmse = double.PositiveInfinity;
        for (int round = 1; round <= maxRounds; round++)
        {
            if (!gbm.UpdateOneIteration())
            {
                break;
            }

            if (round % 10 == 0 || round == maxRounds)
            {
                double[] correction = gbm.Predict(validX, validRows, SlippageDataset.FeatureCount, round);
                double rmse = Rmse([.. correction.Select((c, i) => validBaseline[i] + c)], validY);
                if (rmse < bestRmse)
                {
                    bestRmse = rmse;
                    best = round;
                }

                progress(string.Create(CultureInfo.InvariantCulture, $"round {round}/{maxRounds}  val_rmse {rmse:F4} bps  best {best}  eta ≤{clock.Elapsed.TotalSeconds / round * (maxRounds - round):F0}s"));
            }
        }

        string text = gbm.SaveModelToString(best);
        TreeEnsemble trees = TreeEnsemble.Parse(text);
        var predicted = new double[testRows];
        var baseline = new double[testRows];
        for (int i = 0; i < testRows; i++)
        {
            ReadOnlySpan<double> row = testX.AsSpan(i * SlippageDataset.FeatureCount, SlippageDataset.FeatureCount);
            baseline[i] = row[0];
            predicted[i] = row[0] + trees.Predict(row);
        }

        double modelRmse = Rmse(predicted, testY);
        double baselineRmse = Rmse(baseline, testY);
        File.WriteAllText(modelPath, text);
        WritePredictions(Path.ChangeExtension(modelPath, null) + ".predictions.csv", parts, predicted, baseline, testY);
        bool beats = modelRmse < baselineRmse;
        var manifest = new SlippageManifest
        {
            Features = SlippageDataset.FeatureNames,
            DataFiles = [.. captureSets.SelectMany(s => s).Select(Path.GetFileName).OfType<string>()],
            Streams = [.. sets.SelectMany(s => s.Streams)],
            HorizonMs = horizonMs,
            Seed = seed,
            Parameters = parameters,
            Iterations = best,
            TrainingSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            TrainRows = trainRows,
            ValidationRows = validRows,
            TestRows = testRows,
            TestRmseModel = modelRmse,
            TestRmseBaseline = baselineRmse,
            BeatsBaseline = beats,
            Verdict = beats ? "LightGBM predicts the slippage at t + Δ better than the depth walk now (lower test RMSE)" : "LightGBM does NOT beat the depth-walk baseline: use the depth walk",
        };
        File.WriteAllText(Path.ChangeExtension(modelPath, null) + ".manifest.json", JsonSerializer.Serialize(manifest, ModelManifest.JsonOptions) + "\n");
        return manifest;
    }

    /// <summary>Per book stream, by time: 70 % train, 15 % validation, 15 % test; a row whose target lies in the next part is purged.</summary>
    internal static SplitPart[] Split(SlippageDataset data, long horizonNs)
    {
        var parts = new SplitPart[data.Count];
        int start = 0;
        while (start < data.Count)
        {
            int end = start;
            while (end < data.Count && data.StreamOf(end) == data.StreamOf(start))
            {
                end++;
            }

            long first = data.TimeNs(start);
            double span = data.TimeNs(end - 1) - first;
            long validation = first + (long)(span * 0.7);
            long test = first + (long)(span * 0.85);
            for (int i = start; i < end; i++)
            {
                long t = data.TimeNs(i);
                parts[i] = t < validation ? (t + horizonNs < validation ? SplitPart.Train : SplitPart.None)
                    : t < test ? (t + horizonNs < test ? SplitPart.Validation : SplitPart.None)
                    : SplitPart.Test;
            }

            start = end;
        }

        return parts;
    }

    private static (double[] X, float[] Y, int Rows) Gather(List<(SlippageDataset Data, SplitPart[] Parts)> sets, SplitPart part)
    {
        var x = new List<double>();
        var y = new List<float>();
        foreach ((SlippageDataset data, SplitPart[] parts) in sets)
        {
            for (int i = 0; i < data.Count; i++)
            {
                if (parts[i] == part)
                {
                    x.AddRange(data.Row(i));
                    y.Add((float)data.Target(i));
                }
            }
        }

        return ([.. x], [.. y], y.Count);
    }

    internal static double Rmse(ReadOnlySpan<double> predicted, ReadOnlySpan<float> actual)
    {
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = predicted[i] - actual[i];
            sum += e * e;
        }

        return actual.Length == 0 ? double.NaN : Math.Sqrt(sum / actual.Length);
    }

    private static void WritePredictions(string path, List<(SlippageDataset Data, SplitPart[] Parts)> sets, double[] predicted, double[] baseline, float[] realised)
    {
        var csv = new StringBuilder("time_utc,book,predicted_bps,depth_walk_bps,realised_bps\n");
        int k = 0;
        foreach ((SlippageDataset data, SplitPart[] parts) in sets)
        {
            for (int i = 0; i < data.Count; i++)
            {
                if (parts[i] != SplitPart.Test)
                {
                    continue;
                }

                csv.Append(CultureInfo.InvariantCulture, $"{DateTimeOffset.FromUnixTimeMilliseconds(data.TimeNs(i) / 1_000_000):yyyy-MM-ddTHH:mm:ss.fffZ},{data.Streams[data.StreamOf(i)]},{predicted[k]:R},{baseline[k]:R},{realised[k]:R}\n");
                k++;
            }
        }

        File.WriteAllText(path, csv.ToString());
    }
}
