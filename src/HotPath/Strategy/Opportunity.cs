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
}
