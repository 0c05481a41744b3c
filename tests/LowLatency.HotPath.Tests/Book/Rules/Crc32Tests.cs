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

    [Fact]
    public void Slicing_by_eight_agrees_with_a_bitwise_crc_at_every_length_and_alignment()
    {
        var random = new Random(42);
        byte[] bytes = new byte[300];
        random.NextBytes(bytes);
        for (int offset = 0; offset < 8; offset++)
        {
            for (int length = 0; length + offset <= bytes.Length; length += 7)
            {
                ReadOnlySpan<byte> span = bytes.AsSpan(offset, length);
                Assert.Equal(Bitwise(span), Crc32.Compute(span));
            }
        }
    }

    private static uint Bitwise(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
