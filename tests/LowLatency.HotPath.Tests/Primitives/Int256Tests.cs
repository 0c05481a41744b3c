using System.Globalization;
using System.Numerics;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Primitives;

public class Int256Tests
{
    private static readonly BigInteger s_two255 = BigInteger.One << 255;
    private static readonly BigInteger s_two256 = BigInteger.One << 256;

    private static BigInteger Wrap(BigInteger v)
    {
        v %= s_two256;
        if (v < 0)
        {
            v += s_two256;
        }

        return v >= s_two255 ? v - s_two256 : v;
    }

    private static bool InRange(BigInteger v) => v >= -s_two255 && v < s_two255;

    internal static Int256 RandomValue(Random rng) => Int256.FromBits(UInt256Tests.RandomValue(rng));

    [Fact]
    public void Arithmetic_matches_BigInteger_on_random_inputs()
    {
        var rng = new Random(256);
        Span<char> text = stackalloc char[80];
        for (int i = 0; i < 20000; i++)
        {
            Int256 a = RandomValue(rng);
            Int256 b = RandomValue(rng);
            BigInteger x = a, y = b;
            Assert.True(InRange(x));

            Assert.Equal(Wrap(x + y), (BigInteger)(a + b));
            Assert.Equal(InRange(x + y), Int256.TryAdd(a, b, out _));
            Assert.Equal(Wrap(x - y), (BigInteger)(a - b));
            Assert.Equal(InRange(x - y), Int256.TrySubtract(a, b, out _));
            Assert.Equal(Wrap(-x), (BigInteger)(-a));
            Assert.Equal(Wrap(x * y), (BigInteger)(a * b));
            Assert.Equal(x.CompareTo(y), a.CompareTo(b));
            Assert.Equal(x.Sign, a.Sign);
            Assert.Equal(BigInteger.Abs(x), a.UnsignedAbs.ToBigInteger());

            int shift = rng.Next(0, 300);
            // BigInteger's >> floors, which is what an arithmetic shift does.
            Assert.Equal(x >> shift, (BigInteger)(a >> shift));

            Assert.True(a.TryFormat(text, out int written));
            Assert.Equal(x.ToString(CultureInfo.InvariantCulture), text[..written].ToString());
            Assert.True(Int256.TryParse(text[..written], out Int256 parsed));
            Assert.Equal(a, parsed);
            Assert.True(Int256.TryFromBigInteger(x, out Int256 back));
            Assert.Equal(a, back);
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Converts_from_long(long value) => Assert.Equal(new BigInteger(value), (BigInteger)(Int256)value);

    [Fact]
    public void Limits_and_safe_casts()
    {
        Assert.Equal(s_two255 - 1, (BigInteger)Int256.MaxValue);
        Assert.Equal(-s_two255, (BigInteger)Int256.MinValue);
        Assert.Equal(Int256.MinValue, -Int256.MinValue);
        Assert.False(Int256.TryAdd(Int256.MaxValue, Int256.One, out Int256 wrapped));
        Assert.Equal(Int256.MinValue, wrapped);
        Assert.False(Int256.TrySubtract(Int256.MinValue, Int256.One, out _));
        Assert.True(Int256.TryFromUInt256((UInt256)(s_two255 - 1), out _));
        Assert.False(Int256.TryFromUInt256((UInt256)s_two255, out _));
        Assert.False(Int256.TryFromBigInteger(s_two255, out _));
        Assert.False(Int256.TryFromBigInteger(-s_two255 - 1, out _));
        Assert.Equal(UInt256.MaxValue, Int256.MinusOne.Bits);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+1")]
    [InlineData("0x10")]
    [InlineData("1e5")]
    [InlineData(" 1")]
    [InlineData("--1")]
    [InlineData("57896044618658097711785492504343953926634992332820282019728792003956564819968")]
    [InlineData("-57896044618658097711785492504343953926634992332820282019728792003956564819969")]
    public void Rejects_malformed_or_out_of_range(string text) => Assert.False(Int256.TryParse(text, out _));

    [Theory]
    [InlineData("57896044618658097711785492504343953926634992332820282019728792003956564819967")]
    [InlineData("-57896044618658097711785492504343953926634992332820282019728792003956564819968")]
    [InlineData("-0")]
    [InlineData("007")]
    public void Parses_the_limits(string text) =>
        Assert.Equal(BigInteger.Parse(text, CultureInfo.InvariantCulture), (BigInteger)Int256.Parse(text));
}
