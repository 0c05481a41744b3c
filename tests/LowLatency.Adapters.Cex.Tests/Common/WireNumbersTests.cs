using System.Text;
using LowLatency.Adapters.Cex.Common;

namespace LowLatency.Adapters.Cex.Tests.Common;

public sealed class WireNumbersTests
{
    [Theory]
    [InlineData("974947235", 974947235L, ParseError.None)]
    [InlineData("4294967295", 4294967295L, ParseError.None)]
    [InlineData("4294967296", 0L, ParseError.Overflow)]
    [InlineData("12.0", 0L, ParseError.NotANumber)]
    [InlineData("-1", 0L, ParseError.Negative)]
    [InlineData("", 0L, ParseError.NotANumber)]
    [InlineData("1e3", 0L, ParseError.NotANumber)]
    [InlineData("99999999999999999999", 0L, ParseError.Overflow)]
    public void Integers_go_through_the_one_decimal_parser(string text, long expected, ParseError error)
    {
        bool ok = WireNumbers.TryParseInteger(Encoding.ASCII.GetBytes(text), uint.MaxValue, out long value, out ParseError why);
        Assert.Equal(error == ParseError.None, ok);
        Assert.Equal(error, why);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1633998512.063357", 1_633_998_512_063_357_000L, ParseError.None)]
    [InlineData("1633998512", 1_633_998_512_000_000_000L, ParseError.None)]
    [InlineData("1.0000000019", 0L, ParseError.TooPrecise)]
    [InlineData("9999999999", 0L, ParseError.Overflow)] // past 2262
    [InlineData("1.2.3", 0L, ParseError.NotANumber)]
    public void Decimal_seconds_become_exact_nanoseconds(string text, long expected, ParseError error)
    {
        bool ok = WireNumbers.TryParseSecondsToNs(Encoding.ASCII.GetBytes(text), out long ns, out ParseError why);
        Assert.Equal(error == ParseError.None, ok);
        Assert.Equal(error, why);
        if (ok)
        {
            Assert.Equal(expected, ns);
        }
    }

    [Theory]
    [InlineData("1652459225464", 1_652_459_225_464_000_000L, true)]
    [InlineData("9223372036855", 0L, false)] // the first millisecond whose ns overflow
    public void Milliseconds_become_nanoseconds_until_2262(string text, long expected, bool ok)
    {
        Assert.Equal(ok, WireNumbers.TryParseMillisToNs(Encoding.ASCII.GetBytes(text), out long ns, out _));
        if (ok)
        {
            Assert.Equal(expected, ns);
        }
    }
}
