using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution.Rest;

/// <summary>
/// OKX v5 spot order entry (https://www.okx.com/docs-v5/en/#order-book-trading-trade): <c>POST /api/v5/trade/order</c>
/// (tdMode cash, limit, <c>clOrdId</c>), <c>POST /api/v5/trade/cancel-order</c>, <c>GET /api/v5/trade/order</c>,
/// <c>GET /api/v5/trade/orders-pending</c>, <c>GET /api/v5/account/balance</c>. Signed in <c>OK-ACCESS-*</c> headers;
/// answers are <c>{"code":"0","msg":"","data":[…]}</c>, and an order's own refusal is in <c>data[0].sCode</c>.
/// </summary>
public sealed class OkxExecutionClient : RestExecutionClient
{
    private readonly byte[] _secret;

    public OkxExecutionClient(ExecutionClientOptions options)
        : base("okx", options) => _secret = Encoding.UTF8.GetBytes(options.Secret);

    public override async Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(order);
        string body = $$"""{"instId":{{RestJson.Quote(order.Symbol)}},"tdMode":"cash","clOrdId":{{RestJson.Quote(order.ClientOrderId)}},"side":"{{(order.Buy ? "buy" : "sell")}}","ordType":"limit","px":"{{RestJson.Num(order.Price)}}","sz":"{{RestJson.Num(order.Quantity)}}"}""";
        RestReply reply = await SendSignedAsync(HttpMethod.Post, "/api/v5/trade/order", body, cancel).ConfigureAwait(false);
        return Read(reply, data => First(data) is { } d && RestJson.Str(d, "ordId") is { Length: > 0 } id
            ? ExecResult<VenueOrder>.Success(new VenueOrder(order.ClientOrderId, id, order.Symbol, order.Buy, order.Quantity, order.Price, 0, 0, VenueOrderStatus.New, []))
            : Malformed<VenueOrder>("order answer without ordId"));
    }

    public override async Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        string body = $$"""{"instId":{{RestJson.Quote(symbol)}},"clOrdId":{{RestJson.Quote(clientOrderId)}}}""";
        RestReply reply = await SendSignedAsync(HttpMethod.Post, "/api/v5/trade/cancel-order", body, cancel).ConfigureAwait(false);
        return Read(reply, static data => First(data) is { } d && RestJson.Str(d, "ordId") is { Length: > 0 } id
            ? ExecResult<string>.Success(id)
            : Malformed<string>("cancel answer without ordId"));
    }

    public override async Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        string path = $"/api/v5/trade/order?instId={Uri.EscapeDataString(symbol)}&clOrdId={Uri.EscapeDataString(clientOrderId)}";
        RestReply reply = await SendSignedAsync(HttpMethod.Get, path, "", cancel).ConfigureAwait(false);
        return Read(reply, static data =>
        {
            ExecResult<IReadOnlyList<VenueOrder>> list = ReadOrders(data);
            return !list.Ok ? list.As<VenueOrder>()
                : list.Value!.Count == 0 ? ExecResult<VenueOrder>.Fail(ExecError.UnknownOrder, "okx: no such clOrdId")
                : ExecResult<VenueOrder>.Success(list.Value[0]);
        });
    }

    public override async Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel)
    {
        RestReply reply = await SendSignedAsync(HttpMethod.Get, "/api/v5/trade/orders-pending?instType=SPOT", "", cancel).ConfigureAwait(false);
        return Read(reply, static data => ReadOrders(data));
    }

    public override async Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel)
    {
        RestReply reply = await SendSignedAsync(HttpMethod.Get, "/api/v5/account/balance", "", cancel).ConfigureAwait(false);
        return Read(reply, static data =>
        {
            var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (JsonElement account in data.EnumerateArray())
            {
                if (!RestJson.Has(account, "details", out JsonElement details) || details.ValueKind != JsonValueKind.Array)
                {
                    return Malformed<IReadOnlyDictionary<string, decimal>>("balance without details");
                }

                foreach (JsonElement d in details.EnumerateArray())
                {
                    if (RestJson.Str(d, "ccy") is not { } ccy || !RestJson.TryDec(d, "cashBal", out decimal cash))
                    {
                        return Malformed<IReadOnlyDictionary<string, decimal>>("detail without ccy/cashBal");
                    }

                    balances[ccy] = cash;
                }
            }

            return ExecResult<IReadOnlyDictionary<string, decimal>>.Success(balances);
        });
    }

    /// <summary>
    /// The instrument's rules from the public <c>GET /api/v5/public/instruments?instType=SPOT&amp;instId=</c>: tickSz,
    /// lotSz and minSz (OKX states no least value for spot). An instrument OKX does not list is 51001 (Rejected).
    /// </summary>
    public override async Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        RestReply reply = await PublicGetAsync("/api/v5/public/instruments?instType=SPOT&instId=" + Uri.EscapeDataString(symbol), cancel).ConfigureAwait(false);
        return Read(reply, data =>
        {
            if (!RestJson.TryFind(data, "instId", symbol, out _, out JsonElement i))
            {
                return ExecResult<SymbolRules>.Fail(ExecError.Rejected, "okx: instruments does not list " + Excerpt(symbol));
            }

            return RestJson.TryDec(i, "tickSz", out decimal tick) && RestJson.TryDec(i, "lotSz", out decimal lot) && RestJson.TryDec(i, "minSz", out decimal min)
                ? Rules("okx", tick, lot, min, 0, RestJson.Str(i, "baseCcy"), RestJson.Str(i, "quoteCcy"))
                : Malformed<SymbolRules>(symbol + " without tickSz/lotSz/minSz");
        });
    }

    /// <summary>An OKX code (top-level or an order's sCode) mapped to its reason (https://www.okx.com/docs-v5/en/#error-code).</summary>
    public static ExecError MapError(string code) => MapError(code, "");

    /// <summary>As <see cref="MapError(string)"/>; 51000 (a parameter error) is read by the parameter its message names.</summary>
    public static ExecError MapError(string code, string message) => code switch
    {
        "51000" when message.Contains("px", StringComparison.Ordinal) => ExecError.PriceFilter,
        "51000" when message.Contains("sz", StringComparison.Ordinal) => ExecError.MinNotional,
        "51121" => ExecError.MinNotional,
        "50102" or "50112" => ExecError.ClockSkew,
        "50113" => ExecError.InvalidSignature,
        "50111" or "50105" or "50119" or "50120" => ExecError.InvalidKey,
        "50011" or "50061" => ExecError.RateLimited,
        "50001" or "50013" or "50026" => ExecError.VenueUnavailable,
        "51008" => ExecError.InsufficientBalance,
        "51020" or "51120" => ExecError.MinNotional,
        "51006" or "51137" or "51138" => ExecError.PriceFilter,
        "51603" or "51400" or "51401" or "51402" => ExecError.UnknownOrder,
        "51016" => ExecError.DuplicateClientOrderId,
        _ => ExecError.Rejected,
    };

    protected override void DisposeKeys() => Array.Clear(_secret);

    private Task<RestReply> SendSignedAsync(HttpMethod method, string pathAndQuery, string body, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        string timestamp = OkxSigner.Timestamp(NowMs);
        request.Headers.TryAddWithoutValidation("OK-ACCESS-KEY", Options.ApiKey);
        request.Headers.TryAddWithoutValidation("OK-ACCESS-SIGN", OkxSigner.Sign(_secret, timestamp, method.Method, pathAndQuery, body));
        request.Headers.TryAddWithoutValidation("OK-ACCESS-TIMESTAMP", timestamp);
        request.Headers.TryAddWithoutValidation("OK-ACCESS-PASSPHRASE", Options.Passphrase ?? "");
        return SendAsync(request, cancel);
    }

    private static ExecResult<T> Read<T>(in RestReply reply, Func<JsonElement, ExecResult<T>> read)
    {
        if (!Readable(reply))
        {
            return TransportFailure<T>(reply);
        }

        using JsonDocument? doc = TryParse(reply.Body);
        if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object || RestJson.Str(doc.RootElement, "code") is not { } code)
        {
            return Malformed<T>($"HTTP {reply.Status}: no code");
        }

        RestJson.Has(doc.RootElement, "data", out JsonElement data);
        if (code != "0")
        {
            // "1" (operation failed) carries the order's own reason in data[0].sCode.
            JsonElement? first = data.ValueKind == JsonValueKind.Array ? First(data) : null;
            string reason = first is { } f && RestJson.Str(f, "sCode") is { Length: > 0 } s && s != "0" ? s : code;
            string message = (first is { } g ? RestJson.Str(g, "sMsg") : null) ?? RestJson.Str(doc.RootElement, "msg") ?? "";
            return ExecResult<T>.Fail(MapError(reason, message), Excerpt($"okx {reason} {message}"), reply.RetryAfter);
        }

        return data.ValueKind == JsonValueKind.Array ? read(data) : Malformed<T>("answer without data");
    }

    private static JsonElement? First(JsonElement data)
    {
        foreach (JsonElement e in data.EnumerateArray())
        {
            return e;
        }

        return null;
    }

    private static ExecResult<T> Malformed<T>(string detail) => ExecResult<T>.Fail(ExecError.Malformed, "okx: " + detail);

    private static ExecResult<IReadOnlyList<VenueOrder>> ReadOrders(JsonElement data)
    {
        var orders = new List<VenueOrder>();
        foreach (JsonElement o in data.EnumerateArray())
        {
            if (RestJson.Str(o, "ordId") is not { } id || RestJson.Str(o, "instId") is not { } inst || !RestJson.TryDec(o, "sz", out decimal sz)
                || !RestJson.TryDecOrZero(o, "px", out decimal px) || !RestJson.TryDecOrZero(o, "accFillSz", out decimal filled)
                || !RestJson.TryDecOrZero(o, "avgPx", out decimal avg) || Status(RestJson.Str(o, "state")) is not { } status)
            {
                return Malformed<IReadOnlyList<VenueOrder>>("order without ordId/instId/sz/state");
            }

            orders.Add(new VenueOrder(RestJson.Str(o, "clOrdId") ?? "", id, inst, RestJson.Str(o, "side") == "buy", sz, px, filled, avg, status, []));
        }

        return ExecResult<IReadOnlyList<VenueOrder>>.Success(orders);
    }

    private static VenueOrderStatus? Status(string? text) => text switch
    {
        "live" => VenueOrderStatus.New,
        "partially_filled" => VenueOrderStatus.PartiallyFilled,
        "filled" => VenueOrderStatus.Filled,
        "canceled" or "mmp_canceled" => VenueOrderStatus.Cancelled,
        _ => null,
    };
}
