using System.Net.WebSockets;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Adapters.Cex.Execution.Signing;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>
/// Coinbase Advanced Trade <c>user</c> channel (https://docs.cdp.coinbase.com/advanced-trade/docs/ws-channels#user-channel,
/// <c>wss://advanced-trade-ws-user.coinbase.com</c>): <c>{"type":"subscribe","channel":"user","jwt":…}</c> with a CDP
/// JWT (ES256, no <c>uri</c> claim), and <c>heartbeats</c> so an idle connection is kept. Each event lists orders with
/// their totals (<c>cumulative_quantity</c>, <c>avg_price</c>, <c>status</c>), not trades: they are applied as a
/// cumulative status, as reconciliation applies a REST answer, so a repeated or a missed update neither counts a fill
/// twice nor loses one. <c>FAILED</c> is a reject; <c>OPEN</c>/<c>PENDING</c> with nothing filled is the ack.
/// </summary>
public sealed class CoinbaseUserStream : PrivateOrderStream
{
    /// <summary>Coinbase's user-channel endpoint.</summary>
    public static readonly Uri Endpoint = new("wss://advanced-trade-ws-user.coinbase.com");

    private readonly Uri _url;
    private readonly CoinbaseJwtSigner _signer;
    private readonly TimeProvider _time;

    /// <param name="signer">A signer of the CDP key (the REST client keeps its own); the stream disposes it.</param>
    public CoinbaseUserStream(ExecutionSession session, Uri url, CoinbaseJwtSigner signer, TimeProvider? time = null,
        Func<IReadOnlyDictionary<string, double>>? expectedBalances = null, TimeSpan? backoff = null)
        : base(session, expectedBalances, backoff)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(signer);
        _url = url;
        _signer = signer;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The subscribe message of <paramref name="channel"/> with a fresh JWT (each lives 2 minutes).</summary>
    public string SubscribeMessage(string channel) =>
        $$"""{"type":"subscribe","channel":{{RestJson.Quote(channel)}},"jwt":"{{_signer.CreateWebSocketToken(_time.GetUtcNow().ToUnixTimeSeconds())}}"}""";

    protected override Task<Uri?> ResolveAsync(CancellationToken cancel) => Task.FromResult<Uri?>(_url);

    protected override void Dispose(bool disposing) => _signer.Dispose();

    // A refused JWT is an error frame, not a closed socket: wait for the user channel's confirmation, as OKX's login.
    protected override async Task SubscribeAsync(ClientWebSocket socket, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(socket);
        await SendTextAsync(socket, SubscribeMessage("heartbeats"), cancel).ConfigureAwait(false);
        await SendTextAsync(socket, SubscribeMessage("user"), cancel).ConfigureAwait(false);
        var buffer = new byte[16 * 1024];
        for (int frames = 0; frames < 16; frames++)
        {
            ValueWebSocketReceiveResult r = await socket.ReceiveAsync(buffer.AsMemory(), cancel).ConfigureAwait(false);
            if (r.MessageType == WebSocketMessageType.Close || !r.EndOfMessage)
            {
                break;
            }

            using JsonDocument? doc = RestExecutionClient.TryParse(System.Text.Encoding.UTF8.GetString(buffer, 0, r.Count));
            if (doc is null)
            {
                continue;
            }

            JsonElement root = doc.RootElement;
            if (RestJson.Str(root, "type") == "error")
            {
                throw new WebSocketException("Coinbase refused the subscription"); // reconnect with back-off and a new JWT
            }

            string? channel = RestJson.Str(root, "channel");
            if (channel == "user")
            {
                Handle(buffer.AsSpan(0, r.Count)); // an update before the confirmation is applied, not lost
            }
            else if (channel == "subscriptions" && Subscribed(root))
            {
                return;
            }
        }

        throw new WebSocketException("Coinbase did not confirm the user subscription");
    }

    private static bool Subscribed(JsonElement root)
    {
        if (!RestJson.Has(root, "events", out JsonElement events) || events.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (JsonElement e in events.EnumerateArray())
        {
            if (RestJson.Has(e, "subscriptions", out JsonElement subs) && subs.ValueKind == JsonValueKind.Object && subs.TryGetProperty("user", out _))
            {
                return true;
            }
        }

        return false;
    }

    protected internal override bool Parse(JsonElement root, List<StreamReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (RestJson.Str(root, "channel") is not { } channel)
        {
            return false;
        }

        if (channel != "user")
        {
            return true; // heartbeats, subscriptions
        }

        if (!RestJson.Has(root, "events", out JsonElement events) || events.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (JsonElement e in events.EnumerateArray())
        {
            if (!RestJson.Has(e, "orders", out JsonElement orders) || orders.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (JsonElement o in orders.EnumerateArray())
            {
                if (RestJson.Str(o, "order_id") is not { Length: > 0 } orderId || RestJson.Str(o, "status") is not { } status
                    || !RestJson.TryDec(o, "cumulative_quantity", out decimal filled) || filled < 0)
                {
                    return false;
                }

                // avg_price is absent or empty until something fills.
                decimal average = 0;
                if (filled > 0 && (!RestJson.TryDec(o, "avg_price", out average) || average <= 0))
                {
                    return false;
                }

                string client = RestJson.Str(o, "client_order_id") ?? "";
                switch (status)
                {
                    case "FAILED":
                        reports.Add(new StreamReport(StreamReportKind.Rejected, client, orderId, null, 0, 0));
                        break;
                    case "OPEN" or "PENDING" when filled == 0:
                        reports.Add(new StreamReport(StreamReportKind.Ack, client, orderId, null, 0, 0));
                        break;
                    case "OPEN" or "PENDING":
                        reports.Add(new StreamReport(StreamReportKind.Status, client, orderId, null, filled, average, VenueOrderStatus.PartiallyFilled));
                        break;
                    case "FILLED":
                        reports.Add(new StreamReport(StreamReportKind.Status, client, orderId, null, filled, average, VenueOrderStatus.Filled));
                        break;
                    case "CANCELLED" or "EXPIRED":
                        reports.Add(new StreamReport(StreamReportKind.Status, client, orderId, null, filled, average,
                            status == "CANCELLED" ? VenueOrderStatus.Cancelled : VenueOrderStatus.Expired));
                        break;
                    default:
                        // CANCEL_QUEUED, EDIT_QUEUED, UNKNOWN_ORDER_STATUS: nothing to apply until it settles.
                        break;
                }
            }
        }

        return true;
    }
}
