using System.Globalization;
using System.Net;
using System.Text.Json;

namespace LowLatency.Adapters.Cex.Execution.Rest;

/// <summary>
/// What one venue's REST execution client needs: where to send, the key material (never printed: <see cref="ToString"/>
/// names no value), the time allowed for one call and the signature window.
/// </summary>
public sealed class ExecutionClientOptions
{
    /// <summary>REST base (<c>venues.&lt;name&gt;.restUrl</c>; the live defaults of <c>LiveVenueDefaults</c> otherwise).</summary>
    public required Uri BaseUrl { get; init; }

    public required string ApiKey { get; init; }

    /// <summary>HMAC secret; for Binance it may be an Ed25519 PKCS#8 PEM; for Coinbase the EC private key PEM.</summary>
    public required string Secret { get; init; }

    /// <summary>OKX only.</summary>
    public string? Passphrase { get; init; }

    /// <summary>One call's limit: past it the outcome is <see cref="ExecError.Timeout"/> (unknown until its status is read).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Binance <c>recvWindow</c>, Bybit <c>X-BAPI-RECV-WINDOW</c> (ms).</summary>
    public int RecvWindowMs { get; init; } = 5000;

    /// <summary>Wall clock for request timestamps (tests skew it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Tests pass the loopback handler; null uses a pooled socket handler.</summary>
    public HttpMessageHandler? Handler { get; init; }

    public override string ToString() => $"execution options for {BaseUrl} (keys not shown)";
}

/// <summary>The HTTP answer of one call, or why there was none.</summary>
internal readonly record struct RestReply(int Status, string Body, TimeSpan RetryAfter, ExecError Failure, string? Detail);

/// <summary>
/// The transport every REST execution client shares: one <see cref="HttpClient"/> per venue, a per-call timeout, and
/// every transport fault turned into a value (timeout, dropped connection, 429/418 with Retry-After, 5xx). The venue
/// clients map their own error bodies. Warm path: allocation is fine here, never on the strategy thread.
/// </summary>
public abstract class RestExecutionClient : IExecutionClient
{
    private const int DetailLength = 160;
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    protected RestExecutionClient(string venue, ExecutionClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Venue = venue;
        Options = options;
        _timeout = options.Timeout;
        _http = options.Handler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseCookies = false });
        _http.BaseAddress = options.BaseUrl;
        _http.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // ours, per call, below
    }

    public string Venue { get; }

    protected ExecutionClientOptions Options { get; }

    protected long NowMs => Options.Time.GetUtcNow().ToUnixTimeMilliseconds();

    public abstract Task<ExecResult<VenueOrder>> PlaceAsync(OrderRequest order, CancellationToken cancel);

    public abstract Task<ExecResult<string>> CancelAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel);

    public abstract Task<ExecResult<VenueOrder>> StatusAsync(string symbol, string clientOrderId, string? venueOrderId, CancellationToken cancel);

    public abstract Task<ExecResult<IReadOnlyList<VenueOrder>>> OpenOrdersAsync(CancellationToken cancel);

    public abstract Task<ExecResult<IReadOnlyDictionary<string, decimal>>> BalancesAsync(CancellationToken cancel);

    public abstract Task<ExecResult<SymbolRules>> RulesAsync(string symbol, CancellationToken cancel);

    public void Dispose()
    {
        _http.Dispose();
        DisposeKeys();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeKeys()
    {
    }

    internal async Task<RestReply> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(_timeout);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            TimeSpan retryAfter = RetryAfter(response);
            if (status is 429 or 418)
            {
                return new RestReply(status, body, retryAfter, ExecError.RateLimited, Excerpt($"HTTP {status} {body}"));
            }

            return new RestReply(status, body, retryAfter, ExecError.None, null);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return new RestReply(0, "", default, ExecError.Timeout, $"no answer within {_timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            return new RestReply(0, "", default, ExecError.Transport, Excerpt(e.HttpRequestError.ToString()));
        }
        catch (IOException e)
        {
            return new RestReply(0, "", default, ExecError.Transport, Excerpt(e.GetType().Name));
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>An unsigned GET of a public endpoint (instrument rules): no key travels with it.</summary>
    internal Task<RestReply> PublicGetAsync(string pathAndQuery, CancellationToken cancel) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, pathAndQuery), cancel);

    /// <summary>The rules a venue stated, or Malformed naming <paramref name="venue"/> when one is negative.</summary>
    internal static ExecResult<SymbolRules> Rules(string venue, decimal tickSize, decimal stepSize, decimal minQuantity, decimal minNotional, string? baseAsset, string? quoteAsset) =>
        SymbolRules.TryCreate(tickSize, stepSize, minQuantity, minNotional, baseAsset, quoteAsset) is { } rules
            ? ExecResult<SymbolRules>.Success(rules)
            : ExecResult<SymbolRules>.Fail(ExecError.Malformed, venue + ": instrument rules with a negative value");

    /// <summary>A reply's failure as a result: transport faults and rate limits as they came, 5xx as unavailable.</summary>
    internal static ExecResult<T> TransportFailure<T>(in RestReply reply) =>
        reply.Failure != ExecError.None
            ? ExecResult<T>.Fail(reply.Failure, reply.Detail, reply.RetryAfter)
            : ExecResult<T>.Fail(ExecError.VenueUnavailable, Excerpt($"HTTP {reply.Status} {reply.Body}"));

    /// <summary>Whether the reply carries a body the venue mapper should read (anything but a transport fault or a 5xx).</summary>
    internal static bool Readable(in RestReply reply) => reply.Failure == ExecError.None && reply.Status is > 0 and < 500;

    /// <summary>A venue message cut to a bounded length for logs and errors (never a key: keys are not in answers).</summary>
    protected internal static string Excerpt(string text) =>
        text.Length <= DetailLength ? text : string.Concat(text.AsSpan(0, DetailLength), "…");

    internal static JsonDocument? TryParse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                TimeSpan wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return response.StatusCode == HttpStatusCode.TooManyRequests ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
    }
}

/// <summary>Reading venue JSON: numbers arrive as strings or numbers; anything else is a miss, never an exception.</summary>
internal static class RestJson
{
    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>A property of an object; false (never an exception) when <paramref name="e"/> is not an object.</summary>
    public static bool Has(JsonElement e, string name, out JsonElement value)
    {
        value = default;
        return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out value);
    }

    public static bool TryDec(JsonElement e, string name, out decimal value)
    {
        value = 0;
        string? text = Str(e, name);
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A decimal field that may be absent or empty (zero then); false only when present and not a number.</summary>
    public static bool TryDecOrZero(JsonElement e, string name, out decimal value)
    {
        value = 0;
        string? text = Str(e, name);
        return string.IsNullOrEmpty(text) || decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The element of <paramref name="array"/> whose <paramref name="key"/> is <paramref name="value"/> (an instrument in a
    /// venue's list); false when there is none. <paramref name="isArray"/> says whether it was an array at all.
    /// </summary>
    public static bool TryFind(JsonElement array, string key, string value, out bool isArray, out JsonElement item)
    {
        item = default;
        isArray = array.ValueKind == JsonValueKind.Array;
        if (!isArray)
        {
            return false;
        }

        foreach (JsonElement e in array.EnumerateArray())
        {
            if (Str(e, key) == value)
            {
                item = e;
                return true;
            }
        }

        return false;
    }

    public static string Num(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON string literal of <paramref name="text"/>.</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text, RestJsonContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class RestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
