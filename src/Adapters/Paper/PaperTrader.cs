using System.Globalization;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Paper;

/// <summary>
/// Trades cross-venue opportunities through a <see cref="PaperExchange"/>: each one passes the risk gate (a
/// <see cref="RiskGate"/> here, or the verdict the strategy thread's gate already made: <see cref="IRiskLink"/>),
/// then becomes two market legs (buy at the buy venue, sell at the sell venue) sized to the top and to the gate's
/// notional limit. A <see cref="LegCoordinator"/> settles each pair; a residual is unwound against the last known top
/// of the other side, or held within the unhedged limits. Realised P&amp;L goes back to the gate (daily loss,
/// consecutive losses). Fills are handed to <see cref="Fill"/> for the log.
/// </summary>
/// <remarks>
/// The execution thread (the run's host thread) calls it. Orders fill against <see cref="Books"/> (the strategy thread's
/// depth snapshot) at their arrival (decision time + the venue's latency); without it, against the tops the
/// opportunities carry, held per (venue, instrument, side) as last seen.
/// </remarks>
public sealed class PaperTrader
{
    /// <summary>The cross-venue strategy's id in P&amp;L and in client order ids.</summary>
    public const int CrossVenueStrategy = 0;

    private readonly PaperExchange _exchange;
    private readonly IRiskLink _gate;
    private readonly LegCoordinator _legs;
    private readonly UnhedgedExposure _exposure;
    private readonly List<OpenResidual> _open = [];
    private readonly TopBooks _tops = new();
    private readonly int[] _priceDecimals;
    private readonly int[] _quantityDecimals;
    private readonly double _maxTradeUsd;
    private readonly long _maxLatencyNs;
    private readonly double[] _lastMid;
    private long _pairs;

    public PaperTrader(PaperExchange exchange, IRiskLink gate, LegPolicy policy, UnhedgedExposure exposure,
        int[] priceDecimals, int[] quantityDecimals, double maxTradeUsd, long maxLatencyNs)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(priceDecimals);
        ArgumentNullException.ThrowIfNull(quantityDecimals);
        _exchange = exchange;
        _gate = gate;
        ArgumentNullException.ThrowIfNull(exposure);
        _exposure = exposure;
        _legs = new LegCoordinator(policy, exposure);
        _priceDecimals = priceDecimals;
        _quantityDecimals = quantityDecimals;
        _maxTradeUsd = maxTradeUsd;
        _maxLatencyNs = maxLatencyNs;
        _lastMid = new double[priceDecimals.Length];
    }

    /// <summary>
    /// The books orders fill against: the strategy thread's depth (a <see cref="DepthSnapshotBooks"/>, or the replay's own
    /// books). Null: the tops the opportunities carry, as last seen.
    /// </summary>
    public IPaperBooks? Books { get; init; }

    private IPaperBooks FillBooks => Books ?? _tops;

    /// <summary>Each fill, for the log.</summary>
    public Action<PaperFill>? Fill { get; init; }

    /// <summary>Pairs sent (approved by the gate).</summary>
    public long Pairs => _pairs;

    /// <summary>Pairs that ended hedged.</summary>
    public long Hedged { get; private set; }

    /// <summary>Residuals unwound.</summary>
    public long Unwound { get; private set; }

    /// <summary>Residuals held within the unhedged limits.</summary>
    public long Held { get; private set; }

    /// <summary>Residuals whose unwind failed and that are still open (retried before each pair).</summary>
    public long Unhedged { get; private set; }

    /// <summary>Opportunities not traded because the buy venue's cash or the sell venue's inventory was used up.</summary>
    public long Unfunded { get; private set; }

    /// <summary>Pairs where neither leg filled.</summary>
    public long Unfilled { get; private set; }

    /// <summary>Denials by the gate, all reasons.</summary>
    public long Denied { get; private set; }

    /// <summary>Unhedged exposure per asset and venue: held residuals and open ones whose unwind failed.</summary>
    public UnhedgedExposure Exposure => _exposure;

    /// <summary>Every P&amp;L handed to the gate, summed: each pair's once, plus the later unwind of an open residual.</summary>
    public double ReportedPnl { get; private set; }

    /// <summary>Residuals whose unwind failed, still open.</summary>
    public int OpenResiduals => _open.Count;

    /// <summary>The exchange (balances, P&amp;L).</summary>
    public PaperExchange Exchange => _exchange;

    /// <summary>The last mid seen for <paramref name="instrument"/> (0 before any), for marking positions.</summary>
    public double Mark(InstrumentId instrument) => instrument.Value < _lastMid.Length ? _lastMid[instrument.Value] : 0;

    /// <summary>Execution thread: one opportunity from the strategy.</summary>
    public void OnOpportunity(in Opportunity o)
    {
        int i = o.Instrument.Value;
        if ((uint)i >= (uint)_priceDecimals.Length)
        {
            return;
        }

        long now = o.DecisionTimeNs;
        double scale = Math.Pow(10, _priceDecimals[i]);
        double qtyScale = Math.Pow(10, _quantityDecimals[i]);
        double ask = o.BuyPrice.Raw / scale;
        double bid = o.SellPrice.Raw / scale;
        _tops.Set(o.BuyVenue, o.Instrument, Side.Ask, o.BuyPrice, o.Quantity);
        _tops.Set(o.SellVenue, o.Instrument, Side.Bid, o.SellPrice, o.Quantity);
        _lastMid[i] = (ask + bid) / 2;
        _gate.OnMid(o.Instrument, _lastMid[i], now);

        // Sized to the top, the gate's per-trade notional, the buy venue's cash and the sell venue's inventory, so that
        // neither leg is refused for a balance it could have checked first.
        PaperVenueSpec? buyVenue = _exchange.Venue(o.BuyVenue);
        string? quote = _exchange.Instrument(o.Instrument)?.Quote;
        string? asset = _exchange.Instrument(o.Instrument)?.Base;
        if (buyVenue is null || quote is null || asset is null)
        {
            return;
        }

        RetryOpenResiduals(now);

        // A pair is never bigger than the unhedged room its worst residual (one whole leg) would take, so a failed leg
        // can never push the exposure of its asset or of either venue past its limit.
        double room = Math.Min(_exposure.MaxPerAssetUsd - _exposure.AssetUsd(o.Instrument),
            Math.Min(_exposure.MaxPerVenueUsd - _exposure.VenueUsd(o.BuyVenue), _exposure.MaxPerVenueUsd - _exposure.VenueUsd(o.SellVenue)));
        double qty = Math.Min(o.Quantity.Raw / qtyScale, Math.Min(_maxTradeUsd, Math.Max(0, room)) / ask);
        qty = Math.Min(qty, _exchange.Balance(o.BuyVenue, quote) / (ask * (1 + buyVenue.TakerFee)));
        qty = Math.Min(qty, _exchange.Balance(o.SellVenue, asset));
        var quantity = new Quantity((long)Math.Floor(qty * qtyScale));
        if (quantity.Raw <= 0)
        {
            Unfunded++;
            return;
        }

        double size = quantity.Raw / qtyScale;
        var action = new RiskAction
        {
            Asset = o.Instrument,
            BuyVenue = o.BuyVenue,
            SellVenue = o.SellVenue,
            ChainSlot = -1,
            Legs = 2,
            NotionalUsd = size * ask,
            OldestQuoteNs = Math.Min(o.BuyTickReceiveTimeNs, o.SellTickReceiveTimeNs),
        };
        RiskDecision decision = _gate.Check(in action, now);
        if (!decision.IsApproved)
        {
            Denied++;
            return;
        }

        long pair = ++_pairs;
        string id = pair.ToString(CultureInfo.InvariantCulture);
        _legs.Start(o.Instrument, o.BuyVenue, o.SellVenue, size, ask);
        var buy = new PaperOrderRequest("p" + id + "-b", CrossVenueStrategy, o.BuyVenue, o.Instrument, Side.Bid, PaperOrderKind.Market, quantity, default);
        var sell = new PaperOrderRequest("p" + id + "-s", CrossVenueStrategy, o.SellVenue, o.Instrument, Side.Ask, PaperOrderKind.Market, quantity, default);
        PaperOrderState sentBuy = _exchange.Submit(in buy, now);
        PaperOrderState sentSell = _exchange.Submit(in sell, now);

        // A leg refused at the door (a disconnected venue): the coordinator asks for its partner to be cancelled. The
        // cancel travels like the order did, so it usually loses the race and the partner's fill is unwound below.
        if (sentBuy.Status == PaperOrderStatus.Rejected)
        {
            CancelOther(_legs.OnFailed(0), buy.ClientOrderId, sell.ClientOrderId, now);
        }

        if (sentSell.Status == PaperOrderStatus.Rejected)
        {
            CancelOther(_legs.OnFailed(1), buy.ClientOrderId, sell.ClientOrderId, now);
        }

        (double cash, double net) = Settle(now + _maxLatencyNs, buy.ClientOrderId, sell.ClientOrderId, out PairInstruction step, out long settled);

        if (step.Step == PairStep.Unwind)
        {
            // The residual as the fills have it (a fill that beat a give-up's cancel included).
            (double c, double n) = Unwind("p" + id + "-u", o.Instrument, step.Venue, net > 0 ? Side.Ask : Side.Bid, Math.Abs(net), settled);
            (cash, net) = (cash + c, net + n);
            if (Math.Abs(net) * qtyScale < 1)
            {
                Unwound++;
            }
            else
            {
                // The unwind failed (no known top, a reject, a silent or disconnected venue): the residual stays open,
                // is counted against the unhedged limits and is retried before the next pair.
                Unhedged++;
                double usd = Math.Abs(net) * ask;
                _exposure.Add(o.Instrument, step.Venue, usd);
                _open.Add(new OpenResidual(id, o.Instrument, step.Venue, net, ask, usd));
            }
        }
        else if (step.Step == PairStep.Held)
        {
            Held++;
        }
        else if (step.Step == PairStep.Hedged)
        {
            Hedged++;
        }
        else
        {
            Unfilled++;
        }

        // Cash flows (fees included) plus whatever position is still open, marked at the pair's buy price (the price
        // the unhedged limits value it at); a later unwind of it reports only the difference, so nothing counts twice.
        ReportPnl(cash + (net * ask), settled);
        _gate.Release(o.Instrument, 2, action.NotionalUsd);
    }

    /// <summary>
    /// Execution thread: tries again to flatten every residual a failed unwind left open, at <paramref name="nowNs"/>.
    /// Called before each pair; a host may call it on its own clock too.
    /// </summary>
    public void RetryOpenResiduals(long nowNs)
    {
        for (int k = _open.Count - 1; k >= 0; k--)
        {
            OpenResidual r = _open[k];
            Side side = r.Net > 0 ? Side.Ask : Side.Bid;
            r.Attempts++;
            (double cash, double net) = Unwind("p" + r.Pair + "-u" + r.Attempts.ToString(CultureInfo.InvariantCulture), r.Instrument, r.Venue, side, Math.Abs(r.Net), nowNs);
            if (net == 0)
            {
                continue;
            }

            // Realised now: the cash of the unwind, less the mark it was reported at.
            ReportPnl(cash + (net * r.Mark), nowNs + _maxLatencyNs);
            double left = r.Net + net;
            if (Math.Abs(left) * Math.Pow(10, _quantityDecimals[r.Instrument.Value]) < 1)
            {
                _exposure.Add(r.Instrument, r.Venue, -r.Usd);
                _open.RemoveAt(k);
                Unwound++;
                Unhedged--;
            }
            else
            {
                double usd = Math.Abs(left) * r.Mark;
                _exposure.Add(r.Instrument, r.Venue, usd - r.Usd);
                (r.Net, r.Usd) = (left, usd);
            }
        }
    }

    private void ReportPnl(double pnl, long nowNs)
    {
        ReportedPnl += pnl;
        _gate.OnTradeClosed(pnl, nowNs);
    }

    // One market order that flattens a residual, matched once its venue's latency has passed; a silent venue's order is
    // cancelled so nothing stays working.
    private (double Cash, double Net) Unwind(string clientOrderId, InstrumentId instrument, VenueId venue, Side side, double quantity, long nowNs)
    {
        double qtyScale = Math.Pow(10, _quantityDecimals[instrument.Value]);
        var unwind = new PaperOrderRequest(clientOrderId, CrossVenueStrategy, venue, instrument, side, PaperOrderKind.Market,
            new Quantity((long)Math.Round(quantity * qtyScale)), default);
        _exchange.Submit(in unwind, nowNs);
        _exchange.Advance(nowNs + _maxLatencyNs, FillBooks);
        if (_exchange.Status(clientOrderId).Status is PaperOrderStatus.InFlight or PaperOrderStatus.Resting or PaperOrderStatus.PartiallyFilled)
        {
            _exchange.Cancel(clientOrderId, nowNs + _maxLatencyNs);
            _exchange.Advance(nowNs + (2 * _maxLatencyNs), FillBooks);
        }

        return DrainCash();
    }

    private void CancelOther(PairInstruction step, string buyId, string sellId, long nowNs)
    {
        if (step.Step == PairStep.CancelOther)
        {
            _exchange.Cancel(step.Leg == 0 ? buyId : sellId, nowNs);
        }
    }

    private (double Cash, double Net) Settle(long at, string buyId, string sellId, out PairInstruction step, out long settled)
    {
        settled = at;
        _exchange.Advance(at, FillBooks);
        (double cash, double net) = DrainCash();
        step = default;
        bool gaveUp = false;
        foreach (string id in new[] { buyId, sellId })
        {
            PaperOrderState s = _exchange.Status(id);
            int leg = id == buyId ? 0 : 1;
            if (s.FilledQuantity > 0)
            {
                step = _legs.OnFill(leg, s.FilledQuantity, s.Status == PaperOrderStatus.Filled);
            }

            if (s.Status is PaperOrderStatus.Rejected or PaperOrderStatus.Cancelled)
            {
                step = _legs.OnFailed(leg);
            }
            else if (s.Status != PaperOrderStatus.Filled)
            {
                // Still open after the longest latency: given up on (cancelled), its fills stand.
                _exchange.Cancel(id, at);
                step = _legs.OnTimedOut(leg);
                gaveUp = true;
            }
        }

        if (gaveUp)
        {
            // Let the cancels land so nothing is left working; a fill that beats one still counts in the cash and position.
            settled = at + _maxLatencyNs;
            _exchange.Advance(settled, FillBooks);
            (double c, double n) = DrainCash();
            (cash, net) = (cash + c, net + n);
        }

        return (cash, net);
    }

    // Quote cash flow (fees included) and net base bought by the fills since the last drain.
    private (double Cash, double Net) DrainCash()
    {
        double cash = 0;
        double net = 0;
        foreach (PaperFill f in _exchange.DrainFills())
        {
            cash += (f.Side == Side.Ask ? f.Price * f.Quantity : -f.Price * f.Quantity) - f.Fee;
            net += f.Side == Side.Bid ? f.Quantity : -f.Quantity;
            Fill?.Invoke(f);
        }

        return (cash, net);
    }

    private sealed class OpenResidual(string pair, InstrumentId instrument, VenueId venue, double net, double mark, double usd)
    {
        public readonly string Pair = pair;
        public readonly InstrumentId Instrument = instrument;
        public readonly VenueId Venue = venue;
        public readonly double Mark = mark;
        public double Net = net;
        public double Usd = usd;
        public int Attempts;
    }

    private sealed class TopBooks : IPaperBooks
    {
        private readonly Dictionary<(byte, ushort, Side), BookLevel[]> _tops = [];

        public void Set(VenueId venue, InstrumentId instrument, Side side, Price price, Quantity quantity)
        {
            if (!_tops.TryGetValue((venue.Value, instrument.Value, side), out BookLevel[]? level))
            {
                level = new BookLevel[1];
                _tops.Add((venue.Value, instrument.Value, side), level);
            }

            level[0] = new BookLevel(price, quantity);
        }

        public ReadOnlySpan<BookLevel> Levels(VenueId venue, InstrumentId instrument, Side side) =>
            _tops.TryGetValue((venue.Value, instrument.Value, side), out BookLevel[]? level) ? level : [];
    }
}
