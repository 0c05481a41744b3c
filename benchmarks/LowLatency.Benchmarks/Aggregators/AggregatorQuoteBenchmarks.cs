using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Benchmarks.Aggregators;

/// <summary>
/// One 0x price request over loopback (Kestrel serving the documented answer): our client (breaker, retry loop,
/// timeout, JSON parse, token checks) against a bare <see cref="HttpClient"/> GET of the same URL and headers that
/// only reads the body, in one run. The ratio is what our resilience and checks cost on top of the HTTP round trip.
/// </summary>
[MemoryDiagnoser]
public class AggregatorQuoteBenchmarks
{
    private const string Usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
    private const string Weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

    private LoopbackAggregator _server = null!;
    private HttpClient _http = null!;
    private ZeroExClient _client = null!;
    private Uri _uri = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "bench").GetAwaiter().GetResult();
        _http = new HttpClient();
        _client = new ZeroExClient(new AggregatorHttp(_http, new ResilienceOptions()), _server.BaseUri, "bench");
        _uri = new Uri(_server.BaseUri, $"swap/allowance-holder/price?chainId=1&sellToken={Usdc}&buyToken={Weth}&sellAmount=1000000000");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> BareHttpGet()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        request.Headers.TryAddWithoutValidation("0x-api-key", "bench");
        request.Headers.TryAddWithoutValidation("0x-version", "v2");
        using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
        return (await response.Content.ReadAsStringAsync().ConfigureAwait(false)).Length;
    }

    [Benchmark]
    public async Task<bool> ZeroExPrice()
    {
        AggregatorQuote quote = await _client.PriceAsync(1, Usdc, Weth, 1_000_000_000, CancellationToken.None).ConfigureAwait(false);
        // A failed quote (an open breaker answers without I/O) would time nothing: it stops the run instead.
        return quote.IsOk ? true : throw new InvalidOperationException($"the loopback quote failed: {quote.Error} {quote.Detail}");
    }
}
