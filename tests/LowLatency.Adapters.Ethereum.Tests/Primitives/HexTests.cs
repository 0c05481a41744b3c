namespace LowLatency.Adapters.Ethereum.Tests.Primitives;

public class HexTests
{
    [Theory]
    [InlineData("0x", "")]
    [InlineData("", "")]
    [InlineData("0x00ff10", "00ff10")]
    [InlineData("0XABcd", "abcd")]
    [InlineData("deadBEEF", "deadbeef")]
    public void Decodes_and_reencodes_lowercase(string input, string expectedLower)
    {
        byte[] bytes = Hex.Decode(input);
        Assert.Equal(expectedLower, Hex.Encode(bytes, prefix: false));
        Assert.Equal("0x" + expectedLower, Hex.Encode(bytes));
    }

    [Theory]
    [InlineData("0x0")]
    [InlineData("abc")]
    [InlineData("0xzz")]
    [InlineData("0x12g4")]
    [InlineData("0x 12")]
    public void Rejects_bad_hex(string input)
    {
        Span<byte> dest = stackalloc byte[8];
        Assert.False(Hex.TryDecode(input, dest, out _));
        FormatException ex = Assert.Throws<FormatException>(() => Hex.Decode(input));
        Assert.Contains("Hex", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_rejects_too_small_destination()
    {
        Span<byte> dest = stackalloc byte[1];
        Assert.False(Hex.TryDecode("0x0102", dest, out _));
    }

    [Fact]
    public void Large_input_round_trips()
    {
        byte[] data = new byte[5000];
        new Random(1).NextBytes(data);
        Assert.Equal(data, Hex.Decode(Hex.Encode(data)));
    }
}
