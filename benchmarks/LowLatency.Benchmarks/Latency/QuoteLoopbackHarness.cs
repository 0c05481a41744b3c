using System.Diagnostics;
using HdrHistogram;
using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Benchmarks.Latency;

/// <summary>
/// A shadow-priced quote end to end on loopback: 0x and 1inch asked at once (Kestrel serving the documented answers),
/// our own V3 price of the same trade, the record kept and its JSON line written (to a null writer). One request at a
/// time; HdrHistogram, 3 significant digits. Allocation is not budgeted (warm path: HTTP and JSON allocate).
/// </summary>
public static class QuoteLoopbackHarness
{
    private static readonly TokenRef s_usdc = new("USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6);
    private static readonly TokenRef s_weth = new("WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18);

    public static LatencyResult Run(bool quick) => RunAsync(quick).GetAwaiter().GetResult();

    private static async Task<LatencyResult> RunAsync(bool quick)
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "k").ConfigureAwait(false);
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, "k").ConfigureAwait(false);
        using var http = new HttpClient();
        var router = new QuoteRouter([
            new OneInchClient(new AggregatorHttp(http, new ResilienceOptions()), oneInch.BaseUri, "k"),
            new ZeroExClient(new AggregatorHttp(http, new ResilienceOptions()), zeroEx.BaseUri, "k"),
        ]);

        var pricer = new OwnPoolPricer([new OwnPool("0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640", true, 500, s_usdc.Address, s_weth.Address)]);
        var errors = new List<string>();
        PoolStateFile.Parse("""{"pools":[{"address":"0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640","sqrtPriceX96":"1663132957987881128134345656405165","tick":199047,"liquidity":"11687005496855121730"}]}"""u8,
            pricer, errors);
        var shadow = new ShadowPricing(router, r => pricer.Quote(r.Sell.Address, r.Buy.Address, r.SellAmount), TextWriter.Null);
        var request = new QuoteRequest(1, s_usdc, s_weth, 1_000_000_000);

        var histogram = new LongHistogram(10_000_000_000L, 3);
        double nsPerTick = 1e9 / Stopwatch.Frequency;
        int warmup = quick ? 200 : 1_000;
        int measured = quick ? 1_000 : 10_000;
        for (int i = 0; i < warmup + measured; i++)
        {
            long start = Stopwatch.GetTimestamp();
            ShadowRecord record = await shadow.QuoteAsync(request, CancellationToken.None).ConfigureAwait(false);
            long end = Stopwatch.GetTimestamp();
            if (record.Best is null || errors.Count > 0)
            {
                throw new InvalidOperationException("the loopback quote failed: " + string.Join("; ", errors) + record.Aggregators[0].Detail);
            }

            if (i >= warmup)
            {
                histogram.RecordValue((long)((end - start) * nsPerTick));
            }
        }

        return new LatencyResult(histogram.TotalCount, histogram.GetValueAtPercentile(50), histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9), histogram.GetMaxValue(), double.NaN);
    }
}
