using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Adapters.Execution.Tests.Aggregators;

/// <summary>Each fault of the Kestrel loopback aggregators, through both clients: a value with its reason, never an exception.</summary>
public sealed class LoopbackFaultTests
{
    private const string Usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
    private const string Weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

    private static async Task<(AggregatorQuote Quote, LoopbackAggregator Server, List<TimeSpan> Delays)> Ask(AggregatorApi api, Action<LoopbackAggregator> arrange,
        int chainId = 1, string sell = Usdc, string buy = Weth, ResilienceOptions? options = null)
    {
        LoopbackAggregator server = await LoopbackAggregator.StartAsync(api, "key-" + api);
        arrange(server);
        var delays = new List<TimeSpan>();
        var http = new AggregatorHttp(new HttpClient(), options ?? new ResilienceOptions { MaxAttempts = 3, Timeout = TimeSpan.FromSeconds(10) },
            null, (d, _) => { delays.Add(d); return Task.CompletedTask; }, () => 0.5);
        IAggregator client = api == AggregatorApi.ZeroEx
            ? new ZeroExClient(http, server.BaseUri, "key-" + api)
            : new OneInchClient(http, server.BaseUri, "key-" + api);
        AggregatorQuote quote = await client.QuoteAsync(chainId, sell, buy, 1_000_000_000, CancellationToken.None);
        return (quote, server, delays);
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task The_documented_shape_is_read_and_the_key_is_sent(AggregatorApi api)
    {
        (AggregatorQuote q, LoopbackAggregator server, _) = await Ask(api, _ => { });
        await using (server)
        {
            Assert.True(q.IsOk, q.Detail);
            Assert.Equal(System.Numerics.BigInteger.Parse("334600000000000000", System.Globalization.CultureInfo.InvariantCulture), q.BuyAmount);
            Assert.Equal(1, server.RequestCount);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task A_500_burst_shorter_than_the_retries_is_ridden_out(AggregatorApi api)
    {
        (AggregatorQuote q, LoopbackAggregator server, List<TimeSpan> delays) = await Ask(api, s => s.Next(AggregatorFault.ServerError, 2));
        await using (server)
        {
            Assert.True(q.IsOk, q.Detail);
            Assert.Equal(3, server.RequestCount);
            Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], delays);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx, AggregatorFault.ServerError, QuoteError.ServerError)]
    [InlineData(AggregatorApi.OneInch, AggregatorFault.ServerError, QuoteError.ServerError)]
    [InlineData(AggregatorApi.ZeroEx, AggregatorFault.Malformed, QuoteError.Malformed)]
    [InlineData(AggregatorApi.OneInch, AggregatorFault.Malformed, QuoteError.Malformed)]
    [InlineData(AggregatorApi.ZeroEx, AggregatorFault.NotAnObject, QuoteError.Malformed)]
    [InlineData(AggregatorApi.OneInch, AggregatorFault.NotAnObject, QuoteError.Malformed)]
    [InlineData(AggregatorApi.ZeroEx, AggregatorFault.WrongToken, QuoteError.WrongToken)]
    [InlineData(AggregatorApi.OneInch, AggregatorFault.WrongToken, QuoteError.WrongToken)]
    [InlineData(AggregatorApi.ZeroEx, AggregatorFault.NoLiquidity, QuoteError.Rejected)]
    [InlineData(AggregatorApi.ZeroEx, AggregatorFault.RateLimited, QuoteError.RateLimited)]
    [InlineData(AggregatorApi.OneInch, AggregatorFault.RateLimited, QuoteError.RateLimited)]
    public async Task A_steady_fault_is_a_value_with_its_reason(AggregatorApi api, AggregatorFault fault, QuoteError expected)
    {
        (AggregatorQuote q, LoopbackAggregator server, _) = await Ask(api, s => s.Steady = fault);
        await using (server)
        {
            Assert.Equal(expected, q.Error);
            Assert.False(string.IsNullOrEmpty(q.Detail));
            Assert.Equal(0, q.BuyAmount);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task A_429_waits_its_retry_after_then_the_answer_is_read(AggregatorApi api)
    {
        (AggregatorQuote q, LoopbackAggregator server, List<TimeSpan> delays) = await Ask(api, s => { s.RetryAfter = "7"; s.Next(AggregatorFault.RateLimited); });
        await using (server)
        {
            Assert.True(q.IsOk, q.Detail);
            Assert.Equal([TimeSpan.FromSeconds(7)], delays);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task A_stalled_answer_times_out_and_the_retry_gets_the_quote(AggregatorApi api)
    {
        (AggregatorQuote q, LoopbackAggregator server, List<TimeSpan> delays) = await Ask(api, s => s.Next(AggregatorFault.Stall),
            options: new ResilienceOptions { MaxAttempts = 2, Timeout = TimeSpan.FromMilliseconds(300) });
        await using (server)
        {
            Assert.True(q.IsOk, q.Detail);
            Assert.Equal(2, server.RequestCount);
            Assert.Single(delays);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task An_unknown_token_is_named_and_not_retried(AggregatorApi api)
    {
        (AggregatorQuote q, LoopbackAggregator server, _) = await Ask(api, _ => { }, buy: "0x000000000000000000000000000000000000dEaD");
        await using (server)
        {
            Assert.Equal(QuoteError.UnknownToken, q.Error);
            Assert.Equal(1, server.RequestCount);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task A_chain_the_server_does_not_serve_is_named_and_not_retried(AggregatorApi api)
    {
        (AggregatorQuote q, LoopbackAggregator server, _) = await Ask(api, s => s.Chains.Remove(56), chainId: 56);
        await using (server)
        {
            Assert.Equal(QuoteError.UnsupportedChain, q.Error);
            Assert.Equal(1, server.RequestCount);
        }
    }

    [Theory]
    [InlineData(AggregatorApi.ZeroEx)]
    [InlineData(AggregatorApi.OneInch)]
    public async Task A_wrong_key_is_a_rejected_value_and_the_detail_never_holds_the_key(AggregatorApi api)
    {
        await using LoopbackAggregator server = await LoopbackAggregator.StartAsync(api, "right-key");
        var http = new AggregatorHttp(new HttpClient(), new ResilienceOptions());
        IAggregator client = api == AggregatorApi.ZeroEx ? new ZeroExClient(http, server.BaseUri, "wrong-key") : new OneInchClient(http, server.BaseUri, "wrong-key");
        AggregatorQuote q = await client.QuoteAsync(1, Usdc, Weth, 1, CancellationToken.None);
        Assert.Equal(QuoteError.Rejected, q.Error);
        Assert.DoesNotContain("wrong-key", q.Detail, StringComparison.Ordinal);
        Assert.Equal(BreakerState.Closed, client.Breaker.State); // an answer: the service is up
    }

    [Fact]
    public async Task A_caller_cancel_is_a_value_and_releases_the_probe()
    {
        await using LoopbackAggregator server = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "k");
        server.Steady = AggregatorFault.Stall;
        var http = new AggregatorHttp(new HttpClient(), new ResilienceOptions { Timeout = TimeSpan.FromSeconds(60) });
        using var cancel = new CancellationTokenSource();
        Task<AggregatorQuote> pending = new ZeroExClient(http, server.BaseUri, "k").PriceAsync(1, Usdc, Weth, 1, cancel.Token);
        cancel.Cancel();
        AggregatorQuote q = await pending;
        Assert.Equal(QuoteError.Cancelled, q.Error);
        Assert.Equal(BreakerState.Closed, http.Breaker.State);
    }
}
