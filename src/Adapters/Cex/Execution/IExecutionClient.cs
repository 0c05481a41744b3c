namespace LowLatency.Adapters.Cex.Execution;

/// <summary>Why a venue call did not do what was asked, as a value (DESIGN §5): venue errors are never exceptions.</summary>
public enum ExecError : byte
{
    None,

    /// <summary>Not enough free balance for the order (Binance -2010, Bybit 170131, OKX 51008, Kraken EOrder:Insufficient funds, Coinbase INSUFFICIENT_FUND).</summary>
    InsufficientBalance,

    /// <summary>Off the lot step or below the venue's least quantity or value (Binance NOTIONAL/LOT_SIZE filter, Bybit 170136/170137/170140, OKX 51020/51121, Kraken EOrder:Order/Cost minimum not met, Coinbase …SIZE_TOO_SMALL/…SIZE_PRECISION).</summary>
    MinNotional,

    /// <summary>Price outside the venue's band or off its tick (Binance PRICE_FILTER/PERCENT_PRICE, Bybit 170132-170134, OKX 51006/51000 px, Kraken EOrder:Invalid price, Coinbase INVALID_LIMIT_PRICE…).</summary>
    PriceFilter,

    /// <summary>Our timestamp is outside the venue's window (Binance -1021, Bybit 10002, OKX 50102/50112, Kraken EAPI:Invalid nonce, Coinbase expired JWT).</summary>
    ClockSkew,

    /// <summary>The venue does not know the order (Binance -2011/-2013, Bybit 110001/170213, OKX 51603, Kraken EOrder:Unknown order).</summary>
    UnknownOrder,

    /// <summary>429 (or Binance 418): <see cref="ExecResult{T}.RetryAfter"/> says how long not to send.</summary>
    RateLimited,

    /// <summary>The venue refused our signature (Binance -1022, Bybit 10004, OKX 50113, Kraken EAPI:Invalid signature, Coinbase 401).</summary>
    InvalidSignature,

    /// <summary>The venue does not know the key or it lacks the permission (Binance -2014/-2015, Bybit 10003, OKX 50111, Kraken EAPI:Invalid key).</summary>
    InvalidKey,

    /// <summary>The client order id was already used (a retry of an order the venue has): ask for its status.</summary>
    DuplicateClientOrderId,

    /// <summary>Any other venue refusal; the venue's code and message are in the detail.</summary>
    Rejected,

    /// <summary>No answer in time: the outcome is unknown until the order's status is asked.</summary>
    Timeout,

    /// <summary>The connection failed or was dropped: the outcome is unknown until the order's status is asked.</summary>
    Transport,

    /// <summary>The venue answered 5xx or something we cannot read: the outcome is unknown.</summary>
    VenueUnavailable,

    /// <summary>The answer was not in the venue's documented shape (a missing field, a non-number): counted, never applied.</summary>
    Malformed,
}

/// <summary>
/// One venue call's result: a value, or the error with the venue's code/message (never a key) and, when rate-limited,
/// how long to wait.
/// </summary>
public readonly record struct ExecResult<T>(T? Value, ExecError Error, string? Detail, TimeSpan RetryAfter = default)
{
    public bool Ok => Error == ExecError.None;

    /// <summary>The request may or may not have reached the venue: its outcome must be read back before resending.</summary>
    public bool OutcomeUnknown => Error is ExecError.Timeout or ExecError.Transport or ExecError.VenueUnavailable;

    public static ExecResult<T> Success(T value) => new(value, ExecError.None, null);

    public static ExecResult<T> Fail(ExecError error, string? detail, TimeSpan retryAfter = default) => new(default, error, detail, retryAfter);

    /// <summary>The same failure for a result of another type.</summary>
    public ExecResult<TOther> As<TOther>() => new(default, Error, Detail, RetryAfter);
}

/// <summary>A limit order (good till cancelled) as the engine asks for it; the symbol is the venue's spelling.</summary>
public sealed record OrderRequest(string ClientOrderId, string Symbol, bool Buy, decimal Quantity, decimal Price);

/// <summary>Where the venue says an order stands.</summary>
public enum VenueOrderStatus : byte
{
    New,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Expired,
}

/// <summary>
/// An order as the venue reports it: ids, cumulative fill and its average price. <paramref name="Fills"/> holds the
/// fills with trade ids when the venue sends them with the answer (Binance FULL); otherwise it is empty and the
/// cumulative fill is what counts.
/// </summary>
public sealed record VenueOrder(
    string ClientOrderId,
    string VenueOrderId,
    string Symbol,
    bool Buy,
    decimal Quantity,
    decimal Price,
    decimal CumulativeFilled,
    decimal AveragePrice,
    VenueOrderStatus Status,
    IReadOnlyList<VenueFill> Fills);

/// <summary>One fill the venue reported with an order answer or on its private stream.</summary>
public readonly record struct VenueFill(string TradeId, decimal Quantity, decimal Price);

/// <summary>
/// One venue's order entry (DESIGN §5): place, cancel, status, open orders, balances. Every venue error, timeout and
/// malformed answer is an <see cref="ExecResult{T}"/>; only a programming error throws. Warm path (its own I/O thread).
/// </summary>
public interface IExecutionClient : IDisposable
{
    /// <summary>The venue name (binance, bybit, okx, kraken, coinbase).</summary>
    string Venue { get; }

    Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel);

    /// <summary>Asks to cancel; the answer is the venue's acceptance (its order id), the order's final state comes from <see cref="StatusAsync"/>.</summary>
    Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel);

    Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel);

    Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel);

    /// <summary>Total balance per asset (free + locked), in the venue's asset names.</summary>
    Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel);

    /// <summary>
    /// The symbol's order rules from the venue's public instrument endpoint (tick, lot step, least quantity and value);
    /// an unknown symbol is <see cref="ExecError.Rejected"/>, an answer without them <see cref="ExecError.Malformed"/>.
    /// </summary>
    Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel);
}
