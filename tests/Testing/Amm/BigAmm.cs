using System.Numerics;

namespace LowLatency.Testing.Amm;

/// <summary>A contract revert in the BigInteger reference (the message is the contract's, or a short name).</summary>
public sealed class EvmRevertException : Exception
{
    public EvmRevertException()
    {
    }

    public EvmRevertException(string reason)
        : base(reason)
    {
    }

    public EvmRevertException(string reason, Exception inner)
        : base(reason, inner)
    {
    }
}

/// <summary>
/// A second, independent implementation of the Uniswap maths on <see cref="BigInteger"/>, written from the Solidity
/// with the EVM's word semantics spelled out (uint256 wraps mod 2^256, int256 wraps in two's complement, and every
/// require throws <see cref="EvmRevertException"/>). It is the oracle of the property tests and the same-run baseline
/// of the AMM benchmarks. It shares no code with src/HotPath/Amm.
/// </summary>
public static class BigEvm
{
    public static readonly BigInteger Two256 = BigInteger.One << 256;
    public static readonly BigInteger MaxUInt256 = Two256 - 1;
    public static readonly BigInteger Two255 = BigInteger.One << 255;
    public static readonly BigInteger MaxUInt160 = (BigInteger.One << 160) - 1;
    public static readonly BigInteger MaxUInt128 = (BigInteger.One << 128) - 1;
    public static readonly BigInteger MaxInt128 = (BigInteger.One << 127) - 1;
    public static readonly BigInteger MinInt128 = -(BigInteger.One << 127);
    public static readonly BigInteger Q96 = BigInteger.One << 96;
    public static readonly BigInteger Q128 = BigInteger.One << 128;

    /// <summary>Wraps to uint256.</summary>
    public static BigInteger U256(BigInteger x)
    {
        x %= Two256;
        return x.Sign < 0 ? x + Two256 : x;
    }

    /// <summary>Wraps to int256.</summary>
    public static BigInteger I256(BigInteger x)
    {
        x = U256(x);
        return x >= Two255 ? x - Two256 : x;
    }

    public static void Require(bool condition, string reason = "require")
    {
        if (!condition)
        {
            throw new EvmRevertException(reason);
        }
    }

    public static BigInteger MulDiv(BigInteger a, BigInteger b, BigInteger d)
    {
        Require(d.Sign > 0, "mulDiv denominator");
        BigInteger r = a * b / d;
        Require(r <= MaxUInt256, "mulDiv overflow");
        return r;
    }

    public static BigInteger MulDivRoundingUp(BigInteger a, BigInteger b, BigInteger d)
    {
        BigInteger r = MulDiv(a, b, d);
        if (a * b % d != 0)
        {
            Require(r < MaxUInt256, "mulDivRoundingUp overflow");
            r++;
        }

        return r;
    }

    /// <summary>UnsafeMath.divRoundingUp with the EVM's DIV/MOD by zero giving zero.</summary>
    public static BigInteger DivRoundingUp(BigInteger x, BigInteger y) =>
        y.IsZero ? BigInteger.Zero : x / y + (x % y > 0 ? 1 : 0);

    public static BigInteger Div(BigInteger x, BigInteger y) => y.IsZero ? BigInteger.Zero : x / y;

    public static BigInteger ToInt256(BigInteger y)
    {
        Require(y < Two255, "toInt256");
        return y;
    }

    public static BigInteger ToUInt160(BigInteger y)
    {
        Require(y <= MaxUInt160, "toUint160");
        return y;
    }
}

/// <summary>TickMath, SqrtPriceMath and SwapMath on BigInteger.</summary>
public static class BigV3Math
{
    public const int MinTick = -887272;
    public const int MaxTick = 887272;
    public static readonly BigInteger MinSqrtRatio = 4295128739;
    public static readonly BigInteger MaxSqrtRatio = BigInteger.Parse("1461446703485210103287273052203988822378723970342", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly BigInteger[] s_factors =
    [
        Hex("fffcb933bd6fad37aa2d162d1a594001"), Hex("fff97272373d413259a46990580e213a"), Hex("fff2e50f5f656932ef12357cf3c7fdcc"),
        Hex("ffe5caca7e10e4e61c3624eaa0941cd0"), Hex("ffcb9843d60f6159c9db58835c926644"), Hex("ff973b41fa98c081472e6896dfb254c0"),
        Hex("ff2ea16466c96a3843ec78b326b52861"), Hex("fe5dee046a99a2a811c461f1969c3053"), Hex("fcbe86c7900a88aedcffc83b479aa3a4"),
        Hex("f987a7253ac413176f2b074cf7815e54"), Hex("f3392b0822b70005940c7a398e4b70f3"), Hex("e7159475a2c29b7443b29c7fa6e889d9"),
        Hex("d097f3bdfd2022b8845ad8f792aa5825"), Hex("a9f746462d870fdf8a65dc1f90e061e5"), Hex("70d869a156d2a1b890bb3df62baf32f7"),
        Hex("31be135f97d08fd981231505542fcfa6"), Hex("9aa508b5b7a84e1c677de54f3e99bc9"), Hex("5d6af8dedb81196699c329225ee604"),
        Hex("2216e584f5fa1ea926041bedfe98"), Hex("48a170391f7dc42444e8fa2"),
    ];

    private static BigInteger Hex(string digits) => BigInteger.Parse("0" + digits, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    public static BigInteger GetSqrtRatioAtTick(int tick)
    {
        BigInteger absTick = BigInteger.Abs(tick);
        BigEvm.Require(absTick <= MaxTick, "T");
        int abs = (int)absTick;
        BigInteger ratio = (abs & 1) != 0 ? s_factors[0] : BigInteger.One << 128;
        for (int i = 1; i < 20; i++)
        {
            if ((abs & (1 << i)) != 0)
            {
                ratio = (ratio * s_factors[i]) >> 128;
            }
        }

        if (tick > 0)
        {
            ratio = BigEvm.MaxUInt256 / ratio;
        }

        return (ratio >> 32) + ((ratio % (BigInteger.One << 32)).IsZero ? 0 : 1);
    }

    public static int GetTickAtSqrtRatio(BigInteger sqrtPriceX96)
    {
        BigEvm.Require(sqrtPriceX96 >= MinSqrtRatio && sqrtPriceX96 < MaxSqrtRatio, "R");
        BigInteger ratio = sqrtPriceX96 << 32;
        int msb = (int)(ratio.GetBitLength() - 1);
        BigInteger r = msb >= 128 ? ratio >> (msb - 127) : ratio << (127 - msb);
        BigInteger log2 = (BigInteger)(msb - 128) << 64;
        for (int bit = 63; bit >= 50; bit--)
        {
            r = (r * r) >> 127;
            int f = (int)(r >> 128);
            log2 |= (BigInteger)f << bit;
            r >>= f;
        }

        BigInteger logSqrt10001 = log2 * BigInteger.Parse("255738958999603826347141", System.Globalization.CultureInfo.InvariantCulture);

        // BigInteger's >> floors, as the EVM's SAR does.
        int tickLow = (int)((logSqrt10001 - BigInteger.Parse("3402992956809132418596140100660247210", System.Globalization.CultureInfo.InvariantCulture)) >> 128);
        int tickHigh = (int)((logSqrt10001 + BigInteger.Parse("291339464771989622907027621153398088495", System.Globalization.CultureInfo.InvariantCulture)) >> 128);
        return tickLow == tickHigh ? tickLow : GetSqrtRatioAtTick(tickHigh) <= sqrtPriceX96 ? tickHigh : tickLow;
    }

    public static BigInteger GetNextSqrtPriceFromAmount0RoundingUp(BigInteger sqrtP, BigInteger liquidity, BigInteger amount, bool add)
    {
        if (amount.IsZero)
        {
            return sqrtP;
        }

        BigInteger numerator1 = liquidity << 96;
        BigInteger product = amount * sqrtP;
        if (add)
        {
            if (product <= BigEvm.MaxUInt256 && numerator1 + product <= BigEvm.MaxUInt256)
            {
                return BigEvm.MulDivRoundingUp(numerator1, sqrtP, numerator1 + product) & BigEvm.MaxUInt160;
            }

            BigInteger divisor = numerator1 / sqrtP + amount;
            BigEvm.Require(divisor <= BigEvm.MaxUInt256, "add");
            return BigEvm.DivRoundingUp(numerator1, divisor) & BigEvm.MaxUInt160;
        }

        BigEvm.Require(product <= BigEvm.MaxUInt256 && numerator1 > product, "amount0 remove");
        return BigEvm.ToUInt160(BigEvm.MulDivRoundingUp(numerator1, sqrtP, numerator1 - product));
    }

    public static BigInteger GetNextSqrtPriceFromAmount1RoundingDown(BigInteger sqrtP, BigInteger liquidity, BigInteger amount, bool add)
    {
        if (add)
        {
            BigInteger quotient = amount <= BigEvm.MaxUInt160 ? BigEvm.Div(amount << 96, liquidity) : BigEvm.MulDiv(amount, BigEvm.Q96, liquidity);
            BigInteger sum = sqrtP + quotient;
            BigEvm.Require(sum <= BigEvm.MaxUInt256, "add");
            return BigEvm.ToUInt160(sum);
        }

        BigInteger q = amount <= BigEvm.MaxUInt160 ? BigEvm.DivRoundingUp(amount << 96, liquidity) : BigEvm.MulDivRoundingUp(amount, BigEvm.Q96, liquidity);
        BigEvm.Require(sqrtP > q, "amount1 remove");
        return sqrtP - q;
    }

    public static BigInteger GetNextSqrtPriceFromInput(BigInteger sqrtP, BigInteger liquidity, BigInteger amountIn, bool zeroForOne)
    {
        BigEvm.Require(sqrtP > 0 && liquidity > 0, "input");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount0RoundingUp(sqrtP, liquidity, amountIn, true)
            : GetNextSqrtPriceFromAmount1RoundingDown(sqrtP, liquidity, amountIn, true);
    }

    public static BigInteger GetNextSqrtPriceFromOutput(BigInteger sqrtP, BigInteger liquidity, BigInteger amountOut, bool zeroForOne)
    {
        BigEvm.Require(sqrtP > 0 && liquidity > 0, "output");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount1RoundingDown(sqrtP, liquidity, amountOut, false)
            : GetNextSqrtPriceFromAmount0RoundingUp(sqrtP, liquidity, amountOut, false);
    }

    public static BigInteger GetAmount0Delta(BigInteger a, BigInteger b, BigInteger liquidity, bool roundUp)
    {
        if (a > b)
        {
            (a, b) = (b, a);
        }

        BigInteger numerator1 = liquidity << 96;
        BigInteger numerator2 = b - a;
        BigEvm.Require(a > 0, "amount0 a");
        return roundUp
            ? BigEvm.DivRoundingUp(BigEvm.MulDivRoundingUp(numerator1, numerator2, b), a)
            : BigEvm.MulDiv(numerator1, numerator2, b) / a;
    }

    public static BigInteger GetAmount1Delta(BigInteger a, BigInteger b, BigInteger liquidity, bool roundUp)
    {
        if (a > b)
        {
            (a, b) = (b, a);
        }

        return roundUp ? BigEvm.MulDivRoundingUp(liquidity, b - a, BigEvm.Q96) : BigEvm.MulDiv(liquidity, b - a, BigEvm.Q96);
    }

    public static BigInteger GetAmount0Delta(BigInteger a, BigInteger b, BigInteger signedLiquidity) =>
        signedLiquidity < 0
            ? -BigEvm.ToInt256(GetAmount0Delta(a, b, -signedLiquidity, false))
            : BigEvm.ToInt256(GetAmount0Delta(a, b, signedLiquidity, true));

    public static BigInteger GetAmount1Delta(BigInteger a, BigInteger b, BigInteger signedLiquidity) =>
        signedLiquidity < 0
            ? -BigEvm.ToInt256(GetAmount1Delta(a, b, -signedLiquidity, false))
            : BigEvm.ToInt256(GetAmount1Delta(a, b, signedLiquidity, true));

    /// <summary>computeSwapStep: (sqrtNext, amountIn, amountOut, feeAmount).</summary>
    public static (BigInteger SqrtNext, BigInteger AmountIn, BigInteger AmountOut, BigInteger FeeAmount) ComputeSwapStep(
        BigInteger current, BigInteger target, BigInteger liquidity, BigInteger amountRemaining, int feePips)
    {
        bool zeroForOne = current >= target;
        bool exactIn = amountRemaining >= 0;
        BigInteger amountIn = 0, amountOut = 0, next;
        BigInteger remainingOut = BigEvm.U256(-amountRemaining);
        if (exactIn)
        {
            BigInteger lessFee = BigEvm.MulDiv(amountRemaining, 1_000_000 - feePips, 1_000_000);
            amountIn = zeroForOne ? GetAmount0Delta(target, current, liquidity, true) : GetAmount1Delta(current, target, liquidity, true);
            next = lessFee >= amountIn ? target : GetNextSqrtPriceFromInput(current, liquidity, lessFee, zeroForOne);
        }
        else
        {
            amountOut = zeroForOne ? GetAmount1Delta(target, current, liquidity, false) : GetAmount0Delta(current, target, liquidity, false);
            next = remainingOut >= amountOut ? target : GetNextSqrtPriceFromOutput(current, liquidity, remainingOut, zeroForOne);
        }

        bool max = target == next;
        if (zeroForOne)
        {
            amountIn = max && exactIn ? amountIn : GetAmount0Delta(next, current, liquidity, true);
            amountOut = max && !exactIn ? amountOut : GetAmount1Delta(next, current, liquidity, false);
        }
        else
        {
            amountIn = max && exactIn ? amountIn : GetAmount1Delta(current, next, liquidity, true);
            amountOut = max && !exactIn ? amountOut : GetAmount0Delta(current, next, liquidity, false);
        }

        if (!exactIn && amountOut > remainingOut)
        {
            amountOut = remainingOut;
        }

        BigInteger fee = exactIn && next != target
            ? amountRemaining - amountIn
            : BigEvm.MulDivRoundingUp(amountIn, feePips, 1_000_000 - feePips);
        return (next, amountIn, amountOut, fee);
    }
}

/// <summary>The result of <see cref="BigV3Pool.Swap"/>.</summary>
public readonly record struct BigSwapResult(BigInteger Amount0, BigInteger Amount1, BigInteger SqrtPriceX96, int Tick, BigInteger Liquidity, BigInteger FeeGrowthGlobalX128, BigInteger ProtocolFee, int TicksCrossed);

/// <summary>A V3 pool on BigInteger: ticks in a sorted dictionary, the next-tick search over the tick set (not a bitmap).</summary>
public sealed class BigV3Pool
{
    public BigV3Pool(int fee, int tickSpacing)
    {
        Fee = fee;
        TickSpacing = tickSpacing;
        int minTick = BigV3Math.MinTick / tickSpacing * tickSpacing;
        int maxTick = BigV3Math.MaxTick / tickSpacing * tickSpacing;
        MaxLiquidityPerTick = BigEvm.MaxUInt128 / ((maxTick - minTick) / tickSpacing + 1);
    }

    public int Fee { get; }

    public int TickSpacing { get; }

    public BigInteger MaxLiquidityPerTick { get; }

    public BigInteger SqrtPriceX96 { get; set; }

    public int Tick { get; set; }

    public BigInteger Liquidity { get; set; }

    public BigInteger FeeGrowthGlobal0X128 { get; set; }

    public BigInteger FeeGrowthGlobal1X128 { get; set; }

    public int FeeProtocol { get; set; }

    /// <summary>Initialized ticks: (gross, net).</summary>
    public SortedDictionary<int, (BigInteger Gross, BigInteger Net)> Ticks { get; } = [];

    public void Initialize(BigInteger sqrtPriceX96)
    {
        BigEvm.Require(SqrtPriceX96.IsZero, "already initialized");
        Tick = BigV3Math.GetTickAtSqrtRatio(sqrtPriceX96);
        SqrtPriceX96 = sqrtPriceX96;
    }

    /// <summary>_modifyPosition: returns (amount0, amount1) owed to the pool; commits only when nothing reverts.</summary>
    public (BigInteger Amount0, BigInteger Amount1) ModifyPosition(int lower, int upper, BigInteger delta)
    {
        BigEvm.Require(lower < upper, "TLU");
        BigEvm.Require(lower >= BigV3Math.MinTick, "TLM");
        BigEvm.Require(upper <= BigV3Math.MaxTick, "TUM");
        BigEvm.Require(!SqrtPriceX96.IsZero, "LOK");
        var updates = new List<(int Tick, BigInteger Gross, BigInteger Net)>();
        if (!delta.IsZero)
        {
            foreach ((int t, bool isUpper) in new[] { (lower, false), (upper, true) })
            {
                (BigInteger gross, BigInteger net) = Ticks.TryGetValue(t, out var info) ? info : (0, 0);
                BigInteger grossAfter = AddDelta(gross, delta);
                BigEvm.Require(grossAfter <= MaxLiquidityPerTick, "LO");
                if ((grossAfter == 0) != (gross == 0))
                {
                    BigEvm.Require(t % TickSpacing == 0, "flipTick");
                }

                BigInteger netAfter = isUpper ? net - delta : net + delta;
                BigEvm.Require(netAfter >= BigEvm.MinInt128 && netAfter <= BigEvm.MaxInt128, "toInt128");
                updates.Add((t, grossAfter, netAfter));
            }
        }

        BigInteger a = BigV3Math.GetSqrtRatioAtTick(lower), b = BigV3Math.GetSqrtRatioAtTick(upper);
        BigInteger amount0 = 0, amount1 = 0, liquidity = Liquidity;
        if (!delta.IsZero)
        {
            if (Tick < lower)
            {
                amount0 = BigV3Math.GetAmount0Delta(a, b, delta);
            }
            else if (Tick < upper)
            {
                amount0 = BigV3Math.GetAmount0Delta(SqrtPriceX96, b, delta);
                amount1 = BigV3Math.GetAmount1Delta(a, SqrtPriceX96, delta);
                liquidity = AddDelta(liquidity, delta);
            }
            else
            {
                amount1 = BigV3Math.GetAmount1Delta(a, b, delta);
            }
        }

        foreach ((int t, BigInteger gross, BigInteger net) in updates)
        {
            if (gross.IsZero)
            {
                Ticks.Remove(t);
            }
            else
            {
                Ticks[t] = (gross, net);
            }
        }

        Liquidity = liquidity;
        return (amount0, amount1);
    }

    public static BigInteger AddDelta(BigInteger x, BigInteger y)
    {
        BigInteger z = x + y;
        BigEvm.Require(z >= 0, "LS");
        BigEvm.Require(z <= BigEvm.MaxUInt128, "LA");
        return z;
    }

    /// <summary>UniswapV3Pool.swap; commits the state when <paramref name="commit"/>.</summary>
    public BigSwapResult Swap(bool zeroForOne, BigInteger amountSpecified, BigInteger limit, bool commit = true)
    {
        BigEvm.Require(!amountSpecified.IsZero, "AS");
        BigEvm.Require(!SqrtPriceX96.IsZero, "LOK");
        BigEvm.Require(
            zeroForOne ? limit < SqrtPriceX96 && limit > BigV3Math.MinSqrtRatio : limit > SqrtPriceX96 && limit < BigV3Math.MaxSqrtRatio,
            "SPL");
        int feeProtocol = zeroForOne ? FeeProtocol % 16 : FeeProtocol >> 4;
        bool exactInput = amountSpecified > 0;
        BigInteger remaining = amountSpecified, calculated = 0, price = SqrtPriceX96, liquidity = Liquidity;
        BigInteger feeGrowth = zeroForOne ? FeeGrowthGlobal0X128 : FeeGrowthGlobal1X128, protocolFee = 0;
        int tick = Tick, crossed = 0;
        while (!remaining.IsZero && price != limit)
        {
            BigInteger start = price;
            (int next, bool initialized) = NextInitializedTickWithinOneWord(tick, zeroForOne);
            next = Math.Clamp(next, BigV3Math.MinTick, BigV3Math.MaxTick);
            BigInteger priceNext = BigV3Math.GetSqrtRatioAtTick(next);
            BigInteger target = (zeroForOne ? priceNext < limit : priceNext > limit) ? limit : priceNext;
            (price, BigInteger amountIn, BigInteger amountOut, BigInteger fee) = BigV3Math.ComputeSwapStep(price, target, liquidity, remaining, Fee);
            if (exactInput)
            {
                remaining = BigEvm.I256(remaining - BigEvm.ToInt256(BigEvm.U256(amountIn + fee)));
                calculated = SafeSub(calculated, BigEvm.ToInt256(amountOut));
            }
            else
            {
                remaining = BigEvm.I256(remaining + BigEvm.ToInt256(amountOut));
                calculated = SafeAdd(calculated, BigEvm.ToInt256(BigEvm.U256(amountIn + fee)));
            }

            if (feeProtocol > 0)
            {
                BigInteger delta = fee / feeProtocol;
                fee -= delta;
                protocolFee = (protocolFee + delta) & BigEvm.MaxUInt128;
            }

            if (liquidity > 0)
            {
                feeGrowth = BigEvm.U256(feeGrowth + BigEvm.MulDiv(fee, BigEvm.Q128, liquidity));
            }

            if (price == priceNext)
            {
                if (initialized)
                {
                    BigInteger net = Ticks[next].Net;
                    liquidity = AddDelta(liquidity, zeroForOne ? -net : net);
                    crossed++;
                }

                tick = zeroForOne ? next - 1 : next;
            }
            else if (price != start)
            {
                tick = BigV3Math.GetTickAtSqrtRatio(price);
            }
        }

        BigInteger settled = BigEvm.I256(amountSpecified - remaining);
        var result = new BigSwapResult(
            zeroForOne == exactInput ? settled : calculated,
            zeroForOne == exactInput ? calculated : settled,
            price,
            tick,
            liquidity,
            feeGrowth,
            protocolFee,
            crossed);
        if (commit)
        {
            SqrtPriceX96 = price;
            Tick = tick;
            Liquidity = liquidity;
            if (zeroForOne)
            {
                FeeGrowthGlobal0X128 = feeGrowth;
            }
            else
            {
                FeeGrowthGlobal1X128 = feeGrowth;
            }
        }

        return result;
    }

    private static BigInteger SafeAdd(BigInteger x, BigInteger y)
    {
        BigInteger z = x + y;
        BigEvm.Require(z >= -BigEvm.Two255 && z < BigEvm.Two255, "add");
        return z;
    }

    private static BigInteger SafeSub(BigInteger x, BigInteger y)
    {
        BigInteger z = x - y;
        BigEvm.Require(z >= -BigEvm.Two255 && z < BigEvm.Two255, "sub");
        return z;
    }

    /// <summary>The next initialized tick within the 256-tick word, found by scanning the tick set.</summary>
    private (int Next, bool Initialized) NextInitializedTickWithinOneWord(int tick, bool lte)
    {
        int compressed = (int)Math.Floor(tick / (double)TickSpacing);
        if (lte)
        {
            int wordStart = (int)Math.Floor(compressed / 256.0) * 256;
            int best = int.MinValue;
            foreach (int t in Ticks.Keys)
            {
                int c = t / TickSpacing;
                if (c >= wordStart && c <= compressed && c > best)
                {
                    best = c;
                }
            }

            return best == int.MinValue ? (wordStart * TickSpacing, false) : (best * TickSpacing, true);
        }

        int from = compressed + 1;
        int wordEnd = ((int)Math.Floor(from / 256.0) * 256) + 255;
        int found = int.MaxValue;
        foreach (int t in Ticks.Keys)
        {
            int c = t / TickSpacing;
            if (c >= from && c <= wordEnd && c < found)
            {
                found = c;
            }
        }

        return found == int.MaxValue ? (wordEnd * TickSpacing, false) : (found * TickSpacing, true);
    }
}

/// <summary>UniswapV2Library's quotes on BigInteger with the fee in basis points (the library's 997/1000 at 30).</summary>
public static class BigV2Math
{
    public static BigInteger GetAmountOut(BigInteger amountIn, BigInteger reserveIn, BigInteger reserveOut, int feeBps)
    {
        BigEvm.Require(amountIn > 0, "INSUFFICIENT_INPUT_AMOUNT");
        BigEvm.Require(reserveIn > 0 && reserveOut > 0, "INSUFFICIENT_LIQUIDITY");
        BigInteger withFee = amountIn * (10_000 - feeBps);
        return withFee * reserveOut / (reserveIn * 10_000 + withFee);
    }

    public static BigInteger GetAmountIn(BigInteger amountOut, BigInteger reserveIn, BigInteger reserveOut, int feeBps)
    {
        BigEvm.Require(amountOut > 0, "INSUFFICIENT_OUTPUT_AMOUNT");
        BigEvm.Require(reserveIn > 0 && reserveOut > 0, "INSUFFICIENT_LIQUIDITY");
        BigEvm.Require(amountOut < reserveOut, "ds-math-sub-underflow");
        return reserveIn * amountOut * 10_000 / ((reserveOut - amountOut) * (10_000 - feeBps)) + 1;
    }
}
