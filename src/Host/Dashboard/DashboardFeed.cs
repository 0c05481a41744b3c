using System.Diagnostics;
using System.Text.Json;
using HdrHistogram;
using HdrHistogram.Iteration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Persistence;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Snapshots;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Dashboard;

/// <summary>Everything the dashboard shows, copied at one instant: immutable, so HTTP threads read it without a lock.</summary>
public sealed record DashboardSnapshot(
    DateTimeOffset TakenAt,
    HealthResponse Health,
    OpportunitiesResponse Opportunities,
    LatencyResponse Latency,
    VenuesResponse Venues,
    BreakersResponse Breakers,
    DecisionsResponse Decisions,
    PredictionsResponse Predictions,
    AgentsResponse Agents,
    ExecutionMatrixResponse Execution,
    PnlReport Pnl)
{
    /// <summary>Before the engine published anything: every list empty, every figure zero or null.</summary>
    public static DashboardSnapshot Empty(string mode) => new(
        DateTimeOffset.UnixEpoch,
        new HealthResponse("starting", mode, 0, null, new StrategyHealth(0, 0, 0, 0, 0, 0, 0), new LogHealth("", 0, 0, 0, 0, 0), new PersistenceHealth(false, null, 0, 0, 0, 0, 0, null), []),
        new OpportunitiesResponse(0, new Dictionary<string, long>(), null, []),
        new LatencyResponse([], new LatencyHistogramView("tick_to_signed_bundle", 0, null, null, null, null, null, []) { State = "not measured in this run" }),
        new VenuesResponse([], []),
        new BreakersResponse([]),
        new DecisionsResponse([]),
        new PredictionsResponse([]),
        new AgentsResponse([]),
        new ExecutionMatrixResponse(DashboardFeed.Paths, []),
        new PnlLedger().Report(null));
}

/// <summary>Inputs to <see cref="DashboardFeed.Publish"/> that the feed does not own.</summary>
public readonly record struct HostFigures(long Ticks, long BackPressured, string LogPath, LogCounters Log);

/// <summary>
/// The host side of the dashboard's double buffer: the host thread feeds it (opportunities from the drain, the
/// strategy's seqlock snapshot, trade outcomes, decisions …) and <see cref="Publish"/> builds a new immutable
/// <see cref="DashboardSnapshot"/> and swaps it in with one reference store; HTTP threads read <see cref="Current"/>.
/// The strategy thread never sees any of this. Host thread only, except <see cref="Current"/> (any thread).
/// </summary>
public sealed class DashboardFeed
{
    /// <summary>The execution paths of the matrix, in display order.</summary>
    public static readonly IReadOnlyList<string> Paths = ["cex-cex", "cex-dex", "dex-dex", "flash-loan", "cross-chain"];

    private const int RecentCapacity = 200;
    private const long HighestTrackableNs = 60_000_000_000L;

    private readonly string _mode;
    private readonly string[] _venueNames;
    private readonly string[] _instrumentNames;
    private readonly int[] _priceDecimals;
    private readonly int[] _quantityDecimals;
    private readonly Seqlock<StrategySnapshot>? _strategy;
    private readonly StoreWriter? _store;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly OpportunityView[] _recent = new OpportunityView[RecentCapacity];
    private readonly LongHistogram _tickToOpportunity = new(HighestTrackableNs, 3);
    private readonly LongHistogram _tickToDecision = new(HighestTrackableNs, 3);
    private readonly LongHistogram _tickToBundle = new(HighestTrackableNs, 3);
    private readonly Dictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private readonly PnlLedger _ledger = new();
    private readonly List<DecisionView> _decisions = [];
    private readonly List<PredictionView> _predictions = [];
    private int _recentNext;
    private long _total;
    private long _lastStrategyVersion = -1;
    private long _lastStrategyTimestamp;
    private StrategySnapshot _strategySnapshot;
    private IReadOnlyList<AgentView> _agents = [];
    private IReadOnlyList<BreakerView> _breakers = [];
    private DashboardSnapshot _current;

    public DashboardFeed(string mode, string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals, Seqlock<StrategySnapshot>? strategy, StoreWriter? store)
    {
        _mode = mode;
        _venueNames = venueNames;
        _instrumentNames = instrumentNames;
        _priceDecimals = priceDecimals;
        _quantityDecimals = quantityDecimals;
        _strategy = strategy;
        _store = store;
        _current = DashboardSnapshot.Empty(mode);
    }

    /// <summary>The venue graph's chain names by chain index (the chains of /api/venues); empty: no DEX side in this run.</summary>
    public IReadOnlyList<string> ChainNames { get; init; } = [];

    /// <summary>The last published snapshot. Any thread; one volatile read.</summary>
    public DashboardSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Snapshots published so far.</summary>
    public long Publishes { get; private set; }

    /// <summary>Host thread: an opportunity drained from the opportunity ring (shown, and queued for SQLite).</summary>
    public void OnOpportunity(in Opportunity evt)
    {
        int instrument = evt.Instrument.Value;
        int scale = _priceDecimals[instrument];
        long ns = evt.TriggerTimestamp == 0 ? 0 : (long)((evt.DecisionTimestamp - evt.TriggerTimestamp) * StrategyState.NanosecondsPerTick);
        if (ns > 0)
        {
            _tickToOpportunity.RecordValue(Math.Min(ns, HighestTrackableNs));
        }

        const string kind = "cex-cex"; // every opportunity the engine finds today is between two CEX books
        var view = new OpportunityView(
            kind,
            _instrumentNames[instrument],
            _venueNames[evt.BuyVenue.Value],
            _venueNames[evt.SellVenue.Value],
            FixedPointText.ToDecimalString(evt.BuyPrice.Raw, scale),
            FixedPointText.ToDecimalString(evt.SellPrice.Raw, scale),
            FixedPointText.ToDecimalString(evt.Quantity.Raw, _quantityDecimals[instrument]),
            Math.Round(evt.GrossEdgeBps, 4),
            Math.Round(evt.NetEdgeBps, 4),
            evt.DecisionTimeNs,
            ns);
        OnVerdict(in evt, view);
        _recent[_recentNext] = view;
        _recentNext = (_recentNext + 1) % RecentCapacity;
        _total++;
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
        _store?.Post(new OpportunityRecord(view.DecisionTimeNs, kind, view.Instrument, view.BuyVenue, view.SellVenue, view.BuyPrice, view.SellPrice, view.Quantity, view.GrossEdgeBps, view.NetEdgeBps, ns));
    }

    /// <summary>
    /// Host thread: tick → signed bundle of one bundle (the bundle path reports these); until it does, the histogram
    /// answers "not measured in this run".
    /// </summary>
    public void OnBundleSigned(long tickToBundleNs)
    {
        if (tickToBundleNs > 0)
        {
            _tickToBundle.RecordValue(Math.Min(tickToBundleNs, HighestTrackableNs));
        }
    }

    /// <summary>Host thread: a paper or live fill, for SQLite's fills table.</summary>
    public void OnFill(FillRecord fill) => _store?.Post(fill);

    // The strategy thread's gate verdict: tick → decision ends at it, and it is the decision trace's risk verdict.
    private void OnVerdict(in Opportunity evt, OpportunityView view)
    {
        RiskVerdict risk = evt.Risk;
        if (!risk.Checked)
        {
            return;
        }

        long ns = evt.TriggerTimestamp == 0 ? 0 : (long)((risk.Timestamp - evt.TriggerTimestamp) * StrategyState.NanosecondsPerTick);
        if (ns > 0)
        {
            _tickToDecision.RecordValue(Math.Min(ns, HighestTrackableNs));
        }

        string verdict = risk.Approved ? "approved" : "denied";
        string? reason = risk.Approved ? null : RiskText.Reason(risk.Reason);
        var inputs = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["grossEdgeBps"] = view.GrossEdgeBps,
            ["netEdgeBps"] = view.NetEdgeBps,
            ["reservedNotionalUsd"] = Math.Round(risk.NotionalUsd, 6),
        };
        string path = view.Kind + " " + view.BuyVenue + "→" + view.SellVenue;
        IReadOnlyList<AgentVoteView> votes = Votes(in evt.Agents);
        Keep(_decisions, new DecisionView(evt.DecisionTimeNs, view.Instrument, path, inputs, s_noScores, votes, verdict, reason));
        _store?.Post(new DecisionRecord(evt.DecisionTimeNs, view.Instrument, path, JsonSerializer.Serialize(inputs), "{}", votes.Count == 0 ? "[]" : JsonSerializer.Serialize(votes, s_votesJson), verdict, reason));
    }

    /// <summary>
    /// Host thread: a venue-graph opportunity's decision trace (its kind and path, size and net profit, the gate's verdict
    /// or the agents' veto, and their votes); its latency is the bundle path's, not recorded here.
    /// </summary>
    public void OnGraphDecision(in Opportunity evt, string asset, string path)
    {
        RiskVerdict risk = evt.Risk;
        string verdict = !risk.Checked ? "vetoed" : risk.Approved ? "approved" : "denied";
        string? reason = !risk.Checked ? "an active agent" : risk.Approved ? null : RiskText.Reason(risk.Reason);
        var inputs = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["sizeQuote"] = Math.Round(evt.SizeQuote, 4),
            ["netProfitQuote"] = Math.Round(evt.NetProfitQuote, 6),
            ["reservedNotionalUsd"] = Math.Round(risk.NotionalUsd, 6),
        };
        IReadOnlyList<AgentVoteView> votes = Votes(in evt.Agents);
        string trace = evt.Kind.ToString() + " " + path;
        Keep(_decisions, new DecisionView(evt.DecisionTimeNs, asset, trace, inputs, s_noScores, votes, verdict, reason));
        _store?.Post(new DecisionRecord(evt.DecisionTimeNs, asset, trace, JsonSerializer.Serialize(inputs), "{}", votes.Count == 0 ? "[]" : JsonSerializer.Serialize(votes, s_votesJson), verdict, reason));
    }

    private static readonly JsonSerializerOptions s_votesJson = new(JsonSerializerDefaults.Web);

    /// <summary>The votes the ensemble wrote into the slot on the strategy thread: one per agent that decided (none while agents are off).</summary>
    internal static IReadOnlyList<AgentVoteView> Votes(in AgentVotes votes)
    {
        if (votes.Step == 0)
        {
            return [];
        }

        var list = new List<AgentVoteView>(AgentVoteSlots.Count);
        for (int i = 0; i < AgentVoteSlots.Count; i++)
        {
            AgentVote v = votes.Votes[i];
            if (v.Mode != 0)
            {
                list.Add(new AgentVoteView(i + 1, LowLatency.Ml.Agents.AgentSet.Names[i], v.Mode == 2 ? "active" : "shadow", v.Action, v.RuleAction, v.Acted));
            }
        }

        return list;
    }

    private static readonly IReadOnlyDictionary<string, double> s_noScores = new Dictionary<string, double>();

    /// <summary>Host thread: an executed or failed attempt (execution reports these).</summary>
    public void OnTrade(TradeOutcome outcome)
    {
        _ledger.Add(outcome);
        _store?.Post(new PnlRecord(outcome.TimeNs, outcome.Strategy, outcome.Path, outcome.Succeeded ? outcome.PnlUsd : 0, outcome.Succeeded ? outcome.PnlEth : 0));
    }

    /// <summary>Host thread: a decision trace (the decision stage reports these).</summary>
    public void OnDecision(DecisionView decision) => Keep(_decisions, decision);

    /// <summary>Host thread: a model prediction (the scorer reports these).</summary>
    public void OnPrediction(PredictionView prediction) => Keep(_predictions, prediction);

    public void SetAgents(IReadOnlyList<AgentView> agents) => _agents = agents;

    /// <summary>The running ensemble's overlay on the manifests' views (its modes and live counts); null: none in this run.</summary>
    public Func<IReadOnlyList<AgentView>, IReadOnlyList<AgentView>>? LiveAgents { get; set; }

    public void SetBreakers(IReadOnlyList<BreakerView> breakers) => _breakers = breakers;

    /// <summary>
    /// The operator's reset (<c>POST /api/breakers/reset</c>), any thread: null when done, otherwise why not. Null
    /// property: this run has no gate to reset.
    /// </summary>
    public Func<RiskReason, string?>? ResetBreaker { get; set; }

    /// <summary>
    /// Cluster mode: the cluster as this node's view reads it from the streams (never the other nodes' memory), as the
    /// <c>GET /api/cluster</c> body. Null on a single box.
    /// </summary>
    public Func<byte[]>? Cluster { get; init; }

    /// <summary>Host thread: builds a new snapshot from what it has and swaps it in.</summary>
    public DashboardSnapshot Publish(HostFigures host)
    {
        if (_strategy is not null && _strategy.Version != _lastStrategyVersion && _strategy.TryRead(out StrategySnapshot s))
        {
            _strategySnapshot = s;
            _lastStrategyVersion = _strategy.Version;
            _lastStrategyTimestamp = s.TakenTimestamp;
        }

        ref readonly StrategySnapshot st = ref _strategySnapshot;
        double uptime = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double? age = _lastStrategyTimestamp == 0 ? null : Stopwatch.GetElapsedTime(_lastStrategyTimestamp).TotalMilliseconds;
        var problems = new List<string>();
        if (host.Log.NotWritten > 0)
        {
            problems.Add($"log: {host.Log.Dropped} lines dropped, {host.Log.Lost} lost");
        }

        if (st.OpportunitiesDropped > 0)
        {
            problems.Add($"strategy: {st.OpportunitiesDropped} opportunities dropped on a full ring");
        }

        PersistenceHealth persistence = _store is null
            ? new PersistenceHealth(false, null, 0, 0, 0, 0, 0, null)
            : PersistenceFigures(_store, problems);
        var health = new HealthResponse(
            problems.Count == 0 ? "ok" : "degraded",
            _mode,
            Math.Round(uptime, 3),
            age is { } a ? Math.Round(a, 3) : null,
            new StrategyHealth(host.Ticks, st.Events, st.Batches, st.Opportunities, st.OpportunitiesDropped, st.SweepFallbacks, host.BackPressured),
            new LogHealth(host.LogPath, host.Log.Written, host.Log.Dropped, host.Log.Lost, host.Log.Rotations, host.Log.Reopens),
            persistence,
            problems);

        double? perHour = uptime > 0 ? Math.Round(_total / uptime * 3600, 3) : null;
        var snapshot = new DashboardSnapshot(
            DateTimeOffset.UtcNow,
            health,
            new OpportunitiesResponse(_total, new Dictionary<string, long>(_byKind, StringComparer.Ordinal), perHour, Recent()),
            Latency(),
            new VenuesResponse(Venues(in st), Chains(in st)),
            new BreakersResponse(_breakers),
            new DecisionsResponse([.. _decisions]),
            new PredictionsResponse([.. _predictions]),
            new AgentsResponse(LiveAgents is { } live ? live(_agents) : _agents),
            new ExecutionMatrixResponse(Paths, _ledger.Matrix().Select(c => new ExecutionCell(c.Path, c.Venue, c.Attempts, c.Successes, c.SuccessRate, c.SlippageVsPredictedBps, c.GasVsEstimated)).ToList()),
            _ledger.Report(perHour));
        Volatile.Write(ref _current, snapshot);
        Publishes++;
        return snapshot;
    }

    private LatencyResponse Latency()
    {
        LatencyHistogramView bundle = Histogram("tick_to_signed_bundle", _tickToBundle) with
        {
            State = _tickToBundle.TotalCount == 0 ? "not measured in this run" : "measured",
        };
        return new LatencyResponse([Histogram("tick_to_opportunity", _tickToOpportunity), Histogram("tick_to_decision", _tickToDecision), bundle], bundle);
    }

    private static PersistenceHealth PersistenceFigures(StoreWriter store, List<string> problems)
    {
        StoreCounters c = store.Counters;
        if (c.Dropped + c.Failed > 0)
        {
            problems.Add($"persistence: {c.Dropped} rows dropped (queue full), {c.Failed} failed");
        }

        return new PersistenceHealth(true, store.Path, store.SchemaVersion, store.Queued, c.Written, c.Dropped, c.Failed, store.LastError);
    }

    private static void Keep<T>(List<T> list, T item)
    {
        if (list.Count == RecentCapacity)
        {
            list.RemoveAt(0);
        }

        list.Add(item);
    }

    private List<OpportunityView> Recent()
    {
        int count = (int)Math.Min(_total, RecentCapacity);
        var list = new List<OpportunityView>(count);
        for (int i = 1; i <= count; i++)
        {
            list.Add(_recent[(_recentNext - i + RecentCapacity) % RecentCapacity]);
        }

        return list; // newest first
    }

    private List<VenueView> Venues(in StrategySnapshot st)
    {
        var venues = new List<VenueView>(_venueNames.Length);
        int booksPerVenue = _venueNames.Length == 0 ? 0 : _instrumentNames.Length;
        for (int v = 0; v < _venueNames.Length && v < st.VenueCount; v++)
        {
            var i = st.Venues[v];
            int tradeable = st.TradeableBooksPerVenue[v];
            venues.Add(new VenueView(_venueNames[v], booksPerVenue, tradeable, booksPerVenue == 0 ? 0 : Math.Round((double)tradeable / booksPerVenue, 4), i.Gaps, i.ChecksumFailures, i.CrossedBooks, i.StaleDrops, i.Resyncs, i.PendingOverflows, i.Snapshots));
        }

        return venues;
    }

    // A chain's state from the strategy's pool applier: its integrity score is the share of its pool and gas events that
    // were applied (null before any event, not a made-up 1).
    private List<ChainView> Chains(in StrategySnapshot st)
    {
        var chains = new List<ChainView>(ChainNames.Count);
        for (int c = 0; c < ChainNames.Count && c < st.ChainCount; c++)
        {
            ChainFigures f = st.Chains[c];
            long events = f.Applied + f.Dropped;
            chains.Add(new ChainView(ChainNames[c], f.LastBlock < 0 ? "no blocks yet" : "following", events == 0 ? null : Math.Round((double)f.Applied / events, 4))
            {
                LastBlock = f.LastBlock < 0 ? null : f.LastBlock,
                PoolEventsApplied = f.Applied,
                PoolEventsDropped = f.Dropped,
            });
        }

        return chains;
    }

    internal static LatencyHistogramView Histogram(string name, LongHistogram h)
    {
        if (h.TotalCount == 0)
        {
            return new LatencyHistogramView(name, 0, null, null, null, null, null, []);
        }

        // Power-of-two buckets: enough resolution for a log-scale chart, few enough to send every second.
        var counts = new SortedDictionary<long, long>();
        foreach (HistogramIterationValue value in h.RecordedValues())
        {
            long upper = 1L << (int)Math.Min(62, Math.Ceiling(Math.Log2(Math.Max(1, value.ValueIteratedTo))));
            counts[upper] = counts.GetValueOrDefault(upper) + value.CountAtValueIteratedTo;
        }

        return new LatencyHistogramView(name, h.TotalCount, h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99), h.GetValueAtPercentile(99.9), h.GetMaxValue(), counts.Select(kv => new LatencyBucket(kv.Key, kv.Value)).ToList());
    }
}
