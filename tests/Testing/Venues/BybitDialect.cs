using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;
using Microsoft.AspNetCore.Http;

namespace LowLatency.Testing.Venues;

/// <summary>
/// Bybit v5 spot on loopback: <c>/v5/market/instruments-info</c> (public, the ledger's rules), <c>/v5/order/create</c>, <c>/v5/order/cancel</c>, <c>/v5/order/realtime</c>,
/// <c>/v5/account/wallet-balance</c>, and the private stream at <c>/v5/private</c> (auth, then <c>order</c> and
/// <c>execution</c> topics). Requests are checked as Bybit documents: <c>X-BAPI-SIGN</c> = hex HMAC-SHA256 over
/// timestamp + key + recvWindow + (query or body), and <c>now - recvWindow &lt;= timestamp &lt; now + 1000</c>.
/// </summary>
public sealed class BybitDialect : VenueDialect
{
    private readonly string _apiKey;
    private readonly byte[] _secret;

    public BybitDialect(VenueLedger ledger, string apiKey, string secret)
        : base(ledger)
    {
        _apiKey = apiKey;
        _secret = Encoding.UTF8.GetBytes(secret);
    }

    public override bool ServesStream(PathString path) => path == "/v5/private";

    public override async Task HandleAsync(HttpContext context, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        if (context.Request.Path == "/v5/market/instruments-info")
        {
            await InstrumentsAsync(context).ConfigureAwait(false);
            return;
        }

        IHeaderDictionary h = context.Request.Headers;
        if (h["X-BAPI-API-KEY"].ToString() != _apiKey)
        {
            await RefuseAsync(context, Refusal.BadKey).ConfigureAwait(false);
            return;
        }

        bool get = context.Request.Method == "GET";
        string payload = get ? (context.Request.QueryString.Value ?? "").TrimStart('?') : body;
        if (!long.TryParse(h["X-BAPI-TIMESTAMP"].ToString(), CultureInfo.InvariantCulture, out long stamp)
            || !int.TryParse(h["X-BAPI-RECV-WINDOW"].ToString(), CultureInfo.InvariantCulture, out int window))
        {
            await RefuseAsync(context, Refusal.BadSignature).ConfigureAwait(false);
            return;
        }

        byte[] expected = Encoding.ASCII.GetBytes(BybitSigner.Sign(_secret, stamp, _apiKey, window, payload));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(h["X-BAPI-SIGN"].ToString())))
        {
            await RefuseAsync(context, Refusal.BadSignature).ConfigureAwait(false);
            return;
        }

        long now = Ledger.NowMs;
        if (stamp < now - window || stamp >= now + 1000)
        {
            await RefuseAsync(context, Refusal.ClockSkew).ConfigureAwait(false);
            return;
        }

        string path = context.Request.Path.Value ?? "";
        if (path == "/v5/order/create")
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            JsonElement r = doc.RootElement;
            await PlaceAsync(context, r.GetProperty("orderLinkId").GetString()!, r.GetProperty("symbol").GetString()!, r.GetProperty("side").GetString() == "Buy",
                decimal.Parse(r.GetProperty("qty").GetString()!, CultureInfo.InvariantCulture), decimal.Parse(r.GetProperty("price").GetString()!, CultureInfo.InvariantCulture),
                static o => Ok($$"""{"orderId":"{{o.VenueOrderId}}","orderLinkId":"{{o.ClientOrderId}}"}""")).ConfigureAwait(false);
        }
        else if (path == "/v5/order/cancel")
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            if (Ledger.Cancel(doc.RootElement.GetProperty("orderLinkId").GetString()!) is { } o)
            {
                await WriteAsync(context, 200, Ok($$"""{"orderId":"{{o.VenueOrderId}}","orderLinkId":"{{o.ClientOrderId}}"}""")).ConfigureAwait(false);
            }
            else
            {
                await RefuseAsync(context, Refusal.UnknownOrder).ConfigureAwait(false);
            }
        }
        else if (path == "/v5/order/realtime")
        {
            string? link = context.Request.Query["orderLinkId"];
            IEnumerable<LoopbackOrder> list = link is { Length: > 0 } ? (Ledger.Get(link) is { } one ? [one] : []) : Ledger.Open();
            await WriteAsync(context, 200, Ok("{\"category\":\"spot\",\"nextPageCursor\":\"\",\"list\":[" + string.Join(",", list.Select(OrderJson)) + "]}")).ConfigureAwait(false);
        }
        else if (path == "/v5/account/wallet-balance")
        {
            string coins = string.Join(",", Ledger.Balances.Select(b => $$"""{"coin":"{{b.Key}}","walletBalance":"{{Num(b.Value)}}","locked":"0","equity":"{{Num(b.Value)}}"}"""));
            await WriteAsync(context, 200, Ok($$"""{"list":[{"accountType":"UNIFIED","totalEquity":"0","coin":[{{coins}}]}]}""")).ConfigureAwait(false);
        }
        else
        {
            await WriteAsync(context, 404, """{"retCode":10001,"retMsg":"request path not found","result":{},"retExtInfo":{},"time":0}""").ConfigureAwait(false);
        }
    }

    public override Task StreamAsync(HttpContext context, WebSocket socket)
    {
        bool authed = false, subscribed = false;
        string? OnMessage(string text)
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            string op = doc.RootElement.GetProperty("op").GetString() ?? "";
            switch (op)
            {
                case "auth":
                    JsonElement args = doc.RootElement.GetProperty("args");
                    long expires = args[1].GetInt64();
                    byte[] expected = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes("GET/realtime" + expires.ToString(CultureInfo.InvariantCulture)));
                    authed = args[0].GetString() == _apiKey && Convert.ToHexStringLower(expected) == args[2].GetString() && expires > Ledger.NowMs;
                    return authed
                        ? """{"success":true,"ret_msg":"","op":"auth","conn_id":"loopback-1"}"""
                        : """{"success":false,"ret_msg":"Params Error","op":"auth","conn_id":"loopback-1"}""";
                case "subscribe":
                    subscribed = authed;
                    return $$"""{"success":{{(authed ? "true" : "false")}},"ret_msg":"","op":"subscribe","conn_id":"loopback-1"}""";
                case "ping":
                    return """{"success":true,"ret_msg":"pong","conn_id":"loopback-1","op":"ping"}""";
                default:
                    return null;
            }
        }

        return PumpAsync(context, socket, OnMessage, () => subscribed, Event);
    }

    /// <summary>The private stream's message for a ledger event: <c>execution</c> for a trade, <c>order</c> otherwise.</summary>
    public static string Event(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        LoopbackOrder o = e.Order;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return e.Fill is { } f
            ? $$"""{"topic":"execution","id":"{{f.TradeId}}-exec","creationTime":{{now}},"data":[{"category":"spot","symbol":"{{o.Symbol}}","orderId":"{{o.VenueOrderId}}","orderLinkId":"{{o.ClientOrderId}}","side":"{{(o.Buy ? "Buy" : "Sell")}}","orderPrice":"{{Num(o.Price)}}","orderQty":"{{Num(o.Quantity)}}","leavesQty":"{{Num(o.Quantity - o.Filled)}}","execId":"{{f.TradeId}}","execPrice":"{{Num(f.Price)}}","execQty":"{{Num(f.Quantity)}}","execType":"Trade","execTime":"{{now}}","isMaker":false}]}"""
            : $$"""{"topic":"order","id":"{{o.VenueOrderId}}-{{e.Kind}}","creationTime":{{now}},"data":[{{OrderJson(o)}}]}""";
    }

    /// <summary>The public instruments-info of one spot symbol (with fields the client skips); an unlisted one is an empty list.</summary>
    private Task InstrumentsAsync(HttpContext context)
    {
        Ledger.CountRulesRequest();
        string symbol = context.Request.Query["symbol"].ToString();
        string list = Ledger.Rules(symbol) is { } r
            ? $$"""{"symbol":"{{symbol}}","baseCoin":"{{r.BaseAsset}}","quoteCoin":"{{r.QuoteAsset}}","innovation":"0","status":"Trading","marginTrading":"utaOnly","stTag":"0","lotSizeFilter":{"basePrecision":"{{Num(r.StepSize)}}","quotePrecision":"0.00000001","minOrderQty":"{{Num(r.MinQuantity)}}","maxOrderQty":"71.73956243","minOrderAmt":"{{Num(r.MinNotional)}}","maxOrderAmt":"2000000"},"priceFilter":{"tickSize":"{{Num(r.TickSize)}}"},"riskParameters":{"priceLimitRatioX":"0.01","priceLimitRatioY":"0.02"}""" + "}"
            : "";
        return WriteAsync(context, 200, Ok($$"""{"category":"spot","list":[{{list}}]}"""));
    }

    protected override (int Status, string Body) Render(Refusal refusal) => refusal switch
    {
        Refusal.PriceTick => (200, Error(170134, "Order price has too many decimals.")),
        Refusal.LotStep => (200, Error(170137, "Order quantity has too many decimals.")),
        Refusal.MinQuantity => (200, Error(170136, "Order quantity exceeded lower limit.")),
        Refusal.InsufficientBalance => (200, Error(170131, "Insufficient balance.")),
        Refusal.MinNotional => (200, Error(170140, "Order value exceeded lower limit.")),
        Refusal.PriceFilter => (200, Error(170133, "Order price cannot be lower than 0.01.")),
        Refusal.RateLimit => (200, Error(10006, "Too many visits!")),
        Refusal.ServerError => (200, Error(10016, "Internal server error.")),
        Refusal.DuplicateClientOrderId => (200, Error(170141, "Duplicate clientOrderId.")),
        Refusal.BadSignature => (200, Error(10004, "error sign! origin_string[]")),
        Refusal.ClockSkew => (200, Error(10002, "invalid request, please check your server timestamp or recv_window param.")),
        Refusal.BadKey => (401, Error(10003, "API key is invalid.")),
        _ => (200, Error(170213, "Order does not exist.")),
    };

    private static string Ok(string result) =>
        $$"""{"retCode":0,"retMsg":"OK","result":{{result}},"retExtInfo":{},"time":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}""";

    private static string Error(int code, string message) =>
        $$"""{"retCode":{{code}},"retMsg":"{{message}}","result":{},"retExtInfo":{},"time":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}""";

    private static string OrderJson(LoopbackOrder o)
    {
        string status = o.Status switch { "Cancelled" when o.Filled > 0 => "PartiallyFilledCanceled", _ => o.Status };
        return $$"""{"orderId":"{{o.VenueOrderId}}","orderLinkId":"{{o.ClientOrderId}}","symbol":"{{o.Symbol}}","price":"{{Num(o.Price)}}","qty":"{{Num(o.Quantity)}}","side":"{{(o.Buy ? "Buy" : "Sell")}}","orderStatus":"{{status}}","orderType":"Limit","timeInForce":"GTC","cumExecQty":"{{Num(o.Filled)}}","cumExecValue":"{{Num(o.Notional)}}","avgPrice":"{{(o.Filled > 0 ? Num(o.AveragePrice) : "")}}","leavesQty":"{{Num(o.Quantity - o.Filled)}}","category":"spot"}""";
    }
}
