using System.Net.WebSockets;
using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Rest;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>
/// Kraken WebSocket v2 <c>executions</c> (https://docs.kraken.com/api/docs/websocket-v2/executions, endpoint
/// <c>wss://ws-auth.kraken.com/v2</c>): each connection first asks REST for a token (<c>GetWebSocketsToken</c>, signed
/// like every private call), then subscribes with it. <c>exec_type</c> <c>trade</c> is a fill (<c>exec_id</c>,
/// <c>last_qty</c>, <c>last_price</c>), <c>new</c> the ack, <c>canceled</c>/<c>expired</c> the cancel.
/// </summary>
public sealed class KrakenPrivateStream : PrivateOrderStream
{
    private readonly KrakenExecutionClient _client;
    private readonly Uri _url;
    private string? _token;

    public KrakenPrivateStream(ExecutionSession session, KrakenExecutionClient client, Uri url,
        Func<IReadOnlyDictionary<string, double>>? expectedBalances = null, TimeSpan? backoff = null)
        : base(session, expectedBalances, backoff)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _url = url;
    }

    // A fresh token per connection: Kraken's lapses 15 minutes after issue unless a connection holds it.
    protected override async Task<Uri?> ResolveAsync(CancellationToken cancel)
    {
        ExecResult<string> token = await _client.WebSocketTokenAsync(cancel).ConfigureAwait(false);
        _token = token.Ok ? token.Value : null;
        return _token is null ? null : _url;
    }

    protected override Task SubscribeAsync(ClientWebSocket socket, CancellationToken cancel) =>
        SendTextAsync(socket, """{"method":"subscribe","params":{"channel":"executions","token":""" + RestJson.Quote(_token ?? "") + ""","snap_orders":true,"snap_trades":false}}""", cancel);

    protected internal override bool Parse(JsonElement root, List<StreamReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        string? channel = RestJson.Str(root, "channel");
        if (channel != "executions")
        {
            return channel is not null || RestJson.Has(root, "method", out _); // heartbeat, status, subscribe answers
        }

        if (!RestJson.Has(root, "data", out JsonElement data) || data.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (JsonElement d in data.EnumerateArray())
        {
            string client = RestJson.Str(d, "cl_ord_id") ?? "";
            if (RestJson.Str(d, "order_id") is not { Length: > 0 } orderId)
            {
                return false;
            }

            switch (RestJson.Str(d, "exec_type"))
            {
                case "trade":
                    if (RestJson.Str(d, "exec_id") is not { Length: > 0 } execId || !RestJson.TryDec(d, "last_qty", out decimal qty) || !RestJson.TryDec(d, "last_price", out decimal price))
                    {
                        return false;
                    }

                    reports.Add(new StreamReport(StreamReportKind.Fill, client, orderId, execId, qty, price));
                    break;
                case "new":
                    reports.Add(new StreamReport(StreamReportKind.Ack, client, orderId, null, 0, 0));
                    break;
                case "canceled" or "expired":
                    reports.Add(new StreamReport(StreamReportKind.Cancelled, client, orderId, null, 0, 0));
                    break;
            }
        }

        return true;
    }
}
