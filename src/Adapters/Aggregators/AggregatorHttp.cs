using System.Net;
using System.Numerics;
using System.Text.Json;

namespace LowLatency.Adapters.Aggregators;

/// <summary>Why a quote is missing: every failure is one of these values, never an exception out of a client.</summary>
public enum QuoteError : byte
{
    None,
    CircuitOpen,
    RateLimited,
    ServerError,
    Timeout,
    Malformed,
    WrongToken,
    UnsupportedChain,
    UnknownToken,
    Rejected,
    Network,
    NotConfigured,
    Cancelled,

    /// <summary>The request itself is invalid (a taker that is not an address, a slippage out of range): nothing was sent.</summary>
    InvalidRequest,

    /// <summary>A firm quote whose transaction cannot be the one asked for (no address to send to, no calldata, built for another wallet).</summary>
    BadTransaction,
}

/// <summary>One aggregator's answer: the amounts as the API gives them (base units), or the error with its detail.</summary>
public readonly record struct AggregatorQuote(string Aggregator, int ChainId, BigInteger SellAmount, BigInteger BuyAmount, QuoteError Error, string? Detail)
{
    public bool IsOk => Error == QuoteError.None;

    public static AggregatorQuote Failed(string aggregator, int chainId, QuoteError error, string? detail) => new(aggregator, chainId, 0, 0, error, detail);
}

/// <summary>Retry and breaker settings of one aggregator.</summary>
public sealed record ResilienceOptions
{
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed calls (after their retries) that open the breaker.</summary>
    public int BreakerFailures { get; init; } = 5;

    /// <summary>How long an open breaker refuses calls before one trial call is let through.</summary>
    public TimeSpan BreakerOpenFor { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Per-aggregator HTTP: retries 5xx, timeouts and network errors with jittered exponential back-off; obeys a 429's
/// <c>Retry-After</c> (seconds or a date, capped); a <see cref="CircuitBreaker"/> opens after a burst of failed calls
/// and lets one probe through after its open time. A 4xx is an answer (the service is up): not retried, and it counts
/// as a success for the breaker. The clock, the delay and the jitter are injected so tests are deterministic.
/// Warm path (I/O threads); allocates.
/// </summary>
public sealed class AggregatorHttp
{
    private readonly HttpClient _http;
    private readonly ResilienceOptions _options;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<double> _jitter;

    public AggregatorHttp(HttpClient http, ResilienceOptions options, Func<DateTimeOffset>? clock = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _delay = delay ?? Task.Delay;
        _jitter = jitter ?? Random.Shared.NextDouble;
        Breaker = new CircuitBreaker(options.BreakerFailures, options.BreakerOpenFor, _clock);
    }

    /// <summary>This aggregator's breaker (state for the router, the summary and the dashboard).</summary>
    public CircuitBreaker Breaker { get; }

    /// <summary>Whether the breaker refuses calls now.</summary>
    public bool IsOpen => Breaker.Refuses;

    /// <summary>Delays asked for so far (back-off and Retry-After), for the summary and tests. Read under a lock on it.</summary>
    public List<TimeSpan> Delays { get; } = [];

    /// <summary>GET with the given headers; the body as JSON, or the error. Never throws for I/O or HTTP failures.</summary>
    public async Task<(JsonDocument? Body, QuoteError Error, string? Detail)> GetJsonAsync(Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        if (!Breaker.TryAcquire())
        {
            return (null, QuoteError.CircuitOpen, "circuit open after repeated failures");
        }

        try
        {
            return await SendWithRetriesAsync(uri, headers, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Breaker.Release();
            return (null, QuoteError.Cancelled, "cancelled by the caller");
        }
    }

    private async Task<(JsonDocument? Body, QuoteError Error, string? Detail)> SendWithRetriesAsync(Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancel)
    {

        QuoteError error = QuoteError.Network;
        string? detail = null;
        for (int attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            TimeSpan wait;
            using (var request = new HttpRequestMessage(HttpMethod.Get, uri))
            {
                foreach ((string name, string value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timeout.CancelAfter(_options.Timeout);
                try
                {
                    using HttpResponseMessage response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    string text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        try
                        {
                            JsonDocument body = JsonDocument.Parse(text);
                            Record(success: true);
                            return (body, QuoteError.None, null);
                        }
                        catch (JsonException)
                        {
                            Record(success: false);
                            return (null, QuoteError.Malformed, "the body is not JSON");
                        }
                    }

                    int status = (int)response.StatusCode;
                    detail = $"HTTP {status}";
                    if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        error = QuoteError.RateLimited;
                        wait = RetryAfter(response) ?? Backoff(attempt);
                    }
                    else if (status >= 500)
                    {
                        error = QuoteError.ServerError;
                        wait = Backoff(attempt);
                    }
                    else
                    {
                        // 4xx: the request is wrong (unknown token, unsupported chain...): not retried, not a breaker failure.
                        Record(success: true);
                        return (null, Classify4xx(text), detail + ": " + Excerpt(text));
                    }
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    error = QuoteError.Timeout;
                    detail = "no answer within " + _options.Timeout.TotalMilliseconds + " ms";
                    wait = Backoff(attempt);
                }
                catch (HttpRequestException e)
                {
                    error = QuoteError.Network;
                    detail = e.HttpRequestError.ToString();
                    wait = Backoff(attempt);
                }
            }

            if (attempt < _options.MaxAttempts)
            {
                lock (Delays)
                {
                    Delays.Add(wait);
                }

                await _delay(wait, cancel).ConfigureAwait(false);
            }
        }

        Record(success: false);
        return (null, error, detail);
    }

    private static QuoteError Classify4xx(string text)
    {
        string lower = text.ToLowerInvariant();
        return lower.Contains("chain", StringComparison.Ordinal) ? QuoteError.UnsupportedChain
            : lower.Contains("token", StringComparison.Ordinal) ? QuoteError.UnknownToken
            : QuoteError.Rejected;
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200];

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromTicks((long)(_options.BaseDelay.Ticks * Math.Pow(2, attempt - 1) * (0.5 + _jitter())));

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        TimeSpan? after = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - _clock() : null);
        return after is { } a ? (a < TimeSpan.Zero ? TimeSpan.Zero : a > _options.MaxRetryAfter ? _options.MaxRetryAfter : a) : null;
    }

    private void Record(bool success) => Breaker.Record(success);
}
