using System.Numerics;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing.Amm;

namespace LowLatency.HotPath.Tests.Amm;

/// <summary>
/// Proof (d): our 256-bit maths against the independent BigInteger implementation (tests/Testing/Amm), on random
/// inputs biased to the edges, outcome for outcome (a revert there is a non-Ok status here, and nothing else).
/// </summary>
public sealed class AmmPropertyTests
{
    private static readonly int[] s_fees = [100, 500, 3000, 10000, 0, 999_999];
    private static readonly int[] s_spacings = [1, 10, 60, 200];

    private static BigInteger B(UInt256 v) => v.ToBigInteger();

    private static BigInteger RandomBits(Random rng, int maxBits)
    {
        int bits = rng.Next(0, maxBits + 1);
        var bytes = new byte[(maxBits / 8) + 2];
        rng.NextBytes(bytes);
        bytes[^1] = 0;
        BigInteger v = new BigInteger(bytes, isUnsigned: true) & ((BigInteger.One << bits) - 1);
        return rng.Next(10) switch
        {
            0 => BigInteger.Zero,
            1 => (BigInteger.One << maxBits) - 1,
            2 => rng.Next(1, 1000),
            _ => v,
        };
    }

    private static BigInteger RandomPrice(Random rng) =>
        BigInteger.Max(BigV3Math.MinSqrtRatio, BigInteger.Min(BigV3Math.MaxSqrtRatio - 1, RandomBits(rng, 160)));

    /// <summary>Runs the reference; null when it reverts.</summary>
    private static T? Reference<T>(Func<T> f)
        where T : struct
    {
        try
        {
            return f();
        }
        catch (EvmRevertException)
        {
            return null;
        }
    }

    [Fact]
    public void SqrtPriceMath_and_SwapMath_match_the_reference()
    {
        var rng = new Random(96);
        int reverted = 0, succeeded = 0;
        for (int i = 0; i < 8000; i++)
        {
            BigInteger price = rng.Next(4) == 0 ? RandomBits(rng, 160) : RandomPrice(rng);
            BigInteger target = RandomPrice(rng);
            BigInteger liquidity = RandomBits(rng, 128);
            BigInteger amount = RandomBits(rng, rng.Next(2) == 0 ? 256 : 100);
            bool flag = rng.Next(2) == 0;
            UInt256 p = (UInt256)price, t = (UInt256)target, a = (UInt256)amount;
            var l = (UInt128)liquidity;

            BigInteger? next0 = Reference(() => BigV3Math.GetNextSqrtPriceFromInput(price, liquidity, amount, flag));
            bool ok = SqrtPriceMath.TryGetNextSqrtPriceFromInput(p, l, a, flag, out UInt256 n0);
            Assert.Equal(next0.HasValue, ok);
            if (ok)
            {
                Assert.Equal(next0!.Value, B(n0));
            }

            BigInteger? next1 = Reference(() => BigV3Math.GetNextSqrtPriceFromOutput(price, liquidity, amount, flag));
            ok = SqrtPriceMath.TryGetNextSqrtPriceFromOutput(p, l, a, flag, out UInt256 n1);
            Assert.Equal(next1.HasValue, ok);
            if (ok)
            {
                Assert.Equal(next1!.Value, B(n1));
            }

            BigInteger? d0 = Reference(() => BigV3Math.GetAmount0Delta(price, target, liquidity, flag));
            ok = SqrtPriceMath.TryGetAmount0Delta(p, t, l, flag, out UInt256 a0);
            Assert.Equal(d0.HasValue, ok);
            if (ok)
            {
                Assert.Equal(d0!.Value, B(a0));
            }

            BigInteger? d1 = Reference(() => BigV3Math.GetAmount1Delta(price, target, liquidity, flag));
            ok = SqrtPriceMath.TryGetAmount1Delta(p, t, l, flag, out UInt256 a1);
            Assert.Equal(d1.HasValue, ok);
            if (ok)
            {
                Assert.Equal(d1!.Value, B(a1));
            }

            // A signed amount remaining: exact in or exact out, the edges of int256 included.
            BigInteger remaining = rng.Next(20) == 0 ? (rng.Next(2) == 0 ? -BigEvm.Two255 : BigEvm.Two255 - 1) : (rng.Next(2) == 0 ? amount : -amount);
            remaining = BigEvm.I256(remaining);
            int fee = s_fees[rng.Next(s_fees.Length)];
            var step = Reference(() => BigV3Math.ComputeSwapStep(price, target, liquidity, remaining, fee));
            Assert.True(Int256.TryFromBigInteger(remaining, out Int256 r));
            ok = SwapMath.TryComputeSwapStep(p, t, l, r, (uint)fee, out SwapStep s);
            Assert.Equal(step.HasValue, ok);
            if (ok)
            {
                succeeded++;
                Assert.Equal(step!.Value.SqrtNext, B(s.SqrtRatioNextX96));
                Assert.Equal(step.Value.AmountIn, B(s.AmountIn));
                Assert.Equal(step.Value.AmountOut, B(s.AmountOut));
                Assert.Equal(step.Value.FeeAmount, B(s.FeeAmount));
            }
            else
            {
                reverted++;
            }
        }

        Assert.True(reverted > 100 && succeeded > 2000, $"{succeeded} steps, {reverted} reverts");
    }

    [Fact]
    public void Pools_with_many_positions_swap_and_mint_like_the_reference()
    {
        var rng = new Random(3);
        int swaps = 0, reverts = 0, crossings = 0;
        for (int poolIndex = 0; poolIndex < 45; poolIndex++)
        {
            int fee = s_fees[rng.Next(4)];
            int spacing = s_spacings[rng.Next(s_spacings.Length)];
            var ours = new V3Pool((uint)fee, spacing);
            var reference = new BigV3Pool(fee, spacing);

            // Prices around 1:1 most of the time, near the ends sometimes.
            int startTick = rng.Next(3) == 0 ? rng.Next(TickMath.MinTick + 1, TickMath.MaxTick) : rng.Next(-5000, 5000);
            BigInteger start = BigV3Math.GetSqrtRatioAtTick(startTick) + rng.Next(0, 1000);
            Assert.Equal(V3Status.Ok, ours.Initialize((UInt256)start));
            reference.Initialize(start);
            Assert.Equal(reference.Tick, ours.State.Tick);

            int positions = rng.Next(1, 40);
            for (int k = 0; k < positions; k++)
            {
                int width = spacing * rng.Next(1, rng.Next(2) == 0 ? 20 : 3000);
                int lower = ((startTick / spacing) + rng.Next(-200, 200)) * spacing;
                int upper = lower + width;
                if (rng.Next(10) == 0)
                {
                    lower = (int)Math.Ceiling(TickMath.MinTick / (double)spacing) * spacing;
                    upper = TickMath.MaxTick / spacing * spacing;
                }

                BigInteger amount = rng.Next(5) == 0 ? RandomBits(rng, 100) + 1 : BigInteger.Pow(10, rng.Next(6, 24)) * rng.Next(1, 9);
                bool burn = k > 0 && rng.Next(6) == 0;
                var refResult = Reference(() => reference.ModifyPosition(lower, upper, burn ? -amount : amount));
                UInt256 o0, o1;
                V3Status status = burn
                    ? ours.Burn(lower, upper, (UInt128)amount, out o0, out o1)
                    : ours.Mint(lower, upper, (UInt128)amount, out o0, out o1);
                Assert.Equal(refResult.HasValue, status == V3Status.Ok);
                if (refResult is { } owed)
                {
                    Assert.Equal(BigEvm.U256(burn ? -owed.Amount0 : owed.Amount0), B(o0));
                    Assert.Equal(BigEvm.U256(burn ? -owed.Amount1 : owed.Amount1), B(o1));
                }
            }

            AssertSameTicks(reference, ours);
            for (int s = 0; s < 40; s++)
            {
                bool zeroForOne = rng.Next(2) == 0;
                BigInteger size = rng.Next(8) == 0 ? RandomBits(rng, 130) : BigInteger.Pow(10, rng.Next(0, 26)) * rng.Next(1, 10);
                if (size.IsZero && rng.Next(2) == 0)
                {
                    size = 1;
                }

                BigInteger specified = rng.Next(2) == 0 ? size : -size;
                BigInteger limit = rng.Next(3) switch
                {
                    0 => zeroForOne ? BigV3Math.MinSqrtRatio + 1 : BigV3Math.MaxSqrtRatio - 1,
                    1 => RandomPrice(rng),
                    _ => reference.SqrtPriceX96 + ((zeroForOne ? -1 : 1) * (reference.SqrtPriceX96 / rng.Next(5, 200))),
                };
                limit = BigInteger.Max(BigInteger.Zero, BigInteger.Min(BigEvm.MaxUInt160, limit));
                var expected = Reference(() => reference.Swap(zeroForOne, specified, limit));
                Assert.True(Int256.TryFromBigInteger(specified, out Int256 amount));
                // The quote (no fee growth computed) must be the swap in every other respect, reverts included.
                UInt256 growthBefore = zeroForOne ? ours.State.FeeGrowthGlobal0X128 : ours.State.FeeGrowthGlobal1X128;
                V3Status quoted = ours.Quote(zeroForOne, amount, (UInt256)limit, out V3SwapResult q);
                V3Status status = ours.Swap(zeroForOne, amount, (UInt256)limit, out V3SwapResult result);
                Assert.Equal(status, quoted);
                Assert.Equal((result.Amount0, result.Amount1, result.SqrtPriceX96, result.Tick, result.Liquidity, result.TicksCrossed),
                    (q.Amount0, q.Amount1, q.SqrtPriceX96, q.Tick, q.Liquidity, q.TicksCrossed));
                if (status == V3Status.Ok)
                {
                    Assert.Equal(growthBefore, q.FeeGrowthGlobalX128);
                }

                Assert.True(expected.HasValue == (status == V3Status.Ok), $"pool {poolIndex} swap {s}: reference {(expected.HasValue ? "ok" : "reverts")}, ours {status}");
                if (expected is not { } e)
                {
                    reverts++;
                    continue;
                }

                swaps++;
                crossings += e.TicksCrossed;
                Assert.Equal(e.Amount0, result.Amount0.ToBigInteger());
                Assert.Equal(e.Amount1, result.Amount1.ToBigInteger());
                Assert.Equal(e.SqrtPriceX96, B(result.SqrtPriceX96));
                Assert.Equal(e.Tick, result.Tick);
                Assert.Equal(e.Liquidity, (BigInteger)result.Liquidity);
                Assert.Equal(e.FeeGrowthGlobalX128, B(result.FeeGrowthGlobalX128));
                Assert.Equal(e.TicksCrossed, result.TicksCrossed);
            }
        }

        Assert.True(swaps > 1000 && reverts > 50 && crossings > 1000, $"{swaps} swaps, {reverts} reverts, {crossings} ticks crossed");
    }

    [Fact]
    public void A_protocol_fee_is_taken_like_the_reference()
    {
        var ours = new V3Pool(3000, 60);
        var reference = new BigV3Pool(3000, 60);
        BigInteger start = BigV3Math.GetSqrtRatioAtTick(0);
        ours.Initialize((UInt256)start);
        reference.Initialize(start);
        ours.State.FeeProtocol = 4 | (6 << 4);
        reference.FeeProtocol = 4 | (6 << 4);
        ours.Mint(-600, 600, (UInt128)BigInteger.Pow(10, 20), out _, out _);
        reference.ModifyPosition(-600, 600, BigInteger.Pow(10, 20));
        foreach (bool zeroForOne in new[] { true, false, false })
        {
            BigSwapResult e = reference.Swap(zeroForOne, BigInteger.Pow(10, 18), zeroForOne ? BigV3Math.MinSqrtRatio + 1 : BigV3Math.MaxSqrtRatio - 1);
            Assert.Equal(V3Status.Ok, ours.Swap(zeroForOne, Int256.FromBits((UInt256)BigInteger.Pow(10, 18)), V3Pool.DefaultPriceLimit(zeroForOne), out V3SwapResult r));
            Assert.Equal(e.ProtocolFee, (BigInteger)r.ProtocolFee);
            Assert.True(r.ProtocolFee > UInt128.Zero);
            Assert.Equal(e.FeeGrowthGlobalX128, B(r.FeeGrowthGlobalX128));
            Assert.Equal(e.Amount1, r.Amount1.ToBigInteger());
        }
    }

    [Fact]
    public void V2_quotes_match_the_reference_for_any_fee()
    {
        var rng = new Random(997);
        int ok = 0;
        for (int i = 0; i < 20000; i++)
        {
            BigInteger reserveIn = RandomBits(rng, rng.Next(2) == 0 ? 112 : 256);
            BigInteger reserveOut = RandomBits(rng, rng.Next(2) == 0 ? 112 : 256);
            BigInteger amount = RandomBits(rng, rng.Next(2) == 0 ? 112 : 256);
            int feeBps = rng.Next(4) switch { 0 => 30, 1 => 25, 2 => 0, _ => rng.Next(0, 10_000) };

            V2Status status = UniswapV2Math.GetAmountOut((UInt256)amount, (UInt256)reserveIn, (UInt256)reserveOut, (uint)feeBps, out UInt256 outAmount);
            BigInteger? expected = Reference(() => BigV2Math.GetAmountOut(amount, reserveIn, reserveOut, feeBps));
            if (expected is { } e && Fits(amount, reserveIn, reserveOut, feeBps, amountOut: false))
            {
                Assert.Equal(V2Status.Ok, status);
                Assert.Equal(e, B(outAmount));
                ok++;
            }
            else
            {
                Assert.NotEqual(V2Status.Ok, status);
            }

            status = UniswapV2Math.GetAmountIn((UInt256)amount, (UInt256)reserveIn, (UInt256)reserveOut, (uint)feeBps, out UInt256 inAmount);
            expected = feeBps == 10_000 ? null : Reference(() => BigV2Math.GetAmountIn(amount, reserveIn, reserveOut, feeBps));
            if (expected is { } e2 && Fits(amount, reserveIn, reserveOut, feeBps, amountOut: true))
            {
                Assert.Equal(V2Status.Ok, status);
                Assert.Equal(e2, B(inAmount));
                ok++;
            }
            else
            {
                Assert.NotEqual(V2Status.Ok, status);
            }
        }

        Assert.True(ok > 5000, ok.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(30, 997, 1000)]
    [InlineData(25, 399, 400)]
    [InlineData(0, 1, 1)]
    [InlineData(100, 99, 100)]
    public void V2_overflows_where_the_library_with_the_reduced_fraction_does(int feeBps, int complement, int denominator)
    {
        // The library multiplies by 997 and 1000 (not 9970 and 10000), so an input just under 2^256 / (997 × reserve)
        // must still quote.
        BigInteger reserveOut = 3;
        BigInteger amountIn = BigEvm.MaxUInt256 / complement / reserveOut;
        V2Status status = UniswapV2Math.GetAmountOut((UInt256)amountIn, UInt256.One, (UInt256)reserveOut, (uint)feeBps, out UInt256 result);
        Assert.Equal(V2Status.Ok, status);
        BigInteger withFee = amountIn * complement;
        Assert.Equal(withFee * reserveOut / (denominator + withFee), B(result));
        Assert.Equal(V2Status.Overflow, UniswapV2Math.GetAmountOut((UInt256)(amountIn + 1), UInt256.One, (UInt256)reserveOut, (uint)feeBps, out _));
    }

    [Fact]
    public void V2_rejects_what_the_library_rejects()
    {
        Assert.Equal(V2Status.InsufficientInputAmount, UniswapV2Math.GetAmountOut(UInt256.Zero, 10, 10, 30, out _));
        Assert.Equal(V2Status.InsufficientLiquidity, UniswapV2Math.GetAmountOut(1, UInt256.Zero, 10, 30, out _));
        Assert.Equal(V2Status.InsufficientOutputAmount, UniswapV2Math.GetAmountIn(UInt256.Zero, 10, 10, 30, out _));
        Assert.Equal(V2Status.InsufficientLiquidity, UniswapV2Math.GetAmountIn(10, 10, 10, 30, out _));
        Assert.Equal(V2Status.InsufficientLiquidity, UniswapV2Math.GetAmountIn(11, 10, 10, 30, out _));
        Assert.Equal(V2Status.InvalidFee, UniswapV2Math.GetAmountOut(1, 10, 10, 10_000, out _));
    }

    /// <summary>Whether the library's own intermediates (with the reduced fee fraction) stay below 2^256.</summary>
    private static bool Fits(BigInteger amount, BigInteger reserveIn, BigInteger reserveOut, int feeBps, bool amountOut)
    {
        int g = (int)BigInteger.GreatestCommonDivisor(10_000, 10_000 - feeBps);
        int complement = (10_000 - feeBps) / g, denominator = 10_000 / g;
        if (!amountOut)
        {
            BigInteger withFee = amount * complement;
            return withFee <= BigEvm.MaxUInt256 && withFee * reserveOut <= BigEvm.MaxUInt256
                && reserveIn * denominator <= BigEvm.MaxUInt256 && (reserveIn * denominator) + withFee <= BigEvm.MaxUInt256;
        }

        BigInteger numerator = reserveIn * amount;
        return numerator <= BigEvm.MaxUInt256 && numerator * denominator <= BigEvm.MaxUInt256
            && (reserveOut - amount) * complement <= BigEvm.MaxUInt256
            && (numerator * denominator / ((reserveOut - amount) * complement)) + 1 <= BigEvm.MaxUInt256;
    }

    private static void AssertSameTicks(BigV3Pool reference, V3Pool ours)
    {
        Assert.Equal(reference.Ticks.Count, ours.Ticks.Count);
        int i = 0;
        foreach ((int tick, (BigInteger gross, BigInteger net)) in reference.Ticks)
        {
            Assert.Equal(tick, ours.Ticks.Ticks[i]);
            Assert.Equal(gross, (BigInteger)ours.Ticks.Infos[i].LiquidityGross);
            Assert.Equal(net, (BigInteger)ours.Ticks.Infos[i].LiquidityNet);
            i++;
        }

        Assert.Equal(reference.Liquidity, (BigInteger)ours.State.Liquidity);
    }
}
