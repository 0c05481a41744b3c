using System.Text.Json;
using System.Text.Json.Serialization;

namespace LowLatency.Benchmarks.Checking;

/// <summary>One checked-in performance budget (benchmarks/LowLatency.Benchmarks/budgets/*.json).</summary>
public sealed record Budget
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>speedup | allocated_bytes | median_ns | p50_ns | p99_ns | p999_ns | speedup_vs_external.</summary>
    [JsonPropertyName("metric")]
    public required string Metric { get; init; }

    /// <summary>"Class.Method" of a BenchmarkDotNet benchmark, or "latency.&lt;name&gt;" for the HdrHistogram harness.</summary>
    [JsonPropertyName("benchmark")]
    public required string Benchmark { get; init; }

    [JsonPropertyName("baseline")]
    public string? Baseline { get; init; }

    [JsonPropertyName("external")]
    public string? External { get; init; }

    [JsonPropertyName("min")]
    public double? Min { get; init; }

    [JsonPropertyName("max")]
    public double? Max { get; init; }

    [JsonPropertyName("quickMin")]
    public double? QuickMin { get; init; }

    [JsonPropertyName("quickMax")]
    public double? QuickMax { get; init; }

    /// <summary>Benchmark class name (the part before the first dot).</summary>
    public string BenchmarkClass => Benchmark[..Math.Max(0, Benchmark.IndexOf('.', StringComparison.Ordinal))];

    public double? EffectiveMin(bool quick) => quick ? QuickMin ?? Min : Min;

    public double? EffectiveMax(bool quick) => quick ? QuickMax ?? Max : Max;
}

/// <summary>The file shape: {"budgets":[...]}.</summary>
public sealed record BudgetFile
{
    [JsonPropertyName("budgets")]
    public required IReadOnlyList<Budget> Budgets { get; init; }

    /// <summary>Reads every *.json in <paramref name="folder"/>; a malformed file is an error naming the file.</summary>
    public static IReadOnlyList<Budget> LoadAll(string folder)
    {
        var all = new List<Budget>();
        foreach (string path in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            BudgetFile? file;
            try
            {
                file = JsonSerializer.Deserialize(File.ReadAllText(path), BudgetJsonContext.Default.BudgetFile);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)}: {e.Message}", e);
            }

            if (file?.Budgets is null)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)}: no \"budgets\" array");
            }

            all.AddRange(file.Budgets);
        }

        return all;
    }
}

[JsonSerializable(typeof(BudgetFile))]
internal sealed partial class BudgetJsonContext : JsonSerializerContext;
