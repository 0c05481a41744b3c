using System.Text.Json;
using LowLatency.Adapters.Cex.Execution.Rest;

namespace LowLatency.Adapters.Cex.Execution;

/// <summary>
/// Binance spot user data stream (https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream):
/// a listenKey from <c>POST /api/v3/userDataStream</c> (API key header only), then <c>{wsBase}/ws/{listenKey}</c>;
/// <c>executionReport</c> events become reports (<c>x</c> = NEW, TRADE, CANCELED, REJECTED, EXPIRED; <c>C</c> names the
/// original client id on a cancel); account events are not order reports and are skipped.
/// </summary>
public sealed class BinanceUserDataStream : PrivateOrderStream
{
    private readonly HttpClient _http;
    private readonly Uri _wsBase;
    private readonly string _apiKey;

    public BinanceUserDataStream(ExecutionSession session, Uri restBase, Uri wsBase, string apiKey, HttpMessageHandler? handler = null,
        Func<IReadOnlyDictionary<string, double>>? expectedBalances = null, TimeSpan? backoff = null)
        : base(session, expectedBalances, backoff)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = restBase;
        _http.Timeout = TimeSpan.FromSeconds(5);
        _wsBase = wsBase;
        _apiKey = apiKey;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }
    }

    protected override async Task<Uri?> ResolveAsync(CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v3/userDataStream");
        request.Headers.TryAddWithoutValidation("X-MBX-APIKEY", _apiKey);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancel).ConfigureAwait(false);
            using JsonDocument? doc = RestExecutionClient.TryParse(await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false));
            return doc is not null && RestJson.Str(doc.RootElement, "listenKey") is { Length: > 0 } key ? new Uri(_wsBase, "/ws/" + key) : null;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return null;
        }
    }

    protected internal override bool Parse(JsonElement root, List<StreamReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (root.ValueKind != JsonValueKind.Object || RestJson.Str(root, "e") is not { } type)
        {
            return false;
        }

        if (type != "executionReport")
        {
            return true; // outboundAccountPosition, balanceUpdate, listenKeyExpired: not order reports
        }

        string? client = RestJson.Str(root, "C") is { Length: > 0 } original ? original : RestJson.Str(root, "c");
        if (client is null || RestJson.Str(root, "i") is not { } orderId || RestJson.Str(root, "x") is not { } execution)
        {
            return false;
        }

        switch (execution)
        {
            case "NEW":
                reports.Add(new StreamReport(StreamReportKind.Ack, client, orderId, null, 0, 0));
                return true;
            case "TRADE":
                if (RestJson.Str(root, "t") is not { } tradeId || !RestJson.TryDec(root, "l", out decimal qty) || !RestJson.TryDec(root, "L", out decimal price))
                {
                    return false;
                }

                reports.Add(new StreamReport(StreamReportKind.Fill, client, orderId, tradeId, qty, price));
                return true;
            case "CANCELED" or "EXPIRED":
                reports.Add(new StreamReport(StreamReportKind.Cancelled, client, orderId, null, 0, 0));
                return true;
            case "REJECTED":
                reports.Add(new StreamReport(StreamReportKind.Rejected, client, orderId, null, 0, 0));
                return true;
            default:
                return true; // REPLACED, TRADE_PREVENTION: no position change of ours
        }
    }

}
