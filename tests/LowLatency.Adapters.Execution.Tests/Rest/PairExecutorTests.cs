using LowLatency.Adapters.Cex.Execution;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.Testing.Venues;

namespace LowLatency.Adapters.Execution.Tests.Rest;

/// <summary>
/// Pairs worked end to end against two loopback venues that verify every signature: fills, a rejected leg, partial
/// fills (unwound or held), a cancel losing to a fill, disconnects before and after the venue took the order, and the
/// reconciliation before the first pair and after a lost outcome.
/// </summary>
public sealed class PairExecutorTests
{
    private const decimal Quantity = 0.5m;
    private const decimal BuyPrice = 30_000m;
    private const decimal SellPrice = 30_060m;

    // Legs that fill end the pair at once, so the window is a hang guard there; tests that need a leg to run out of time use the short one.
    private static readonly PairExecutionOptions s_options = new()
    {
        LegWindow = TimeSpan.FromSeconds(30),
        PollInterval = TimeSpan.FromMilliseconds(20),
    };

    private static readonly PairExecutionOptions s_short = s_options with { LegWindow = TimeSpan.FromMilliseconds(300) };

    public static readonly TheoryData<string, string> VenuePairs = new()
    {
        { "binance", "okx" },
        { "kraken", "coinbase" },
        { "bybit", "binance-ed25519" },
    };

    [Theory]
    [MemberData(nameof(VenuePairs))]
    public async Task Both_legs_filled_is_hedged_with_the_pnl_of_the_two_prices_less_fees(string buyName, string sellName)
    {
        await using Pair p = await Pair.StartAsync(buyName, sellName);
        p.Buy.Ledger.Play(VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(1), CancellationToken.None);

        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Empty(r.Failures);
        Assert.Equal(0.5, r.Bought, 9);
        Assert.Equal(0.5, r.Sold, 9);
        double fees = (0.5 * 30_000 * 0.001) + (0.5 * 30_060 * 0.001);
        Assert.Equal((0.5 * 60) - fees, r.PnlUsd, 6);
        Assert.Equal("Filled", p.Buy.Ledger.Get(r.BuyClientOrderId)!.Status);
        Assert.Equal("Filled", p.Sell.Ledger.Get(r.SellClientOrderId)!.Status);
        Assert.Equal(0, p.Buy.Ledger.BadSignatures + p.Sell.Ledger.BadSignatures);

        // Reconciled once each, before the first pair, and not again while nothing was lost.
        Assert.Equal(1, p.Buy.Session.Reconciles);
        Assert.Equal(1, p.Sell.Session.Reconciles);
    }

    [Fact]
    public async Task A_rejected_sell_leg_gets_the_filled_buy_unwound_on_its_venue()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit");
        p.Buy.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.InsufficientBalance);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(7), CancellationToken.None);

        Assert.Equal(PairOutcome.Unwound, r.Outcome);
        Assert.Equal(0.5, r.Bought, 9);
        Assert.Equal(0, r.Sold);
        Assert.Equal(0.5, r.Unwound, 9);
        Assert.Equal(0, r.Residual, 9);
        Assert.Contains(r.Failures, f => f.Contains("InsufficientBalance", StringComparison.Ordinal));
        LoopbackOrder unwind = p.Buy.Ledger.Get(p.Executor.ClientOrderId(7, 'u'))!;
        Assert.False(unwind.Buy);
        Assert.Equal(0.5m, unwind.Quantity);
        Assert.Equal(29_850m, unwind.Price); // 0.5 % through the pair's buy price
        Assert.Equal(0, p.Executor.Exposure.AssetUsd(InstrumentId.FromIndex(0)));
        Assert.True(r.PnlUsd < 0);
    }

    [Fact]
    public async Task A_partial_buy_is_cancelled_at_the_window_and_the_over_sold_residual_bought_back()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit", s_short);
        p.Buy.Ledger.Play(VenuePlay.PartialFill);
        p.Sell.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(2), CancellationToken.None);

        Assert.Equal(PairOutcome.Unwound, r.Outcome);
        Assert.Equal(0.2, r.Bought, 9);
        Assert.Equal(0.5, r.Sold, 9);
        Assert.Equal(0.3, r.Unwound, 9);
        Assert.Equal("Cancelled", p.Buy.Ledger.Get(r.BuyClientOrderId)!.Status);
        LoopbackOrder unwind = p.Sell.Ledger.Get(p.Executor.ClientOrderId(2, 'u'))!;
        Assert.True(unwind.Buy);
        Assert.Equal(0.3m, unwind.Quantity);
        Assert.Contains(r.Failures, f => f.Contains("not done within", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_hold_a_partial_residual_within_the_limits_is_kept_and_counted_as_exposure()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit", s_short with { Policy = LegPolicy.HoldWithinLimits });
        p.Buy.Ledger.Play(VenuePlay.PartialFill);
        p.Sell.Ledger.Play(VenuePlay.Fill);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(3), CancellationToken.None);

        Assert.Equal(PairOutcome.Held, r.Outcome);
        Assert.Equal(-0.3, r.Residual, 9);
        Assert.Null(p.Sell.Ledger.Get(p.Executor.ClientOrderId(3, 'u')));
        Assert.Equal(0.3 * 30_000, p.Executor.Exposure.AssetUsd(InstrumentId.FromIndex(0)), 6);
    }

    [Fact]
    public async Task A_cancel_that_loses_to_a_fill_counts_the_fill_once_and_the_pair_is_hedged()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit", s_short);
        p.Sell.Ledger.Play(VenuePlay.Fill);
        p.Buy.Ledger.NextCancelLosesToFill = true; // the buy rests; at the window its cancel finds it filled

        PairResult r = await p.Executor.ExecuteAsync(p.Request(4), CancellationToken.None);

        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal(0.5, r.Bought, 9);
        Assert.Equal(0.5, p.Buy.Session.Tracker.Position(p.Buy.Symbol), 9);
    }

    [Fact]
    public async Task A_connection_dropped_before_the_venue_took_the_leg_is_resent_under_the_same_id_once()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit", s_short);
        p.Buy.Ledger.Play(VenuePlay.DropBeforeAccept, VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.AcceptThenDrop); // taken, answer lost: read back by status, it rests
        p.Sell.Ledger.NextCancelLosesToFill = true; // and fills as the window's cancel reaches it

        PairResult r = await p.Executor.ExecuteAsync(p.Request(5), CancellationToken.None);

        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal(1, p.Buy.Session.Resends);
        Assert.Equal(1, p.Buy.Ledger.PlacesTaken);
        Assert.Equal(1, p.Sell.Ledger.PlacesTaken);
    }

    [Fact]
    public async Task A_venue_that_never_answers_fails_its_leg_the_other_is_unwound_and_the_venue_is_reconciled_before_the_next_pair()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit");
        p.Buy.Ledger.Play(VenuePlay.DropBeforeAccept, VenuePlay.DropBeforeAccept, VenuePlay.DropBeforeAccept);
        p.Sell.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(6), CancellationToken.None);

        Assert.Equal(PairOutcome.Unwound, r.Outcome);
        Assert.Equal(0, r.Bought);
        Assert.Equal(0.5, r.Unwound, 9);
        Assert.Equal(OrderState.Rejected, p.Buy.Session.Read(r.BuyClientOrderId)!.Value.State);
        Assert.True(p.Executor.Venue(VenueId.FromIndex(0))!.NeedsReconcile);

        // The next pair first reconciles the venue whose outcome was lost.
        p.Buy.Ledger.Play(VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill);
        PairResult next = await p.Executor.ExecuteAsync(p.Request(8), CancellationToken.None);
        Assert.Equal(PairOutcome.Hedged, next.Outcome);
        Assert.Equal(2, p.Buy.Session.Reconciles);
        Assert.Equal(1, p.Sell.Session.Reconciles);
    }

    [Fact]
    public async Task Bad_requests_send_nothing_and_say_why()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit");
        PairResult r = await p.Executor.ExecuteAsync(p.Request(9) with { SellVenue = VenueId.FromIndex(5) }, CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Contains("no execution client", r.Failures[0], StringComparison.Ordinal);
        r = await p.Executor.ExecuteAsync(p.Request(9) with { Quantity = 0 }, CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Equal(0, p.Buy.Ledger.PlacesTaken + p.Sell.Ledger.PlacesTaken);
        Assert.Throws<ArgumentException>(() => new PairExecutor([], p.Executor.Exposure, s_options, "ll-1"));
    }

    [Fact]
    public async Task Both_legs_are_sent_on_both_venues_grids_at_one_quantity_and_never_worse_than_the_pair_prices()
    {
        await using Pair p = await Pair.StartAsync("binance", "okx");
        p.Buy.Ledger.SetRules(p.Buy.Symbol, new SymbolRules(0.01m, 0.001m, 0.001m, 5m));
        p.Sell.Ledger.SetRules(p.Sell.Symbol, new SymbolRules(0.1m, 0.0001m, 0.0001m, 0));
        p.Buy.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill, VenuePlay.Fill);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(11) with { Quantity = 0.12345m, BuyPrice = 30_000.019m, SellPrice = 30_060.04m }, CancellationToken.None);

        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Empty(r.Failures);
        LoopbackOrder buy = p.Buy.Ledger.Get(r.BuyClientOrderId)!;
        LoopbackOrder sell = p.Sell.Ledger.Get(r.SellClientOrderId)!;
        Assert.Equal((0.123m, 30_000.01m), (buy.Quantity, buy.Price)); // the buy's tick rounds down
        Assert.Equal((0.123m, 30_060.1m), (sell.Quantity, sell.Price)); // the sell's rounds up
        Assert.Equal(0, p.Buy.Ledger.RuleRefusals + p.Sell.Ledger.RuleRefusals);

        // The rules are read once per symbol, not per pair.
        r = await p.Executor.ExecuteAsync(p.Request(12) with { Quantity = 0.2m }, CancellationToken.None);
        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal((1, 1), (p.Buy.Ledger.RulesRequests, p.Sell.Ledger.RulesRequests));
        Assert.Equal(new SymbolRules(0.01m, 0.001m, 0.001m, 5m, "BTC", "USDT"), p.Executor.Venue(VenueId.FromIndex(0))!.RulesOf(p.Buy.Symbol));
    }

    [Fact]
    public async Task A_pair_below_a_venues_least_order_value_or_on_an_unlisted_symbol_sends_nothing_and_says_why()
    {
        await using Pair p = await Pair.StartAsync("bybit", "kraken");
        p.Buy.Ledger.SetRules(p.Buy.Symbol, new SymbolRules(0.01m, 0.000001m, 0.000048m, 5_000m));
        p.Sell.Ledger.Unlist(p.Sell.Symbol);
        PairResult r = await p.Executor.ExecuteAsync(p.Request(13), CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Contains(r.Failures, f => f.Contains($"kraken: the order rules of {p.Sell.Symbol} could not be read (Rejected", StringComparison.Ordinal));

        // Listed again: rules that could not be read are asked for again. 0.1 BTC at 30,000 is 3,000 USDT, below the
        // buy venue's least order value of 5,000.
        p.Sell.Ledger.SetRules(p.Sell.Symbol, VenueLedger.DefaultRules);
        r = await p.Executor.ExecuteAsync(p.Request(14) with { Quantity = 0.1m }, CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Contains(r.Failures, f => f.Contains("bybit buy: MinNotional", StringComparison.Ordinal) && f.Contains("least value 5000", StringComparison.Ordinal));
        Assert.Equal((1, 2), (p.Buy.Ledger.RulesRequests, p.Sell.Ledger.RulesRequests));
        Assert.Equal(0, p.Buy.Ledger.PlacesTaken + p.Sell.Ledger.PlacesTaken);
    }

    [Fact]
    public async Task Lot_steps_with_no_common_multiple_near_the_quantity_send_nothing()
    {
        await using Pair p = await Pair.StartAsync("binance", "coinbase");
        p.Buy.Ledger.SetRules(p.Buy.Symbol, new SymbolRules(0.01m, 0.003m, 0, 0));
        p.Sell.Ledger.SetRules(p.Sell.Symbol, new SymbolRules(0.01m, 0.002m, 0, 0));

        // 0.5 → 0.498 on the buy venue's step → 0.498 on the sell venue's, a multiple of both: sent.
        p.Buy.Ledger.Play(VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill);
        PairResult r = await p.Executor.ExecuteAsync(p.Request(15), CancellationToken.None);
        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal(0.498m, p.Sell.Ledger.Get(r.SellClientOrderId)!.Quantity);

        // 0.01 → 0.009 → 0.008: no longer on the buy venue's step, so the two legs cannot be one size.
        r = await p.Executor.ExecuteAsync(p.Request(16) with { Quantity = 0.01m }, CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Contains("have no common multiple near 0.01", r.Failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pair_is_sized_to_what_the_sell_venue_holds_and_its_fills_move_the_balance_until_the_next_reconciliation()
    {
        await using Pair p = await Pair.StartAsync("bybit", "binance");
        p.Sell.Ledger.Balances["BTC"] = 0.3m;
        p.Sell.Ledger.SetRules(p.Sell.Symbol, new SymbolRules(0.01m, 0.0001m, 0.001m, 0));
        p.Buy.Ledger.Play(VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill);

        // 0.5 asked, 0.3 held: 0.3 less the 0.2 % headroom is 0.2994, on both steps.
        PairResult r = await p.Executor.ExecuteAsync(p.Request(17), CancellationToken.None);
        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal(0.2994m, p.Sell.Ledger.Get(r.SellClientOrderId)!.Quantity);
        Assert.Equal(0.2994m, p.Buy.Ledger.Get(r.BuyClientOrderId)!.Quantity);
        ExecutionVenue sellVenue = p.Executor.Venue(VenueId.FromIndex(1))!;
        Assert.Equal(0.0006m, sellVenue.FundsOf("BTC"));
        Assert.Equal(10.2994m, p.Executor.Venue(VenueId.FromIndex(0))!.FundsOf("BTC"));

        // 0.0006 left: below the least quantity of 0.001, so the next pair is not sent, and says why.
        r = await p.Executor.ExecuteAsync(p.Request(18), CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Contains("binance holds 0.0006 BTC to sell (0.5 asked)", r.Failures[0], StringComparison.Ordinal);
        Assert.Equal(2, p.Buy.Ledger.PlacesTaken + p.Sell.Ledger.PlacesTaken);

        // A deposit is seen at the next reconciliation, which reads the balances whole.
        p.Sell.Ledger.Balances["BTC"] = 2m;
        Assert.True((await p.Executor.ReconcileAsync(sellVenue, CancellationToken.None)).Ok);
        Assert.Equal(2m, sellVenue.FundsOf("BTC"));
        p.Buy.Ledger.Play(VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill);
        r = await p.Executor.ExecuteAsync(p.Request(19), CancellationToken.None);
        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal(0.5m, p.Sell.Ledger.Get(r.SellClientOrderId)!.Quantity);
    }

    [Fact]
    public async Task A_pair_is_sized_to_what_the_buy_venues_quote_pays_for_with_its_fee()
    {
        await using Pair p = await Pair.StartAsync("okx", "kraken");
        p.Buy.Ledger.Balances["USDT"] = 6_000m;
        p.Buy.Ledger.Play(VenuePlay.Fill);
        p.Sell.Ledger.Play(VenuePlay.Fill);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(20), CancellationToken.None);

        // 6,000 × 0.998 / (30,000 × 1.001) = 0.19940059…, floored to the default 8-decimal step.
        Assert.Equal(PairOutcome.Hedged, r.Outcome);
        Assert.Equal(0.19940059m, p.Buy.Ledger.Get(r.BuyClientOrderId)!.Quantity);
        decimal left = p.Executor.Venue(VenueId.FromIndex(0))!.FundsOf("USDT");
        Assert.Equal(6_000m - (0.19940059m * 30_000m * 1.001m), left, 6);
        Assert.True(left > 0);

        p.Buy.Ledger.Balances.Remove("USDT");
        Assert.True((await p.Executor.ReconcileAsync(p.Executor.Venue(VenueId.FromIndex(0))!, CancellationToken.None)).Ok);
        r = await p.Executor.ExecuteAsync(p.Request(21), CancellationToken.None);
        Assert.Equal(PairOutcome.NotSent, r.Outcome);
        Assert.Contains("okx holds 0 USDT to buy with (0.5 asked at 30000)", r.Failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_residual_a_failed_unwind_left_is_retried_further_through_its_price_until_flat_and_realised_once()
    {
        await using Pair p = await Pair.StartAsync("binance", "bybit", s_options with { LegWindow = TimeSpan.FromSeconds(2) });
        p.Buy.Ledger.Play(VenuePlay.Fill, VenuePlay.InsufficientBalance); // the buy fills; its unwind is refused
        p.Sell.Ledger.Play(VenuePlay.InsufficientBalance);
        InstrumentId btc = InstrumentId.FromIndex(0);

        PairResult r = await p.Executor.ExecuteAsync(p.Request(22), CancellationToken.None);
        Assert.Equal(PairOutcome.Unhedged, r.Outcome);
        OpenResidual open = Assert.Single(p.Executor.OpenResiduals);
        Assert.Equal((0.5m, true), (open.Quantity, open.SellBack));
        Assert.Equal(15_000, p.Executor.Exposure.AssetUsd(btc), 6);

        // 1st retry 1 % through the buy price, refused: nothing traded, still open.
        p.Buy.Ledger.Play(VenuePlay.InsufficientBalance);
        ResidualResult first = Assert.Single(await p.Executor.RetryResidualsAsync(CancellationToken.None));
        Assert.Equal((1, 29_700m, 0.0, 0.5), (first.Attempt, first.Price, first.Filled, first.Left));
        Assert.Contains(first.Failures, f => f.Contains("InsufficientBalance", StringComparison.Ordinal));

        // 2nd, 2 % through: 40 % fills, the rest is cancelled at the window; the fill is realised against the mark.
        p.Buy.Ledger.Play(VenuePlay.PartialFill);
        ResidualResult second = Assert.Single(await p.Executor.RetryResidualsAsync(CancellationToken.None));
        Assert.Equal((2, 29_400m), (second.Attempt, second.Price));
        Assert.Equal(0.2, second.Filled, 9);
        Assert.Equal(0.3, second.Left, 9);
        Assert.Equal((0.2 * 29_400) - (0.2 * 29_400 * 0.001) - (0.2 * 30_000), second.PnlUsd, 6);
        Assert.Equal(9_000, p.Executor.Exposure.AssetUsd(btc), 6);

        // 3rd, 4 % through: the rest fills; the residual is closed and leaves the exposure.
        p.Buy.Ledger.Play(VenuePlay.Fill);
        ResidualResult third = Assert.Single(await p.Executor.RetryResidualsAsync(CancellationToken.None));
        Assert.True(third.Flat);
        Assert.Equal(28_800m, third.Price);
        Assert.Equal(0.3m, p.Buy.Ledger.Get(third.ClientOrderId)!.Quantity);
        Assert.Empty(p.Executor.OpenResiduals);
        Assert.Equal(0, p.Executor.Exposure.AssetUsd(btc), 6);
        Assert.Empty(await p.Executor.RetryResidualsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_residual_below_the_venues_least_order_is_left_in_the_exposure_and_not_retried()
    {
        await using Pair p = await Pair.StartAsync("okx", "kraken");
        p.Buy.Ledger.Play(VenuePlay.Fill, VenuePlay.InsufficientBalance);
        p.Sell.Ledger.Play(VenuePlay.InsufficientBalance);
        PairResult r = await p.Executor.ExecuteAsync(p.Request(23) with { Quantity = 0.002m }, CancellationToken.None);
        Assert.Equal(PairOutcome.Unhedged, r.Outcome);

        // The venue raises its least quantity past the residual: no retry can trade it out.
        p.Buy.Ledger.SetRules(p.Buy.Symbol, new SymbolRules(0.01m, 0.0001m, 0.01m, 0));
        Assert.True((await p.Executor.ReconcileAsync(p.Executor.Venue(VenueId.FromIndex(0))!, CancellationToken.None)).Ok); // forgets the old rules
        ResidualResult once = Assert.Single(await p.Executor.RetryResidualsAsync(CancellationToken.None));
        Assert.Contains("least quantity 0.01", once.Failures[0], StringComparison.Ordinal);
        Assert.True(Assert.Single(p.Executor.OpenResiduals).Untradeable);
        Assert.Empty(await p.Executor.RetryResidualsAsync(CancellationToken.None));
        Assert.Equal(0.002 * 30_000, p.Executor.Exposure.AssetUsd(InstrumentId.FromIndex(0)), 6);
        Assert.Equal(1, p.Buy.Ledger.PlacesTaken); // the buy only: the unwind was refused and no retry was sent
    }

    private sealed class Pair : IAsyncDisposable
    {
        private Pair(VenueRig buy, VenueRig sell, PairExecutor executor)
        {
            Buy = buy;
            Sell = sell;
            Executor = executor;
        }

        public VenueRig Buy { get; }

        public VenueRig Sell { get; }

        public PairExecutor Executor { get; }

        public static async Task<Pair> StartAsync(string buy, string sell, PairExecutionOptions? options = null)
        {
            VenueRig b = await VenueRig.StartAsync(buy);
            VenueRig s = await VenueRig.StartAsync(sell);

            // Enough of both assets on both venues that no pair here is sized down unless its test says so.
            foreach (VenueRig rig in new[] { b, s })
            {
                rig.Ledger.Balances["BTC"] = 10m;
                rig.Ledger.Balances["USDT"] = 1_000_000m;
            }

            var venues = new[]
            {
                new ExecutionVenue(VenueId.FromIndex(0), buy, b.Session, 0.001),
                new ExecutionVenue(VenueId.FromIndex(1), sell, s.Session, 0.001),
            };
            var executor = new PairExecutor(venues, new UnhedgedExposure(1, 2, 50_000, 50_000), options ?? s_options, "t1");
            return new Pair(b, s, executor);
        }

        public PairRequest Request(long pair) =>
            new(pair, InstrumentId.FromIndex(0), VenueId.FromIndex(0), Buy.Symbol, VenueId.FromIndex(1), Sell.Symbol, Quantity, BuyPrice, SellPrice);

        public async ValueTask DisposeAsync()
        {
            await Buy.DisposeAsync();
            await Sell.DisposeAsync();
        }
    }
}
