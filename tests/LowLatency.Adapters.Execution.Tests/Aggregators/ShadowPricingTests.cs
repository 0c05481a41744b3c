using System.Globalization;
using System.Numerics;
using System.Text.Json;
using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Adapters.Execution.Tests.Aggregators;

public sealed class ShadowPricingTests
{
    private static readonly TokenRef Usdc = new("USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6);
    private static readonly TokenRef Weth = new("WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18);
    private static readonly QuoteRequest Request = new(1, Usdc, Weth, 1_000_000_000);

    private static BigInteger Big(string s) => BigInteger.Parse(s, CultureInfo.InvariantCulture);

    private static ShadowPricing Pricing(TextWriter? log = null, Action<string>? alert = null, int capacity = 256) =>
        new(new QuoteRouter([]), null, log, alert, capacity, () => DateTimeOffset.UnixEpoch);

    [Fact]
    public void The_three_prices_are_one_line_with_the_best_and_a_fill_logs_the_realised_shortfall_against_each()
    {
        var log = new StringWriter();
        ShadowPricing pricing = Pricing(log);
        ShadowRecord record = pricing.Record(Request,
            [new AggregatorQuote("0x", 1, 1_000_000_000, Big("334500000000000000"), QuoteError.None, null),
             new AggregatorQuote("1inch", 1, 1_000_000_000, Big("334600000000000000"), QuoteError.None, null)],
            new OwnQuote(Big("334400000000000000"), "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640", "v3", 18937382, null));
        Assert.Equal("1inch", record.Best);
        Assert.Equal(0.0003346, record.PriceOf(Big("334600000000000000"))!.Value, 12);

        Assert.Equal(FillOutcome.Recorded, pricing.ReportFill(record.Id, "1inch", Big("334432700000000000")));
        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using JsonDocument shadow = JsonDocument.Parse(lines[0]);
        Assert.Equal("shadow", shadow.RootElement.GetProperty("type").GetString());
        Assert.Equal("1inch", shadow.RootElement.GetProperty("best").GetString());
        JsonElement prices = shadow.RootElement.GetProperty("prices");
        Assert.Equal("334500000000000000", prices.GetProperty("0x").GetProperty("buyAmount").GetString());
        Assert.Equal("v3", prices.GetProperty("own").GetProperty("kind").GetString());
        Assert.Equal(18937382UL, prices.GetProperty("own").GetProperty("block").GetUInt64());

        using JsonDocument fill = JsonDocument.Parse(lines[1]);
        Assert.Equal("fill", fill.RootElement.GetProperty("type").GetString());
        Assert.Equal(record.Id, fill.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("334432700000000000", fill.RootElement.GetProperty("realisedBuyAmount").GetString());
        JsonElement fillPrices = fill.RootElement.GetProperty("prices");
        Assert.Equal(5.0, fillPrices.GetProperty("1inch").GetProperty("shortfallBps").GetDouble(), 6); // 1673e11 of 3346e14
        Assert.True(fillPrices.GetProperty("own").GetProperty("shortfallBps").GetDouble() < 0); // we realised more than our own pools said

        ShadowRecord kept = Assert.Single(pricing.Recent());
        Assert.Equal(Big("334432700000000000"), kept.RealisedBuyAmount);
        Assert.Equal("1inch", kept.RealisedVia);
    }

    [Fact]
    public void A_fill_for_an_unknown_or_evicted_quote_a_second_fill_or_a_negative_amount_changes_nothing()
    {
        var log = new StringWriter();
        ShadowPricing pricing = Pricing(log, capacity: 2);
        ShadowRecord first = pricing.Record(Request, [], OwnQuote.Failed("no node configured"));
        ShadowRecord second = pricing.Record(Request, [], OwnQuote.Failed("no node configured"));
        ShadowRecord third = pricing.Record(Request, [], OwnQuote.Failed("no node configured"));
        Assert.Null(third.Best);
        Assert.Equal([third.Id, second.Id], pricing.Recent().Select(r => r.Id));

        Assert.Equal(FillOutcome.UnknownQuote, pricing.ReportFill(first.Id, "0x", 5)); // evicted
        Assert.Equal(FillOutcome.UnknownQuote, pricing.ReportFill(99, "0x", 5));
        Assert.Equal(FillOutcome.InvalidAmount, pricing.ReportFill(second.Id, "0x", -1));
        Assert.Equal(FillOutcome.Recorded, pricing.ReportFill(second.Id, "0x", 5));
        Assert.Equal(FillOutcome.Duplicate, pricing.ReportFill(second.Id, "0x", 6));
        Assert.Equal(2, pricing.UnknownFills);
        Assert.Equal(1, pricing.DuplicateFills);
        Assert.Equal(5, pricing.Recent().Single(r => r.Id == second.Id).RealisedBuyAmount);
        Assert.Equal(4, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // three quotes, one fill
    }

    [Fact]
    public void A_failed_log_write_is_counted_and_alerted_and_the_record_is_still_kept()
    {
        var alerts = new List<string>();
        ShadowPricing pricing = Pricing(new FailingWriter(), alerts.Add);
        ShadowRecord record = pricing.Record(Request, [], OwnQuote.Failed("x"));
        Assert.Equal(1, pricing.FailedWrites);
        Assert.Contains("No space left on device", Assert.Single(alerts), StringComparison.Ordinal);
        Assert.Equal(record, Assert.Single(pricing.Recent()));
    }

    [Fact]
    public async Task Quote_asks_both_loopback_aggregators_at_once_and_prices_our_pools()
    {
        await using LoopbackAggregator zeroEx = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "zx");
        await using LoopbackAggregator oneInch = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, "oi");
        oneInch.Steady = AggregatorFault.ServerError;
        using var http = new HttpClient();
        var options = new ResilienceOptions { MaxAttempts = 1 };
        var router = new QuoteRouter([new OneInchClient(new AggregatorHttp(http, options), oneInch.BaseUri, "oi"), new ZeroExClient(new AggregatorHttp(http, options), zeroEx.BaseUri, "zx")]);
        var log = new StringWriter();
        var pricing = new ShadowPricing(router, r => new OwnQuote(r.SellAmount * 334_700_000, "0xpool", "v2", 7, null), log);
        ShadowRecord record = await pricing.QuoteAsync(Request, CancellationToken.None);
        Assert.Equal(QuoteError.ServerError, record.Aggregators.Single(q => q.Aggregator == "1inch").Error);
        Assert.True(record.Aggregators.Single(q => q.Aggregator == "0x").IsOk);
        Assert.Equal(ShadowRecord.OwnName, record.Best); // our pools beat 0x's 334,600,000 per unit
        Assert.Contains("\"error\":\"ServerError\"", log.ToString(), StringComparison.Ordinal);
    }

    private sealed class FailingWriter : StringWriter
    {
        public override void WriteLine(string? value) => throw new IOException("No space left on device");
    }
}
