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
            tickToOpportunityNs);
        state.OnOpportunity?.Invoke(evt);
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

    /// <summary>Optional observer (the replay command prints opportunities with it).</summary>
    public Action<Opportunity>? OnOpportunity { get; init; }
}
