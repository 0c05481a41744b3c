using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace LowLatency.Adapters.Aggregators;

/// <summary>The chains both clients serve (Ethereum, Optimism, BNB Chain, Arbitrum, Base); a request for another is refused before any I/O.</summary>
public static class AggregatorChains
{
    public static readonly int[] Supported = [1, 10, 56, 42161, 8453];

    public static bool IsSupported(int chainId) => Array.IndexOf(Supported, chainId) >= 0;
}

/// <summary>
/// 0x Swap API v2, AllowanceHolder: <c>GET /swap/allowance-holder/price</c> (price only) with <c>0x-api-key</c> and
/// <c>0x-version: v2</c>; the answer's <c>buyAmount</c>, <c>sellAmount</c>, <c>buyToken</c>, <c>sellToken</c>
/// (https://0x.org/docs/api#tag/Swap/operation/swap::allowanceHolder::getPrice). A quote for another token than asked
/// is refused (<see cref="QuoteError.WrongToken"/>); <c>liquidityAvailable: false</c> is <see cref="QuoteError.Rejected"/>.
/// </summary>
public sealed partial class ZeroExClient(AggregatorHttp http, Uri baseUri, string apiKey) : IAggregator
{
    public const string Name = "0x";

    string IAggregator.Name => Name;

    public CircuitBreaker Breaker => http.Breaker;

    Task<AggregatorQuote> IAggregator.QuoteAsync(int chainId, string sellToken, string buyToken, BigInteger sellAmount, CancellationToken cancel) =>
        PriceAsync(chainId, sellToken, buyToken, sellAmount, cancel);

    public async Task<AggregatorQuote> PriceAsync(int chainId, string sellToken, string buyToken, BigInteger sellAmount, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(sellToken);
        ArgumentNullException.ThrowIfNull(buyToken);
        if (!AggregatorChains.IsSupported(chainId))
        {
            return AggregatorQuote.Failed(Name, chainId, QuoteError.UnsupportedChain, "chain " + chainId.ToString(CultureInfo.InvariantCulture));
        }

        var uri = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"swap/allowance-holder/price?chainId={chainId}&sellToken={Uri.EscapeDataString(sellToken)}&buyToken={Uri.EscapeDataString(buyToken)}&sellAmount={sellAmount}"));
        (JsonDocument? body, QuoteError error, string? detail) = await http.GetJsonAsync(uri, [new("0x-api-key", apiKey), new("0x-version", "v2")], cancel).ConfigureAwait(false);
        using (body)
        {
            if (body is null)
            {
                return AggregatorQuote.Failed(Name, chainId, error, detail);
            }

            JsonElement root = body.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("liquidityAvailable", out JsonElement liquid) && liquid.ValueKind == JsonValueKind.False)
            {
                return AggregatorQuote.Failed(Name, chainId, QuoteError.Rejected, "no liquidity for this pair");
            }

            if (!Amount(root, "buyAmount", out BigInteger buy) || !Amount(root, "sellAmount", out BigInteger sell))
            {
                return AggregatorQuote.Failed(Name, chainId, QuoteError.Malformed, "buyAmount/sellAmount missing or not an integer");
            }

            if (!SameToken(root, "buyToken", buyToken) || !SameToken(root, "sellToken", sellToken))
            {
                return AggregatorQuote.Failed(Name, chainId, QuoteError.WrongToken, "the answer quotes another token");
            }

            return new AggregatorQuote(Name, chainId, sell, buy, QuoteError.None, null);
        }
    }

    internal static bool Amount(JsonElement root, string name, out BigInteger value)
    {
        value = 0;
        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String
            && BigInteger.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 0;
    }

    // Token fields the answer may leave out are not evidence of a mismatch; a present, different one is.
    internal static bool SameToken(JsonElement root, string name, string asked) =>
        !root.TryGetProperty(name, out JsonElement e) || (e.ValueKind == JsonValueKind.String && string.Equals(e.GetString(), asked, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// 1inch Classic Swap v6.0: <c>GET /swap/v6.0/{chainId}/quote?src=&amp;dst=&amp;amount=</c> with <c>Authorization: Bearer</c>;
/// the answer's <c>dstAmount</c> (and <c>srcToken</c>/<c>dstToken</c> objects when asked for with
/// <c>includeTokensInfo=true</c>) (https://portal.1inch.dev/documentation/apis/swap/classic-swap/methods/v6.0/1/quote/get).
/// </summary>
public sealed partial class OneInchClient(AggregatorHttp http, Uri baseUri, string apiKey) : IAggregator
{
    public const string Name = "1inch";

    string IAggregator.Name => Name;

    public CircuitBreaker Breaker => http.Breaker;

    public async Task<AggregatorQuote> QuoteAsync(int chainId, string src, string dst, BigInteger amount, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(dst);
        if (!AggregatorChains.IsSupported(chainId))
        {
            return AggregatorQuote.Failed(Name, chainId, QuoteError.UnsupportedChain, "chain " + chainId.ToString(CultureInfo.InvariantCulture));
        }

        var uri = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"swap/v6.0/{chainId}/quote?src={Uri.EscapeDataString(src)}&dst={Uri.EscapeDataString(dst)}&amount={amount}&includeTokensInfo=true"));
        (JsonDocument? body, QuoteError error, string? detail) = await http.GetJsonAsync(uri, [new("Authorization", "Bearer " + apiKey)], cancel).ConfigureAwait(false);
        using (body)
        {
            if (body is null)
            {
                return AggregatorQuote.Failed(Name, chainId, error, detail);
            }

            JsonElement root = body.RootElement;
            if (!ZeroExClient.Amount(root, "dstAmount", out BigInteger buy))
            {
                return AggregatorQuote.Failed(Name, chainId, QuoteError.Malformed, "dstAmount missing or not an integer");
            }

            if (!TokenMatches(root, "dstToken", dst) || !TokenMatches(root, "srcToken", src))
            {
                return AggregatorQuote.Failed(Name, chainId, QuoteError.WrongToken, "the answer quotes another token");
            }

            return new AggregatorQuote(Name, chainId, amount, buy, QuoteError.None, null);
        }
    }

    private static bool TokenMatches(JsonElement root, string name, string asked) =>
        !root.TryGetProperty(name, out JsonElement token) || (token.ValueKind == JsonValueKind.Object && ZeroExClient.SameToken(token, "address", asked));
}
