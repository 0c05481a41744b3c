using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Graph;

/// <summary>Small hand-built venue graphs: two 18-decimal assets A and B priced 2,000 each, on chains 0 and 1 and one exchange.</summary>
internal sealed class GraphWorld
{
    public const int A = 0;
    public const int B = 1;
    public static readonly UInt256 E18 = 1_000_000_000_000_000_000UL;

    public VenueGraph Graph { get; } = new(maxNodes: 16, maxEdges: 64, maxAssets: 4, maxChains: 2);

    public static ChainGas MainnetGas => new()
    {
        BaseFeeWei = 10e9,
        PriorityFeeWei = 1e9,
        L1DataFeeWei = 0,
        FlashLoanPremiumBps = 5,
        NativeAsset = A,
        TxBaseGas = 21_000,
        FlashLoanGas = 30_000,
        V2SwapGas = 100_000,
        V3SwapGas = 130_000,
        V3TickCrossGas = 25_000,
    };

    public static UInt256 Tokens(ulong whole) => E18 * (UInt256)whole;

    /// <summary>A 0.05 % pool at price 1 (tick 0) with one wide position of 10^24 liquidity.</summary>
    public static V3Pool PoolAtOne()
    {
        var pool = new V3Pool(500, 10);
        Assert.Equal(V3Status.Ok, pool.Initialize(FullMath.Q96));
        Assert.Equal(V3Status.Ok, pool.Mint(-6_000, 6_000, (UInt128)E18 * 1_000_000, out _, out _));
        return pool;
    }

    public void PriceAssets()
    {
        Graph.SetAssetPrice(A, 2_000);
        Graph.SetAssetPrice(B, 2_000);
        Graph.SetChainGas(0, MainnetGas);
        Graph.SetChainGas(1, MainnetGas with { BaseFeeWei = 0.01e9, PriorityFeeWei = 0.001e9, L1DataFeeWei = 2e12 });
    }
}

/// <summary>Collects opportunities (a class behind a struct sink, as tests need them afterwards).</summary>
internal struct ListSink(List<Opportunity> list) : IOpportunitySink
{
    public readonly void OnOpportunity(in Opportunity opportunity) => list.Add(opportunity);
}

internal struct CountSink : IOpportunitySink
{
    public int Count;
    public double Profit;

    public void OnOpportunity(in Opportunity opportunity)
    {
        Count++;
        Profit += opportunity.NetProfitQuote;
    }
}

