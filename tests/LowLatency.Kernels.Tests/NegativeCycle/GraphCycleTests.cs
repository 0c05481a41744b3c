using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;
using LowLatency.Kernels.NegativeCycle;

namespace LowLatency.Kernels.Tests.NegativeCycle;

public sealed class GraphCycleTests
{
    private static readonly UInt256 s_e18 = 1_000_000_000_000_000_000UL;

    private static UInt256 Tokens(ulong whole) => s_e18 * (UInt256)whole;

    private static ChainGas Gas => new()
    {
        BaseFeeWei = 5e9,
        PriorityFeeWei = 1e9,
        FlashLoanPremiumBps = 5,
        NativeAsset = 0,
        TxBaseGas = 21_000,
        FlashLoanGas = 30_000,
        V2SwapGas = 100_000,
        V3SwapGas = 130_000,
        V3TickCrossGas = 25_000,
    };


    private struct ListSink(List<Opportunity> list) : IOpportunitySink
    {
        public readonly void OnOpportunity(in Opportunity opportunity) => list.Add(opportunity);
    }

    /// <summary>Three V2 pairs A/B, B/C, C/A on chain 0 whose prices multiply to 1.02 one way round.</summary>
    private static (VenueGraph Graph, int[] Pools) Triangle()
    {
        var g = new VenueGraph(8, 32, 4, 1);
        int a = g.AddNode(0, GraphLocationKind.Chain, 0);
        int b = g.AddNode(1, GraphLocationKind.Chain, 0);
        int c = g.AddNode(2, GraphLocationKind.Chain, 0);
        int[] pools = [g.AddV2Pool(a, b, 30), g.AddV2Pool(b, c, 30), g.AddV2Pool(c, a, 30)]; // edges 0..5
        g.Freeze();
        g.UpdateV2Reserves(pools[0], Tokens(1_000), Tokens(2_000));   // 1 A = 2 B
        g.UpdateV2Reserves(pools[1], Tokens(2_000), Tokens(3_060));   // 1 B = 1.53 C
        g.UpdateV2Reserves(pools[2], Tokens(3_000), Tokens(1_000));   // 1 C = 1/3 A: A→B→C→A gives 1.02
        for (int asset = 0; asset < 3; asset++)
        {
            g.SetAssetPrice(asset, 1_000);
        }

        g.SetChainGas(0, Gas);
        return (g, pools);
    }

    [Fact]
    public void A_triangle_of_pools_is_found_by_the_kernel_sized_and_costed_as_one_flash_loan_transaction()
    {
        (VenueGraph g, _) = Triangle();
        using var host = new NegativeCycleHost(64, 64, KernelBackendPreference.Simd);
        var stage = new GraphStage(g, new GraphStageOptions(), host);
        Assert.Equal(0, stage.PairRouteCount); // no two trades close a loop here

        var found = new List<Opportunity>();
        var sink = new ListSink(found);
        Assert.Equal(1, stage.Evaluate(ref sink, 10, 20));
        Opportunity o = Assert.Single(found);
        Assert.Equal(OpportunityKind.Cycle, o.Kind);
        Assert.Equal([0, 2, 4], Enumerable.Range(0, o.Path.Count).Select(i => o.Path[i]).ToArray()); // A→B, B→C, C→A
        Assert.True(o.Size > 0);
        Assert.Equal((21_000 + 30_000 + (3 * 100_000)) * 6e9 / 1e18 * 1_000, o.Costs.Gas, 9);
        Assert.Equal(o.Size * 0.0005 * 1_000, o.Costs.FlashLoanPremium, 9);
        Assert.Equal(o.GrossProfitQuote - o.Costs.Total, o.NetProfitQuote, 9);
        Assert.True(o.NetProfitQuote > 0);
        Assert.Equal(20, o.TriggerTimestamp);

        double Profit(double x) => PathQuote.Quote(g, o.Path, x) - (x * 1.0005);
        Assert.True(Profit(o.Size) >= Profit(o.Size * 0.98) && Profit(o.Size) >= Profit(o.Size * 1.02));

        // Nothing changed: not reported again.
        Assert.Equal(0, stage.Evaluate(ref sink, 11, 21));
        Assert.Equal(0, stage.SearchRefusals);
    }

    [Fact]
    public void A_fair_triangle_gives_nothing_and_the_search_allocates_nothing()
    {
        (VenueGraph g, int[] pools) = Triangle();
        using var host = new NegativeCycleHost(64, 64, KernelBackendPreference.Simd);
        var stage = new GraphStage(g, new GraphStageOptions(), host);
        var found = new List<Opportunity>(4_000);
        var sink = new ListSink(found);
        long before = 0;
        for (int i = 0; i < 1_500; i++)
        {
            if (i == 100)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            // Alternate a fair C/A price (product < 1 after fees) with a skewed one.
            g.UpdateV2Reserves(pools[2], Tokens(3_000 + (ulong)(i % 2 * 60)), Tokens(1_000));
            stage.Evaluate(ref sink, i, i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(750, found.Count); // only the skewed half, each a fresh set of rates
        Assert.All(found, o => Assert.Equal(OpportunityKind.Cycle, o.Kind));
    }

    [Fact]
    public void A_triangle_of_exchange_books_pays_three_taker_fees()
    {
        var g = new VenueGraph(8, 32, 4, 1);
        int usd = g.AddNode(0, GraphLocationKind.Exchange, 0);
        int btc = g.AddNode(1, GraphLocationKind.Exchange, 0);
        int eth = g.AddNode(2, GraphLocationKind.Exchange, 0);
        int btcUsd = g.AddCexBook(btc, usd, 0.0005, 2, 6);  // edges 0 sell BTC, 1 buy BTC
        int ethUsd = g.AddCexBook(eth, usd, 0.0005, 2, 6);  // 2 sell ETH, 3 buy ETH
        int ethBtc = g.AddCexBook(eth, btc, 0.0005, 6, 6);  // 4 sell ETH for BTC, 5 buy ETH with BTC
        g.Freeze();
        g.SetAssetPrice(0, 1);
        g.SetAssetPrice(1, 40_000);
        g.SetAssetPrice(2, 2_000);
        g.UpdateBookTop(btcUsd, 40_000, 2, 40_001, 2, true);
        g.UpdateBookTop(ethUsd, 2_000, 50, 2_000.5, 50, true);
        g.UpdateBookTop(ethBtc, 0.0509, 30, 0.0510, 30, true); // ETH 1.8 % dear against BTC

        using var host = new NegativeCycleHost(64, 64, KernelBackendPreference.Simd);
        var stage = new GraphStage(g, new GraphStageOptions { MaxSizeQuote = 1_000_000 }, host);
        var found = new List<Opportunity>();
        var sink = new ListSink(found);
        stage.Evaluate(ref sink, 1, 1);
        Opportunity o = Assert.Single(found);
        Assert.Equal(OpportunityKind.Cycle, o.Kind);
        Assert.Equal(3, o.Path.Count);
        Assert.Equal(0, o.Costs.Gas);
        Assert.Equal(0, o.Costs.FlashLoanPremium);
        Assert.InRange(o.Costs.TakerFees, o.SizeQuote * 0.0005 * 2.9, o.SizeQuote * 0.0005 * 3.1);
        Assert.True(o.NetProfitQuote > 0);
        Assert.Equal(new VenueId(0), o.BuyVenue);
    }
}
