using System.Globalization;
using System.Numerics;
using LowLatency.Adapters.Aggregators;
using LowLatency.Testing.Aggregators;

namespace LowLatency.Adapters.Execution.Tests.Aggregators;

/// <summary>
/// Firm quotes with calldata against the loopback aggregators: 0x <c>/swap/allowance-holder/quote</c> and 1inch
/// <c>/swap/v6.0/{chain}/swap</c>. A transaction is returned only when it could be sent as asked.
/// </summary>
public sealed class FirmQuoteTests
{
    private const string Usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
    private const string Weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
    private const string Taker = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    private static AggregatorHttp Http() =>
        new(new HttpClient(), new ResilienceOptions { MaxAttempts = 3, Timeout = TimeSpan.FromSeconds(10) }, null, (_, _) => Task.CompletedTask, () => 0.5);

    private static async Task<(LoopbackAggregator Server, FirmQuote Quote)> ZeroExAsync(Action<LoopbackAggregator>? arrange = null, string taker = Taker, int? slippageBps = 50)
    {
        LoopbackAggregator server = await LoopbackAggregator.StartAsync(AggregatorApi.ZeroEx, "zx");
        arrange?.Invoke(server);
        var client = new ZeroExClient(Http(), server.BaseUri, "zx");
        return (server, await client.FirmQuoteAsync(1, Usdc, Weth, 1_000_000_000, taker, slippageBps, CancellationToken.None));
    }

    private static async Task<(LoopbackAggregator Server, FirmQuote Quote)> OneInchAsync(Action<LoopbackAggregator>? arrange = null, string from = Taker, decimal slippage = 0.5m)
    {
        LoopbackAggregator server = await LoopbackAggregator.StartAsync(AggregatorApi.OneInch, "1i");
        arrange?.Invoke(server);
        var client = new OneInchClient(Http(), server.BaseUri, "1i");
        return (server, await client.SwapAsync(8453, Usdc, Weth, 1_000_000_000, from, slippage, CancellationToken.None));
    }

    [Fact]
    public async Task ZeroEx_firm_quote_returns_the_transaction_it_served_for_the_taker()
    {
        (LoopbackAggregator server, FirmQuote q) = await ZeroExAsync();
        await using (server)
        {
            Assert.True(q.IsOk, q.Quote.Detail);
            BigInteger buy = 1_000_000_000 * new BigInteger(334_600_000);
            Assert.Equal(buy, q.Quote.BuyAmount);
            Assert.Equal(buy * 99 / 100, q.MinBuyAmount);
            SwapTransaction tx = q.Transaction!;
            Assert.Equal(LoopbackAggregator.AllowanceHolder, tx.To);
            Assert.Equal(LoopbackAggregator.ZeroExSelector, tx.Selector);
            Assert.Equal(LoopbackAggregator.Calldata(LoopbackAggregator.ZeroExSelector, Usdc, Weth, 1_000_000_000, buy * 99 / 100, Taker), tx.Data);
            Assert.Equal(4 + (5 * 32), tx.DataBytes);
            Assert.Equal((BigInteger)288_095, tx.Gas);
            Assert.Equal(BigInteger.Parse("7062490000", CultureInfo.InvariantCulture), tx.GasPrice);
            Assert.Equal(BigInteger.Zero, tx.Value);
            Assert.Equal(LoopbackAggregator.AllowanceHolder, q.Spender);
            (string path, Dictionary<string, string> headers) = Assert.Single(server.Requests);
            Assert.Equal($"/swap/allowance-holder/quote?chainId=1&sellToken={Usdc}&buyToken={Weth}&sellAmount=1000000000&taker={Taker}&slippageBps=50", path);
            Assert.Equal("zx", headers["0x-api-key"]);
            Assert.Equal("v2", headers["0x-version"]);
        }
    }

    [Fact]
    public async Task OneInch_swap_returns_the_routers_transaction_for_the_wallet_and_the_floor_its_slippage_gives()
    {
        (LoopbackAggregator server, FirmQuote q) = await OneInchAsync();
        await using (server)
        {
            Assert.True(q.IsOk, q.Quote.Detail);
            BigInteger buy = 1_000_000_000 * new BigInteger(334_600_000);
            Assert.Equal(buy, q.Quote.BuyAmount);
            Assert.Equal(buy * 995 / 1000, q.MinBuyAmount); // 0.5 %
            SwapTransaction tx = q.Transaction!;
            Assert.Equal(LoopbackAggregator.RouterV6, tx.To);
            Assert.Equal(LoopbackAggregator.OneInchSelector, tx.Selector);
            Assert.Equal((BigInteger)180_000, tx.Gas); // 1inch writes gas as a number
            Assert.Equal(LoopbackAggregator.RouterV6, q.Spender);
            (string path, Dictionary<string, string> headers) = Assert.Single(server.Requests);
            Assert.Equal($"/swap/v6.0/8453/swap?src={Usdc}&dst={Weth}&amount=1000000000&from={Taker}&origin={Taker}&slippage=0.5&disableEstimate=true&includeTokensInfo=true", path);
            Assert.Equal("Bearer 1i", headers["Authorization"]);
        }
    }

    [Theory]
    [InlineData(AggregatorFault.BadTransactionTarget, QuoteError.BadTransaction, "to is not an address")]
    [InlineData(AggregatorFault.NoTransaction, QuoteError.BadTransaction, "transaction missing")]
    [InlineData(AggregatorFault.WrongToken, QuoteError.WrongToken, "another token")]
    [InlineData(AggregatorFault.NoLiquidity, QuoteError.Rejected, "no liquidity")]
    [InlineData(AggregatorFault.Malformed, QuoteError.Malformed, "")]
    public async Task ZeroEx_answers_that_could_not_be_sent_as_asked_are_values_with_their_reason(AggregatorFault fault, QuoteError error, string says)
    {
        (LoopbackAggregator server, FirmQuote q) = await ZeroExAsync(s => s.Steady = fault);
        await using (server)
        {
            Assert.False(q.IsOk);
            Assert.Null(q.Transaction);
            Assert.Equal(error, q.Quote.Error);
            Assert.Contains(says, q.Quote.Detail ?? "", StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(AggregatorFault.BadTransactionTarget, QuoteError.BadTransaction, "tx.to is not an address")]
    [InlineData(AggregatorFault.NoTransaction, QuoteError.BadTransaction, "tx missing")]
    [InlineData(AggregatorFault.OtherWallet, QuoteError.BadTransaction, "tx.from is not the taker")]
    [InlineData(AggregatorFault.WrongToken, QuoteError.WrongToken, "another token")]
    public async Task OneInch_answers_that_could_not_be_sent_as_asked_are_values_with_their_reason(AggregatorFault fault, QuoteError error, string says)
    {
        (LoopbackAggregator server, FirmQuote q) = await OneInchAsync(s => s.Steady = fault);
        await using (server)
        {
            Assert.False(q.IsOk);
            Assert.Equal(error, q.Quote.Error);
            Assert.Contains(says, q.Quote.Detail ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_5xx_burst_is_retried_for_a_firm_quote_as_for_a_price()
    {
        (LoopbackAggregator server, FirmQuote q) = await ZeroExAsync(s => s.Next(AggregatorFault.ServerError, 2));
        await using (server)
        {
            Assert.True(q.IsOk, q.Quote.Detail);
            Assert.Equal(3, server.RequestCount);
        }
    }

    [Theory]
    [InlineData("0x1234")]
    [InlineData("70997970C51812dc3A010C7d01b50e0d17dc79C8")]
    [InlineData("0x70997970C51812dc3A010C7d01b50e0d17dc79CZ")]
    public async Task A_taker_that_is_not_an_address_is_refused_before_anything_is_sent(string taker)
    {
        (LoopbackAggregator zeroEx, FirmQuote zq) = await ZeroExAsync(taker: taker);
        (LoopbackAggregator oneInch, FirmQuote oq) = await OneInchAsync(from: taker);
        await using (zeroEx)
        await using (oneInch)
        {
            Assert.Equal(QuoteError.InvalidRequest, zq.Quote.Error);
            Assert.Equal(QuoteError.InvalidRequest, oq.Quote.Error);
            Assert.Equal(0, zeroEx.RequestCount);
            Assert.Equal(0, oneInch.RequestCount);
        }
    }

    [Fact]
    public async Task Slippage_out_of_range_is_refused_before_anything_is_sent()
    {
        (LoopbackAggregator zeroEx, FirmQuote zq) = await ZeroExAsync(slippageBps: 10_001);
        (LoopbackAggregator oneInch, FirmQuote oq) = await OneInchAsync(slippage: 51);
        await using (zeroEx)
        await using (oneInch)
        {
            Assert.Equal(QuoteError.InvalidRequest, zq.Quote.Error);
            Assert.Equal(QuoteError.InvalidRequest, oq.Quote.Error);
            Assert.Equal(0, zeroEx.RequestCount + oneInch.RequestCount);
        }
    }
}
