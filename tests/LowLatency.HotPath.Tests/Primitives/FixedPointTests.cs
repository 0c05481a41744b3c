using System.Text;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Primitives;

public sealed class FixedPointTests
{
    [Theory]
    [InlineData("0.35130000", 8, 35_130_000L)]
    [InlineData("7.6110", 4, 76_110L)]
    [InlineData("30261", 1, 302_610L)]
    [InlineData("30261.", 1, 302_610L)]
    [InlineData(".5", 2, 50L)]
    [InlineData("0", 8, 0L)]
    [InlineData("92233720368.54775807", 8, long.MaxValue)]
    [InlineData("1.2300000000000", 2, 123L)]
    public void Parses_decimal_text_exactly(string text, int decimals, long expected)
    {
        Assert.True(FixedPoint.TryParse(Encoding.ASCII.GetBytes(text), decimals, out long raw));
        Assert.Equal(expected, raw);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("-1.0")]
    [InlineData("+1.0")]
    [InlineData("NaN")]
    [InlineData("1e5")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData(" 1")]
    [InlineData("0.123456789")] // a non-zero digit beyond 8 decimals would be rounded away
    [InlineData("92233720368.54775808")] // long.MaxValue + 1 raw
    [InlineData("99999999999999999999999")]
    public void Rejects_what_is_not_an_exact_unsigned_decimal(string text)
    {
        Assert.False(FixedPoint.TryParse(Encoding.ASCII.GetBytes(text), 8, out _));
    }

    [Fact]
    public void Format_and_parse_round_trip_on_random_values()
    {
        var random = new Random(7);
        Span<byte> buffer = stackalloc byte[48];
        for (int i = 0; i < 10_000; i++)
        {
            long raw = random.NextInt64(0, long.MaxValue);
            int decimals = random.Next(0, 19);
            int written = FixedPoint.Format(raw, decimals, buffer);
            Assert.True(FixedPoint.TryParse(buffer[..written], decimals, out long back));
            Assert.Equal(raw, back);
        }
    }

    [Fact]
    public void Format_reports_a_short_destination()
    {
        Assert.Equal(-1, FixedPoint.Format(123_456, 2, new byte[3]));
    }

    [Fact]
    public void Parse_allocates_nothing()
    {
        byte[] text = "12345.67890000"u8.ToArray();
        FixedPoint.TryParse(text, 8, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 10_000; i++)
        {
            FixedPoint.TryParse(text, 8, out long raw);
            sum += raw;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_234_567_890_000L * 10_000, sum);
    }

    [Fact]
    public void Parse_agrees_with_an_arbitrary_precision_reference_on_random_inputs()
    {
        var random = new Random(12345);
        byte[] alphabet = "0123456789..9-"u8.ToArray();
        var buffer = new byte[24];
        int accepted = 0;
        for (int n = 0; n < 200_000; n++)
        {
            int length = random.Next(0, buffer.Length);
            for (int i = 0; i < length; i++)
            {
                buffer[i] = alphabet[random.Next(alphabet.Length)];
            }

            int decimals = random.Next(0, 19);
            string text = Encoding.ASCII.GetString(buffer, 0, length);
            bool expected = ReferenceParse(text, decimals, out long expectedRaw);
            bool actual = FixedPoint.TryParse(buffer.AsSpan(0, length), decimals, out long raw);
            Assert.True(expected == actual && (!expected || expectedRaw == raw), $"'{text}' @ {decimals}: {expected}/{expectedRaw} vs {actual}/{raw}");
            accepted += actual ? 1 : 0;
        }

        Assert.True(accepted > 10_000, "the random inputs must exercise the accepting path too");
    }

    /// <summary>The contract written the slow, obvious way with BigInteger.</summary>
    private static bool ReferenceParse(string text, int decimals, out long raw)
    {
        raw = 0;
        int point = text.IndexOf('.', StringComparison.Ordinal);
        string integer = point < 0 ? text : text[..point];
        string fraction = point < 0 ? string.Empty : text[(point + 1)..];
        if (integer.Length + fraction.Length == 0 || !(integer + fraction).All(char.IsAsciiDigit))
        {
            return false;
        }

        if (fraction.Length > decimals)
        {
            if (fraction[decimals..].Any(c => c != '0'))
            {
                return false;
            }

            fraction = fraction[..decimals];
        }

        System.Numerics.BigInteger value = System.Numerics.BigInteger.Parse("0" + integer + fraction.PadRight(decimals, '0'), System.Globalization.CultureInfo.InvariantCulture);
        if (value > long.MaxValue)
        {
            return false;
        }

        raw = (long)value;
        return true;
    }
}
