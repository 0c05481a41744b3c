using System.Globalization;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution.Rest;

/// <summary>
/// Kraken spot REST order entry (https://docs.kraken.com/api/docs/rest-api/add-order): form-encoded POSTs to
/// <c>/0/private/AddOrder</c> (limit, <c>cl_ord_id</c>), <c>CancelOrder</c>, <c>QueryOrders</c> (by txid),
/// <c>OpenOrders</c>/<c>ClosedOrders</c> (by <c>cl_ord_id</c> when the txid is not known yet), <c>Balance</c>; signed
/// with <c>API-Sign</c> over path + SHA256(nonce + body). Answers are <c>{"error":[…],"result":{…}}</c>; the error
/// strings (<c>EOrder:Insufficient funds</c>, <c>EAPI:Invalid nonce</c>, …) are mapped to <see cref="ExecError"/>.
/// </summary>
public sealed class KrakenExecutionClient : RestExecutionClient
{
    private long _lastNonce;

    public KrakenExecutionClient(ExecutionClientOptions options)
        : base("kraken", options)
    {
    }

    public override async Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(order);
        string form = $"ordertype=limit&type={(order.Buy ? "buy" : "sell")}&volume={RestJson.Num(order.Quantity)}&pair={Uri.EscapeDataString(order.Symbol)}" +
            $"&price={RestJson.Num(order.Price)}&cl_ord_id={Uri.EscapeDataString(order.ClientOrderId)}";
        RestReply reply = await PostAsync("/0/private/AddOrder", form, cancel).ConfigureAwait(false);
        return Read(reply, result => RestJson.Has(result, "txid", out JsonElement txids) && txids.ValueKind == JsonValueKind.Array && txids.GetArrayLength() > 0 && txids[0].ValueKind == JsonValueKind.String && txids[0].GetString() is { } txid
            ? ExecResult<VenueOrder>.Success(new VenueOrder(order.ClientOrderId, txid, order.Symbol, order.Buy, order.Quantity, order.Price, 0, 0, VenueOrderStatus.New, []))
            : Malformed<VenueOrder>("AddOrder answer without txid"));
    }

    public override async Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        string form = venueOrderId is not null ? "txid=" + Uri.EscapeDataString(venueOrderId) : "cl_ord_id=" + Uri.EscapeDataString(clientOrderId);
        RestReply reply = await PostAsync("/0/private/CancelOrder", form, cancel).ConfigureAwait(false);
        return Read(reply, result => RestJson.Has(result, "count", out JsonElement count) && count.TryGetInt32(out int n)
            ? n > 0 ? ExecResult<string>.Success(venueOrderId ?? clientOrderId) : ExecResult<string>.Fail(ExecError.UnknownOrder, "kraken: nothing cancelled")
            : Malformed<string>("CancelOrder answer without count"));
    }

    public override async Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel)
    {
        if (venueOrderId is not null)
        {
            RestReply reply = await PostAsync("/0/private/QueryOrders", "txid=" + Uri.EscapeDataString(venueOrderId), cancel).ConfigureAwait(false);
            return Read(reply, result => Single(ReadOrders(result, symbol)));
        }

        // No txid yet (the place answer was lost): look for our client id among open, then closed orders.
        foreach (string path in new[] { "/0/private/OpenOrders", "/0/private/ClosedOrders" })
        {
            RestReply reply = await PostAsync(path, "cl_ord_id=" + Uri.EscapeDataString(clientOrderId), cancel).ConfigureAwait(false);
            ExecResult<VenueOrder> found = Read(reply, result => Single(ReadOrders(RestJson.Has(result, path.EndsWith("OpenOrders", StringComparison.Ordinal) ? "open" : "closed", out JsonElement list) ? list : default, symbol)));
            if (found.Error != ExecError.UnknownOrder)
            {
                return found;
            }
        }

        return ExecResult<VenueOrder>.Fail(ExecError.UnknownOrder, "kraken: no order with that cl_ord_id");
    }

    public override async Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel)
    {
        RestReply reply = await PostAsync("/0/private/OpenOrders", "", cancel).ConfigureAwait(false);
        return Read(reply, static result => ReadOrders(RestJson.Has(result, "open", out JsonElement open) ? open : default, null));
    }

    public override async Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel)
    {
        RestReply reply = await PostAsync("/0/private/Balance", "", cancel).ConfigureAwait(false);
        return Read(reply, static result =>
        {
            var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (JsonProperty p in result.EnumerateObject())
            {
                if (!RestJson.TryDec(result, p.Name, out decimal amount))
                {
                    return Malformed<IReadOnlyDictionary<string, decimal>>("balance that is not a number");
                }

                balances[p.Name] = amount;
            }

            return ExecResult<IReadOnlyDictionary<string, decimal>>.Success(balances);
        });
    }

    /// <summary>
    /// The token the private WebSocket (v2 <c>executions</c>) subscribes with: <c>/0/private/GetWebSocketsToken</c>
    /// (https://docs.kraken.com/api/docs/rest-api/get-websockets-token), valid 15 minutes until a connection uses it.
    /// </summary>
    public async Task<ExecResult<string>> WebSocketTokenAsync(CancellationToken cancel)
    {
        RestReply reply = await PostAsync("/0/private/GetWebSocketsToken", "", cancel).ConfigureAwait(false);
        return Read(reply, static result => RestJson.Str(result, "token") is { Length: > 0 } token
            ? ExecResult<string>.Success(token)
            : Malformed<string>("token answer without token"));
    }

    /// <summary>
    /// The pair's rules from the public <c>GET /0/public/AssetPairs?pair=</c>: tick_size (10^-pair_decimals where an
    /// older answer lacks it), a lot step of 10^-lot_decimals, ordermin and costmin. The answer keys the pair by
    /// Kraken's own name (XBTUSD comes back as XXBTZUSD), so the one entry, or the one whose altname is ours, is read.
    /// An unknown pair is <c>EQuery:Unknown asset pair</c> (Rejected).
    /// </summary>
    public override async Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        RestReply reply = await PublicGetAsync("/0/public/AssetPairs?pair=" + Uri.EscapeDataString(symbol), cancel).ConfigureAwait(false);
        return Read(reply, result =>
        {
            JsonElement? named = null, only = null;
            int count = 0;
            foreach (JsonProperty p in result.EnumerateObject())
            {
                count++;
                only = p.Value;
                if (p.Name == symbol || RestJson.Str(p.Value, "altname") == symbol || RestJson.Str(p.Value, "wsname") == symbol)
                {
                    named = p.Value;
                }
            }

            if ((named ?? (count == 1 ? only : null)) is not { } a)
            {
                return ExecResult<SymbolRules>.Fail(ExecError.Rejected, "kraken: AssetPairs does not list " + Excerpt(symbol));
            }

            if (!Places(a, "lot_decimals", out decimal step) || !RestJson.TryDec(a, "ordermin", out decimal min) || !RestJson.TryDecOrZero(a, "costmin", out decimal cost))
            {
                return Malformed<SymbolRules>(symbol + " without lot_decimals/ordermin");
            }

            decimal tick;
            if (RestJson.Str(a, "tick_size") is not null ? !RestJson.TryDec(a, "tick_size", out tick) : !Places(a, "pair_decimals", out tick))
            {
                return Malformed<SymbolRules>(symbol + " without tick_size/pair_decimals");
            }

            return Rules("kraken", tick, step, min, cost, RestJson.Str(a, "base"), RestJson.Str(a, "quote"));
        });
    }

    /// <summary>A decimal-places field as the step it means (8 → 0.00000001).</summary>
    private static bool Places(JsonElement e, string name, out decimal step)
    {
        step = 0;
        if (!RestJson.Has(e, name, out JsonElement v) || !v.TryGetInt32(out int places) || places is < 0 or > 28)
        {
            return false;
        }

        step = new decimal(1, 0, 0, false, (byte)places);
        return true;
    }

    /// <summary>A Kraken error string mapped to its reason (https://docs.kraken.com/api/docs/guides/spot-errors).</summary>
    public static ExecError MapError(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            "EOrder:Insufficient funds" or "EOrder:Insufficient margin" => ExecError.InsufficientBalance,
            "EOrder:Order minimum not met" or "EOrder:Cost minimum not met" or "EGeneral:Invalid arguments:volume" => ExecError.MinNotional,
            "EOrder:Invalid price" or "EGeneral:Invalid arguments:price" => ExecError.PriceFilter,
            "EAPI:Invalid nonce" => ExecError.ClockSkew,
            "EAPI:Invalid signature" => ExecError.InvalidSignature,
            "EAPI:Invalid key" or "EGeneral:Permission denied" => ExecError.InvalidKey,
            "EAPI:Rate limit exceeded" or "EOrder:Rate limit exceeded" or "EGeneral:Too many requests" => ExecError.RateLimited,
            "EOrder:Unknown order" or "EOrder:Invalid order" => ExecError.UnknownOrder,
            "EOrder:Duplicate order" => ExecError.DuplicateClientOrderId,
            "EService:Unavailable" or "EService:Busy" or "EService:Market in cancel_only mode" => ExecError.VenueUnavailable,

            // "EOrder:Invalid price:XBTUSD price can only be specified up to 1 decimals."
            _ when error.StartsWith("EOrder:Invalid price:", StringComparison.Ordinal) => ExecError.PriceFilter,
            _ => ExecError.Rejected,
        };
    }

    private Task<RestReply> PostAsync(string path, string form, CancellationToken cancel)
    {
        // Nonces must only increase, even when two calls fall in the same millisecond.
        long nonce = Math.Max(NowMs, Interlocked.Read(ref _lastNonce) + 1);
        Interlocked.Exchange(ref _lastNonce, nonce);
        string nonceText = nonce.ToString(CultureInfo.InvariantCulture);
        string body = "nonce=" + nonceText + (form.Length > 0 ? "&" + form : "");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.TryAddWithoutValidation("API-Key", Options.ApiKey);
        request.Headers.TryAddWithoutValidation("API-Sign", KrakenSigner.Sign(Options.Secret, path, nonceText, body) ?? "");
        return SendAsync(request, cancel);
    }

    private static ExecResult<T> Read<T>(in RestReply reply, Func<JsonElement, ExecResult<T>> read)
    {
        if (!Readable(reply))
        {
            return TransportFailure<T>(reply);
        }

        using JsonDocument? doc = TryParse(reply.Body);
        if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object || !RestJson.Has(doc.RootElement, "error", out JsonElement errors) || errors.ValueKind != JsonValueKind.Array)
        {
            return Malformed<T>($"HTTP {reply.Status}: no error array");
        }

        if (errors.GetArrayLength() > 0)
        {
            string first = errors[0].ValueKind == JsonValueKind.String ? errors[0].GetString() ?? "" : errors[0].GetRawText();
            ExecError mapped = MapError(first);
            return ExecResult<T>.Fail(mapped, Excerpt("kraken " + first), mapped == ExecError.RateLimited && reply.RetryAfter <= TimeSpan.Zero ? TimeSpan.FromSeconds(1) : reply.RetryAfter);
        }

        return RestJson.Has(doc.RootElement, "result", out JsonElement result) && result.ValueKind == JsonValueKind.Object ? read(result) : Malformed<T>("answer without result");
    }

    private static ExecResult<T> Malformed<T>(string detail) => ExecResult<T>.Fail(ExecError.Malformed, "kraken: " + detail);

    private static ExecResult<VenueOrder> Single(ExecResult<IReadOnlyList<VenueOrder>> list) =>
        !list.Ok ? list.As<VenueOrder>()
        : list.Value!.Count == 0 ? ExecResult<VenueOrder>.Fail(ExecError.UnknownOrder, "kraken: no such order")
        : ExecResult<VenueOrder>.Success(list.Value[0]);

    // { txid: { status, vol, vol_exec, price (average), cl_ord_id, descr: { pair, type, price } } }
    private static ExecResult<IReadOnlyList<VenueOrder>> ReadOrders(JsonElement byTxid, string? symbol)
    {
        var orders = new List<VenueOrder>();
        if (byTxid.ValueKind != JsonValueKind.Object)
        {
            return ExecResult<IReadOnlyList<VenueOrder>>.Success(orders);
        }

        foreach (JsonProperty p in byTxid.EnumerateObject())
        {
            JsonElement o = p.Value;
            if (!RestJson.Has(o, "descr", out JsonElement descr) || !RestJson.TryDec(o, "vol", out decimal vol) || !RestJson.TryDecOrZero(o, "vol_exec", out decimal exec)
                || !RestJson.TryDecOrZero(o, "price", out decimal avg) || !RestJson.TryDecOrZero(descr, "price", out decimal limit) || Status(RestJson.Str(o, "status"), exec) is not { } status)
            {
                return Malformed<IReadOnlyList<VenueOrder>>("order without descr/vol/status");
            }

            orders.Add(new VenueOrder(RestJson.Str(o, "cl_ord_id") ?? "", p.Name, symbol ?? RestJson.Str(descr, "pair") ?? "", RestJson.Str(descr, "type") == "buy", vol, limit, exec, avg, status, []));
        }

        return ExecResult<IReadOnlyList<VenueOrder>>.Success(orders);
    }

    private static VenueOrderStatus? Status(string? text, decimal executed) => text switch
    {
        "pending" or "open" => executed > 0 ? VenueOrderStatus.PartiallyFilled : VenueOrderStatus.New,
        "closed" => VenueOrderStatus.Filled,
        "canceled" => VenueOrderStatus.Cancelled,
        "expired" => VenueOrderStatus.Expired,
        _ => null,
    };
}
