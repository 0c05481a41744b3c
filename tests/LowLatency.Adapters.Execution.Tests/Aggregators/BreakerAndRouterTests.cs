using System.Numerics;
using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Adapters.Execution.Tests.Aggregators;

public sealed class BreakerAndRouterTests
{
    private const string Usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
    private const string Weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

    [Fact]
    public void The_breaker_opens_at_its_limit_lets_one_probe_through_and_closes_or_reopens_on_its_outcome()
    {
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        var breaker = new CircuitBreaker(3, TimeSpan.FromSeconds(10), () => now);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(breaker.TryAcquire());
            breaker.Record(success: false);
        }

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire());
        breaker.Record(success: false);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.False(breaker.TryAcquire());
        Assert.True(breaker.Refuses);

        now += TimeSpan.FromSeconds(10);
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire()); // the probe
        Assert.False(breaker.TryAcquire()); // only one
        breaker.Record(success: false); // the probe failed: open for another period
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(2, breaker.OpenedCount);
        now += TimeSpan.FromSeconds(9);
        Assert.False(breaker.TryAcquire());

        now += TimeSpan.FromSeconds(1);
        Assert.True(breaker.TryAcquire());
        breaker.Release(); // a cancelled probe says nothing: the next call probes again
        Assert.True(breaker.TryAcquire());
        breaker.Record(success: true);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, breaker.ConsecutiveFailures);
    }

    [Fact]
    public async Task A_1inch_5xx_burst_sends_traffic_to_0x_until_the_half_open_probe_succeeds()
    {
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, "oi");
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "zx");
        zeroEx.Rate = (334_500_000, 1);
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        var options = new ResilienceOptions { MaxAttempts = 2, BreakerFailures = 2, BreakerOpenFor = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(10) };
        using var http = new HttpClient();
        var oneInchHttp = new AggregatorHttp(http, options, () => now, (_, _) => Task.CompletedTask, () => 0.5);
        var router = new QuoteRouter([
            new OneInchClient(oneInchHttp, oneInch.BaseUri, "oi"),
            new ZeroExClient(new AggregatorHttp(http, options, () => now, (_, _) => Task.CompletedTask, () => 0.5), zeroEx.BaseUri, "zx"),
        ]);

        Assert.Equal(OneInchClient.Name, (await Route()).Aggregator); // healthy: the preferred one
        oneInch.Next(AggregatorFault.ServerError, 4); // two calls of two attempts each
        AggregatorQuote first = await Route();
        Assert.Equal(ZeroExClient.Name, first.Aggregator); // 1inch failed after its retries; 0x answered
        Assert.True(first.IsOk, first.Detail);
        Assert.Equal(BigInteger.Parse("334500000000000000", System.Globalization.CultureInfo.InvariantCulture), first.BuyAmount);
        Assert.Equal(ZeroExClient.Name, (await Route()).Aggregator);
        Assert.Equal(BreakerState.Open, oneInchHttp.Breaker.State);
        int oneInchCalls = oneInch.RequestCount;
        Assert.Equal(5, oneInchCalls);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ZeroExClient.Name, (await Route()).Aggregator);
        }

        Assert.Equal(oneInchCalls, oneInch.RequestCount); // open: not one request to 1inch

        now += TimeSpan.FromSeconds(30);
        Assert.Equal(BreakerState.HalfOpen, oneInchHttp.Breaker.State);
        AggregatorQuote probe = await Route();
        Assert.Equal(OneInchClient.Name, probe.Aggregator); // the probe went to 1inch and succeeded
        Assert.True(probe.IsOk, probe.Detail);
        Assert.Equal(BreakerState.Closed, oneInchHttp.Breaker.State);
        Assert.Equal(oneInchCalls + 1, oneInch.RequestCount);

        Task<AggregatorQuote> Route() => router.RouteAsync(1, Usdc, Weth, 1_000_000_000, CancellationToken.None);
    }

    [Fact]
    public async Task A_failed_probe_opens_the_breaker_again_and_traffic_stays_on_0x()
    {
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, "oi");
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "zx");
        oneInch.Steady = AggregatorFault.ServerError;
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        var options = new ResilienceOptions { MaxAttempts = 1, BreakerFailures = 1, BreakerOpenFor = TimeSpan.FromSeconds(5) };
        using var http = new HttpClient();
        var oneInchHttp = new AggregatorHttp(http, options, () => now, (_, _) => Task.CompletedTask, () => 0.5);
        var router = new QuoteRouter([
            new OneInchClient(oneInchHttp, oneInch.BaseUri, "oi"),
            new ZeroExClient(new AggregatorHttp(http, options, () => now), zeroEx.BaseUri, "zx"),
        ]);

        Assert.Equal(ZeroExClient.Name, (await router.RouteAsync(1, Usdc, Weth, 1_000_000, CancellationToken.None)).Aggregator);
        now += TimeSpan.FromSeconds(5);
        Assert.Equal(ZeroExClient.Name, (await router.RouteAsync(1, Usdc, Weth, 1_000_000, CancellationToken.None)).Aggregator);
        Assert.Equal(2, oneInch.RequestCount); // the first call and one probe
        Assert.Equal(BreakerState.Open, oneInchHttp.Breaker.State);
        Assert.Equal(2, oneInchHttp.Breaker.OpenedCount);
    }

    [Fact]
    public async Task With_every_breaker_open_the_router_answers_circuit_open_without_io()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "zx");
        zeroEx.Steady = AggregatorFault.ServerError;
        using var http = new HttpClient();
        var options = new ResilienceOptions { MaxAttempts = 1, BreakerFailures = 1, BreakerOpenFor = TimeSpan.FromHours(1) };
        var router = new QuoteRouter([new ZeroExClient(new AggregatorHttp(http, options), zeroEx.BaseUri, "zx")]);
        Assert.Equal(QuoteError.ServerError, (await router.RouteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
        Assert.Equal(QuoteError.CircuitOpen, (await router.RouteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
        Assert.Equal(1, zeroEx.RequestCount);
        Assert.Equal(QuoteError.NotConfigured, (await new QuoteRouter([]).RouteAsync(1, Usdc, Weth, 1, CancellationToken.None)).Error);
    }
}
