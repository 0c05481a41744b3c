using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Strategy;

/// <summary>
/// A cross-venue edge above the configured threshold: buy <see cref="Instrument"/> at <see cref="BuyVenue"/>'s best ask,
/// sell at <see cref="SellVenue"/>'s best bid. A ring slot (no references); written by the strategy thread.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Opportunity
{
    public InstrumentId Instrument;
    public VenueId BuyVenue;
    public VenueId SellVenue;

    /// <summary>Best ask at the buy venue (fixed-point, instrument scale).</summary>
    public Price BuyPrice;

    /// <summary>Best bid at the sell venue.</summary>
    public Price SellPrice;

    /// <summary>Size available at the top: min(ask size at the buy venue, bid size at the sell venue).</summary>
    public Quantity Quantity;

    /// <summary>(sell bid − buy ask) / buy ask, in basis points.</summary>
    public double GrossEdgeBps;

    /// <summary>Gross edge net of both venues' taker fees, in basis points.</summary>
    public double NetEdgeBps;

    /// <summary>Receive time (Unix ns) of the tick that last changed the buy side's top.</summary>
    public long BuyTickReceiveTimeNs;

    /// <summary>Receive time (Unix ns) of the tick that last changed the sell side's top.</summary>
    public long SellTickReceiveTimeNs;

    /// <summary>Stopwatch timestamp at which the triggering tick's frame was received (latency origin).</summary>
    public long TriggerTimestamp;

    /// <summary>Stopwatch timestamp of the decision.</summary>
    public long DecisionTimestamp;

    /// <summary>Unix ns of the decision (wall clock for logs; recorded time when replaying).</summary>
    public long DecisionTimeNs;

    /// <summary>What kind of arbitrage this is; the edge stage's are <see cref="OpportunityKind.CexCex"/>.</summary>
    public OpportunityKind Kind;

    /// <summary>Graph legs in trade order (venue-graph edge indices); empty for the edge stage's CEX-CEX edges.</summary>
    public OpportunityPath Path;

    /// <summary>Size in the start asset; 0 when not sized (the edge stage's CEX-CEX edges: <see cref="Quantity"/> holds the top-of-book size).</summary>
    public double Size;

    /// <summary>Size valued in the quote asset.</summary>
    public double SizeQuote;

    /// <summary>Output minus input at <see cref="Size"/> before any cost (<see cref="OpportunityCosts.Total"/>), in the quote asset.</summary>
    public double GrossProfitQuote;

    /// <summary>Gross profit minus every deducted cost, in the quote asset.</summary>
    public double NetProfitQuote;

    /// <summary>Seconds the slowest leg takes to settle (a bridge's latency); 0 for same-venue or same-chain legs.</summary>
    public double SettlementSeconds;

    /// <summary>Every cost component at <see cref="Size"/>.</summary>
    public OpportunityCosts Costs;

    /// <summary>The risk gate's verdict, made on the strategy thread before the slot is published (unchecked when no gate runs).</summary>
    public Risk.RiskVerdict Risk;

    /// <summary>The agent ensemble's votes, written on the strategy thread before the gate (none when agents are off).</summary>
    public AgentVotes Agents;
}
