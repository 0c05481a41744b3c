using LowLatency.Adapters.Cex.Execution;
using LowLatency.Testing.Venues;

namespace LowLatency.Adapters.Execution.Tests.Rest;

/// <summary>
/// Each venue's REST client and the execution session against the loopback venue that verifies the venue's signature
/// and plays its faults: every fault is a value with its reason, no fill is lost or counted twice, and a retry under
/// the same client order id never makes a second order.
/// </summary>
public sealed class VenueExecutionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_resting_order_is_acknowledged_with_the_venues_id_and_reads_back_by_status(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, buy: true, 0.5m, 60_000m, None);

        Assert.True(placed.Ok, placed.Detail);
        LoopbackOrder onVenue = Assert.Single(rig.Ledger.Open());
        Assert.Equal(placed.Value!.ClientOrderId, onVenue.ClientOrderId);
        Assert.Equal(onVenue.VenueOrderId, placed.Value.VenueOrderId);
        Assert.Equal(OrderState.Open, placed.Value.State);
        Assert.Equal(0.5m, onVenue.Quantity);
        Assert.Equal(60_000m, onVenue.Price);

        ExecResult<VenueOrder> status = await rig.Client.StatusAsync(rig.Symbol, onVenue.ClientOrderId, null, None);
        Assert.True(status.Ok, status.Detail);
        Assert.Equal(VenueOrderStatus.New, status.Value!.Status);
        Assert.True(status.Value.Buy);
        Assert.Equal(0, rig.Ledger.BadSignatures);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task An_immediate_fill_counts_once_however_often_it_is_reported(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        rig.Ledger.Play(VenuePlay.Fill);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, buy: true, 0.5m, 60_000m, None);
        Assert.True(placed.Ok, placed.Detail);

        // Binance FULL answers carry the fills; the others are learnt by reconciliation (the order is gone from the book).
        ExecResult<ReconcileReport> first = await rig.Session.ReconcileAsync(new Dictionary<string, double>(), 1e-9, None);
        ExecResult<ReconcileReport> second = await rig.Session.ReconcileAsync(new Dictionary<string, double>(), 1e-9, None);
        Assert.True(first.Ok && second.Ok, first.Detail ?? second.Detail);

        Assert.Equal(OrderState.Filled, placed.Value!.State);
        Assert.Equal(0.5, rig.Tracker.Position(rig.Symbol), 12);
        Assert.Equal(60_000.0, placed.Value.Notional / placed.Value.Filled, 6);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task Venue_refusals_are_values_with_their_reason_and_reject_the_order(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        rig.Ledger.Play(VenuePlay.InsufficientBalance, VenuePlay.MinNotional, VenuePlay.PriceFilter);

        ExecResult<TrackedOrder> a = await rig.Session.PlaceAsync(rig.Symbol, true, 5m, 60_000m, None);
        ExecResult<TrackedOrder> b = await rig.Session.PlaceAsync(rig.Symbol, true, 0.00001m, 60_000m, None);
        ExecResult<TrackedOrder> c = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 1m, None);

        Assert.Equal(ExecError.InsufficientBalance, a.Error);
        Assert.Equal(ExecError.MinNotional, b.Error);
        Assert.Equal(ExecError.PriceFilter, c.Error);
        Assert.All([a, b, c], r => Assert.False(string.IsNullOrEmpty(r.Detail)));
        Assert.Equal(OrderState.Rejected, rig.Tracker.Get("ll1-1")!.State);
        Assert.Equal(OrderState.Rejected, rig.Tracker.Get("ll1-3")!.State);
        Assert.Equal(0, rig.Ledger.PlacesTaken);
        Assert.Equal(0.0, rig.Tracker.Position(rig.Symbol));
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task The_symbols_order_rules_read_back_from_the_public_endpoint_and_an_unlisted_symbol_is_refused(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);

        // Rules every venue can state: Kraken gives steps as decimal places, OKX no least value for spot.
        var rules = new SymbolRules(0.1m, 0.0001m, 0.0002m, venue == "okx" ? 0 : 5m);
        rig.Ledger.SetRules(rig.Symbol, rules);
        ExecResult<SymbolRules> read = await rig.Client.RulesAsync(rig.Symbol, None);
        Assert.True(read.Ok, read.Detail);
        Assert.Equal(rules with { BaseAsset = "BTC", QuoteAsset = "USDT" }, read.Value); // the ledger's balance names
        Assert.Equal(1, rig.Ledger.RulesRequests);

        rig.Ledger.Unlist(rig.Symbol);
        ExecResult<SymbolRules> unknown = await rig.Client.RulesAsync(rig.Symbol, None);
        Assert.Equal(ExecError.Rejected, unknown.Error);
        Assert.StartsWith(rig.Client.Venue, unknown.Detail, StringComparison.Ordinal);
        Assert.Equal(0, rig.Ledger.BadSignatures);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task An_order_off_the_symbols_rules_is_refused_in_the_venues_words_and_never_taken(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        rig.Ledger.SetRules(rig.Symbol, new SymbolRules(0.1m, 0.0001m, 0.001m, 100m));

        ExecResult<TrackedOrder> offTick = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000.05m, None);
        ExecResult<TrackedOrder> offStep = await rig.Session.PlaceAsync(rig.Symbol, true, 0.50005m, 60_000m, None);
        ExecResult<TrackedOrder> belowQuantity = await rig.Session.PlaceAsync(rig.Symbol, true, 0.0005m, 60_000m, None);
        ExecResult<TrackedOrder> belowValue = await rig.Session.PlaceAsync(rig.Symbol, true, 0.0015m, 60_000m, None);

        Assert.Equal(ExecError.PriceFilter, offTick.Error);
        Assert.All([offStep, belowQuantity, belowValue], r => Assert.Equal(ExecError.MinNotional, r.Error));
        Assert.All([offTick, offStep, belowQuantity, belowValue], r => Assert.False(string.IsNullOrEmpty(r.Detail)));
        Assert.Equal(4, rig.Ledger.RuleRefusals);
        Assert.Equal(0, rig.Ledger.PlacesTaken);

        // On the grid and above both minimums: taken.
        ExecResult<TrackedOrder> fits = await rig.Session.PlaceAsync(rig.Symbol, true, 0.0017m, 60_000.1m, None);
        Assert.True(fits.Ok, fits.Detail);
        Assert.Equal(1, rig.Ledger.PlacesTaken);
        Assert.Equal(4, rig.Ledger.RuleRefusals);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_wrong_secret_is_refused_by_the_venues_signature_check_and_no_key_is_in_the_error(string venue)
    {
        using var otherEc = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        string wrong = venue switch
        {
            "binance-ed25519" => "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----", // RFC 8032 TEST 1's secret
            "kraken" => "d3Jvbmcta3Jha2VuLXNlY3JldA==",
            "coinbase" => otherEc.ExportECPrivateKeyPem(),
            _ => "not-the-venues-secret",
        };
        await using VenueRig rig = await VenueRig.StartAsync(venue, clientSecret: wrong);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);

        Assert.Equal(ExecError.InvalidSignature, placed.Error);
        Assert.Equal(1, rig.Ledger.BadSignatures);
        Assert.Equal(0, rig.Ledger.PlacesTaken);
        Assert.DoesNotContain(VenueRig.ApiKey, placed.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, placed.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain(VenueRig.Secret, placed.Detail!, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_clock_outside_the_venues_window_is_a_clock_skew_error(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        rig.Ledger.ClockSkewMs = 300_000; // the venue runs five minutes ahead of us: our stamps (and a JWT's exp) are stale
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);
        // Coinbase answers an expired JWT with the same 401 as a bad one.
        Assert.Equal(venue == "coinbase" ? ExecError.InvalidSignature : ExecError.ClockSkew, placed.Error);

        rig.Ledger.ClockSkewMs = 0;
        ExecResult<IReadOnlyDictionary<string, decimal>> balances = await rig.Client.BalancesAsync(None);
        Assert.True(balances.Ok, balances.Detail);
        Assert.Equal(100_000m, balances.Value!["USDT"]);
        Assert.Equal(0, rig.Ledger.PlacesTaken);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_lost_answer_is_read_back_by_status_and_never_makes_a_second_order(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue, timeout: TimeSpan.FromSeconds(1.5));
        rig.Server.Dialect.Stall = TimeSpan.FromSeconds(20);
        rig.Ledger.Play(VenuePlay.AcceptThenStall, VenuePlay.AcceptThenDrop, VenuePlay.ServerErrorAfterAccept);

        ExecResult<TrackedOrder> stalled = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);
        ExecResult<TrackedOrder> dropped = await rig.Session.PlaceAsync(rig.Symbol, true, 0.25m, 60_000m, None);
        ExecResult<TrackedOrder> failed = await rig.Session.PlaceAsync(rig.Symbol, true, 0.125m, 60_000m, None);

        Assert.All([stalled, dropped, failed], r => Assert.True(r.Ok, r.Detail));
        Assert.All([stalled, dropped, failed], r => Assert.Equal(OrderState.Open, r.Value!.State));
        Assert.Equal(3, rig.Ledger.PlacesTaken);
        Assert.True(rig.Session.StatusQueries >= 3);
        Assert.Equal(0, rig.Session.Resends);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task An_order_the_venue_never_got_is_resent_under_the_same_client_id(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        rig.Ledger.Play(VenuePlay.DropBeforeAccept);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, false, 0.5m, 61_000m, None);

        Assert.True(placed.Ok, placed.Detail);
        Assert.Equal(1, rig.Session.Resends);
        LoopbackOrder onVenue = Assert.Single(rig.Ledger.Open());
        Assert.Equal("ll1-1", onVenue.ClientOrderId);

        // Asking again with the same id is a retry: nothing is sent.
        int requests = rig.Ledger.RequestsSeen;
        ExecResult<TrackedOrder> again = await rig.Session.PlaceAsync(new OrderRequest("ll1-1", rig.Symbol, false, 0.5m, 61_000m), None);
        Assert.True(again.Ok);
        Assert.Same(placed.Value, again.Value);
        Assert.Equal(requests, rig.Ledger.RequestsSeen);
        Assert.Equal(1, rig.Ledger.PlacesTaken);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_rate_limit_is_obeyed_until_its_retry_after_passes(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        rig.Ledger.Play(VenuePlay.RateLimit);
        ExecResult<TrackedOrder> limited = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);

        Assert.Equal(ExecError.RateLimited, limited.Error);
        Assert.True(limited.RetryAfter >= TimeSpan.FromSeconds(1), limited.RetryAfter.ToString());
        Assert.True(rig.Session.BlockedUntil > DateTimeOffset.UtcNow);

        int requests = rig.Ledger.RequestsSeen;
        ExecResult<TrackedOrder> held = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);
        Assert.Equal(ExecError.RateLimited, held.Error);
        Assert.Equal(requests, rig.Ledger.RequestsSeen);
        Assert.Equal(0, rig.Ledger.PlacesTaken);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_cancel_that_loses_the_race_to_a_fill_counts_the_fill_once(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 0.5m, 60_000m, None);
        rig.Ledger.NextCancelLosesToFill = true;

        ExecResult<TrackedOrder> cancelled = await rig.Session.CancelAsync(placed.Value!.ClientOrderId, None);
        await rig.Session.ReconcileAsync(new Dictionary<string, double>(), 1e-9, None);

        Assert.True(cancelled.Ok, cancelled.Detail);
        Assert.Equal(OrderState.Filled, placed.Value.State);
        Assert.Equal(0.5, rig.Tracker.Position(rig.Symbol), 12);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task A_cancel_after_a_partial_fill_keeps_the_filled_part(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, false, 1m, 60_000m, None);
        rig.Ledger.Fill(rig.Ledger.Get(placed.Value!.ClientOrderId)!, 0.3m, 60_010m);

        ExecResult<TrackedOrder> cancelled = await rig.Session.CancelAsync(placed.Value.ClientOrderId, None);

        Assert.True(cancelled.Ok, cancelled.Detail);
        Assert.Equal(OrderState.Cancelled, placed.Value.State);
        Assert.Equal(-0.3, rig.Tracker.Position(rig.Symbol), 12);
        Assert.Equal(60_010.0, placed.Value.Notional / placed.Value.Filled, 6);

        ExecResult<string> again = await rig.Client.CancelAsync(rig.Symbol, placed.Value.ClientOrderId, placed.Value.VenueOrderId, None);
        Assert.Equal(ExecError.UnknownOrder, again.Error);
    }

    [Theory]
    [MemberData(nameof(VenueRig.Venues), MemberType = typeof(VenueRig))]
    public async Task Reconciliation_recovers_missed_fills_adopts_orders_from_before_a_crash_and_names_balance_drift(string venue)
    {
        await using VenueRig rig = await VenueRig.StartAsync(venue);
        ExecResult<TrackedOrder> placed = await rig.Session.PlaceAsync(rig.Symbol, true, 1m, 60_000m, None);
        rig.Ledger.Fill(rig.Ledger.Get(placed.Value!.ClientOrderId)!, 0.4m, 59_990m);

        ExecResult<ReconcileReport> report = await rig.Session.ReconcileAsync(new Dictionary<string, double> { ["BTC"] = 1.0, ["USDT"] = 100_000 }, 1e-9, None);

        Assert.True(report.Ok, report.Detail);
        Assert.Equal(1, report.Value!.Matched);
        Assert.Equal(1, report.Value.FillsRecovered);
        Assert.Equal(OrderState.PartiallyFilled, placed.Value.State);
        Assert.Equal(0.4, rig.Tracker.Position(rig.Symbol), 12);
        Assert.Contains(report.Value.BalanceMismatches, m => m.StartsWith("BTC:", StringComparison.Ordinal)); // 1.4 on the venue

        // A restart: a fresh tracker learns the working order from the venue.
        var restarted = new ExecutionSession(rig.Client, new OrderTracker("ll2-"));
        ExecResult<ReconcileReport> adopted = await restarted.ReconcileAsync(new Dictionary<string, double>(), 1e-9, None);
        Assert.True(adopted.Ok, adopted.Detail);
        Assert.Equal(1, adopted.Value!.Adopted);
        Assert.Equal(0.4, restarted.Tracker.Get(placed.Value.ClientOrderId)!.Filled, 12);
    }
}
