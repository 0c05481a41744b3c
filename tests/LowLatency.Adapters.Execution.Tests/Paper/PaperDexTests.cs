using System.Globalization;
using System.IO.Compression;
using LowLatency.Adapters.Paper;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.Adapters.Execution.Tests.Paper;

/// <summary>
/// DEX legs on paper, on the recorded Uniswap V2 USDC/WETH pair (reserves at every block from block 18,908,895,
/// 2024-01-01): a swap lands in the first block at or after send time + the chain's latency, fills by the exact V2 maths
/// against the pool at that block, pays gas at that block's base fee, moves the pool for the rest of the block, and
/// reverts (gas paid) below its minimum. The capture has no block times or base fees: blocks are taken 12 s apart (the
/// post-merge slot) and the base fees are given per block here.
/// </summary>
public sealed class PaperDexTests
{
    private const int Chain = 1;
    private const int Pair = 7;
    private const long Second = 1_000_000_000;
    private const long T0 = 1_704_067_200 * Second; // 2024-01-01T00:00:00Z
    private static readonly UInt256 s_usdc = 1_000_000UL;

    private static readonly Lazy<List<(long Block, V2PoolState State)>> s_reserves = new(() =>
    {
        var rows = new List<(long, V2PoolState)>();
        using var gz = new GZipStream(File.OpenRead(SharedData.File("onchain", "uniswap_v2", "usdc_weth_reserves_blocks_18908895-18944480.csv.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        reader.ReadLine(); // blockNumber,reserve0,reserve1
        while (rows.Count < 200 && reader.ReadLine() is { } line)
        {
            string[] f = line.Split(',');
            rows.Add((long.Parse(f[0], CultureInfo.InvariantCulture), new V2PoolState
            {
                Reserve0 = (UInt256)System.Numerics.BigInteger.Parse(f[1].Trim('"'), CultureInfo.InvariantCulture),
                Reserve1 = (UInt256)System.Numerics.BigInteger.Parse(f[2].Trim('"'), CultureInfo.InvariantCulture),
                FeeBps = 30,
            }));
        }

        return rows;
    });

    private static PaperDexVenue Venue(double usdc = 100_000, double eth = 1)
    {
        var venue = new PaperDexVenue(
            [new PaperChainSpec(Chain, "ethereum", "ETH", LatencyNs: 2 * Second, PriorityFeeWei: 1e9)],
            [new PaperPoolSpec(Pair, Chain, PaperPoolKind.V2, "USDC", 6, "WETH", 18, SwapGas: 120_000)]);
        venue.SetBalance(Chain, "USDC", usdc);
        venue.SetBalance(Chain, "ETH", eth);
        return venue;
    }

    private static double BaseFee(int k) => (20 + k) * 1e9;

    private static long TimeOf(int k) => T0 + (k * 12 * Second);

    // Block k of the capture: the pool at its start is the recorded state after block k − 1.
    private static void Block(PaperDexVenue venue, int k)
    {
        List<(long Block, V2PoolState State)> r = s_reserves.Value;
        venue.ObserveV2(Pair, r[k].Block, r[k - 1].State);
        venue.ObserveBlock(Chain, r[k].Block, TimeOf(k), BaseFee(k));
    }

    private static UInt256 OutFor(in V2PoolState state, UInt256 amountIn, bool zeroForOne)
    {
        Assert.Equal(V2Status.Ok, state.QuoteExactIn(zeroForOne, amountIn, out UInt256 amountOut));
        return amountOut;
    }

    [Fact]
    public void A_swap_lands_in_the_first_block_after_its_latency_and_fills_by_the_pool_maths_at_that_block()
    {
        PaperDexVenue venue = Venue();
        List<(long Block, V2PoolState State)> r = s_reserves.Value;
        Block(venue, 1);
        Block(venue, 2);

        // Sent 11 s into block 2's slot: with 2 s of latency it arrives 1 s after block 3, so it lands in block 4.
        UInt256 amountIn = 10_000 * s_usdc;
        var swap = new PaperSwapRequest("d1", 3, Pair, ZeroForOne: true, amountIn, MinAmountOut: UInt256.Zero);
        Assert.Equal(PaperSwapStatus.Pending, venue.Submit(in swap, TimeOf(2) + (11 * Second)).Status);
        Block(venue, 3);
        Assert.Equal(PaperSwapStatus.Pending, venue.Status("d1").Status);
        Block(venue, 4);

        PaperSwapState s = venue.Status("d1");
        Assert.Equal(PaperSwapStatus.Filled, s.Status);
        Assert.Equal(r[4].Block, s.Block);
        double expectedOut = Amounts.ToTokens(OutFor(r[3].State, amountIn, true), 18);
        Assert.Equal(expectedOut, s.AmountOut, 15);
        Assert.InRange(s.AmountOut, 3, 6); // ~4.4 WETH for 10,000 USDC at the recorded reserves
        double gas = 120_000 * (BaseFee(4) + 1e9) / 1e18;
        Assert.Equal(gas, s.GasNative, 15);
        Assert.Equal(90_000, venue.Balance(Chain, "USDC"), 9);
        Assert.Equal(expectedOut, venue.Balance(Chain, "WETH"), 15);
        Assert.Equal(1 - gas, venue.Balance(Chain, "ETH"), 15);
        Assert.Equal(gas, venue.GasPaid(Chain), 15);

        // P&L in USDC at 2,300 per ETH: the swap's flows and the gas, counted once.
        double pnl = venue.StrategyPnl(3, a => a == "USDC" ? 1 : 2_300);
        Assert.Equal(-10_000 + ((expectedOut - gas) * 2_300), pnl, 6);
    }

    [Fact]
    public void Our_fill_moves_the_pool_for_the_rest_of_its_block_and_the_recorded_chain_takes_over_after()
    {
        PaperDexVenue venue = Venue();
        List<(long Block, V2PoolState State)> r = s_reserves.Value;
        Block(venue, 1);
        UInt256 amountIn = 20_000 * s_usdc;
        venue.Submit(new PaperSwapRequest("a", 1, Pair, true, amountIn, UInt256.Zero), TimeOf(1));
        venue.Submit(new PaperSwapRequest("b", 1, Pair, true, amountIn, UInt256.Zero), TimeOf(1) + Second);
        Block(venue, 2);

        UInt256 first = OutFor(r[1].State, amountIn, true);
        var moved = new V2PoolState { Reserve0 = r[1].State.Reserve0 + amountIn, Reserve1 = r[1].State.Reserve1 - first, FeeBps = 30 };
        UInt256 second = OutFor(moved, amountIn, true);
        Assert.True(second < first);
        Assert.Equal(Amounts.ToTokens(first, 18), venue.Status("a").AmountOut, 15);
        Assert.Equal(Amounts.ToTokens(second, 18), venue.Status("b").AmountOut, 15);
        Assert.Equal(moved.Reserve0 + amountIn, venue.V2State(Pair).Reserve0);

        Block(venue, 3);
        Assert.Equal(r[2].State.Reserve0, venue.V2State(Pair).Reserve0);
        Assert.Equal(r[2].State.Reserve1, venue.V2State(Pair).Reserve1);
    }

    [Fact]
    public void A_swap_whose_price_moved_past_its_minimum_reverts_and_still_pays_gas()
    {
        PaperDexVenue venue = Venue();
        List<(long Block, V2PoolState State)> r = s_reserves.Value;
        Block(venue, 1);
        UInt256 amountIn = 10_000 * s_usdc;
        UInt256 atSend = OutFor(r[0].State, amountIn, true);

        // The minimum is what the pool would give at send time plus one wei more than it gives at landing.
        UInt256 min = OutFor(r[1].State, amountIn, true) + UInt256.One;
        venue.Submit(new PaperSwapRequest("r", 1, Pair, true, amountIn, min), TimeOf(1));
        V2PoolState before = r[1].State;
        Block(venue, 2);

        PaperSwapState s = venue.Status("r");
        Assert.Equal(PaperSwapStatus.Reverted, s.Status);
        Assert.Equal(PaperSwapReject.SlippageExceeded, s.Reason);
        Assert.Equal(100_000, venue.Balance(Chain, "USDC"));
        Assert.Equal(0, venue.Balance(Chain, "WETH"));
        Assert.True(venue.Balance(Chain, "ETH") < 1);
        Assert.Equal(before.Reserve0, venue.V2State(Pair).Reserve0);
        Assert.True(atSend > UInt256.Zero);
    }

    [Fact]
    public void What_cannot_be_paid_for_is_refused_with_its_reason()
    {
        PaperDexVenue venue = Venue(usdc: 500, eth: 0);
        Block(venue, 1);
        Assert.Equal(PaperSwapReject.InsufficientBalance, venue.Submit(new PaperSwapRequest("x", 1, Pair, true, 1_000 * s_usdc, UInt256.Zero), TimeOf(1)).Reason);
        Assert.Equal(PaperSwapReject.UnknownPool, venue.Submit(new PaperSwapRequest("y", 1, 99, true, s_usdc, UInt256.Zero), TimeOf(1)).Reason);
        Assert.Equal(PaperSwapReject.InvalidAmount, venue.Submit(new PaperSwapRequest("z", 1, Pair, true, UInt256.Zero, UInt256.Zero), TimeOf(1)).Reason);

        var ok = new PaperSwapRequest("g", 1, Pair, true, 100 * s_usdc, UInt256.Zero);
        Assert.Equal(PaperSwapStatus.Pending, venue.Submit(in ok, TimeOf(1)).Status);
        Assert.Equal(PaperSwapStatus.Pending, venue.Submit(in ok, TimeOf(1)).Status); // a retry is the same swap
        Assert.Equal(PaperSwapReject.DuplicateClientOrderId, venue.Submit(ok with { AmountIn = 200 * s_usdc }, TimeOf(1)).Reason);
        Block(venue, 2);

        // No ETH for gas: never included, nothing moved.
        Assert.Equal(PaperSwapReject.InsufficientGas, venue.Status("g").Reason);
        Assert.Equal(500, venue.Balance(Chain, "USDC"));
        Assert.Equal(0, venue.PendingSwaps);
    }

    [Fact]
    public void A_v3_leg_fills_by_the_exact_v3_maths_across_ticks_and_moves_the_pool()
    {
        static V3Pool Ladder()
        {
            var pool = new V3Pool(500, 10);
            Assert.Equal(V3Status.Ok, pool.Initialize(FullMath.Q96));
            for (int i = -10; i <= 10; i++)
            {
                Assert.Equal(V3Status.Ok, pool.Mint(i * 20, (i * 20) + 200, 1_000_000_000_000_000_000UL * (UInt128)(11 + i), out _, out _));
            }

            return pool;
        }

        V3Pool paperPool = Ladder();
        V3Pool reference = Ladder();
        var venue = new PaperDexVenue(
            [new PaperChainSpec(Chain, "ethereum", "ETH", 2 * Second)],
            [new PaperPoolSpec(3, Chain, PaperPoolKind.V3, "T0", 18, "T1", 18, SwapGas: 110_000, TickCrossGas: 20_000)],
            new Dictionary<int, V3Pool> { [3] = paperPool });
        venue.SetBalance(Chain, "T0", 1_000);
        venue.SetBalance(Chain, "ETH", 1);
        venue.ObserveV3(3, 100, in reference.State);

        UInt256 amountIn = new UInt256(100_000_000_000_000_000UL); // 0.1 token: ~30 ticks down, across initialized ones
        venue.Submit(new PaperSwapRequest("v", 1, 3, true, amountIn, UInt256.Zero), 0);
        venue.ObserveBlock(Chain, 100, 12 * Second, 10e9);

        Assert.Equal(V3Status.Ok, reference.Swap(true, Int256.FromBits(amountIn), V3Pool.DefaultPriceLimit(true), out V3SwapResult expected));
        PaperSwapState s = venue.Status("v");
        Assert.Equal(PaperSwapStatus.Filled, s.Status);
        Assert.True(expected.TicksCrossed > 0);
        Assert.Equal(Amounts.ToTokens(expected.Amount1.UnsignedAbs, 18), s.AmountOut, 12);
        Assert.Equal((110_000 + (20_000 * expected.TicksCrossed)) * 10e9 / 1e18, s.GasNative, 15);
        Assert.Equal(reference.State.SqrtPriceX96, paperPool.State.SqrtPriceX96);
        Assert.Equal(999.9, venue.Balance(Chain, "T0"), 9);

        // 50 tokens run past every position: the pool cannot take the exact input whole, so the swap reverts.
        venue.Submit(new PaperSwapRequest("big", 1, 3, true, amountIn * 500UL, UInt256.Zero), 12 * Second);
        venue.ObserveBlock(Chain, 101, 24 * Second, 10e9);
        Assert.Equal(PaperSwapReject.PoolReverted, venue.Status("big").Reason);
        Assert.Equal(reference.State.SqrtPriceX96, paperPool.State.SqrtPriceX96);
        Assert.Equal(999.9, venue.Balance(Chain, "T0"), 9);
    }

    [Fact]
    public void A_venue_graph_pool_edge_becomes_the_paper_swap_of_its_direction()
    {
        var graph = new VenueGraph(maxNodes: 4, maxEdges: 8, maxAssets: 2, maxChains: 2);
        int usdc = graph.AddNode(0, GraphLocationKind.Chain, Chain, 6);
        int weth = graph.AddNode(1, GraphLocationKind.Chain, Chain, 18);
        int pool = graph.AddV2Pool(usdc, weth, 30);
        graph.Freeze();
        PaperDexVenue venue = Venue();
        venue.MapGraphPool(GraphEdgeKind.V2Pool, pool, Pair);

        int back = -1;
        for (int e = 0; e < graph.EdgeCount; e++)
        {
            if (graph.EdgeKind(e) == GraphEdgeKind.V2Pool && !graph.EdgeZeroForOne(e))
            {
                back = e;
            }
        }

        Assert.True(venue.TryLegOf(graph, back, "leg", 2, s_usdc, UInt256.Zero, out PaperSwapRequest request));
        Assert.Equal(Pair, request.Pool);
        Assert.False(request.ZeroForOne); // WETH → USDC
        venue.MapGraphPool(GraphEdgeKind.V3Pool, pool, Pair);
        Assert.False(new PaperDexVenue([], []).TryLegOf(graph, back, "leg", 2, s_usdc, UInt256.Zero, out _));
    }

    [Fact]
    public void Initial_cash_is_shared_by_chain_half_in_the_quote_token_half_in_the_other_plus_gas()
    {
        var venue = new PaperDexVenue(
            [new PaperChainSpec(1, "ethereum", "ETH", Second), new PaperChainSpec(8453, "base", "ETH", Second)],
            [new PaperPoolSpec(1, 1, PaperPoolKind.V2, "USDC", 6, "WETH", 18, 120_000), new PaperPoolSpec(2, 8453, PaperPoolKind.V2, "USDC", 6, "WETH", 18, 120_000)]);
        venue.SeedFromInitialCash(10_000, a => a == "USDC", _ => 2_000, gasReserveNative: 0.05);
        Assert.Equal(2_500, venue.Balance(1, "USDC"), 9);
        Assert.Equal(1.25, venue.Balance(1, "WETH"), 9);
        Assert.Equal(0.05, venue.Balance(8453, "ETH"), 9);
        Assert.Equal(2_500, venue.Balance(8453, "USDC"), 9);
    }
}

/// <summary>
/// Atomic routes on paper: the executor's flash-loan path through two pools on one chain, chained hop by hop by the
/// exact V2 maths, reverted whole (pools restored, gas paid) when it cannot repay the loan with its premium.
/// </summary>
public sealed class PaperRouteTests
{
    private const int Chain = 1;
    private const long Second = 1_000_000_000;
    private static readonly UInt256 s_usdc = 1_000_000UL;
    private static readonly UInt256 s_weth = 1_000_000_000_000_000_000UL;

    // Two USDC/WETH pairs: 2,000 and 2,040 USDC per WETH, 1,000 WETH deep.
    private static readonly V2PoolState s_cheap = new() { Reserve0 = s_usdc * 2_000_000UL, Reserve1 = s_weth * 1_000UL, FeeBps = 30 };
    private static readonly V2PoolState s_dear = new() { Reserve0 = s_usdc * 2_040_000UL, Reserve1 = s_weth * 1_000UL, FeeBps = 30 };

    private static PaperDexVenue Venue(V2PoolState dear)
    {
        var venue = new PaperDexVenue(
            [new PaperChainSpec(Chain, "ethereum", "ETH", LatencyNs: Second, PriorityFeeWei: 1e9)],
            [new PaperPoolSpec(1, Chain, PaperPoolKind.V2, "USDC", 6, "WETH", 18, SwapGas: 100_000), new PaperPoolSpec(2, Chain, PaperPoolKind.V2, "USDC", 6, "WETH", 18, SwapGas: 100_000)]);
        venue.SetBalance(Chain, "ETH", 1);
        venue.ObserveV2(1, 10, s_cheap);
        venue.ObserveV2(2, 10, dear);
        return venue;
    }

    private static PaperRouteRequest Loop(string id, UInt256 amountIn) =>
        new(id, 5, [new PaperHop(1, ZeroForOne: true), new PaperHop(2, ZeroForOne: false)], amountIn, amountIn, FlashLoanPremiumBps: 5, ExtraGas: 150_000);

    [Fact]
    public void A_flash_loan_route_chains_the_exact_v2_outputs_and_keeps_what_is_left_after_the_repayment()
    {
        PaperDexVenue venue = Venue(s_dear);
        UInt256 amountIn = s_usdc * 10_000UL;
        Assert.Equal(PaperSwapStatus.Pending, venue.SubmitRoute(Loop("loop", amountIn), 0).Status);
        Assert.Equal(PaperSwapStatus.Pending, venue.SubmitRoute(Loop("loop", amountIn), 0).Status); // a retry is the same route

        Assert.Equal(V2Status.Ok, s_cheap.QuoteExactIn(true, amountIn, out UInt256 weth));
        Assert.Equal(V2Status.Ok, s_dear.QuoteExactIn(false, weth, out UInt256 usdc));
        Assert.True(venue.TryQuote(1, true, amountIn, out UInt256 quoted));
        Assert.Equal(weth, quoted);

        venue.ObserveBlock(Chain, 11, 12 * Second, 20e9, l1DataFeeWei: 1e12);
        PaperSwapState s = venue.Status("loop");
        Assert.Equal(PaperSwapStatus.Filled, s.Status);
        Assert.Equal(Amounts.ToTokens(usdc, 6), s.AmountOut, 9);
        Assert.Equal((((150_000 + 200_000) * 21e9) + 1e12) / 1e18, s.GasNative, 15);

        // No USDC was held: the loan paid the input, the premium (5 bps, 5 USDC) came out of the output.
        double kept = Amounts.ToTokens(usdc, 6) - 10_005;
        Assert.True(kept > 0);
        Assert.Equal(kept, venue.Balance(Chain, "USDC"), 9);
        Assert.Equal(kept - (s.GasNative * 2_000), venue.StrategyPnl(5, a => a == "USDC" ? 1 : 2_000), 6);
        Assert.Equal(s_cheap.Reserve0 + amountIn, venue.V2State(1).Reserve0);
        Assert.Equal(s_dear.Reserve1 + weth, venue.V2State(2).Reserve1);
    }

    [Fact]
    public void A_route_that_cannot_repay_reverts_whole_with_its_pools_restored_and_its_gas_paid()
    {
        PaperDexVenue venue = Venue(s_cheap); // the same price twice: the fees alone lose money
        venue.SubmitRoute(Loop("flat", s_usdc * 10_000UL), 0);
        venue.ObserveBlock(Chain, 11, 12 * Second, 20e9);

        PaperSwapState s = venue.Status("flat");
        Assert.Equal(PaperSwapStatus.Reverted, s.Status);
        Assert.Equal(PaperSwapReject.SlippageExceeded, s.Reason);
        Assert.Equal(s_cheap.Reserve0, venue.V2State(1).Reserve0);
        Assert.Equal(s_cheap.Reserve1, venue.V2State(2).Reserve1);
        Assert.Equal(0, venue.Balance(Chain, "USDC"));
        Assert.Equal(1 - (350_000 * 21e9 / 1e18), venue.Balance(Chain, "ETH"), 15);
    }

    [Fact]
    public void Routes_that_do_not_chain_or_do_not_close_a_flash_loan_are_refused_before_sending()
    {
        PaperDexVenue venue = Venue(s_dear);
        UInt256 amount = s_usdc * 100UL;
        Assert.Equal(PaperSwapReject.InvalidRoute, venue.SubmitRoute(new PaperRouteRequest("a", 5, [new PaperHop(1, true), new PaperHop(2, true)], amount, 0, null, 0), 0).Reason);
        Assert.Equal(PaperSwapReject.InvalidRoute, venue.SubmitRoute(new PaperRouteRequest("b", 5, [new PaperHop(1, true)], amount, 0, 5, 0), 0).Reason);
        Assert.Equal(PaperSwapReject.InsufficientBalance, venue.SubmitRoute(new PaperRouteRequest("c", 5, [new PaperHop(1, true)], amount, 0, null, 0), 0).Reason);
        Assert.Equal(PaperSwapReject.UnknownPool, venue.SubmitRoute(new PaperRouteRequest("d", 5, [new PaperHop(9, true)], amount, 0, null, 0), 0).Reason);
        Assert.Equal(PaperSwapReject.InvalidAmount, venue.SubmitRoute(new PaperRouteRequest("e", 5, [], amount, 0, null, 0), 0).Reason);
        Assert.Equal(PaperSwapStatus.Pending, venue.SubmitRoute(Loop("f", amount), 0).Status);
        Assert.Equal(PaperSwapReject.DuplicateClientOrderId, venue.SubmitRoute(Loop("f", amount * 2UL), 0).Reason);
        Assert.Equal(1, venue.PendingSwaps);
    }
}
