using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Paper;

/// <summary>The books a paper exchange fills against: whatever the engine sees (simulated, replayed or live).</summary>
public interface IPaperBooks
{
    /// <summary>One side of a (venue, instrument) book, best first; empty when the book is unknown or not tradeable.</summary>
    ReadOnlySpan<BookLevel> Levels(VenueId venue, InstrumentId instrument, Side side);
}

/// <summary>
/// A paper exchange over every configured venue: orders travel for their venue's latency, then fill against the book as
/// it is at arrival. Takers walk the depth (partial fills when it runs out; the rest is cancelled, IOC). Passive orders
/// rest behind the quantity already at their price and move up as that level shrinks; they fill when the level shrinks
/// past them or the other side crosses their price. Balances are per venue and asset; an order is never allowed to
/// overdraw one. Every outcome is a value (a fill, a state with its <see cref="PaperReject"/> reason).
/// </summary>
/// <remarks>
/// One thread (the execution thread) calls every member; it is not the strategy thread and it allocates per order.
/// </remarks>
public sealed class PaperExchange
{
    private readonly Dictionary<byte, PaperVenueSpec> _venues = [];
    private readonly Dictionary<ushort, PaperInstrumentSpec> _instruments = [];
    private readonly Dictionary<(byte Venue, string Asset), double> _balances = [];
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly List<Order> _live = [];
    private readonly List<PaperFill> _fills = [];
    private readonly Dictionary<int, StrategyBook> _strategies = [];

    public PaperExchange(IReadOnlyList<PaperVenueSpec> venues, IReadOnlyList<PaperInstrumentSpec> instruments)
    {
        ArgumentNullException.ThrowIfNull(venues);
        ArgumentNullException.ThrowIfNull(instruments);
        foreach (PaperVenueSpec v in venues)
        {
            _venues.Add(v.Id.Value, v);
        }

        foreach (PaperInstrumentSpec i in instruments)
        {
            _instruments.Add(i.Id.Value, i);
        }
    }

    /// <summary>The venue's spec, or null when it is not a paper venue.</summary>
    public PaperVenueSpec? Venue(VenueId venue) => _venues.GetValueOrDefault(venue.Value);

    /// <summary>The instrument's spec, or null when it is not traded here.</summary>
    public PaperInstrumentSpec? Instrument(InstrumentId instrument) => _instruments.GetValueOrDefault(instrument.Value);

    /// <summary>Failures the venues play on purpose (leg-risk tests, chaos runs); null: none.</summary>
    public PaperFaults? Faults { get; set; }

    /// <summary>Fees paid so far, in quote units, over all strategies.</summary>
    public double FeesPaid { get; private set; }

    /// <summary>Sets a balance (start-up seeding, or reconciliation in tests).</summary>
    public void SetBalance(VenueId venue, string asset, double amount) => _balances[(venue.Value, asset)] = amount;

    /// <summary>The balance of <paramref name="asset"/> on <paramref name="venue"/> (0 when none).</summary>
    public double Balance(VenueId venue, string asset) => _balances.GetValueOrDefault((venue.Value, asset));

    /// <summary>
    /// Seeds every venue from <c>INITIAL_CASH</c>: each venue gets an equal share; half of it stays in each instrument's
    /// quote asset, the other half buys that venue's base assets, split evenly, at <paramref name="firstMid"/> (no fee:
    /// this is the starting inventory, not a trade). An instrument with no mid gets no inventory.
    /// </summary>
    public void SeedFromInitialCash(double initialCash, Func<InstrumentId, double> firstMid)
    {
        ArgumentNullException.ThrowIfNull(firstMid);
        if (_venues.Count == 0 || !(initialCash > 0))
        {
            return;
        }

        double perVenue = initialCash / _venues.Count;
        double perInstrument = _instruments.Count == 0 ? 0 : perVenue / 2 / _instruments.Count;
        foreach (PaperVenueSpec v in _venues.Values)
        {
            foreach (PaperInstrumentSpec i in _instruments.Values)
            {
                _balances[(v.Id.Value, i.Quote)] = _balances.GetValueOrDefault((v.Id.Value, i.Quote)) + perInstrument;
                double mid = firstMid(i.Id);
                double cash = mid > 0 && double.IsFinite(mid) ? perInstrument : 0;
                _balances[(v.Id.Value, i.Quote)] += perInstrument - cash;
                _balances[(v.Id.Value, i.Base)] = _balances.GetValueOrDefault((v.Id.Value, i.Base)) + (cash > 0 ? cash / mid : 0);
            }
        }
    }

    /// <summary>
    /// Sends an order at <paramref name="nowNs"/>. Returns its state: <see cref="PaperOrderStatus.InFlight"/>, or
    /// <see cref="PaperOrderStatus.Rejected"/> with the reason (unknown venue or instrument, bad quantity, a reused
    /// client order id). A retry with the same client order id is not a second order: it returns the first one's state.
    /// </summary>
    public PaperOrderState Submit(in PaperOrderRequest request, long nowNs)
    {
        if (request.ClientOrderId is null || request.ClientOrderId.Length == 0)
        {
            return Rejected(request.ClientOrderId ?? "", PaperReject.InvalidQuantity);
        }

        if (_orders.TryGetValue(request.ClientOrderId, out Order? existing))
        {
            // Idempotent retry: the same request again is the same order; a different one under that id is refused.
            return existing.Request == request ? existing.State : Rejected(request.ClientOrderId, PaperReject.DuplicateClientOrderId);
        }

        if (!_venues.TryGetValue(request.Venue.Value, out PaperVenueSpec? venue))
        {
            return Rejected(request.ClientOrderId, PaperReject.UnknownVenue);
        }

        if (!_instruments.TryGetValue(request.Instrument.Value, out PaperInstrumentSpec? instrument))
        {
            return Rejected(request.ClientOrderId, PaperReject.UnknownInstrument);
        }

        if (request.Quantity.Raw <= 0 || (request.Kind != PaperOrderKind.Market && !request.LimitPrice.IsSet))
        {
            return Rejected(request.ClientOrderId, PaperReject.InvalidQuantity);
        }

        if (Faults?.IsDisconnected(request.Venue, nowNs) == true)
        {
            return Rejected(request.ClientOrderId, PaperReject.VenueDisconnected);
        }

        PaperFault fault = Faults?.For(request.ClientOrderId) ?? default;
        var order = new Order(request, venue, instrument, fault.Kind == PaperFaultKind.Timeout ? long.MaxValue : nowNs + venue.LatencyNs, fault);
        _orders.Add(request.ClientOrderId, order);
        _live.Add(order);
        return order.State;
    }

    /// <summary>
    /// Asks to cancel an order; the cancel travels for the venue's latency like the order did, so a fill that happens
    /// first wins (the race every venue has). Unknown ids are a value, not an error.
    /// </summary>
    public PaperOrderState Cancel(string clientOrderId, long nowNs)
    {
        if (!_orders.TryGetValue(clientOrderId, out Order? order))
        {
            return Rejected(clientOrderId, PaperReject.UnknownOrder);
        }

        if (order.IsOpen && order.CancelAtNs == long.MaxValue && Faults?.IsDisconnected(order.Request.Venue, nowNs) != true)
        {
            order.CancelAtNs = nowNs + order.Venue.LatencyNs;
        }

        return order.State;
    }

    /// <summary>The state of an order (Rejected/UnknownOrder when the id was never seen).</summary>
    public PaperOrderState Status(string clientOrderId) =>
        _orders.TryGetValue(clientOrderId, out Order? order) ? order.State : Rejected(clientOrderId, PaperReject.UnknownOrder);

    /// <summary>Orders not yet filled, cancelled or rejected.</summary>
    public int OpenOrders => _live.Count;

    /// <summary>
    /// Moves time to <paramref name="nowNs"/>: orders that have arrived are matched against <paramref name="books"/>,
    /// resting orders move up their queue or fill, cancels that have arrived take effect. Returns the fills added.
    /// </summary>
    public int Advance(long nowNs, IPaperBooks books)
    {
        ArgumentNullException.ThrowIfNull(books);
        int before = _fills.Count;
        for (int i = 0; i < _live.Count; i++)
        {
            Order o = _live[i];
            if (o.ArriveAtNs > nowNs)
            {
                // A venue that never answered the order still honours a cancel that reaches it.
                if (o.CancelAtNs <= nowNs)
                {
                    o.Status = PaperOrderStatus.Cancelled;
                }

                continue;
            }

            if (o.Status == PaperOrderStatus.InFlight)
            {
                Arrive(o, books, Math.Max(o.ArriveAtNs, nowNs));
            }
            else if (o.Status is PaperOrderStatus.Resting or PaperOrderStatus.PartiallyFilled)
            {
                Rest(o, books, nowNs);
            }

            if (o.IsOpen && o.CancelAtNs <= nowNs)
            {
                o.Status = PaperOrderStatus.Cancelled;
            }
        }

        _live.RemoveAll(o => !o.IsOpen);
        return _fills.Count - before;
    }

    /// <summary>Fills since the last call, in order; the list is then empty.</summary>
    public IReadOnlyList<PaperFill> DrainFills()
    {
        PaperFill[] copy = [.. _fills];
        _fills.Clear();
        return copy;
    }

    /// <summary>
    /// A strategy's P&amp;L in quote units: its quote cash flows (fees included) plus its net position in each asset marked at
    /// <paramref name="mark"/>, and the fees on their own.
    /// </summary>
    public (double Pnl, double Fees, int Fills) StrategyPnl(int strategy, Func<InstrumentId, double> mark)
    {
        ArgumentNullException.ThrowIfNull(mark);
        if (!_strategies.TryGetValue(strategy, out StrategyBook? book))
        {
            return (0, 0, 0);
        }

        double pnl = book.Cash;
        foreach ((ushort instrument, double qty) in book.Position)
        {
            if (qty != 0)
            {
                pnl += qty * mark(new InstrumentId(instrument));
            }
        }

        return (pnl, book.Fees, book.Fills);
    }

    /// <summary>Strategies that have filled at least once.</summary>
    public IEnumerable<int> Strategies => _strategies.Keys;

    private void Arrive(Order o, IPaperBooks books, long nowNs)
    {
        if (Faults?.IsDisconnected(o.Request.Venue, o.ArriveAtNs) == true)
        {
            Reject(o, PaperReject.VenueDisconnected);
            return;
        }

        if (o.Fault.Kind == PaperFaultKind.Reject)
        {
            Reject(o, PaperReject.VenueRejected);
            return;
        }

        Side opposite = o.Request.Side == Side.Bid ? Side.Ask : Side.Bid;
        ReadOnlySpan<BookLevel> levels = books.Levels(o.Request.Venue, o.Request.Instrument, opposite);
        bool crosses = levels.Length > 0 && (o.Request.Kind == PaperOrderKind.Market || Crosses(o, levels[0].Price));
        if (o.Request.Kind == PaperOrderKind.PostOnly && crosses)
        {
            Reject(o, PaperReject.WouldCross);
            return;
        }

        if (crosses)
        {
            Take(o, levels, nowNs);
            if (o.Reason == PaperReject.InsufficientBalance)
            {
                return;
            }
        }

        if (o.Fault.Kind == PaperFaultKind.Partial && o.Remaining > 1e-12)
        {
            // The venue took what it would and cancelled the rest.
            o.Status = o.Filled > 0 ? PaperOrderStatus.Cancelled : PaperOrderStatus.Rejected;
            o.Reason = PaperReject.VenueCancelled;
            return;
        }

        if (o.Request.Kind == PaperOrderKind.Market)
        {
            if (o.Filled == 0)
            {
                Reject(o, o.Reason == PaperReject.None ? PaperReject.NoLiquidity : o.Reason);
            }
            else
            {
                // Immediate-or-cancel: what the depth did not cover is cancelled, and says why.
                o.Status = o.Remaining > 0 ? PaperOrderStatus.Cancelled : PaperOrderStatus.Filled;
                o.Reason = o.Remaining > 0 ? PaperReject.NoLiquidity : PaperReject.None;
            }

            return;
        }

        if (o.Remaining <= 0)
        {
            o.Status = PaperOrderStatus.Filled;
            return;
        }

        if (!CanAfford(o, o.Request.LimitPrice, o.Remaining, maker: true))
        {
            Reject(o, PaperReject.InsufficientBalance);
            return;
        }

        o.Status = o.Filled > 0 ? PaperOrderStatus.PartiallyFilled : PaperOrderStatus.Resting;
        o.QueueAhead = QuantityAt(books.Levels(o.Request.Venue, o.Request.Instrument, o.Request.Side), o.Request.LimitPrice) / Pow10(o.Instrument.QuantityDecimals);
        o.LastLevelQty = o.QueueAhead;
    }

    private void Rest(Order o, IPaperBooks books, long nowNs)
    {
        Side opposite = o.Request.Side == Side.Bid ? Side.Ask : Side.Bid;
        ReadOnlySpan<BookLevel> against = books.Levels(o.Request.Venue, o.Request.Instrument, opposite);
        if (against.Length > 0 && Crosses(o, against[0].Price))
        {
            // The other side came through our price: we are filled at our price, as the maker, up to what crossed.
            double crossed = 0;
            foreach (BookLevel l in against)
            {
                if (!Crosses(o, l.Price))
                {
                    break;
                }

                crossed += Qty(o, l.Quantity);
            }

            Fill(o, Px(o, o.Request.LimitPrice), Math.Min(crossed, o.Remaining), maker: true, nowNs);
        }
        else
        {
            double level = QuantityAt(books.Levels(o.Request.Venue, o.Request.Instrument, o.Request.Side), o.Request.LimitPrice) / Pow10(o.Instrument.QuantityDecimals);
            double shrink = o.LastLevelQty - level;
            o.LastLevelQty = level;
            if (shrink > 0)
            {
                // The level lost quantity: first the orders ahead of us, then us.
                double reachingUs = shrink - o.QueueAhead;
                o.QueueAhead = Math.Max(0, o.QueueAhead - shrink);
                if (reachingUs > 0)
                {
                    Fill(o, Px(o, o.Request.LimitPrice), Math.Min(reachingUs, o.Remaining), maker: true, nowNs);
                }
            }
        }

        if (o.Remaining <= 1e-12)
        {
            o.Status = PaperOrderStatus.Filled;
        }
        else if (o.Filled > 0)
        {
            o.Status = PaperOrderStatus.PartiallyFilled;
        }
    }

    private void Take(Order o, ReadOnlySpan<BookLevel> levels, long nowNs)
    {
        foreach (BookLevel l in levels)
        {
            if (o.Remaining <= 1e-12 || (o.Request.Kind != PaperOrderKind.Market && !Crosses(o, l.Price)))
            {
                break;
            }

            double price = Px(o, l.Price);
            double qty = Math.Min(Qty(o, l.Quantity), Math.Min(o.Remaining, o.Cap - o.Filled));
            if (qty <= 1e-12)
            {
                break;
            }

            double affordable = Affordable(o, price, maker: false);
            if (affordable <= 1e-12)
            {
                if (o.Filled == 0)
                {
                    Reject(o, PaperReject.InsufficientBalance);
                }
                else
                {
                    o.Reason = PaperReject.InsufficientBalance;
                }

                return;
            }

            Fill(o, price, Math.Min(qty, affordable), maker: false, nowNs);
        }
    }

    private void Fill(Order o, double price, double qty, bool maker, long nowNs)
    {
        if (qty <= 0)
        {
            return;
        }

        double feeRate = maker ? o.Venue.MakerFee : o.Venue.TakerFee;
        double notional = price * qty;
        double fee = notional * feeRate;
        (byte venue, string b, string q) = (o.Request.Venue.Value, o.Instrument.Base, o.Instrument.Quote);
        if (o.Request.Side == Side.Bid)
        {
            _balances[(venue, q)] = _balances.GetValueOrDefault((venue, q)) - notional - fee;
            _balances[(venue, b)] = _balances.GetValueOrDefault((venue, b)) + qty;
        }
        else
        {
            _balances[(venue, b)] = _balances.GetValueOrDefault((venue, b)) - qty;
            _balances[(venue, q)] = _balances.GetValueOrDefault((venue, q)) + notional - fee;
        }

        o.AveragePrice = ((o.AveragePrice * o.Filled) + notional) / (o.Filled + qty);
        o.Filled += qty;
        FeesPaid += fee;
        if (!_strategies.TryGetValue(o.Request.Strategy, out StrategyBook? book))
        {
            book = new StrategyBook();
            _strategies.Add(o.Request.Strategy, book);
        }

        double signed = o.Request.Side == Side.Bid ? qty : -qty;
        book.Cash += (-signed * price) - fee;
        book.Fees += fee;
        book.Fills++;
        book.Position[o.Request.Instrument.Value] = book.Position.GetValueOrDefault(o.Request.Instrument.Value) + signed;
        _fills.Add(new PaperFill(o.Request.ClientOrderId, o.Request.Strategy, o.Request.Venue, o.Request.Instrument, o.Request.Side, price, qty, fee, maker, nowNs));
    }

    // How much of the base the balances allow at this price: quote for a buy (fee included), base for a sell.
    private double Affordable(Order o, double price, bool maker)
    {
        double feeRate = maker ? o.Venue.MakerFee : o.Venue.TakerFee;
        return o.Request.Side == Side.Bid
            ? Balance(o.Request.Venue, o.Instrument.Quote) / (price * (1 + feeRate))
            : Balance(o.Request.Venue, o.Instrument.Base);
    }

    private bool CanAfford(Order o, Price price, double qty, bool maker) => Affordable(o, Px(o, price), maker) + 1e-12 >= qty;

    private static bool Crosses(Order o, Price against) =>
        o.Request.Side == Side.Bid ? against.Raw <= o.Request.LimitPrice.Raw : against.Raw >= o.Request.LimitPrice.Raw;

    private static double QuantityAt(ReadOnlySpan<BookLevel> levels, Price price)
    {
        foreach (BookLevel l in levels)
        {
            if (l.Price.Raw == price.Raw)
            {
                return l.Quantity.Raw;
            }
        }

        return 0;
    }

    private static double Px(Order o, Price p) => p.Raw / Pow10(o.Instrument.PriceDecimals);

    private static double Qty(Order o, Quantity q) => q.Raw / Pow10(o.Instrument.QuantityDecimals);

    private static double Pow10(int n) => Math.Pow(10, n);

    private static void Reject(Order o, PaperReject reason)
    {
        o.Status = PaperOrderStatus.Rejected;
        o.Reason = reason;
    }

    private static PaperOrderState Rejected(string id, PaperReject reason) => new(id, PaperOrderStatus.Rejected, 0, 0, 0, reason);

    private sealed class StrategyBook
    {
        public double Cash;
        public double Fees;
        public int Fills;
        public readonly Dictionary<ushort, double> Position = [];
    }

    private sealed class Order(PaperOrderRequest request, PaperVenueSpec venue, PaperInstrumentSpec instrument, long arriveAtNs, PaperFault fault)
    {
        public readonly PaperFault Fault = fault;
        public readonly PaperOrderRequest Request = request;
        public readonly PaperVenueSpec Venue = venue;
        public readonly PaperInstrumentSpec Instrument = instrument;
        public readonly long ArriveAtNs = arriveAtNs;
        public readonly double Quantity = request.Quantity.Raw / Math.Pow(10, instrument.QuantityDecimals);

        // Most the venue will fill (an injected partial fill caps it).
        public double Cap => Fault.Kind == PaperFaultKind.Partial ? Quantity * Math.Clamp(Fault.FillFraction, 0, 1) : Quantity;
        public PaperOrderStatus Status = PaperOrderStatus.InFlight;
        public PaperReject Reason;
        public double Filled;
        public double AveragePrice;
        public long CancelAtNs = long.MaxValue;

        // Queue position of a resting order: base quantity ahead of it at its price, and that level's size when last seen.
        public double QueueAhead;
        public double LastLevelQty;

        public double Remaining => Quantity - Filled;

        public bool IsOpen => Status is PaperOrderStatus.InFlight or PaperOrderStatus.Resting or PaperOrderStatus.PartiallyFilled;

        public PaperOrderState State => new(Request.ClientOrderId, Status, Filled, Status is PaperOrderStatus.Filled or PaperOrderStatus.Rejected ? 0 : Math.Max(0, Remaining), AveragePrice, Reason);
    }
}
