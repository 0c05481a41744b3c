using System.Numerics;
using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Venues;

namespace LowLatency.Adapters.Execution.Tests.Aggregators;

public sealed class AggregatorTests
{
    private const string Usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
    private const string Weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

    // The documented 200 shapes, trimmed to the fields we read plus some we skip.
    private static string ZeroExPrice(string buyToken = Weth) => $$"""
        {"blockNumber":"20114692","buyAmount":"334593588589131436","buyToken":"{{buyToken}}","fees":{"integratorFee":null,"zeroExFee":null,"gasFee":null},
         "gas":"288095","gasPrice":"7062490000","issues":{"allowance":null,"balance":null,"simulationIncomplete":false,"invalidSourcesPassed":[]},
         "liquidityAvailable":true,"minBuyAmount":"331247652703240121","route":{"fills":[],"tokens":[]},"sellAmount":"1000000000","sellToken":"{{Usdc}}","totalNetworkFee":"2034668056550000","zid":"0x111"}
        """;

    private static string OneInchQuote(string dst = Weth) => $$"""
        {"srcToken":{"address":"{{Usdc}}","symbol":"USDC","decimals":6},"dstToken":{"address":"{{dst}}","symbol":"WETH","decimals":18},"dstAmount":"334600000000000000","gas":180000}
        """;

    private static AggregatorHttp Http(List<TimeSpan>? delays = null, Func<DateTimeOffset>? clock = null, ResilienceOptions? options = null) =>
        new(new HttpClient(), options ?? new ResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromSeconds(5) },
            clock, (d, _) => { delays?.Add(d); return Task.CompletedTask; }, () => 0.5);

    [Fact]
    public async Task ZeroEx_price_sends_its_headers_and_reads_the_documented_shape()
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, ZeroExPrice()));
        var client = new ZeroExClient(Http(), server.BaseUri, "zx-key");
        AggregatorQuote q = await client.PriceAsync(1, Usdc, Weth, 1_000_000_000, CancellationToken.None);
        Assert.True(q.IsOk, q.Detail);
        Assert.Equal(BigInteger.Parse("334593588589131436", System.Globalization.CultureInfo.InvariantCulture), q.BuyAmount);
        Assert.Equal(1_000_000_000, q.SellAmount);
        (string path, Dictionary<string, string> headers) = Assert.Single(server.Requests);
        Assert.StartsWith("/swap/allowance-holder/price?chainId=1&sellToken=" + Usdc, path, StringComparison.Ordinal);
        Assert.Equal("zx-key", headers["0x-api-key"]);
        Assert.Equal("v2", headers["0x-version"]);
    }

    [Fact]
    public async Task OneInch_quote_sends_bearer_and_reads_dst_amount()
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, OneInchQuote()));
        var client = new OneInchClient(Http(), server.BaseUri, "1i-key");
        AggregatorQuote q = await client.QuoteAsync(42161, Usdc, Weth, 1_000_000_000, CancellationToken.None);
        Assert.True(q.IsOk, q.Detail);
        Assert.Equal(BigInteger.Parse("334600000000000000", System.Globalization.CultureInfo.InvariantCulture), q.BuyAmount);
        (string path, Dictionary<string, string> headers) = Assert.Single(server.Requests);
        Assert.StartsWith("/swap/v6.0/42161/quote?src=", path, StringComparison.Ordinal);
        Assert.Equal("Bearer 1i-key", headers["Authorization"]);
    }

    [Theory]
    [InlineData("{\"buyAmount\":\"12x\",\"sellAmount\":\"1\"}", QuoteError.Malformed)]
    [InlineData("not json", QuoteError.Malformed)]
    [InlineData("[1,2]", QuoteError.Malformed)]
    [InlineData("{\"liquidityAvailable\":false,\"zid\":\"0x1\"}", QuoteError.Rejected)]
    public async Task Malformed_and_empty_answers_are_values(string body, QuoteError expected)
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, body));
        AggregatorQuote q = await new ZeroExClient(Http(), server.BaseUri, "k").PriceAsync(1, Usdc, Weth, 1, CancellationToken.None);
        Assert.Equal(expected, q.Error);
    }

    [Fact]
    public async Task A_quote_for_another_token_is_refused()
    {
        using var zx = new LoopbackHttpServer(_ => new LoopbackResponse(200, ZeroExPrice(buyToken: Usdc)));
        Assert.Equal(QuoteError.WrongToken, (await new ZeroExClient(Http(), zx.BaseUri, "k").PriceAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
        using var oi = new LoopbackHttpServer(_ => new LoopbackResponse(200, OneInchQuote(dst: Usdc)));
        Assert.Equal(QuoteError.WrongToken, (await new OneInchClient(Http(), oi.BaseUri, "k").QuoteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
    }

    [Fact]
    public async Task An_unknown_token_and_an_unserved_chain_are_named_and_not_retried()
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(400, "{\"error\":\"Bad Request\",\"description\":\"cannot sync token info for 0xdead\"}"));
        AggregatorQuote q = await new OneInchClient(Http(), server.BaseUri, "k").QuoteAsync(1, "0xdead", Weth, 1, CancellationToken.None);
        Assert.Equal(QuoteError.UnknownToken, q.Error);
        Assert.Single(server.Requests);
        AggregatorQuote chain = await new ZeroExClient(Http(), server.BaseUri, "k").PriceAsync(137_000, Usdc, Weth, 1, CancellationToken.None);
        Assert.Equal(QuoteError.UnsupportedChain, chain.Error);
        Assert.Single(server.Requests); // refused before any I/O
    }

    [Fact]
    public async Task A_5xx_burst_is_retried_with_jittered_backoff_and_then_opens_the_breaker_until_its_time_passes()
    {
        int calls = 0;
        bool healthy = false;
        using var server = new LoopbackHttpServer(_ => { Interlocked.Increment(ref calls); return healthy ? new LoopbackResponse(200, OneInchQuote()) : new LoopbackResponse(503, "{}"); });
        var delays = new List<TimeSpan>();
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        AggregatorHttp http = Http(delays, () => now, new ResilienceOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(100), BreakerFailures = 2, BreakerOpenFor = TimeSpan.FromSeconds(30) });
        var client = new OneInchClient(http, server.BaseUri, "k");

        Assert.Equal(QuoteError.ServerError, (await client.QuoteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
        Assert.Equal(3, calls);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], delays); // jitter 0.5 → ×1.0
        Assert.False(http.IsOpen);
        Assert.Equal(QuoteError.ServerError, (await client.QuoteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
        Assert.True(http.IsOpen);

        healthy = true;
        Assert.Equal(QuoteError.CircuitOpen, (await client.QuoteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
        Assert.Equal(6, calls); // the open breaker sent nothing
        now += TimeSpan.FromSeconds(30);
        Assert.True((await client.QuoteAsync(1, Usdc, Weth, 1, CancellationToken.None)).IsOk);
        Assert.False(http.IsOpen);
    }

    [Fact]
    public async Task A_429_waits_the_retry_after_it_names_capped_at_the_maximum()
    {
        int calls = 0;
        using var server = new LoopbackHttpServer(_ => Interlocked.Increment(ref calls) switch
        {
            1 => new LoopbackResponse(429, "{}", new Dictionary<string, string> { ["Retry-After"] = "3" }),
            2 => new LoopbackResponse(429, "{}", new Dictionary<string, string> { ["Retry-After"] = "3600" }),
            _ => new LoopbackResponse(200, ZeroExPrice()),
        });
        var delays = new List<TimeSpan>();
        AggregatorQuote q = await new ZeroExClient(Http(delays), server.BaseUri, "k").PriceAsync(1, Usdc, Weth, 1_000_000_000, CancellationToken.None);
        Assert.True(q.IsOk, q.Detail);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)], delays);
    }

    [Fact]
    public async Task A_timeout_is_a_value_after_its_retries()
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, ZeroExPrice(), Stall: TimeSpan.FromSeconds(30)));
        var delays = new List<TimeSpan>();
        var http = new AggregatorHttp(new HttpClient(), new ResilienceOptions { MaxAttempts = 2, Timeout = TimeSpan.FromMilliseconds(200) }, null, (d, _) => { delays.Add(d); return Task.CompletedTask; }, () => 0.5);
        AggregatorQuote q = await new ZeroExClient(http, server.BaseUri, "k").PriceAsync(1, Usdc, Weth, 1, CancellationToken.None);
        Assert.Equal(QuoteError.Timeout, q.Error);
        Assert.Contains("200 ms", q.Detail, StringComparison.Ordinal);
        Assert.Single(delays); // one back-off between the two timed-out attempts
    }
}
