using LowLatency.Adapters.Paper;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Execution.Tests.Paper;

/// <summary>
/// The venue graph's opportunities on paper: a CEX-DEX pair from inventory (a market buy on the exchange, a swap on the
/// pool, both at once), a DEX-DEX loop as one flash-loan route, a leg that fails (the others' fills unwound), a denial and
/// a leg with no funds.
/// One exchange (ETH/USD, prices 2 decimals, quantities 4) and one chain with two USD/ETH V2 pairs.
/// </summary>
public sealed class PaperGraphTraderTests
{
    private const long Ms = 1_000_000;
    private const long Second = 1_000 * Ms;
    private const int ChainId = 1;
    private const double EthMark = 2_020;
    private static readonly VenueId s_x = new(0);
    private static readonly InstrumentId s_eth = new(0);
    private static readonly UInt256 s_usd = 1_000_000UL;
    private static readonly UInt256 s_wei = 1_000_000_000_000_000_000UL;
    private static readonly V2PoolState s_cheap = new() { Reserve0 = s_usd * 2_000_000UL, Reserve1 = s_wei * 1_000UL, FeeBps = 30 };
    private static readonly V2PoolState s_dear = new() { Reserve0 = s_usd * 2_040_000UL, Reserve1 = s_wei * 1_000UL, FeeBps = 30 };

    private sealed class Books : IPaperBooks
    {
        public BookLevel[] Asks = [new(new Price(200_000), new Quantity(50_000))]; // 5 ETH at 2,000.00
        public BookLevel[] Bids = [new(new Price(199_900), new Quantity(50_000))];

        public ReadOnlySpan<BookLevel> Levels(VenueId venue, InstrumentId instrument, Side side) => side == Side.Ask ? Asks : Bids;
    }

    private sealed class Gate(bool approve = true) : IRiskLink
    {
        public readonly List<double> Closed = [];

        public RiskDecision Check(in RiskAction action, long nowNs) => approve ? RiskDecision.Approved : RiskDecision.Denied(RiskReason.DailyLossLimit);

        public void OnMid(InstrumentId asset, double mid, long nowNs)
        {
        }

        public void OnTradeClosed(double pnlUsd, long nowNs) => Closed.Add(pnlUsd);

        public void Release(InstrumentId asset, int legs, double notionalUsd)
        {
        }
    }

    private sealed class Rig
    {
        public readonly VenueGraph Graph = new(maxNodes: 4, maxEdges: 16, maxAssets: 2, maxChains: 1);
        public readonly PaperExchange Exchange;
        public readonly PaperDexVenue Dex;
        public readonly Gate Risk;
        public readonly PaperGraphTrader Trader;
        public readonly List<PaperGraphTrade> Trades = [];
        public readonly List<PaperFill> Fills = [];
        public readonly int BookAsk;
        public readonly int ToChain;
        public readonly int CheapBuy;   // cheap pool USD → ETH
        public readonly int DearSell;   // dear pool ETH → USD
        public readonly int ToExchange;
        public readonly string[] NodeAsset;

        public Rig(bool approve = true, double chainEth = 10)
        {
            int usdX = Graph.AddNode(0, GraphLocationKind.Exchange, 0);
            int ethX = Graph.AddNode(1, GraphLocationKind.Exchange, 0);
            int usdC = Graph.AddNode(0, GraphLocationKind.Chain, 0, 6);
            int ethC = Graph.AddNode(1, GraphLocationKind.Chain, 0, 18);
            NodeAsset = ["USD", "ETH", "USD", "WETH"];
            int book = Graph.AddCexBook(ethX, usdX, 0.001, 2, 4);
            int cheap = Graph.AddV2Pool(usdC, ethC, 30);
            int dear = Graph.AddV2Pool(usdC, ethC, 30);
            Graph.AddInventoryLink(ethX, ethC);
            Graph.AddInventoryLink(usdC, usdX);
            Graph.Freeze();
            for (int e = 0; e < Graph.EdgeCount; e++)
            {
                (GraphEdgeKind k, int src, bool z, int from) = (Graph.EdgeKind(e), Graph.EdgeSource(e), Graph.EdgeZeroForOne(e), Graph.EdgeFrom(e));
                if (k == GraphEdgeKind.CexAsk)
                {
                    BookAsk = e;
                }
                else if (k == GraphEdgeKind.V2Pool && src == cheap && z)
                {
                    CheapBuy = e;
                }
                else if (k == GraphEdgeKind.V2Pool && src == dear && !z)
                {
                    DearSell = e;
                }
                else if (k == GraphEdgeKind.Inventory && from == ethX)
                {
                    ToChain = e;
                }
                else if (k == GraphEdgeKind.Inventory && from == usdC)
                {
                    ToExchange = e;
                }
            }

            Exchange = new PaperExchange([new PaperVenueSpec(s_x, "x", 0.001, 0, 5 * Ms)], [new PaperInstrumentSpec(s_eth, "ETH", "USD", 2, 4)]);
            Exchange.SetBalance(s_x, "USD", 100_000);
            Dex = new PaperDexVenue([new PaperChainSpec(ChainId, "ethereum", "ETH", Second, PriorityFeeWei: 1e9)],
                [new PaperPoolSpec(1, ChainId, PaperPoolKind.V2, "USD", 6, "WETH", 18, 100_000), new PaperPoolSpec(2, ChainId, PaperPoolKind.V2, "USD", 6, "WETH", 18, 100_000)]);
            Dex.SetBalance(ChainId, "WETH", chainEth);
            Dex.SetBalance(ChainId, "ETH", 1);
            Dex.ObserveV2(1, 10, s_cheap);
            Dex.ObserveV2(2, 10, s_dear);
            Risk = new Gate(approve);
            var pools = new Dictionary<(GraphEdgeKind, int), int> { [(GraphEdgeKind.V2Pool, cheap)] = 1, [(GraphEdgeKind.V2Pool, dear)] = 2 };
            Trader = new PaperGraphTrader(Graph, Exchange, Dex, Risk, new Dictionary<int, (VenueId, InstrumentId)> { [book] = (s_x, s_eth) }, pools,
                n => NodeAsset[n], a => a is "ETH" or "WETH" ? EthMark : 1, slippageBps: 50, maxCexLatencyNs: 5 * Ms)
            {
                Books = new Books(),
                Closed = Trades.Add,
                Fill = (_, f) => Fills.Add(f),
            };
            Trader.SetChainTerms(0, new PaperChainTerms { TxBaseGas = 50_000, FlashLoanGas = 100_000, FlashLoanPremiumBps = 5 });
        }

        public static Opportunity Of(OpportunityKind kind, double size, params int[] edges)
        {
            var o = new Opportunity { Kind = kind, Size = size, SizeQuote = size, DecisionTimeNs = 0 };
            foreach (int e in edges)
            {
                Assert.True(o.Path.TryAdd(e));
            }

            return o;
        }
    }

    [Fact]
    public void A_cex_dex_pair_buys_on_the_book_and_sells_into_the_pool_at_once_and_closes_when_the_swap_lands()
    {
        var rig = new Rig();
        Opportunity o = Rig.Of(OpportunityKind.CexDex, 2_000, rig.BookAsk, rig.ToChain, rig.DearSell, rig.ToExchange);
        Assert.Equal("g1", rig.Trader.OnOpportunity(in o));

        // 2,000 USD buys floor(2,000 / (2,000 · 1.001)) = 0.9990 ETH; the pool leg sells that at once, from the chain's WETH.
        PaperFill fill = Assert.Single(rig.Fills);
        Assert.Equal(0.999, fill.Quantity, 12);
        Assert.Equal(2_000, fill.Price);
        Assert.Equal(1, rig.Trader.OpenTrades);
        rig.Trader.Poll(Second / 2);
        Assert.Empty(rig.Trades); // the swap has not landed

        rig.Dex.ObserveBlock(ChainId, 11, 2 * Second, 10e9);
        rig.Trader.Poll(2 * Second);
        PaperGraphTrade t = Assert.Single(rig.Trades);
        Assert.Equal(PaperGraphOutcome.Filled, t.Outcome);
        Assert.Equal(2, t.LegsFilled);
        Assert.Equal(11, t.Block);

        Assert.Equal(V2Status.Ok, s_dear.QuoteExactIn(false, s_wei * 999UL / 1_000UL, out UInt256 usdOut));
        double gasEth = 100_000 * 11e9 / 1e18;
        double fee = 0.999 * 2_000 * 0.001;
        double expected = Amounts.ToTokens(usdOut, 6) - (0.999 * 2_000) - fee - (gasEth * EthMark); // the ETH bought and sold cancel at the mark
        Assert.Equal(expected, t.PnlQuote, 6);
        Assert.Equal(expected, Assert.Single(rig.Risk.Closed), 6);
        Assert.Equal(gasEth * EthMark, t.GasQuote, 9);
        Assert.Equal(10 - 0.999, rig.Dex.Balance(ChainId, "WETH"), 12);
        Assert.Equal(0.999, rig.Exchange.Balance(s_x, "ETH"), 12);
    }

    [Fact]
    public void A_dex_dex_loop_is_one_flash_loan_route_that_keeps_what_is_left_after_the_repayment()
    {
        var rig = new Rig(chainEth: 0);
        Opportunity o = Rig.Of(OpportunityKind.DexDex, 10_000, rig.CheapBuy, rig.DearSell);
        Assert.Equal("g1", rig.Trader.OnOpportunity(in o));
        Assert.Empty(rig.Fills);
        rig.Dex.ObserveBlock(ChainId, 11, 2 * Second, 10e9);
        rig.Trader.Poll(2 * Second);

        Assert.Equal(V2Status.Ok, s_cheap.QuoteExactIn(true, s_usd * 10_000UL, out UInt256 weth));
        Assert.Equal(V2Status.Ok, s_dear.QuoteExactIn(false, weth, out UInt256 usd));
        double gasEth = (50_000 + 100_000 + 200_000) * 11e9 / 1e18;
        PaperGraphTrade t = Assert.Single(rig.Trades);
        Assert.Equal(PaperGraphOutcome.Filled, t.Outcome);
        Assert.Equal(Amounts.ToTokens(usd, 6) - 10_005 - (gasEth * EthMark), t.PnlQuote, 6);
        Assert.Equal(Amounts.ToTokens(usd, 6) - 10_005, rig.Dex.Balance(ChainId, "USD"), 6);
    }

    [Fact]
    public void A_pool_leg_that_reverts_has_its_book_leg_sold_back_at_once_and_the_loss_goes_to_the_gate()
    {
        var rig = new Rig();
        Opportunity o = Rig.Of(OpportunityKind.CexDex, 2_000, rig.BookAsk, rig.ToChain, rig.DearSell, rig.ToExchange);
        Assert.Equal("g1", rig.Trader.OnOpportunity(in o));

        // Someone else's trade takes the dear pool to the cheap price before ours lands: below our minimum, it reverts.
        rig.Dex.ObserveV2(2, 11, s_cheap);
        rig.Dex.ObserveBlock(ChainId, 11, 2 * Second, 10e9);
        rig.Trader.Poll(2 * Second);

        // The 0.999 ETH bought is sold back on the book at the bid (1,999.00): no ETH is left unhedged.
        PaperGraphTrade t = Assert.Single(rig.Trades);
        Assert.Equal(PaperGraphOutcome.LegFailed, t.Outcome);
        Assert.Equal(1, t.LegsFilled);
        Assert.Contains("SlippageExceeded", t.Failure, StringComparison.Ordinal);
        Assert.Equal("unwound 1 leg", t.Unwind);
        Assert.Equal([Side.Bid, Side.Ask], rig.Fills.Select(f => f.Side));
        Assert.Equal(0.999, rig.Fills[1].Quantity, 12);
        Assert.Equal(1_999, rig.Fills[1].Price);
        Assert.Equal(0, rig.Exchange.Balance(s_x, "ETH"), 12);

        double gasEth = 100_000 * 11e9 / 1e18;
        double fees = (0.999 * 2_000 * 0.001) + (0.999 * 1_999 * 0.001);
        double expected = (0.999 * (1_999 - 2_000)) - fees - (gasEth * EthMark);
        Assert.Equal(expected, t.PnlQuote, 6);
        Assert.Equal(expected, Assert.Single(rig.Risk.Closed), 6);
        Assert.Equal(fees, t.FeesQuote, 9);
        Assert.Equal(100_000 - (0.999 * 2_000) - (0.999 * 2_000 * 0.001) + (0.999 * 1_999) - (0.999 * 1_999 * 0.001), rig.Exchange.Balance(s_x, "USD"), 6);
        Assert.Equal(10, rig.Dex.Balance(ChainId, "WETH"), 12); // the swap never happened
        Assert.Equal((1L, 0L, 1L, 0L), (rig.Trader.TotalsOf(OpportunityKind.CexDex).Trades, rig.Trader.TotalsOf(OpportunityKind.CexDex).Filled,
            rig.Trader.TotalsOf(OpportunityKind.CexDex).LegFailed, rig.Trader.TotalsOf(OpportunityKind.CexDex).Reverted));
        Assert.Equal((1L, 0L), rig.Trader.UnwindsOf(OpportunityKind.CexDex));
    }

    [Fact]
    public void A_book_leg_that_fills_short_has_both_legs_reversed_and_the_trade_closes_when_the_reversing_swap_lands()
    {
        var rig = new Rig();
        ((Books)rig.Trader.Books!).Asks = [new(new Price(200_000), new Quantity(5_000))]; // only 0.5 ETH offered
        Opportunity o = Rig.Of(OpportunityKind.CexDex, 2_000, rig.BookAsk, rig.ToChain, rig.DearSell, rig.ToExchange);
        Assert.Equal("g1", rig.Trader.OnOpportunity(in o));
        Assert.Equal(0.5, Assert.Single(rig.Fills).Quantity, 12);

        // Block 11: the pool leg sells its 0.999 WETH; the short book leg makes the trade fail, so both are reversed.
        rig.Dex.ObserveBlock(ChainId, 11, 2 * Second, 10e9);
        rig.Trader.Poll(2 * Second);
        Assert.Empty(rig.Trades); // waiting for the reversing swap
        Assert.Equal(0.5, rig.Fills[1].Quantity, 12);
        Assert.Equal(Side.Ask, rig.Fills[1].Side);
        Assert.Equal(0, rig.Exchange.Balance(s_x, "ETH"), 12);

        Assert.Equal(V2Status.Ok, s_dear.QuoteExactIn(false, s_wei * 999UL / 1_000UL, out UInt256 usdOut));
        var afterLeg = new V2PoolState { Reserve0 = s_dear.Reserve0 - usdOut, Reserve1 = s_dear.Reserve1 + (s_wei * 999UL / 1_000UL), FeeBps = 30 };
        Assert.Equal(V2Status.Ok, afterLeg.QuoteExactIn(true, usdOut, out UInt256 wethBack));

        // Block 12: the USD comes back through the same pool as WETH, a little less than went in.
        rig.Dex.ObserveBlock(ChainId, 12, 4 * Second, 20e9);
        rig.Trader.Poll(4 * Second);
        PaperGraphTrade t = Assert.Single(rig.Trades);
        Assert.Equal(PaperGraphOutcome.LegFailed, t.Outcome);
        Assert.Equal("a market order filled short", t.Failure);
        Assert.Equal("unwound 2 legs", t.Unwind);
        Assert.Equal(12, t.Block);
        double back = Amounts.ToTokens(wethBack, 18);
        Assert.Equal(10 - 0.999 + back, rig.Dex.Balance(ChainId, "WETH"), 12);
        Assert.True(back < 0.999, $"{back}");

        double gasEth = (100_000 * 11e9 / 1e18) + (100_000 * 21e9 / 1e18);
        double fees = (0.5 * 2_000 * 0.001) + (0.5 * 1_999 * 0.001);
        double expected = (0.5 * (1_999 - 2_000)) - fees + ((back - 0.999) * EthMark) - (gasEth * EthMark);
        Assert.Equal(expected, t.PnlQuote, 6);
        Assert.Equal(expected, Assert.Single(rig.Risk.Closed), 6);
        Assert.Equal(gasEth * EthMark, t.GasQuote, 9);
        Assert.Equal((1L, 0L), rig.Trader.UnwindsOf(OpportunityKind.CexDex));
    }

    [Fact]
    public void A_reversal_the_pool_refuses_is_reported_short_and_what_it_left_stays_marked()
    {
        var rig = new Rig();
        ((Books)rig.Trader.Books!).Asks = [new(new Price(200_000), new Quantity(5_000))];
        Opportunity o = Rig.Of(OpportunityKind.CexDex, 2_000, rig.BookAsk, rig.ToChain, rig.DearSell, rig.ToExchange);
        Assert.Equal("g1", rig.Trader.OnOpportunity(in o));
        rig.Dex.ObserveBlock(ChainId, 11, 2 * Second, 10e9);
        rig.Trader.Poll(2 * Second);

        // Before the reversal lands, the pool moves far against it (below its slippage minimum): it reverts.
        rig.Dex.ObserveV2(2, 12, new V2PoolState { Reserve0 = s_usd * 4_000_000UL, Reserve1 = s_wei * 1_000UL, FeeBps = 30 });
        rig.Dex.ObserveBlock(ChainId, 12, 4 * Second, 20e9);
        rig.Trader.Poll(4 * Second);
        PaperGraphTrade t = Assert.Single(rig.Trades);
        Assert.Equal(PaperGraphOutcome.LegFailed, t.Outcome);
        Assert.StartsWith("unwound 1 of 2 legs; the reversal g1-2-u reverted SlippageExceeded", t.Unwind, StringComparison.Ordinal);
        Assert.Equal(10 - 0.999, rig.Dex.Balance(ChainId, "WETH"), 12); // the WETH sold stays sold: its USD is held, marked
        Assert.Equal((0L, 1L), rig.Trader.UnwindsOf(OpportunityKind.CexDex));
        Assert.Equal(t.PnlQuote, Assert.Single(rig.Risk.Closed), 9);
    }

    [Fact]
    public void A_denied_opportunity_and_one_without_the_funds_for_every_leg_send_nothing()
    {
        var denied = new Rig(approve: false);
        Assert.Null(denied.Trader.OnOpportunity(Rig.Of(OpportunityKind.CexDex, 2_000, denied.BookAsk, denied.ToChain, denied.DearSell, denied.ToExchange)));
        Assert.Equal(1, denied.Trader.TotalsOf(OpportunityKind.CexDex).Denied);

        // No WETH on the chain: the pool leg cannot be paid, so the book leg is not sent either.
        var broke = new Rig(chainEth: 0);
        Assert.Null(broke.Trader.OnOpportunity(Rig.Of(OpportunityKind.CexDex, 2_000, broke.BookAsk, broke.ToChain, broke.DearSell, broke.ToExchange)));
        Assert.Equal(1, broke.Trader.TotalsOf(OpportunityKind.CexDex).Unfunded);
        Assert.Empty(broke.Fills);
        Assert.Equal(100_000, broke.Exchange.Balance(s_x, "USD"));
        Assert.Equal(0, broke.Dex.PendingSwaps);
    }
}
