using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.HotPath.Risk;

namespace LowLatency.Host.Configuration;

/// <summary>
/// Completes a settings file with the defaults before it is read. The options are init-only records, and the JSON
/// source generator builds such a record in one object initializer that passes default(T) for every property the file
/// leaves out (dotnet/runtime#84484): without this a file naming one setting would get ringSize 0 and no market.
/// Every settings object the file has, nested ones and collection elements included, gets each property it leaves out
/// from a blank instance of its type, which is what a settable property's initializer gave; a required one never is.
/// </summary>
internal static class SettingsDefaults
{
    // One blank per settings type the file can hold; a test walks the JSON contract and fails on a type missing here.
    private static readonly Dictionary<Type, Func<object>> Blanks = new()
    {
        [typeof(EngineOptions)] = static () => new EngineOptions(),
        [typeof(ExecutionOptions)] = static () => new ExecutionOptions(),
        [typeof(ClusterSettings)] = static () => new ClusterSettings(),
        [typeof(RiskOptions)] = static () => new RiskOptions(),
        [typeof(ChainOptions)] = static () => new ChainOptions(),
        [typeof(TokenOptions)] = static () => new TokenOptions(),
        [typeof(PoolOptions)] = static () => new PoolOptions(),
        [typeof(LiveVenueSettings)] = static () => new LiveVenueSettings(),
        [typeof(FlashLoanGasOptions)] = static () => new FlashLoanGasOptions(),
        [typeof(FlashbotsOptions)] = static () => new FlashbotsOptions(),
        [typeof(FlashbotsRelaySettings)] = static () => new FlashbotsRelaySettings(),
        [typeof(AggregatorsOptions)] = static () => new AggregatorsOptions(),
        [typeof(AggregatorEndpointOptions)] = static () => new AggregatorEndpointOptions(),
        [typeof(SimulatedMarketOptions)] = static () => new SimulatedMarketOptions { Venues = [], Instruments = [] },
        [typeof(SimulatedVenueOptions)] = static () => new SimulatedVenueOptions { Name = "" },
        [typeof(SimulatedInstrumentOptions)] = static () => new SimulatedInstrumentOptions { Symbol = "" },
        [typeof(SimulatedDexOptions)] = static () => new SimulatedDexOptions { Chains = [] },
        [typeof(SimulatedChainOptions)] = static () => new SimulatedChainOptions { Name = "", Tokens = [], Pools = [] },
        [typeof(SimulatedTokenOptions)] = static () => new SimulatedTokenOptions { Symbol = "", Asset = "", Address = "" },
        [typeof(SimulatedPoolOptions)] = static () => new SimulatedPoolOptions { Kind = "", Token0 = "", Token1 = "", Address = "" },
        [typeof(SimulatedBridgeOptions)] = static () => new SimulatedBridgeOptions { Token = "", ChainA = "", ChainB = "" },
    };

    /// <summary>
    /// The file's JSON with every left-out property filled in. The file must already have been read once as it is
    /// (so its own errors are reported at its own lines); a document that is not an object comes back unchanged.
    /// </summary>
    public static byte[] Complete(byte[] json, JsonTypeInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        if (JsonNode.Parse(json, documentOptions: documentOptions) is not JsonObject file)
        {
            return json;
        }

        var blanks = new Dictionary<Type, JsonObject>();
        Fill(file, root, blanks);
        var completed = new MemoryStream(json.Length * 2);
        using (var writer = new Utf8JsonWriter(completed))
        {
            file.WriteTo(writer);
        }

        return completed.ToArray();
    }

    /// <summary>Every settings type reachable from <paramref name="root"/> through properties, lists and dictionaries.</summary>
    internal static IReadOnlyCollection<Type> ReachableObjectTypes(JsonTypeInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var seen = new HashSet<Type>();
        var pending = new Stack<JsonTypeInfo>();
        pending.Push(root);
        while (pending.TryPop(out JsonTypeInfo? info))
        {
            if (info.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary)
            {
                pending.Push(root.Options.GetTypeInfo(info.ElementType!));
            }
            else if (info.Kind == JsonTypeInfoKind.Object && seen.Add(info.Type))
            {
                foreach (JsonPropertyInfo property in info.Properties)
                {
                    if (property.CustomConverter is null)
                    {
                        pending.Push(root.Options.GetTypeInfo(property.PropertyType));
                    }
                }
            }
        }

        return seen;
    }

    /// <summary>Whether a blank is known for <paramref name="type"/> (the contract test asks).</summary>
    internal static bool HasBlank(Type type) => Blanks.ContainsKey(type);

    /// <summary>A blank instance of a settings type, as the contract writes it.</summary>
    internal static JsonObject BlankJson(JsonTypeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!Blanks.TryGetValue(info.Type, out Func<object>? blank))
        {
            throw new InvalidOperationException($"settings type {info.Type.Name} has no blank in SettingsDefaults");
        }

        return JsonSerializer.SerializeToNode(blank(), info)!.AsObject();
    }

    private static void Fill(JsonNode? node, JsonTypeInfo info, Dictionary<Type, JsonObject> blanks)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject settings:
                if (!blanks.TryGetValue(info.Type, out JsonObject? blank))
                {
                    blank = BlankJson(info);
                    blanks[info.Type] = blank;
                }

                foreach (JsonPropertyInfo property in info.Properties)
                {
                    if (settings.TryGetPropertyValue(property.Name, out JsonNode? given))
                    {
                        if (property.CustomConverter is null)
                        {
                            Fill(given, info.Options.GetTypeInfo(property.PropertyType), blanks);
                        }
                    }
                    else if (!property.IsRequired && blank.TryGetPropertyValue(property.Name, out JsonNode? fallback))
                    {
                        settings[property.Name] = fallback?.DeepClone();
                    }
                }

                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray items:
                JsonTypeInfo itemInfo = info.Options.GetTypeInfo(info.ElementType!);
                foreach (JsonNode? item in items)
                {
                    Fill(item, itemInfo, blanks);
                }

                break;
            case JsonTypeInfoKind.Dictionary when node is JsonObject entries:
                JsonTypeInfo valueInfo = info.Options.GetTypeInfo(info.ElementType!);
                foreach (KeyValuePair<string, JsonNode?> entry in entries)
                {
                    Fill(entry.Value, valueInfo, blanks);
                }

                break;
        }
    }
}
