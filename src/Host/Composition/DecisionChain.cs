using System.Globalization;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Composition;

/// <summary>
/// The decision half that every engine shares, built once here: the opportunity ring the strategy publishes into, the
/// risk session whose gate runs on the strategy thread, and the host thread's drain that logs each opportunity and
/// hands it on to what acts on it. Also the host loop's common stop checks and the closing figures, so that a run on
/// the simulated market, on live feeds and a paper replay stop, account and report the same way.
/// </summary>
internal sealed class DecisionChain : IDisposable
{
    /// <summary>Slots in the opportunity ring: the host drains it by polling every few milliseconds.</summary>
    public const int OpportunityRingSize = 1 << 14;

    private readonly EngineLogs _logs;
    private BatchEventProcessor<Opportunity, OpportunityLogHandler>? _drain;

    /// <param name="withRisk">False only where nothing can act (a dry run on live feeds): no gate, no reservations.</param>
    public DecisionChain(EngineOptions options, EngineLogs logs, MarketLabels labels, bool withRisk = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(labels);
        _logs = logs;
        Labels = labels;
        // Drained by polling, so nobody waits on it: a non-signalling wait strategy keeps the strategy's publish cheap.
        Opportunities = new RingBuffer<Opportunity>(OpportunityRingSize, ProducerType.Single, WaitStrategyKind.Yielding);
        Risk = withRisk
            ? new RiskSession(options.Execution, labels.VenueNames, labels.InstrumentNames, labels.PriceDecimals, labels.QuantityDecimals, logs.Opportunities)
            : null;
    }

    public MarketLabels Labels { get; }

    public RingBuffer<Opportunity> Opportunities { get; }

    /// <summary>The risk session (the strategy's gate and the host's reservations); null without one.</summary>
    public RiskSession? Risk { get; }

    /// <summary>The drain's state: opportunities logged, tick-to-opportunity latency. Set by <see cref="StartDrain"/>.</summary>
    public OpportunityLogState Log { get; private set; } = null!;

    /// <summary>
    /// Builds the drain. <paramref name="act"/> gets each logged opportunity inside its risk reservation (begun before,
    /// released after unless <paramref name="act"/> handed it on); <paramref name="actOnGraph"/> likewise for the venue
    /// graph's opportunities. Called once, after everything the callbacks use exists.
    /// </summary>
    public void StartDrain(Action<Opportunity>? act, GraphWiring? graph = null, Action<Opportunity>? actOnGraph = null)
    {
        if (_drain is not null)
        {
            throw new InvalidOperationException("the drain is started once");
        }

        Log = new OpportunityLogState(_logs.Opportunities, Labels.VenueNames, Labels.InstrumentNames, Labels.PriceDecimals, Labels.QuantityDecimals)
        {
            Graph = graph,
            OnOpportunity = Reserved(act),
            OnGraphOpportunity = Reserved(actOnGraph),
        };
        _drain = new BatchEventProcessor<Opportunity, OpportunityLogHandler>(Opportunities, Opportunities.NewBarrier(), new OpportunityLogHandler(Log));
        Opportunities.AddGatingSequences(_drain.Sequence);
    }

    /// <summary>Logs and acts on every opportunity published so far; the host thread's only work per opportunity.</summary>
    public void Drain() => _drain!.Poll();

    /// <summary>Why the host loop should stop now (a cancellation, a failed log write, the duration), or null.</summary>
    public StopReason? StopNow(CancellationToken cancellation, RunLimits limits, TimeSpan elapsed)
    {
        if (cancellation.IsCancellationRequested)
        {
            return StopReason.Cancelled;
        }

        if (_logs.Writer.Failure is not null)
        {
            return StopReason.LogFailed;
        }

        return limits.Duration is { } duration && elapsed >= duration ? StopReason.Duration : null;
    }

    /// <summary>
    /// The close every engine ends with, once its market has stopped: the last opportunities drained, the gate's last
    /// alerts logged, the log flushed and closed. A write that failed on the way makes the reason <see cref="StopReason.LogFailed"/>.
    /// </summary>
    public LogCounters Close(TimeSpan logCloseTimeout, ref StopReason reason)
    {
        Drain();
        Risk?.Poll();
        _logs.Close(logCloseTimeout);
        if (reason != StopReason.LogFailed && _logs.Writer.Failure is not null)
        {
            reason = StopReason.LogFailed;
        }

        return _logs.Writer.Counters;
    }

    /// <summary>"p50=1.9us p99=11us p99.9=40us max=2ms" of tick → opportunity over the whole run.</summary>
    public string DescribeLatency()
    {
        (double p50, double p99, double p999, double max) = Log.Latency.Total();
        return $"p50={EngineText.Ns(p50)} p99={EngineText.Ns(p99)} p99.9={EngineText.Ns(p999)} max={EngineText.Ns(max)}";
    }

    /// <summary>The run's result, with the latency quantiles of <see cref="Log"/>.</summary>
    public DryRunEngine.Result Result(long ticks, long opportunitiesDropped, long backPressure, LogCounters log, StopReason reason)
    {
        (double p50, double p99, double p999, _) = Log.Latency.Total();
        return new DryRunEngine.Result(ticks, Log.Count, opportunitiesDropped, backPressure, p50, p99, p999, log, reason);
    }

    public void Dispose() => Risk?.Dispose();

    private Action<Opportunity>? Reserved(Action<Opportunity>? act)
    {
        if (act is null)
        {
            return null;
        }

        RiskSession? risk = Risk;
        if (risk is null)
        {
            return act;
        }

        return evt =>
        {
            risk.Begin(in evt);
            act(evt);
            risk.End(); // an approval nothing took on is released
        };
    }
}

/// <summary>The engines' shared text for figures.</summary>
internal static class EngineText
{
    /// <summary>"812 lines written, 0 dropped (queue full), 0 lost (failed writes), 1 rotation, 0 reopens".</summary>
    public static string Log(LogCounters log) => string.Create(CultureInfo.InvariantCulture,
        $"{log.Written} lines written, {log.Dropped} dropped (queue full), {log.Lost} lost (failed writes), {log.Rotations} rotations, {log.Reopens} reopens");

    /// <summary>Nanoseconds as "850ns", "1.93us" or "2.5ms"; "-" for none.</summary>
    public static string Ns(double ns) => double.IsNaN(ns)
        ? "-"
        : ns >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:0.##}ms")
        : ns >= 1_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:0.##}us")
        : string.Create(CultureInfo.InvariantCulture, $"{ns:0}ns");
}
