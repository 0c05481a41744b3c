using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Risk;

/// <summary>
/// One action a strategy wants to take (a CEX-CEX pair, a CEX-DEX pair, a bundle), described for the gate. A value with
/// no references, built on the strategy thread per candidate.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct RiskAction
{
    /// <summary>The asset bought (index into the gate's per-asset tables; the instrument id for CEX pairs).</summary>
    public InstrumentId Asset;

    /// <summary>Venue of the first leg.</summary>
    public VenueId BuyVenue;

    /// <summary>Venue of the second leg (the same as <see cref="BuyVenue"/> for a one-venue action).</summary>
    public VenueId SellVenue;

    /// <summary>Chain slot of an on-chain leg (index into <see cref="RiskOptions.GasCapWei"/>), or −1 for none.</summary>
    public int ChainSlot;

    /// <summary>How many legs the action opens (2 for a pair; a bundle counts as 1: it lands whole or not at all).</summary>
    public int Legs;

    /// <summary>Notional of the action in the quote currency (USD).</summary>
    public double NotionalUsd;

    /// <summary>Unix ns receive time of the oldest quote the decision used.</summary>
    public long OldestQuoteNs;
}
