using LowLatency.Host.Dashboard;
using LowLatency.Host.Persistence;

namespace LowLatency.Host.Composition;

/// <summary>
/// What a run has besides its engine: the SQLite writer and the dashboard. Built by the verb from its flags, handed to
/// the engine, which feeds both from its host thread.
/// </summary>
public sealed class RunServices
{
    /// <summary>The background SQLite writer; null: no database.</summary>
    public StoreWriter? Store { get; init; }

    /// <summary>
    /// Called on the host thread once the engine's dashboard feed exists, before any market thread starts; returns how
    /// to stop what it started (null: nothing started). Null: no dashboard.
    /// </summary>
    public Func<DashboardFeed, Action?>? StartDashboard { get; init; }

    /// <summary>The five agents loaded for this run (their modes already say off for --no-ai / ENABLE_RL_AGENTS=false); null: none.</summary>
    public Ml.Agents.AgentEnsemble? Agents { get; init; }

    /// <summary>Why <see cref="Agents"/> is null (a missing or damaged model or manifest).</summary>
    public string? AgentsProblem { get; init; }

    /// <summary>
    /// Cluster mode: this engine's membership (joined before the engine starts). The strategy thread checks its lease
    /// after the gate approves; fills go to its stream; the dashboard's /api/cluster reads its view. Null: one box.
    /// </summary>
    public Adapters.Cluster.ClusterNode? Cluster { get; init; }
}
