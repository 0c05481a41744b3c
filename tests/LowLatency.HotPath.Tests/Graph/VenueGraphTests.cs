using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Graph;

public sealed class VenueGraphTests
{
    [Fact]
    public void Book_edges_are_net_of_the_taker_fee_and_unusable_when_the_book_is_not_tradeable()
    {
        var g = new VenueGraph(8, 16, 4, 1);
        int baseNode = g.AddNode(GraphWorld.A, GraphLocationKind.Exchange, 0);
        int quoteNode = g.AddNode(GraphWorld.B, GraphLocationKind.Exchange, 0);
        int book = g.AddCexBook(baseNode, quoteNode, 0.001, 2, 4);
        g.Freeze();

        g.UpdateBookTop(book, 2_000, 1, 2_001, 1, tradeable: true);
        Assert.Equal(2_000 * 0.999, g.EdgeRate(0), 12);
        Assert.Equal(0.999 / 2_001, g.EdgeRate(1), 15);
        Assert.Equal(-Math.Log(2_000 * 0.999), g.Weights[0], 12);

        foreach ((double bid, double ask, bool ok) in new[] { (2_000d, 2_001d, false), (double.NaN, 2_001d, true), (2_002d, 2_001d, true), (0d, 1d, true), (1d, double.PositiveInfinity, true) })
        {
            long version = g.Version;
            g.UpdateBookTop(book, bid, 1, ask, 1, ok);
            Assert.Equal(VenueGraph.Unusable, g.Weights[0]);
            Assert.Equal(VenueGraph.Unusable, g.Weights[1]);
            Assert.Equal(0, g.EdgeRate(0));
            Assert.True(g.Version > version);
        }

        // An unknown book index is ignored, not a crash.
        g.UpdateBookTop(99, 1, 1, 2, 1, true);
        g.UpdateV2Reserves(-1, UInt256.One, UInt256.One);
        g.OnV3Changed(5);
    }

    [Fact]
    public void Pool_edges_use_the_marginal_price_net_of_the_pool_fee_with_token_decimals()
    {
        var g = new VenueGraph(8, 16, 4, 1);
        int usdc = g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0, decimals: 6);
        int weth = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0, decimals: 18);
        int pair = g.AddV2Pool(usdc, weth, 30);
        var v3 = new V3Pool(500, 10);
        // sqrtPriceX96 of the recorded day's USDC/WETH 0.05 % pool: about 2,272 USDC per WETH.
        v3.State = new V3PoolState { SqrtPriceX96 = UInt256.Parse("1662995104975155420368771254341874"), Tick = 199045, Liquidity = 12453647101533358277UL };
        int pool = g.AddV3Pool(usdc, weth, v3);
        g.Freeze();

        g.UpdateV2Reserves(pair, (UInt256)(ulong)2_000_000_000_000, GraphWorld.Tokens(1_000)); // 2,000,000 USDC, 1,000 WETH
        Assert.Equal(1_000d / 2_000_000 * 0.997, g.EdgeRate(0), 15);
        Assert.Equal(2_000 * 0.997, g.EdgeRate(1), 9);

        g.OnV3Changed(pool);
        double sqrt = 1662995104975155420368771254341874d / Math.Pow(2, 96);
        double wethPerUsdc = sqrt * sqrt * 1e6 / 1e18;
        Assert.Equal(wethPerUsdc * 0.9995, g.EdgeRate(2), 15);
        Assert.InRange(0.9995 / wethPerUsdc, 2_260, 2_280);

        g.UpdateV2Reserves(pair, UInt256.Zero, GraphWorld.Tokens(1));
        Assert.Equal(VenueGraph.Unusable, g.Weights[0]);
        Assert.Equal(VenueGraph.Unusable, g.Weights[1]);
    }

    [Fact]
    public void A_pool_priced_asset_follows_the_pools_mid_times_the_other_tokens_price()
    {
        const int C = 2;
        var g = new VenueGraph(8, 16, 4, 1);
        int usdc = g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0, decimals: 6);
        int weth = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0, decimals: 18);
        int tkn = g.AddNode(C, GraphLocationKind.Chain, 0, decimals: 18);
        int pair = g.AddV2Pool(usdc, weth, 30);
        var v3 = new V3Pool(500, 10);
        // token0 WETH, token1 TKN at √P = 2^96 · √4: 4 TKN per WETH.
        v3.State = new V3PoolState { SqrtPriceX96 = UInt256.Parse("158456325028528675187087900672"), Tick = 13_862, Liquidity = 1_000_000_000_000_000_000UL };
        int pool = g.AddV3Pool(weth, tkn, v3);
        g.PriceFromV2Pool(pair, pricesToken0: false); // WETH from USDC
        g.PriceFromV3Pool(pool, pricesToken0: false); // TKN from WETH
        Assert.Throws<ArgumentOutOfRangeException>(() => g.PriceFromV3Pool(7, true));
        g.Freeze();
        Assert.Throws<InvalidOperationException>(() => g.PriceFromV2Pool(pair, true));
        g.SetAssetPrice(GraphWorld.A, 1);

        // Unpriced until its pool has a state; then the mid (before fees) times USDC's price.
        Assert.Equal(0, g.AssetPrice(GraphWorld.B));
        g.UpdateV2Reserves(pair, (UInt256)(ulong)2_000_000_000_000, GraphWorld.Tokens(1_000)); // 2,000 USDC per WETH
        Assert.Equal(2_000, g.AssetPrice(GraphWorld.B), 9);
        g.OnV3Changed(pool);
        Assert.Equal(500, g.AssetPrice(C), 6);

        // The pair moves: WETH follows; TKN follows at its own pool's next update.
        g.UpdateV2Reserves(pair, (UInt256)(ulong)3_000_000_000_000, GraphWorld.Tokens(1_000));
        Assert.Equal(3_000, g.AssetPrice(GraphWorld.B), 9);
        Assert.Equal(500, g.AssetPrice(C), 6);
        g.OnV3Changed(pool);
        Assert.Equal(750, g.AssetPrice(C), 6);

        // An unusable pool leaves the last price; a pool that prices nothing never sets one.
        g.UpdateV2Reserves(pair, UInt256.Zero, GraphWorld.Tokens(1));
        Assert.Equal(3_000, g.AssetPrice(GraphWorld.B), 9);
        Assert.Equal(1, g.AssetPrice(GraphWorld.A));
    }

    [Fact]
    public void Freeze_lays_incoming_edges_out_by_destination_in_edge_order()
    {
        var g = new VenueGraph(8, 16, 4, 2);
        int a0 = g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0);
        int b0 = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0);
        int b1 = g.AddNode(GraphWorld.B, GraphLocationKind.Chain, 1);
        g.AddV2Pool(a0, b0, 30);                       // 0: a0→b0, 1: b0→a0
        g.AddV3Pool(a0, b0, GraphWorld.PoolAtOne());   // 2: a0→b0, 3: b0→a0
        g.AddBridge(b0, b1, 0.001, 0, 600);            // 4: b0→b1, 5: b1→b0
        g.Freeze();

        Assert.Equal([0, 2, 5, 6], g.IncomingStart.ToArray());
        Assert.Equal([1, 3, 0, 2, 5, 4], g.CsrEdge.ToArray());
        Assert.Equal([b0, b0, a0, a0, b1, b0], g.CsrFrom.ToArray());
        Assert.Throws<InvalidOperationException>(() => g.AddNode(GraphWorld.A, GraphLocationKind.Chain, 1));
    }

    [Fact]
    public void Building_rejects_bad_configuration()
    {
        var g = new VenueGraph(4, 8, 2, 1);
        int a = g.AddNode(0, GraphLocationKind.Chain, 0);
        int b = g.AddNode(1, GraphLocationKind.Chain, 0);
        int x = g.AddNode(0, GraphLocationKind.Exchange, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddNode(2, GraphLocationKind.Chain, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddNode(0, GraphLocationKind.Chain, 1));
        Assert.Throws<ArgumentException>(() => g.AddV2Pool(a, a, 30));
        Assert.Throws<ArgumentException>(() => g.AddV2Pool(a, x, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddV2Pool(a, b, 10_000));
        Assert.Throws<ArgumentException>(() => g.AddCexBook(a, b, 0.001, 2, 2));
        Assert.Throws<ArgumentException>(() => g.AddBridge(a, x, 0.001, 0, 1));
        Assert.Throws<ArgumentException>(() => g.AddInventoryLink(a, b));
        Assert.Throws<ArgumentException>(() => new GraphStage(g, new GraphStageOptions()));
        g.Freeze();
        Assert.Throws<ArgumentOutOfRangeException>(() => new GraphStage(g, new GraphStageOptions { CycleRounds = 1 }));
    }

    [Fact]
    public void Amounts_round_trip_between_raw_integers_and_whole_tokens()
    {
        Assert.True(Amounts.TryToRaw(1.5, 18, out UInt256 raw));
        Assert.Equal(UInt256.Parse("1500000000000000000"), raw);
        Assert.True(Amounts.TryToRaw(123_456_789.25, 18, out raw));
        Assert.Equal(123_456_789.25, Amounts.ToTokens(raw, 18), 6);
        Assert.True(raw > (UInt256)ulong.MaxValue);
        Assert.False(Amounts.TryToRaw(double.NaN, 18, out _));
        Assert.False(Amounts.TryToRaw(-1, 6, out _));
        Assert.False(Amounts.TryToRaw(1e30, 18, out _));
        Assert.Equal(1e36, Amounts.Pow10(36));
    }

    [Fact]
    public void Depth_walk_fills_level_by_level_and_refuses_what_the_book_cannot_fill()
    {
        var g = new VenueGraph(4, 8, 2, 1);
        int baseNode = g.AddNode(0, GraphLocationKind.Exchange, 0);
        int quoteNode = g.AddNode(1, GraphLocationKind.Exchange, 0);
        var l2 = new L2Book(new VenueId(0), new InstrumentId(0));
        l2.Set(Side.Bid, new Price(200_000), new Quantity(10_000));  // 2,000.00 × 1.0000
        l2.Set(Side.Bid, new Price(199_000), new Quantity(20_000));  // 1,990.00 × 2.0000
        l2.Set(Side.Ask, new Price(200_100), new Quantity(5_000));   // 2,001.00 × 0.5000
        l2.Set(Side.Ask, new Price(201_000), new Quantity(10_000));  // 2,010.00 × 1.0000
        int book = g.AddCexBook(baseNode, quoteNode, 0.001, 2, 4, l2);
        g.Freeze();
        g.UpdateBookTop(book, 2_000, 1, 2_001, 0.5, true);

        Assert.Equal(2_000 + (0.5 * 1_990), PathQuote.SellIntoBids(g, book, 1.5), 9);
        Assert.Equal(0, PathQuote.SellIntoBids(g, book, 3.01));
        Assert.Equal(0.5 + (1_000d / 2_010), PathQuote.BuyFromAsks(g, book, 1_000.5 + 1_000), 9);
        Assert.Equal(0, PathQuote.BuyFromAsks(g, book, 1_000.5 + 2_010.01));

        OpportunityPath sell = default;
        sell.TryAdd(0);
        g.SetAssetPrice(1, 1); // the quote asset
        Assert.Equal(2_995 * 0.999, PathQuote.QuoteWithCosts(g, sell, 1.5, out PathCosts costs), 9);
        Assert.Equal(2_995 * 0.001, costs.TakerFees, 9);
        Assert.Equal(0, costs.Gas);
    }
}
