using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution.Rest;

/// <summary>
/// Bybit v5 spot order entry (https://bybit-exchange.github.io/docs/v5/order/create-order): <c>POST /v5/order/create</c>
/// (Limit GTC, <c>orderLinkId</c>), <c>POST /v5/order/cancel</c>, <c>GET /v5/order/realtime</c> (one order, or the open
/// ones), <c>GET /v5/account/wallet-balance</c>. Signed in <c>X-BAPI-*</c> headers; every answer is
/// <c>{"retCode":0,"retMsg":"OK","result":{…}}</c>, a non-zero retCode mapped to <see cref="ExecError"/>.
/// </summary>
public sealed class BybitExecutionClient : RestExecutionClient
{
    private readonly byte[] _secret;

    public BybitExecutionClient(ExecutionClientOptions options)
        : base("bybit", options) => _secret = Encoding.UTF8.GetBytes(options.Secret);

    public override async Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(order);
        string body = $$"""{"category":"spot","symbol":{{RestJson.Quote(order.Symbol)}},"side":"{{(order.Buy ? "Buy" : "Sell")}}","orderType":"Limit","qty":"{{RestJson.Num(order.Quantity)}}","price":"{{RestJson.Num(order.Price)}}","timeInForce":"GTC","orderLinkId":{{RestJson.Quote(order.ClientOrderId)}}}""";
        RestReply reply = await PostAsync("/v5/order/create", body, cancel).ConfigureAwait(false);
        return Read(reply, result => RestJson.Str(result, "orderId") is { } id
            ? ExecResult<VenueOrder>.Success(new VenueOrder(order.ClientOrderId, id, order.Symbol, order.Buy, order.Quantity, order.Price, 0, 0, VenueOrderStatus.New, []))
            : Malformed<VenueOrder>("create answer without orderId"));
    }

    public override async Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        string body = $$"""{"category":"spot","symbol":{{RestJson.Quote(symbol)}},"orderLinkId":{{RestJson.Quote(clientOrderId)}}}""";
        RestReply reply = await PostAsync("/v5/order/cancel", body, cancel).ConfigureAwait(false);
        return Read(reply, static result => RestJson.Str(result, "orderId") is { } id ? ExecResult<string>.Success(id) : Malformed<string>("cancel answer without orderId"));
    }

    public override async Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        string query = $"category=spot&symbol={Uri.EscapeDataString(symbol)}&orderLinkId={Uri.EscapeDataString(clientOrderId)}";
        RestReply reply = await GetAsync("/v5/order/realtime", query, cancel).ConfigureAwait(false);
        return Read(reply, static result =>
        {
            ExecResult<IReadOnlyList<VenueOrder>> list = ReadList(result);
            return !list.Ok ? list.As<VenueOrder>()
                : list.Value!.Count == 0 ? ExecResult<VenueOrder>.Fail(ExecError.UnknownOrder, "bybit: no such orderLinkId")
                : ExecResult<VenueOrder>.Success(list.Value[0]);
        });
    }

    public override async Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel)
    {
        RestReply reply = await GetAsync("/v5/order/realtime", "category=spot&openOnly=0&limit=50", cancel).ConfigureAwait(false);
        return Read(reply, static result => ReadList(result));
    }

    public override async Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel)
    {
        RestReply reply = await GetAsync("/v5/account/wallet-balance", "accountType=UNIFIED", cancel).ConfigureAwait(false);
        return Read(reply, static result =>
        {
            var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
            if (!RestJson.Has(result, "list", out JsonElement accounts) || accounts.ValueKind != JsonValueKind.Array)
            {
                return Malformed<IReadOnlyDictionary<string, decimal>>("wallet-balance without list");
            }

            foreach (JsonElement account in accounts.EnumerateArray())
            {
                if (!RestJson.Has(account, "coin", out JsonElement coins) || coins.ValueKind != JsonValueKind.Array)
                {
                    return Malformed<IReadOnlyDictionary<string, decimal>>("account without coin");
                }

                foreach (JsonElement c in coins.EnumerateArray())
                {
                    if (RestJson.Str(c, "coin") is not { } coin || !RestJson.TryDec(c, "walletBalance", out decimal total))
                    {
                        return Malformed<IReadOnlyDictionary<string, decimal>>("coin without coin/walletBalance");
                    }

                    balances[coin] = total;
                }
            }

            return ExecResult<IReadOnlyDictionary<string, decimal>>.Success(balances);
        });
    }

    /// <summary>
    /// The symbol's rules from the public <c>GET /v5/market/instruments-info?category=spot&amp;symbol=</c>:
    /// priceFilter.tickSize, lotSizeFilter.basePrecision (the quantity step), minOrderQty and minOrderAmt (least value in
    /// the quote coin). A symbol Bybit does not list comes back as an empty list (Rejected).
    /// </summary>
    public override async Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        RestReply reply = await PublicGetAsync("/v5/market/instruments-info?category=spot&symbol=" + Uri.EscapeDataString(symbol), cancel).ConfigureAwait(false);
        return Read(reply, result =>
        {
            if (!RestJson.TryFind(RestJson.Has(result, "list", out JsonElement list) ? list : default, "symbol", symbol, out bool listed, out JsonElement i))
            {
                return listed
                    ? ExecResult<SymbolRules>.Fail(ExecError.Rejected, "bybit: instruments-info does not list " + Excerpt(symbol))
                    : Malformed<SymbolRules>("instruments-info answer without list");
            }

            return RestJson.Has(i, "priceFilter", out JsonElement price) && RestJson.TryDec(price, "tickSize", out decimal tick)
                && RestJson.Has(i, "lotSizeFilter", out JsonElement lot) && RestJson.TryDec(lot, "basePrecision", out decimal step)
                && RestJson.TryDec(lot, "minOrderQty", out decimal minQty) && RestJson.TryDecOrZero(lot, "minOrderAmt", out decimal minAmount)
                ? Rules("bybit", tick, step, minQty, minAmount, RestJson.Str(i, "baseCoin"), RestJson.Str(i, "quoteCoin"))
                : Malformed<SymbolRules>(symbol + " without priceFilter.tickSize/lotSizeFilter.basePrecision/minOrderQty");
        });
    }

    /// <summary>A Bybit retCode mapped to its reason (https://bybit-exchange.github.io/docs/v5/error).</summary>
    public static ExecError MapError(int retCode) => retCode switch
    {
        10002 => ExecError.ClockSkew,
        10004 => ExecError.InvalidSignature,
        10003 or 10005 or 10010 => ExecError.InvalidKey,
        10006 or 10018 => ExecError.RateLimited,
        10016 => ExecError.VenueUnavailable,
        170131 or 110004 or 110007 => ExecError.InsufficientBalance,
        170136 or 170140 or 170137 => ExecError.MinNotional,
        170132 or 170133 or 170134 or 170135 => ExecError.PriceFilter,
        110001 or 170213 => ExecError.UnknownOrder,
        170141 or 110072 => ExecError.DuplicateClientOrderId,
        _ => ExecError.Rejected,
    };

    protected override void DisposeKeys() => Array.Clear(_secret);

    private Task<RestReply> PostAsync(string path, string body, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        Sign(request, body);
        return SendAsync(request, cancel);
    }

    private Task<RestReply> GetAsync(string path, string query, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path + "?" + query);
        Sign(request, query);
        return SendAsync(request, cancel);
    }

    private void Sign(HttpRequestMessage request, string payload)
    {
        long now = NowMs;
        request.Headers.TryAddWithoutValidation("X-BAPI-API-KEY", Options.ApiKey);
        request.Headers.TryAddWithoutValidation("X-BAPI-TIMESTAMP", now.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("X-BAPI-RECV-WINDOW", Options.RecvWindowMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("X-BAPI-SIGN", BybitSigner.Sign(_secret, now, Options.ApiKey, Options.RecvWindowMs, payload));
    }

    private static ExecResult<T> Read<T>(in RestReply reply, Func<JsonElement, ExecResult<T>> read)
    {
        if (!Readable(reply))
        {
            return TransportFailure<T>(reply);
        }

        using JsonDocument? doc = TryParse(reply.Body);
        if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object || !RestJson.Has(doc.RootElement, "retCode", out JsonElement code) || !code.TryGetInt32(out int retCode))
        {
            // Bybit answers a rate limit with HTTP 403 and a plain page.
            return reply.Status == 403
                ? ExecResult<T>.Fail(ExecError.RateLimited, "bybit: HTTP 403 (access too frequent)", TimeSpan.FromSeconds(1))
                : Malformed<T>($"HTTP {reply.Status}: no retCode");
        }

        if (retCode != 0)
        {
            string message = RestJson.Str(doc.RootElement, "retMsg") ?? "";
            return ExecResult<T>.Fail(MapError(retCode), Excerpt($"bybit {retCode} {message}"), retCode is 10006 or 10018 && reply.RetryAfter <= TimeSpan.Zero ? TimeSpan.FromSeconds(1) : reply.RetryAfter);
        }

        return RestJson.Has(doc.RootElement, "result", out JsonElement result) ? read(result) : Malformed<T>("answer without result");
    }

    private static ExecResult<T> Malformed<T>(string detail) => ExecResult<T>.Fail(ExecError.Malformed, "bybit: " + detail);

    private static ExecResult<IReadOnlyList<VenueOrder>> ReadList(JsonElement result)
    {
        if (!RestJson.Has(result, "list", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
        {
            return Malformed<IReadOnlyList<VenueOrder>>("order list missing");
        }

        var orders = new List<VenueOrder>();
        foreach (JsonElement o in list.EnumerateArray())
        {
            if (RestJson.Str(o, "orderId") is not { } id || RestJson.Str(o, "symbol") is not { } symbol || !RestJson.TryDec(o, "qty", out decimal qty)
                || !RestJson.TryDecOrZero(o, "price", out decimal price) || !RestJson.TryDecOrZero(o, "cumExecQty", out decimal cum)
                || !RestJson.TryDecOrZero(o, "avgPrice", out decimal avg) || Status(RestJson.Str(o, "orderStatus")) is not { } status)
            {
                return Malformed<IReadOnlyList<VenueOrder>>("order without orderId/symbol/qty/orderStatus");
            }

            orders.Add(new VenueOrder(RestJson.Str(o, "orderLinkId") ?? "", id, symbol, RestJson.Str(o, "side") == "Buy", qty, price, cum, avg, status, []));
        }

        return ExecResult<IReadOnlyList<VenueOrder>>.Success(orders);
    }

    private static VenueOrderStatus? Status(string? text) => text switch
    {
        "New" or "Created" or "Untriggered" or "Triggered" => VenueOrderStatus.New,
        "PartiallyFilled" => VenueOrderStatus.PartiallyFilled,
        "Filled" => VenueOrderStatus.Filled,
        "Cancelled" or "PartiallyFilledCanceled" or "Deactivated" => VenueOrderStatus.Cancelled,
        "Rejected" => VenueOrderStatus.Rejected,
        _ => null,
    };
}
