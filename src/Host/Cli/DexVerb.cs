using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Cli;

/// <summary>
/// <c>dex quote [--ndjson]</c>: exact Uniswap V2/V3 quotes, one JSON object per input line on stdin, one JSON object per
/// output line, in the contract's own terms (big integers as decimal strings). A line the pool would revert on, or a
/// bad line, gives <c>{"error":"…"}</c> for that line and the next line is read. Exit codes: 0 when stdin was read to the
/// end (even if some lines were errors), 1 when reading stdin or writing stdout failed, 2 on a usage error.
/// The subcommands parse their own arguments, so everything after <c>dex</c> is passed through untouched.
/// </summary>
internal static class DexVerb
{
    private const string Usage = """
        usage: dex quote [--ndjson]
          reads one JSON object per line from stdin and writes one JSON object per line to stdout:
          V3 in:  {"pool":"v3","sqrtPriceX96":"…","liquidity":"…","tick":N,"tickSpacing":N,"fee":N,
                   "zeroForOne":true|false,"amountSpecified":"…"[,"sqrtPriceLimitX96":"…"][,"ticks":[[tick,"liquidityNet"],…]]}
                  amountSpecified > 0 is exact input, < 0 exact output; the limit defaults to MIN_SQRT_RATIO+1 / MAX_SQRT_RATIO-1
          V3 out: {"amount0":"…","amount1":"…","sqrtPriceX96":"…","tick":N,"liquidity":"…"}  (positive = paid into the pool)
          V2 in:  {"pool":"v2","reserveIn":"…","reserveOut":"…","amountIn":"…"|"amountOut":"…"[,"feeBps":30]}
          V2 out: {"amountOut":"…"} or {"amountIn":"…"}
          a revert or a bad line: {"error":"…"}; exit 0 once stdin is read to the end
        """;

    private static readonly UInt256 s_maxUInt160 = (UInt256.One << 160) - UInt256.One;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var rest = new Argument<string[]>("arguments") { Description = "quote [--ndjson]", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("dex", "DEX tools: exact Uniswap V2/V3 quotes (dex quote --ndjson, JSON lines on stdin)") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            string[] args = [.. parse.GetValue(rest) ?? [], .. parse.UnmatchedTokens];
            return Run(args, Console.In, stdout, stderr);
        });
        return command;
    }

    /// <summary>Runs <c>dex ARGS</c>. Never throws for bad input; returns the exit code. Caller's thread; allocates (cold path).</summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        if (args[0] != "quote")
        {
            return UsageError(stderr, $"unknown command '{SecretRedaction.Redact(args[0])}' (expected quote)");
        }

        foreach (string option in args.AsSpan(1))
        {
            if (option is "-h" or "--help")
            {
                stdout.WriteLine(Usage);
                return 0;
            }

            if (option != "--ndjson")
            {
                return UsageError(stderr, $"unknown option '{SecretRedaction.Redact(option)}' (dex quote reads JSON lines: --ndjson)");
            }
        }

        var quoter = new Quoter();
        long lineNumber = 0;
        while (true)
        {
            string? line;
            try
            {
                line = stdin.ReadLine();
            }
            catch (IOException e)
            {
                stderr.WriteLine($"dex quote: reading stdin failed after line {lineNumber}: {e.Message}");
                return 1;
            }

            if (line is null)
            {
                return 0;
            }

            lineNumber++;
            string output = quoter.QuoteLine(line);
            try
            {
                stdout.WriteLine(output);
                stdout.Flush();
            }
            catch (IOException e)
            {
                stderr.WriteLine($"dex quote: writing the answer to line {lineNumber} failed: {e.Message}");
                return 1;
            }
        }
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine("dex: " + message);
        stderr.WriteLine(Usage);
        return 2;
    }

    /// <summary>A bad line: the message names the field and what is wrong, never echoing the value.</summary>
    private sealed class BadLineException(string message) : Exception(message);

    /// <summary>Turns one input line into one output line; keeps one pool per (fee, tick spacing) for reuse.</summary>
    private sealed class Quoter
    {
        private readonly Dictionary<(uint Fee, int Spacing), V3Pool> _pools = [];

        public string QuoteLine(string line)
        {
            try
            {
                using JsonDocument document = ParseObject(line);
                JsonElement root = document.RootElement;
                RejectDuplicates(root);
                return Text(root, "pool") switch
                {
                    "v3" => QuoteV3(root),
                    "v2" => QuoteV2(root),
                    _ => throw new BadLineException("pool: must be \"v2\" or \"v3\""),
                };
            }
            catch (BadLineException e)
            {
                return Error(e.Message);
            }
        }

        private static JsonDocument ParseObject(string line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                throw new BadLineException("empty line (expected one JSON object)");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 8 });
            }
            catch (JsonException e)
            {
                // The parser's message may quote the input; give only where it broke.
                throw new BadLineException($"not valid JSON (at byte {e.BytePositionInLine ?? 0})");
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new BadLineException("not a JSON object");
            }

            return document;
        }

        private static void RejectDuplicates(JsonElement root)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new BadLineException($"{Name(property.Name)}: given twice");
                }
            }
        }

        private string QuoteV3(JsonElement root)
        {
            UInt256 sqrtPrice = Unsigned(root, "sqrtPriceX96", s_maxUInt160);
            if (sqrtPrice < TickMath.MinSqrtRatio || sqrtPrice >= TickMath.MaxSqrtRatio)
            {
                throw new BadLineException("sqrtPriceX96: outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)");
            }

            var liquidity = (UInt128)Unsigned(root, "liquidity", UInt128.MaxValue);
            int tick = Integer(root, "tick", TickMath.MinTick, TickMath.MaxTick);
            int spacing = Integer(root, "tickSpacing", 1, 16383);
            uint fee = (uint)Integer(root, "fee", 0, (int)SwapMath.FeeDenominator - 1);
            bool zeroForOne = Boolean(root, "zeroForOne");
            Int256 amount = Signed(root, "amountSpecified");
            UInt256 limit = root.TryGetProperty("sqrtPriceLimitX96", out _)
                ? Unsigned(root, "sqrtPriceLimitX96", s_maxUInt160)
                : V3Pool.DefaultPriceLimit(zeroForOne);

            // slot0.tick is getTickAtSqrtRatio(price), or one below when a swap down stopped exactly on a tick.
            var state = new V3PoolState { SqrtPriceX96 = sqrtPrice, Tick = tick, Liquidity = liquidity };
            if (V3Pool.ValidateState(state) != V3Status.Ok)
            {
                int priceTick = TickMath.TryGetTickAtSqrtRatio(sqrtPrice, out int t) ? t : 0;
                throw new BadLineException($"tick: {tick} is not the tick of sqrtPriceX96 ({priceTick})");
            }

            if (!_pools.TryGetValue((fee, spacing), out V3Pool? pool))
            {
                pool = new V3Pool(fee, spacing);
                _pools.Add((fee, spacing), pool);
            }

            pool.Ticks.Clear();
            pool.State = state;
            if (root.TryGetProperty("ticks", out JsonElement ticks))
            {
                LoadTicks(pool, ticks);
            }

            V3Status status = pool.Quote(zeroForOne, amount, limit, out V3SwapResult result);
            if (status != V3Status.Ok)
            {
                return Error(V3StatusText.IsRevert(status)
                    ? "the pool reverts: " + V3StatusText.RevertReason(status)
                    : V3StatusText.RevertReason(status));
            }

            return Json(writer =>
            {
                writer.WriteString("amount0", result.Amount0.ToString());
                writer.WriteString("amount1", result.Amount1.ToString());
                writer.WriteString("sqrtPriceX96", result.SqrtPriceX96.ToString());
                writer.WriteNumber("tick", result.Tick);
                writer.WriteString("liquidity", result.Liquidity.ToString(CultureInfo.InvariantCulture));
            });
        }

        private static void LoadTicks(V3Pool pool, JsonElement ticks)
        {
            if (ticks.ValueKind != JsonValueKind.Array)
            {
                throw new BadLineException("ticks: must be an array of [tick, \"liquidityNet\"]");
            }

            int index = 0;
            foreach (JsonElement entry in ticks.EnumerateArray())
            {
                string where = $"ticks[{index.ToString(CultureInfo.InvariantCulture)}]";
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2)
                {
                    throw new BadLineException(where + ": must be [tick, \"liquidityNet\"]");
                }

                if (entry[0].ValueKind != JsonValueKind.Number || !entry[0].TryGetInt32(out int tick))
                {
                    throw new BadLineException(where + ": the tick must be an integer");
                }

                if (entry[1].ValueKind != JsonValueKind.String || !Int256.TryParse(entry[1].GetString(), out Int256 wide)
                    || !Int256.TryToInt128(wide, out Int128 net) || net == Int128.MinValue)
                {
                    throw new BadLineException(where + ": liquidityNet must be a decimal int128 string");
                }

                if (pool.Ticks.TryGetTick(tick, out _))
                {
                    throw new BadLineException(where + ": tick given twice");
                }

                // Swaps read only liquidityNet; an initialized tick needs a non-zero gross, which |net| (or 1) is.
                UInt128 gross = net == 0 ? UInt128.One : (UInt128)Int128.Abs(net);
                V3Status status = pool.Ticks.SetTick(tick, new V3TickInfo(gross, net));
                if (status != V3Status.Ok)
                {
                    throw new BadLineException(where + (status == V3Status.TickNotSpaced
                        ? ": the tick is not a multiple of tickSpacing"
                        : ": the tick is outside [MIN_TICK, MAX_TICK]"));
                }

                index++;
            }
        }

        private static string QuoteV2(JsonElement root)
        {
            UInt256 reserveIn = Unsigned(root, "reserveIn", UInt256.MaxValue);
            UInt256 reserveOut = Unsigned(root, "reserveOut", UInt256.MaxValue);
            uint feeBps = root.TryGetProperty("feeBps", out _) ? (uint)Integer(root, "feeBps", 0, (int)UniswapV2Math.FeeDenominatorBps - 1) : 30;
            bool hasIn = root.TryGetProperty("amountIn", out _);
            bool hasOut = root.TryGetProperty("amountOut", out _);
            if (hasIn == hasOut)
            {
                throw new BadLineException("give exactly one of amountIn and amountOut");
            }

            UInt256 amount = Unsigned(root, hasIn ? "amountIn" : "amountOut", UInt256.MaxValue);
            V2Status status = hasIn
                ? UniswapV2Math.GetAmountOut(amount, reserveIn, reserveOut, feeBps, out UInt256 result)
                : UniswapV2Math.GetAmountIn(amount, reserveIn, reserveOut, feeBps, out result);
            if (status != V2Status.Ok)
            {
                return Error("the library reverts: " + status switch
                {
                    V2Status.InsufficientInputAmount => "UniswapV2Library: INSUFFICIENT_INPUT_AMOUNT",
                    V2Status.InsufficientOutputAmount => "UniswapV2Library: INSUFFICIENT_OUTPUT_AMOUNT",
                    V2Status.InsufficientLiquidity => "UniswapV2Library: INSUFFICIENT_LIQUIDITY",
                    _ => "arithmetic overflow",
                });
            }

            return Json(writer => writer.WriteString(hasIn ? "amountOut" : "amountIn", result.ToString()));
        }

        // ------------------------------------------------------------ field readers

        private static JsonElement Field(JsonElement root, string name) =>
            root.TryGetProperty(name, out JsonElement value) ? value : throw new BadLineException(name + ": missing");

        private static string Text(JsonElement root, string name)
        {
            JsonElement value = Field(root, name);
            return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new BadLineException(name + ": must be a string");
        }

        /// <summary>An unsigned integer string (decimal, or 0x hex) no larger than <paramref name="max"/>.</summary>
        private static UInt256 Unsigned(JsonElement root, string name, UInt256 max)
        {
            if (!UInt256.TryParse(Text(root, name), out UInt256 value))
            {
                throw new BadLineException(name + ": must be an unsigned integer string (decimal or 0x hex) below 2^256");
            }

            if (value > max)
            {
                throw new BadLineException($"{name}: above its type's maximum ({max})");
            }

            return value;
        }

        private static Int256 Signed(JsonElement root, string name) =>
            Int256.TryParse(Text(root, name), out Int256 value)
                ? value
                : throw new BadLineException(name + ": must be a decimal int256 string");

        private static int Integer(JsonElement root, string name, int min, int max)
        {
            JsonElement value = Field(root, name);
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n))
            {
                throw new BadLineException(name + ": must be an integer");
            }

            return n >= min && n <= max ? n : throw new BadLineException($"{name}: must be in [{min}, {max}]");
        }

        private static bool Boolean(JsonElement root, string name) => Field(root, name).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new BadLineException(name + ": must be true or false"),
        };

        /// <summary>A property name fit to print (a pasted key as a name is redacted).</summary>
        private static string Name(string name) => SecretRedaction.Redact(name.Length > 40 ? name[..40] + "…" : name);

        private static string Error(string message) => Json(writer => writer.WriteString("error", message));

        private static string Json(Action<Utf8JsonWriter> write)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}
