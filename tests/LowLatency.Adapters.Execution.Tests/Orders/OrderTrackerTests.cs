using LowLatency.Adapters.Cex.Execution;

namespace LowLatency.Adapters.Execution.Tests.Orders;

public sealed class OrderTrackerTests
{
    private static (OrderTracker Tracker, string Id) Sent(double quantity = 1.0)
    {
        var t = new OrderTracker("ll-1700000000-");
        string id = t.NextClientOrderId();
        t.Submit(id, "BTCUSDT", buy: true, quantity);
        return (t, id);
    }

    [Fact]
    public void Ack_partial_fills_and_the_last_fill_walk_the_state_machine()
    {
        (OrderTracker t, string id) = Sent();
        Assert.Equal("ll-1700000000-1", id);
        Assert.Equal(OrderState.PendingNew, t.Get(id)!.State);
        Assert.Equal(ReportOutcome.Applied, t.OnAck(id, "v1"));
        Assert.Equal(OrderState.Open, t.Get(id)!.State);
        Assert.Equal(ReportOutcome.Applied, t.OnFill(id, "v1", "t1", 0.4, 100));
        Assert.Equal(OrderState.PartiallyFilled, t.Get(id)!.State);
        Assert.Equal(ReportOutcome.Applied, t.OnFill(null, "v1", "t2", 0.6, 101)); // found by venue id
        Assert.Equal(OrderState.Filled, t.Get(id)!.State);
        Assert.Equal(1.0, t.Position("BTCUSDT"), 12);
        Assert.Equal((0.4 * 100) + (0.6 * 101), t.Get(id)!.Notional, 9);
    }

    [Fact]
    public void A_retry_with_the_same_client_order_id_is_the_same_order()
    {
        (OrderTracker t, string id) = Sent();
        TrackedOrder first = t.Get(id)!;
        Assert.Same(first, t.Submit(id, "BTCUSDT", buy: true, 1.0));
        Assert.NotEqual(id, t.NextClientOrderId());
    }

    [Fact]
    public void Duplicate_fills_unknown_orders_overfills_and_malformed_fills_never_change_a_position_twice()
    {
        (OrderTracker t, string id) = Sent();
        t.OnAck(id, "v1");
        Assert.Equal(ReportOutcome.Applied, t.OnFill(id, "v1", "t1", 0.5, 100));
        Assert.Equal(ReportOutcome.DuplicateFill, t.OnFill(id, "v1", "t1", 0.5, 100));
        Assert.Equal(ReportOutcome.UnknownOrder, t.OnFill("someone-else", "v9", "t9", 3, 100));
        Assert.Equal(ReportOutcome.Malformed, t.OnFill(id, "v1", "t3", double.NaN, 100));
        Assert.Equal(ReportOutcome.Malformed, t.OnFill(id, "v1", "t4", 0.1, -1));
        Assert.Equal(ReportOutcome.Overfill, t.OnFill(id, "v1", "t5", 0.8, 100));
        Assert.Equal(1.0, t.Position("BTCUSDT"), 12);
        Assert.Equal(["t9"], t.Orphans);
        Assert.Equal(1, t.Outcomes[ReportOutcome.DuplicateFill]);
    }

    [Fact]
    public void A_fill_racing_a_cancel_counts_and_an_ack_after_the_cancel_keeps_it_pending_cancel()
    {
        (OrderTracker t, string id) = Sent();
        Assert.Equal(ReportOutcome.Applied, t.RequestCancel(id));
        Assert.Equal(ReportOutcome.AckAfterCancel, t.OnAck(id, "v1"));
        Assert.Equal(OrderState.PendingCancel, t.Get(id)!.State);
        Assert.Equal(ReportOutcome.Applied, t.OnFill(id, "v1", "t1", 0.3, 100)); // filled before the cancel landed
        Assert.Equal(ReportOutcome.Applied, t.OnCancelled(id));
        Assert.Equal(OrderState.Cancelled, t.Get(id)!.State);
        Assert.Equal(ReportOutcome.Applied, t.OnFill(id, "v1", "t2", 0.2, 100)); // a late report of a fill before the cancel
        Assert.Equal(0.5, t.Position("BTCUSDT"), 12);
        Assert.Equal(ReportOutcome.AfterFinal, t.OnCancelled(id));
        Assert.Equal(ReportOutcome.AfterFinal, t.RequestCancel(id));
    }

    [Fact]
    public void A_reject_of_a_cancel_leaves_the_order_as_its_fills_say_and_a_reject_of_a_new_order_names_its_reason()
    {
        (OrderTracker t, string id) = Sent();
        t.OnAck(id, "v1");
        t.OnFill(id, "v1", "t1", 1.0, 100);
        t.RequestCancel(id);
        Assert.Equal(OrderState.Filled, t.Get(id)!.State); // already filled: the cancel request is AfterFinal, state kept
        (OrderTracker u, string id2) = Sent();
        Assert.Equal(ReportOutcome.Applied, u.OnRejected(id2, "insufficient balance"));
        Assert.Equal((OrderState.Rejected, "insufficient balance"), (u.Get(id2)!.State, u.Get(id2)!.RejectReason));
        Assert.Equal(ReportOutcome.AfterFinal, u.OnRejected(id2, "again"));
        Assert.Equal(ReportOutcome.UnknownOrder, u.OnRejected("nope", "x"));

        (OrderTracker w, string id3) = Sent();
        w.OnAck(id3, "v3");
        w.OnFill(id3, "v3", "t1", 0.2, 100);
        w.RequestCancel(id3);
        Assert.Equal(ReportOutcome.Applied, w.OnRejected(id3, "cancel rejected: order not found"));
        Assert.Equal(OrderState.PartiallyFilled, w.Get(id3)!.State);
    }

    [Fact]
    public void Reconciliation_recovers_missed_fills_once_adopts_unknown_open_orders_and_names_what_is_missing()
    {
        (OrderTracker t, string id) = Sent(2.0);
        t.OnAck(id, "v1");
        t.OnFill(id, "v1", "t1", 0.5, 100);
        string lost = t.NextClientOrderId();
        t.Submit(lost, "ETHUSDT", buy: false, 1.0);
        t.OnAck(lost, "v2");

        // While disconnected: another 1.0 filled at 103 (venue average over 1.5 = 102), and an order sent before a crash is open.
        VenueOpenOrder[] open =
        [
            new(id, "v1", "BTCUSDT", true, 2.0, 1.5, 102),
            new("ll-older-7", "v7", "BTCUSDT", false, 0.3, 0, 0),
        ];
        var balances = new Dictionary<string, double> { ["USDT"] = 900, ["BTC"] = 1.5 };
        var expected = new Dictionary<string, double> { ["USDT"] = 900, ["BTC"] = 1.0 };
        ReconcileReport report = t.Reconcile(open, balances, expected, tolerance: 1e-8);
        Assert.Equal(1, report.Matched);
        Assert.Equal(1, report.FillsRecovered);
        Assert.Equal(1, report.Adopted);
        Assert.Equal([lost], report.MissingAtVenue);
        Assert.Equal(["BTC: venue 1.5 expected 1"], report.BalanceMismatches);
        Assert.Equal(1.5, t.Position("BTCUSDT"), 12);
        Assert.Equal(1.5 * 102, t.Get(id)!.Notional, 9);

        // The same snapshot again (a second reconnect): nothing is recovered twice.
        ReconcileReport again = t.Reconcile(open, balances, expected, 1e-8);
        Assert.Equal(0, again.FillsRecovered);
        Assert.Equal(0, again.Adopted);
        Assert.Equal(1.5, t.Position("BTCUSDT"), 12);

        // The live report of the fill reconciliation recovered arrives late: it was booked once already.
        Assert.Equal(ReportOutcome.Applied, t.OnFill(id, "v1", "t2", 1.0, 103));
        Assert.Equal(1.5, t.Position("BTCUSDT"), 12);

        // A genuinely new fill after that counts.
        Assert.Equal(ReportOutcome.Applied, t.OnFill(id, "v1", "t3", 0.5, 104));
        Assert.Equal(2.0, t.Position("BTCUSDT"), 12);
        Assert.Equal(OrderState.Filled, t.Get(id)!.State);
    }
}
