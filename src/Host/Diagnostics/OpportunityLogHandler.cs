using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// Drains the opportunity ring on the host thread: records tick-to-opportunity latency and writes each opportunity as
/// one JSON line. Off the hot path, so formatting may allocate.
/// </summary>
public readonly struct OpportunityLogHandler(OpportunityLogState state) : IEventHandler<Opportunity>
{
    public void OnEvent(ref Opportunity evt, long sequence, bool endOfBatch)
    {
        state.Latency.Record(evt.TriggerTimestamp, evt.DecisionTimestamp);
        state.Count++;
        if (evt.Path.Count > 0 && state.Graph is { } graph)
        {
            LogGraphOpportunity(state, graph, ref evt);
            state.OnGraphOpportunity?.Invoke(evt);
            return;
        }

        int scale = state.PriceDecimals[evt.Instrument.Value];
        int qtyScale = state.QuantityDecimals[evt.Instrument.Value];
        long tickToOpportunityNs = evt.TriggerTimestamp == 0
            ? 0
            : (long)((evt.DecisionTimestamp - evt.TriggerTimestamp) * StrategyState.NanosecondsPerTick);
        EngineLogs.Opportunity(
            state.Logger,
            state.InstrumentNames[evt.Instrument.Value],
            state.VenueNames[evt.BuyVenue.Value],
            state.VenueNames[evt.SellVenue.Value],
            FixedPointText.ToDecimalString(evt.BuyPrice.Raw, scale),
            FixedPointText.ToDecimalString(evt.SellPrice.Raw, scale),
            FixedPointText.ToDecimalString(evt.Quantity.Raw, qtyScale),
            Math.Round(evt.GrossEdgeBps, 4),
            Math.Round(evt.NetEdgeBps, 4),
            evt.BuyTickReceiveTimeNs,
            evt.SellTickReceiveTimeNs,
            evt.DecisionTimeNs,
            tickToOpportunityNs,
            evt.Agents.Step,
            Dashboard.DashboardFeed.Votes(in evt.Agents));
        state.OnOpportunity?.Invoke(evt);
    }

    private static void LogGraphOpportunity(OpportunityLogState state, Lifecycle.GraphWiring graph, ref Opportunity evt)
    {
        long tickToOpportunityNs = evt.TriggerTimestamp == 0
            ? 0
            : (long)((evt.DecisionTimestamp - evt.TriggerTimestamp) * StrategyState.NanosecondsPerTick);
        ref readonly OpportunityCosts c = ref evt.Costs;
        EngineLogs.GraphOpportunity(
            state.Logger,
            evt.Kind.ToString(),
            graph.DescribePath(in evt.Path),
            Math.Round(evt.Size, 8),
            graph.StartAsset(in evt.Path),
            Math.Round(evt.SizeQuote, 4),
            Math.Round(evt.GrossProfitQuote, 6),
            Math.Round(evt.NetProfitQuote, 6),
            Math.Round(c.TakerFees, 6),
            Math.Round(c.PoolFees, 6),
            Math.Round(c.Gas, 6),
            Math.Round(c.L1DataFee, 6),
            Math.Round(c.FlashLoanPremium, 6),
            Math.Round(c.BridgeFee, 6),
            evt.SettlementSeconds,
            evt.DecisionTimeNs,
            tickToOpportunityNs,
            evt.Agents.Step,
            Dashboard.DashboardFeed.Votes(in evt.Agents));
    }
}

/// <summary>What the opportunity drain needs: names for ids, scales, the logger, the latency recorder.</summary>
public sealed class OpportunityLogState(ILogger logger, string[] venueNames, string[] instrumentNames, int[] priceDecimals, int[] quantityDecimals)
{
    public ILogger Logger { get; } = logger;

    public string[] VenueNames { get; } = venueNames;

    public string[] InstrumentNames { get; } = instrumentNames;

    public int[] PriceDecimals { get; } = priceDecimals;

    public int[] QuantityDecimals { get; } = quantityDecimals;

    public LatencyRecorder Latency { get; } = new();

    public long Count { get; set; }

    /// <summary>The run's venue graph: its opportunities are logged with kind, path, size and costs (and not passed to <see cref="OnOpportunity"/>, which handles exchange edges).</summary>
    public Lifecycle.GraphWiring? Graph { get; init; }

    /// <summary>Optional observer (the replay command prints opportunities with it).</summary>
    public Action<Opportunity>? OnOpportunity { get; init; }

    /// <summary>
    /// Optional observer of the graph's opportunities, after their line is logged. The risk gate reserved legs for each it
    /// approved: whoever runs a gate must release them here, or the open-leg limit fills and every later action is denied.
    /// </summary>
    public Action<Opportunity>? OnGraphOpportunity { get; init; }
}
