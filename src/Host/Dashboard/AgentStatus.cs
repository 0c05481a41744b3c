using System.Globalization;
using System.Text.Json;
using LowLatency.Ml.Agents;

namespace LowLatency.Host.Dashboard;

/// <summary>
/// <c>/api/rl/agents/status</c> from the agents' manifests in <c>models/multi_agent_rl</c>: per agent, its state
/// (<c>active</c> where its manifest says it beat its baseline out of sample, <c>shadow</c> otherwise, <c>off</c> with
/// <c>--no-ai</c> / <c>ENABLE_RL_AGENTS=false</c>, <c>missing</c> or <c>unreadable: …</c>), the trained policy (seed,
/// steps) and no decisions yet: <c>run</c> overlays its modes and the running ensemble's counts (<see cref="Lifecycle.RunAgents.Views"/>).
/// The mean reward is the held-out P&amp;L after costs. Read once at start, off the hot path.
/// </summary>
public static class AgentStatus
{
    public static IReadOnlyList<AgentView> Load(string folder, bool enabled)
    {
        var views = new List<AgentView>();
        for (int id = 1; id <= AgentDesk.Agents; id++)
        {
            string name = $"agent {id} {AgentSet.Names[id - 1]}";
            string manifest = Path.Combine(folder, $"agent_{id}.manifest.json");
            if (!File.Exists(manifest) || !File.Exists(Path.Combine(folder, $"agent_{id}.policy.bin")))
            {
                views.Add(new AgentView(name, "missing", null, 0, 0, null));
                continue;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(manifest));
                JsonElement root = doc.RootElement;
                _ = root.GetProperty("beatsBaselineOutOfSample").GetBoolean(); // a manifest without its verdict is unreadable
                bool beats = AgentEnsemble.MayAct(root);
                string version = string.Create(CultureInfo.InvariantCulture, $"seed {root.GetProperty("seed").GetInt32()}, {root.GetProperty("steps").GetInt64()} steps");
                double pnl = root.GetProperty("metrics").GetProperty("test").GetProperty("pnl").GetDouble();
                views.Add(new AgentView(name, !enabled ? "off" : beats ? "active" : "shadow", version, 0, 0, pnl));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                views.Add(new AgentView(name, $"unreadable: {e.Message}", null, 0, 0, null));
            }
        }

        return views;
    }
}
