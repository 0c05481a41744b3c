using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.HotPath.Tests.Amm;

/// <summary>
/// Proof (b): v3-core's own swap test snapshot (10 pools × 16 cases, with their set-up transcribed from the test
/// source): every case is rebuilt from the set-up (a fresh pool, initialize, mint every position) and run through our
/// pool; the mint amounts, the swap deltas, the fee growth, the ticks and prices before and after, the execution price
/// and the 'SPL' reverts must all be the snapshot's.
/// </summary>
public sealed partial class V3CoreSwapSnapshotTests
{
    private static readonly string s_snapshot = SharedData.File("onchain", "uniswap_v3_math", "v3-core__UniswapV3Pool.swaps.spec.ts.snap__10_pools.snap");
    private static readonly string s_setup = SharedData.File("onchain", "uniswap_v3_math", "v3-core__UniswapV3Pool.swaps_test_setup__10_pools.json");

    private static readonly BigInteger s_e18 = BigInteger.Pow(10, 18);

    [Fact]
    public void Every_case_of_the_snapshot_reproduces()
    {
        Dictionary<string, string> snapshot = JestSnapshot.ReadEntries(s_snapshot);
        using JsonDocument setup = JsonDocument.Parse(File.ReadAllText(s_setup));
        JsonElement pools = setup.RootElement.GetProperty("TEST_POOLS");
        JsonElement cases = setup.RootElement.GetProperty("DEFAULT_POOL_SWAP_TESTS");
        var used = new HashSet<string>(StringComparer.Ordinal);
        int successes = 0, reverts = 0;
        foreach (JsonElement poolSetup in pools.EnumerateArray())
        {
            foreach (JsonElement swapCase in cases.EnumerateArray())
            {
                string key = "UniswapV3Pool swap tests " + poolSetup.GetProperty("description").GetString() + " " + Describe(swapCase) + " 1";
                Assert.True(snapshot.TryGetValue(key, out string? value), "no snapshot entry " + key);
                Assert.True(used.Add(key));
                Dictionary<string, string> expected = JestSnapshot.Fields(value);
                if (Check(poolSetup, swapCase, expected, key))
                {
                    successes++;
                }
                else
                {
                    reverts++;
                }
            }
        }

        Assert.Equal(snapshot.Count, used.Count);
        Assert.Equal(160, successes + reverts);
        Assert.True(reverts > 0 && successes > 100, $"{successes} successes, {reverts} reverts");
    }

    /// <summary>Runs one case; true for a swap that succeeds, false for an expected revert.</summary>
    private static bool Check(JsonElement poolSetup, JsonElement swapCase, Dictionary<string, string> expected, string key)
    {
        uint fee = (uint)Eval(poolSetup.GetProperty("feeAmount").GetString()!);
        int spacing = (int)Eval(poolSetup.GetProperty("tickSpacing").GetString()!);
        var pool = new V3Pool(fee, spacing);
        Assert.Equal(V3Status.Ok, pool.Initialize((UInt256)Eval(poolSetup.GetProperty("startingPrice").GetString()!)));
        BigInteger balance0 = 0, balance1 = 0;
        foreach (JsonElement position in poolSetup.GetProperty("positions").EnumerateArray())
        {
            int lower = (int)Eval(position.GetProperty("tickLower").GetString()!);
            int upper = (int)Eval(position.GetProperty("tickUpper").GetString()!);
            var liquidity = (UInt128)Eval(position.GetProperty("liquidity").GetString()!);
            Assert.Equal(V3Status.Ok, pool.Mint(lower, upper, liquidity, out UInt256 owed0, out UInt256 owed1));
            balance0 += owed0.ToBigInteger();
            balance1 += owed1.ToBigInteger();
        }

        V3PoolState before = pool.State;
        bool zeroForOne = swapCase.GetProperty("zeroForOne").GetBoolean();
        UInt256 limit = swapCase.TryGetProperty("sqrtPriceLimit", out JsonElement l) ? (UInt256)Eval(l.GetString()!) : V3Pool.DefaultPriceLimit(zeroForOne);
        Int256 amount;
        if (!swapCase.TryGetProperty("exactOut", out JsonElement exactOut))
        {
            amount = Int256.MaxValue;
        }
        else
        {
            bool exactIn = !exactOut.GetBoolean();
            string field = exactIn == zeroForOne ? "amount0" : "amount1";
            BigInteger size = EvalJson(swapCase.GetProperty(field));
            Assert.True(Int256.TryFromBigInteger(exactIn ? size : -size, out amount));
        }

        V3Status status = pool.Swap(zeroForOne, amount, limit, out V3SwapResult result);
        if (expected.TryGetValue("swapError", out string? error))
        {
            Assert.EndsWith("revert " + V3StatusText.RevertReason(status), error, StringComparison.Ordinal);
            Assert.Equal(expected["poolBalance0"], balance0.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected["poolBalance1"], balance1.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(JestSnapshot.Int(expected["tickBefore"]), before.Tick);
            Assert.Equal(expected["poolPriceBefore"], FormatPrice(before.SqrtPriceX96));
            Assert.Equal(before.SqrtPriceX96, pool.State.SqrtPriceX96);
            return false;
        }

        Assert.True(status == V3Status.Ok, key + ": " + status);
        Assert.Equal(expected["amount0Before"], balance0.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected["amount1Before"], balance1.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected["amount0Delta"], result.Amount0.ToString());
        Assert.Equal(expected["amount1Delta"], result.Amount1.ToString());
        Assert.Equal(expected["feeGrowthGlobal0X128Delta"], pool.State.FeeGrowthGlobal0X128.ToString());
        Assert.Equal(expected["feeGrowthGlobal1X128Delta"], pool.State.FeeGrowthGlobal1X128.ToString());
        Assert.Equal(JestSnapshot.Int(expected["tickBefore"]), before.Tick);
        Assert.Equal(JestSnapshot.Int(expected["tickAfter"]), pool.State.Tick);
        Assert.Equal(expected["poolPriceBefore"], FormatPrice(before.SqrtPriceX96));
        Assert.Equal(expected["poolPriceAfter"], FormatPrice(pool.State.SqrtPriceX96));
        Assert.Equal(expected["executionPrice"], ExecutionPrice(result.Amount0.ToBigInteger(), result.Amount1.ToBigInteger()));
        return true;
    }

    // ------------------------------------------------------------ the test source's helpers

    [GeneratedRegex(@"^encodePriceSqrt\((?<a>.+), (?<b>.+)\)$")]
    private static partial Regex EncodePriceSqrt();

    [GeneratedRegex(@"^(?<fn>getMinTick|getMaxTick|getMaxLiquidityPerTick|expandTo18Decimals|TICK_SPACINGS)[\(\[](?<arg>.+)[\)\]]$")]
    private static partial Regex Call();

    [GeneratedRegex(@"^BigNumber\.from\((?<base>[0-9]+)\)\.pow\((?<exp>[0-9]+)\)$")]
    private static partial Regex Power();

    [GeneratedRegex(@"^(?<n>-?[0-9]+) \* (?<rest>.+)$")]
    private static partial Regex Product();

    private static BigInteger EvalJson(JsonElement e) => e.ValueKind == JsonValueKind.Number ? new BigInteger(e.GetInt64()) : Eval(e.GetString()!);

    /// <summary>Evaluates the few TypeScript expressions the set-up file keeps verbatim; anything else fails the test.</summary>
    private static BigInteger Eval(string expression)
    {
        string e = expression.Trim();
        switch (e)
        {
            case "FeeAmount.LOW":
                return 500;
            case "FeeAmount.MEDIUM":
                return 3000;
            case "FeeAmount.HIGH":
                return 10000;
            case "MAX_SQRT_RATIO.sub(1)":
                return BigInteger.Parse("1461446703485210103287273052203988822378723970342", CultureInfo.InvariantCulture) - 1;
        }

        if (BigInteger.TryParse(e, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger literal))
        {
            return literal;
        }

        if (e.StartsWith('-'))
        {
            return -Eval(e[1..]);
        }

        if (Product().Match(e) is { Success: true } product)
        {
            return BigInteger.Parse(product.Groups["n"].Value, CultureInfo.InvariantCulture) * Eval(product.Groups["rest"].Value);
        }

        if (Power().Match(e) is { Success: true } power)
        {
            return BigInteger.Pow(BigInteger.Parse(power.Groups["base"].Value, CultureInfo.InvariantCulture), int.Parse(power.Groups["exp"].Value, CultureInfo.InvariantCulture));
        }

        if (EncodePriceSqrt().Match(e) is { Success: true } price)
        {
            return EncodePriceSqrtOf(Eval(price.Groups["a"].Value), Eval(price.Groups["b"].Value));
        }

        if (Call().Match(e) is { Success: true } call)
        {
            BigInteger arg = Eval(call.Groups["arg"].Value);
            int spacing = (int)arg;
            return call.Groups["fn"].Value switch
            {
                "TICK_SPACINGS" => arg == 500 ? 10 : arg == 3000 ? 60 : arg == 10000 ? 200 : throw new InvalidDataException(e),
                "getMinTick" => (int)Math.Ceiling(-887272.0 / spacing) * spacing,
                "getMaxTick" => (int)Math.Floor(887272.0 / spacing) * spacing,
                "getMaxLiquidityPerTick" => ((BigInteger.One << 128) - 1) / (((int)Math.Floor(887272.0 / spacing) * spacing - ((int)Math.Ceiling(-887272.0 / spacing) * spacing)) / spacing + 1),
                "expandTo18Decimals" => arg * s_e18,
                _ => throw new InvalidDataException(e),
            };
        }

        throw new InvalidDataException("set-up expression not understood: " + expression);
    }

    /// <summary>
    /// encodePriceSqrt(reserve1, reserve0) as the test computes it with bignumber.js (DECIMAL_PLACES 40, ROUND_HALF_UP):
    /// the quotient and its square root each rounded to 40 decimals, times 2^96, floored.
    /// </summary>
    private static BigInteger EncodePriceSqrtOf(BigInteger reserve1, BigInteger reserve0)
    {
        BigInteger scale = BigInteger.Pow(10, 40);
        BigInteger quotient = RoundHalfUp(reserve1 * scale, reserve0);
        BigInteger n = quotient * scale;
        BigInteger root = ISqrt(n);
        if (n - (root * root) > root)
        {
            root++;
        }

        return root * (BigInteger.One << 96) / scale;
    }

    private static BigInteger RoundHalfUp(BigInteger numerator, BigInteger denominator) => ((2 * numerator) + denominator) / (2 * denominator);

    private static BigInteger ISqrt(BigInteger n)
    {
        if (n.IsZero)
        {
            return 0;
        }

        BigInteger x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            BigInteger y = (x + (n / x)) / 2;
            if (y >= x)
            {
                return x;
            }

            x = y;
        }
    }

    private static string Describe(JsonElement swapCase)
    {
        bool zeroForOne = swapCase.GetProperty("zeroForOne").GetBoolean();
        string text;
        if (!swapCase.TryGetProperty("exactOut", out JsonElement exactOut))
        {
            text = zeroForOne ? "swap token0 for token1" : "swap token1 for token0";
        }
        else if (exactOut.GetBoolean())
        {
            text = zeroForOne
                ? $"swap token0 for exactly {FormatTokenAmount(EvalJson(swapCase.GetProperty("amount1")))} token1"
                : $"swap token1 for exactly {FormatTokenAmount(EvalJson(swapCase.GetProperty("amount0")))} token0";
        }
        else
        {
            text = zeroForOne
                ? $"swap exactly {FormatTokenAmount(EvalJson(swapCase.GetProperty("amount0")))} token0 for token1"
                : $"swap exactly {FormatTokenAmount(EvalJson(swapCase.GetProperty("amount1")))} token1 for token0";
        }

        if (swapCase.TryGetProperty("sqrtPriceLimit", out JsonElement limit))
        {
            text += " to price " + FormatPrice((UInt256)Eval(limit.GetString()!));
        }

        return text;
    }

    private static string FormatTokenAmount(BigInteger amount) => ToPrecision5(amount, s_e18);

    /// <summary>formatPrice: (sqrtPriceX96 / 2^96)^2 to 5 significant digits.</summary>
    private static string FormatPrice(UInt256 sqrtPriceX96)
    {
        BigInteger p = sqrtPriceX96.ToBigInteger();
        return ToPrecision5(p * p, BigInteger.One << 192);
    }

    private static string ExecutionPrice(BigInteger amount0, BigInteger amount1)
    {
        if (amount0.IsZero)
        {
            return amount1.IsZero ? "NaN" : amount1 > 0 ? "-Infinity" : "Infinity";
        }

        BigInteger num = -amount1, den = amount0;
        if (den < 0)
        {
            (num, den) = (-num, -den);
        }

        return ToPrecision5(num, den);
    }

    /// <summary>
    /// decimal.js toPrecision(5) of num/den (ROUND_HALF_UP): exponential notation when the integer part needs more
    /// than five digits, plain otherwise (the tests configure toExpNeg far out).
    /// </summary>
    private static string ToPrecision5(BigInteger num, BigInteger den)
    {
        bool negative = num.Sign < 0;
        num = BigInteger.Abs(num);
        if (num.IsZero)
        {
            return "0.0000";
        }

        // Exponent e with 10^e <= num/den < 10^(e+1).
        int e = (int)Math.Floor(BigInteger.Log10(num) - BigInteger.Log10(den));
        while (Compare(num, den, e) < 0)
        {
            e--;
        }

        while (Compare(num, den, e + 1) >= 0)
        {
            e++;
        }

        // Mantissa: round(num/den / 10^(e-4)) half up, five digits (six when it rounds up to 10^5).
        BigInteger scaledNum = e - 4 >= 0 ? num : num * BigInteger.Pow(10, 4 - e);
        BigInteger scaledDen = e - 4 >= 0 ? den * BigInteger.Pow(10, e - 4) : den;
        BigInteger mantissa = RoundHalfUp(scaledNum, scaledDen);
        if (mantissa >= 100_000)
        {
            mantissa /= 10;
            e++;
        }

        string digits = mantissa.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder(negative ? "-" : string.Empty);
        if (e >= 5)
        {
            text.Append(digits[0]).Append('.').Append(digits[1..]).Append("e+").Append(e.ToString(CultureInfo.InvariantCulture));
        }
        else if (e >= 0)
        {
            text.Append(digits[..(e + 1)]);
            if (e < 4)
            {
                text.Append('.').Append(digits[(e + 1)..]);
            }
        }
        else
        {
            text.Append("0.").Append('0', -e - 1).Append(digits);
        }

        return text.ToString();
    }

    /// <summary>Sign of num/den − 10^e.</summary>
    private static int Compare(BigInteger num, BigInteger den, int e) =>
        e >= 0 ? num.CompareTo(den * BigInteger.Pow(10, e)) : (num * BigInteger.Pow(10, -e)).CompareTo(den);
}
