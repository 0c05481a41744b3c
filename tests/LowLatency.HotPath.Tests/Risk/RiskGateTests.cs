using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;

namespace LowLatency.HotPath.Tests.Risk;

public sealed class RiskGateTests
{
    private const long Second = 1_000_000_000;
    private const long T0 = 1_767_225_600L * Second; // 2026-01-01T00:00:00Z

    private static readonly InstrumentId s_btc = new(0);
    private static readonly InstrumentId s_eth = new(1);

    private static RiskOptions Options(Func<RiskOptions, RiskOptions>? edit = null)
    {
        var o = new RiskOptions
        {
            Assets = 4,
            Venues = 4,
            DailyLossLimitUsd = 100,
            MaxConsecutiveLosses = 3,
            ConsecutiveLossCooldownNs = 60 * Second,
            VolatilityWindow = 4,
            VolatilitySampleNs = Second,
            MaxVolatilityBps = 50,
            VolatilityResumeBps = 20,
            GasCapWei = [50_000_000_000UL, 1_000_000_000UL],
            MaxTradeNotionalUsd = 1_000,
            MaxAssetNotionalUsd = 2_500,
            MaxOpenLegs = 4,
            MaxQuoteAgeNs = Second / 2,
            QuarantineBelowScore = 0.5,
            QuarantineReleaseScore = 0.8,
            QuarantineReleaseNs = 10 * Second,
        };
        return edit is null ? o : edit(o);
    }

    private static RiskAction Pair(double notional = 500, InstrumentId? asset = null, long quoteNs = T0, int chain = -1, int legs = 2) => new()
    {
        Asset = asset ?? s_btc,
        BuyVenue = new VenueId(0),
        SellVenue = new VenueId(1),
        ChainSlot = chain,
        Legs = legs,
        NotionalUsd = notional,
        OldestQuoteNs = quoteNs,
    };

    private static RiskAlert[] Alerts(RiskGate gate)
    {
        var buffer = new RiskAlert[64];
        int n = gate.DrainAlerts(buffer);
        return buffer[..n];
    }

    [Fact]
    public void A_clean_action_is_approved_and_reserves_its_legs_and_notional()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        RiskDecision d = gate.Check(Pair(), T0);
        Assert.True(d.IsApproved);
        Assert.Equal(RiskReason.None, d.Reason);
        Assert.Equal(2, gate.OpenLegs);
        Assert.Equal(500, gate.AssetOpenUsd(s_btc));
        gate.Release(s_btc, 2, 500);
        Assert.Equal(0, gate.OpenLegs);
        Assert.Equal(0, gate.AssetOpenUsd(s_btc));
        Assert.Empty(Alerts(gate));
    }

    [Fact]
    public void Kill_switch_denies_everything_until_released_with_an_alert_each_way()
    {
        var kill = new KillSwitch();
        var gate = new RiskGate(Options(), kill);
        kill.Engage(KillSwitchSource.File);
        Assert.Equal(RiskDecision.Denied(RiskReason.KillSwitch), gate.Check(Pair(), T0));
        Assert.Equal(RiskDecision.Denied(RiskReason.KillSwitch), gate.Check(Pair(), T0 + 1));
        kill.Release();
        Assert.True(gate.Check(Pair(), T0 + 2).IsApproved);
        RiskAlert[] alerts = Alerts(gate);
        Assert.Equal(2, alerts.Length);
        Assert.Equal((RiskReason.KillSwitch, RiskAlertKind.Tripped, (int)KillSwitchSource.File), (alerts[0].Breaker, alerts[0].Kind, alerts[0].Subject));
        Assert.Equal((RiskReason.KillSwitch, RiskAlertKind.ResetByOperator), (alerts[1].Breaker, alerts[1].Kind));
        Assert.Equal(2, gate.Denied(RiskReason.KillSwitch));
    }

    [Fact]
    public void Daily_loss_limit_trips_at_the_limit_and_resets_at_the_next_utc_day()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        gate.OnTradeClosed(-60, T0 + Second);
        gate.OnTradeClosed(+5, T0 + (2 * Second));
        Assert.True(gate.Check(Pair(quoteNs: T0 + (3 * Second)), T0 + (3 * Second)).IsApproved);
        gate.Release(s_btc, 2, 500);
        gate.OnTradeClosed(-45, T0 + (4 * Second));
        Assert.Equal(-100, gate.DailyPnlUsd);
        Assert.Equal(RiskDecision.Denied(RiskReason.DailyLossLimit), gate.Check(Pair(quoteNs: T0 + (5 * Second)), T0 + (5 * Second)));

        long nextDay = T0 + (86_400 * Second);
        Assert.True(gate.Check(Pair(quoteNs: nextDay), nextDay).IsApproved);
        RiskAlert[] alerts = Alerts(gate);
        Assert.Equal(RiskReason.DailyLossLimit, alerts[0].Breaker);
        Assert.Equal(RiskAlertKind.Tripped, alerts[0].Kind);
        Assert.Equal(100, alerts[0].Value, 9);
        Assert.Equal(RiskAlertKind.ResetByRule, alerts[^1].Kind);
        Assert.Equal(RiskReason.DailyLossLimit, alerts[^1].Breaker);
    }

    [Fact]
    public void Daily_loss_limit_is_reset_by_the_operator()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        gate.OnTradeClosed(-150, T0);
        Assert.Equal(RiskReason.DailyLossLimit, gate.Check(Pair(), T0).Reason);
        gate.RequestReset(RiskReason.DailyLossLimit);
        Assert.True(gate.Check(Pair(), T0 + 1).IsApproved);
        Assert.Contains(Alerts(gate), a => a.Breaker == RiskReason.DailyLossLimit && a.Kind == RiskAlertKind.ResetByOperator);
    }

    [Fact]
    public void Consecutive_losses_trip_after_the_streak_and_a_win_breaks_the_streak()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        gate.OnTradeClosed(-1, T0);
        gate.OnTradeClosed(-1, T0);
        gate.OnTradeClosed(+1, T0);
        gate.OnTradeClosed(-1, T0);
        gate.OnTradeClosed(-1, T0);
        Assert.True(gate.Check(Pair(), T0).IsApproved);
        gate.Release(s_btc, 2, 500);
        gate.OnTradeClosed(-1, T0);
        Assert.Equal(RiskReason.ConsecutiveLosses, gate.Check(Pair(), T0).Reason);

        // The cooldown's rule: 60 s later it resets by itself.
        Assert.Equal(RiskReason.ConsecutiveLosses, gate.Check(Pair(quoteNs: T0 + (59 * Second)), T0 + (59 * Second)).Reason);
        Assert.True(gate.Check(Pair(quoteNs: T0 + (60 * Second)), T0 + (60 * Second)).IsApproved);
        RiskAlert[] alerts = Alerts(gate);
        Assert.Equal(2, alerts.Length);
        Assert.Equal((RiskReason.ConsecutiveLosses, RiskAlertKind.Tripped, 3.0), (alerts[0].Breaker, alerts[0].Kind, alerts[0].Value));
        Assert.Equal(RiskAlertKind.ResetByRule, alerts[1].Kind);
    }

    [Fact]
    public void Volatility_breaker_trips_on_realised_volatility_and_resumes_below_the_resume_level()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        long t = T0;
        gate.OnMid(s_btc, 100_000, t);
        for (int i = 1; i <= 4; i++)
        {
            // ±1 % swings: 100 bps returns, well above 50 bps.
            gate.OnMid(s_btc, i % 2 == 1 ? 101_000 : 100_000, t += Second);
        }

        Assert.True(gate.VolatilityBps(s_btc) > 50);
        Assert.Equal(RiskReason.Volatility, gate.Check(Pair(quoteNs: t), t).Reason);
        Assert.True(gate.Check(Pair(asset: s_eth, quoteNs: t), t).IsApproved); // per asset
        gate.Release(s_eth, 2, 500);

        // Ticks inside one sample interval do not count; calm samples roll the swings out of the window.
        gate.OnMid(s_btc, 150_000, t + 1);
        for (int i = 0; i < 4; i++)
        {
            gate.OnMid(s_btc, 100_000 + i, t += Second);
        }

        Assert.True(gate.VolatilityBps(s_btc) < 20);
        Assert.True(gate.Check(Pair(quoteNs: t), t).IsApproved);
        RiskAlert[] alerts = Alerts(gate);
        Assert.Equal(2, alerts.Length);
        Assert.Equal((RiskReason.Volatility, RiskAlertKind.Tripped, 0), (alerts[0].Breaker, alerts[0].Kind, alerts[0].Subject));
        Assert.Equal((RiskReason.Volatility, RiskAlertKind.ResetByRule), (alerts[1].Breaker, alerts[1].Kind));
    }

    [Fact]
    public void Gas_cap_refuses_on_chain_legs_of_that_chain_only()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        gate.OnBaseFee(0, 80_000_000_000UL, T0);
        Assert.Equal(RiskReason.GasPriceCap, gate.Check(Pair(chain: 0), T0).Reason);
        Assert.True(gate.Check(Pair(chain: 1), T0).IsApproved);
        gate.Release(s_btc, 2, 500);
        Assert.True(gate.Check(Pair(chain: -1), T0).IsApproved);
        gate.Release(s_btc, 2, 500);
        gate.OnBaseFee(0, 30_000_000_000UL, T0 + 1);
        Assert.True(gate.Check(Pair(chain: 0, notional: 100), T0 + 1).IsApproved);
        RiskAlert[] alerts = Alerts(gate);
        Assert.Equal((RiskReason.GasPriceCap, RiskAlertKind.Tripped, 0, 80e9), (alerts[0].Breaker, alerts[0].Kind, alerts[0].Subject, alerts[0].Value));
        Assert.Equal(RiskAlertKind.ResetByRule, alerts[1].Kind);
    }

    [Fact]
    public void Max_notional_per_trade_and_per_asset()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        Assert.Equal(RiskReason.TradeNotional, gate.Check(Pair(notional: 1_000.01), T0).Reason);
        Assert.True(gate.Check(Pair(notional: 1_000, legs: 1), T0).IsApproved);
        Assert.True(gate.Check(Pair(notional: 1_000, legs: 1), T0).IsApproved);
        Assert.Equal(RiskReason.AssetNotional, gate.Check(Pair(notional: 600, legs: 1), T0).Reason);
        Assert.True(gate.Check(Pair(notional: 600, legs: 1, asset: s_eth), T0).IsApproved);
        gate.Release(s_btc, 1, 1_000);
        Assert.True(gate.Check(Pair(notional: 600, legs: 1), T0).IsApproved);
        Assert.Equal(1, gate.Denied(RiskReason.TradeNotional));
        Assert.Equal(1, gate.Denied(RiskReason.AssetNotional));
    }

    [Fact]
    public void Max_open_legs()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        Assert.True(gate.Check(Pair(notional: 10), T0).IsApproved);
        Assert.True(gate.Check(Pair(notional: 10), T0).IsApproved);
        Assert.Equal(RiskReason.OpenLegs, gate.Check(Pair(notional: 10, legs: 1), T0).Reason);
        gate.Release(s_btc, 1, 10);
        Assert.True(gate.Check(Pair(notional: 10, legs: 1), T0).IsApproved);
        Assert.Equal(4, gate.OpenLegs);
    }

    [Fact]
    public void Stale_data_and_quotes_from_the_future_are_refused()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        Assert.True(gate.Check(Pair(notional: 10, quoteNs: T0 - (Second / 2)), T0).IsApproved);
        Assert.Equal(RiskReason.StaleData, gate.Check(Pair(quoteNs: T0 - (Second / 2) - 1), T0).Reason);
        Assert.Equal(RiskReason.StaleData, gate.Check(Pair(quoteNs: T0 + Second), T0).Reason);
    }

    [Fact]
    public void Venue_quarantine_trips_on_a_low_integrity_score_and_releases_after_holding_healthy()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        gate.OnVenueIntegrity(new VenueId(1), 0.3, T0);
        Assert.True(gate.IsQuarantined(new VenueId(1)));
        Assert.Equal(RiskReason.VenueQuarantined, gate.Check(Pair(), T0).Reason);

        gate.OnVenueIntegrity(new VenueId(1), 0.9, T0 + Second);
        gate.OnVenueIntegrity(new VenueId(1), 0.7, T0 + (5 * Second)); // dips below the release level: the clock restarts
        gate.OnVenueIntegrity(new VenueId(1), 0.9, T0 + (6 * Second));
        gate.OnVenueIntegrity(new VenueId(1), 0.9, T0 + (15 * Second));
        Assert.True(gate.IsQuarantined(new VenueId(1)));
        gate.OnVenueIntegrity(new VenueId(1), 0.9, T0 + (16 * Second));
        Assert.False(gate.IsQuarantined(new VenueId(1)));
        Assert.True(gate.Check(Pair(quoteNs: T0 + (16 * Second)), T0 + (16 * Second)).IsApproved);

        gate.OnVenueIntegrity(new VenueId(0), double.NaN, T0 + (17 * Second));
        Assert.True(gate.IsQuarantined(new VenueId(0)));
        gate.RequestReset(RiskReason.VenueQuarantined);
        gate.ApplyRules(T0 + (18 * Second));
        Assert.False(gate.IsQuarantined(new VenueId(0)));

        RiskAlert[] alerts = Alerts(gate);
        Assert.Equal(
            [RiskAlertKind.Tripped, RiskAlertKind.ResetByRule, RiskAlertKind.Tripped, RiskAlertKind.ResetByOperator],
            alerts.Select(a => a.Kind).ToArray());
        Assert.All(alerts, a => Assert.Equal(RiskReason.VenueQuarantined, a.Breaker));
        Assert.Equal([1, 1, 0, 0], alerts.Select(a => a.Subject).ToArray());
    }

    [Theory]
    [InlineData(0, 2, double.NaN)]
    [InlineData(0, 2, -5)]
    [InlineData(0, 0, 100)]
    public void Malformed_actions_are_denied_without_reserving_anything(int chain, int legs, double notional)
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        Assert.Equal(RiskReason.InvalidAction, gate.Check(Pair(notional: notional, legs: legs, chain: chain), T0).Reason);
        Assert.Equal(0, gate.OpenLegs);
    }

    [Fact]
    public void Ids_outside_the_configured_tables_are_denied_not_indexed()
    {
        var gate = new RiskGate(Options(), new KillSwitch());
        Assert.Equal(RiskReason.UnknownSubject, gate.Check(Pair(asset: new InstrumentId(9)), T0).Reason);
        Assert.Equal(RiskReason.UnknownSubject, gate.Check(Pair(chain: 2), T0).Reason);
        RiskAction bad = Pair();
        bad.SellVenue = new VenueId(200);
        Assert.Equal(RiskReason.UnknownSubject, gate.Check(bad, T0).Reason);

        // Feeds with unknown ids are ignored, not indexed.
        gate.OnMid(new InstrumentId(9), 1, T0);
        gate.OnBaseFee(7, 1, T0);
        gate.OnVenueIntegrity(new VenueId(200), 0, T0);
        Assert.Empty(Alerts(gate));
    }

    [Fact]
    public void A_full_alert_ring_drops_and_counts()
    {
        var gate = new RiskGate(Options(o => new RiskOptions { Assets = o.Assets, Venues = o.Venues, GasCapWei = o.GasCapWei, AlertCapacity = 16 }), new KillSwitch());
        for (int i = 0; i < 20; i++)
        {
            gate.OnBaseFee(0, i % 2 == 0 ? ulong.MaxValue : 1UL, T0 + i);
        }

        Assert.Equal(16, Alerts(gate).Length);
        Assert.Equal(4, gate.AlertsDropped);
    }

    [Fact]
    public void Invalid_options_are_all_reported_together()
    {
        var o = new RiskOptions { DailyLossLimitUsd = double.NaN, MaxOpenLegs = 0, VolatilityResumeBps = 100, GasCapWei = [0], AlertCapacity = 100 };
        IReadOnlyList<string> errors = o.Validate();
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("risk.dailyLossLimitUsd:", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new RiskGate(o, new KillSwitch()));
    }

    [Fact]
    public void Check_and_feeds_allocate_nothing_after_warm_up()
    {
        var gate = new RiskGate(Options(o => new RiskOptions
        {
            Assets = o.Assets, Venues = o.Venues, GasCapWei = o.GasCapWei, MaxOpenLegs = 1_000_000, MaxAssetNotionalUsd = 1e12,
            MaxQuoteAgeNs = long.MaxValue / 4, VolatilitySampleNs = 1, MaxVolatilityBps = 1e9, VolatilityResumeBps = 1,
        }), new KillSwitch());
        var alerts = new RiskAlert[16];
        RiskAction action = Pair(notional: 100, chain: 0);
        long approved = 0;
        void Run(int n)
        {
            for (int i = 0; i < n; i++)
            {
                long now = T0 + i;
                gate.OnMid(s_btc, 100_000 + (i & 7), now);
                gate.OnBaseFee(0, (i & 1023) == 0 ? ulong.MaxValue : 1UL, now);
                gate.OnVenueIntegrity(new VenueId(0), 1.0, now);
                if (gate.Check(in action, now).IsApproved)
                {
                    approved++;
                    gate.Release(action.Asset, action.Legs, action.NotionalUsd);
                }

                gate.OnTradeClosed((i & 3) == 0 ? -0.0001 : 0.0001, now);
                gate.DrainAlerts(alerts);
            }
        }

        Run(10_000);
        approved = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(200_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(approved > 190_000, $"approved {approved}");
        Assert.True(gate.Denied(RiskReason.GasPriceCap) > 0);
    }
}
