using System.Numerics;
using System.Text;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Primitives;

/// <summary>
/// The eight-digit step of <see cref="FixedPoint.TryParse"/> and <see cref="FixedPoint.TryParseUntil"/> against an
/// independent BigInteger reference of the same rules, on random text shaped like venue numbers and on random junk.
/// </summary>
public sealed class FixedPointFastPathTests
{
    private const string Alphabet = "0123456789.0123456789x/:";

    [Fact]
    public void Matches_the_reference_on_random_text()
    {
        var random = new Random(11);
        for (int i = 0; i < 200_000; i++)
        {
            string text = i % 2 == 0 ? VenueShaped(random) : Junk(random);
            int decimals = random.Next(0, 19);
            bool expectedOk = Reference(text, decimals, out long expected);
            bool ok = FixedPoint.TryParse(Encoding.ASCII.GetBytes(text), decimals, out long raw);
            Assert.True(expectedOk == ok, $"'{text}' at {decimals} decimals: reference {expectedOk}, TryParse {ok}");
            if (ok)
            {
                Assert.Equal(expected, raw);
            }
        }
    }

    [Fact]
    public void Until_reads_the_text_before_the_terminator_exactly_as_TryParse_reads_it()
    {
        var random = new Random(12);
        for (int i = 0; i < 100_000; i++)
        {
            string text = i % 2 == 0 ? VenueShaped(random) : Junk(random);
            int decimals = random.Next(0, 19);
            bool expectedOk = FixedPoint.TryParse(Encoding.ASCII.GetBytes(text), decimals, out long expected);
            byte[] quoted = Encoding.ASCII.GetBytes(text + "\",\"12.5\"]");
            bool ok = FixedPoint.TryParseUntil(quoted, (byte)'"', decimals, out long raw, out int length);
            Assert.True(expectedOk == ok, $"'{text}' at {decimals} decimals: TryParse {expectedOk}, TryParseUntil {ok}");
            if (ok)
            {
                Assert.Equal(expected, raw);
                Assert.Equal(text.Length, length);
            }
        }
    }

    [Theory]
    [InlineData("0.35210000")]
    [InlineData("12")]
    [InlineData("")]
    public void Until_is_false_without_a_terminator(string text)
    {
        Assert.False(FixedPoint.TryParseUntil(Encoding.ASCII.GetBytes(text), (byte)'"', 8, out _, out _));
    }

    [Theory]
    [InlineData("0.3521000a", 8)] // a non-digit inside the eight-byte window
    [InlineData("0.3521000/", 8)] // '/' is '0' - 1
    [InlineData("0.3521000:", 8)] // ':' is '9' + 1
    [InlineData("1.12345678", 7)] // eight digits where only seven fit the scale
    public void The_eight_digit_step_rejects_what_the_digit_loop_rejects(string text, int decimals)
    {
        Assert.Equal(Reference(text, decimals, out _), FixedPoint.TryParse(Encoding.ASCII.GetBytes(text), decimals, out _));
    }

    private static string VenueShaped(Random random)
    {
        var sb = new StringBuilder();
        int integerDigits = random.Next(0, 12);
        for (int k = 0; k < integerDigits; k++)
        {
            sb.Append((char)('0' + random.Next(10)));
        }

        if (random.Next(4) != 0)
        {
            sb.Append('.');
            int fractionDigits = random.Next(0, 20);
            for (int k = 0; k < fractionDigits; k++)
            {
                sb.Append(random.Next(3) == 0 ? '0' : (char)('0' + random.Next(10)));
            }
        }

        return sb.ToString();
    }

    private static string Junk(Random random)
    {
        var chars = new char[random.Next(0, 25)];
        for (int k = 0; k < chars.Length; k++)
        {
            chars[k] = Alphabet[random.Next(Alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>The rules of <see cref="FixedPoint.TryParse"/> written out with BigInteger.</summary>
    private static bool Reference(string text, int decimals, out long raw)
    {
        raw = 0;
        int point = text.IndexOf('.', StringComparison.Ordinal);
        if (text.Length == 0 || text.Count(c => c == '.') > 1 || text.Any(c => c != '.' && !char.IsAsciiDigit(c)))
        {
            return false;
        }

        string integer = point < 0 ? text : text[..point];
        string fraction = point < 0 ? string.Empty : text[(point + 1)..];
        if (integer.Length + fraction.Length == 0 || fraction.Skip(decimals).Any(c => c != '0'))
        {
            return false;
        }

        string kept = fraction.Length > decimals ? fraction[..decimals] : fraction.PadRight(decimals, '0');
        BigInteger value = BigInteger.Parse("0" + integer + kept, System.Globalization.CultureInfo.InvariantCulture);
        if (value > long.MaxValue)
        {
            return false;
        }

        raw = (long)value;
        return true;
    }
}
