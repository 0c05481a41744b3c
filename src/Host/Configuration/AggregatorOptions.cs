using System.Globalization;
using LowLatency.Adapters.Aggregators;

namespace LowLatency.Host.Configuration;

/// <summary>
/// <c>"aggregators": {"zeroX": {...}, "oneInch": {...}}</c>: each aggregator's base URL (tests point them at loopback)
/// and its retry, timeout and breaker settings. Keys are never settings: <c>ZEROX_API_KEY</c> / <c>ONEINCH_API_KEY</c>.
/// </summary>
public sealed record AggregatorsOptions
{
    public AggregatorEndpointOptions ZeroX { get; init; } = new() { BaseUrl = "https://api.0x.org/" };

    public AggregatorEndpointOptions OneInch { get; init; } = new() { BaseUrl = "https://api.1inch.dev/" };

    public IEnumerable<string> Validate(string path)
    {
        foreach ((string name, AggregatorEndpointOptions? endpoint) in new[] { ("zeroX", ZeroX), ("oneInch", OneInch) })
        {
            if (endpoint is null)
            {
                yield return $"{path}.{name}: must not be null (leave it out for the defaults)";
                continue;
            }

            foreach (string e in endpoint.Validate($"{path}.{name}"))
            {
                yield return e;
            }
        }
    }
}

/// <summary>One aggregator: where it is and how hard to try (ResilienceOptions in milliseconds).</summary>
public sealed record AggregatorEndpointOptions
{
    public string BaseUrl { get; init; } = "";

    public int MaxAttempts { get; init; } = 3;

    public int BaseDelayMs { get; init; } = 100;

    public int TimeoutMs { get; init; } = 2_000;

    public int MaxRetryAfterMs { get; init; } = 10_000;

    public int BreakerFailures { get; init; } = 5;

    public int BreakerOpenForMs { get; init; } = 30_000;

    /// <summary>The base URL as a URI ending in '/', so relative API paths append to it.</summary>
    public Uri BaseUri => new(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/", UriKind.Absolute);

    public ResilienceOptions ToResilience() => new()
    {
        MaxAttempts = MaxAttempts,
        BaseDelay = TimeSpan.FromMilliseconds(BaseDelayMs),
        Timeout = TimeSpan.FromMilliseconds(TimeoutMs),
        MaxRetryAfter = TimeSpan.FromMilliseconds(MaxRetryAfterMs),
        BreakerFailures = BreakerFailures,
        BreakerOpenFor = TimeSpan.FromMilliseconds(BreakerOpenForMs),
    };

    public IEnumerable<string> Validate(string at)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query))
        {
            yield return BaseUrl is null ? $"{at}.baseUrl: must not be null" : $"{at}.baseUrl: must be an http:// or https:// URL without a query";
        }

        foreach ((string name, int value, int min, int max) in new[]
        {
            ("maxAttempts", MaxAttempts, 1, 10), ("baseDelayMs", BaseDelayMs, 0, 60_000), ("timeoutMs", TimeoutMs, 1, 120_000),
            ("maxRetryAfterMs", MaxRetryAfterMs, 0, 600_000), ("breakerFailures", BreakerFailures, 1, 1_000), ("breakerOpenForMs", BreakerOpenForMs, 1, 3_600_000),
        })
        {
            if (value < min || value > max)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{at}.{name}: {value} must be between {min} and {max}");
            }
        }
    }
}

public sealed partial record EngineOptions
{
    /// <summary>0x and 1inch endpoints and resilience (AggregatorOptions.cs).</summary>
    public AggregatorsOptions Aggregators { get; init; } = new();

    private void ValidateAggregators(List<string> errors)
    {
        if (Aggregators is null)
        {
            errors.Add("aggregators: must not be null (leave it out for the defaults)");
            return;
        }

        errors.AddRange(Aggregators.Validate("aggregators"));
    }
}
