using LowLatency.Adapters.Cex.Execution;
using LowLatency.Adapters.Cex.Execution.Rest;
using LowLatency.Testing.Venues;

namespace LowLatency.Adapters.Execution.Tests.Rest;

/// <summary>Answers not in the venue's shape are <see cref="ExecError.Malformed"/> (or unavailable for 5xx), never an exception.</summary>
public sealed class MalformedAnswerTests
{
    public static readonly TheoryData<string, string> Cases = Build();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_call_on_a_garbled_answer_is_a_value(string venue, string body)
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, body));
        using IExecutionClient client = Create(venue, server.BaseUri);
        var order = new OrderRequest("ll1-1", "BTCUSDT", true, 1m, 60_000m);

        ExecError[] errors =
        [
            (await client.PlaceAsync(order, CancellationToken.None)).Error,
            (await client.StatusAsync("BTCUSDT", "ll1-1", "42", CancellationToken.None)).Error,
            (await client.CancelAsync("BTCUSDT", "ll1-1", "42", CancellationToken.None)).Error,
            (await client.OpenOrdersAsync(CancellationToken.None)).Error,
            (await client.BalancesAsync(CancellationToken.None)).Error,
            (await client.RulesAsync("BTCUSDT", CancellationToken.None)).Error,
        ];

        // The last body mixes every venue's success keys: some calls may read it as a success; none may throw.
        // Binance's openOrders is a bare array, so "[]" is a true empty list there.
        if (!body.Contains("retCode", StringComparison.Ordinal) && !(venue == "binance" && body == "[]"))
        {
            Assert.All(errors, e => Assert.NotEqual(ExecError.None, e));
        }

        Assert.Contains(ExecError.Malformed, errors);
    }

    [Theory]
    [InlineData("binance")]
    [InlineData("bybit")]
    [InlineData("okx")]
    [InlineData("kraken")]
    [InlineData("coinbase")]
    public async Task A_5xx_is_unavailable_and_its_outcome_unknown(string venue)
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(502, "<html>bad gateway</html>"));
        using IExecutionClient client = Create(venue, server.BaseUri);
        ExecResult<VenueOrder> placed = await client.PlaceAsync(new OrderRequest("ll1-1", "BTCUSDT", true, 1m, 60_000m), CancellationToken.None);
        Assert.Equal(ExecError.VenueUnavailable, placed.Error);
        Assert.True(placed.OutcomeUnknown);
    }

    private static TheoryData<string, string> Build()
    {
        var data = new TheoryData<string, string>();
        foreach (string venue in new[] { "binance", "bybit", "okx", "kraken", "coinbase" })
        {
            foreach (string body in new[] { "{not json", "[]", "{}", "<html>maintenance</html>", """{"retCode":0,"code":"0","error":[],"success":true,"result":{"list":[{"orderId":1}]},"data":[{"ordId":"1","state":"weird"}],"orders":[{}],"accounts":[{}]}""" })
            {
                data.Add(venue, body);
            }
        }

        return data;
    }

    private static IExecutionClient Create(string venue, Uri baseUrl)
    {
        var options = new ExecutionClientOptions
        {
            BaseUrl = baseUrl, ApiKey = venue == "coinbase" ? VenueRig.CoinbaseKeyName : VenueRig.ApiKey,
            Secret = venue switch { "kraken" => VenueRig.KrakenSecret, "coinbase" => VenueRig.CoinbasePem, _ => VenueRig.Secret },
            Passphrase = VenueRig.Passphrase, Timeout = TimeSpan.FromSeconds(5),
        };
        return venue switch
        {
            "binance" => BinanceExecutionClient.TryCreate(options, out _)!,
            "bybit" => new BybitExecutionClient(options),
            "okx" => new OkxExecutionClient(options),
            "kraken" => new KrakenExecutionClient(options),
            _ => CoinbaseExecutionClient.TryCreate(options, out _)!,
        };
    }
}
