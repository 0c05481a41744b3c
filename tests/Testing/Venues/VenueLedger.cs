using LowLatency.Adapters.Cex.Execution;

namespace LowLatency.Testing.Venues;

/// <summary>What the loopback venue does with the next order it is sent (queued by the test, one per place).</summary>
public enum VenuePlay
{
    /// <summary>Accept and rest on the book (the default when nothing is queued).</summary>
    Rest,

    /// <summary>Accept and fill the whole quantity at the limit price, in two trades.</summary>
    Fill,

    /// <summary>Accept and fill 40 % at the limit price.</summary>
    PartialFill,
    InsufficientBalance,
    MinNotional,
    PriceFilter,

    /// <summary>Accept the order, then hold the answer past the client's timeout (the answer is lost; the order exists).</summary>
    AcceptThenStall,

    /// <summary>Accept the order, then drop the connection without answering.</summary>
    AcceptThenDrop,

    /// <summary>Drop the connection before the order is taken (the venue never has it).</summary>
    DropBeforeAccept,

    /// <summary>429 with Retry-After: 7 (seconds).</summary>
    RateLimit,

    /// <summary>A 5xx after the order was taken (Binance: "unknown status").</summary>
    ServerErrorAfterAccept,
}

/// <summary>One order on the loopback venue's book.</summary>
public sealed class LoopbackOrder
{
    public required string ClientOrderId { get; init; }

    public required string VenueOrderId { get; init; }

    public required string Symbol { get; init; }

    public required bool Buy { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal Price { get; init; }

    public decimal Filled { get; internal set; }

    public decimal Notional { get; internal set; }

    /// <summary>New, PartiallyFilled, Filled, Cancelled.</summary>
    public string Status { get; internal set; } = "New";

    public decimal AveragePrice => Filled > 0 ? Notional / Filled : 0;

    public List<LoopbackFill> Fills { get; } = [];

    public bool Working => Status is "New" or "PartiallyFilled";
}

public sealed record LoopbackFill(string TradeId, decimal Quantity, decimal Price);

/// <summary>A change on the loopback venue that its private stream reports.</summary>
public sealed record LedgerEvent(string Kind, LoopbackOrder Order, LoopbackFill? Fill);

/// <summary>
/// The matching state of a loopback venue, shared by every dialect (Binance, Bybit, OKX): orders by client id, balances,
/// the plays the test queued for the next orders, and the server's clock skew. Thread-safe (one lock): requests arrive
/// on Kestrel's threads.
/// </summary>
public sealed class VenueLedger
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LoopbackOrder> _orders = new(StringComparer.Ordinal);
    private readonly Queue<VenuePlay> _plays = new();
    private long _nextOrderId = 1000;
    private long _nextTradeId = 5000;
    private readonly Dictionary<string, SymbolRules> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unlisted = new(StringComparer.Ordinal);
    private int _ruleRefusals;
    private int _rulesRequests;

    /// <summary>Balances the account endpoint reports.</summary>
    public Dictionary<string, decimal> Balances { get; } = new(StringComparer.Ordinal) { ["BTC"] = 1m, ["USDT"] = 100_000m };

    /// <summary>The venue's clock minus the real one (ms): a request stamped by a client this far off is out of its window.</summary>
    public long ClockSkewMs { get; set; }

    /// <summary>The next cancel loses to a fill: the order fills completely first, and the cancel is refused as unknown.</summary>
    public bool NextCancelLosesToFill { get; set; }

    /// <summary>Every private stream event, in order (what the streams sent).</summary>
    public event Action<LedgerEvent>? Changed;

    public int PlacesTaken { get; private set; }

    private int _badSignatures;
    private int _requests;

    public int BadSignatures => Volatile.Read(ref _badSignatures);

    public int RequestsSeen => Volatile.Read(ref _requests);

    internal void CountBadSignature() => Interlocked.Increment(ref _badSignatures);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    public long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + ClockSkewMs;

    public void Play(params VenuePlay[] plays)
    {
        lock (_gate)
        {
            foreach (VenuePlay p in plays)
            {
                _plays.Enqueue(p);
            }
        }
    }

    public LoopbackOrder? Get(string clientOrderId)
    {
        lock (_gate)
        {
            return _orders.GetValueOrDefault(clientOrderId);
        }
    }

    public LoopbackOrder? GetByVenueId(string venueOrderId)
    {
        lock (_gate)
        {
            foreach (LoopbackOrder o in _orders.Values)
            {
                if (o.VenueOrderId == venueOrderId)
                {
                    return o;
                }
            }

            return null;
        }
    }

    public IReadOnlyList<LoopbackOrder> Open()
    {
        lock (_gate)
        {
            var open = new List<LoopbackOrder>();
            foreach (LoopbackOrder o in _orders.Values)
            {
                if (o.Working)
                {
                    open.Add(o);
                }
            }

            return open;
        }
    }

    /// <summary>
    /// The rules of a symbol the test set none for: the finest grid every venue can state (Kraken's are decimal places),
    /// 8 decimals for price and quantity, no minimum. Every order of a test that does not care about rules fits it.
    /// </summary>
    public static readonly SymbolRules DefaultRules = new(0.00000001m, 0.00000001m, 0, 0);

    /// <summary>
    /// The order rules the venue serves for <paramref name="symbol"/> on its public instrument endpoint and enforces on
    /// every order (<see cref="DefaultRules"/> until set; <see cref="Unlist"/> makes the venue not know the symbol).
    /// </summary>
    public void SetRules(string symbol, SymbolRules rules)
    {
        lock (_gate)
        {
            _rules[symbol] = rules;
            _unlisted.Remove(symbol);
        }
    }

    /// <summary>The venue no longer lists <paramref name="symbol"/>: its instrument endpoint answers "unknown symbol".</summary>
    public void Unlist(string symbol)
    {
        lock (_gate)
        {
            _unlisted.Add(symbol);
        }
    }

    /// <summary>The asset names the instrument endpoints give for a symbol whose rules name none (the keys of <see cref="Balances"/>).</summary>
    public string BaseAsset { get; set; } = "BTC";

    /// <inheritdoc cref="BaseAsset"/>
    public string QuoteAsset { get; set; } = "USDT";

    /// <summary>The symbol's rules, with <see cref="BaseAsset"/>/<see cref="QuoteAsset"/> where they name none; null when the venue does not list it (<see cref="Unlist"/>).</summary>
    public SymbolRules? Rules(string symbol)
    {
        lock (_gate)
        {
            if (_unlisted.Contains(symbol))
            {
                return null;
            }

            SymbolRules r = _rules.GetValueOrDefault(symbol) ?? DefaultRules;
            return r with { BaseAsset = r.BaseAsset.Length > 0 ? r.BaseAsset : BaseAsset, QuoteAsset = r.QuoteAsset.Length > 0 ? r.QuoteAsset : QuoteAsset };
        }
    }

    /// <summary>How often the public instrument endpoint was asked (the dialects count each call).</summary>
    public int RulesRequests => Volatile.Read(ref _rulesRequests);

    /// <summary>Dialects: one call of the public instrument endpoint.</summary>
    public void CountRulesRequest() => Interlocked.Increment(ref _rulesRequests);

    /// <summary>The rule an order breaks, counted in <see cref="RuleRefusals"/> (the dialect refuses it in the venue's words).</summary>
    public RuleBreach Check(string symbol, decimal quantity, decimal price)
    {
        RuleBreach breach = Rules(symbol)?.Check(quantity, price) ?? RuleBreach.None;
        if (breach != RuleBreach.None)
        {
            Interlocked.Increment(ref _ruleRefusals);
        }

        return breach;
    }

    /// <summary>Orders refused for breaking the symbol's rules.</summary>
    public int RuleRefusals => Volatile.Read(ref _ruleRefusals);

    /// <summary>The play for the next order (Rest when none is queued).</summary>
    public VenuePlay NextPlay()
    {
        lock (_gate)
        {
            return _plays.TryDequeue(out VenuePlay p) ? p : VenuePlay.Rest;
        }
    }

    /// <summary>Takes an order (the plays that accept it). A client id already on the book is a duplicate: null.</summary>
    public LoopbackOrder? Take(string clientOrderId, string symbol, bool buy, decimal quantity, decimal price, VenuePlay play)
    {
        LoopbackOrder order;
        lock (_gate)
        {
            if (_orders.ContainsKey(clientOrderId))
            {
                return null;
            }

            order = new LoopbackOrder
            {
                ClientOrderId = clientOrderId, VenueOrderId = (++_nextOrderId).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Symbol = symbol, Buy = buy, Quantity = quantity, Price = price,
            };
            _orders.Add(clientOrderId, order);
            PlacesTaken++;
        }

        Raise(new LedgerEvent("New", order, null));
        if (play == VenuePlay.Fill)
        {
            decimal half = decimal.Round(quantity / 2, 8);
            Fill(order, half, price);
            Fill(order, quantity - half, price);
        }
        else if (play == VenuePlay.PartialFill)
        {
            Fill(order, decimal.Round(quantity * 0.4m, 8), price);
        }

        return order;
    }

    /// <summary>A fill on the venue (out of band: as if another participant traded against the order).</summary>
    public LoopbackFill? Fill(LoopbackOrder order, decimal quantity, decimal price)
    {
        ArgumentNullException.ThrowIfNull(order);
        LoopbackFill fill;
        lock (_gate)
        {
            if (!order.Working)
            {
                return null;
            }

            quantity = Math.Min(quantity, order.Quantity - order.Filled);
            fill = new LoopbackFill((++_nextTradeId).ToString(System.Globalization.CultureInfo.InvariantCulture), quantity, price);
            order.Fills.Add(fill);
            order.Filled += quantity;
            order.Notional += quantity * price;
            order.Status = order.Filled >= order.Quantity ? "Filled" : "PartiallyFilled";
            string baseAsset = order.Symbol.Replace("-", "", StringComparison.Ordinal)[..3];
            baseAsset = baseAsset == "XBT" ? "BTC" : baseAsset;
            Balances[baseAsset] = Balances.GetValueOrDefault(baseAsset) + (order.Buy ? quantity : -quantity);
        }

        Raise(new LedgerEvent("Trade", order, fill));
        return fill;
    }

    /// <summary>Cancels: the order, or null when the venue does not have it working (unknown, filled, cancelled).</summary>
    public LoopbackOrder? Cancel(string clientOrderId)
    {
        LoopbackOrder? order = Get(clientOrderId);
        if (order is null)
        {
            return null;
        }

        if (NextCancelLosesToFill)
        {
            NextCancelLosesToFill = false;
            Fill(order, order.Quantity - order.Filled, order.Price);
        }

        lock (_gate)
        {
            if (!order.Working)
            {
                return null;
            }

            order.Status = "Cancelled";
        }

        Raise(new LedgerEvent("Cancelled", order, null));
        return order;
    }

    /// <summary>Sends an event again to the streams (a duplicate fill, an ack after a cancel).</summary>
    public void Replay(LedgerEvent e) => Changed?.Invoke(e);

    /// <summary>While set, changes are not streamed (they happen while the client is not listening).</summary>
    public bool MuteStreams { get; set; }

    /// <summary>Every change, streamed or not, in order (for replays).</summary>
    public List<LedgerEvent> History { get; } = [];

    private void Raise(LedgerEvent e)
    {
        lock (History)
        {
            History.Add(e);
        }

        if (!MuteStreams)
        {
            Changed?.Invoke(e);
        }
    }
}
