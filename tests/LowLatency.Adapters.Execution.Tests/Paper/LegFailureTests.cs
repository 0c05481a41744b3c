using LowLatency.Adapters.Paper;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Execution.Tests.Paper;

/// <summary>
/// Leg risk through the paper trader: a failure of the first (buy) or the second (sell) leg injected at each step of a
/// pair (refused at the door, rejected or partly filled on arrival, never answered until the give-up, the venue gone
/// mid-flight) and of the unwind itself. Each case checks the residual is unwound (or held within the limits with
/// <c>legPolicy: hold</c>), that the unhedged exposure per asset and per venue never passes its limit, that nothing is
/// left working, and that the P&amp;L the gate was told equals the exchange's, counted once.
/// </summary>
public sealed class LegFailureTests
{
    private const long Ms = 1_000_000;
    private const long T0 = 1_000 * Ms;
    private const double LimitUsd = 1_500;
    private static readonly VenueId s_a = new(0);
    private static readonly VenueId s_b = new(1);
    private static readonly InstrumentId s_btc = new(0);

    private static Price P(double p) => new((long)Math.Round(p * 100));

    private static Quantity Q(double q) => new((long)Math.Round(q * 10_000));

    /// <summary>Full depth on both venues: a asks 100.00, b bids 101.00 (the edge); the far sides for unwinds.</summary>
    private sealed class Books : IPaperBooks
    {
        public readonly Dictionary<(byte, Side), BookLevel[]> Sides = [];

        public Books()
        {
            Set(s_a, Side.Ask, (100.00, 10), (100.10, 50));
            Set(s_a, Side.Bid, (99.90, 50), (99.80, 50));
            Set(s_b, Side.Bid, (101.00, 10), (100.90, 50));
            Set(s_b, Side.Ask, (101.10, 50), (101.20, 50));
        }

        public void Set(VenueId venue, Side side, params (double Price, double Qty)[] levels) =>
            Sides[(venue.Value, side)] = levels.Select(l => new BookLevel(P(l.Price), Q(l.Qty))).ToArray();

        public ReadOnlySpan<BookLevel> Levels(VenueId venue, InstrumentId instrument, Side side) =>
            Sides.TryGetValue((venue.Value, side), out BookLevel[]? l) ? l : [];
    }

    private sealed class Rig
    {
        public readonly PaperExchange Exchange;
        public readonly RiskGate Gate;
        public readonly PaperTrader Trader;
        public readonly PaperFaults Faults = new();
        public readonly List<PaperFill> Fills = [];

        public Rig(LegPolicy policy)
        {
            Exchange = new PaperExchange(
                [new PaperVenueSpec(s_a, "a", 0.001, 0.0005, 5 * Ms), new PaperVenueSpec(s_b, "b", 0.001, 0.0005, 20 * Ms)],
                [new PaperInstrumentSpec(s_btc, "BTC", "USDT", 2, 4)])
            { Faults = Faults };
            foreach (VenueId v in new[] { s_a, s_b })
            {
                Exchange.SetBalance(v, "USDT", 100_000);
                Exchange.SetBalance(v, "BTC", 50);
            }

            Gate = new RiskGate(new RiskOptions { Assets = 1, Venues = 2, MaxTradeNotionalUsd = 1_000, MaxConsecutiveLosses = 100 }, new KillSwitch());
            Trader = new PaperTrader(Exchange, Gate, policy, new UnhedgedExposure(1, 2, LimitUsd, LimitUsd), [2], [4], 1_000, 20 * Ms)
            {
                Books = new Books(),
                Fill = Fills.Add,
            };
        }

        public void Trade(long nowNs)
        {
            var o = new Opportunity
            {
                Instrument = s_btc,
                BuyVenue = s_a,
                SellVenue = s_b,
                BuyPrice = P(100),
                SellPrice = P(101),
                Quantity = Q(10),
                BuyTickReceiveTimeNs = nowNs,
                SellTickReceiveTimeNs = nowNs,
                DecisionTimeNs = nowNs,
            };
            Trader.OnOpportunity(in o);
            AssertWithinLimits();
        }

        public double Position
        {
            get
            {
                // Net base over both venues, from the balances (50 + 50 at the start).
                return Exchange.Balance(s_a, "BTC") + Exchange.Balance(s_b, "BTC") - 100;
            }
        }

        public void AssertWithinLimits()
        {
            UnhedgedExposure e = Trader.Exposure;
            Assert.InRange(e.AssetUsd(s_btc), 0, LimitUsd);
            Assert.InRange(e.VenueUsd(s_a), 0, LimitUsd);
            Assert.InRange(e.VenueUsd(s_b), 0, LimitUsd);
        }

        // The gate was told each pair's P&L once: its day, the trader's sum and the exchange's own books agree.
        public void AssertPnlOnce(double mark)
        {
            (double pnl, double fees, int fills) = Exchange.StrategyPnl(PaperTrader.CrossVenueStrategy, _ => mark);
            Assert.Equal(pnl, Trader.ReportedPnl, 6);
            Assert.Equal(pnl, Gate.DailyPnlUsd, 6);
            Assert.Equal(Fills.Count, fills);
            Assert.Equal(Fills.Sum(f => f.Fee), fees, 9);
            Assert.Equal(Fills.Count, Fills.Select(f => (f.ClientOrderId, f.Price, f.Quantity, f.TimeNs)).Distinct().Count());
        }
    }

    public enum Failure
    {
        /// <summary>Refused at the door: the venue is disconnected when the leg is sent.</summary>
        DisconnectedAtSend,

        /// <summary>The venue goes away while the leg travels: it never gets there.</summary>
        DisconnectedInFlight,

        /// <summary>Rejected on arrival.</summary>
        Reject,

        /// <summary>40 % filled, the rest cancelled by the venue.</summary>
        Partial,

        /// <summary>Never answered; given up on after the longest latency and cancelled.</summary>
        Timeout,
    }

    private static void Inject(Rig rig, Failure failure, string clientOrderId, VenueId venue)
    {
        switch (failure)
        {
            case Failure.DisconnectedAtSend:
                rig.Faults.Disconnect(venue, T0, T0 + (500 * Ms));
                break;
            case Failure.DisconnectedInFlight:
                rig.Faults.Disconnect(venue, T0 + 1, T0 + (500 * Ms));
                break;
            case Failure.Reject:
                rig.Faults.Order(clientOrderId, new PaperFault(PaperFaultKind.Reject));
                break;
            case Failure.Partial:
                rig.Faults.Order(clientOrderId, new PaperFault(PaperFaultKind.Partial, 0.4));
                break;
            case Failure.Timeout:
                rig.Faults.Order(clientOrderId, new PaperFault(PaperFaultKind.Timeout));
                break;
        }
    }

    public static TheoryData<int, Failure> EachLegEachStep()
    {
        var data = new TheoryData<int, Failure>();
        foreach (int leg in new[] { 0, 1 })
        {
            foreach (Failure f in Enum.GetValues<Failure>())
            {
                data.Add(leg, f);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EachLegEachStep))]
    public void A_failed_leg_is_unwound_to_flat_on_the_venue_that_filled(int leg, Failure failure)
    {
        var rig = new Rig(LegPolicy.Unwind);
        Inject(rig, failure, leg == 0 ? "p1-b" : "p1-s", leg == 0 ? s_a : s_b);
        rig.Trade(T0);

        Assert.Equal(1, rig.Trader.Pairs);
        Assert.Equal(1, rig.Trader.Unwound);
        Assert.Equal(0, rig.Trader.Hedged);
        Assert.Equal(0, rig.Trader.OpenResiduals);
        Assert.Equal(0, rig.Position, 9);
        Assert.Equal(0, rig.Exchange.OpenOrders);
        Assert.Equal(0, rig.Trader.Exposure.AssetUsd(s_btc));

        // The unwind went to the venue whose leg filled, for exactly what the failed leg did not fill.
        double failedFilled = failure == Failure.Partial ? 4 : 0;
        PaperFill unwind = Assert.Single(rig.Fills, f => f.ClientOrderId == "p1-u");
        Assert.Equal(leg == 0 ? s_b : s_a, unwind.Venue);
        Assert.Equal(leg == 0 ? Side.Bid : Side.Ask, unwind.Side);
        Assert.Equal(10 - failedFilled, unwind.Quantity, 9);
        rig.AssertPnlOnce(mark: 100);
    }

    [Theory]
    [MemberData(nameof(EachLegEachStep))]
    public void With_hold_a_failed_leg_is_held_within_the_limits_and_valued_once(int leg, Failure failure)
    {
        var rig = new Rig(LegPolicy.HoldWithinLimits);
        Inject(rig, failure, leg == 0 ? "p1-b" : "p1-s", leg == 0 ? s_a : s_b);
        rig.Trade(T0);

        double residual = 10 - (failure == Failure.Partial ? 4 : 0);
        Assert.Equal(1, rig.Trader.Held);
        Assert.Equal(0, rig.Trader.Unwound);
        Assert.DoesNotContain(rig.Fills, f => f.ClientOrderId.EndsWith("-u", StringComparison.Ordinal));
        Assert.Equal(leg == 0 ? -residual : residual, rig.Position, 9);
        Assert.Equal(residual * 100, rig.Trader.Exposure.AssetUsd(s_btc), 6);
        Assert.Equal(residual * 100, rig.Trader.Exposure.VenueUsd(leg == 0 ? s_b : s_a), 6);
        Assert.Equal(0, rig.Exchange.OpenOrders);
        rig.AssertPnlOnce(mark: 100);

        // The next pair is cut to the room left, so a second failure cannot pass the limit either.
        Inject(rig, failure, leg == 0 ? "p2-b" : "p2-s", leg == 0 ? s_a : s_b);
        rig.Trade(T0 + (1_000 * Ms));
        Assert.True(rig.Trader.Exposure.AssetUsd(s_btc) <= LimitUsd);
    }

    [Fact]
    public void Both_legs_filled_is_hedged_with_nothing_to_unwind()
    {
        var rig = new Rig(LegPolicy.Unwind);
        rig.Trade(T0);
        Assert.Equal(1, rig.Trader.Hedged);
        Assert.Equal(0, rig.Position, 9);
        Assert.Equal(2, rig.Fills.Count);
        rig.AssertPnlOnce(mark: 100);
        Assert.True(rig.Trader.ReportedPnl > 0); // 10 × (101 − 100) less 2 × 0.1 % fees
    }

    [Fact]
    public void Both_legs_failing_leaves_nothing_filled_and_nothing_to_unwind()
    {
        var rig = new Rig(LegPolicy.Unwind);
        rig.Faults.Order("p1-b", new PaperFault(PaperFaultKind.Reject));
        rig.Faults.Order("p1-s", new PaperFault(PaperFaultKind.Timeout));
        rig.Trade(T0);
        Assert.Equal(1, rig.Trader.Unfilled);
        Assert.Empty(rig.Fills);
        Assert.Equal(0, rig.Exchange.OpenOrders);
        Assert.Equal(0, rig.Trader.ReportedPnl);
    }

    public static TheoryData<Failure> UnwindFailures() => [Failure.DisconnectedInFlight, Failure.Reject, Failure.Partial, Failure.Timeout];

    [Theory]
    [MemberData(nameof(UnwindFailures))]
    public void A_failed_unwind_stays_open_within_the_limits_and_is_retried_to_flat(Failure failure)
    {
        var rig = new Rig(LegPolicy.Unwind);
        rig.Faults.Order("p1-s", new PaperFault(PaperFaultKind.Reject));
        if (failure == Failure.DisconnectedInFlight)
        {
            // Venue a goes after the unwind is sent (20 ms) and before it lands (20 + 5 ms).
            rig.Faults.Disconnect(s_a, T0 + (22 * Ms), T0 + (500 * Ms));
        }
        else
        {
            Inject(rig, failure, "p1-u", s_a);
        }

        rig.Trade(T0);
        double open = failure == Failure.Partial ? 6 : 10;
        Assert.Equal(1, rig.Trader.OpenResiduals);
        Assert.Equal(1, rig.Trader.Unhedged);
        Assert.Equal(open, rig.Position, 9);
        Assert.Equal(open * 100, rig.Trader.Exposure.AssetUsd(s_btc), 6);
        Assert.Equal(open * 100, rig.Trader.Exposure.VenueUsd(s_a), 6);
        Assert.Equal(0, rig.Exchange.OpenOrders);
        rig.AssertPnlOnce(mark: 100);

        // One second later the residual is retried (and flattened) before the next pair, which then trades hedged.
        rig.Trade(T0 + (1_000 * Ms));
        Assert.Equal(0, rig.Trader.OpenResiduals);
        Assert.Equal(0, rig.Trader.Unhedged);
        Assert.Equal(1, rig.Trader.Unwound);
        Assert.Equal(1, rig.Trader.Hedged);
        Assert.Equal(0, rig.Position, 9);
        Assert.Equal(0, rig.Trader.Exposure.AssetUsd(s_btc), 9);
        Assert.Single(rig.Fills, f => f.ClientOrderId == "p1-u1");
        rig.AssertPnlOnce(mark: 100);
    }

    [Fact]
    public void A_pair_is_cut_to_the_unhedged_room_an_open_residual_leaves()
    {
        var rig = new Rig(LegPolicy.Unwind);
        rig.Faults.Order("p1-s", new PaperFault(PaperFaultKind.Reject));
        rig.Faults.Order("p1-u", new PaperFault(PaperFaultKind.Reject));
        rig.Faults.Order("p1-u1", new PaperFault(PaperFaultKind.Reject)); // the retry fails too
        rig.Trade(T0);
        Assert.Equal(1_000, rig.Trader.Exposure.AssetUsd(s_btc), 6);

        rig.Trade(T0 + (1_000 * Ms));
        // 1,500 − 1,000 of room: the second pair is 5 BTC at 100, not the 10 the gate's 1,000 would allow.
        PaperFill buy = Assert.Single(rig.Fills, f => f.ClientOrderId == "p2-b");
        Assert.Equal(5, buy.Quantity, 9);
        Assert.Equal(1, rig.Trader.OpenResiduals);
        Assert.Equal(0, rig.Exchange.OpenOrders);
        rig.AssertPnlOnce(mark: 100);
    }
}
