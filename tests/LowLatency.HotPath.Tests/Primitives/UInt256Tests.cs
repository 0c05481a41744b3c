using System.Globalization;
using System.Numerics;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Primitives;

public class UInt256Tests
{
    private static readonly BigInteger s_two256 = BigInteger.One << 256;
    private static readonly BigInteger s_max = s_two256 - 1;

    /// <summary>Random values biased to edge cases: zero/max limbs, small values, single limbs.</summary>
    internal static UInt256 RandomValue(Random rng)
    {
        ulong Limb() => rng.Next(6) switch
        {
            0 => 0,
            1 => ulong.MaxValue,
            2 => (ulong)rng.Next(1, 1000),
            3 => 1UL << rng.Next(64),
            _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40),
        };

        return rng.Next(8) switch
        {
            0 => new UInt256(Limb()),
            1 => new UInt256(Limb(), Limb()),
            2 => new UInt256(Limb(), Limb(), Limb()),
            _ => new UInt256(Limb(), Limb(), Limb(), Limb()),
        };
    }

    private static BigInteger B(UInt256 v) => v.ToBigInteger();

    [Fact]
    public void Arithmetic_matches_BigInteger_on_random_inputs()
    {
        var rng = new Random(20240611);
        Span<byte> be = stackalloc byte[32];
        Span<byte> minimal = stackalloc byte[32];
        for (int i = 0; i < 20000; i++)
        {
            UInt256 a = RandomValue(rng);
            UInt256 b = RandomValue(rng);
            BigInteger x = B(a), y = B(b);

            Assert.Equal((x + y) % s_two256, B(a + b));
            Assert.Equal(x + y <= s_max, UInt256.TryAdd(a, b, out _));
            Assert.Equal(((x - y) % s_two256 + s_two256) % s_two256, B(a - b));
            Assert.Equal(x >= y, UInt256.TrySubtract(a, b, out _));
            Assert.Equal(x * y % s_two256, B(a * b));
            Assert.Equal(x * y <= s_max, UInt256.TryMultiply(a, b, out _));
            Assert.Equal(x.CompareTo(y), a.CompareTo(b));
            Assert.Equal(x == y, a == b);
            Assert.Equal(x & y, B(a & b));
            Assert.Equal(x | y, B(a | b));
            Assert.Equal(x ^ y, B(a ^ b));
            Assert.Equal(s_max - x, B(~a));

            int shift = rng.Next(0, 300);
            Assert.Equal((x << shift) % s_two256, B(a << shift));
            Assert.Equal(x >> shift, B(a >> shift));

            if (!b.IsZero)
            {
                UInt256 q = UInt256.DivRem(a, b, out UInt256 r);
                Assert.Equal(BigInteger.DivRem(x, y, out BigInteger rem), B(q));
                Assert.Equal(rem, B(r));
                Assert.Equal(x / y, B(a / b));
                Assert.Equal(x % y, B(a % b));
            }

            Assert.Equal(x, BigInteger.Parse(a.ToString(), CultureInfo.InvariantCulture));
            Assert.Equal(a, UInt256.Parse(a.ToString()));
            Assert.Equal(a, UInt256.Parse(a.ToHexString()));
            Assert.Equal(a, (UInt256)x);

            a.ToBigEndian(be);
            Assert.Equal(a, UInt256.FromBigEndian(be));
            int n = a.WriteBigEndianMinimal(minimal);
            Assert.Equal(a.ByteLength, n);
            Assert.Equal(a, UInt256.FromBigEndian(minimal[..n]));
            Assert.True(n == 0 || minimal[0] != 0);
        }
    }

    [Fact]
    public void The_software_digit_divisions_match_BigInteger_for_CPUs_without_a_128_by_64_divide()
    {
        // x64 divides with the CPU (the other tests run there); these digits are the division elsewhere.
        var rng = new Random(20261208);
        ulong[] edges = [1, 3, 0xFFFF_FFFFUL, 1UL << 32, 0x7FFF_FFFF_FFFF_FFFFUL, 1UL << 63, 0x8000_0000_0000_0001UL, ulong.MaxValue - 1, ulong.MaxValue];
        ulong Random64() => rng.Next(4) == 0 ? edges[rng.Next(edges.Length)] : (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
        for (int i = 0; i < 20_000; i++)
        {
            ulong d = Random64();
            ulong hi = rng.Next(3) == 0 ? d - 1 : Random64() % d;
            ulong lo = Random64();
            BigInteger x = ((BigInteger)hi << 64) + lo;

            ulong q = UInt256.DivRem128By64Software(hi, lo, d, out ulong r);
            Assert.Equal(x / d, (BigInteger)q);
            Assert.Equal(x % d, (BigInteger)r);

            ulong normalised = d << BitOperations.LeadingZeroCount(d);
            ulong top = hi % normalised;
            BigInteger y = ((BigInteger)top << 64) + lo;
            ulong q2 = UInt256.Div2By1Software(top, lo, normalised, UInt256.ReciprocalSoftware(normalised), out ulong r2);
            Assert.Equal(y / normalised, (BigInteger)q2);
            Assert.Equal(y % normalised, (BigInteger)r2);
        }
    }

    [Fact]
    public void Division_by_a_two_limb_divisor_matches_BigInteger_where_the_digit_estimate_is_corrected()
    {
        // A 128-bit divisor (TickMath's 2^256 / ratio) has its own path: its top limb with and without the top bit, and
        // dividends that are q × d + r with all-ones quotient digits (the estimate's b − 1 start and its corrections) and
        // remainders up to d − 1.
        var rng = new Random(20261207);
        ulong[] tops = [1, 2, 0xFFFF_FFFFUL, 0x7FFF_FFFF_FFFF_FFFFUL, 0x8000_0000_0000_0000UL, ulong.MaxValue];
        ulong[] lows = [0, 1, 0x8000_0000_0000_0000UL, ulong.MaxValue];
        var divisors = new List<UInt256>();
        foreach (ulong top in tops)
        {
            foreach (ulong low in lows)
            {
                divisors.Add(new UInt256(low, top));
            }
        }

        for (int i = 0; i < 40; i++)
        {
            divisors.Add(new UInt256((ulong)rng.NextInt64(), 1UL + (ulong)rng.NextInt64()));
        }

        foreach (UInt256 d in divisors)
        {
            BigInteger dv = B(d);
            int room = 256 - (int)dv.GetBitLength();
            for (int i = 0; i < 60; i++)
            {
                BigInteger q = i switch
                {
                    0 => (BigInteger.One << room) - 1,
                    1 => BigInteger.One << (room - 1),
                    _ when i % 3 == 0 => (BigInteger.One << rng.Next(1, room + 1)) - 1,
                    _ => B(RandomValue(rng)) >> (256 - room),
                };
                BigInteger r = (i % 4) switch
                {
                    0 => dv - 1,
                    1 => BigInteger.Zero,
                    _ => B(RandomValue(rng)) % dv,
                };
                BigInteger x = (q * dv) + r;
                if (x > s_max)
                {
                    x = s_max - (i % 7);
                }

                UInt256 a = (UInt256)x;
                UInt256 quotient = UInt256.DivRem(a, d, out UInt256 remainder);
                Assert.Equal(x / dv, B(quotient));
                Assert.Equal(x % dv, B(remainder));
            }

            Assert.Equal(s_max / dv, B(UInt256.MaxValue / d));
        }
    }

    [Fact]
    public void MulDiv_matches_FullMath_semantics()
    {
        var rng = new Random(7);
        int overflowSeen = 0, okSeen = 0;
        for (int i = 0; i < 20000; i++)
        {
            UInt256 a = RandomValue(rng), b = RandomValue(rng), d = RandomValue(rng);
            BigInteger x = B(a), y = B(b), z = B(d);
            if (z.IsZero)
            {
                Assert.False(UInt256.TryMulDiv(a, b, d, out _));
                Assert.Throws<DivideByZeroException>(() => UInt256.MulDiv(a, b, d));
                Assert.Throws<DivideByZeroException>(() => UInt256.MulDivRoundingUp(a, b, d));
                continue;
            }

            BigInteger floor = x * y / z;
            BigInteger ceil = floor + (x * y % z == 0 ? 0 : 1);
            if (floor <= s_max)
            {
                okSeen++;
                Assert.Equal(floor, B(UInt256.MulDiv(a, b, d)));
            }
            else
            {
                overflowSeen++;
                Assert.False(UInt256.TryMulDiv(a, b, d, out _));
                Assert.Throws<OverflowException>(() => UInt256.MulDiv(a, b, d));
            }

            Assert.Equal(ceil <= s_max, UInt256.TryMulDivRoundingUp(a, b, d, out UInt256 up));
            if (ceil <= s_max)
            {
                Assert.Equal(ceil, B(up));
            }
        }

        Assert.True(overflowSeen > 100 && okSeen > 100);
    }

    [Fact]
    public void MulDiv_by_every_power_of_two_and_division_by_one_limb_match_BigInteger()
    {
        var rng = new Random(128);
        for (int k = 0; k < 256; k++)
        {
            UInt256 power = UInt256.One << k;
            for (int i = 0; i < 40; i++)
            {
                UInt256 a = i == 0 ? UInt256.MaxValue : RandomValue(rng), b = i == 1 ? UInt256.MaxValue : RandomValue(rng);
                BigInteger product = B(a) * B(b);
                BigInteger floor = product >> k;
                bool fits = floor <= s_max;
                Assert.Equal(fits, UInt256.TryMulDiv(a, b, power, out UInt256 down));
                if (fits)
                {
                    Assert.Equal(floor, B(down));
                }

                BigInteger ceil = floor + ((product & ((BigInteger.One << k) - 1)).IsZero ? 0 : 1);
                Assert.Equal(ceil <= s_max, UInt256.TryMulDivRoundingUp(a, b, power, out UInt256 up));
                if (ceil <= s_max)
                {
                    Assert.Equal(ceil, B(up));
                }
            }
        }

        // 128/64 digit divisions: divisors with and without the top bit, remainders close to the divisor.
        ulong[] divisors = [1, 3, 10, 1_000_000, 0xFFFF_FFFFUL, 0x1_0000_0000UL, 0x8000_0000_0000_0000UL, ulong.MaxValue, ulong.MaxValue - 1, 0x8000_0000_0000_0001UL];
        foreach (ulong d in divisors)
        {
            for (int i = 0; i < 200; i++)
            {
                UInt256 x = i < 2 ? UInt256.MaxValue - (ulong)i : RandomValue(rng);
                UInt256 q = UInt256.DivRem(x, d, out UInt256 r);
                Assert.Equal(B(x) / d, B(q));
                Assert.Equal(B(x) % d, B(r));
                UInt256 y = RandomValue(rng);
                BigInteger md = B(x) * B(y) / d;
                Assert.Equal(md <= s_max, UInt256.TryMulDiv(x, y, d, out UInt256 mulDiv));
                if (md <= s_max)
                {
                    Assert.Equal(md, B(mulDiv));
                }
            }
        }
    }

    [Fact]
    public void MulDiv_edge_cases_from_FullMath_tests()
    {
        UInt256 max = UInt256.MaxValue;
        Assert.Equal(max, UInt256.MulDiv(max, max, max));
        Assert.Equal(UInt256.One, UInt256.MulDiv(max, UInt256.One, max));
        // 2^256-1 rounding: mulDivRoundingUp(max, max, max - 1) overflows.
        Assert.Throws<OverflowException>(() => UInt256.MulDivRoundingUp(max, max, max - UInt256.One));
        // (Q128, 50%, Q128 * 2) style: 2^128 * 2^127 / 2^128 = 2^127.
        UInt256 q128 = UInt256.One << 128;
        Assert.Equal(UInt256.One << 127, UInt256.MulDiv(q128, UInt256.One << 127, q128));
        // Uniswap FullMath tests: the floor fits but rounding up overflows.
        Assert.Equal(max, UInt256.MulDiv(UInt256.Parse("535006138814359"), UInt256.Parse("432862656469423142931042426214547535783388063929571229938474969"), new UInt256(2)));
        Assert.Throws<OverflowException>(() => UInt256.MulDivRoundingUp(
            UInt256.Parse("535006138814359"), UInt256.Parse("432862656469423142931042426214547535783388063929571229938474969"), new UInt256(2)));
        Assert.Throws<OverflowException>(() => UInt256.MulDivRoundingUp(
            UInt256.Parse("115792089237316195423570985008687907853269984659341747863450311749907997002549"),
            UInt256.Parse("115792089237316195423570985008687907853269984659341747863450311749907997002550"),
            UInt256.Parse("115792089237316195423570985008687907853269984653042931687443039491902864365164")));
    }

    [Fact]
    public void Checked_operators_throw_and_wrapping_wrap()
    {
        UInt256 max = UInt256.MaxValue;
        Assert.Equal(UInt256.Zero, max + UInt256.One);
        Assert.Equal(max, UInt256.Zero - UInt256.One);
        Assert.Throws<OverflowException>(() => checked(max + UInt256.One));
        Assert.Throws<OverflowException>(() => checked(UInt256.Zero - UInt256.One));
        Assert.Throws<OverflowException>(() => checked(max * new UInt256(2)));
        Assert.Throws<OverflowException>(() => checked((ulong)(max)));
        Assert.Equal(ulong.MaxValue, (ulong)max);
        Assert.Throws<DivideByZeroException>(() => max / UInt256.Zero);
        Assert.Throws<DivideByZeroException>(() => max % UInt256.Zero);
        Assert.False(UInt256.TryDivRem(max, UInt256.Zero, out _, out _));
        Assert.Throws<OverflowException>(() => (UInt256)BigInteger.MinusOne);
        Assert.Throws<OverflowException>(() => (UInt256)(BigInteger.One << 256));
    }

    [Theory]
    [InlineData("0x", "0")]
    [InlineData("0x0", "0")]
    [InlineData("0x00ff", "255")]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639935", "115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    [InlineData("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    [InlineData("000123", "123")]
    public void Parses(string text, string expectedDecimal) => Assert.Equal(expectedDecimal, UInt256.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("12a")]
    [InlineData("0xg")]
    [InlineData("1.5")]
    public void Rejects_malformed(string text)
    {
        Assert.False(UInt256.TryParse(text, out _));
        Assert.Throws<FormatException>(() => UInt256.Parse(text));
    }

    [Theory]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639936")]
    [InlineData("0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void Rejects_overflow(string text)
    {
        Assert.False(UInt256.TryParse(text, out _));
        Assert.Throws<OverflowException>(() => UInt256.Parse(text));
    }

    [Fact]
    public void Formats_hex_minimal()
    {
        Assert.Equal("0x0", UInt256.Zero.ToHexString());
        Assert.Equal("0x1", UInt256.One.ToHexString());
        Assert.Equal("0x10000000000000000", (UInt256.One << 64).ToHexString());
        Assert.Throws<ArgumentException>(() => UInt256.FromBigEndian(new byte[33]));
    }

    [Fact]
    public void Arithmetic_does_not_allocate()
    {
        UInt256 a = UInt256.Parse("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");
        UInt256 b = UInt256.Parse("0xfedcba0987654321fedcba0987654321");
        Span<char> chars = stackalloc char[80];
        UInt256 sink = default;
        for (int warm = 0; warm < 2; warm++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                sink += a * b;
                sink ^= a / b;
                sink += a % b;
                sink += UInt256.MulDiv(a, b, b + UInt256.One);
                sink += UInt256.MulDivRoundingUp(a, b, a);
                sink += a >> 7;
                a.TryFormat(chars, out _);
                UInt256.TryParse("0x1234567890abcdef", out UInt256 p);
                sink += p;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (warm == 1)
            {
                Assert.Equal(0, allocated);
            }
        }

        Assert.NotEqual(UInt256.Zero, sink);
    }
}
