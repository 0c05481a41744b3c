using LowLatency.Host.Dashboard;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary><c>/api/rl/agents/status</c> reads the committed agents' manifests: modes, versions, the off switch, missing files.</summary>
public sealed class AgentStatusTests
{
    [Fact]
    public void The_committed_agents_show_their_manifests_modes()
    {
        IReadOnlyList<AgentView> views = AgentStatus.Load(Path.Combine(SharedData.RepoRoot, "models", "multi_agent_rl"), enabled: true);
        Assert.Equal(5, views.Count);
        Assert.Equal("agent 2 cross-chain", views[1].Name);
        Assert.All(views, v => Assert.Contains(v.State, new[] { "active", "shadow" }));
        Assert.All(views, v => Assert.StartsWith("seed ", v.PolicyVersion, StringComparison.Ordinal));
        Assert.All(views, v => Assert.Equal(0, v.Decisions)); // no run: the manifests only
        IReadOnlyList<AgentView> off = AgentStatus.Load(Path.Combine(SharedData.RepoRoot, "models", "multi_agent_rl"), enabled: false);
        Assert.All(off, v => Assert.Equal("off", v.State));
    }

    [Fact]
    public void Missing_and_unreadable_manifests_are_states_not_crashes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ll-agent-status-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "agent_1.manifest.json"), "{ not json");
            File.WriteAllBytes(Path.Combine(dir, "agent_1.policy.bin"), [1]);
            IReadOnlyList<AgentView> views = AgentStatus.Load(dir, enabled: true);
            Assert.StartsWith("unreadable: ", views[0].State, StringComparison.Ordinal);
            Assert.Equal("missing", views[1].State);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
