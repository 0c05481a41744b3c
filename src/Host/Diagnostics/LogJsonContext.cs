using System.Text.Json.Serialization;
using LowLatency.Host.Dashboard;

namespace LowLatency.Host.Diagnostics;

/// <summary>The arbitrage log's non-primitive fields (the agents' votes), serialized without reflection (NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<AgentVoteView>))]
internal sealed partial class LogJsonContext : JsonSerializerContext;
