using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using LowLatency.Host.Configuration;

namespace LowLatency.Host.Tests.Configuration;

/// <summary>
/// The options are init-only, and the JSON source generator gives every property a file leaves out default(T) rather
/// than its initializer; these tests show that a file still keeps every default, at every depth.
/// </summary>
public sealed class SettingsDefaultsTests
{
    private static readonly JsonTypeInfo<EngineOptions> Contract = EngineOptionsJsonContext.Default.EngineOptions;

    private static string? NoEnvironment(string name) => null;

    public static TheoryData<string> SettingsTypes()
    {
        var types = new TheoryData<string>();
        foreach (Type type in SettingsDefaults.ReachableObjectTypes(Contract))
        {
            types.Add(type.Name);
        }

        return types;
    }

    [Fact]
    public void Every_settings_type_a_file_can_hold_has_a_blank()
    {
        IReadOnlyCollection<Type> types = SettingsDefaults.ReachableObjectTypes(Contract);
        Assert.True(types.Count >= 20, $"only {types.Count} settings types reached");
        Assert.All(types, type => Assert.True(SettingsDefaults.HasBlank(type), $"{type.Name} has no blank"));
    }

    [Theory]
    [MemberData(nameof(SettingsTypes))]
    public void An_object_naming_only_its_required_settings_reads_back_as_the_blank(string typeName)
    {
        Type type = SettingsDefaults.ReachableObjectTypes(Contract).Single(t => t.Name == typeName);
        JsonTypeInfo info = Contract.Options.GetTypeInfo(type);
        JsonObject blank = SettingsDefaults.BlankJson(info);
        var requiredOnly = new JsonObject();
        foreach (JsonPropertyInfo property in info.Properties.Where(p => p.IsRequired))
        {
            requiredOnly[property.Name] = blank[property.Name]?.DeepClone();
        }

        byte[] completed = SettingsDefaults.Complete(Encoding.UTF8.GetBytes(requiredOnly.ToJsonString()), info);
        object read = JsonSerializer.Deserialize(completed, info)!;

        Assert.Equal(blank.ToJsonString(), JsonSerializer.SerializeToNode(read, info)!.ToJsonString());
    }

    [Fact]
    public void Without_completion_the_generator_would_lose_the_defaults()
    {
        // The reason the completion exists: if this ever reads 65536 the generator was fixed and it can go.
        EngineOptions raw = JsonSerializer.Deserialize("""{ "thresholdBps": 3 }""", Contract)!;
        Assert.Equal(0, raw.RingSize);
    }

    [Fact]
    public void A_file_setting_one_nested_value_keeps_every_other_default_around_it()
    {
        string path = WriteSettings("""
            { "execution": { "risk": { "maxOpenLegs": 3 } },
              "market": { "venues": [ { "name": "a" }, { "name": "b", "takerFee": 0.002 } ],
                          "instruments": [ { "symbol": "BTC-USD" } ] } }
            """);
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);

        Assert.Empty(errors);
        var blank = new EngineOptions();
        Assert.Equal(blank.RingSize, options.RingSize);
        Assert.Equal(blank.LogPath, options.LogPath);
        Assert.Equal(3, options.Execution.Risk.MaxOpenLegs);
        Assert.Equal(blank.Execution.Risk.DailyLossLimitUsd, options.Execution.Risk.DailyLossLimitUsd);
        Assert.Equal(blank.Execution.InitialCash, options.Execution.InitialCash);
        Assert.Equal(5, options.Chains.Count);
        Assert.Equal(0.001, options.Market.Venues[0].TakerFee);
        Assert.Equal(0.002, options.Market.Venues[1].TakerFee);
        Assert.Equal(50, options.Market.Venues[1].LatencyMs);
        Assert.Equal(42, options.Market.Seed);
        Assert.Equal(0.01, options.Market.Instruments[0].TickSize);
    }

    [Fact]
    public void A_required_setting_left_out_is_still_an_error_not_a_blank()
    {
        string path = WriteSettings("""{ "market": { "venues": [ { "takerFee": 0.002 } ], "instruments": [] } }""");
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        Assert.Contains(errors, e => e.Contains("name", StringComparison.Ordinal));
    }

    [Fact]
    public void A_setting_given_twice_is_an_error_at_its_line()
    {
        string path = WriteSettings("{\n  \"ringSize\": 1024,\n  \"ringSize\": 2048\n}");
        (_, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        string error = Assert.Single(errors);
        Assert.Contains("setting 'ringSize' appears twice", error, StringComparison.Ordinal);
        Assert.Contains("line 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Taker_fees_from_a_file_match_venues_in_any_case_and_a_name_given_twice_is_reported()
    {
        string path = WriteSettings("""{ "takerFees": { "Binance": 0.0009 } }""");
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        Assert.Empty(errors);
        Assert.Equal(0.0009, options.TakerFees["binance"]);

        path = WriteSettings("""{ "takerFees": { "Binance": 0.0009, "binance": 0.001 } }""");
        (_, errors) = EngineOptionsLoader.Load(path, NoEnvironment);
        Assert.Contains(errors, e => e.StartsWith("takerFees.binance: is given twice", StringComparison.Ordinal));
    }

    private static string WriteSettings(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
