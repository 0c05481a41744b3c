using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Numerics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LowLatency.Testing.Aggregators;

/// <summary>Which API a loopback aggregator speaks.</summary>
public enum AggregatorApi
{
    ZeroEx,
    OneInch,
}

/// <summary>What the next answer does instead of a good quote.</summary>
public enum AggregatorFault
{
    None,
    ServerError,
    Stall,
    Malformed,
    NotAnObject,
    RateLimited,
    WrongToken,
    NoLiquidity,

    /// <summary>A firm quote whose transaction's <c>to</c> is not an address.</summary>
    BadTransactionTarget,

    /// <summary>A firm quote without its transaction object.</summary>
    NoTransaction,

    /// <summary>1inch: a swap transaction built for another wallet than asked.</summary>
    OtherWallet,
}

/// <summary>
/// A loopback 0x Swap API v2 (<c>GET /swap/allowance-holder/price</c>, <c>0x-api-key</c>, <c>0x-version: v2</c>) or
/// 1inch Classic Swap v6.0 (<c>GET /swap/v6.0/{chainId}/quote</c>, <c>Authorization: Bearer</c>) on Kestrel, answering
/// the documented 200 shapes (0x: https://0x.org/docs/api#tag/Swap/operation/swap::allowanceHolder::getPrice; 1inch:
/// https://portal.1inch.dev/documentation/apis/swap/classic-swap/methods/v6.0/1/quote/get) at a fixed rate of buy per
/// sell base unit, and the documented 4xx for a token or chain it does not serve. Faults are scripted: a queue of the
/// next answers (a 5xx burst, a stall, a malformed body, a 429 with Retry-After, a quote of another token), then
/// <see cref="Steady"/>. A wrong or missing key is a 401. Every request is recorded.
/// </summary>
public sealed class LoopbackAggregator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AggregatorFault> _script = new();
    private readonly List<(string PathAndQuery, Dictionary<string, string> Headers)> _requests = [];

    private LoopbackAggregator(WebApplication app, AggregatorApi api, string apiKey)
    {
        _app = app;
        Api = api;
        ApiKey = apiKey;
    }

    public AggregatorApi Api { get; }

    public string ApiKey { get; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Tokens served, by address (lower case), with their symbol and decimals.</summary>
    public Dictionary<string, (string Symbol, int Decimals)> Tokens { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Chains served; another is answered with the API's 400 for an unsupported chain.</summary>
    public HashSet<int> Chains { get; } = [1, 10, 56, 42161, 8453];

    /// <summary>Buy base units per sell base unit, as a fraction (default 334,600,000 WETH wei per USDC base unit: 0.0003346 WETH per USDC).</summary>
    public (BigInteger Numerator, BigInteger Denominator) Rate { get; set; } = (334_600_000, 1);

    /// <summary>What answers once the script is empty.</summary>
    public AggregatorFault Steady { get; set; }

    /// <summary>The value of Retry-After on a 429 (seconds).</summary>
    public string RetryAfter { get; set; } = "2";

    /// <summary>How long a stalled answer waits (longer than any client timeout in the tests).</summary>
    public TimeSpan StallFor { get; set; } = TimeSpan.FromSeconds(30);

    public int RequestCount
    {
        get
        {
            lock (_requests)
            {
                return _requests.Count;
            }
        }
    }

    public List<(string PathAndQuery, Dictionary<string, string> Headers)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The next <paramref name="count"/> answers are <paramref name="fault"/>.</summary>
    public void Next(AggregatorFault fault, int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            _script.Enqueue(fault);
        }
    }

    public static async Task<LoopbackAggregator> StartAsync(AggregatorApi api, string apiKey)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new LoopbackAggregator(app, api, apiKey);
        server.Tokens["0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"] = ("USDC", 6);
        server.Tokens["0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"] = ("WETH", 18);
        server.Tokens["0xdAC17F958D2ee523a2206206994597C13D831ec7"] = ("USDT", 6);
        app.Run(server.ServeAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return server;
    }

    private async Task ServeAsync(HttpContext context)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> h in context.Request.Headers)
        {
            headers[h.Key] = h.Value.ToString();
        }

        lock (_requests)
        {
            _requests.Add((context.Request.Path + context.Request.QueryString, headers));
        }

        (int status, string body, string? retryAfter) = Answer(context.Request, headers, out bool stall);
        if (stall)
        {
            try
            {
                await Task.Delay(StallFor, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        try
        {
            await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // the client gave up
        }
    }

    /// <summary>The AllowanceHolder contract 0x quotes through (its transaction's <c>to</c> and the spender to approve).</summary>
    public const string AllowanceHolder = "0x0000000000001ff3684f28c67538d4d072c22734";

    /// <summary>1inch's Aggregation Router v6 (its swap transaction's <c>to</c>).</summary>
    public const string RouterV6 = "0x111111125421ca6dc452d289314280a0f8842a65";

    /// <summary>The selector of the loopback's 0x calldata (AllowanceHolder <c>exec</c>).</summary>
    public const string ZeroExSelector = "0x2213bc0b";

    /// <summary>The selector of the loopback's 1inch calldata (router v6 <c>swap</c>).</summary>
    public const string OneInchSelector = "0x07ed2379";

    private (int Status, string Body, string? RetryAfter) Answer(HttpRequest request, Dictionary<string, string> headers, out bool stall)
    {
        stall = false;
        bool zeroEx = Api == AggregatorApi.ZeroEx;
        string path = request.Path.Value ?? "";
        int chainId;
        string? sell, buy, amountText;
        bool firm;
        string? taker = null;
        if (zeroEx)
        {
            firm = path == "/swap/allowance-holder/quote";
            if (path != "/swap/allowance-holder/price" && !firm)
            {
                return (404, "{\"name\":\"NOT_FOUND\",\"message\":\"no such route\"}", null);
            }

            if (!headers.TryGetValue("0x-api-key", out string? key) || key != ApiKey || !headers.TryGetValue("0x-version", out string? v) || v != "v2")
            {
                return (401, "{\"name\":\"UNAUTHORIZED\",\"message\":\"invalid api key or version\"}", null);
            }

            _ = int.TryParse(request.Query["chainId"], NumberStyles.None, CultureInfo.InvariantCulture, out chainId);
            (sell, buy, amountText) = (request.Query["sellToken"], request.Query["buyToken"], request.Query["sellAmount"]);
            if (firm && (taker = request.Query["taker"]) is not { Length: 42 })
            {
                return (400, """{"name":"INPUT_INVALID","message":"Validation Failed","data":{"details":[{"field":"taker","reason":"taker is required for a quote"}]}}""", null);
            }
        }
        else
        {
            string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            firm = parts.Length == 4 && parts[3] == "swap";
            if (parts.Length != 4 || parts[0] != "swap" || parts[1] != "v6.0" || (parts[3] != "quote" && !firm)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out chainId))
            {
                return (404, "{\"error\":\"Not Found\",\"statusCode\":404}", null);
            }

            if (firm && ((taker = request.Query["from"]) is not { Length: 42 }
                || !decimal.TryParse(request.Query["slippage"], NumberStyles.Number, CultureInfo.InvariantCulture, out _)))
            {
                return (400, """{"error":"Bad Request","description":"from and slippage are required","statusCode":400}""", null);
            }

            if (!headers.TryGetValue("Authorization", out string? auth) || auth != "Bearer " + ApiKey)
            {
                return (401, "{\"error\":\"Unauthorized\",\"statusCode\":401}", null);
            }

            (sell, buy, amountText) = (request.Query["src"], request.Query["dst"], request.Query["amount"]);
        }

        if (!Chains.Contains(chainId))
        {
            return zeroEx
                ? (400, "{\"name\":\"INPUT_INVALID\",\"message\":\"Validation Failed\",\"data\":{\"details\":[{\"field\":\"chainId\",\"reason\":\"chain " + chainId + " is not supported\"}]}}", null)
                : (400, $$"""{"error":"Bad Request","description":"chain {{chainId}} is not supported","statusCode":400}""", null);
        }

        foreach (string? token in new[] { sell, buy })
        {
            if (token is null || !Tokens.ContainsKey(token))
            {
                return zeroEx
                    ? (400, "{\"name\":\"TOKEN_NOT_SUPPORTED\",\"message\":\"Token is not supported\",\"data\":{\"zid\":\"0x1\"}}", null)
                    : (400, $$"""{"error":"Bad Request","description":"cannot sync token info for {{token}}","statusCode":400}""", null);
            }
        }

        if (!BigInteger.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out BigInteger amount) || amount <= 0)
        {
            return (400, zeroEx ? "{\"name\":\"INPUT_INVALID\",\"message\":\"sellAmount\"}" : "{\"error\":\"Bad Request\",\"description\":\"amount is not valid\",\"statusCode\":400}", null);
        }

        AggregatorFault fault = _script.TryDequeue(out AggregatorFault next) ? next : Steady;
        BigInteger quoted = amount * Rate.Numerator / Rate.Denominator;
        string buyShown = fault == AggregatorFault.WrongToken ? sell! : buy!;
        switch (fault)
        {
            case AggregatorFault.ServerError:
                return (500, zeroEx ? "{\"name\":\"INTERNAL_SERVER_ERROR\",\"message\":\"internal error\"}" : "{\"error\":\"Internal Server Error\",\"statusCode\":500}", null);
            case AggregatorFault.RateLimited:
                return (429, "{\"message\":\"Too Many Requests\"}", RetryAfter);
            case AggregatorFault.Stall:
                stall = true;
                break;
            case AggregatorFault.Malformed:
                return (200, zeroEx ? "{\"buyAmount\":\"12x\",\"sellAmount\":" : "{\"dstAmount\":12", null);
            case AggregatorFault.NotAnObject:
                return (200, "[\"not\",\"a\",\"quote\"]", null);
            case AggregatorFault.NoLiquidity when zeroEx:
                return (200, "{\"liquidityAvailable\":false,\"zid\":\"0x2\"}", null);
        }

        string body = zeroEx ? ZeroExPrice(chainId, sell!, buyShown, amount, quoted) : OneInchQuote(sell!, buyShown, quoted);
        if (!firm)
        {
            return (200, body, null);
        }

        // A firm answer is the price answer plus its transaction, as each API documents it.
        string data = Calldata(zeroEx ? ZeroExSelector : OneInchSelector, sell!, buy!, amount, quoted * 99 / 100, taker!);
        string to = fault == AggregatorFault.BadTransactionTarget ? "0x1234" : zeroEx ? AllowanceHolder : RouterV6;
        string from = fault == AggregatorFault.OtherWallet ? "0x" + new string('9', 40) : taker!;
        string tx = fault == AggregatorFault.NoTransaction ? "" : zeroEx
            ? $$""","transaction":{"to":"{{to}}","data":"{{data}}","gas":"288095","gasPrice":"7062490000","value":"0"}"""
            : $$""","tx":{"from":"{{from}}","to":"{{to}}","data":"{{data}}","value":"0","gas":180000,"gasPrice":"7062490000"}""";
        string trimmed = body.TrimEnd();
        return (200, trimmed[..^1] + tx + "}", null);
    }

    /// <summary>
    /// The calldata a firm answer carries: the selector, then the sell and buy tokens, the amount, the floor and the
    /// taker as 32-byte words (the shape of a real call, so a test can read back what it asked for).
    /// </summary>
    public static string Calldata(string selector, string sell, string buy, BigInteger amount, BigInteger minOut, string taker)
    {
        static string Word(BigInteger v) => v.ToString("x64", CultureInfo.InvariantCulture)[^64..];
        static string AddressWord(string a) => a[2..].ToLowerInvariant().PadLeft(64, '0');
        return selector + AddressWord(sell) + AddressWord(buy) + Word(amount) + Word(minOut) + AddressWord(taker);
    }

    private string ZeroExPrice(int chainId, string sell, string buy, BigInteger sellAmount, BigInteger buyAmount) => $$"""
        {"blockNumber":"20114692","buyAmount":"{{buyAmount}}","buyToken":"{{buy}}","chainId":{{chainId}},
         "fees":{"integratorFee":null,"zeroExFee":{"amount":"0","token":"{{buy}}","type":"volume"},"gasFee":null},
         "gas":"288095","gasPrice":"7062490000",
         "issues":{"allowance":{"actual":"0","spender":"0x0000000000001ff3684f28c67538d4d072c22734"},"balance":null,"simulationIncomplete":false,"invalidSourcesPassed":[]},
         "liquidityAvailable":true,"minBuyAmount":"{{buyAmount * 99 / 100}}",
         "route":{"fills":[{"from":"{{sell}}","to":"{{buy}}","source":"Uniswap_V3","proportionBps":"10000"}],"tokens":[{"address":"{{sell}}","symbol":"{{Symbol(sell)}}"},{"address":"{{buy}}","symbol":"{{Symbol(buy)}}"}]},
         "sellAmount":"{{sellAmount}}","sellToken":"{{sell}}",
         "tokenMetadata":{"buyToken":{"buyTaxBps":"0","sellTaxBps":"0"},"sellToken":{"buyTaxBps":"0","sellTaxBps":"0"} },
         "totalNetworkFee":"2034668056550000","zid":"0x111"}
        """;

    private string OneInchQuote(string src, string dst, BigInteger dstAmount) => $$"""
        {"srcToken":{"address":"{{src}}","symbol":"{{Symbol(src)}}","name":"{{Symbol(src)}}","decimals":{{Decimals(src)}},"logoURI":"","tags":["tokens"]},
         "dstToken":{"address":"{{dst}}","symbol":"{{Symbol(dst)}}","name":"{{Symbol(dst)}}","decimals":{{Decimals(dst)}},"logoURI":"","tags":["tokens"]},
         "dstAmount":"{{dstAmount}}","protocols":[[[{"name":"UNISWAP_V3","part":100,"fromTokenAddress":"{{src}}","toTokenAddress":"{{dst}}" }]]],"gas":180000}
        """;

    private string Symbol(string address) => Tokens.TryGetValue(address, out (string Symbol, int Decimals) t) ? t.Symbol : "?";

    private int Decimals(string address) => Tokens.TryGetValue(address, out (string Symbol, int Decimals) t) ? t.Decimals : 18;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
