using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using LowLatency.Adapters.Cex.Execution.Signing;
using Microsoft.AspNetCore.Http;

namespace LowLatency.Testing.Venues;

/// <summary>
/// Binance spot on loopback: <c>/api/v3/exchangeInfo</c> (public, the ledger's rules), <c>/api/v3/order</c> (POST, DELETE, GET), <c>/api/v3/openOrders</c>, <c>/api/v3/account</c>,
/// <c>/api/v3/userDataStream</c> (listenKey) and the user data stream at <c>/ws/{listenKey}</c> (executionReport).
/// SIGNED requests are checked as Binance documents: HMAC-SHA256 hex over query+body, or Ed25519 base64 when the test
/// registered a public key; then <c>timestamp &lt; now + 1000 and now - timestamp &lt;= recvWindow</c>.
/// </summary>
public sealed class BinanceDialect : VenueDialect
{
    private const string ListenKey = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1";
    private readonly string _apiKey;
    private readonly byte[]? _hmacSecret;
    private readonly byte[]? _ed25519PublicKey;

    public BinanceDialect(VenueLedger ledger, string apiKey, string? hmacSecret, byte[]? ed25519PublicKey = null)
        : base(ledger)
    {
        _apiKey = apiKey;
        _hmacSecret = hmacSecret is null ? null : Encoding.UTF8.GetBytes(hmacSecret);
        _ed25519PublicKey = ed25519PublicKey;
    }

    public override bool ServesStream(PathString path) => path.StartsWithSegments("/ws", StringComparison.Ordinal);

    public override async Task HandleAsync(HttpContext context, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        string path = context.Request.Path.Value ?? "";
        if (path == "/api/v3/exchangeInfo")
        {
            await ExchangeInfoAsync(context).ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers["X-MBX-APIKEY"].ToString() != _apiKey)
        {
            await RefuseAsync(context, Refusal.BadKey).ConfigureAwait(false);
            return;
        }

        if (path == "/api/v3/userDataStream")
        {
            await WriteAsync(context, 200, $$"""{"listenKey":"{{ListenKey}}"}""").ConfigureAwait(false);
            return;
        }

        string raw = (context.Request.QueryString.Value ?? "").TrimStart('?') + body;
        int at = raw.LastIndexOf("&signature=", StringComparison.Ordinal);
        if (at < 0 || !Verify(raw[..at], Uri.UnescapeDataString(raw[(at + 11)..])))
        {
            await RefuseAsync(context, Refusal.BadSignature).ConfigureAwait(false);
            return;
        }

        Dictionary<string, string> p = Parse(raw[..at]);
        long now = Ledger.NowMs;
        long window = p.TryGetValue("recvWindow", out string? rw) ? long.Parse(rw, CultureInfo.InvariantCulture) : 5000;
        if (!p.TryGetValue("timestamp", out string? ts) || !long.TryParse(ts, CultureInfo.InvariantCulture, out long stamp) || stamp >= now + 1000 || now - stamp > window)
        {
            await RefuseAsync(context, Refusal.ClockSkew).ConfigureAwait(false);
            return;
        }

        string method = context.Request.Method;
        switch (method, path)
        {
            case ("POST", "/api/v3/order"):
                await PlaceAsync(context, p["newClientOrderId"], p["symbol"], p["side"] == "BUY", decimal.Parse(p["quantity"], CultureInfo.InvariantCulture),
                    decimal.Parse(p["price"], CultureInfo.InvariantCulture), static o => OrderJson(o, withFills: true)).ConfigureAwait(false);
                return;
            case ("DELETE", "/api/v3/order"):
                if (Ledger.Cancel(p["origClientOrderId"]) is { } cancelled)
                {
                    await WriteAsync(context, 200, OrderJson(cancelled, withFills: false).Replace("\"clientOrderId\"", "\"origClientOrderId\"", StringComparison.Ordinal)
                        .Insert(1, "\"clientOrderId\":\"cancel" + cancelled.VenueOrderId + "\",")).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(context, 400, """{"code":-2011,"msg":"Unknown order sent."}""").ConfigureAwait(false);
                }

                return;
            case ("GET", "/api/v3/order"):
                if (Ledger.Get(p["origClientOrderId"]) is { } order)
                {
                    await WriteAsync(context, 200, OrderJson(order, withFills: false)).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(context, 400, """{"code":-2013,"msg":"Order does not exist."}""").ConfigureAwait(false);
                }

                return;
            case ("GET", "/api/v3/openOrders"):
                await WriteAsync(context, 200, "[" + string.Join(",", Ledger.Open().Select(o => OrderJson(o, withFills: false))) + "]").ConfigureAwait(false);
                return;
            case ("GET", "/api/v3/account"):
                await WriteAsync(context, 200, """{"makerCommission":10,"takerCommission":10,"canTrade":true,"accountType":"SPOT","balances":[""" +
                    string.Join(",", Ledger.Balances.Select(b => $$"""{"asset":"{{b.Key}}","free":"{{Num(b.Value)}}","locked":"0.00000000"}""")) + "]}").ConfigureAwait(false);
                return;
            default:
                await WriteAsync(context, 404, """{"code":-1100,"msg":"Illegal characters found in a parameter."}""").ConfigureAwait(false);
                return;
        }
    }

    public override Task StreamAsync(HttpContext context, WebSocket socket)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Path.Value == "/ws/" + ListenKey
            ? PumpAsync(context, socket, static _ => null, static () => true, ExecutionReport)
            : Task.CompletedTask;
    }

    /// <summary>The user data stream's executionReport for a ledger event (https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream).</summary>
    public static string ExecutionReport(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        LoopbackOrder o = e.Order;
        string x = e.Kind switch { "Trade" => "TRADE", "Cancelled" => "CANCELED", _ => "NEW" };
        string status = Status(o);
        return $$"""{"e":"executionReport","E":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"s":"{{o.Symbol}}","c":"{{o.ClientOrderId}}","S":"{{(o.Buy ? "BUY" : "SELL")}}","o":"LIMIT","f":"GTC","q":"{{Num(o.Quantity)}}","p":"{{Num(o.Price)}}","C":"","x":"{{x}}","X":"{{status}}","r":"NONE","i":{{o.VenueOrderId}},"l":"{{Num(e.Fill?.Quantity ?? 0)}}","z":"{{Num(o.Filled)}}","L":"{{Num(e.Fill?.Price ?? 0)}}","n":"0","N":null,"T":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"t":{{e.Fill?.TradeId ?? "-1"}},"w":{{(o.Working ? "true" : "false")}},"m":false,"Z":"{{Num(o.Notional)}}"}""";
    }

    /// <summary>
    /// The public exchangeInfo of one symbol, with the filters Binance lists around the ones the client reads (and fields
    /// it must skip); an unlisted symbol is -1121.
    /// </summary>
    private Task ExchangeInfoAsync(HttpContext context)
    {
        Ledger.CountRulesRequest();
        string symbol = context.Request.Query["symbol"].ToString();
        if (Ledger.Rules(symbol) is not { } r)
        {
            return WriteAsync(context, 400, """{"code":-1121,"msg":"Invalid symbol."}""");
        }

        return WriteAsync(context, 200, $$"""{"timezone":"UTC","serverTime":{{Ledger.NowMs}},"rateLimits":[],"exchangeFilters":[],"symbols":[{"symbol":"{{symbol}}","status":"TRADING","baseAsset":"{{r.BaseAsset}}","baseAssetPrecision":8,"quoteAsset":"{{r.QuoteAsset}}","quotePrecision":8,"orderTypes":["LIMIT","MARKET"],"icebergAllowed":true,"filters":[{"filterType":"PRICE_FILTER","minPrice":"{{Num(r.TickSize)}}","maxPrice":"1000000.00000000","tickSize":"{{Num(r.TickSize)}}"},{"filterType":"LOT_SIZE","minQty":"{{Num(r.MinQuantity)}}","maxQty":"9000.00000000","stepSize":"{{Num(r.StepSize)}}"},{"filterType":"ICEBERG_PARTS","limit":10},{"filterType":"NOTIONAL","minNotional":"{{Num(r.MinNotional)}}","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5},{"filterType":"MAX_NUM_ORDERS","maxNumOrders":200}],"permissions":[],"defaultSelfTradePreventionMode":"EXPIRE_MAKER"}]}""");
    }

    protected override (int Status, string Body) Render(Refusal refusal) => refusal switch
    {
        Refusal.PriceTick => (400, """{"code":-1013,"msg":"Filter failure: PRICE_FILTER"}"""),
        Refusal.LotStep or Refusal.MinQuantity => (400, """{"code":-1013,"msg":"Filter failure: LOT_SIZE"}"""),
        Refusal.InsufficientBalance => (400, """{"code":-2010,"msg":"Account has insufficient balance for requested action."}"""),
        Refusal.MinNotional => (400, """{"code":-1013,"msg":"Filter failure: NOTIONAL"}"""),
        Refusal.PriceFilter => (400, """{"code":-1013,"msg":"Filter failure: PRICE_FILTER"}"""),
        Refusal.RateLimit => (429, """{"code":-1003,"msg":"Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute."}"""),
        Refusal.ServerError => (503, """{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}"""),
        Refusal.DuplicateClientOrderId => (400, """{"code":-2010,"msg":"Duplicate order sent."}"""),
        Refusal.BadSignature => (400, """{"code":-1022,"msg":"Signature for this request is not valid."}"""),
        Refusal.ClockSkew => (400, """{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}"""),
        Refusal.BadKey => (401, """{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"""),
        _ => (400, """{"code":-2013,"msg":"Order does not exist."}"""),
    };

    private bool Verify(string totalParams, string signature)
    {
        if (_ed25519PublicKey is not null)
        {
            return BinanceEd25519Signer.Verify(_ed25519PublicKey, totalParams, signature);
        }

        byte[] expected = Encoding.ASCII.GetBytes(BinanceHmacSigner.Sign(_hmacSecret, totalParams));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.ToLowerInvariant()));
    }

    private static Dictionary<string, string> Parse(string query)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                p[Uri.UnescapeDataString(pair[..eq])] = Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return p;
    }

    private static string Status(LoopbackOrder o) => o.Status switch
    {
        "PartiallyFilled" => "PARTIALLY_FILLED",
        "Filled" => "FILLED",
        "Cancelled" => "CANCELED",
        _ => "NEW",
    };

    private static string OrderJson(LoopbackOrder o, bool withFills)
    {
        string fills = withFills
            ? ",\"fills\":[" + string.Join(",", o.Fills.Select(f => $$"""{"price":"{{Num(f.Price)}}","qty":"{{Num(f.Quantity)}}","commission":"0.00000000","commissionAsset":"USDT","tradeId":{{f.TradeId}}}""")) + "]"
            : "";
        return $$"""{"symbol":"{{o.Symbol}}","orderId":{{o.VenueOrderId}},"orderListId":-1,"clientOrderId":"{{o.ClientOrderId}}","transactTime":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"price":"{{Num(o.Price)}}","origQty":"{{Num(o.Quantity)}}","executedQty":"{{Num(o.Filled)}}","cummulativeQuoteQty":"{{Num(o.Notional)}}","status":"{{Status(o)}}","timeInForce":"GTC","type":"LIMIT","side":"{{(o.Buy ? "BUY" : "SELL")}}","workingTime":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"selfTradePreventionMode":"EXPIRE_MAKER"{{fills}}}""";
    }
}
