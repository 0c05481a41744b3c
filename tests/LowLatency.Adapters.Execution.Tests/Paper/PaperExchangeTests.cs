using LowLatency.Adapters.Paper;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Execution.Tests.Paper;

public sealed class PaperExchangeTests
{
    private const long Ms = 1_000_000;
    private static readonly VenueId s_a = new(0);
    private static readonly VenueId s_b = new(1);
    private static readonly InstrumentId s_btc = new(0);

    // Prices with 2 decimals, quantities with 4.
    private static Price P(double p) => new((long)Math.Round(p * 100));

    private static Quantity Q(double q) => new((long)Math.Round(q * 10_000));

    private sealed class Books : IPaperBooks
    {
        public readonly Dictionary<(byte, Side), BookLevel[]> Sides = [];

        public void Set(VenueId venue, Side side, params (double Price, double Qty)[] levels) =>
            Sides[(venue.Value, side)] = levels.Select(l => new BookLevel(P(l.Price), Q(l.Qty))).ToArray();

        public ReadOnlySpan<BookLevel> Levels(VenueId venue, InstrumentId instrument, Side side) =>
            Sides.TryGetValue((venue.Value, side), out BookLevel[]? l) ? l : [];
    }

    private static PaperExchange Exchange(double quote = 100_000, double btc = 2)
    {
        var x = new PaperExchange(
            [new PaperVenueSpec(s_a, "a", TakerFee: 0.001, MakerFee: 0.0002, LatencyNs: 5 * Ms), new PaperVenueSpec(s_b, "b", 0.002, 0, 20 * Ms)],
            [new PaperInstrumentSpec(s_btc, "BTC", "USDT", 2, 4)]);
        foreach (VenueId v in new[] { s_a, s_b })
        {
            x.SetBalance(v, "USDT", quote);
            x.SetBalance(v, "BTC", btc);
        }

        return x;
    }

    private static PaperOrderRequest Market(string id, VenueId venue, Side side, double qty, int strategy = 1) =>
        new(id, strategy, venue, s_btc, side, PaperOrderKind.Market, Q(qty), default);

    private static PaperOrderRequest Limit(string id, VenueId venue, Side side, double qty, double price, PaperOrderKind kind = PaperOrderKind.Limit) =>
        new(id, 1, venue, s_btc, side, kind, Q(qty), P(price));

    [Fact]
    public void A_market_order_waits_for_its_venue_latency_then_walks_the_depth_with_the_taker_fee()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_a, Side.Ask, (100, 0.5), (101, 1.0));
        Assert.Equal(PaperOrderStatus.InFlight, x.Submit(Market("m1", s_a, Side.Bid, 1.0), 0).Status);
        Assert.Equal(0, x.Advance(4 * Ms, books));

        // The book moved while the order travelled: it fills against the book at arrival.
        books.Set(s_a, Side.Ask, (100.5, 0.25), (101, 1.0));
        Assert.Equal(2, x.Advance(5 * Ms, books));
        PaperOrderState s = x.Status("m1");
        Assert.Equal(PaperOrderStatus.Filled, s.Status);
        Assert.Equal((100.5 * 0.25) + (101 * 0.75), s.AveragePrice * s.FilledQuantity, 6);
        double cost = (100.5 * 0.25) + (101 * 0.75);
        Assert.Equal(100_000 - (cost * 1.001), x.Balance(s_a, "USDT"), 6);
        Assert.Equal(3.0, x.Balance(s_a, "BTC"), 9);
        Assert.Equal(cost * 0.001, x.FeesPaid, 9);
    }

    [Fact]
    public void Depth_that_runs_out_gives_a_partial_fill_and_the_rest_is_cancelled_with_its_reason()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_b, Side.Bid, (99, 0.3));
        x.Submit(Market("s1", s_b, Side.Ask, 1.0), 0);
        x.Advance(20 * Ms, books);
        PaperOrderState s = x.Status("s1");
        Assert.Equal(PaperOrderStatus.Cancelled, s.Status);
        Assert.Equal(PaperReject.NoLiquidity, s.Reason);
        Assert.Equal(0.3, s.FilledQuantity, 9);
        Assert.Equal(0.7, s.RemainingQuantity, 9);
        Assert.Equal(1.7, x.Balance(s_b, "BTC"), 9);
    }

    [Fact]
    public void Balances_are_never_overdrawn()
    {
        PaperExchange x = Exchange(quote: 50, btc: 0.1);
        var books = new Books();
        books.Set(s_a, Side.Ask, (100, 5));
        books.Set(s_a, Side.Bid, (99, 5));
        x.Submit(Market("b", s_a, Side.Bid, 1.0), 0);
        x.Submit(Market("s", s_a, Side.Ask, 1.0), 0);
        x.Advance(5 * Ms, books);
        Assert.Equal(50 / (100 * 1.001), x.Status("b").FilledQuantity, 9);
        Assert.Equal(0.1 + x.Status("b").FilledQuantity, x.Status("s").FilledQuantity, 9); // what it held plus what it just bought
        Assert.True(x.Balance(s_a, "BTC") >= -1e-12);
        Assert.True(x.Balance(s_a, "USDT") >= -1e-9);

        PaperExchange empty = Exchange(quote: 0, btc: 0);
        empty.Submit(Market("e", s_a, Side.Bid, 1.0), 0);
        empty.Advance(5 * Ms, books);
        Assert.Equal((PaperOrderStatus.Rejected, PaperReject.InsufficientBalance), (empty.Status("e").Status, empty.Status("e").Reason));
    }

    [Fact]
    public void A_passive_order_waits_behind_the_queue_then_fills_as_the_level_shrinks_past_it_with_the_maker_fee()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_a, Side.Bid, (99, 2.0));
        books.Set(s_a, Side.Ask, (100, 1.0));
        x.Submit(Limit("p", s_a, Side.Bid, 1.0, 99), 0);
        x.Advance(5 * Ms, books);
        Assert.Equal(PaperOrderStatus.Resting, x.Status("p").Status);

        books.Set(s_a, Side.Bid, (99, 1.5)); // 0.5 of the 2.0 ahead traded or cancelled
        x.Advance(6 * Ms, books);
        Assert.Equal(0, x.Status("p").FilledQuantity);
        books.Set(s_a, Side.Bid, (99, 3.0)); // others join behind us
        x.Advance(7 * Ms, books);
        books.Set(s_a, Side.Bid, (99, 1.2)); // 1.8 off the level: the 1.5 ahead of us first, then 0.3 of ours
        x.Advance(8 * Ms, books);
        Assert.Equal(PaperOrderStatus.PartiallyFilled, x.Status("p").Status);
        Assert.Equal(0.3, x.Status("p").FilledQuantity, 9);

        // The ask comes down through our price: the rest fills at our price as the maker.
        books.Set(s_a, Side.Ask, (98.5, 3.0));
        x.Advance(9 * Ms, books);
        PaperOrderState s = x.Status("p");
        Assert.Equal(PaperOrderStatus.Filled, s.Status);
        Assert.Equal(99, s.AveragePrice, 9);
        Assert.Equal(99 * 1.0 * 0.0002, x.FeesPaid, 9);
        IReadOnlyList<PaperFill> fills = x.DrainFills();
        Assert.All(fills, f => Assert.True(f.Maker));
        Assert.Empty(x.DrainFills());
    }

    [Fact]
    public void Post_only_that_would_cross_is_rejected_and_a_crossing_limit_takes_then_rests()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_a, Side.Ask, (100, 0.4), (102, 1.0));
        x.Submit(Limit("po", s_a, Side.Bid, 1.0, 101, PaperOrderKind.PostOnly), 0);
        x.Submit(Limit("lim", s_a, Side.Bid, 1.0, 101), 0);
        x.Advance(5 * Ms, books);
        Assert.Equal((PaperOrderStatus.Rejected, PaperReject.WouldCross), (x.Status("po").Status, x.Status("po").Reason));
        PaperOrderState lim = x.Status("lim");
        Assert.Equal(PaperOrderStatus.PartiallyFilled, lim.Status);
        Assert.Equal(0.4, lim.FilledQuantity, 9);
        Assert.Equal(1, x.OpenOrders);
    }

    [Fact]
    public void A_cancel_travels_too_so_a_fill_that_arrives_first_wins()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_b, Side.Bid, (99, 1.0));
        books.Set(s_b, Side.Ask, (101, 1.0));
        x.Submit(Limit("r", s_b, Side.Bid, 1.0, 99), 0);
        x.Advance(20 * Ms, books);
        x.Cancel("r", 21 * Ms); // lands at 41 ms
        books.Set(s_b, Side.Ask, (98, 1.0));
        x.Advance(30 * Ms, books);
        Assert.Equal(PaperOrderStatus.Filled, x.Status("r").Status);
        x.Advance(41 * Ms, books);
        Assert.Equal(PaperOrderStatus.Filled, x.Status("r").Status);

        x.Submit(Limit("r2", s_b, Side.Bid, 1.0, 90), 50 * Ms);
        x.Cancel("r2", 51 * Ms);
        x.Advance(80 * Ms, books);
        Assert.Equal(PaperOrderStatus.Cancelled, x.Status("r2").Status);
        Assert.Equal(PaperReject.UnknownOrder, x.Cancel("nope", 0).Reason);
    }

    [Fact]
    public void Client_order_ids_make_a_retry_idempotent_and_a_reused_id_is_refused()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_a, Side.Ask, (100, 5));
        PaperOrderRequest r = Market("id-1", s_a, Side.Bid, 1.0);
        x.Submit(r, 0);
        x.Submit(r, 1 * Ms); // a retry after a timeout
        x.Advance(10 * Ms, books);
        Assert.Single(x.DrainFills());
        Assert.Equal(1.0, x.Status("id-1").FilledQuantity, 9);
        Assert.Equal(PaperReject.DuplicateClientOrderId, x.Submit(Market("id-1", s_a, Side.Ask, 1.0), 2 * Ms).Reason);
        Assert.Equal(PaperReject.UnknownVenue, x.Submit(Market("v", new VenueId(9), Side.Bid, 1.0), 0).Reason);
        Assert.Equal(PaperReject.InvalidQuantity, x.Submit(Market("q", s_a, Side.Bid, 0), 0).Reason);
        Assert.Equal(PaperReject.NoLiquidity, Submit(x, Market("n", s_b, Side.Bid, 1.0), books));
    }

    private static PaperReject Submit(PaperExchange x, PaperOrderRequest r, Books books)
    {
        x.Submit(r, 100 * Ms);
        x.Advance(200 * Ms, books);
        return x.Status(r.ClientOrderId).Reason;
    }

    [Fact]
    public void A_cross_venue_pair_books_the_edge_minus_both_fees_as_the_strategys_pnl()
    {
        PaperExchange x = Exchange();
        var books = new Books();
        books.Set(s_a, Side.Ask, (100, 1));
        books.Set(s_b, Side.Bid, (101, 1));
        x.Submit(Market("buy", s_a, Side.Bid, 1.0, strategy: 7), 0);
        x.Submit(Market("sell", s_b, Side.Ask, 1.0, strategy: 7), 0);
        x.Advance(20 * Ms, books);
        (double pnl, double fees, int fills) = x.StrategyPnl(7, _ => 100.5);
        Assert.Equal(2, fills);
        Assert.Equal((100 * 0.001) + (101 * 0.002), fees, 9);
        Assert.Equal(1 - fees, pnl, 9);
        Assert.Equal((0.0, 0.0, 0), x.StrategyPnl(8, _ => 1));
    }

    [Fact]
    public void Initial_cash_is_shared_by_the_venues_half_in_quote_half_in_base_at_the_first_mid()
    {
        var x = new PaperExchange(
            [new PaperVenueSpec(s_a, "a", 0, 0, 0), new PaperVenueSpec(s_b, "b", 0, 0, 0)],
            [new PaperInstrumentSpec(s_btc, "BTC", "USDT", 2, 4), new PaperInstrumentSpec(new InstrumentId(1), "ETH", "USDT", 2, 4)]);
        x.SeedFromInitialCash(100_000, i => i.Value == 0 ? 50_000 : double.NaN);
        Assert.Equal(25_000 + 12_500, x.Balance(s_a, "USDT"), 6); // ETH has no mid: its base share stays cash
        Assert.Equal(12_500 / 50_000.0, x.Balance(s_b, "BTC"), 9);
        Assert.Equal(0, x.Balance(s_b, "ETH"));
    }
}
