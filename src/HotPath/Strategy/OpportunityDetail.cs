using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Strategy;

/// <summary>What kind of arbitrage an <see cref="Opportunity"/> is. <see cref="CexCex"/> is 0, so a default slot is a CEX-CEX edge.</summary>
public enum OpportunityKind : byte
{
    /// <summary>Buy on one exchange's book, sell on another's (inventory on both).</summary>
    CexCex = 0,

    /// <summary>One leg on an exchange book, one on a DEX pool (inventory on both sides, not atomic).</summary>
    CexDex = 1,

    /// <summary>Two pools on one chain (V2 against V3, fee tiers against each other): atomic, flash-loan funded.</summary>
    DexDex = 2,

    /// <summary>Three or more trade legs closing on the start asset (triangular and longer).</summary>
    Cycle = 3,

    /// <summary>Uses a bridge between two chains: inventory-based, no atomicity, the bridge's latency applies.</summary>
    CrossChain = 4,
}

/// <summary>
/// The legs of a graph opportunity as venue-graph edge indices, in trade order (at most <see cref="Capacity"/>).
/// Inline, so the ring slot holds no reference. A CEX-CEX edge from the edge stage has no graph path (count 0).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct OpportunityPath
{
    /// <summary>Most legs a path holds (trades plus inventory and bridge links).</summary>
    public const int Capacity = 8;

    private EdgeIds _edges;

    /// <summary>Legs in use.</summary>
    public byte Count;

    /// <summary>Edge index of leg <paramref name="leg"/>.</summary>
    public readonly int this[int leg] => (uint)leg < Count ? _edges[leg] : -1;

    /// <summary>Appends a leg; false (and unchanged) when full.</summary>
    public bool TryAdd(int edge)
    {
        if (Count >= Capacity)
        {
            return false;
        }

        _edges[Count++] = edge;
        return true;
    }

    [InlineArray(Capacity)]
    private struct EdgeIds
    {
        private int _first;
    }
}

/// <summary>
/// Every cost an opportunity pays, each in the graph's quote asset (for a CEX-CEX edge: the instrument's quote currency),
/// for the opportunity's size. Gas is at the chain's current base fee plus tip; zero where a component does not apply.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct OpportunityCosts
{
    /// <summary>Exchange taker fees on the CEX legs.</summary>
    public double TakerFees;

    /// <summary>DEX pool fees paid inside the swaps.</summary>
    public double PoolFees;

    /// <summary>Execution gas: gas units × (base fee + priority fee), converted from the chain's native token.</summary>
    public double Gas;

    /// <summary>L1 data fee of the transaction on a rollup (Arbitrum's L1 component, OP-stack getL1Fee).</summary>
    public double L1DataFee;

    /// <summary>Flash-loan premium on the borrowed start amount (Aave's FLASHLOAN_PREMIUM_TOTAL).</summary>
    public double FlashLoanPremium;

    /// <summary>Bridge fees of cross-chain legs.</summary>
    public double BridgeFee;

    /// <summary>Every component together: gross profit minus this is the net profit.</summary>
    public readonly double Total => TakerFees + PoolFees + Gas + L1DataFee + FlashLoanPremium + BridgeFee;
}
