using System.Text.Json;
using System.Text.Json.Nodes;

namespace LowLatency.Host.Dashboard;

/// <summary>A trained model as its manifest in <c>models/</c> describes it, for <c>/api/ml/performance</c>.</summary>
public sealed record ModelView(
    string File,
    string Kind,
    int? Version,
    DateTimeOffset? TrainedAt,
    double? TrainingSeconds,
    bool? BeatsBaseline,
    string? Verdict,
    bool InUse,
    JsonNode? OutOfSample,
    LiveAccuracy Live);

/// <summary>Live accuracy so far: predictions scored against their outcomes during this run (none yet: zero samples, null accuracy).</summary>
public sealed record LiveAccuracy(long Samples, double? Accuracy);

/// <summary><c>GET /api/ml/performance</c>.</summary>
public sealed record ModelsResponse(IReadOnlyList<ModelView> Models, IReadOnlyList<string> Problems);

/// <summary>
/// Reads every <c>*.manifest.json</c> in the models folder as written by <c>train</c>. A manifest that does not parse is
/// reported in <see cref="ModelsResponse.Problems"/>, never a crash; unknown fields are ignored. Reads files: call it
/// off the hot path (the dashboard caches it and re-reads after a training job).
/// </summary>
public static class ModelCatalog
{
    public static ModelsResponse Load(string folder)
    {
        var models = new List<ModelView>();
        var problems = new List<string>();
        if (!Directory.Exists(folder))
        {
            return new ModelsResponse(models, problems);
        }

        foreach (string path in Directory.EnumerateFiles(folder, "*.manifest.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            try
            {
                var info = new FileInfo(path);
                if (info.Length > 4 * 1024 * 1024)
                {
                    problems.Add($"{name}: larger than 4 MiB; skipped");
                    continue;
                }

                if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject m)
                {
                    problems.Add($"{name}: not a JSON object");
                    continue;
                }

                string kind = m["kind"] is JsonValue k && k.TryGetValue(out string? ks) ? ks : "unknown";
                bool? beats = m["beatsBaseline"] is JsonValue b && b.TryGetValue(out bool bv) ? bv : null;
                JsonNode? outOfSample = m["test"]?.DeepClone();
                if (outOfSample is null && m["testRmseModel"] is JsonValue rm && rm.TryGetValue(out double rmse) && m["testRmseBaseline"] is JsonValue rb && rb.TryGetValue(out double rmseBase))
                {
                    outOfSample = new JsonObject { ["model"] = new JsonObject { ["rmse"] = rmse }, ["baseline"] = new JsonObject { ["rmse"] = rmseBase } };
                }

                models.Add(new ModelView(
                    name,
                    kind,
                    m["version"] is JsonValue v && v.TryGetValue(out int vi) ? vi : null,
                    new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero),
                    m["trainingSeconds"] is JsonValue t && t.TryGetValue(out double ts) ? ts : null,
                    beats,
                    m["verdict"] is JsonValue d && d.TryGetValue(out string? ds) ? ds : null,
                    // The engine acts on a model only when its manifest shows it beat its baseline (and no stage reads one yet).
                    InUse: false,
                    outOfSample,
                    new LiveAccuracy(0, null)));
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
            {
                problems.Add($"{name}: {e.Message}");
            }
        }

        return new ModelsResponse(models, problems);
    }
}
