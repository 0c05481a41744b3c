using System.Text;
using LowLatency.HotPath.Book;

namespace LowLatency.HotPath.Tests.Book.Rules;

public sealed class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)] // the CRC-32/ISO-HDLC check value
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Matches_the_standard_check_values(string text, uint expected)
    {
        Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Incremental_equals_one_shot()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("30261.1:4:30261:0.5");
        uint running = Crc32.Begin;
        running = Crc32.Append(running, bytes.AsSpan(0, 7));
        running = Crc32.Append(running, bytes[7]);
        running = Crc32.Append(running, bytes.AsSpan(8));
        Assert.Equal(Crc32.Compute(bytes), Crc32.End(running));
    }
}
