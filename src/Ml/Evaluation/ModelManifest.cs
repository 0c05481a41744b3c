using System.Text.Json;
using System.Text.Json.Serialization;

namespace LowLatency.Ml.Evaluation;

/// <summary>What a model is, what it was trained on and how it did out of sample against its baseline: written beside the model file as <c>NAME.manifest.json</c>.</summary>
public sealed record ModelManifest
{
    public string Kind { get; init; } = "scorer";

    public int Version { get; init; } = 1;

    public int FeatureSchemaVersion { get; init; }

    public IReadOnlyList<string> Features { get; init; } = [];

    public IReadOnlyList<string> DataFiles { get; init; } = [];

    /// <summary>Per stream: its source, candidate, first and last row time and where validation and test begin (ISO 8601).</summary>
    public IReadOnlyList<StreamRange> Streams { get; init; } = [];

    public int Seed { get; init; }

    public double TrainingSeconds { get; init; }

    public int Epochs { get; init; }

    public int BestEpoch { get; init; }

    public IReadOnlyDictionary<string, double> Settings { get; init; } = new Dictionary<string, double>();

    /// <summary>Baseline calibration from the training rows: P(label) when the rule fires and when it does not.</summary>
    public double BaselineRateWhenFires { get; init; }

    public double BaselineRateOtherwise { get; init; }

    public MetricsPair? Validation { get; init; }

    public MetricsPair? Test { get; init; }

    /// <summary>True only when, on the test rows, the model has a lower Brier score and a higher P&amp;L after costs than the baseline.</summary>
    public bool BeatsBaseline { get; init; }

    public string Verdict { get; init; } = string.Empty;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, null) + ".manifest.json";

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");

    /// <summary>Reads a manifest; false with one line on any problem.</summary>
    public static bool TryLoad(string path, out ModelManifest? manifest, out string error)
    {
        manifest = null;
        if (!File.Exists(path))
        {
            error = $"{path}: no manifest beside the model";
            return false;
        }

        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), JsonOptions);
            error = manifest is null ? $"{path}: empty manifest" : string.Empty;
            return manifest is not null;
        }
        catch (JsonException e)
        {
            error = $"{path}: not a valid manifest ({e.Message.Split('.')[0]})";
            return false;
        }
    }
}

public sealed record StreamRange(string Source, string Candidate, string First, string Last, string ValidationStart, string TestStart);

public sealed record MetricsPair(ScoreMetrics Model, ScoreMetrics Baseline);
