using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Graph;

public sealed class GraphStageTests
{
    /// <summary>Chain 0: A/B as a V2 pair and a V3 0.05 % pool; the pair prices B 1 % cheaper than the pool.</summary>
    private static (GraphWorld World, int Pair, int Pool) DexDex()
    {
        var w = new GraphWorld();
        int a = w.Graph.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0);
        int b = w.Graph.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0);
        int pair = w.Graph.AddV2Pool(a, b, 30);
        int pool = w.Graph.AddV3Pool(a, b, GraphWorld.PoolAtOne());
        w.Graph.Freeze();
        w.PriceAssets();
        w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_010));
        w.Graph.OnV3Changed(pool);
        return (w, pair, pool);
    }

    [Fact]
    public void V2_against_V3_on_one_chain_is_a_flash_loan_funded_dex_dex_opportunity_with_every_cost()
    {
        (GraphWorld w, _, _) = DexDex();
        var stage = new GraphStage(w.Graph, new GraphStageOptions());
        Assert.Equal(2, stage.PairRouteCount); // A→B on the pair then back on the pool, and the reverse

        var found = new List<Opportunity>();
        var sink = new ListSink(found);
        Assert.Equal(1, stage.Evaluate(ref sink, 1, 2));
        Opportunity o = Assert.Single(found);

        Assert.Equal(OpportunityKind.DexDex, o.Kind);
        Assert.Equal(2, o.Path.Count);
        Assert.Equal(0, o.Path[0]); // A → B on the V2 pair (B is cheap there)
        Assert.Equal(3, o.Path[1]); // B → A on the V3 pool
        Assert.True(o.Size > 0);
        Assert.Equal(o.Size * 2_000, o.SizeQuote, 9);

        // Gas at 11 gwei for base + flash loan + one V2 + one V3 swap in one range, valued at A's price.
        Assert.Equal(0, o.Costs.TakerFees);
        Assert.Equal((21_000 + 30_000 + 100_000 + 130_000) * 11e9 / 1e18 * 2_000, o.Costs.Gas, 9);
        Assert.Equal(o.Size * 0.0005 * 2_000, o.Costs.FlashLoanPremium, 9);
        Assert.Equal(0, o.Costs.L1DataFee);
        Assert.Equal(0, o.Costs.BridgeFee);
        Assert.True(o.Costs.PoolFees > o.Size * 0.003 * 2_000);
        Assert.Equal(o.GrossProfitQuote - o.Costs.Total, o.NetProfitQuote, 9);
        Assert.True(o.NetProfitQuote > 0);

        // The net profit is what an exact quote at that size gives after the costs.
        double output = PathQuote.Quote(w.Graph, o.Path, o.Size);
        Assert.Equal(((output - o.Size) * 2_000) - o.Costs.Gas - o.Costs.FlashLoanPremium, o.NetProfitQuote, 9);

        // Nothing changed: nothing new to say.
        Assert.Equal(0, stage.Evaluate(ref sink, 3, 4));
    }

    [Fact]
    public void The_size_is_the_optimum_of_the_exact_quotes()
    {
        (GraphWorld w, _, _) = DexDex();
        OpportunityPath path = default;
        path.TryAdd(0);
        path.TryAdd(3);
        double size = GraphSizer.OptimalSize(w.Graph, path, 1_000, 0.0005, 60, out double output);
        double Profit(double x) => PathQuote.Quote(w.Graph, path, x) - (x * 1.0005);
        Assert.True(size > 0.1 && size < 100, size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Profit(size), output - (size * 1.0005), 12);
        foreach (double f in new[] { 0.9, 0.99, 1.01, 1.1 })
        {
            Assert.True(Profit(size) >= Profit(size * f), $"profit at {f}x the size is higher");
        }
    }

    [Fact]
    public void Two_V2_pairs_are_sized_by_the_closed_form_which_agrees_with_the_search()
    {
        var w = new GraphWorld();
        int a = w.Graph.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0);
        int b = w.Graph.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0);
        int p1 = w.Graph.AddV2Pool(a, b, 30);
        int p2 = w.Graph.AddV2Pool(a, b, 25);
        w.Graph.Freeze();
        w.Graph.UpdateV2Reserves(p1, GraphWorld.Tokens(5_000), GraphWorld.Tokens(5_100));
        w.Graph.UpdateV2Reserves(p2, GraphWorld.Tokens(800), GraphWorld.Tokens(790));
        OpportunityPath path = default;
        path.TryAdd(0); // A → B on p1 (B cheap)
        path.TryAdd(3); // B → A on p2
        Assert.True(GraphSizer.TryV2PairOptimum(w.Graph, path, out double closed));
        double searched = GraphSizer.OptimalSize(w.Graph, path, 1_000, 1e-15, 120, out _); // a premium forces the search
        Assert.True(closed > 1, closed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(closed, searched, closed * 1e-5);

        OpportunityPath wrong = default;
        wrong.TryAdd(1); // B → A on p1, A → B on p2: the losing direction
        wrong.TryAdd(2);
        Assert.True(GraphSizer.TryV2PairOptimum(w.Graph, wrong, out double none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void A_book_against_a_pool_through_inventory_links_is_cex_dex_with_taker_fees()
    {
        var w = new GraphWorld();
        VenueGraph g = w.Graph;
        int ax = g.AddNode(GraphWorld.A, GraphLocationKind.Exchange, 0);
        int bx = g.AddNode(GraphWorld.B, GraphLocationKind.Exchange, 0);
        int a0 = g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0);
        int b0 = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0);
        int book = g.AddCexBook(ax, bx, 0.001, 4, 4);   // edges 0 (sell A), 1 (buy A)
        int pair = g.AddV2Pool(a0, b0, 30);             // edges 2, 3
        g.AddInventoryLink(ax, a0);                     // 4, 5
        g.AddInventoryLink(bx, b0);                     // 6, 7
        g.Freeze();
        w.PriceAssets();
        g.UpdateBookTop(book, 1.02, 50, 1.021, 50, true);           // A sells for 1.02 B on the exchange
        g.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_000)); // 1:1 on chain

        var stage = new GraphStage(g, new GraphStageOptions());
        var found = new List<Opportunity>();
        var sink = new ListSink(found);
        stage.Evaluate(ref sink, 1, 1);
        Opportunity o = Assert.Single(found);
        Assert.Equal(OpportunityKind.CexDex, o.Kind);
        Assert.Equal([0, 6, 3, 5], Enumerable.Range(0, o.Path.Count).Select(i => o.Path[i]).ToArray());
        Assert.True(o.Size > 0 && o.Size <= 50, o.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)); // the top's depth bounds it
        Assert.Equal(o.Size * 1.02 * 0.001 * 2_000, o.Costs.TakerFees, 9);
        Assert.Equal(0, o.Costs.FlashLoanPremium); // not atomic: inventory on both sides
        Assert.Equal((21_000 + 100_000) * 11e9 / 1e18 * 2_000, o.Costs.Gas, 9);
        Assert.Equal(new VenueId(0), o.BuyVenue);
        Assert.Equal(o.GrossProfitQuote - o.Costs.Total, o.NetProfitQuote, 9);
    }

    [Fact]
    public void The_same_pair_on_two_chains_joined_by_a_bridge_is_cross_chain_with_its_fee_and_latency()
    {
        var w = new GraphWorld();
        VenueGraph g = w.Graph;
        int a0 = g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0);
        int b0 = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0);
        int a1 = g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 1);
        int b1 = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 1);
        int p0 = g.AddV2Pool(a0, b0, 30);        // 0, 1
        int p1 = g.AddV2Pool(a1, b1, 30);        // 2, 3
        g.AddBridge(a0, a1, 0.0005, 0.01, 900);  // 4, 5
        g.AddBridge(b0, b1, 0.0005, 0.01, 900);  // 6, 7
        g.Freeze();
        w.PriceAssets();
        g.UpdateV2Reserves(p0, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_030));
        g.UpdateV2Reserves(p1, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_000));

        var stage = new GraphStage(g, new GraphStageOptions());
        var found = new List<Opportunity>();
        var sink = new ListSink(found);
        stage.Evaluate(ref sink, 1, 1);
        Opportunity o = Assert.Single(found);
        Assert.Equal(OpportunityKind.CrossChain, o.Kind);
        Assert.Equal([0, 6, 3, 5], Enumerable.Range(0, o.Path.Count).Select(i => o.Path[i]).ToArray());
        Assert.Equal(900, o.SettlementSeconds);
        Assert.True(o.Costs.BridgeFee > 2 * 0.01 * 2_000); // two fixed fees and the proportional ones
        Assert.True(o.Costs.L1DataFee > 0);                // chain 1 is a rollup in this world
        Assert.Equal(0, o.Costs.FlashLoanPremium);
        Assert.Equal(o.GrossProfitQuote - o.Costs.Total, o.NetProfitQuote, 9);
    }

    [Fact]
    public void A_chain_without_a_gas_reading_or_an_unpriced_asset_is_counted_not_traded()
    {
        (GraphWorld w, int pair, _) = DexDex();
        w.Graph.SetChainGas(0, default);
        var stage = new GraphStage(w.Graph, new GraphStageOptions());
        var sink = new CountSink();
        Assert.Equal(0, stage.Evaluate(ref sink, 1, 1));
        Assert.Equal(1, stage.Candidates);
        Assert.Equal(1, stage.Unsized);

        w.Graph.SetChainGas(0, GraphWorld.MainnetGas);
        w.Graph.SetAssetPrice(GraphWorld.A, double.NaN);
        w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_011));
        Assert.Equal(0, stage.Evaluate(ref sink, 2, 2));
        Assert.Equal(2, stage.Unsized);
    }

    [Fact]
    public void A_profit_below_the_minimum_after_gas_is_not_published()
    {
        (GraphWorld w, _, _) = DexDex();
        var stage = new GraphStage(w.Graph, new GraphStageOptions { MinNetProfitQuote = 1e9 });
        var sink = new CountSink();
        Assert.Equal(0, stage.Evaluate(ref sink, 1, 1));
        Assert.Equal(1, stage.Unsized);
    }

    [Fact]
    public void A_standing_route_is_reported_once_and_again_only_after_a_rearm_request()
    {
        (GraphWorld w, int pair, _) = DexDex();
        var stage = new GraphStage(w.Graph, new GraphStageOptions());
        var found = new List<Opportunity>();
        var sink = new ListSink(found);
        Assert.Equal(1, stage.Evaluate(ref sink, 1, 2));

        // The same reserves written again (a new block, no trade): the route stands, and is not repeated.
        w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_010));
        Assert.Equal(0, stage.Evaluate(ref sink, 3, 4));

        // An executor that could not take it asks again: the next evaluation reports it, once.
        stage.RequestRearm();
        w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_010));
        Assert.Equal(1, stage.Evaluate(ref sink, 5, 6));
        w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_010));
        Assert.Equal(0, stage.Evaluate(ref sink, 7, 8));
        Assert.Equal(1, stage.Rearms);
        Assert.Equal(found[0].Path[0], found[1].Path[0]);
        Assert.Equal(found[0].Size, found[1].Size);
    }

    [Fact]
    public void Evaluation_with_moving_reserves_allocates_nothing()
    {
        (GraphWorld w, int pair, int pool) = DexDex();
        var stage = new GraphStage(w.Graph, new GraphStageOptions());
        var sink = new CountSink();
        long before = 0;
        for (int i = 0; i < 2_000; i++)
        {
            if (i == 200)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_005 + (ulong)(i % 10)));
            w.Graph.OnV3Changed(pool);
            stage.Evaluate(ref sink, i, i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sink.Count >= 1_000, sink.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(sink.Profit > 0);
    }
}
