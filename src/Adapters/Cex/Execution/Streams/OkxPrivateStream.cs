using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>
/// OKX v5 private stream (https://www.okx.com/docs-v5/en/#overview-websocket-login, <c>/ws/v5/private</c>):
/// <c>{"op":"login","args":[{apiKey, passphrase, timestamp (unix s), sign = base64 HMAC-SHA256(secret, timestamp +
/// "GET" + "/users/self/verify")}]}</c>; once OKX answers <c>{"event":"login","code":"0"}</c>, the <c>orders</c> channel
/// (SPOT). Each push is the order's state after an event: a fill carries <c>tradeId</c>, <c>fillSz</c>, <c>fillPx</c>;
/// <c>live</c> is the ack, <c>canceled</c> the cancel.
/// </summary>
public sealed class OkxPrivateStream : PrivateOrderStream
{
    private readonly Uri _url;
    private readonly string _apiKey;
    private readonly string _passphrase;
    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public OkxPrivateStream(ExecutionSession session, Uri url, string apiKey, string secret, string passphrase, TimeProvider? time = null,
        Func<IReadOnlyDictionary<string, double>>? expectedBalances = null, TimeSpan? backoff = null)
        : base(session, expectedBalances, backoff)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _url = url;
        _apiKey = apiKey;
        _passphrase = passphrase;
        _secret = Encoding.UTF8.GetBytes(secret);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The login message for a timestamp (unix seconds).</summary>
    public string LoginMessage(long unixSeconds)
    {
        string timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        string sign = OkxSigner.Sign(_secret, timestamp, "GET", "/users/self/verify", "");
        return $$"""{"op":"login","args":[{"apiKey":{{RestJson.Quote(_apiKey)}},"passphrase":{{RestJson.Quote(_passphrase)}},"timestamp":"{{timestamp}}","sign":"{{sign}}"}]}""";
    }

    protected override void Dispose(bool disposing) => Array.Clear(_secret);

    protected override Task<Uri?> ResolveAsync(CancellationToken cancel) => Task.FromResult<Uri?>(_url);

    // OKX refuses a subscription sent before the login is acknowledged: wait for the login event first.
    protected override async Task SubscribeAsync(ClientWebSocket socket, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(socket);
        await SendTextAsync(socket, LoginMessage(_time.GetUtcNow().ToUnixTimeSeconds()), cancel).ConfigureAwait(false);
        var buffer = new byte[4096];
        for (int frames = 0; frames < 16; frames++)
        {
            ValueWebSocketReceiveResult r = await socket.ReceiveAsync(buffer.AsMemory(), cancel).ConfigureAwait(false);
            if (r.MessageType == WebSocketMessageType.Close || !r.EndOfMessage)
            {
                break;
            }

            using JsonDocument? doc = RestExecutionClient.TryParse(Encoding.UTF8.GetString(buffer, 0, r.Count));
            if (doc is not null && RestJson.Str(doc.RootElement, "event") is "login" or "error")
            {
                if (RestJson.Str(doc.RootElement, "code") != "0")
                {
                    throw new WebSocketException("OKX refused the login"); // reconnect with back-off; REST reconciliation still runs between tries
                }

                break;
            }
        }

        await SendTextAsync(socket, """{"op":"subscribe","args":[{"channel":"orders","instType":"SPOT"}]}""", cancel).ConfigureAwait(false);
    }

    protected internal override bool Parse(JsonElement root, List<StreamReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (!RestJson.Has(root, "arg", out JsonElement arg))
        {
            return RestJson.Has(root, "event", out _); // login, subscribe, error events
        }

        if (RestJson.Str(arg, "channel") != "orders")
        {
            return true;
        }

        if (!RestJson.Has(root, "data", out JsonElement data) || data.ValueKind != JsonValueKind.Array)
        {
            return RestJson.Has(root, "event", out _); // the subscription's own answer carries arg and event
        }

        foreach (JsonElement d in data.EnumerateArray())
        {
            string client = RestJson.Str(d, "clOrdId") ?? "";
            if (RestJson.Str(d, "ordId") is not { Length: > 0 } orderId)
            {
                return false;
            }

            if (RestJson.Str(d, "tradeId") is { Length: > 0 } tradeId)
            {
                if (!RestJson.TryDec(d, "fillSz", out decimal qty) || !RestJson.TryDec(d, "fillPx", out decimal price))
                {
                    return false;
                }

                reports.Add(new StreamReport(StreamReportKind.Fill, client, orderId, tradeId, qty, price));
                continue;
            }

            StreamReportKind? kind = RestJson.Str(d, "state") switch
            {
                "live" => StreamReportKind.Ack,
                "canceled" or "mmp_canceled" => StreamReportKind.Cancelled,
                _ => null, // partially_filled / filled without a trade: their fills came with their trade ids
            };
            if (kind is { } k)
            {
                reports.Add(new StreamReport(k, client, orderId, null, 0, 0));
            }
        }

        return true;
    }
}
