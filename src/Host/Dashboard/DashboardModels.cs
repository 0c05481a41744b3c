namespace LowLatency.Host.Dashboard;

// The dashboard's JSON shapes (camelCase on the wire). Each is what the engine has now: a part that is not built
// answers with an empty list or a null, never an invented number. Other parts add fields or list entries here.

/// <summary>One opportunity as the dashboard shows it (prices and sizes as decimal strings, exact).</summary>
public sealed record OpportunityView(
    string Kind,
    string Instrument,
    string BuyVenue,
    string SellVenue,
    string BuyPrice,
    string SellPrice,
    string Quantity,
    double GrossEdgeBps,
    double NetEdgeBps,
    long DecisionTimeNs,
    long TickToOpportunityNs);

/// <summary><c>GET /api/opportunities/recent</c>.</summary>
public sealed record OpportunitiesResponse(long Total, IReadOnlyDictionary<string, long> ByKind, double? PerHour, IReadOnlyList<OpportunityView> Opportunities);

/// <summary>
/// One latency histogram: percentiles and log-spaced buckets (counts per upper bound, ns). <see cref="State"/>:
/// <c>measured</c>, <c>no samples yet</c>, or <c>not measured in this run</c> (a stage this run does not have).
/// </summary>
public sealed record LatencyHistogramView(string Name, long Count, double? P50Ns, double? P90Ns, double? P99Ns, double? P999Ns, double? MaxNs, IReadOnlyList<LatencyBucket> Buckets)
{
    public string State { get; init; } = Count == 0 ? "no samples yet" : "measured";
}

public sealed record LatencyBucket(long UpToNs, long Count);

/// <summary>
/// <c>GET /api/latency</c>: tick → opportunity, tick → decision (the gate's verdict on the strategy thread) and tick →
/// signed bundle, which is also <see cref="TickToBundle"/> (its state says when this run has no bundle path).
/// </summary>
public sealed record LatencyResponse(IReadOnlyList<LatencyHistogramView> Histograms, LatencyHistogramView TickToBundle);

/// <summary>A venue's book states and integrity counters.</summary>
public sealed record VenueView(
    string Name,
    int Books,
    int TradeableBooks,
    double IntegrityScore,
    long Gaps,
    long ChecksumFailures,
    long CrossedBooks,
    long StaleDrops,
    long Resyncs,
    long PendingOverflows,
    long Snapshots);

/// <summary><c>GET /api/venues</c>: venues (chains join when built).</summary>
public sealed record VenuesResponse(IReadOnlyList<VenueView> Venues, IReadOnlyList<ChainView> Chains);

/// <summary>
/// A chain of the venue graph: <c>no blocks yet</c> or <c>following</c> (pool or gas events applied, the last at
/// <see cref="LastBlock"/>); the integrity score is applied / (applied + refused) pool and gas events, null before any.
/// </summary>
public sealed record ChainView(string Name, string State, double? IntegrityScore)
{
    public long? LastBlock { get; init; }

    public long PoolEventsApplied { get; init; }

    public long PoolEventsDropped { get; init; }
}

/// <summary>
/// A risk breaker's state: <c>ok</c>, or <c>tripped</c> with its reason, the subject (venue, asset, chain slot or the
/// kill switch's source), the value that tripped it against its limit, since when (Unix ns, the gate's clock), and the
/// actions it has denied this run.
/// </summary>
public sealed record BreakerView(string Name, string State, string? Reason, string? Subject, double? Value, double? Limit, long? SinceNs, long Denied);

public sealed record BreakersResponse(IReadOnlyList<BreakerView> Breakers);

/// <summary>A decision trace: inputs, model scores, agent votes, the risk verdict and its reason.</summary>
public sealed record DecisionView(
    long TimeNs,
    string Instrument,
    string Path,
    IReadOnlyDictionary<string, double> Inputs,
    IReadOnlyDictionary<string, double> ModelScores,
    IReadOnlyList<AgentVoteView> AgentVotes,
    string RiskVerdict,
    string? RiskReason);

/// <summary>
/// An agent's vote on a decision: its id and name, its mode (shadow: the rule acts; active: the agent acts), its own
/// action, its rule's, and what was acted (actions are the agent's discrete indices, 0 = do nothing).
/// </summary>
public sealed record AgentVoteView(int Id, string Agent, string Mode, int Action, int RuleAction, int Acted);

/// <summary><c>GET /api/ai/decisions/recent</c>.</summary>
public sealed record DecisionsResponse(IReadOnlyList<DecisionView> Decisions);

/// <summary>A model prediction and, once known, its outcome.</summary>
public sealed record PredictionView(long TimeNs, string Model, string Instrument, double Predicted, double? Actual);

/// <summary><c>GET /api/ml/predictions/recent</c>.</summary>
public sealed record PredictionsResponse(IReadOnlyList<PredictionView> Predictions);

/// <summary>
/// An RL agent's status: its state in this run (active, shadow, off, missing, unreadable), its policy, the decisions it
/// made in this run and those where it differed from its rule, its held-out P&amp;L, and why it is off where the reason is
/// the run's live data rather than a switch.
/// </summary>
public sealed record AgentView(string Name, string State, string? PolicyVersion, long Decisions, long Disagreements, double? MeanReward)
{
    public string? Reason { get; init; }
}

/// <summary><c>GET /api/rl/agents/status</c>.</summary>
public sealed record AgentsResponse(IReadOnlyList<AgentView> Agents);

/// <summary>One (path, venue or chain) cell of the execution matrix.</summary>
public sealed record ExecutionCell(string Path, string Venue, long Attempts, long Successes, double? SuccessRate, double? SlippageVsPredictedBps, double? GasVsEstimated);

/// <summary><c>GET /api/execution/matrix</c>.</summary>
public sealed record ExecutionMatrixResponse(IReadOnlyList<string> Paths, IReadOnlyList<ExecutionCell> Cells);

/// <summary><c>GET /api/health</c>.</summary>
public sealed record HealthResponse(
    string Status,
    string Mode,
    double UptimeSeconds,
    double? SnapshotAgeMs,
    StrategyHealth Strategy,
    LogHealth Log,
    PersistenceHealth Persistence,
    IReadOnlyList<string> Problems);

public sealed record StrategyHealth(long Ticks, long Events, long Batches, long Opportunities, long OpportunitiesDropped, long SweepFallbacks, long BackPressured);

public sealed record LogHealth(string Path, long Written, long Dropped, long Lost, long Rotations, long Reopens);

public sealed record PersistenceHealth(bool Enabled, string? Path, int SchemaVersion, long Queued, long Written, long Dropped, long Failed, string? LastError);
