using System.Globalization;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>Where an order stands, as our side knows it.</summary>
public enum OrderState : byte
{
    /// <summary>Sent, not yet acknowledged.</summary>
    PendingNew,
    Open,
    PartiallyFilled,
    Filled,

    /// <summary>A cancel was sent; fills may still arrive (the cancel-vs-fill race).</summary>
    PendingCancel,
    Cancelled,
    Rejected,
}

/// <summary>What an execution report did, as a value: every odd report is named, counted and never applied twice.</summary>
public enum ReportOutcome : byte
{
    Applied,

    /// <summary>The same trade id again (a retransmit or a reconnect replay): ignored.</summary>
    DuplicateFill,

    /// <summary>A report for an order we never sent: kept for reconciliation, not applied to a position.</summary>
    UnknownOrder,

    /// <summary>An ack that arrived after we asked to cancel: the order stays pending cancel.</summary>
    AckAfterCancel,

    /// <summary>A fill past the order's quantity: capped at the quantity, the excess flagged.</summary>
    Overfill,

    /// <summary>A report for an order already done (filled, cancelled, rejected) that would change it: ignored.</summary>
    AfterFinal,

    /// <summary>A fill with a non-positive or non-finite quantity or price.</summary>
    Malformed,
}

/// <summary>One order we track (copied out by <see cref="OrderTracker.Get"/>).</summary>
public sealed record TrackedOrder(string ClientOrderId, string Instrument, bool Buy, double Quantity)
{
    public string? VenueOrderId { get; internal set; }

    public OrderState State { get; internal set; }

    public double Filled { get; internal set; }

    public double Notional { get; internal set; }

    public string? RejectReason { get; internal set; }

    internal HashSet<string> TradeIds { get; } = new(StringComparer.Ordinal);

    // Quantity recovered by reconciliation whose trade ids we never saw: their late live reports consume it instead of
    // adding to the position again.
    internal double RecoveredCredit { get; set; }
}

/// <summary>An open order as the venue lists it during reconciliation.</summary>
public readonly record struct VenueOpenOrder(string ClientOrderId, string VenueOrderId, string Instrument, bool Buy, double Quantity, double CumulativeFilled, double AveragePrice);

/// <summary>What one reconciliation changed.</summary>
public sealed record ReconcileReport(int Matched, int FillsRecovered, int Adopted, IReadOnlyList<string> MissingAtVenue, IReadOnlyList<string> BalanceMismatches);

/// <summary>
/// The order state machine of one venue's execution client: idempotent client order ids, acks, fills (deduplicated by
/// trade id, capped at the order's quantity), cancels racing fills, rejects; the net position per instrument comes
/// only from applied fills, so no report can count twice. <see cref="Reconcile"/> is the one path for start-up and
/// every reconnect. One thread (the venue's I/O thread) calls it; it allocates (warm path).
/// </summary>
public sealed class OrderTracker
{
    private readonly Dictionary<string, TrackedOrder> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byVenueId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _position = new(StringComparer.Ordinal);
    private readonly List<string> _orphans = [];
    private readonly string _prefix;
    private long _sequence;

    /// <param name="prefix">Start of every client order id (per process and venue: a restart never reuses an id when it includes the start time).</param>
    public OrderTracker(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _prefix = prefix;
    }

    /// <summary>Reports for orders we do not know, kept for the next reconciliation (venue order id or trade id).</summary>
    public IReadOnlyList<string> Orphans => _orphans;

    /// <summary>Counts of each outcome so far.</summary>
    public Dictionary<ReportOutcome, int> Outcomes { get; } = [];

    /// <summary>A fresh client order id. Retrying a request reuses the id it was first sent with: that is what makes it idempotent.</summary>
    public string NextClientOrderId() => _prefix + (++_sequence).ToString(CultureInfo.InvariantCulture);

    /// <summary>Records an order about to be sent. A second call with the same id is the retry of the first: the first order is returned.</summary>
    public TrackedOrder Submit(string clientOrderId, string instrument, bool buy, double quantity)
    {
        if (_byClientId.TryGetValue(clientOrderId, out TrackedOrder? existing))
        {
            return existing;
        }

        var order = new TrackedOrder(clientOrderId, instrument, buy, quantity) { State = OrderState.PendingNew };
        _byClientId.Add(clientOrderId, order);
        return order;
    }

    public TrackedOrder? Get(string clientOrderId) => _byClientId.GetValueOrDefault(clientOrderId);

    /// <summary>Net base position of <paramref name="instrument"/> from applied fills.</summary>
    public double Position(string instrument) => _position.GetValueOrDefault(instrument);

    public ReportOutcome OnAck(string clientOrderId, string venueOrderId)
    {
        if (!_byClientId.TryGetValue(clientOrderId, out TrackedOrder? o))
        {
            return Count(Orphan(venueOrderId));
        }

        o.VenueOrderId ??= venueOrderId;
        _byVenueId[venueOrderId] = clientOrderId;
        switch (o.State)
        {
            case OrderState.PendingNew:
                o.State = OrderState.Open;
                return Count(ReportOutcome.Applied);
            case OrderState.PendingCancel:
                return Count(ReportOutcome.AckAfterCancel);
            default:
                return Count(ReportOutcome.Applied);
        }
    }

    /// <summary>Asks to cancel: the order is pending cancel until the venue confirms, and its fills still count.</summary>
    public ReportOutcome RequestCancel(string clientOrderId)
    {
        if (!_byClientId.TryGetValue(clientOrderId, out TrackedOrder? o))
        {
            return Count(ReportOutcome.UnknownOrder);
        }

        if (o.State is OrderState.Filled or OrderState.Cancelled or OrderState.Rejected)
        {
            return Count(ReportOutcome.AfterFinal);
        }

        o.State = OrderState.PendingCancel;
        return Count(ReportOutcome.Applied);
    }

    public ReportOutcome OnCancelled(string clientOrderId)
    {
        if (!_byClientId.TryGetValue(clientOrderId, out TrackedOrder? o))
        {
            return Count(Orphan(clientOrderId));
        }

        if (o.State is OrderState.Filled or OrderState.Rejected or OrderState.Cancelled)
        {
            return Count(ReportOutcome.AfterFinal);
        }

        o.State = OrderState.Cancelled;
        return Count(ReportOutcome.Applied);
    }

    public ReportOutcome OnRejected(string clientOrderId, string reason)
    {
        if (!_byClientId.TryGetValue(clientOrderId, out TrackedOrder? o))
        {
            return Count(Orphan(clientOrderId));
        }

        if (o.State != OrderState.PendingNew && o.State != OrderState.PendingCancel)
        {
            return Count(ReportOutcome.AfterFinal);
        }

        // A reject of a cancel request (e.g. "unknown order" because it filled) does not reject the order.
        if (o.State == OrderState.PendingCancel && o.VenueOrderId is not null)
        {
            o.State = o.Filled >= o.Quantity ? OrderState.Filled : o.Filled > 0 ? OrderState.PartiallyFilled : OrderState.Open;
            return Count(ReportOutcome.Applied);
        }

        o.State = OrderState.Rejected;
        o.RejectReason = reason;
        return Count(ReportOutcome.Applied);
    }

    /// <summary>A fill, found by client order id or else by venue order id, deduplicated by <paramref name="tradeId"/>.</summary>
    public ReportOutcome OnFill(string? clientOrderId, string? venueOrderId, string tradeId, double quantity, double price)
    {
        if (!(quantity > 0) || !double.IsFinite(quantity) || !(price > 0) || !double.IsFinite(price) || string.IsNullOrEmpty(tradeId))
        {
            return Count(ReportOutcome.Malformed);
        }

        TrackedOrder? o = clientOrderId is not null ? _byClientId.GetValueOrDefault(clientOrderId) : null;
        if (o is null && venueOrderId is not null && _byVenueId.TryGetValue(venueOrderId, out string? id))
        {
            o = _byClientId[id];
        }

        if (o is null)
        {
            return Count(Orphan(tradeId));
        }

        if (!o.TradeIds.Add(tradeId))
        {
            return Count(ReportOutcome.DuplicateFill);
        }

        // A late report of a fill that reconciliation already booked: it was counted once, from the venue's total.
        double credit = Math.Min(quantity, o.RecoveredCredit);
        o.RecoveredCredit -= credit;
        quantity -= credit;
        if (quantity <= 1e-12)
        {
            return Count(ReportOutcome.Applied);
        }

        // A fill counts even after a cancel was asked for, or after the venue said cancelled (the race); never past the quantity.
        double applied = Math.Min(quantity, o.Quantity - o.Filled);
        ReportOutcome outcome = applied < quantity ? ReportOutcome.Overfill : ReportOutcome.Applied;
        if (applied > 0)
        {
            Apply(o, applied, price);
        }

        return Count(outcome);
    }

    /// <summary>
    /// Start-up and reconnect, one path: the venue's open orders and balances against ours. A known order takes the
    /// venue's cumulative fill when it is ahead of ours (the missed fills are recovered once, at the venue's average
    /// price, and their late live reports are not counted again); an open order we do not know is adopted (sent before a crash); an order we think open that the venue
    /// does not list is named for a status query. Balances that differ from <paramref name="expectedBalances"/> by more
    /// than <paramref name="tolerance"/> are named.
    /// </summary>
    public ReconcileReport Reconcile(IReadOnlyList<VenueOpenOrder> venueOpen, IReadOnlyDictionary<string, double> venueBalances,
        IReadOnlyDictionary<string, double> expectedBalances, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(venueOpen);
        ArgumentNullException.ThrowIfNull(venueBalances);
        ArgumentNullException.ThrowIfNull(expectedBalances);
        int matched = 0, recovered = 0, adopted = 0;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (VenueOpenOrder v in venueOpen)
        {
            listed.Add(v.ClientOrderId);
            if (!_byClientId.TryGetValue(v.ClientOrderId, out TrackedOrder? o))
            {
                o = new TrackedOrder(v.ClientOrderId, v.Instrument, v.Buy, v.Quantity) { State = OrderState.Open, VenueOrderId = v.VenueOrderId };
                _byClientId.Add(v.ClientOrderId, o);
                _byVenueId[v.VenueOrderId] = v.ClientOrderId;
                adopted++;
            }
            else
            {
                matched++;
                o.VenueOrderId ??= v.VenueOrderId;
                _byVenueId[v.VenueOrderId] = v.ClientOrderId;
                if (o.State == OrderState.PendingNew)
                {
                    o.State = OrderState.Open;
                }
            }

            if (Recover(o, v.CumulativeFilled, v.AveragePrice))
            {
                recovered++;
            }
        }

        var missingAtVenue = new List<string>();
        foreach (TrackedOrder o in _byClientId.Values)
        {
            if (o.State is (OrderState.Open or OrderState.PartiallyFilled or OrderState.PendingCancel or OrderState.PendingNew) && !listed.Contains(o.ClientOrderId))
            {
                missingAtVenue.Add(o.ClientOrderId);
            }
        }

        var mismatches = new List<string>();
        foreach ((string asset, double expected) in expectedBalances)
        {
            double actual = venueBalances.GetValueOrDefault(asset);
            if (Math.Abs(actual - expected) > tolerance)
            {
                mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"{asset}: venue {actual} expected {expected}"));
            }
        }

        _orphans.Clear();
        return new ReconcileReport(matched, recovered, adopted, missingAtVenue, mismatches);
    }

    /// <summary>
    /// An order's state as the venue reports it (a place, cancel or status answer): fills we missed are recovered from
    /// the cumulative fill exactly as <see cref="Reconcile"/> does (once; their late live reports are not counted again),
    /// and the venue's final state is taken. The same path serves the REST answers and the status queries reconciliation asks.
    /// </summary>
    public ReportOutcome OnStatus(string clientOrderId, string venueOrderId, VenueOrderStatus status, double cumulativeFilled, double averagePrice)
    {
        if (!_byClientId.TryGetValue(clientOrderId, out TrackedOrder? o))
        {
            return Count(Orphan(venueOrderId));
        }

        if (!(cumulativeFilled >= 0) || !double.IsFinite(cumulativeFilled) || !(averagePrice >= 0) || !double.IsFinite(averagePrice))
        {
            return Count(ReportOutcome.Malformed);
        }

        if (venueOrderId.Length > 0)
        {
            o.VenueOrderId ??= venueOrderId;
            _byVenueId[venueOrderId] = clientOrderId;
        }

        bool final = o.State is OrderState.Filled or OrderState.Cancelled or OrderState.Rejected;
        Recover(o, cumulativeFilled, averagePrice);
        if (final)
        {
            return Count(ReportOutcome.AfterFinal);
        }

        switch (status)
        {
            case VenueOrderStatus.New or VenueOrderStatus.PartiallyFilled when o.State == OrderState.PendingNew:
                o.State = o.Filled > 0 ? OrderState.PartiallyFilled : OrderState.Open;
                break;
            case VenueOrderStatus.Cancelled or VenueOrderStatus.Expired when o.State != OrderState.Filled:
                o.State = OrderState.Cancelled;
                break;
            case VenueOrderStatus.Rejected when o.State == OrderState.PendingNew:
                o.State = OrderState.Rejected;
                o.RejectReason = "rejected by the venue";
                break;
        }

        return Count(ReportOutcome.Applied);
    }

    // The venue's cumulative fill ahead of ours: the missed part booked once at the value implied by its average.
    private bool Recover(TrackedOrder o, double cumulativeFilled, double averagePrice)
    {
        double missing = Math.Min(cumulativeFilled, o.Quantity) - o.Filled;
        if (!(missing > 1e-12) || !(averagePrice > 0))
        {
            return false;
        }

        // The venue's average over all fills minus what we already booked gives the missed fills' value.
        double missedNotional = (averagePrice * Math.Min(cumulativeFilled, o.Quantity)) - o.Notional;
        Apply(o, missing, missedNotional / missing);
        o.RecoveredCredit += missing;
        return true;
    }

    private void Apply(TrackedOrder o, double quantity, double price)
    {
        o.Filled += quantity;
        o.Notional += quantity * price;
        _position[o.Instrument] = _position.GetValueOrDefault(o.Instrument) + (o.Buy ? quantity : -quantity);
        if (o.Filled >= o.Quantity - 1e-12)
        {
            o.State = OrderState.Filled;
        }
        else if (o.State is OrderState.Open or OrderState.PendingNew)
        {
            o.State = OrderState.PartiallyFilled;
        }
    }

    private ReportOutcome Orphan(string id)
    {
        _orphans.Add(id);
        return ReportOutcome.UnknownOrder;
    }

    private ReportOutcome Count(ReportOutcome outcome)
    {
        Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;
        return outcome;
    }
}
