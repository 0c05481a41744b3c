using LowLatency.Ml.Agents;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests.Agents;

/// <summary>The agents' data, loaded once per test run (a few seconds).</summary>
internal static class AgentData
{
    private static readonly Lazy<AgentSet> s_set = new(() => AgentSet.Load(SharedData.Root));

    public static AgentSet Set => s_set.Value;
}
