using System.Numerics;
using System.Text.RegularExpressions;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;
using LowLatency.Testing.Amm;

namespace LowLatency.HotPath.Tests.Amm;

public sealed partial class TickMathTests
{
    private static readonly string s_snapshot = SharedData.File("onchain", "uniswap_v3_math", "v3-core__TickMath.spec.ts.snap");

    [GeneratedRegex(@"^TickMath #getSqrtRatioAtTick tick (?<tick>-?[0-9]+) result 1$")]
    private static partial Regex RatioKey();

    [GeneratedRegex(@"^TickMath #getTickAtSqrtRatio ratio (?<ratio>[0-9]+) result 1$")]
    private static partial Regex TickKey();

    [Fact]
    public void Every_value_of_v3_cores_TickMath_snapshot()
    {
        int ratios = 0, ticks = 0;
        foreach ((string key, string value) in JestSnapshot.ReadEntries(s_snapshot))
        {
            if (RatioKey().Match(key) is { Success: true } r)
            {
                Assert.True(TickMath.TryGetSqrtRatioAtTick(JestSnapshot.Int(r.Groups["tick"].Value), out UInt256 sqrt));
                Assert.Equal(JestSnapshot.Scalar(value), sqrt.ToString());
                ratios++;
            }
            else if (TickKey().Match(key) is { Success: true } t)
            {
                Assert.True(TickMath.TryGetTickAtSqrtRatio(UInt256.Parse(t.Groups["ratio"].Value), out int tick));
                Assert.Equal(JestSnapshot.Int(value), tick);
                ticks++;
            }
        }

        // The data README: 28 ticks and 13 ratios.
        Assert.Equal(28, ratios);
        Assert.Equal(13, ticks);
    }

    [Fact]
    public void Bounds_are_the_contracts()
    {
        Assert.True(TickMath.TryGetSqrtRatioAtTick(TickMath.MinTick, out UInt256 min));
        Assert.Equal(TickMath.MinSqrtRatio, min);
        Assert.True(TickMath.TryGetSqrtRatioAtTick(TickMath.MaxTick, out UInt256 max));
        Assert.Equal(TickMath.MaxSqrtRatio, max);
        Assert.False(TickMath.TryGetSqrtRatioAtTick(TickMath.MinTick - 1, out _));
        Assert.False(TickMath.TryGetSqrtRatioAtTick(TickMath.MaxTick + 1, out _));
        Assert.False(TickMath.TryGetSqrtRatioAtTick(int.MinValue, out _));
        Assert.False(TickMath.TryGetTickAtSqrtRatio(TickMath.MinSqrtRatio - UInt256.One, out _));
        Assert.False(TickMath.TryGetTickAtSqrtRatio(TickMath.MaxSqrtRatio, out _));
        Assert.True(TickMath.TryGetTickAtSqrtRatio(TickMath.MaxSqrtRatio - UInt256.One, out int top));
        Assert.Equal(TickMath.MaxTick - 1, top);
        Assert.True(TickMath.TryGetTickAtSqrtRatio(TickMath.MinSqrtRatio, out int bottom));
        Assert.Equal(TickMath.MinTick, bottom);
    }

    [Fact]
    public void Ratios_match_the_BigInteger_port_and_are_within_a_part_in_1e8_of_the_real_square_root()
    {
        var rng = new Random(1_0001);
        for (int i = 0; i < 3000; i++)
        {
            int tick = i < 40 ? TickMath.MinTick + i : rng.Next(TickMath.MinTick, TickMath.MaxTick + 1);
            Assert.True(TickMath.TryGetSqrtRatioAtTick(tick, out UInt256 ours));
            BigInteger reference = BigV3Math.GetSqrtRatioAtTick(tick);
            Assert.Equal(reference, ours.ToBigInteger());

            // sqrt(1.0001^tick) × 2^96 from logarithms: an independent, approximate check of the constants.
            double expected = Math.Exp((tick * Math.Log(1.0001) / 2) + (96 * Math.Log(2)));
            double actual = Math.Exp(BigInteger.Log(reference));
            Assert.InRange(actual / expected, 1 - 1e-8, 1 + 1e-8);
        }
    }

    [Fact]
    public void Tick_at_a_price_is_the_greatest_tick_whose_ratio_does_not_exceed_it()
    {
        var rng = new Random(4242);
        for (int i = 0; i < 20_000; i++)
        {
            // Prices on tick boundaries, one below and one above, and random 160-bit prices.
            UInt256 price;
            int tick = rng.Next(TickMath.MinTick, TickMath.MaxTick);
            Assert.True(TickMath.TryGetSqrtRatioAtTick(tick, out UInt256 boundary));
            price = (i % 4) switch
            {
                0 => boundary,
                1 => boundary - UInt256.One,
                2 => boundary + UInt256.One,
                _ => RandomPrice(rng),
            };

            if (price < TickMath.MinSqrtRatio || price >= TickMath.MaxSqrtRatio)
            {
                continue;
            }

            Assert.True(TickMath.TryGetTickAtSqrtRatio(price, out int found));
            Assert.Equal(BigV3Math.GetTickAtSqrtRatio(price.ToBigInteger()), found);
            Assert.True(TickMath.TryGetSqrtRatioAtTick(found, out UInt256 atFound));
            Assert.True(atFound <= price, $"ratio at {found} is above {price}");
            if (found < TickMath.MaxTick)
            {
                Assert.True(TickMath.TryGetSqrtRatioAtTick(found + 1, out UInt256 above));
                Assert.True(above > price, $"ratio at {found + 1} is not above {price}");
            }
        }
    }

    private static UInt256 RandomPrice(Random rng)
    {
        int bits = rng.Next(33, 161);
        var bytes = new byte[21];
        rng.NextBytes(bytes);
        bytes[^1] = 0;
        var value = new BigInteger(bytes, isUnsigned: true) & ((BigInteger.One << bits) - 1);
        return (UInt256)BigInteger.Max(value, BigV3Math.MinSqrtRatio);
    }
}
