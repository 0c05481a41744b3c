using System.Diagnostics;
using System.Globalization;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// <c>run --feeds live</c> (or <c>marketData: live</c>): the same strategy chain and opportunity log as the dry run,
/// fed by the configured venues instead of the simulated market. One summary line per second gives each venue's state
/// (connecting / live / resync / quarantined), its message rate and integrity score; the stop is the dry run's: the
/// connections stop, the strategy finishes what was published, the opportunities are drained and logged, <c>done:</c>.
/// </summary>
public sealed class LiveRunEngine
{
    private readonly EngineOptions _options;
    private readonly IReadOnlyList<LiveVenueOptions> _venues;
    private readonly TextWriter _console;
    private readonly EngineLogs _logs;
    private readonly Action<string> _alert;

    public LiveRunEngine(EngineOptions options, IReadOnlyList<LiveVenueOptions> venues, TextWriter console, EngineLogs logs, Action<string> alert)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(venues);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(alert);
        _options = options;
        _venues = venues;
        _console = console;
        _logs = logs;
        _alert = alert;
    }

    /// <summary><c>--live --execute</c>: approved pairs become orders through it; null (dry run on live data): nothing is sent.</summary>
    internal LiveExecution? Execution { get; init; }

    /// <summary><c>--live --execute</c> with a chain naming our executor: its flash-loan bundles go to the relays; null: nothing on-chain.</summary>
    internal OnChainExecution? OnChain { get; init; }

    /// <summary>The loaded agent ensemble (null: off or no models, <see cref="AgentsProblem"/> says why); it runs on a followed chain's pools.</summary>
    internal Ml.Agents.AgentEnsemble? Agents { get; init; }

    internal string? AgentsProblem { get; init; }

    /// <summary>
    /// Cluster mode: this engine's membership. The live gate checks its lease after the engine's own, breakers go to the
    /// cluster's stream, and live fills to its fill stream; null on one box.
    /// </summary>
    internal Adapters.Cluster.ClusterNode? Cluster { get; init; }

    public DryRunEngine.Result Run(RunLimits limits, CancellationToken cancellationToken)
    {
        MarketLabels labels = MarketLabels.Of(_venues);
        (string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals) = labels;
        double[] fees = [.. _venues.Select(v => _options.TakerFees.TryGetValue(v.Name, out double fee) ? fee : 0.001)];
        // Live orders pass the strategy thread's gate; the host side keeps each approval reserved until its pair ends
        // (released unless handed to a pair). A dry run on live data has nothing that acts, so no gate.
        LiveExecution? execution = Execution;
        OnChainExecution? onChain = OnChain;
        using var decisions = new DecisionChain(_options, _logs, labels, withRisk: execution is not null || onChain is { IsDryRun: false });
        RiskSession? risk = decisions.Risk;
        decisions.StartDrain(execution is null ? null : evt => execution.OnOpportunity(in evt));
        OpportunityLogState logState = decisions.Log;
        var market = new LiveMarket(_venues, fees, _options.ThresholdBps, _options.RingSize, decisions.Opportunities, log: line => _alert(SecretRedaction.Redact(line)));
        if (Cluster is { } cluster && risk is not null)
        {
            // What the gate approves must also fit this node's share of the global limits (no network on the strategy thread).
            risk.StrategyGate.Lease = cluster.Lease;
            risk.OnAlert = a => cluster.RecordBreaker(ClusterMode.Breaker(a));
        }

        if (execution is not null)
        {
            execution.ClusterFill = Cluster is { } fills ? f => fills.RecordFill(f) : null;
            market.Strategy.Risk = risk!.StrategyGate;
            execution.Bind(risk, _logs.Opportunities, venueNames, instrumentNames, priceDecimals, quantityDecimals);
            execution.Start(); // reconciles every venue before its first pair
        }

        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(execution is null ? "dry-run" : "live trading")} on live market data: {string.Join(", ", _venues.Select(v => $"{SecretRedaction.Redact(v.Name)} ({v.Symbols.Count} symbols, {SecretRedaction.Redact(v.WsUrl.Host)})"))}, threshold {_options.ThresholdBps} bps net, log {_logs.Path}"));
        if (onChain is not null)
        {
            onChain.Bind(_logs.Opportunities, risk);
            if (Cluster is { } accounts)
            {
                onChain.UseCluster(accounts);
                onChain.ClusterFill = f => accounts.RecordFill(f);
            }

            _console.WriteLine(onChain.DescribeStart());
        }

        // The agents decide on a chain's pools: the CEX books alone are not what they were trained on.
        string agentsLine;
        if (onChain is not null)
        {
            agentsLine = onChain.UseAgents(Agents, AgentsProblem);
        }
        else
        {
            _ = RunAgents.Prepare(Agents, AgentsProblem, "no chain is followed, none names an executor: the agents decide on a chain's USDC/WETH pools", "", out agentsLine);
        }

        _console.WriteLine(agentsLine);
        EngineLogs.AgentsChosen(_logs.Engine, agentsLine);

        market.Start();
        risk?.Poll(); // the kill switch file is read before the first bundle can be signed
        onChain?.Start();

        var clock = Stopwatch.StartNew();
        TimeSpan nextSummary = TimeSpan.FromSeconds(1);
        long lastOpportunities = 0;
        long maxTicks = limits.MaxTicks ?? long.MaxValue;
        StopReason reason;
        while (true)
        {
            decisions.Drain();
            execution?.Poll();
            onChain?.Poll();
            risk?.Poll();
            if (decisions.StopNow(cancellationToken, limits, clock.Elapsed) is { } stop)
            {
                reason = stop;
                break;
            }

            if (market.Strategy.Events >= maxTicks)
            {
                reason = StopReason.Ticks;
                break;
            }

            if (clock.Elapsed >= nextSummary)
            {
                (double p50, double p99) = logState.Latency.TakeInterval();
                _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={clock.Elapsed.TotalSeconds,5:0}s {SecretRedaction.Redact(market.Sample())} opportunities={logState.Count - lastOpportunities} (total {logState.Count}) tick-to-opportunity p50={EngineText.Ns(p50)} p99={EngineText.Ns(p99)} dropped={market.Strategy.OpportunitiesDropped} log-not-written={_logs.Writer.Counters.NotWritten}{(execution is null ? "" : " " + execution.Describe())}{(onChain is null ? "" : " " + onChain.Describe())}"));
                lastOpportunities = logState.Count;
                nextSummary += TimeSpan.FromSeconds(1);
            }

            Thread.Sleep(5);
        }

        Task stopping = market.StopAsync();
        while (!stopping.IsCompleted)
        {
            decisions.Drain(); // the strategy never waits on a full opportunity ring while it finishes
            Thread.Sleep(1);
        }

        stopping.GetAwaiter().GetResult();
        market.DisposeAsync().AsTask().GetAwaiter().GetResult();
        decisions.Drain();
        execution?.Stop(TimeSpan.FromSeconds(30)); // the pair working finishes: bounded by its leg windows and per-call timeouts, never abandoned early
        onChain?.Stop(TimeSpan.FromSeconds(10)); // a bundle out is cancelled where it waits; its fate is logged
        LogCounters final = decisions.Close(TimeSpan.FromSeconds(1), ref reason);

        long ticks = market.Strategy.Events;
        long backPressure = market.Clients.Sum(c => c.Counters.BackPressure);
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {ticks} ticks, {logState.Count} opportunities, tick-to-opportunity {decisions.DescribeLatency()}; {string.Join(", ", market.Clients.Select(c => $"{c.Name}: {c.Counters.Frames} frames, {c.Counters.Rejected} rejected, {c.Counters.Reconnects} reconnects"))}; log {EngineText.Log(final)}"));
        if (execution is not null)
        {
            _console.WriteLine("done: " + execution.Describe());
        }

        if (onChain is not null)
        {
            _console.WriteLine("done: " + onChain.Describe());
        }

        if (onChain?.DescribeAgentsDone() is { } agentsDone)
        {
            _console.WriteLine(agentsDone);
        }

        return decisions.Result(ticks, market.Strategy.OpportunitiesDropped, backPressure, final, reason);
    }
}
