using System.Diagnostics;
using System.Globalization;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Persistence;
using LowLatency.Kernels;
using LowLatency.Kernels.EdgeSweep;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Features;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Snapshots;
using LowLatency.HotPath.Strategy;
using LowLatency.Ml.Data;
using LowLatency.Ml.Inference;

namespace LowLatency.Host.Lifecycle;

/// <summary>When a run stops by itself: after a wall-clock duration, after a number of market ticks, or neither (until cancelled).</summary>
public readonly record struct RunLimits(TimeSpan? Duration = null, long? MaxTicks = null);

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    /// <summary>The duration elapsed.</summary>
    Duration,

    /// <summary>The tick limit was reached and every tick was processed.</summary>
    Ticks,

    /// <summary>Cancelled: a signal (SIGINT, SIGTERM) or an output that can no longer be written.</summary>
    Cancelled,

    /// <summary>A write to the arbitrage log failed; by policy the run stops.</summary>
    LogFailed,
}

/// <summary>
/// <c>run</c>: the dry-run engine on the simulated market. Three threads: the market producer (paced at simulated
/// time, writes ticks straight into ring slots), the strategy thread (books → edges → opportunities, using the
/// configured wait strategy) and the host thread (drains opportunities into the log, prints a summary per second).
/// Stops on the limits, on cancellation or on a failed log write, always the same way: the producer stops, the strategy
/// finishes every tick already published, the host drains every opportunity, the log is flushed and closed, and the
/// <c>done:</c> line accounts for every line.
/// </summary>
public sealed class DryRunEngine
{
    /// <summary>Longest the shutdown waits for the strategy to finish the ticks already published.</summary>
    private static readonly TimeSpan s_catchUpTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest the shutdown waits for the log writer: with the catch-up it keeps a stop well inside 2 s.</summary>
    private static readonly TimeSpan s_logCloseTimeout = TimeSpan.FromSeconds(1);

    private readonly EngineOptions _options;
    private readonly TextWriter _console;
    private readonly EngineLogs _logs;

    /// <param name="options">Validated options.</param>
    /// <param name="console">Summary lines (stdout).</param>
    /// <param name="logs">The opened arbitrage log; closed by <see cref="Run"/>.</param>
    public DryRunEngine(EngineOptions options, TextWriter console, EngineLogs logs)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(logs);
        _options = options;
        _console = console;
        _logs = logs;
    }

    /// <summary>How often the host thread publishes a dashboard snapshot.</summary>
    private static readonly TimeSpan s_feedInterval = TimeSpan.FromMilliseconds(250);

    private readonly RunServices? _services;

    /// <param name="services">The operator's view (dashboard feed, SQLite); null: neither.</param>
    public DryRunEngine(EngineOptions options, TextWriter console, EngineLogs logs, RunServices? services)
        : this(options, console, logs)
    {
        _services = services;
    }

    /// <summary>Final figures of a run (also printed).</summary>
    public sealed record Result(
        long Ticks,
        long Opportunities,
        long OpportunitiesDropped,
        long BackPressured,
        double P50Ns,
        double P99Ns,
        double P999Ns,
        LogCounters Log,
        StopReason Reason)
    {
        /// <summary>"baseline" or "model": which decided (ENABLE_PREDICTIVE_ARBITRAGE and the model's manifest).</summary>
        public string Scorer { get; init; } = "baseline";

        /// <summary>Frames the scorer stepped (0 with the baseline).</summary>
        public long Scored { get; init; }

        /// <summary>Opportunities logged but held back by the scorer (scored below <see cref="ScoreGate.Threshold"/>).</summary>
        public long ScorerVetoed { get; init; }

        /// <summary>Log lines that are not opportunities (the scorer choice): written + dropped + lost = opportunities + these.</summary>
        public long EngineEvents { get; init; }

        /// <summary>The venue graph's figures (counts by kind, bundles, pool events); null when the market has no DEX side.</summary>
        public GraphRunFigures? Graph { get; init; }

        /// <summary>The agent ensemble of this run (its modes, decisions and disagreements); null: agents off.</summary>
        public LowLatency.Ml.Agents.LiveAgents? Agents { get; init; }
    }

    /// <summary>Lines the engine logs besides opportunities: the start-up lines naming the scorer and the agents, and why.</summary>
    internal const long EngineEvents = 2;

    /// <summary>Runs until a limit, <paramref name="cancellationToken"/> or a failed log write; the caller's thread is the host thread.</summary>
    public Result Run(RunLimits limits, CancellationToken cancellationToken)
    {
        SimulatedMarketOptions marketOptions = _options.Market;
        marketOptions = GraphWiring.WithChainBlockTimes(marketOptions, _options.Chains);
        var market = new SimulatedMarket(marketOptions);
        int venues = market.VenueCount;
        int instruments = market.InstrumentCount;
        MarketLabels labels = MarketLabels.Of(marketOptions, market);
        (string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals) = labels;
        double[] fees = marketOptions.Venues.Select(v => v.TakerFee).ToArray();

        var specs = new List<BookSpec>(venues * instruments);
        for (int v = 0; v < venues; v++)
        {
            for (int i = 0; i < instruments; i++)
            {
                specs.Add(new BookSpec(VenueId.FromIndex(v), InstrumentId.FromIndex(i), SequenceRule.None, priceDecimals[i], quantityDecimals[i], Capacity: 64, PendingSlots: 16));
            }
        }

        // The risk gate runs on the strategy thread in every mode; its verdicts ride in the opportunity slots.
        using var decisions = new DecisionChain(_options, _logs, labels);
        RiskSession risk = decisions.Risk!;
        using var kernels = new KernelHost(new EdgeSweepShape(instruments, venues));
        var pipeline = new StrategyPipeline(specs, instruments, venues, priceDecimals, fees, _options.ThresholdBps, decisions.Opportunities, kernels,
            _options.FullSweepMinTouched, _options.RingSize, _options.WaitStrategy);
        RingBuffer<TickEvent> marketRing = pipeline.MarketRing;
        BookSet books = pipeline.Books;
        StrategyState strategy = pipeline.Strategy;
        using GraphWiring? graph = GraphWiring.TryAttach(_options, marketOptions, pipeline, priceDecimals, quantityDecimals, _console, _logs);
        // ENABLE_PREDICTIVE_ARBITRAGE: the scorer runs only with a model that beat the baseline; the reason is said either way.
        ScorerChoice scorer = ScorerSelection.Choose(_options.EnablePredictiveArbitrage, _options.ScorerModel);
        CandidateScores? scores = null;
        ScoreGate? scoreGate = null;
        StrategyLoop strategyLoop;
        if (scorer.Model is { } model)
        {
            var features = new FeatureStage(strategy, FeatureStage.SameInstrumentPairs(books), fees, new DatasetOptions().Features);
            scores = new CandidateScores(model, features.Candidates.Length);
            scoreGate = new ScoreGate(scores, books, features.Candidates);
            strategyLoop = StrategyLoop.Create(marketRing, new FeatureStrategyHandler<ScoringSink>(new StrategyHandler(strategy), features, new ScoringSink(scores)));
        }
        else
        {
            strategyLoop = StrategyLoop.Create(marketRing, new StrategyHandler(strategy));
        }

        _console.WriteLine(scorer.Reason);
        EngineLogs.ScorerChosen(_logs.Engine, scorer.UsesBaseline ? "baseline" : "model", scorer.Reason);

        strategy.Risk = risk.StrategyGate;
        risk.StrategyGate.Graph = graph?.Graph;
        // Cluster mode: what the gate approves must also fit this node's share of the global limits (no network here).
        Adapters.Cluster.ClusterNode? cluster = _services?.Cluster;
        risk.StrategyGate.Lease = cluster?.Lease;
        if (cluster is not null)
        {
            risk.OnAlert = a => cluster.RecordBreaker(ClusterMode.Breaker(a));
        }

        // The agent ensemble votes on every opportunity before the gate; which agents are on, and why not, is said once.
        RunAgents? agents = RunAgents.TryCreate(_services?.Agents, _services?.AgentsProblem, graph, out string agentsLine);
        strategy.Agents = agents;
        _console.WriteLine(agentsLine);
        EngineLogs.AgentsChosen(_logs.Engine, agentsLine);

        // Paper fills walk the depth the strategy thread publishes at the end of each batch (a seqlock per book, 0 B).
        DepthSnapshotPublisher? depth = _options.Mode == TradingMode.Paper ? new DepthSnapshotPublisher(books) : null;
        strategy.DepthPublisher = depth;

        // The dashboard reads snapshots only: the strategy publishes its counters through a seqlock, the host thread
        // builds immutable snapshots from them and from the opportunities it drains.
        DashboardFeed? feed = null;
        StrategySnapshotPublisher? snapshots = null;
        if (_services is not null)
        {
            snapshots = new StrategySnapshotPublisher(venues, TimeSpan.FromMilliseconds(1));
            strategy.SnapshotPublisher = snapshots;
            feed = new DashboardFeed(EngineOptionsLoader.FormatMode(_options.Mode), venueNames, instrumentNames, priceDecimals, quantityDecimals, snapshots.Snapshots, _services.Store)
            {
                ResetBreaker = risk.RequestReset,
                Cluster = cluster is null ? null : () => cluster.View.Snapshot().ToJson(),
                ChainNames = graph is null ? [] : graph.ChainNames.Select(SecretRedaction.Redact).ToArray(),
            };
            if (graph is not null)
            {
                graph.BundleSigned = feed.OnBundleSigned;
            }

            if (agents is not null)
            {
                feed.LiveAgents = agents.Views;
            }
        }

        // With a DEX side the cash is shared by the exchanges and the chains alike.
        double chainShare = graph is null ? 0 : (double)graph.ChainNames.Count / (venues + graph.ChainNames.Count);
        PaperSession? paper = _options.Mode == TradingMode.Paper
            ? new PaperSession(_options, marketOptions, venueNames, instrumentNames, priceDecimals, quantityDecimals, _logs.Opportunities, risk,
                depth is null ? null : new LowLatency.Adapters.Paper.DepthSnapshotBooks(depth), 1 - chainShare)
            {
                Trade = feed is null ? null : feed.OnTrade,
                FillRow = feed is null ? null : feed.OnFill,
                ClusterFill = cluster is null ? null : fill => cluster.RecordFill(fill),
            }
            : null;

        // Paper mode trades the graph's opportunities too: pool legs on the paper DEX, fed with the pools the strategy saw.
        PaperGraphSession? paperGraph = paper is not null && graph is not null
            ? new PaperGraphSession(_options, marketOptions, graph, strategy, paper, risk, _logs.Opportunities, chainShare) { Trade = feed is null ? null : feed.OnTrade }
            : null;

        decisions.StartDrain(
            // Every opportunity is logged; with a winning model only those it scores high go on to be acted on or shown.
            evt =>
            {
                if (scoreGate is null || scoreGate.Passes(in evt))
                {
                    paper?.OnOpportunity(evt);
                    feed?.OnOpportunity(in evt);
                }
            },
            graph,
            // The bundle path signs and logs and sends nothing; paper trades the opportunity and holds its approval until it closes.
            evt =>
            {
                paperGraph?.OnOpportunity(evt);
                feed?.OnGraphDecision(in evt, graph!.StartAsset(in evt.Path), graph.DescribePath(in evt.Path));
            });
        OpportunityLogState logState = decisions.Log;

        using var stopProducer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopStrategy = new CancellationTokenSource();
        var counters = new ProducerCounters();
        long maxTicks = limits.MaxTicks ?? long.MaxValue;

        var strategyThread = new Thread(() => strategyLoop.Run(stopStrategy.Token)) { Name = "strategy", IsBackground = true };
        var producerThread = new Thread(() => Produce(market, marketRing, counters, maxTicks, stopProducer.Token)) { Name = "sim-market", IsBackground = true };

        Action? stopDashboard = feed is not null && _services?.StartDashboard is { } startDashboard ? startDashboard(feed) : null;
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(paper is null ? "dry-run" : "paper trading")} on the simulated market: {venues} venues x {instruments} instruments, threshold {_options.ThresholdBps} bps net, wait strategy {OptionSpellings.FormatWaitStrategy(_options.WaitStrategy)}, full sweeps on {kernels.Backend}, log {_logs.Path}"));
        strategyThread.Start();
        producerThread.Start();

        var clock = Stopwatch.StartNew();
        long lastTicks = 0;
        long lastOpportunities = 0;
        TimeSpan nextSummary = TimeSpan.FromSeconds(1);
        TimeSpan nextFeed = TimeSpan.Zero;
        StopReason reason;
        while (true)
        {
            decisions.Drain();
            graph?.Drain();
            paperGraph?.Poll();
            if (decisions.StopNow(cancellationToken, limits, clock.Elapsed) is { } stop)
            {
                reason = stop;
                break;
            }

            if (counters.Finished)
            {
                reason = StopReason.Ticks;
                break;
            }

            risk.Poll();
            if (feed is not null && clock.Elapsed >= nextFeed)
            {
                feed.SetBreakers(risk.Breakers());
                feed.Publish(new HostFigures(counters.Ticks, counters.BackPressured, _logs.Path, _logs.Writer.Counters));
                nextFeed = clock.Elapsed + s_feedInterval;
            }

            if (clock.Elapsed >= nextSummary)
            {
                long t = counters.Ticks;
                (double p50, double p99) = logState.Latency.TakeInterval();
                LogCounters log = _logs.Writer.Counters;
                _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={clock.Elapsed.TotalSeconds,5:0}s ticks/s={t - lastTicks,7} opportunities={logState.Count - lastOpportunities,5} (total {logState.Count}) tick-to-opportunity p50={EngineText.Ns(p50)} p99={EngineText.Ns(p99)} dropped={strategy.OpportunitiesDropped} back-pressure={counters.BackPressured} sweep-fallbacks={strategy.SweepFallbacks} log-not-written={log.NotWritten}{(paper is null ? "" : " " + paper.Describe())}"));
                if (graph is not null)
                {
                    _console.WriteLine("      " + graph.Describe());
                }

                if (paperGraph is not null)
                {
                    _console.WriteLine("      " + paperGraph.Describe());
                }

                lastTicks = t;
                lastOpportunities = logState.Count;
                nextSummary += TimeSpan.FromSeconds(1);
            }

            Thread.Sleep(5);
        }

        // Stop the producer, let the strategy finish what was published (draining as it goes so it never waits on a
        // full opportunity ring), then stop it and take the last opportunities.
        stopProducer.Cancel();
        producerThread.Join();
        long lastSequence = counters.Ticks - 1;
        var catchUp = Stopwatch.StartNew();
        while (strategyLoop.Sequence.Value < lastSequence && catchUp.Elapsed < s_catchUpTimeout)
        {
            decisions.Drain();
            Thread.Yield();
        }

        stopStrategy.Cancel();
        strategyThread.Join();
        decisions.Drain();
        graph?.Drain();
        risk.Poll(); // the strategy thread has stopped: its last alerts are logged before the log closes
        paperGraph?.Finish();
        paper?.Finish();
        LogCounters final = decisions.Close(s_logCloseTimeout, ref reason);
        if (feed is not null && snapshots is not null)
        {
            // The strategy thread has stopped: its last counters, and the dashboard's last view of the run.
            snapshots.Publish(strategy, Stopwatch.GetTimestamp());
            feed.SetBreakers(risk.Breakers());
            feed.Publish(new HostFigures(counters.Ticks, counters.BackPressured, _logs.Path, final));
        }

        stopDashboard?.Invoke();

        if (kernels.RefusedSweeps > 0)
        {
            _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kernels: {kernels.RefusedSweeps} full sweeps refused ({kernels.LastRefusal}); evaluated per instrument instead"));
        }

        long ticks = counters.Ticks;
        // Every line of the log is an opportunity or one of these: the start event, graph lines, risk alerts, paper fills.
        long engineEvents = EngineEvents + (graph?.LinesLogged ?? 0) + risk.Alerts + (paper?.LinesLogged ?? 0) + (paperGraph?.LinesLogged ?? 0);
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {ticks} ticks, {logState.Count} opportunities, {engineEvents} engine events, tick-to-opportunity {decisions.DescribeLatency()}; log {EngineText.Log(final)}"));
        if (scoreGate is not null)
        {
            _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: scorer stepped {scores!.Scored} frames; of the opportunities it let {scoreGate.Passed} through and held {scoreGate.Vetoed} back (score < {ScoreGate.Threshold})"));
        }

        if (paper is not null)
        {
            _console.WriteLine("done: " + paper.Describe());
            if (paperGraph is not null)
            {
                _console.WriteLine("done: " + paperGraph.Describe());
            }
        }

        if (graph is not null)
        {
            _console.WriteLine(graph.DescribeDone());
        }

        if (agents is not null)
        {
            _console.WriteLine(agents.DescribeDone());
        }

        return decisions.Result(ticks, strategy.OpportunitiesDropped, counters.BackPressured, final, reason) with
        {
            Scorer = scorer.UsesBaseline ? "baseline" : "model",
            Scored = scores?.Scored ?? 0,
            ScorerVetoed = scoreGate?.Vetoed ?? 0,
            EngineEvents = engineEvents,
            Graph = graph is null ? null : GraphRunFigures.From(graph, strategy),
            Agents = agents?.Live,
        };
    }

    // The producer thread: paced at simulated time, writes each tick straight into its slot.
    private static void Produce(SimulatedMarket market, RingBuffer<TickEvent> ring, ProducerCounters counters, long maxTicks, CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        long published = 0;
        long backPressured = 0;
        TickEvent next = default;
        market.Next(ref next);
        while (!stop.IsCancellationRequested && published < maxTicks)
        {
            // Pace at simulated time: publish every update that is due, then sleep until the next one.
            long dueTicks = (long)(market.ElapsedNs / StrategyState.NanosecondsPerTick);
            long now = Stopwatch.GetTimestamp() - started;
            if (dueTicks > now)
            {
                Thread.Sleep(1);
                continue;
            }

            long sequence;
            while (!ring.TryNext(out sequence))
            {
                counters.BackPressured = ++backPressured;
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                Thread.Yield();
            }

            ref TickEvent slot = ref ring[sequence];
            slot = next;
            slot.ReceiveTimeNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
            ring.Publish(sequence);
            counters.Ticks = ++published;
            market.Next(ref next);
        }

        counters.Finished = published >= maxTicks;
    }

    /// <summary>The strategy thread's processor, whichever handler it runs (the handler stays a struct type parameter).</summary>
    private sealed class StrategyLoop
    {
        private readonly Action<CancellationToken> _run;

        private StrategyLoop(Sequence sequence, Action<CancellationToken> run)
        {
            Sequence = sequence;
            _run = run;
        }

        public Sequence Sequence { get; }

        public void Run(CancellationToken stop) => _run(stop);

        public static StrategyLoop Create<THandler>(RingBuffer<TickEvent> ring, THandler handler)
            where THandler : struct, IEventHandler<TickEvent>
        {
            var processor = new BatchEventProcessor<TickEvent, THandler>(ring, ring.NewBarrier(), handler);
            ring.AddGatingSequences(processor.Sequence);
            return new StrategyLoop(processor.Sequence, stop => processor.Run(stop));
        }
    }

    /// <summary>
    /// Counts owned by the producer thread and read by the host: a plain store published with release semantics
    /// (<see cref="Volatile.Write(ref long, long)"/>), no interlocked read-modify-write per tick.
    /// </summary>
    private sealed class ProducerCounters
    {
        private long _ticks;
        private long _backPressured;
        private volatile bool _finished;

        /// <summary>Ticks published; producer writes, host reads.</summary>
        public long Ticks
        {
            get => Volatile.Read(ref _ticks);
            set => Volatile.Write(ref _ticks, value);
        }

        /// <summary>Failed claims on a full ring; producer writes, host reads.</summary>
        public long BackPressured
        {
            get => Volatile.Read(ref _backPressured);
            set => Volatile.Write(ref _backPressured, value);
        }

        /// <summary>The tick limit was reached; set once by the producer after its last publish.</summary>
        public bool Finished
        {
            get => _finished;
            set => _finished = value;
        }
    }
}
