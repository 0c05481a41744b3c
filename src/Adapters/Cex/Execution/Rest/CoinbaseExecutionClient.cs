using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution.Rest;

/// <summary>
/// Coinbase Advanced Trade order entry (https://docs.cdp.coinbase.com/advanced-trade/reference): <c>POST
/// /api/v3/brokerage/orders</c> (<c>limit_limit_gtc</c>, <c>client_order_id</c>, which Coinbase deduplicates: a resend
/// returns the first order), <c>POST …/orders/batch_cancel</c>, <c>GET …/orders/historical/{order_id}</c>,
/// <c>GET …/orders/historical/batch?order_status=OPEN</c>, <c>GET …/accounts</c>. Each call carries its own ES256 JWT
/// (<see cref="CoinbaseJwtSigner"/>) whose <c>uri</c> claim is the method, host and path.
/// </summary>
public sealed class CoinbaseExecutionClient : RestExecutionClient
{
    private const string Orders = "/api/v3/brokerage/orders";
    private readonly CoinbaseJwtSigner _signer;

    private CoinbaseExecutionClient(ExecutionClientOptions options, CoinbaseJwtSigner signer)
        : base("coinbase", options) => _signer = signer;

    /// <summary>The client, or null with <paramref name="error"/> naming the variable (never its value) when the key is not a P-256 PEM.</summary>
    public static CoinbaseExecutionClient? TryCreate(ExecutionClientOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        CoinbaseJwtSigner? signer = CoinbaseJwtSigner.TryCreate(options.ApiKey, options.Secret);
        error = signer is null ? "COINBASE_API_PRIVATE_KEY: not an EC P-256 private key PEM" : null;
        return signer is null ? null : new CoinbaseExecutionClient(options, signer);
    }

    public override async Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(order);
        string body = $$"""{"client_order_id":{{RestJson.Quote(order.ClientOrderId)}},"product_id":{{RestJson.Quote(order.Symbol)}},"side":"{{(order.Buy ? "BUY" : "SELL")}}","order_configuration":{"limit_limit_gtc":{"base_size":"{{RestJson.Num(order.Quantity)}}","limit_price":"{{RestJson.Num(order.Price)}}","post_only":false""" + "}}}";
        RestReply reply = await SendSignedAsync(HttpMethod.Post, Orders, body, cancel).ConfigureAwait(false);
        return Read(reply, root =>
        {
            if (RestJson.Has(root, "success", out JsonElement success) && success.ValueKind == JsonValueKind.False)
            {
                JsonElement error = RestJson.Has(root, "error_response", out JsonElement e) ? e : default;
                string reason = RestJson.Str(error, "error") ?? RestJson.Str(root, "failure_reason") ?? "UNKNOWN_FAILURE_REASON";
                string preview = RestJson.Str(error, "preview_failure_reason") ?? "";
                return ExecResult<VenueOrder>.Fail(MapError(reason, preview), Excerpt($"coinbase {reason} {preview} {RestJson.Str(error, "message")}"));
            }

            return RestJson.Has(root, "success_response", out JsonElement ok) && RestJson.Str(ok, "order_id") is { Length: > 0 } id
                ? ExecResult<VenueOrder>.Success(new VenueOrder(order.ClientOrderId, id, order.Symbol, order.Buy, order.Quantity, order.Price, 0, 0, VenueOrderStatus.New, []))
                : Malformed<VenueOrder>("order answer without success_response.order_id");
        });
    }

    public override async Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        if (venueOrderId is null)
        {
            ExecResult<VenueOrder> found = await StatusAsync(symbol, clientOrderId, null, cancel).ConfigureAwait(false);
            if (!found.Ok)
            {
                return found.As<string>();
            }

            venueOrderId = found.Value!.VenueOrderId;
        }

        RestReply reply = await SendSignedAsync(HttpMethod.Post, Orders + "/batch_cancel", $$"""{"order_ids":[{{RestJson.Quote(venueOrderId)}}]}""", cancel).ConfigureAwait(false);
        return Read(reply, root =>
        {
            if (!RestJson.Has(root, "results", out JsonElement results) || results.ValueKind != JsonValueKind.Array || results.GetArrayLength() == 0)
            {
                return Malformed<string>("batch_cancel answer without results");
            }

            JsonElement r = results[0];
            return RestJson.Has(r, "success", out JsonElement s) && s.ValueKind == JsonValueKind.True
                ? ExecResult<string>.Success(RestJson.Str(r, "order_id") ?? venueOrderId)
                : ExecResult<string>.Fail(RestJson.Str(r, "failure_reason") is "UNKNOWN_CANCEL_ORDER" or "DUPLICATE_CANCEL_REQUEST" ? ExecError.UnknownOrder : ExecError.Rejected,
                    Excerpt($"coinbase cancel {RestJson.Str(r, "failure_reason")}"));
        });
    }

    public override async Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        if (venueOrderId is null)
        {
            // The place answer was lost: our client id among the open orders; not there, the resend is safe (Coinbase deduplicates client_order_id).
            ExecResult<IReadOnlyList<VenueOrder>> open = await OpenOrdersAsync(cancel).ConfigureAwait(false);
            if (!open.Ok)
            {
                return open.As<VenueOrder>();
            }

            foreach (VenueOrder o in open.Value!)
            {
                if (o.ClientOrderId == clientOrderId)
                {
                    return ExecResult<VenueOrder>.Success(o);
                }
            }

            return ExecResult<VenueOrder>.Fail(ExecError.UnknownOrder, "coinbase: no open order with that client_order_id");
        }

        RestReply reply = await SendSignedAsync(HttpMethod.Get, Orders + "/historical/" + Uri.EscapeDataString(venueOrderId), "", cancel).ConfigureAwait(false);
        if (reply.Status == 404)
        {
            return ExecResult<VenueOrder>.Fail(ExecError.UnknownOrder, "coinbase: order not found");
        }

        return Read(reply, static root => RestJson.Has(root, "order", out JsonElement o) ? ReadOrder(o) : Malformed<VenueOrder>("answer without order"));
    }

    public override async Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel)
    {
        RestReply reply = await SendSignedAsync(HttpMethod.Get, Orders + "/historical/batch?order_status=OPEN", "", cancel).ConfigureAwait(false);
        return Read(reply, static root =>
        {
            if (!RestJson.Has(root, "orders", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                return Malformed<IReadOnlyList<VenueOrder>>("answer without orders");
            }

            var orders = new List<VenueOrder>();
            foreach (JsonElement o in list.EnumerateArray())
            {
                ExecResult<VenueOrder> one = ReadOrder(o);
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
        RestReply reply = await SendSignedAsync(HttpMethod.Get, "/api/v3/brokerage/accounts", "", cancel).ConfigureAwait(false);
        return Read(reply, static root =>
        {
            if (!RestJson.Has(root, "accounts", out JsonElement accounts) || accounts.ValueKind != JsonValueKind.Array)
            {
                return Malformed<IReadOnlyDictionary<string, decimal>>("answer without accounts");
            }

            var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (JsonElement a in accounts.EnumerateArray())
            {
                if (RestJson.Str(a, "currency") is not { } ccy || !RestJson.Has(a, "available_balance", out JsonElement avail) || !RestJson.TryDec(avail, "value", out decimal free))
                {
                    return Malformed<IReadOnlyDictionary<string, decimal>>("account without currency/available_balance");
                }

                decimal hold = RestJson.Has(a, "hold", out JsonElement h) && RestJson.TryDec(h, "value", out decimal held) ? held : 0;
                balances[ccy] = free + hold;
            }

            return ExecResult<IReadOnlyDictionary<string, decimal>>.Success(balances);
        });
    }

    /// <summary>
    /// The product's rules from the public <c>GET /api/v3/brokerage/market/products/{product_id}</c> (no JWT):
    /// price_increment (quote_increment where it is absent), base_increment, base_min_size and quote_min_size (the least
    /// order value). An unknown product is HTTP 404 (Rejected).
    /// </summary>
    public override async Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        RestReply reply = await PublicGetAsync("/api/v3/brokerage/market/products/" + Uri.EscapeDataString(symbol), cancel).ConfigureAwait(false);
        return Read(reply, root =>
        {
            if (RestJson.Str(root, "product_id") != symbol)
            {
                return Malformed<SymbolRules>("product answer for another product_id");
            }

            string tickField = RestJson.Str(root, "price_increment") is { Length: > 0 } ? "price_increment" : "quote_increment";
            return RestJson.TryDec(root, tickField, out decimal tick) && RestJson.TryDec(root, "base_increment", out decimal step)
                && RestJson.TryDec(root, "base_min_size", out decimal min) && RestJson.TryDecOrZero(root, "quote_min_size", out decimal minValue)
                ? Rules("coinbase", tick, step, min, minValue, RestJson.Str(root, "base_currency_id"), RestJson.Str(root, "quote_currency_id"))
                : Malformed<SymbolRules>(symbol + " without price_increment/base_increment/base_min_size");
        });
    }

    /// <summary>A Coinbase failure (error / preview_failure_reason) mapped to its reason.</summary>
    public static ExecError MapError(string error, string preview)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(preview);
        string text = error + " " + preview;
        return text.Contains("INSUFFICIENT_FUND", StringComparison.Ordinal) ? ExecError.InsufficientBalance
            : text.Contains("SIZE_TOO_SMALL", StringComparison.Ordinal) || text.Contains("BELOW_MIN", StringComparison.Ordinal) || text.Contains("SIZE_PRECISION", StringComparison.Ordinal) ? ExecError.MinNotional
            : text.Contains("PRICE", StringComparison.Ordinal) ? ExecError.PriceFilter
            : ExecError.Rejected;
    }

    protected override void DisposeKeys() => _signer.Dispose();

    private Task<RestReply> SendSignedAsync(HttpMethod method, string pathAndQuery, string body, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        int query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        string path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        string jwt = _signer.CreateToken(method.Method, Options.BaseUrl.Host + path, NowMs / 1000);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        return SendAsync(request, cancel);
    }

    private static ExecResult<T> Read<T>(in RestReply reply, Func<JsonElement, ExecResult<T>> read)
    {
        if (!Readable(reply))
        {
            return TransportFailure<T>(reply);
        }

        if (reply.Status == 401)
        {
            // Coinbase answers a bad or expired JWT alike; an expired one is our clock (nbf/exp are ours).
            return ExecResult<T>.Fail(ExecError.InvalidSignature, "coinbase: HTTP 401 Unauthorized (JWT refused: signature, key or its nbf/exp window)");
        }

        using JsonDocument? doc = TryParse(reply.Body);
        if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Malformed<T>($"HTTP {reply.Status}: not a JSON object");
        }

        if (reply.Status != 200)
        {
            string error = RestJson.Str(doc.RootElement, "error") ?? "";
            return ExecResult<T>.Fail(MapError(error, ""), Excerpt($"coinbase HTTP {reply.Status} {error} {RestJson.Str(doc.RootElement, "message")}"));
        }

        return read(doc.RootElement);
    }

    private static ExecResult<T> Malformed<T>(string detail) => ExecResult<T>.Fail(ExecError.Malformed, "coinbase: " + detail);

    private static ExecResult<VenueOrder> ReadOrder(JsonElement o)
    {
        JsonElement limit = RestJson.Has(o, "order_configuration", out JsonElement config) && RestJson.Has(config, "limit_limit_gtc", out JsonElement gtc) ? gtc : default;
        if (RestJson.Str(o, "order_id") is not { } id || RestJson.Str(o, "product_id") is not { } product || !RestJson.TryDec(limit, "base_size", out decimal size)
            || !RestJson.TryDecOrZero(limit, "limit_price", out decimal price) || !RestJson.TryDecOrZero(o, "filled_size", out decimal filled)
            || !RestJson.TryDecOrZero(o, "average_filled_price", out decimal avg) || Status(RestJson.Str(o, "status"), filled) is not { } status)
        {
            return Malformed<VenueOrder>("order without order_id/product_id/limit_limit_gtc/status");
        }

        return ExecResult<VenueOrder>.Success(new VenueOrder(RestJson.Str(o, "client_order_id") ?? "", id, product, RestJson.Str(o, "side") == "BUY", size, price, filled, avg, status, []));
    }

    private static VenueOrderStatus? Status(string? text, decimal filled) => text switch
    {
        "PENDING" or "QUEUED" or "OPEN" or "CANCEL_QUEUED" => filled > 0 ? VenueOrderStatus.PartiallyFilled : VenueOrderStatus.New,
        "FILLED" => VenueOrderStatus.Filled,
        "CANCELLED" => VenueOrderStatus.Cancelled,
        "EXPIRED" => VenueOrderStatus.Expired,
        "FAILED" => VenueOrderStatus.Rejected,
        _ => null,
    };
}
