using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Common;

public sealed class LevelParserTests
{
    [Theory]
    [InlineData("0.35130000", 8)]
    [InlineData("9223372036854775807", 0)]
    [InlineData("9223372036854775808", 0)]
    [InlineData("922337203685477580.7", 1)]
    [InlineData("92233720368.54775807", 8)]
    [InlineData("92233720368.54775808", 8)]
    [InlineData("000000000000000000000000001", 0)]
    [InlineData("99999999999999999999", 0)]
    [InlineData(".5", 1)]
    [InlineData("5.", 1)]
    [InlineData(".", 1)]
    [InlineData(".000", 0)]
    [InlineData("1.2300", 2)]
    [InlineData("1.2301", 2)]
    [InlineData("", 2)]
    [InlineData("1e5", 2)]
    [InlineData("+1", 2)]
    [InlineData("1..2", 2)]
    [InlineData("1", 18)]
    [InlineData("10", 18)]
    public void Fast_parse_agrees_with_FixedPoint(string text, int decimals)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        bool expected = FixedPoint.TryParse(bytes, decimals, out long expectedRaw);
        Assert.Equal(expected, LevelParser.TryParseFixed(bytes, decimals, out long raw));
        Assert.Equal(expectedRaw, raw);
    }

    [Fact]
    public void Fast_parse_agrees_with_FixedPoint_on_random_inputs()
    {
        var random = new Random(12345);
        byte[] alphabet = "0123456789..9-"u8.ToArray();
        var buffer = new byte[24];
        for (int n = 0; n < 200_000; n++)
        {
            int length = random.Next(0, buffer.Length);
            for (int i = 0; i < length; i++)
            {
                buffer[i] = alphabet[random.Next(alphabet.Length)];
            }

            int decimals = random.Next(0, 19);
            ReadOnlySpan<byte> text = buffer.AsSpan(0, length);
            bool expected = FixedPoint.TryParse(text, decimals, out long expectedRaw);
            bool actual = LevelParser.TryParseFixed(text, decimals, out long raw);
            Assert.True(expected == actual && expectedRaw == raw, $"'{Encoding.ASCII.GetString(text)}' @ {decimals}: {expected}/{expectedRaw} vs {actual}/{raw}");
        }
    }
}
