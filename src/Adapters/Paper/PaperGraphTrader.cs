using System.Globalization;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Paper;

/// <summary>The gas a chain's transaction pays around its swaps, and Aave's premium there now (from the chain's gas readings).</summary>
public struct PaperChainTerms
{
    /// <summary>Gas of the transaction around the swaps (21,000 plus the executor's own work).</summary>
    public double TxBaseGas;

    /// <summary>Gas of taking and repaying a flash loan.</summary>
    public double FlashLoanGas;

    /// <summary>Aave V3's <c>FLASHLOAN_PREMIUM_TOTAL</c>, bps.</summary>
    public double FlashLoanPremiumBps;
}

/// <summary>How a graph trade ended.</summary>
public enum PaperGraphOutcome : byte
{
    /// <summary>Every leg filled whole.</summary>
    Filled,

    /// <summary>The atomic route reverted (it could not repay its loan, or a pool refused it): only its gas was spent.</summary>
    Reverted,

    /// <summary>
    /// A leg of a non-atomic trade failed or filled short: the legs that filled were unwound (each reversed where it
    /// traded, see <see cref="PaperGraphTrade.Unwind"/>); what the unwind could not reverse stays as marked inventory.
    /// </summary>
    LegFailed,
}

/// <summary>
/// A closed graph trade: its legs' outcome, what it made at the marks when it closed (its unwind included), and what it
/// paid. <see cref="Unwind"/>: null when nothing needed unwinding, "unwound N legs", or why the unwind fell short.
/// </summary>
public readonly record struct PaperGraphTrade(
    string Id,
    OpportunityKind Kind,
    PaperGraphOutcome Outcome,
    int Legs,
    int LegsFilled,
    double PnlQuote,
    double GasQuote,
    double FeesQuote,
    long Block,
    long DecisionTimeNs,
    long ClosedTimeNs,
    string? Failure,
    bool Atomic,
    string? Unwind = null);

/// <summary>
/// Paper trading of the venue graph's opportunities (CEX-DEX, DEX-DEX, cycles, cross-chain), on the host thread: an
/// atomic path (every leg a pool on one chain) becomes one flash-loan route on the <see cref="PaperDexVenue"/>, as the
/// executor contract runs it: borrowed, swapped hop by hop, repaid with the premium, reverted whole when it cannot
/// repay. Any other path trades from inventory at each place at once: each book leg a market order on the
/// <see cref="PaperExchange"/>, each pool leg an exact-input swap (its minimum the quote now less the slippage
/// tolerance), an inventory link nothing, a bridge its fee (the inventory it stands for is rebalanced later, outside the
/// trade). Each leg's input is the previous leg's expected output, quoted on the paper venues' own state when sent. A
/// trade closes when its last swap has landed; its P&amp;L (every flow marked, gas and fees in) goes to the gate. When
/// a leg of such a trade fails, the legs that filled are unwound once every leg has settled: a book leg by the opposite
/// market order for what it filled, a pool leg by swapping its output back through the same pool; the trade (and its
/// gate reservation) closes when the unwind has settled too.
/// </summary>
/// <remarks>
/// Reads the graph's topology only (fixed once frozen), never its live rates: those belong to the strategy thread.
/// One thread; allocates per trade, like the venues it drives.
/// </remarks>
public sealed class PaperGraphTrader
{
    /// <summary>Strategy ids on the paper venues: 10 + the kind (so each kind's P&amp;L is its own).</summary>
    public const int StrategyBase = 10;

    private readonly VenueGraph _graph;
    private readonly PaperExchange _exchange;
    private readonly PaperDexVenue _dex;
    private readonly IRiskLink _gate;
    private readonly IReadOnlyDictionary<int, (VenueId Venue, InstrumentId Instrument)> _books;
    private readonly IReadOnlyDictionary<(GraphEdgeKind Kind, int Source), int> _pools;
    private readonly Func<int, string> _assetOfNode;
    private readonly Func<string, double> _price;
    private readonly PaperChainTerms[] _terms;
    private readonly double _slippage;
    private readonly long _maxCexLatencyNs;
    private readonly List<Open> _open = [];
    private readonly Totals[] _totals = [new(), new(), new(), new(), new()];
    private long _trades;

    /// <param name="books">Graph book index → the paper venue and instrument it trades.</param>
    /// <param name="pools">Graph pool (edge kind, <see cref="VenueGraph.EdgeSource"/>) → paper pool id.</param>
    /// <param name="assetOfNode">The balance key of a graph node: an exchange's asset name, a chain's token symbol.</param>
    /// <param name="price">Quote units per whole token of a balance key (0 when unknown).</param>
    /// <param name="slippageBps">Below its quote by more than this, a pool leg reverts.</param>
    public PaperGraphTrader(VenueGraph graph, PaperExchange exchange, PaperDexVenue dex, IRiskLink gate,
        IReadOnlyDictionary<int, (VenueId Venue, InstrumentId Instrument)> books, IReadOnlyDictionary<(GraphEdgeKind Kind, int Source), int> pools,
        Func<int, string> assetOfNode, Func<string, double> price, double slippageBps, long maxCexLatencyNs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!graph.IsFrozen)
        {
            throw new ArgumentException("the graph must be frozen (its topology is read from another thread)", nameof(graph));
        }

        _graph = graph;
        _exchange = exchange ?? throw new ArgumentNullException(nameof(exchange));
        _dex = dex ?? throw new ArgumentNullException(nameof(dex));
        _gate = gate ?? throw new ArgumentNullException(nameof(gate));
        _books = books ?? throw new ArgumentNullException(nameof(books));
        _pools = pools ?? throw new ArgumentNullException(nameof(pools));
        _assetOfNode = assetOfNode ?? throw new ArgumentNullException(nameof(assetOfNode));
        _price = price ?? throw new ArgumentNullException(nameof(price));
        if (!(slippageBps >= 0 && slippageBps < 10_000))
        {
            throw new ArgumentOutOfRangeException(nameof(slippageBps), "slippage tolerance must be in [0, 10000) bps");
        }

        _slippage = slippageBps / 10_000;
        _maxCexLatencyNs = maxCexLatencyNs;
        _terms = new PaperChainTerms[graph.ChainCount];
    }

    /// <summary>The books the CEX legs are priced and filled against.</summary>
    public IPaperBooks? Books { get; set; }

    /// <summary>Each CEX fill of a graph leg (logging).</summary>
    public Action<OpportunityKind, PaperFill>? Fill { get; set; }

    /// <summary>Each trade as it closes (logging, the risk reservation's release).</summary>
    public Action<PaperGraphTrade>? Closed { get; set; }

    /// <summary>Trades waiting for a swap to land.</summary>
    public int OpenTrades => _open.Count;

    /// <summary>A chain's terms (graph chain index), from its latest gas reading.</summary>
    public void SetChainTerms(int chain, in PaperChainTerms terms)
    {
        if ((uint)chain < (uint)_terms.Length)
        {
            _terms[chain] = terms;
        }
    }

    /// <summary>
    /// One graph opportunity, inside its gate reservation: the trade's id when it was sent (the reservation is then the
    /// trade's until <see cref="Closed"/> names that id), null when it was denied, could not be planned or funded, or a
    /// venue refused it at the door.
    /// </summary>
    public string? OnOpportunity(in Opportunity o)
    {
        if (o.Path.Count == 0 || (uint)o.Kind >= (uint)_totals.Length || !(o.Size > 0))
        {
            return null;
        }

        Totals totals = _totals[(int)o.Kind];
        var action = new RiskAction { ChainSlot = -1, Legs = o.Path.Count, NotionalUsd = o.SizeQuote };
        if (!_gate.Check(in action, o.DecisionTimeNs).IsApproved)
        {
            totals.Denied++;
            return null;
        }

        // A pool our last trade is still travelling to: this quote does not know that trade's effect, so wait for it.
        for (int i = 0; i < o.Path.Count; i++)
        {
            int e = o.Path[i];
            if (_graph.EdgeKind(e) is GraphEdgeKind.V2Pool or GraphEdgeKind.V3Pool && _pools.TryGetValue((_graph.EdgeKind(e), _graph.EdgeSource(e)), out int pool) && _dex.IsPending(pool))
            {
                totals.Busy++;
                return null;
            }
        }

        string id = "g" + (++_trades).ToString(CultureInfo.InvariantCulture);
        bool sent = PathQuote.IsAtomic(_graph, in o.Path, out int chain)
            ? SendRoute(in o, id, chain, totals)
            : SendLegs(in o, id, totals);
        if (!sent)
        {
            return null;
        }

        totals.Trades++;
        return id;
    }

    /// <summary>After the paper DEX has seen new blocks: closes every trade whose swaps have all landed.</summary>
    public void Poll(long nowNs)
    {
        for (int i = 0; i < _open.Count; i++)
        {
            Open t = _open[i];
            if (t.Swaps.Exists(IsPending) || t.UnwindSwaps.Exists(IsPending))
            {
                continue;
            }

            // A failed leg leaves the others' fills as exposure: reverse them, and close when the reversal has settled.
            if (!t.Atomic && !t.Unwinding && LegFailure(t) is not null && StartUnwind(t, nowNs))
            {
                continue;
            }

            Close(t, nowNs);
            _open.RemoveAt(i--);
        }
    }

    private bool IsPending(string swapId) => _dex.Status(swapId).Status == PaperSwapStatus.Pending;

    /// <summary>Per kind: "trades=N filled=N leg-failed=N unwound=N unwind-short=N reverted=N open=N unfunded=N unplanned=N busy=N denied=N gas=G fees=F pnl=P".</summary>
    public string Describe(OpportunityKind kind)
    {
        Totals t = _totals[(int)kind];
        return string.Create(CultureInfo.InvariantCulture,
            $"trades={t.Trades} filled={t.Filled} leg-failed={t.LegFailed} unwound={t.Unwound} unwind-short={t.UnwindShort} reverted={t.Reverted} open={OpenOf(kind)} unfunded={t.Unfunded} unplanned={t.Unplanned} busy={t.Busy} denied={t.Denied} gas={t.Gas:0.00} fees={t.Fees:0.00} pnl={t.Pnl:0.00}");
    }

    /// <summary>A kind's trades waiting for a swap to land.</summary>
    public int OpenOf(OpportunityKind kind) => _open.Count(o => o.Kind == kind);

    /// <summary>A kind's totals so far.</summary>
    public (long Trades, long Filled, long LegFailed, long Reverted, long Unfunded, long Unplanned, long Busy, long Denied, double Gas, double Fees, double Pnl) TotalsOf(OpportunityKind kind)
    {
        Totals t = _totals[(int)kind];
        return (t.Trades, t.Filled, t.LegFailed, t.Reverted, t.Unfunded, t.Unplanned, t.Busy, t.Denied, t.Gas, t.Fees, t.Pnl);
    }

    /// <summary>A kind's failed trades whose filled legs were all reversed, and those whose unwind fell short (exposure left).</summary>
    public (long Unwound, long UnwindShort) UnwindsOf(OpportunityKind kind) => (_totals[(int)kind].Unwound, _totals[(int)kind].UnwindShort);

    private bool SendRoute(in Opportunity o, string id, int chain, Totals totals)
    {
        var hops = new PaperHop[o.Path.Count];
        for (int i = 0; i < o.Path.Count; i++)
        {
            int e = o.Path[i];
            if (!_pools.TryGetValue((_graph.EdgeKind(e), _graph.EdgeSource(e)), out int pool))
            {
                totals.Unplanned++;
                return false;
            }

            hops[i] = new PaperHop(pool, _graph.EdgeZeroForOne(e));
        }

        if (!Amounts.TryToRaw(o.Size, _graph.Node(_graph.EdgeFrom(o.Path[0])).Decimals, out UInt256 amountIn) || amountIn.IsZero)
        {
            totals.Unplanned++;
            return false;
        }

        // The executor repays the loan from the output and reverts when it cannot: its own minimum is the input.
        ref readonly PaperChainTerms terms = ref _terms[chain];
        var route = new PaperRouteRequest(id, StrategyBase + (int)o.Kind, hops, amountIn, amountIn, terms.FlashLoanPremiumBps, terms.TxBaseGas + terms.FlashLoanGas);
        PaperSwapState sent = _dex.SubmitRoute(route, o.DecisionTimeNs);
        if (sent.Status == PaperSwapStatus.Rejected)
        {
            if (sent.Reason == PaperSwapReject.InsufficientBalance)
            {
                totals.Unfunded++;
            }
            else
            {
                totals.Unplanned++;
            }

            return false;
        }

        _open.Add(new Open(id, o.Kind, o.DecisionTimeNs, 1, [id], [], 0, true));
        return true;
    }

    private bool SendLegs(in Opportunity o, string id, Totals totals)
    {
        IPaperBooks? books = Books;
        var orders = new List<PaperOrderRequest>();
        var swaps = new List<PaperSwapRequest>();
        var need = new Dictionary<(int Kind, int Place, string Asset), double>();
        double amount = o.Size;
        double bridgeFees = 0;
        int strategy = StrategyBase + (int)o.Kind;
        for (int i = 0; i < o.Path.Count && amount > 0; i++)
        {
            int e = o.Path[i];
            string legId = id + "-" + i.ToString(CultureInfo.InvariantCulture);
            switch (_graph.EdgeKind(e))
            {
                case GraphEdgeKind.CexBid or GraphEdgeKind.CexAsk:
                    if (books is null || !_books.TryGetValue(_graph.EdgeSource(e), out (VenueId Venue, InstrumentId Instrument) book))
                    {
                        totals.Unplanned++;
                        return false;
                    }

                    bool buy = _graph.EdgeKind(e) == GraphEdgeKind.CexAsk;
                    amount = PlanOrder(books, book.Venue, book.Instrument, buy, amount, legId, strategy, orders, need);
                    break;

                case GraphEdgeKind.V2Pool or GraphEdgeKind.V3Pool:
                    if (!_pools.TryGetValue((_graph.EdgeKind(e), _graph.EdgeSource(e)), out int pool))
                    {
                        totals.Unplanned++;
                        return false;
                    }

                    amount = PlanSwap(pool, _graph.EdgeZeroForOne(e), amount, legId, strategy, swaps, need);
                    break;

                case GraphEdgeKind.Bridge:
                    double after = Math.Max(0, (amount * (1 - _graph.EdgeFee(e))) - _graph.EdgeFixedFee(e));
                    bridgeFees += (amount - after) * _price(_assetOfNode(_graph.EdgeFrom(e)));
                    amount = after;
                    break;

                default: // inventory: the same asset held at both places, nothing moves in the trade
                    break;
            }
        }

        if (!(amount > 0) || orders.Count + swaps.Count == 0)
        {
            totals.Unplanned++;
            return false;
        }

        // Every leg is funded from what is held where it trades: check them all before sending any.
        foreach (((int kind, int place, string asset), double amountNeeded) in need)
        {
            double held = kind == 0 ? _exchange.Balance(new VenueId((byte)place), asset) : _dex.Available(place, asset);
            if (held + 1e-12 < amountNeeded)
            {
                totals.Unfunded++;
                return false;
            }
        }

        // The swaps first: one refused at the door (it cannot be, after the checks above, short of a bug) keeps the
        // book legs from being sent; swaps already sent cannot be called back and settle as a failed trade.
        long now = o.DecisionTimeNs;
        var swapIds = new List<string>();
        bool refused = false;
        foreach (PaperSwapRequest s in swaps)
        {
            refused |= _dex.Submit(in s, now).Status == PaperSwapStatus.Rejected;
            swapIds.Add(s.ClientOrderId);
        }

        if (refused)
        {
            orders.Clear();
        }

        (int filledOrders, double fees) = ExecuteOrders(orders, now, o.Kind);
        _open.Add(new Open(id, o.Kind, now, orders.Count + swaps.Count, swapIds, orders, filledOrders, false)
        {
            FeesQuote = fees,
            BridgeFeesQuote = bridgeFees,
            Refused = refused,
            SwapsSent = swaps,
        });
        return true;
    }

    // Market orders, sent at once: filled or cancelled once they have arrived, nothing of them left working.
    private (int Filled, double FeesQuote) ExecuteOrders(List<PaperOrderRequest> orders, long now, OpportunityKind kind)
    {
        if (orders.Count == 0 || Books is not { } books)
        {
            return (0, 0);
        }

        foreach (PaperOrderRequest r in orders)
        {
            _exchange.Submit(in r, now);
        }

        _exchange.Advance(now + _maxCexLatencyNs, books);
        foreach (PaperOrderRequest r in orders)
        {
            if (_exchange.Status(r.ClientOrderId).Status is PaperOrderStatus.InFlight or PaperOrderStatus.Resting or PaperOrderStatus.PartiallyFilled)
            {
                _exchange.Cancel(r.ClientOrderId, now + _maxCexLatencyNs);
            }
        }

        _exchange.Advance(now + (2 * _maxCexLatencyNs), books);
        double fees = 0;
        foreach (PaperFill f in _exchange.DrainFills())
        {
            fees += f.Fee * _price(_exchange.Instrument(f.Instrument)?.Quote ?? "");
            Fill?.Invoke(kind, f);
        }

        int filled = 0;
        foreach (PaperOrderRequest r in orders)
        {
            filled += _exchange.Status(r.ClientOrderId).Status == PaperOrderStatus.Filled ? 1 : 0;
        }

        return (filled, fees);
    }

    /// <summary>Why a settled trade failed (null: every leg filled whole).</summary>
    private string? LegFailure(Open t)
    {
        string? failure = t.Refused ? "a swap was refused at the door" : null;
        foreach (string swapId in t.Swaps)
        {
            PaperSwapState s = _dex.Status(swapId);
            if (s.Status != PaperSwapStatus.Filled)
            {
                failure ??= s.Status.ToString().ToLowerInvariant() + " " + s.Reason.ToString();
            }
        }

        return t.OrdersSent.Count > t.FilledOrders ? failure ?? "a market order filled short" : failure;
    }

    /// <summary>
    /// Reverses every leg of a failed trade that filled (in part or whole): true when reversing swaps were sent (the
    /// trade waits for them); false when the unwind settled at once (book legs only) or there was nothing to reverse.
    /// </summary>
    private bool StartUnwind(Open t, long nowNs)
    {
        t.Unwinding = true;
        int strategy = StrategyBase + (int)t.Kind;
        var orders = new List<PaperOrderRequest>();
        foreach (PaperOrderRequest r in t.OrdersSent)
        {
            PaperOrderState s = _exchange.Status(r.ClientOrderId);
            PaperInstrumentSpec? spec = _exchange.Instrument(r.Instrument);
            long filledRaw = spec is null ? 0 : (long)Math.Round(s.FilledQuantity * Math.Pow(10, spec.QuantityDecimals));
            if (filledRaw > 0)
            {
                orders.Add(new PaperOrderRequest(r.ClientOrderId + "-u", strategy, r.Venue, r.Instrument, r.Side == Side.Bid ? Side.Ask : Side.Bid,
                    PaperOrderKind.Market, new Quantity(filledRaw), default));
            }
        }

        int reversals = orders.Count;
        (int filledOrders, double fees) = ExecuteOrders(orders, nowNs, t.Kind);
        t.UnwindOrders = orders;
        t.UnwindFilledOrders = filledOrders;
        t.UnwindFeesQuote = fees;

        foreach (PaperSwapRequest r in t.SwapsSent)
        {
            PaperSwapState s = _dex.Status(r.ClientOrderId);
            (_, int decimalsOut) = _dex.TokenOf(r.Pool, r.ZeroForOne, input: false);
            if (s.Status != PaperSwapStatus.Filled || !Amounts.TryToRaw(s.AmountOut, decimalsOut, out UInt256 back) || back.IsZero)
            {
                continue;
            }

            // Back through the pool it came from, at its state now, with the same tolerance as the leg itself.
            reversals++;
            string unwindId = r.ClientOrderId + "-u";
            if (!_dex.TryQuote(r.Pool, !r.ZeroForOne, back, out UInt256 quoted))
            {
                t.UnwindFailure ??= "the pool cannot quote the reversal of " + r.ClientOrderId;
                continue;
            }

            (_, int decimalsBack) = _dex.TokenOf(r.Pool, !r.ZeroForOne, input: false);
            _ = Amounts.TryToRaw(Amounts.ToTokens(quoted, decimalsBack) * (1 - _slippage), decimalsBack, out UInt256 minimum);
            PaperSwapState sent = _dex.Submit(new PaperSwapRequest(unwindId, strategy, r.Pool, !r.ZeroForOne, back, minimum), nowNs);
            if (sent.Status == PaperSwapStatus.Rejected)
            {
                t.UnwindFailure ??= "the reversal of " + r.ClientOrderId + " was refused: " + sent.Reason.ToString();
                continue;
            }

            t.UnwindSwaps.Add(unwindId);
        }

        t.Reversals = reversals;
        return t.UnwindSwaps.Count > 0;
    }

    // A book leg: its order and what it should yield (base bought with the quote in, or quote from the base sold).
    private double PlanOrder(IPaperBooks books, VenueId venue, InstrumentId instrument, bool buy, double amountIn, string legId, int strategy,
        List<PaperOrderRequest> orders, Dictionary<(int, int, string), double> need)
    {
        PaperInstrumentSpec? spec = _exchange.Instrument(instrument);
        PaperVenueSpec? v = _exchange.Venue(venue);
        ReadOnlySpan<BookLevel> top = books.Levels(venue, instrument, buy ? Side.Ask : Side.Bid);
        if (spec is null || v is null || top.IsEmpty)
        {
            return 0;
        }

        double price = top[0].Price.Raw / Math.Pow(10, spec.PriceDecimals);
        double qtyScale = Math.Pow(10, spec.QuantityDecimals);
        double quantity = Math.Floor((buy ? amountIn / (price * (1 + v.TakerFee)) : amountIn) * qtyScale) / qtyScale;
        if (!(quantity > 0) || !(price > 0))
        {
            return 0;
        }

        orders.Add(new PaperOrderRequest(legId, strategy, venue, instrument, buy ? Side.Bid : Side.Ask, PaperOrderKind.Market, new Quantity((long)Math.Round(quantity * qtyScale)), default));
        Need(need, 0, venue.Value, buy ? spec.Quote : spec.Base, buy ? quantity * price * (1 + v.TakerFee) : quantity);
        return buy ? quantity : quantity * price * (1 - v.TakerFee);
    }

    // A pool leg: its swap, the least it may return, and what it should yield at the venue's state now.
    private double PlanSwap(int pool, bool zeroForOne, double amountIn, string legId, int strategy, List<PaperSwapRequest> swaps, Dictionary<(int, int, string), double> need)
    {
        (string tokenIn, int decimalsIn) = _dex.TokenOf(pool, zeroForOne, input: true);
        (_, int decimalsOut) = _dex.TokenOf(pool, zeroForOne, input: false);
        if (!Amounts.TryToRaw(amountIn, decimalsIn, out UInt256 raw) || raw.IsZero || !_dex.TryQuote(pool, zeroForOne, raw, out UInt256 quoted))
        {
            return 0;
        }

        double expected = Amounts.ToTokens(quoted, decimalsOut);
        _ = Amounts.TryToRaw(expected * (1 - _slippage), decimalsOut, out UInt256 minimum);
        swaps.Add(new PaperSwapRequest(legId, strategy, pool, zeroForOne, raw, minimum));
        Need(need, 1, _dex.ChainOf(pool), tokenIn, Amounts.ToTokens(raw, decimalsIn));
        return expected;
    }

    private static void Need(Dictionary<(int, int, string), double> need, int kind, int place, string asset, double amount) =>
        need[(kind, place, asset)] = need.GetValueOrDefault((kind, place, asset)) + amount;

    private void Close(Open t, long nowNs)
    {
        double pnl = -t.BridgeFeesQuote - t.FeesQuote - t.UnwindFeesQuote;
        double gas = 0;
        int filled = t.FilledOrders;
        long block = 0;
        string? failure = LegFailure(t);
        foreach (string swapId in t.Swaps)
        {
            PaperSwapState s = _dex.Status(swapId);
            block = Math.Max(block, s.Block);
            filled += s.Status == PaperSwapStatus.Filled ? 1 : 0;
        }

        // Every order and swap of the trade and of its unwind, marked now.
        foreach (List<PaperOrderRequest> orders in (List<PaperOrderRequest>[])[t.OrdersSent, t.UnwindOrders])
        {
            foreach (PaperOrderRequest r in orders)
            {
                PaperOrderState s = _exchange.Status(r.ClientOrderId);
                PaperInstrumentSpec spec = _exchange.Instrument(r.Instrument)!;
                double baseQty = r.Side == Side.Bid ? s.FilledQuantity : -s.FilledQuantity;
                pnl += (baseQty * _price(spec.Base)) - (baseQty * s.AveragePrice * _price(spec.Quote));
            }
        }

        int reversed = t.UnwindFilledOrders;
        foreach (List<string> swaps in (List<string>[])[t.Swaps, t.UnwindSwaps])
        {
            foreach (string swapId in swaps)
            {
                PaperSwapState s = _dex.Status(swapId);
                gas += s.GasNative * _price(_dex.NativeOf(swapId));
                pnl += _dex.FlowValueOf(swapId, _price);
                if (swaps == t.UnwindSwaps)
                {
                    block = Math.Max(block, s.Block);
                    reversed += s.Status == PaperSwapStatus.Filled ? 1 : 0;
                    t.UnwindFailure ??= s.Status == PaperSwapStatus.Filled ? null : "the reversal " + swapId + " " + s.Status.ToString().ToLowerInvariant() + " " + s.Reason.ToString();
                }
            }
        }

        string? unwind = null;
        if (t.Unwinding && t.Reversals > 0)
        {
            t.UnwindFailure ??= reversed < t.Reversals ? "a reversing market order filled short" : null;
            unwind = t.UnwindFailure is null
                ? "unwound " + Legs(reversed)
                : string.Create(CultureInfo.InvariantCulture, $"unwound {reversed} of {Legs(t.Reversals)}; {t.UnwindFailure}");
        }

        PaperGraphOutcome outcome = failure is null ? PaperGraphOutcome.Filled : t.Atomic ? PaperGraphOutcome.Reverted : PaperGraphOutcome.LegFailed;
        Totals totals = _totals[(int)t.Kind];
        switch (outcome)
        {
            case PaperGraphOutcome.Filled:
                totals.Filled++;
                break;
            case PaperGraphOutcome.Reverted:
                totals.Reverted++;
                break;
            default:
                totals.LegFailed++;
                totals.Unwound += unwind is not null && t.UnwindFailure is null ? 1 : 0;
                totals.UnwindShort += t.UnwindFailure is not null ? 1 : 0;
                break;
        }

        double fees = t.FeesQuote + t.UnwindFeesQuote + t.BridgeFeesQuote;
        (totals.Gas, totals.Fees, totals.Pnl) = (totals.Gas + gas, totals.Fees + fees, totals.Pnl + pnl);
        _gate.OnTradeClosed(pnl, nowNs);
        Closed?.Invoke(new PaperGraphTrade(t.Id, t.Kind, outcome, t.Legs, filled, pnl, gas, fees, block, t.DecisionTimeNs, nowNs, failure, t.Atomic, unwind));
    }

    private static string Legs(int n) => n == 1 ? "1 leg" : n.ToString(CultureInfo.InvariantCulture) + " legs";

    private sealed class Totals
    {
        public long Trades;
        public long Filled;
        public long LegFailed;
        public long Unwound;
        public long UnwindShort;
        public long Reverted;
        public long Unfunded;
        public long Unplanned;
        public long Denied;
        public long Busy;
        public double Gas;
        public double Fees;
        public double Pnl;
    }

    private sealed record Open(string Id, OpportunityKind Kind, long DecisionTimeNs, int Legs, List<string> Swaps, List<PaperOrderRequest> OrdersSent, int FilledOrders, bool Atomic)
    {
        public double FeesQuote { get; init; }

        public double BridgeFeesQuote { get; init; }

        public bool Refused { get; init; }

        public List<PaperSwapRequest> SwapsSent { get; init; } = [];

        public bool Unwinding { get; set; }

        /// <summary>Legs the unwind set out to reverse.</summary>
        public int Reversals { get; set; }

        public List<PaperOrderRequest> UnwindOrders { get; set; } = [];

        public int UnwindFilledOrders { get; set; }

        public double UnwindFeesQuote { get; set; }

        public List<string> UnwindSwaps { get; } = [];

        /// <summary>Why the unwind fell short (exposure left as marked inventory); null while it has not.</summary>
        public string? UnwindFailure { get; set; }
    }
}
