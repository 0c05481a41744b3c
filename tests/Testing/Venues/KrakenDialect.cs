using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Signing;
using Microsoft.AspNetCore.Http;

namespace LowLatency.Testing.Venues;

/// <summary>
/// Kraken spot on loopback: the public <c>/0/public/AssetPairs</c> (the ledger's rules), form POSTs to <c>/0/private/AddOrder</c>, <c>CancelOrder</c>, <c>QueryOrders</c>,
/// <c>OpenOrders</c>, <c>ClosedOrders</c>, <c>Balance</c>. Requests are checked as Kraken documents: <c>API-Sign</c> =
/// base64 HMAC-SHA512(b64decode(secret), path + SHA256(nonce + body)), and the nonce (ms) must increase and lie within
/// 60 s of the venue's clock (the clock-skew play).
/// </summary>
public sealed class KrakenDialect : VenueDialect
{
    private readonly string _apiKey;
    private readonly string _secret;
    private long _lastNonce;

    public KrakenDialect(VenueLedger ledger, string apiKey, string base64Secret)
        : base(ledger)
    {
        _apiKey = apiKey;
        _secret = base64Secret;
    }

    public override async Task HandleAsync(HttpContext context, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        if (context.Request.Path == "/0/public/AssetPairs")
        {
            await AssetPairsAsync(context).ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers["API-Key"].ToString() != _apiKey)
        {
            await RefuseAsync(context, Refusal.BadKey).ConfigureAwait(false);
            return;
        }

        Dictionary<string, string> p = Form(body);
        string path = context.Request.Path.Value ?? "";
        if (!p.TryGetValue("nonce", out string? nonceText) || KrakenSigner.Sign(_secret, path, nonceText, body) != context.Request.Headers["API-Sign"].ToString())
        {
            await RefuseAsync(context, Refusal.BadSignature).ConfigureAwait(false);
            return;
        }

        long nonce = long.Parse(nonceText, CultureInfo.InvariantCulture);
        if (nonce <= Interlocked.Read(ref _lastNonce) || Math.Abs(nonce - Ledger.NowMs) > 60_000)
        {
            await RefuseAsync(context, Refusal.ClockSkew).ConfigureAwait(false);
            return;
        }

        Interlocked.Exchange(ref _lastNonce, nonce);
        switch (path)
        {
            case "/0/private/AddOrder":
                await PlaceAsync(context, p["cl_ord_id"], p["pair"], p["type"] == "buy", decimal.Parse(p["volume"], CultureInfo.InvariantCulture), decimal.Parse(p["price"], CultureInfo.InvariantCulture),
                    static o => Ok($$"""{"descr":{"order":"{{(o.Buy ? "buy" : "sell")}} {{Num(o.Quantity)}} {{o.Symbol}} @ limit {{Num(o.Price)}}"},"txid":["{{o.VenueOrderId}}"]}""")).ConfigureAwait(false);
                return;
            case "/0/private/CancelOrder":
                LoopbackOrder? target = p.TryGetValue("txid", out string? txid) ? Ledger.GetByVenueId(txid) : Ledger.Get(p.GetValueOrDefault("cl_ord_id", ""));
                if (target is not null && Ledger.Cancel(target.ClientOrderId) is not null)
                {
                    await WriteAsync(context, 200, Ok("""{"count":1}""")).ConfigureAwait(false);
                }
                else
                {
                    await RefuseAsync(context, Refusal.UnknownOrder).ConfigureAwait(false);
                }

                return;
            case "/0/private/QueryOrders":
                if (Ledger.GetByVenueId(p.GetValueOrDefault("txid", "")) is { } q)
                {
                    await WriteAsync(context, 200, Ok("{" + Entry(q) + "}")).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(context, 200, """{"error":["EOrder:Invalid order"]}""").ConfigureAwait(false);
                }

                return;
            case "/0/private/OpenOrders" or "/0/private/ClosedOrders":
                bool open = path.EndsWith("OpenOrders", StringComparison.Ordinal);
                IEnumerable<LoopbackOrder> orders = p.TryGetValue("cl_ord_id", out string? cl)
                    ? (Ledger.Get(cl) is { } one && one.Working == open ? [one] : [])
                    : open ? Ledger.Open() : [];
                await WriteAsync(context, 200, Ok("{\"" + (open ? "open" : "closed") + "\":{" + string.Join(",", orders.Select(Entry)) + "}}")).ConfigureAwait(false);
                return;
            case "/0/private/GetWebSocketsToken":
                string token = "loopback-ws-token-" + Interlocked.Increment(ref _tokens).ToString(CultureInfo.InvariantCulture);
                lock (_issued)
                {
                    _issued.Add(token);
                }

                await WriteAsync(context, 200, Ok($$"""{"token":"{{token}}","expires":900}""")).ConfigureAwait(false);
                return;
            case "/0/private/Balance":
                await WriteAsync(context, 200, Ok("{" + string.Join(",", Ledger.Balances.Select(b => $"\"{b.Key}\":\"{Num(b.Value)}\"")) + "}")).ConfigureAwait(false);
                return;
            default:
                await WriteAsync(context, 404, """{"error":["EGeneral:Unknown method"]}""").ConfigureAwait(false);
                return;
        }
    }

    private readonly HashSet<string> _issued = new(StringComparer.Ordinal);
    private int _tokens;

    public override bool ServesStream(PathString path) => path == "/v2";

    /// <summary>The v2 private stream: <c>executions</c> once subscribed with a token this venue issued.</summary>
    public override Task StreamAsync(HttpContext context, WebSocket socket)
    {
        bool subscribed = false;
        string? OnMessage(string text)
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement r = doc.RootElement;
            if (r.GetProperty("method").GetString() != "subscribe")
            {
                return null;
            }

            string token = r.GetProperty("params").GetProperty("token").GetString() ?? "";
            lock (_issued)
            {
                subscribed = _issued.Contains(token);
            }

            if (!subscribed)
            {
                Ledger.CountBadSignature();
            }

            return subscribed
                ? """{"method":"subscribe","result":{"channel":"executions","snap_orders":true,"snap_trades":false},"success":true,"time_in":"2026-01-01T00:00:00.000000Z","time_out":"2026-01-01T00:00:00.000001Z"}"""
                : """{"method":"subscribe","error":"EAPI:Invalid token","success":false,"time_in":"2026-01-01T00:00:00.000000Z","time_out":"2026-01-01T00:00:00.000001Z"}""";
        }

        return PumpAsync(context, socket, OnMessage, () => subscribed, Event);
    }

    /// <summary>The <c>executions</c> update for a ledger event: <c>new</c>, <c>trade</c> (with its exec id, size, price) or <c>canceled</c>.</summary>
    public static string Event(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        LoopbackOrder o = e.Order;
        string common = "\"order_id\":\"" + o.VenueOrderId + "\",\"cl_ord_id\":\"" + o.ClientOrderId + "\",\"symbol\":\"" + o.Symbol + "\",\"side\":\"" + (o.Buy ? "buy" : "sell")
            + "\",\"order_qty\":" + Num(o.Quantity) + ",\"limit_price\":" + Num(o.Price) + ",\"cum_qty\":" + Num(o.Filled) + ",\"timestamp\":\"2026-01-01T00:00:00.000000Z\"";
        string item = e.Fill is { } f
            ? $$"""{"exec_type":"trade","exec_id":"{{f.TradeId}}","trade_id":{{f.TradeId}},"last_qty":{{Num(f.Quantity)}},"last_price":{{Num(f.Price)}},"order_status":"{{(o.Filled >= o.Quantity ? "filled" : "partially_filled")}}",{{common}}}"""
            : e.Kind == "Cancelled"
            ? $$"""{"exec_type":"canceled","order_status":"canceled",{{common}}}"""
            : $$"""{"exec_type":"new","order_status":"new",{{common}}}""";
        return $$"""{"channel":"executions","type":"update","data":[{{item}}],"sequence":1}""";
    }

    /// <summary>
    /// The public AssetPairs entry of one pair, keyed as Kraken keys it (not by the name asked, e.g. XXBTZUSD for XBTUSD;
    /// the altname is ours) and with fields the client skips. Kraken states the lot step as decimal places, so the
    /// ledger's step must be a power of ten here. An unknown pair is EQuery:Unknown asset pair.
    /// </summary>
    private Task AssetPairsAsync(HttpContext context)
    {
        Ledger.CountRulesRequest();
        string pair = context.Request.Query["pair"].ToString();
        if (Ledger.Rules(pair) is not { } r)
        {
            return WriteAsync(context, 200, """{"error":["EQuery:Unknown asset pair"]}""");
        }

        return WriteAsync(context, 200, Ok($$"""{"X{{pair}}":{"altname":"{{pair}}","wsname":"{{pair}}","aclass_base":"currency","base":"{{r.BaseAsset}}","aclass_quote":"currency","quote":"{{r.QuoteAsset}}","lot":"unit","cost_decimals":5,"pair_decimals":{{Places(r.TickSize)}},"lot_decimals":{{Places(r.StepSize)}},"lot_multiplier":1,"leverage_buy":[2,3],"leverage_sell":[2,3],"fees":[[0,0.4]],"fee_volume_currency":"ZUSD","margin_call":80,"margin_stop":40,"ordermin":"{{Num(r.MinQuantity)}}","costmin":"{{Num(r.MinNotional)}}","tick_size":"{{Num(r.TickSize)}}","status":"online"}""" + "}"));
    }

    /// <summary>The decimal places of a power-of-ten step (0.001 → 3).</summary>
    private static int Places(decimal step)
    {
        int places = 0;
        while (step > 0 && step * Pow10(places) % 1 != 0)
        {
            places++;
        }

        return places;
    }

    private static decimal Pow10(int n)
    {
        decimal p = 1;
        for (int i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    protected override (int Status, string Body) Render(Refusal refusal) => refusal switch
    {
        Refusal.PriceTick => (200, """{"error":["EOrder:Invalid price:price can only be specified up to the pair's decimals."]}"""),
        Refusal.LotStep => (200, """{"error":["EGeneral:Invalid arguments:volume"]}"""),
        Refusal.MinQuantity => (200, """{"error":["EOrder:Order minimum not met"]}"""),
        Refusal.InsufficientBalance => (200, """{"error":["EOrder:Insufficient funds"]}"""),
        Refusal.MinNotional => (200, """{"error":["EOrder:Cost minimum not met"]}"""),
        Refusal.PriceFilter => (200, """{"error":["EGeneral:Invalid arguments:price"]}"""),
        Refusal.RateLimit => (429, """{"error":["EAPI:Rate limit exceeded"]}"""),
        Refusal.ServerError => (503, """{"error":["EService:Unavailable"]}"""),
        Refusal.DuplicateClientOrderId => (200, """{"error":["EOrder:Duplicate order"]}"""),
        Refusal.BadSignature => (200, """{"error":["EAPI:Invalid signature"]}"""),
        Refusal.ClockSkew => (200, """{"error":["EAPI:Invalid nonce"]}"""),
        Refusal.BadKey => (200, """{"error":["EAPI:Invalid key"]}"""),
        _ => (200, """{"error":["EOrder:Unknown order"]}"""),
    };

    private static string Ok(string result) => $$"""{"error":[],"result":{{result}}}""";

    private static string Entry(LoopbackOrder o)
    {
        string status = o.Status switch { "Filled" => "closed", "Cancelled" => "canceled", _ => "open" };
        return "\"" + o.VenueOrderId + "\":" + $$"""{"refid":null,"userref":0,"cl_ord_id":"{{o.ClientOrderId}}","status":"{{status}}","opentm":1688666559.8974,"vol":"{{Num(o.Quantity)}}","vol_exec":"{{Num(o.Filled)}}","cost":"{{Num(o.Notional)}}","fee":"0","price":"{{Num(o.AveragePrice)}}","descr":{"pair":"{{o.Symbol}}","type":"{{(o.Buy ? "buy" : "sell")}}","ordertype":"limit","price":"{{Num(o.Price)}}"}""" + "}";
    }

    private static Dictionary<string, string> Form(string body)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                p[Uri.UnescapeDataString(pair[..eq])] = Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }

        return p;
    }
}
