using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace LowLatency.Adapters.Aggregators;

/// <summary>
/// The transaction an aggregator built for a firm quote, as it gave it: whoever trades sends it from the taker's wallet
/// (nothing here sends anything). <see cref="Data"/> is 0x-prefixed calldata, its first four bytes the selector.
/// </summary>
public sealed record SwapTransaction(string To, string Data, BigInteger Value, BigInteger Gas, BigInteger GasPrice)
{
    /// <summary>"0x2213bc0b": the function the calldata calls.</summary>
    public string Selector => Data[..10];

    public int DataBytes => (Data.Length - 2) / 2;
}

/// <summary>
/// A firm quote: the price (<see cref="Quote"/>), the least it may return (<see cref="MinBuyAmount"/>: below it the
/// transaction reverts), the transaction and the address the sell token must be approved to (null when none is
/// needed); or, when <see cref="Quote"/> failed, why.
/// </summary>
public sealed record FirmQuote(AggregatorQuote Quote, BigInteger MinBuyAmount, SwapTransaction? Transaction, string? Spender)
{
    public bool IsOk => Quote.IsOk && Transaction is not null;

    public static FirmQuote Failed(string aggregator, int chainId, QuoteError error, string? detail) =>
        new(AggregatorQuote.Failed(aggregator, chainId, error, detail), 0, null, null);

    /// <summary>The refusal of a firm quote that cannot be asked for (a chain the aggregators do not serve, a taker that
    /// is not an address); null when it can.</summary>
    internal static FirmQuote? Unaskable(string aggregator, int chainId, string taker)
    {
        if (!AggregatorChains.IsSupported(chainId))
        {
            return Failed(aggregator, chainId, QuoteError.UnsupportedChain, "chain " + chainId.ToString(CultureInfo.InvariantCulture));
        }

        return Calldata.IsAddress(taker) ? null : Failed(aggregator, chainId, QuoteError.InvalidRequest, "the taker is not an address");
    }
}

/// <summary>Checks of what a firm quote's answer must hold before anyone could send it.</summary>
internal static class Calldata
{
    /// <summary>A 20-byte hex address, 0x-prefixed.</summary>
    public static bool IsAddress(string? text) => text is { Length: 42 } && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && IsHex(text.AsSpan(2));

    /// <summary>0x-prefixed hex of whole bytes, at least a 4-byte selector.</summary>
    public static bool IsCalldata(string? text) =>
        text is { Length: >= 10 } && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && (text.Length & 1) == 0 && IsHex(text.AsSpan(2));

    /// <summary>A non-negative integer as a JSON string ("288095") or number (180000), as the two APIs write gas.</summary>
    public static bool Integer(JsonElement root, string name, out BigInteger value)
    {
        value = 0;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out JsonElement e))
        {
            return false;
        }

        string? text = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            _ => null,
        };
        return BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 0;
    }

    /// <summary>The transaction object <paramref name="name"/> of <paramref name="root"/>, checked; null with why.</summary>
    public static SwapTransaction? Transaction(JsonElement root, string name, out string? problem)
    {
        if (!root.TryGetProperty(name, out JsonElement tx) || tx.ValueKind != JsonValueKind.Object)
        {
            problem = name + " missing";
            return null;
        }

        string? to = tx.TryGetProperty("to", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        string? data = tx.TryGetProperty("data", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (!IsAddress(to))
        {
            problem = name + ".to is not an address";
            return null;
        }

        if (!IsCalldata(data))
        {
            problem = name + ".data is not calldata (0x hex with a 4-byte selector)";
            return null;
        }

        if (!Integer(tx, "value", out BigInteger value) || !Integer(tx, "gas", out BigInteger gas) || !Integer(tx, "gasPrice", out BigInteger gasPrice))
        {
            problem = name + ".value/gas/gasPrice missing or not an integer";
            return null;
        }

        problem = null;
        return new SwapTransaction(to!, data!, value, gas, gasPrice);
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

public sealed partial class ZeroExClient
{
    /// <summary>
    /// <c>GET /swap/allowance-holder/quote</c>: a firm quote for <paramref name="taker"/> with the transaction to send
    /// (https://0x.org/docs/api#tag/Swap/operation/swap::allowanceHolder::getQuote). Refused unless the answer holds a
    /// sendable transaction (<see cref="QuoteError.BadTransaction"/>), a floor at or under the amount
    /// (<see cref="QuoteError.Malformed"/>) and the tokens asked (<see cref="QuoteError.WrongToken"/>).
    /// </summary>
    /// <param name="slippageBps">The most the price may move against the taker before the transaction reverts (0x's default when null).</param>
    public async Task<FirmQuote> FirmQuoteAsync(int chainId, string sellToken, string buyToken, BigInteger sellAmount, string taker, int? slippageBps, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(sellToken);
        ArgumentNullException.ThrowIfNull(buyToken);
        if (FirmQuote.Unaskable(Name, chainId, taker) is { } refused)
        {
            return refused;
        }

        if (slippageBps is < 0 or > 10_000)
        {
            return FirmQuote.Failed(Name, chainId, QuoteError.InvalidRequest, "slippageBps must be 0 to 10000");
        }

        string slippage = slippageBps is { } bps ? string.Create(CultureInfo.InvariantCulture, $"&slippageBps={bps}") : "";
        var uri = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"swap/allowance-holder/quote?chainId={chainId}&sellToken={Uri.EscapeDataString(sellToken)}&buyToken={Uri.EscapeDataString(buyToken)}&sellAmount={sellAmount}&taker={taker}{slippage}"));
        (JsonDocument? body, QuoteError error, string? detail) = await http.GetJsonAsync(uri, [new("0x-api-key", apiKey), new("0x-version", "v2")], cancel).ConfigureAwait(false);
        using (body)
        {
            if (body is null)
            {
                return FirmQuote.Failed(Name, chainId, error, detail);
            }

            JsonElement root = body.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("liquidityAvailable", out JsonElement liquid) && liquid.ValueKind == JsonValueKind.False)
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.Rejected, "no liquidity for this pair");
            }

            if (!Amount(root, "buyAmount", out BigInteger buy) || !Amount(root, "sellAmount", out BigInteger sell) || !Amount(root, "minBuyAmount", out BigInteger min))
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.Malformed, "buyAmount/sellAmount/minBuyAmount missing or not an integer");
            }

            if (min > buy)
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.Malformed, "minBuyAmount above buyAmount");
            }

            if (!SameToken(root, "buyToken", buyToken) || !SameToken(root, "sellToken", sellToken))
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.WrongToken, "the answer quotes another token");
            }

            if (Calldata.Transaction(root, "transaction", out string? problem) is not { } tx)
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.BadTransaction, problem);
            }

            // The approval target when the taker's allowance is short; 0x leaves it null when none is needed.
            string? spender = root.TryGetProperty("issues", out JsonElement issues) && issues.ValueKind == JsonValueKind.Object
                && issues.TryGetProperty("allowance", out JsonElement allowance) && allowance.ValueKind == JsonValueKind.Object
                && allowance.TryGetProperty("spender", out JsonElement s) && s.ValueKind == JsonValueKind.String && Calldata.IsAddress(s.GetString())
                ? s.GetString()
                : null;
            return new FirmQuote(new AggregatorQuote(Name, chainId, sell, buy, QuoteError.None, null), min, tx, spender);
        }
    }
}

public sealed partial class OneInchClient
{
    /// <summary>
    /// <c>GET /swap/v6.0/{chainId}/swap</c>: the swap transaction for <paramref name="from"/>
    /// (https://portal.1inch.dev/documentation/apis/swap/classic-swap/methods/v6.0/1/swap/get), with the balance and
    /// allowance estimate off (<c>disableEstimate</c>: the wallet need not hold the tokens to be quoted). The floor is
    /// the amount less <paramref name="slippagePercent"/>, as the router's calldata encodes it. Refused unless the
    /// transaction is for <paramref name="from"/> and sendable (<see cref="QuoteError.BadTransaction"/>).
    /// </summary>
    public async Task<FirmQuote> SwapAsync(int chainId, string src, string dst, BigInteger amount, string from, decimal slippagePercent, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(dst);
        if (FirmQuote.Unaskable(Name, chainId, from) is { } refused)
        {
            return refused;
        }

        // 1inch takes 0 to 50 percent.
        if (slippagePercent is < 0 or > 50)
        {
            return FirmQuote.Failed(Name, chainId, QuoteError.InvalidRequest, "slippage must be 0 to 50 percent");
        }

        var uri = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"swap/v6.0/{chainId}/swap?src={Uri.EscapeDataString(src)}&dst={Uri.EscapeDataString(dst)}&amount={amount}&from={from}&origin={from}&slippage={slippagePercent}&disableEstimate=true&includeTokensInfo=true"));
        (JsonDocument? body, QuoteError error, string? detail) = await http.GetJsonAsync(uri, [new("Authorization", "Bearer " + apiKey)], cancel).ConfigureAwait(false);
        using (body)
        {
            if (body is null)
            {
                return FirmQuote.Failed(Name, chainId, error, detail);
            }

            JsonElement root = body.RootElement;
            if (!ZeroExClient.Amount(root, "dstAmount", out BigInteger buy))
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.Malformed, "dstAmount missing or not an integer");
            }

            if (!TokenMatches(root, "dstToken", dst) || !TokenMatches(root, "srcToken", src))
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.WrongToken, "the answer quotes another token");
            }

            if (Calldata.Transaction(root, "tx", out string? problem) is not { } tx)
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.BadTransaction, problem);
            }

            if (!root.GetProperty("tx").TryGetProperty("from", out JsonElement f) || f.ValueKind != JsonValueKind.String
                || !string.Equals(f.GetString(), from, StringComparison.OrdinalIgnoreCase))
            {
                return FirmQuote.Failed(Name, chainId, QuoteError.BadTransaction, "tx.from is not the taker");
            }

            // Exact in integers: percent with up to 4 decimals, as basis points of a basis point.
            var scaled = new BigInteger(decimal.Round(slippagePercent * 10_000m, 0, MidpointRounding.ToPositiveInfinity));
            BigInteger min = buy * (1_000_000 - scaled) / 1_000_000;
            // 1inch's router pulls the sell token itself: the approval target is the transaction's own address.
            return new FirmQuote(new AggregatorQuote(Name, chainId, amount, buy, QuoteError.None, null), min, tx, tx.To);
        }
    }
}
