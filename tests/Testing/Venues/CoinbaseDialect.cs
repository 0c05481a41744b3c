using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LowLatency.Testing.Venues;

/// <summary>
/// Coinbase Advanced Trade on loopback: the public <c>/api/v3/brokerage/market/products/{id}</c> (the ledger's rules),
/// <c>/api/v3/brokerage/orders</c> (place; a client_order_id already used
/// answers with the first order, as Coinbase does), <c>…/orders/batch_cancel</c>, <c>…/orders/historical/{id}</c>,
/// <c>…/orders/historical/batch?order_status=OPEN</c>, <c>…/accounts</c>. Each request's JWT is checked as CDP
/// documents: ES256 over header.claims with the key's public half, <c>kid</c>/<c>sub</c> = key name, <c>iss</c> = cdp,
/// <c>uri</c> = method + host + path, and the venue's clock within <c>nbf</c>..<c>exp</c>; anything else is 401.
/// The <c>user</c> WebSocket channel at <c>/ws/user</c>: subscribe with a JWT of the same key and no <c>uri</c>, then
/// each ledger event as an <c>update</c> with the order's totals (cumulative quantity, average price, status).
/// </summary>
public sealed class CoinbaseDialect : VenueDialect
{
    private const string Orders = "/api/v3/brokerage/orders";
    private const string Products = "/api/v3/brokerage/market/products/";
    private readonly string _keyName;
    private readonly ECDsa _publicKey;

    public CoinbaseDialect(VenueLedger ledger, string keyName, ECParameters publicKey)
        : base(ledger)
    {
        _keyName = keyName;
        _publicKey = ECDsa.Create(publicKey);
    }

    public override async Task HandleAsync(HttpContext context, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        string path = context.Request.Path.Value ?? "";
        if (context.Request.Method == "GET" && path.StartsWith(Products, StringComparison.Ordinal))
        {
            await ProductAsync(context, Uri.UnescapeDataString(path[Products.Length..])).ConfigureAwait(false);
            return;
        }

        if (!Authorized(context.Request, path))
        {
            await RefuseAsync(context, Refusal.BadSignature).ConfigureAwait(false);
            return;
        }

        string method = context.Request.Method;
        if (method == "POST" && path == Orders)
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            JsonElement r = doc.RootElement;
            JsonElement gtc = r.GetProperty("order_configuration").GetProperty("limit_limit_gtc");
            await PlaceAsync(context, r.GetProperty("client_order_id").GetString()!, r.GetProperty("product_id").GetString()!, r.GetProperty("side").GetString() == "BUY",
                decimal.Parse(gtc.GetProperty("base_size").GetString()!, CultureInfo.InvariantCulture), decimal.Parse(gtc.GetProperty("limit_price").GetString()!, CultureInfo.InvariantCulture),
                Ack).ConfigureAwait(false);
        }
        else if (method == "POST" && path == Orders + "/batch_cancel")
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            string id = doc.RootElement.GetProperty("order_ids")[0].GetString()!;
            bool done = Ledger.GetByVenueId(id) is { } o && Ledger.Cancel(o.ClientOrderId) is not null;
            await WriteAsync(context, 200, done
                ? $$"""{"results":[{"success":true,"failure_reason":"UNKNOWN_CANCEL_FAILURE_REASON","order_id":"{{id}}"}]}"""
                : $$"""{"results":[{"success":false,"failure_reason":"UNKNOWN_CANCEL_ORDER","order_id":"{{id}}"}]}""").ConfigureAwait(false);
        }
        else if (method == "GET" && path == Orders + "/historical/batch")
        {
            await WriteAsync(context, 200, "{\"orders\":[" + string.Join(",", Ledger.Open().Select(OrderJson)) + "],\"sequence\":\"0\",\"has_next\":false,\"cursor\":\"\"}").ConfigureAwait(false);
        }
        else if (method == "GET" && path.StartsWith(Orders + "/historical/", StringComparison.Ordinal))
        {
            if (Ledger.GetByVenueId(path[(Orders.Length + 12)..]) is { } o)
            {
                await WriteAsync(context, 200, "{\"order\":" + OrderJson(o) + "}").ConfigureAwait(false);
            }
            else
            {
                await RefuseAsync(context, Refusal.UnknownOrder).ConfigureAwait(false);
            }
        }
        else if (method == "GET" && path == "/api/v3/brokerage/accounts")
        {
            string accounts = string.Join(",", Ledger.Balances.Select(b => $$$"""{"uuid":"{{{b.Key}}}-account","name":"{{{b.Key}}} Wallet","currency":"{{{b.Key}}}","available_balance":{"value":"{{{Num(b.Value)}}}","currency":"{{{b.Key}}}"},"default":true,"active":true,"type":"ACCOUNT_TYPE_CRYPTO","ready":true,"hold":{"value":"0","currency":"{{{b.Key}}}"}}"""));
            await WriteAsync(context, 200, "{\"accounts\":[" + accounts + "],\"has_next\":false,\"cursor\":\"\",\"size\":" + Ledger.Balances.Count.ToString(CultureInfo.InvariantCulture) + "}").ConfigureAwait(false);
        }
        else
        {
            await WriteAsync(context, 404, """{"error":"NOT_FOUND","message":"Not Found"}""").ConfigureAwait(false);
        }
    }

    public override bool ServesStream(PathString path) => path == "/ws/user";

    public override Task StreamAsync(HttpContext context, WebSocket socket)
    {
        bool subscribed = false;
        long sequence = 0;
        string? OnMessage(string text)
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement r = doc.RootElement;
            if (r.GetProperty("type").GetString() != "subscribe")
            {
                return null;
            }

            string channel = r.GetProperty("channel").GetString()!;
            if (!ValidToken(r.GetProperty("jwt").GetString() ?? "", uri: null))
            {
                Ledger.CountBadSignature();
                return """{"type":"error","message":"authentication failure"}""";
            }

            subscribed |= channel == "user";
            return $$$"""{"channel":"subscriptions","client_id":"","timestamp":"{{{Timestamp()}}}","sequence_num":{{{Interlocked.Increment(ref sequence)}}},"events":[{"subscriptions":{"{{{channel}}}":[]}}]}""";
        }

        return PumpAsync(context, socket, OnMessage, () => subscribed, e =>
            $$$"""{"channel":"user","client_id":"","timestamp":"{{{Timestamp()}}}","sequence_num":{{{Interlocked.Increment(ref sequence)}}},"events":[{"type":"update","orders":[{{{UserOrder(e.Order)}}}]}]}""");
    }

    /// <summary>An order as the user channel writes it: its totals after the event, not the trade.</summary>
    public static string UserOrder(LoopbackOrder o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string status = o.Status switch { "Filled" => "FILLED", "Cancelled" => "CANCELLED", _ => "OPEN" };
        return $$$"""{"order_id":"{{{o.VenueOrderId}}}","client_order_id":"{{{o.ClientOrderId}}}","cumulative_quantity":"{{{Num(o.Filled)}}}","leaves_quantity":"{{{Num(o.Quantity - o.Filled)}}}","avg_price":"{{{Num(o.AveragePrice)}}}","total_fees":"0","status":"{{{status}}}","product_id":"{{{o.Symbol}}}","creation_time":"2024-01-05T00:00:00Z","order_side":"{{{(o.Buy ? "BUY" : "SELL")}}}","order_type":"Limit"}""";
    }

    private string Timestamp() => DateTimeOffset.FromUnixTimeMilliseconds(Ledger.NowMs).UtcDateTime.ToString("o", CultureInfo.InvariantCulture);

    protected override Task DuplicateAsync(HttpContext context, LoopbackOrder existing, Func<LoopbackOrder, string> ack) =>
        WriteAsync(context, 200, Ack(existing));

    /// <summary>The public product (no JWT, with fields the client skips); an unknown one is 404.</summary>
    private Task ProductAsync(HttpContext context, string productId)
    {
        Ledger.CountRulesRequest();
        return Ledger.Rules(productId) is { } r
            ? WriteAsync(context, 200, $$"""{"product_id":"{{productId}}","price":"64000.01","price_percentage_change_24h":"-1.2","volume_24h":"1234.5","base_increment":"{{Num(r.StepSize)}}","quote_increment":"0.01","quote_min_size":"{{Num(r.MinNotional)}}","quote_max_size":"150000000","base_min_size":"{{Num(r.MinQuantity)}}","base_max_size":"5000","base_name":"Bitcoin","quote_name":"US Dollar","status":"online","cancel_only":false,"limit_only":false,"post_only":false,"trading_disabled":false,"product_type":"SPOT","quote_currency_id":"{{r.QuoteAsset}}","base_currency_id":"{{r.BaseAsset}}","price_increment":"{{Num(r.TickSize)}}","display_name":"BTC-USD"}""")
            : WriteAsync(context, 404, """{"error":"NOT_FOUND","error_details":"product not found","message":"product not found"}""");
    }

    protected override (int Status, string Body) Render(Refusal refusal) => refusal switch
    {
        Refusal.PriceTick => (200, Failure("INVALID_LIMIT_PRICE_PRECISION", "PREVIEW_INVALID_LIMIT_PRICE_PRECISION", "limit price has too many decimals")),
        Refusal.LotStep => (200, Failure("INVALID_SIZE_PRECISION", "PREVIEW_INVALID_SIZE_PRECISION", "size has too many decimals")),
        Refusal.MinQuantity => (200, Failure("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL", "base size too small")),
        Refusal.InsufficientBalance => (200, Failure("INSUFFICIENT_FUND", "PREVIEW_INSUFFICIENT_FUND", "Insufficient balance in source account")),
        Refusal.MinNotional => (200, Failure("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL", "order value too small")),
        Refusal.PriceFilter => (200, Failure("INVALID_LIMIT_PRICE", "PREVIEW_INVALID_LIMIT_PRICE", "limit price out of bounds")),
        Refusal.RateLimit => (429, """{"error":"RESOURCE_EXHAUSTED","message":"too many requests"}"""),
        Refusal.ServerError => (503, """{"error":"UNAVAILABLE","message":"service unavailable"}"""),
        Refusal.UnknownOrder => (404, """{"error":"NOT_FOUND","message":"order not found"}"""),
        _ => (401, "Unauthorized"),
    };

    private static string Ack(LoopbackOrder o) =>
        $$$"""{"success":true,"success_response":{"order_id":"{{{o.VenueOrderId}}}","product_id":"{{{o.Symbol}}}","side":"{{{(o.Buy ? "BUY" : "SELL")}}}","client_order_id":"{{{o.ClientOrderId}}}"},"order_configuration":{"limit_limit_gtc":{"base_size":"{{{Num(o.Quantity)}}}","limit_price":"{{{Num(o.Price)}}}","post_only":false""" + "}}}";

    private static string Failure(string error, string preview, string message) =>
        $$$"""{"success":false,"failure_reason":"UNKNOWN_FAILURE_REASON","order_id":"","error_response":{"error":"{{{error}}}","message":"{{{message}}}","error_details":"","preview_failure_reason":"{{{preview}}}"}}""";

    private static string OrderJson(LoopbackOrder o)
    {
        string status = o.Status switch { "Filled" => "FILLED", "Cancelled" => "CANCELLED", _ => "OPEN" };
        return $$$"""{"order_id":"{{{o.VenueOrderId}}}","product_id":"{{{o.Symbol}}}","user_id":"u","order_configuration":{"limit_limit_gtc":{"base_size":"{{{Num(o.Quantity)}}}","limit_price":"{{{Num(o.Price)}}}","post_only":false}},"side":"{{{(o.Buy ? "BUY" : "SELL")}}}","client_order_id":"{{{o.ClientOrderId}}}","status":"{{{status}}}","filled_size":"{{{Num(o.Filled)}}}","average_filled_price":"{{{Num(o.AveragePrice)}}}","filled_value":"{{{Num(o.Notional)}}}","order_type":"LIMIT"}""";
    }

    private bool Authorized(HttpRequest request, string path)
    {
        string auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.Ordinal) && ValidToken(auth[7..], request.Method + " " + request.Host.Host + path);
    }

    /// <summary>A CDP JWT of our key, in its time window, with <paramref name="uri"/> as its <c>uri</c> (null: a WebSocket JWT, which has none).</summary>
    private bool ValidToken(string token, string? uri)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        try
        {
            if (!_publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return false;
            }

            using JsonDocument header = JsonDocument.Parse(FromBase64Url(parts[0]));
            using JsonDocument claims = JsonDocument.Parse(FromBase64Url(parts[1]));
            JsonElement c = claims.RootElement;
            long now = Ledger.NowMs / 1000;
            return header.RootElement.GetProperty("alg").GetString() == "ES256" && header.RootElement.GetProperty("kid").GetString() == _keyName
                && c.GetProperty("sub").GetString() == _keyName && c.GetProperty("iss").GetString() == "cdp"
                && (uri is null ? !c.TryGetProperty("uri", out _) : c.GetProperty("uri").GetString() == uri)
                && c.GetProperty("nbf").GetInt64() <= now + 1 && now <= c.GetProperty("exp").GetInt64();
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static byte[] FromBase64Url(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
