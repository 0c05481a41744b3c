using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace LowLatency.Testing.Venues;

/// <summary>
/// OKX v5 spot on loopback: <c>/api/v5/public/instruments</c> (public, the ledger's rules), <c>/api/v5/trade/order</c> (POST place, GET status), <c>/api/v5/trade/cancel-order</c>,
/// <c>/api/v5/trade/orders-pending</c>, <c>/api/v5/account/balance</c>. Requests are checked as OKX documents: the key,
/// the passphrase, <c>OK-ACCESS-SIGN</c> = base64 HMAC-SHA256 over timestamp + METHOD + path?query + body, and the
/// timestamp within 30 s of the venue's clock.
/// </summary>
public sealed class OkxDialect : VenueDialect
{
    private readonly string _apiKey;
    private readonly byte[] _secret;
    private readonly string _passphrase;

    public OkxDialect(VenueLedger ledger, string apiKey, string secret, string passphrase)
        : base(ledger)
    {
        _apiKey = apiKey;
        _secret = Encoding.UTF8.GetBytes(secret);
        _passphrase = passphrase;
    }

    public override async Task HandleAsync(HttpContext context, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        if (context.Request.Path == "/api/v5/public/instruments")
        {
            await InstrumentsAsync(context).ConfigureAwait(false);
            return;
        }

        IHeaderDictionary h = context.Request.Headers;
        if (h["OK-ACCESS-KEY"].ToString() != _apiKey)
        {
            await RefuseAsync(context, Refusal.BadKey).ConfigureAwait(false);
            return;
        }

        if (h["OK-ACCESS-PASSPHRASE"].ToString() != _passphrase)
        {
            await WriteAsync(context, 401, """{"msg":"OK-ACCESS-PASSPHRASE incorrect.","code":"50105"}""").ConfigureAwait(false);
            return;
        }

        string timestamp = h["OK-ACCESS-TIMESTAMP"].ToString();
        string pathAndQuery = (context.Request.Path.Value ?? "") + (context.Request.QueryString.Value ?? "");
        byte[] expected = Encoding.ASCII.GetBytes(OkxSigner.Sign(_secret, timestamp, context.Request.Method, pathAndQuery, body));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(h["OK-ACCESS-SIGN"].ToString())))
        {
            await RefuseAsync(context, Refusal.BadSignature).ConfigureAwait(false);
            return;
        }

        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset sent)
            || Math.Abs(sent.ToUnixTimeMilliseconds() - Ledger.NowMs) > 30_000)
        {
            await RefuseAsync(context, Refusal.ClockSkew).ConfigureAwait(false);
            return;
        }

        string path = context.Request.Path.Value ?? "";
        switch (context.Request.Method, path)
        {
            case ("POST", "/api/v5/trade/order"):
                {
                    using JsonDocument doc = JsonDocument.Parse(body);
                    JsonElement r = doc.RootElement;
                    await PlaceAsync(context, r.GetProperty("clOrdId").GetString()!, r.GetProperty("instId").GetString()!, r.GetProperty("side").GetString() == "buy",
                        decimal.Parse(r.GetProperty("sz").GetString()!, CultureInfo.InvariantCulture), decimal.Parse(r.GetProperty("px").GetString()!, CultureInfo.InvariantCulture),
                        static o => Ok($$"""{"clOrdId":"{{o.ClientOrderId}}","ordId":"{{o.VenueOrderId}}","tag":"","ts":"{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}","sCode":"0","sMsg":"Order placed"}""")).ConfigureAwait(false);
                    return;
                }

            case ("POST", "/api/v5/trade/cancel-order"):
                {
                    using JsonDocument doc = JsonDocument.Parse(body);
                    if (Ledger.Cancel(doc.RootElement.GetProperty("clOrdId").GetString()!) is { } o)
                    {
                        await WriteAsync(context, 200, Ok($$"""{"clOrdId":"{{o.ClientOrderId}}","ordId":"{{o.VenueOrderId}}","ts":"0","sCode":"0","sMsg":""}""")).ConfigureAwait(false);
                    }
                    else
                    {
                        await WriteAsync(context, 200, """{"code":"1","msg":"","data":[{"clOrdId":"","ordId":"","ts":"0","sCode":"51400","sMsg":"Order cancellation failed as the order has been filled, canceled or does not exist."}],"inTime":"0","outTime":"0"}""").ConfigureAwait(false);
                    }

                    return;
                }

            case ("GET", "/api/v5/trade/order"):
                if (Ledger.Get(context.Request.Query["clOrdId"].ToString()) is { } order)
                {
                    await WriteAsync(context, 200, Ok(OrderJson(order))).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(context, 200, """{"code":"51603","msg":"Order does not exist","data":[]}""").ConfigureAwait(false);
                }

                return;
            case ("GET", "/api/v5/trade/orders-pending"):
                await WriteAsync(context, 200, Ok(string.Join(",", Ledger.Open().Select(OrderJson)))).ConfigureAwait(false);
                return;
            case ("GET", "/api/v5/account/balance"):
                string details = string.Join(",", Ledger.Balances.Select(b => $$"""{"ccy":"{{b.Key}}","cashBal":"{{Num(b.Value)}}","availBal":"{{Num(b.Value)}}","frozenBal":"0"}"""));
                await WriteAsync(context, 200, Ok($$"""{"totalEq":"0","details":[{{details}}]}""")).ConfigureAwait(false);
                return;
            default:
                await WriteAsync(context, 404, """{"msg":"Not Found","code":"404"}""").ConfigureAwait(false);
                return;
        }
    }

    public override bool ServesStream(PathString path) => path == "/ws/v5/private";

    /// <summary>
    /// The private stream: <c>login</c> checked as OKX documents (key, passphrase, base64 HMAC-SHA256 over timestamp +
    /// GET/users/self/verify, the timestamp within 30 s), then <c>orders</c> pushes once subscribed after the login.
    /// </summary>
    public override Task StreamAsync(HttpContext context, WebSocket socket)
    {
        bool loggedIn = false;
        bool subscribed = false;
        string? OnMessage(string text)
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            switch (doc.RootElement.GetProperty("op").GetString())
            {
                case "login":
                    JsonElement a = doc.RootElement.GetProperty("args")[0];
                    string ts = a.GetProperty("timestamp").GetString()!;
                    string expected = OkxSigner.Sign(_secret, ts, "GET", "/users/self/verify", "");
                    loggedIn = a.GetProperty("apiKey").GetString() == _apiKey && a.GetProperty("passphrase").GetString() == _passphrase
                        && a.GetProperty("sign").GetString() == expected
                        && long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && Math.Abs((seconds * 1000) - Ledger.NowMs) <= 30_000;
                    if (!loggedIn)
                    {
                        Ledger.CountBadSignature();
                    }

                    return loggedIn
                        ? """{"event":"login","code":"0","msg":"","connId":"loopback-1"}"""
                        : """{"event":"error","code":"60009","msg":"Login failed.","connId":"loopback-1"}""";
                case "subscribe":
                    subscribed = loggedIn;
                    return loggedIn
                        ? """{"event":"subscribe","arg":{"channel":"orders","instType":"SPOT"},"connId":"loopback-1"}"""
                        : """{"event":"error","code":"60011","msg":"Please log in.","connId":"loopback-1"}""";
                default:
                    return null;
            }
        }

        return PumpAsync(context, socket, OnMessage, () => subscribed, Event);
    }

    /// <summary>The <c>orders</c> push for a ledger event: the order's state after it, with the fill's trade id, size and price.</summary>
    public static string Event(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string order = OrderJson(e.Order);
        if (e.Fill is { } f)
        {
            order = order.Replace("\"fillPx\":\"\",\"fillSz\":\"0\"", $$"""
                "fillPx":"{{Num(f.Price)}}","fillSz":"{{Num(f.Quantity)}}","tradeId":"{{f.TradeId}}"
                """, StringComparison.Ordinal);
        }

        return $$"""{"arg":{"channel":"orders","instType":"SPOT","uid":"loopback"},"data":[{{order}}]}""";
    }

    /// <summary>
    /// The public instrument of one spot pair (with fields the client skips); OKX states no least value for spot, so the
    /// ledger's MinNotional is enforced but not shown. An unlisted pair is 51001.
    /// </summary>
    private Task InstrumentsAsync(HttpContext context)
    {
        Ledger.CountRulesRequest();
        string instId = context.Request.Query["instId"].ToString();
        return Ledger.Rules(instId) is { } r
            ? WriteAsync(context, 200, Ok($$"""{"alias":"","baseCcy":"{{r.BaseAsset}}","category":"1","ctMult":"","ctType":"","ctVal":"","instFamily":"","instId":"{{instId}}","instType":"SPOT","lever":"10","listTime":"1548133413000","lotSz":"{{Num(r.StepSize)}}","maxLmtSz":"9999999999","maxMktSz":"1000000","minSz":"{{Num(r.MinQuantity)}}","quoteCcy":"{{r.QuoteAsset}}","state":"live","tickSz":"{{Num(r.TickSize)}}","ruleType":"normal"}"""))
            : WriteAsync(context, 200, """{"code":"51001","msg":"Instrument ID does not exist","data":[]}""");
    }

    protected override (int Status, string Body) Render(Refusal refusal) => refusal switch
    {
        Refusal.PriceTick => (200, OrderError("51000", "Parameter px error")),
        Refusal.LotStep => (200, OrderError("51121", "Order quantity must be a multiple of the lot size.")),
        Refusal.MinQuantity => (200, OrderError("51020", "Your order should meet or exceed the minimum order amount.")),
        Refusal.InsufficientBalance => (200, OrderError("51008", "Order failed. Insufficient USDT balance in account.")),
        Refusal.MinNotional => (200, OrderError("51020", "Your order should meet or exceed the minimum order amount.")),
        Refusal.PriceFilter => (200, OrderError("51006", "Order price is not within the price limit (max buy price: 1 min sell price: 1)")),
        Refusal.DuplicateClientOrderId => (200, OrderError("51016", "Duplicated client order ID")),
        Refusal.RateLimit => (429, """{"msg":"Too Many Requests","code":"50011"}"""),
        Refusal.ServerError => (503, """{"msg":"Service temporarily unavailable, please try again later.","code":"50001"}"""),
        Refusal.BadSignature => (401, """{"msg":"Invalid Sign","code":"50113"}"""),
        Refusal.ClockSkew => (401, """{"msg":"Timestamp request expired","code":"50102"}"""),
        Refusal.BadKey => (401, """{"msg":"Invalid OK-ACCESS-KEY","code":"50111"}"""),
        _ => (200, """{"code":"51603","msg":"Order does not exist","data":[]}"""),
    };

    private static string Ok(string data) => $$"""{"code":"0","msg":"","data":[{{data}}],"inTime":"0","outTime":"0"}""";

    private static string OrderError(string sCode, string sMsg) =>
        $$"""{"code":"1","msg":"All operations failed","data":[{"clOrdId":"","ordId":"","tag":"","ts":"0","sCode":"{{sCode}}","sMsg":"{{sMsg}}"}],"inTime":"0","outTime":"0"}""";

    private static string OrderJson(LoopbackOrder o)
    {
        string state = o.Status switch { "PartiallyFilled" => "partially_filled", "Filled" => "filled", "Cancelled" => "canceled", _ => "live" };
        return $$"""{"instType":"SPOT","instId":"{{o.Symbol}}","ordId":"{{o.VenueOrderId}}","clOrdId":"{{o.ClientOrderId}}","px":"{{Num(o.Price)}}","sz":"{{Num(o.Quantity)}}","ordType":"limit","side":"{{(o.Buy ? "buy" : "sell")}}","tdMode":"cash","accFillSz":"{{Num(o.Filled)}}","avgPx":"{{(o.Filled > 0 ? Num(o.AveragePrice) : "")}}","state":"{{state}}","fillPx":"","fillSz":"0"}""";
    }
}
