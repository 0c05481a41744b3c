using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Execution;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Testing.Venues;

namespace LowLatency.Benchmarks.Execution;

/// <summary>
/// One Binance limit order placed over loopback (Kestrel playing Binance, verifying every signature and taking the
/// order): our client (request building, HMAC signing with the cached key, recvWindow/timestamp, the per-call timeout,
/// the FULL answer read into a <see cref="VenueOrder"/>) against a straightforward implementation in the same run (a
/// new <see cref="HMACSHA256"/> per call, the query by string concatenation, <see cref="HttpRequestMessage"/>, the
/// answer parsed with <see cref="JsonDocument"/> for its order id). The ratio is what our client costs on top of the
/// round trip a bare one makes; the round trip itself is mostly Kestrel's and the socket's.
/// </summary>
[MemoryDiagnoser]
public class PlaceOrderBenchmarks
{
    private const string ApiKey = "bench-api-key-4f1c";
    private const string Secret = "bench-secret-Wm2pX8";

    private LoopbackVenueServer _server = null!;
    private HttpClient _http = null!;
    private IExecutionClient _client = null!;
    private long _bare;
    private long _ours;

    [GlobalSetup]
    public void Setup()
    {
        _server = LoopbackVenueServer.StartAsync(new BinanceDialect(new VenueLedger(), ApiKey, Secret)).GetAwaiter().GetResult();
        _http = new HttpClient { BaseAddress = _server.BaseUrl };
        _client = BinanceExecutionClient.TryCreate(new ExecutionClientOptions { BaseUrl = _server.BaseUrl, ApiKey = ApiKey, Secret = Secret }, out _)!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _http.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> BareSignedPost()
    {
        string id = "b" + (++_bare).ToString(CultureInfo.InvariantCulture);
        string query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=20000&newClientOrderId=" + id
            + "&newOrderRespType=FULL&recvWindow=5000&timestamp=" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        string signature = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(query))).ToLowerInvariant();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v3/order?" + query + "&signature=" + signature);
        request.Headers.Add("X-MBX-APIKEY", ApiKey);
        using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        // A refused order (a bad signature answers fast) would time nothing: it stops the run instead.
        return doc.RootElement.TryGetProperty("orderId", out JsonElement orderId) ? orderId.GetInt64() : throw new InvalidOperationException("the loopback venue refused the bare order");
    }

    [Benchmark]
    public async Task<string> OurPlace()
    {
        string id = "o" + (++_ours).ToString(CultureInfo.InvariantCulture);
        ExecResult<VenueOrder> placed = await _client.PlaceAsync(new OrderRequest(id, "BTCUSDT", true, 0.01m, 20_000m), CancellationToken.None).ConfigureAwait(false);
        return placed.Ok ? placed.Value!.VenueOrderId : throw new InvalidOperationException($"the loopback venue refused our order: {placed.Error} {placed.Detail}");
    }
}
