namespace LowLatency.HotPath.Graph;

/// <summary>What a venue-graph edge trades through.</summary>
public enum GraphEdgeKind : byte
{
    /// <summary>Sell the base asset into an exchange book's bids (base → quote).</summary>
    CexBid,

    /// <summary>Buy the base asset from an exchange book's asks (quote → base).</summary>
    CexAsk,

    /// <summary>A Uniswap V2 pair (or fork), one direction.</summary>
    V2Pool,

    /// <summary>A Uniswap V3 pool (one fee tier), one direction.</summary>
    V3Pool,

    /// <summary>The same asset held at two venues/chains: inventory on both sides, no transfer in the trade (rate 1).</summary>
    Inventory,

    /// <summary>The same asset moved between two chains by a bridge: fee and latency from configuration.</summary>
    Bridge,
}

/// <summary>Which chain id or exchange venue id a node's location is.</summary>
public enum GraphLocationKind : byte
{
    Exchange,
    Chain,
}

/// <summary>A node of the venue graph: an asset at an exchange or on a chain. <see cref="Decimals"/> matters on chains (token decimals).</summary>
public readonly record struct GraphNode(int Asset, GraphLocationKind LocationKind, int Location, int Decimals);

/// <summary>
/// Gas and flash-loan inputs of one chain, as read on-chain by whoever feeds the graph (base fee and tip from
/// <c>newHeads</c>, the rollup's L1 data fee, Aave's <c>FLASHLOAN_PREMIUM_TOTAL</c>); none of them is a constant here.
/// The gas units per leg are estimates from configuration. Plain values; the strategy thread reads them.
/// </summary>
public struct ChainGas
{
    /// <summary>Current EIP-1559 base fee, wei per gas.</summary>
    public double BaseFeeWei;

    /// <summary>Priority fee (tip) we would pay, wei per gas.</summary>
    public double PriorityFeeWei;

    /// <summary>L1 data fee of one of our transactions, in wei of the native token (0 on L1s).</summary>
    public double L1DataFeeWei;

    /// <summary>Aave V3 <c>FLASHLOAN_PREMIUM_TOTAL</c> in basis points (5 = 0.05 %).</summary>
    public double FlashLoanPremiumBps;

    /// <summary>Asset id of the chain's native token (its price in the quote asset converts gas).</summary>
    public int NativeAsset;

    /// <summary>Gas of the transaction around the swaps (21,000 plus the executor's own work).</summary>
    public double TxBaseGas;

    /// <summary>Gas of taking and repaying a flash loan.</summary>
    public double FlashLoanGas;

    /// <summary>Gas of one V2 swap leg.</summary>
    public double V2SwapGas;

    /// <summary>Gas of one V3 swap leg within one tick range.</summary>
    public double V3SwapGas;

    /// <summary>Extra gas per initialized tick a V3 swap crosses.</summary>
    public double V3TickCrossGas;

    /// <summary>True once a base fee has been set: a chain with no gas reading is not traded on.</summary>
    public readonly bool IsSet => BaseFeeWei > 0 && double.IsFinite(BaseFeeWei);
}
