using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using LowLatency.Adapters.Aggregators;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Host.Configuration;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>quote --chain 1 --sell USDC --buy WETH --amount 1000 [--json] [--config FILE] [--pool-state FILE]</c>: asks 0x and
/// 1inch for the same exact input, prices it on the configured pools with our own maths, and prints the three side by
/// side with the best, as a table or one JSON object. Keys come from <c>ZEROX_API_KEY</c> / <c>ONEINCH_API_KEY</c> (or
/// <c>.env</c>) and are never printed; an aggregator without its key is "not configured", not an error. Exit codes: 0
/// at least one price; 1 no source gave a price; 2 usage or configuration. Cold path.
/// </summary>
internal static class QuoteVerb
{
    internal const string ZeroExKey = "ZEROX_API_KEY";
    internal const string OneInchKey = "ONEINCH_API_KEY";
    internal const string NoNode = "no node configured";

    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var chain = new Option<string?>("--chain") { Description = "chain id (1, 10, 42161, 8453, ...) or configured chain name (ethereum)" };
        var sell = new Option<string?>("--sell") { Description = "token sold: a configured symbol (USDC) or address" };
        var buy = new Option<string?>("--buy") { Description = "token bought: a configured symbol (WETH) or address" };
        var amount = new Option<string?>("--amount") { Description = "amount sold, in whole tokens (1000, 0.5)" };
        var json = new Option<bool>("--json") { Description = "one JSON object instead of the table" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (aggregators.zeroX.baseUrl, chains, ...)" };
        var poolState = new Option<string?>("--pool-state") { Description = "pool state file for our own price when no node is configured" };
        var taker = new Option<string?>("--taker") { Description = "also ask both for a firm quote with its transaction for this wallet (0x address); nothing is sent" };
        var slippage = new Option<string?>("--slippage-bps") { Description = $"with --taker: the most the price may move before the swap reverts, in bps (default {DefaultSlippageBps})" };
        var command = new Command("quote", "0x and 1inch quotes next to our own pool price, and which is best") { chain, sell, buy, amount, json, config, poolState, taker, slippage };
        command.SetAction(parse => Execute(new Arguments(parse.GetValue(chain), parse.GetValue(sell), parse.GetValue(buy), parse.GetValue(amount),
            parse.GetValue(json), parse.GetValue(config), parse.GetValue(poolState)) { Taker = parse.GetValue(taker), SlippageBps = parse.GetValue(slippage) }, stdout, stderr, environment));
        return command;
    }

    /// <summary>Slippage a firm quote allows when --slippage-bps is not given.</summary>
    internal const int DefaultSlippageBps = 50;

    internal sealed record Arguments(string? Chain, string? Sell, string? Buy, string? Amount, bool Json, string? Config, string? PoolState)
    {
        /// <summary><c>--taker</c>: the wallet firm quotes are built for; null: prices only.</summary>
        public string? Taker { get; init; }

        /// <summary><c>--slippage-bps</c> as given.</summary>
        public string? SlippageBps { get; init; }
    }

    internal static int Execute(Arguments args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var errors = new List<string>();
        environment = DotEnv.Layer(environment, DotEnv.FileName, errors);
        (EngineOptions options, IReadOnlyList<string> configErrors) = EngineOptionsLoader.Load(args.Config, environment);
        errors.AddRange(configErrors);
        if (errors.Count > 0)
        {
            stderr.WriteLine("quote: the configuration is not valid:");
            foreach (string e in errors)
            {
                stderr.WriteLine($"  - {e}");
            }

            return Program.UsageError;
        }

        if (!TryResolve(args, options, out Resolved? resolved, out string? usage) || !TryFirm(args, out int slippageBps, out usage))
        {
            stderr.WriteLine("quote: " + SecretRedaction.Redact(usage!));
            return Program.UsageError;
        }

        OwnPoolPricer pricer = Pricer(resolved);
        string? ownProblem = null;
        if (args.PoolState is not null)
        {
            List<string> problems = PoolStateFile.Load(args.PoolState, pricer);
            if (problems.Count > 0)
            {
                foreach (string p in problems)
                {
                    stderr.WriteLine("quote: --pool-state: " + SecretRedaction.Redact(p));
                }

                return Program.UsageError;
            }
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (args.PoolState is null)
        {
            ownProblem = environment(resolved.Chain.RpcUrlVariable) is { Length: > 0 } url
                ? Snapshot(pricer, url.Trim(), cancel.Token).GetAwaiter().GetResult()
                : $"{NoNode}: {resolved.Chain.RpcUrlVariable} is not set (or give --pool-state FILE)";
        }

        var aggregators = new List<IAggregator>();
        var notConfigured = new List<AggregatorQuote>();
        using var zeroExHttp = new HttpClient();
        using var oneInchHttp = new HttpClient();
        var oneInch = (OneInchClient?)AddClient(environment(OneInchKey), OneInchClient.Name, OneInchKey, resolved.ChainId, notConfigured, aggregators,
            key => new OneInchClient(new AggregatorHttp(oneInchHttp, options.Aggregators.OneInch.ToResilience()), options.Aggregators.OneInch.BaseUri, key));
        var zeroEx = (ZeroExClient?)AddClient(environment(ZeroExKey), ZeroExClient.Name, ZeroExKey, resolved.ChainId, notConfigured, aggregators,
            key => new ZeroExClient(new AggregatorHttp(zeroExHttp, options.Aggregators.ZeroX.ToResilience()), options.Aggregators.ZeroX.BaseUri, key));

        var shadow = new ShadowPricing(new QuoteRouter(aggregators),
            ownProblem is null ? r => pricer.Quote(r.Sell.Address, r.Buy.Address, r.SellAmount) : null)
        {
            NoOwnPrice = ownProblem ?? "",
        };
        ShadowRecord record = shadow.QuoteAsync(resolved.Request, cancel.Token).GetAwaiter().GetResult();
        // Both aggregators in a fixed order (0x, 1inch), whether configured or not.
        AggregatorQuote[] quotes = [.. record.Aggregators, .. notConfigured];
        Array.Sort(quotes, (a, b) => string.CompareOrdinal(a.Aggregator, b.Aggregator));
        record = record with { Aggregators = quotes };
        IReadOnlyList<FirmQuote>? firm = args.Taker is { } wallet
            ? FirmQuotesAsync(resolved, wallet.Trim(), slippageBps, zeroEx, oneInch, cancel.Token).GetAwaiter().GetResult()
            : null;

        stdout.WriteLine(args.Json ? Json(resolved, record, firm) : Table(resolved, record) + (firm is null ? "" : "\n" + FirmTable(resolved, args.Taker!.Trim(), slippageBps, firm)));
        if (record.Best is null)
        {
            stderr.WriteLine("quote: no source gave a price");
            return Program.Failed;
        }

        return Program.Success;
    }

    private static IAggregator? AddClient(string? key, string name, string variable, int chainId, List<AggregatorQuote> notConfigured, List<IAggregator> aggregators,
        Func<string, IAggregator> create)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            notConfigured.Add(AggregatorQuote.Failed(name, chainId, QuoteError.NotConfigured, variable + " is not set"));
            return null;
        }

        IAggregator client = create(key.Trim());
        aggregators.Add(client);
        return client;
    }

    private static bool TryFirm(Arguments args, out int slippageBps, out string? error)
    {
        slippageBps = DefaultSlippageBps;
        error = null;
        if (args.Taker is null)
        {
            if (args.SlippageBps is not null)
            {
                error = "--slippage-bps goes with --taker (firm quotes)";
            }

            return error is null;
        }

        if (!Address.TryParse(args.Taker.Trim(), out _))
        {
            error = $"--taker: '{Excerpt(args.Taker)}' is not an address (0x and 40 hex digits)";
            return false;
        }

        // 1inch takes at most 50 %; the same bound for both keeps the two quotes comparable.
        if (args.SlippageBps is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out slippageBps) || slippageBps > 5_000))
        {
            error = $"--slippage-bps: '{Excerpt(text)}' must be a whole number of bps from 0 to 5000";
            return false;
        }

        return true;
    }

    /// <summary>Both firm quotes at once, 0x then 1inch; an aggregator without its key is "not configured".</summary>
    private static async Task<IReadOnlyList<FirmQuote>> FirmQuotesAsync(Resolved resolved, string taker, int slippageBps, ZeroExClient? zeroEx, OneInchClient? oneInch, CancellationToken cancel)
    {
        QuoteRequest r = resolved.Request;
        Task<FirmQuote> z = zeroEx is null
            ? Task.FromResult(FirmQuote.Failed(ZeroExClient.Name, r.ChainId, QuoteError.NotConfigured, ZeroExKey + " is not set"))
            : zeroEx.FirmQuoteAsync(r.ChainId, r.Sell.Address, r.Buy.Address, r.SellAmount, taker, slippageBps, cancel);
        Task<FirmQuote> o = oneInch is null
            ? Task.FromResult(FirmQuote.Failed(OneInchClient.Name, r.ChainId, QuoteError.NotConfigured, OneInchKey + " is not set"))
            : oneInch.SwapAsync(r.ChainId, r.Sell.Address, r.Buy.Address, r.SellAmount, taker, slippageBps / 100m, cancel);
        return [await z.ConfigureAwait(false), await o.ConfigureAwait(false)];
    }

    private static async Task<string?> Snapshot(OwnPoolPricer pricer, string url, CancellationToken cancel)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            return "the node URL is not a URL (its value is not shown)";
        }

        if (uri.Scheme is "ws" or "wss")
        {
            RpcResult<JsonRpcClient> connected = await JsonRpcClient.ConnectWsAsync(uri, cancellationToken: cancel).ConfigureAwait(false);
            if (!connected.IsOk)
            {
                return "the node did not answer: " + SecretRedaction.Redact(connected.Error!.Message);
            }

            await using JsonRpcClient ws = connected.Value;
            return await pricer.SnapshotAsync(ws, cancel).ConfigureAwait(false);
        }

        await using JsonRpcClient http = JsonRpcClient.ForHttp(uri);
        return await pricer.SnapshotAsync(http, cancel).ConfigureAwait(false);
    }

    internal sealed record Resolved(int ChainId, string ChainName, ChainOptions Chain, QuoteRequest Request, string AmountText);

    private static bool TryResolve(Arguments args, EngineOptions options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Resolved? resolved, out string? error)
    {
        resolved = null;
        error = args switch
        {
            { Chain: null } => "--chain: give a chain id (1) or name (ethereum)",
            { Sell: null } => "--sell: give the token sold (USDC)",
            { Buy: null } => "--buy: give the token bought (WETH)",
            { Amount: null } => "--amount: give the amount sold in whole tokens (1000)",
            _ => null,
        };
        if (error is not null)
        {
            return false;
        }

        (string name, ChainOptions chain)? found = null;
        foreach ((string name, ChainOptions chain) in options.Chains)
        {
            if (string.Equals(name, args.Chain, StringComparison.OrdinalIgnoreCase)
                || chain.ChainId.ToString(CultureInfo.InvariantCulture) == args.Chain!.Trim())
            {
                found = (name, chain);
            }
        }

        if (found is not { } c)
        {
            error = $"--chain: '{Excerpt(args.Chain!)}' is not a configured chain ({string.Join(", ", options.Chains.Select(p => $"{p.Value.ChainId} {p.Key}"))})";
            return false;
        }

        if (!TryToken(c.chain, args.Sell!, "--sell", out TokenRef sell, out error) || !TryToken(c.chain, args.Buy!, "--buy", out TokenRef buy, out error))
        {
            return false;
        }

        if (string.Equals(sell.Address, buy.Address, StringComparison.OrdinalIgnoreCase))
        {
            error = "--buy: the same token as --sell";
            return false;
        }

        if (!TryBaseUnits(args.Amount!.Trim(), sell.Decimals, out BigInteger units))
        {
            error = $"--amount: '{Excerpt(args.Amount!)}' must be a positive number of {sell.Symbol} with at most {sell.Decimals} decimals (1000, 0.5)";
            return false;
        }

        resolved = new Resolved((int)c.chain.ChainId, c.name, c.chain, new QuoteRequest((int)c.chain.ChainId, sell, buy, units), args.Amount.Trim());
        return true;
    }

    private static bool TryToken(ChainOptions chain, string text, string flag, out TokenRef token, out string? error)
    {
        foreach ((string symbol, TokenOptions t) in chain.Tokens)
        {
            if (string.Equals(symbol, text.Trim(), StringComparison.OrdinalIgnoreCase) || string.Equals(t.Address, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                token = new TokenRef(symbol, t.Address, t.Decimals);
                error = null;
                return true;
            }
        }

        token = default;
        error = $"{flag}: '{Excerpt(text)}' is not a token of chain {chain.ChainId} ({string.Join(", ", chain.Tokens.Keys.Order(StringComparer.Ordinal))})";
        return false;
    }

    /// <summary>"1000" or "0.5" in whole tokens to base units, exactly; no sign, exponent or more decimals than the token has.</summary>
    internal static bool TryBaseUnits(string text, int decimals, out BigInteger units)
    {
        units = 0;
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        string whole = dot < 0 ? text : text[..dot];
        string fraction = dot < 0 ? "" : text[(dot + 1)..];
        if ((whole.Length == 0 && fraction.Length == 0) || fraction.Length > decimals || whole.Length + fraction.Length > 78
            || !AllDigits(whole) || !AllDigits(fraction))
        {
            return false;
        }

        units = BigInteger.Parse((whole.Length == 0 ? "0" : whole) + fraction.PadRight(decimals, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
        return units > 0;
    }

    private static bool AllDigits(string s)
    {
        foreach (char ch in s)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }
        }

        return true;
    }

    private static OwnPoolPricer Pricer(Resolved resolved)
    {
        var pools = new List<OwnPool>();
        foreach (PoolOptions p in resolved.Chain.Pools)
        {
            if (resolved.Chain.Tokens.TryGetValue(p.Token0, out TokenOptions? t0) && resolved.Chain.Tokens.TryGetValue(p.Token1, out TokenOptions? t1)
                && Address.TryParse(p.Address, out _))
            {
                pools.Add(new OwnPool(p.Address, p.Kind == "v3", (uint)p.Fee, t0.Address, t1.Address));
            }
        }

        return new OwnPoolPricer(pools);
    }

    // ------------------------------------------------------------ output

    private readonly record struct Row(string Source, string Status, BigInteger BuyAmount, double? Price, string Note);

    private static List<Row> Rows(ShadowRecord record)
    {
        var rows = new List<Row>();
        foreach (AggregatorQuote q in record.Aggregators)
        {
            rows.Add(q.IsOk ? new Row(q.Aggregator, "ok", q.BuyAmount, record.PriceOf(q.BuyAmount), "")
                : q.Error == QuoteError.NotConfigured ? new Row(q.Aggregator, "not configured", 0, null, q.Detail ?? "")
                : new Row(q.Aggregator, "error", 0, null, $"{q.Error}: {q.Detail}"));
        }

        OwnQuote own = record.Own;
        rows.Add(own.IsOk
            ? new Row(ShadowRecord.OwnName, "ok", own.BuyAmount, record.PriceOf(own.BuyAmount), $"{own.Kind} pool {own.Pool}" + (own.Block > 0 ? $" at block {own.Block}" : ""))
            : own.Error!.StartsWith(NoNode + ": ", StringComparison.Ordinal) ? new Row(ShadowRecord.OwnName, NoNode, 0, null, own.Error[(NoNode.Length + 2)..])
            : new Row(ShadowRecord.OwnName, "error", 0, null, own.Error));
        return rows;
    }

    private static BigInteger BestAmount(List<Row> rows, string? best)
    {
        foreach (Row r in rows)
        {
            if (r.Source == best)
            {
                return r.BuyAmount;
            }
        }

        return 0;
    }

    internal static string Table(Resolved resolved, ShadowRecord record)
    {
        List<Row> rows = Rows(record);
        BigInteger best = BestAmount(rows, record.Best);
        var text = new System.Text.StringBuilder();
        TokenRef sell = resolved.Request.Sell, buy = resolved.Request.Buy;
        text.Append(CultureInfo.InvariantCulture, $"sell {resolved.AmountText} {sell.Symbol} for {buy.Symbol} on chain {resolved.ChainId} ({resolved.ChainName})\n");
        string amountHeader = $"{buy.Symbol} out";
        string priceHeader = $"{buy.Symbol} per {sell.Symbol}";
        var cells = new List<string[]> { new[] { "source", amountHeader, priceHeader, "vs best", "note" } };
        foreach (Row r in rows)
        {
            string vs = r.Status != "ok" ? "" : r.Source == record.Best ? "best" : Bps(ShadowRecord.ShortfallBps(best, r.BuyAmount));
            cells.Add(r.Status == "ok"
                ? [r.Source, Whole(r.BuyAmount, buy.Decimals), Price(r.Price), vs, r.Note]
                : [r.Source, "-", "-", "", r.Status + (r.Note.Length > 0 ? $" ({r.Note})" : "")]);
        }

        int[] widths = new int[4];
        foreach (string[] row in cells)
        {
            for (int i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in cells)
        {
            text.Append(row[0].PadRight(widths[0])).Append("  ").Append(row[1].PadLeft(widths[1])).Append("  ")
                .Append(row[2].PadLeft(widths[2])).Append("  ").Append(row[3].PadLeft(widths[3])).Append("  ").Append(row[4]);
            text.Length = text.ToString().TrimEnd().Length;
            text.Append('\n');
        }

        text.Append("best: ").Append(record.Best ?? "none");
        return SecretRedaction.Redact(text.ToString());
    }

    /// <summary>The firm quotes under the price table: amount, floor, and what the transaction would call.</summary>
    internal static string FirmTable(Resolved resolved, string taker, int slippageBps, IReadOnlyList<FirmQuote> firm)
    {
        int decimals = resolved.Request.Buy.Decimals;
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"firm quotes for {taker}, slippage {slippageBps} bps (nothing is sent):\n");
        foreach (FirmQuote f in firm)
        {
            text.Append(f.Quote.Aggregator.PadRight(6));
            if (f.IsOk)
            {
                SwapTransaction tx = f.Transaction!;
                text.Append(CultureInfo.InvariantCulture,
                    $"{Whole(f.Quote.BuyAmount, decimals)} {resolved.Request.Buy.Symbol}, at least {Whole(f.MinBuyAmount, decimals)}; tx to {tx.To} calls {tx.Selector} ({tx.DataBytes} bytes), gas {tx.Gas}, value {tx.Value}");
                if (f.Spender is { } spender)
                {
                    text.Append(CultureInfo.InvariantCulture, $"; approve {resolved.Request.Sell.Symbol} to {spender}");
                }
            }
            else
            {
                text.Append(f.Quote.Error == QuoteError.NotConfigured ? "not configured" : "error").Append(" (").Append(f.Quote.Error == QuoteError.NotConfigured ? f.Quote.Detail : $"{f.Quote.Error}: {f.Quote.Detail}").Append(')');
            }

            text.Append('\n');
        }

        return SecretRedaction.Redact(text.ToString().TrimEnd());
    }

    internal static string Json(Resolved resolved, ShadowRecord record, IReadOnlyList<FirmQuote>? firm = null)
    {
        List<Row> rows = Rows(record);
        BigInteger best = BestAmount(rows, record.Best);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("chainId", resolved.ChainId);
            w.WriteString("chain", resolved.ChainName);
            WriteToken(w, "sell", resolved.Request.Sell);
            w.WriteString("sellAmount", resolved.AmountText);
            w.WriteString("sellAmountBaseUnits", resolved.Request.SellAmount.ToString(CultureInfo.InvariantCulture));
            WriteToken(w, "buy", resolved.Request.Buy);
            w.WriteStartArray("quotes");
            foreach (Row r in rows)
            {
                w.WriteStartObject();
                w.WriteString("source", r.Source);
                w.WriteString("status", r.Status);
                if (r.Status == "ok")
                {
                    w.WriteString("buyAmountBaseUnits", r.BuyAmount.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("buyAmount", Whole(r.BuyAmount, resolved.Request.Buy.Decimals));
                    if (r.Price is { } p && double.IsFinite(p))
                    {
                        w.WriteNumber("price", p);
                    }

                    w.WriteNumber("vsBestBps", r.Source == record.Best ? 0 : Math.Round(ShadowRecord.ShortfallBps(best, r.BuyAmount), 3));
                }

                if (r.Note.Length > 0)
                {
                    w.WriteString(r.Status == "ok" ? "note" : "reason", SecretRedaction.Redact(r.Note));
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (record.Best is null)
            {
                w.WriteNull("best");
            }
            else
            {
                w.WriteString("best", record.Best);
            }

            if (firm is not null)
            {
                WriteFirm(w, firm);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteFirm(Utf8JsonWriter w, IReadOnlyList<FirmQuote> firm)
    {
        w.WriteStartArray("firm");
        foreach (FirmQuote f in firm)
        {
            w.WriteStartObject();
            w.WriteString("source", f.Quote.Aggregator);
            w.WriteString("status", f.IsOk ? "ok" : f.Quote.Error == QuoteError.NotConfigured ? "not configured" : "error");
            if (f.IsOk)
            {
                SwapTransaction tx = f.Transaction!;
                w.WriteString("buyAmountBaseUnits", f.Quote.BuyAmount.ToString(CultureInfo.InvariantCulture));
                w.WriteString("minBuyAmountBaseUnits", f.MinBuyAmount.ToString(CultureInfo.InvariantCulture));
                w.WriteStartObject("transaction");
                // The calldata itself is not printed: its 32-byte words are key-shaped, and stdout redacts every such run.
                w.WriteString("to", tx.To);
                w.WriteString("selector", tx.Selector);
                w.WriteNumber("dataBytes", tx.DataBytes);
                w.WriteString("gas", tx.Gas.ToString(CultureInfo.InvariantCulture));
                w.WriteString("gasPrice", tx.GasPrice.ToString(CultureInfo.InvariantCulture));
                w.WriteString("value", tx.Value.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
                if (f.Spender is null)
                {
                    w.WriteNull("approve");
                }
                else
                {
                    w.WriteString("approve", f.Spender);
                }
            }
            else
            {
                w.WriteString("reason", SecretRedaction.Redact(f.Quote.Error == QuoteError.NotConfigured ? f.Quote.Detail ?? "" : $"{f.Quote.Error}: {f.Quote.Detail}"));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteToken(Utf8JsonWriter w, string name, TokenRef token)
    {
        w.WriteStartObject(name);
        w.WriteString("symbol", token.Symbol);
        w.WriteString("address", token.Address);
        w.WriteNumber("decimals", token.Decimals);
        w.WriteEndObject();
    }

    /// <summary>Base units as whole tokens, exactly (trailing zeros of the fraction dropped).</summary>
    internal static string Whole(BigInteger units, int decimals)
    {
        string digits = BigInteger.Abs(units).ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        string whole = digits[..^decimals], fraction = digits[^decimals..].TrimEnd('0');
        return (units < 0 ? "-" : "") + whole + (fraction.Length > 0 ? "." + fraction : "");
    }

    private static string Price(double? price) => price is { } p && double.IsFinite(p) ? p.ToString("G10", CultureInfo.InvariantCulture) : "-";

    private static string Bps(double bps) => double.IsFinite(bps) ? (-bps).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " bps" : "";

    private static string Excerpt(string text) => SecretRedaction.Excerpt(text, 60);
}
