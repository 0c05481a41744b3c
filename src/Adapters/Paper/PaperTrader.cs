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
/// The execution thread (the run's host thread) calls it. The books it fills against are the tops the opportunities
/// carry (the strategy thread owns the full books), held per (venue, instrument, side) as last seen; an order fills
/// against that top at its arrival (decision time + the venue's latency).
/// </remarks>
public sealed class PaperTrader
{
    /// <summary>The cross-venue strategy's id in P&amp;L and in client order ids.</summary>
    public const int CrossVenueStrategy = 0;

    private readonly PaperExchange _exchange;
    private readonly IRiskLink _gate;
    private readonly LegCoordinator _legs;
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
        _legs = new LegCoordinator(policy, exposure);
        _priceDecimals = priceDecimals;
        _quantityDecimals = quantityDecimals;
        _maxTradeUsd = maxTradeUsd;
        _maxLatencyNs = maxLatencyNs;
        _lastMid = new double[priceDecimals.Length];
    }

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

    /// <summary>Residuals that could not be unwound (no known top on the other side) and stay open, marked at the mid.</summary>
    public long Unhedged { get; private set; }

    /// <summary>Opportunities not traded because the buy venue's cash or the sell venue's inventory was used up.</summary>
    public long Unfunded { get; private set; }

    /// <summary>Pairs where neither leg filled.</summary>
    public long Unfilled { get; private set; }

    /// <summary>Denials by the gate, all reasons.</summary>
    public long Denied { get; private set; }

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

        double qty = Math.Min(o.Quantity.Raw / qtyScale, _maxTradeUsd / ask);
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
        _exchange.Submit(in buy, now);
        _exchange.Submit(in sell, now);
        (double cash, double net) = Settle(now + _maxLatencyNs, buy.ClientOrderId, sell.ClientOrderId, out PairInstruction step);

        if (step.Step == PairStep.Unwind)
        {
            var unwind = new PaperOrderRequest("p" + id + "-u", CrossVenueStrategy, step.Venue, o.Instrument, step.Side, PaperOrderKind.Market,
                new Quantity((long)Math.Round(step.Quantity * qtyScale)), default);
            _exchange.Submit(in unwind, now + _maxLatencyNs);
            _exchange.Advance(now + (2 * _maxLatencyNs), _tops);
            (double c, double n) = DrainCash();
            (cash, net) = (cash + c, net + n);
            if (Math.Abs(net) * qtyScale < 1)
            {
                Unwound++;
            }
            else
            {
                // No known top on the other side to unwind against: the residual stays open and is marked.
                Unhedged++;
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

        // Cash flows (fees included) plus whatever position is still open, marked at the mid.
        _gate.OnTradeClosed(cash + (net * _lastMid[i]), now + _maxLatencyNs);
        _gate.Release(o.Instrument, 2, action.NotionalUsd);
    }

    private (double Cash, double Net) Settle(long at, string buyId, string sellId, out PairInstruction step)
    {
        _exchange.Advance(at, _tops);
        (double cash, double net) = DrainCash();
        step = default;
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
            }
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
