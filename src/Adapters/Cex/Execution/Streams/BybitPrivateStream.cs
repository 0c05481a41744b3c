using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Rest;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>
/// Bybit v5 private stream (https://bybit-exchange.github.io/docs/v5/ws/connect): <c>{"op":"auth","args":[key,
/// expires, hex HMAC-SHA256(secret, "GET/realtime" + expires)]}</c>, then <c>order</c> and <c>execution</c> topics.
/// <c>execution</c> (execType Trade) gives fills with <c>execId</c>; <c>order</c> gives acks, cancels and rejects.
/// </summary>
public sealed class BybitPrivateStream : PrivateOrderStream
{
    private readonly Uri _url;
    private readonly string _apiKey;
    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public BybitPrivateStream(ExecutionSession session, Uri url, string apiKey, string secret, TimeProvider? time = null,
        Func<IReadOnlyDictionary<string, double>>? expectedBalances = null, TimeSpan? backoff = null)
        : base(session, expectedBalances, backoff)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _url = url;
        _apiKey = apiKey;
        _secret = Encoding.UTF8.GetBytes(secret);
        _time = time ?? TimeProvider.System;
    }

    protected override void Dispose(bool disposing) => Array.Clear(_secret);

    /// <summary>The auth message for an expiry time (ms).</summary>
    public string AuthMessage(long expiresMs)
    {
        string expires = expiresMs.ToString(CultureInfo.InvariantCulture);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes("GET/realtime" + expires)));
        return $$"""{"op":"auth","args":[{{RestJson.Quote(_apiKey)}},{{expires}},"{{signature}}"]}""";
    }

    protected override Task<Uri?> ResolveAsync(CancellationToken cancel) => Task.FromResult<Uri?>(_url);

    protected override async Task SubscribeAsync(ClientWebSocket socket, CancellationToken cancel)
    {
        await SendTextAsync(socket, AuthMessage(_time.GetUtcNow().ToUnixTimeMilliseconds() + 10_000), cancel).ConfigureAwait(false);
        await SendTextAsync(socket, """{"op":"subscribe","args":["order","execution"]}""", cancel).ConfigureAwait(false);
    }

    protected internal override bool Parse(JsonElement root, List<StreamReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (RestJson.Str(root, "topic") is not { } topic)
        {
            // op replies (auth, subscribe, pong): a failed auth leaves the stream silent; reconciliation still runs.
            return RestJson.Has(root, "op", out _);
        }

        if (!RestJson.Has(root, "data", out JsonElement data) || data.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (JsonElement d in data.EnumerateArray())
        {
            string client = RestJson.Str(d, "orderLinkId") ?? "";
            if (RestJson.Str(d, "orderId") is not { } orderId)
            {
                return false;
            }

            if (topic == "execution")
            {
                if (RestJson.Str(d, "execType") != "Trade")
                {
                    continue;
                }

                if (RestJson.Str(d, "execId") is not { } execId || !RestJson.TryDec(d, "execQty", out decimal qty) || !RestJson.TryDec(d, "execPrice", out decimal price))
                {
                    return false;
                }

                reports.Add(new StreamReport(StreamReportKind.Fill, client, orderId, execId, qty, price));
            }
            else if (topic == "order")
            {
                StreamReportKind? kind = RestJson.Str(d, "orderStatus") switch
                {
                    "New" => StreamReportKind.Ack,
                    "Cancelled" or "PartiallyFilledCanceled" or "Deactivated" => StreamReportKind.Cancelled,
                    "Rejected" => StreamReportKind.Rejected,
                    _ => null, // fills come on execution
                };
                if (kind is { } k)
                {
                    reports.Add(new StreamReport(k, client, orderId, null, 0, 0));
                }
            }
        }

        return true;
    }
}
