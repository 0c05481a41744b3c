using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution.Rest;

/// <summary>
/// Binance spot REST order entry (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/trading-endpoints):
/// <c>POST /api/v3/order</c> (LIMIT GTC, <c>newClientOrderId</c>, <c>newOrderRespType=FULL</c> so immediate fills come
/// back with their trade ids), <c>DELETE /api/v3/order</c>, <c>GET /api/v3/order</c>, <c>GET /api/v3/openOrders</c>,
/// <c>GET /api/v3/account</c>. SIGNED with HMAC-SHA256 (hex) or, when the secret is a PEM key, Ed25519 (base64,
/// percent-encoded); <c>X-MBX-APIKEY</c> header; errors <c>{"code":-2010,"msg":"…"}</c> mapped to <see cref="ExecError"/>.
/// </summary>
public sealed class BinanceExecutionClient : RestExecutionClient
{
    private readonly byte[]? _hmacSecret;
    private readonly BinanceEd25519Signer? _ed25519;

    private BinanceExecutionClient(ExecutionClientOptions options, byte[]? hmacSecret, BinanceEd25519Signer? ed25519)
        : base("binance", options)
    {
        _hmacSecret = hmacSecret;
        _ed25519 = ed25519;
    }

    /// <summary>Whether this client signs with Ed25519 (the secret was a PEM key).</summary>
    public bool UsesEd25519 => _ed25519 is not null;

    /// <summary>The client, or null with <paramref name="error"/> naming the problem (never the value) when the secret is an unreadable PEM.</summary>
    public static BinanceExecutionClient? TryCreate(ExecutionClientOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        error = null;
        if (BinanceEd25519Signer.IsPem(options.Secret))
        {
            BinanceEd25519Signer? signer = BinanceEd25519Signer.TryCreate(options.Secret);
            if (signer is null)
            {
                error = "BINANCE_API_SECRET: a PEM key that is not an Ed25519 PKCS#8 private key";
                return null;
            }

            return new BinanceExecutionClient(options, null, signer);
        }

        return new BinanceExecutionClient(options, Encoding.UTF8.GetBytes(options.Secret), null);
    }

    public override async Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(order);
        string query = $"symbol={Uri.EscapeDataString(order.Symbol)}&side={(order.Buy ? "BUY" : "SELL")}&type=LIMIT&timeInForce=GTC" +
            $"&quantity={RestJson.Num(order.Quantity)}&price={RestJson.Num(order.Price)}&newClientOrderId={Uri.EscapeDataString(order.ClientOrderId)}&newOrderRespType=FULL";
        RestReply reply = await SignedAsync(HttpMethod.Post, "/api/v3/order", query, cancel).ConfigureAwait(false);
        return Read(reply, static root => ReadOrder(root));
    }

    public override async Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        RestReply reply = await SignedAsync(HttpMethod.Delete, "/api/v3/order", OrderQuery(symbol, clientOrderId), cancel).ConfigureAwait(false);
        return Read(reply, static root => RestJson.Str(root, "orderId") is { } id ? ExecResult<string>.Success(id) : Malformed<string>("cancel answer without orderId"));
    }

    public override async Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        RestReply reply = await SignedAsync(HttpMethod.Get, "/api/v3/order", OrderQuery(symbol, clientOrderId), cancel).ConfigureAwait(false);
        return Read(reply, static root => ReadOrder(root));
    }

    public override async Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel)
    {
        RestReply reply = await SignedAsync(HttpMethod.Get, "/api/v3/openOrders", "", cancel).ConfigureAwait(false);
        return Read(reply, static root =>
        {
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Malformed<IReadOnlyList<VenueOrder>>("openOrders answer is not an array");
            }

            var orders = new List<VenueOrder>();
            foreach (JsonElement item in root.EnumerateArray())
            {
                ExecResult<VenueOrder> one = ReadOrder(item);
                if (!one.Ok)
                {
                    return one.As<IReadOnlyList<VenueOrder>>();
                }

                orders.Add(one.Value!);
            }

            return ExecResult<IReadOnlyList<VenueOrder>>.Success(orders);
        });
    }

    public override async Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel)
    {
        RestReply reply = await SignedAsync(HttpMethod.Get, "/api/v3/account", "omitZeroBalances=true", cancel).ConfigureAwait(false);
        return Read(reply, static root =>
        {
            if (!RestJson.Has(root, "balances", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                return Malformed<IReadOnlyDictionary<string, decimal>>("account answer without balances");
            }

            var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (JsonElement b in list.EnumerateArray())
            {
                if (RestJson.Str(b, "asset") is not { } asset || !RestJson.TryDec(b, "free", out decimal free) || !RestJson.TryDec(b, "locked", out decimal locked))
                {
                    return Malformed<IReadOnlyDictionary<string, decimal>>("balance without asset/free/locked");
                }

                balances[asset] = free + locked;
            }

            return ExecResult<IReadOnlyDictionary<string, decimal>>.Success(balances);
        });
    }

    /// <summary>
    /// The symbol's filters from the public <c>GET /api/v3/exchangeInfo?symbol=</c>: PRICE_FILTER tickSize, LOT_SIZE
    /// stepSize and minQty, NOTIONAL (or the older MIN_NOTIONAL) minNotional; a filter the symbol lacks is no rule.
    /// An unknown symbol is Binance -1121 (Rejected).
    /// </summary>
    public override async Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        RestReply reply = await PublicGetAsync("/api/v3/exchangeInfo?symbol=" + Uri.EscapeDataString(symbol), cancel).ConfigureAwait(false);
        return Read(reply, root =>
        {
            if (!RestJson.TryFind(RestJson.Has(root, "symbols", out JsonElement symbols) ? symbols : default, "symbol", symbol, out bool listed, out JsonElement s))
            {
                return listed
                    ? ExecResult<SymbolRules>.Fail(ExecError.Rejected, "binance: exchangeInfo does not list " + Excerpt(symbol))
                    : Malformed<SymbolRules>("exchangeInfo answer without symbols");
            }

            if (!RestJson.Has(s, "filters", out JsonElement filters) || filters.ValueKind != JsonValueKind.Array)
            {
                return Malformed<SymbolRules>(symbol + " without filters");
            }

            decimal tick = 0, step = 0, minQty = 0, minNotional = 0;
            foreach (JsonElement f in filters.EnumerateArray())
            {
                bool read = RestJson.Str(f, "filterType") switch
                {
                    "PRICE_FILTER" => RestJson.TryDec(f, "tickSize", out tick),
                    "LOT_SIZE" => RestJson.TryDec(f, "stepSize", out step) && RestJson.TryDec(f, "minQty", out minQty),
                    "NOTIONAL" or "MIN_NOTIONAL" => RestJson.TryDec(f, "minNotional", out minNotional),
                    _ => true, // the filters we do not shape to (PERCENT_PRICE_BY_SIDE, MAX_NUM_ORDERS, …)
                };
                if (!read)
                {
                    return Malformed<SymbolRules>(symbol + ": a PRICE_FILTER/LOT_SIZE/NOTIONAL filter without its number");
                }
            }

            return Rules("binance", tick, step, minQty, minNotional, RestJson.Str(s, "baseAsset"), RestJson.Str(s, "quoteAsset"));
        });
    }

    /// <summary>The query as signed and sent: the parameters, recvWindow, timestamp, then the signature.</summary>
    public string SignQuery(string parameters, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string total = (parameters.Length > 0 ? parameters + "&" : "") +
            string.Create(CultureInfo.InvariantCulture, $"recvWindow={Options.RecvWindowMs}&timestamp={timestampMs}");
        string signature = _ed25519 is not null
            ? Uri.EscapeDataString(_ed25519.Sign(total))
            : BinanceHmacSigner.Sign(_hmacSecret, total);
        return total + "&signature=" + signature;
    }

    /// <summary>A Binance error body mapped to its reason (https://developers.binance.com/docs/binance-spot-api-docs/errors).</summary>
    public static ExecError MapError(int code, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return code switch
        {
            -1021 => ExecError.ClockSkew,
            -1022 => ExecError.InvalidSignature,
            -2014 or -2015 => ExecError.InvalidKey,
            -2011 or -2013 => ExecError.UnknownOrder,
            -1003 or -1015 => ExecError.RateLimited,
            -1013 when message.Contains("PRICE_FILTER", StringComparison.Ordinal) || message.Contains("PERCENT_PRICE", StringComparison.Ordinal) => ExecError.PriceFilter,
            -1013 when message.Contains("NOTIONAL", StringComparison.Ordinal) || message.Contains("LOT_SIZE", StringComparison.Ordinal) => ExecError.MinNotional,
            -2010 when message.Contains("insufficient balance", StringComparison.OrdinalIgnoreCase) => ExecError.InsufficientBalance,
            -2010 when message.Contains("Duplicate order", StringComparison.OrdinalIgnoreCase) => ExecError.DuplicateClientOrderId,
            -1000 or -1001 or -1006 or -1007 or -1008 => ExecError.VenueUnavailable,
            _ => ExecError.Rejected,
        };
    }

    protected override void DisposeKeys()
    {
        if (_hmacSecret is not null)
        {
            Array.Clear(_hmacSecret);
        }

        _ed25519?.Dispose();
    }

    private static string OrderQuery(string symbol, string clientOrderId) =>
        $"symbol={Uri.EscapeDataString(symbol)}&origClientOrderId={Uri.EscapeDataString(clientOrderId)}";

    private Task<RestReply> SignedAsync(HttpMethod method, string path, string parameters, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(method, path + "?" + SignQuery(parameters, NowMs));
        request.Headers.TryAddWithoutValidation("X-MBX-APIKEY", Options.ApiKey);
        return SendAsync(request, cancel);
    }

    private static ExecResult<T> Read<T>(in RestReply reply, Func<JsonElement, ExecResult<T>> read)
    {
        if (!Readable(reply))
        {
            return TransportFailure<T>(reply);
        }

        using JsonDocument? doc = TryParse(reply.Body);
        if (doc is null)
        {
            return Malformed<T>($"HTTP {reply.Status}: not JSON");
        }

        JsonElement root = doc.RootElement;
        if (reply.Status != 200 || (root.ValueKind == JsonValueKind.Object && RestJson.Has(root, "code", out _) && RestJson.Has(root, "msg", out _)))
        {
            int code = root.ValueKind == JsonValueKind.Object && RestJson.Has(root, "code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
            string message = RestJson.Str(root, "msg") ?? "";
            return ExecResult<T>.Fail(MapError(code, message), Excerpt($"binance {code} {message}"), reply.RetryAfter);
        }

        return read(root);
    }

    private static ExecResult<T> Malformed<T>(string detail) => ExecResult<T>.Fail(ExecError.Malformed, "binance: " + detail);

    private static ExecResult<VenueOrder> ReadOrder(JsonElement o)
    {
        if (RestJson.Str(o, "orderId") is not { } orderId || RestJson.Str(o, "clientOrderId") is not { } clientId || RestJson.Str(o, "symbol") is not { } symbol
            || !RestJson.TryDec(o, "origQty", out decimal quantity) || !RestJson.TryDecOrZero(o, "price", out decimal price)
            || !RestJson.TryDecOrZero(o, "executedQty", out decimal executed) || !RestJson.TryDecOrZero(o, "cummulativeQuoteQty", out decimal quote)
            || Status(RestJson.Str(o, "status")) is not { } status)
        {
            return Malformed<VenueOrder>("order without orderId/clientOrderId/symbol/origQty/status");
        }

        var fills = new List<VenueFill>();
        if (RestJson.Has(o, "fills", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement f in list.EnumerateArray())
            {
                if (RestJson.Str(f, "tradeId") is not { } tradeId || !RestJson.TryDec(f, "qty", out decimal qty) || !RestJson.TryDec(f, "price", out decimal px))
                {
                    return Malformed<VenueOrder>("fill without tradeId/qty/price");
                }

                fills.Add(new VenueFill(tradeId, qty, px));
            }
        }

        // A cancel's answer names the cancelled order in origClientOrderId and gives a fresh clientOrderId.
        string client = RestJson.Str(o, "origClientOrderId") ?? clientId;
        return ExecResult<VenueOrder>.Success(new VenueOrder(client, orderId, symbol, RestJson.Str(o, "side") == "BUY", quantity, price, executed,
            executed > 0 ? quote / executed : 0, status, fills));
    }

    private static VenueOrderStatus? Status(string? text) => text switch
    {
        "NEW" or "PENDING_NEW" => VenueOrderStatus.New,
        "PARTIALLY_FILLED" => VenueOrderStatus.PartiallyFilled,
        "PENDING_CANCEL" => VenueOrderStatus.New, // still working; the cumulative fill says how much
        "FILLED" => VenueOrderStatus.Filled,
        "CANCELED" => VenueOrderStatus.Cancelled,
        "REJECTED" => VenueOrderStatus.Rejected,
        "EXPIRED" or "EXPIRED_IN_MATCH" => VenueOrderStatus.Expired,
        _ => null,
    };
}
