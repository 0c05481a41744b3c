using System.Globalization;
using System.Text.Json;
using LowLatency.Ml.Data;
using LowLatency.Ml.Evaluation;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Training;

namespace LowLatency.Ml.Cli;

/// <summary>
/// <c>evaluate --model FILE --data FILES... [--json] [--plot DIR]</c>: the model and the rule-based baseline on the same
/// held-out rows. Rows of a stream the model trained on count only from that stream's test start (manifest); every row
/// of any other data (another pair, another period) is held out. Labels and costs are the manifest's. Exit codes: 0,
/// 1 (a damaged model or data file), 2 (usage). Cold path.
/// </summary>
public static class EvaluateCommand
{
    public static int Run(string? modelPath, IReadOnlyList<string> dataFiles, bool json, string? plotFolder, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(dataFiles);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (string.IsNullOrEmpty(modelPath))
        {
            return Usage(stderr, "--model FILE is required");
        }

        if (dataFiles.Count == 0)
        {
            return Usage(stderr, "--data needs at least one file");
        }

        if (!File.Exists(modelPath))
        {
            return Usage(stderr, $"{modelPath}: no such model file");
        }

        foreach (string file in dataFiles)
        {
            if (!File.Exists(file))
            {
                return Usage(stderr, $"{file}: no such data file");
            }
        }

        if (!ScorerModel.TryLoad(modelPath, out ScorerModel? model, out string error) || !ModelManifest.TryLoad(ModelManifest.PathFor(modelPath), out ModelManifest? manifest, out error))
        {
            stderr.WriteLine($"evaluate: {error}");
            return 1;
        }

        DatasetOptions options = OptionsOf(manifest!);
        bool[] isCandle = [.. dataFiles.Select(IsCandleFile)];
        if (isCandle.Distinct().Count() > 1)
        {
            return Usage(stderr, "--data mixes candle files and captures; evaluate them separately");
        }

        FeatureDataset data;
        try
        {
            data = isCandle[0] ? CandleDatasets.Build([.. dataFiles.Select(CandleSeries.Load)], options) : CaptureDatasets.Build(dataFiles, options);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"evaluate: {e.Message}");
            return 1;
        }

        if (data.Streams.Count == 0)
        {
            stderr.WriteLine("evaluate: the data holds no candidate (two venues quoting one symbol)");
            return 1;
        }

        bool[] heldOut = HeldOut(data, manifest!);
        double[] scores = Evaluator.ScoreAll(model!, data);
        EvaluatedRows rows = Evaluator.Collect(scores, data, heldOut, options, manifest!.BaselineRateWhenFires, manifest.BaselineRateOtherwise);
        if (rows.Labels.Length == 0)
        {
            stderr.WriteLine("evaluate: no held-out labelled rows in the data (all of it was used in training)");
            return 1;
        }

        MetricsPair pair = Evaluator.Judge(rows, options);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                rows = rows.Labels.Length,
                model = Summary(pair.Model),
                baseline = Summary(pair.Baseline),
            }, s_compact));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluate: {rows.Labels.Length} held-out rows in {data.Streams.Count} streams, {rows.Labels.Count(l => l == 1)} positive (horizon {options.HorizonMs} ms, extra cost {options.ExtraCostBps} bps)"));
            stdout.WriteLine("            auc     brier    prec@10%   pnl        acted");
            stdout.WriteLine(Line("model", pair.Model));
            stdout.WriteLine(Line("baseline", pair.Baseline));
            stdout.WriteLine(Evaluator.Beats(pair)
                ? "verdict: the model beats the baseline on these rows (lower Brier, higher P&L after costs)"
                : "verdict: the model does NOT beat the baseline on these rows");
        }

        if (plotFolder is not null)
        {
            try
            {
                foreach (string path in Plots.Write(rows, plotFolder, options.NotionalQuote, options.BaselineThresholdBps))
                {
                    stderr.WriteLine($"evaluate: wrote {path}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"evaluate: cannot write the charts to {plotFolder} ({e.Message})");
                return 1;
            }
        }

        return 0;
    }

    private static readonly JsonSerializerOptions s_compact = new(ModelManifest.JsonOptions) { WriteIndented = false };

    /// <summary>The label and cost settings a model was trained with.</summary>
    public static DatasetOptions OptionsOf(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var o = new DatasetOptions();
        double Get(string key, double fallback) => manifest.Settings.TryGetValue(key, out double v) ? v : fallback;
        return o with
        {
            HorizonMs = Get("horizonMs", o.HorizonMs),
            ExtraCostBps = Get("extraCostBps", o.ExtraCostBps),
            MinProfitBps = Get("minProfitBps", o.MinProfitBps),
            BaselineThresholdBps = Get("baselineThresholdBps", o.BaselineThresholdBps),
            NotionalQuote = Get("notionalQuote", o.NotionalQuote),
        };
    }

    internal static bool IsCandleFile(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase);

    private static bool[] HeldOut(FeatureDataset data, ModelManifest manifest)
    {
        var testStart = new Dictionary<(string, string), long>();
        foreach (StreamRange s in manifest.Streams)
        {
            testStart[(s.Source, s.Candidate)] = TrainingRun.ParseIso(s.TestStart);
        }

        var use = new bool[data.Count];
        foreach (StreamInfo s in data.Streams)
        {
            long from = testStart.TryGetValue((s.Source, s.Candidate), out long t) ? t : long.MinValue;
            for (int i = s.Start; i < s.Start + s.Count; i++)
            {
                use[i] = data.TimeNs(i) >= from;
            }
        }

        return use;
    }

    private static object Summary(ScoreMetrics m) => new { auc = m.Auc, brier = m.Brier, precisionTop10 = m.PrecisionTop10, pnl = m.Pnl, acted = m.Acted };

    private static string Line(string name, ScoreMetrics m) =>
        string.Create(CultureInfo.InvariantCulture, $"{name,-10}  {m.Auc,6:F3}  {m.Brier,8:F5}  {m.PrecisionTop10,8:F3}  {m.Pnl,9:F2}  {m.Acted,7}");

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"evaluate: {message}");
        return 2;
    }
}
