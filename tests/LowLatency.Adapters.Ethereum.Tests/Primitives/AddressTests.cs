using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.Tests.Primitives;

public class AddressTests
{
    // EIP-55 examples from the EIP text.
    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55_examples(string checksummed)
    {
        Address a = Address.Parse(checksummed.ToLowerInvariant());
        Assert.Equal(checksummed, a.ToChecksumString());
        Assert.Equal(checksummed, a.ToString());
        Assert.True(Address.IsValidChecksum(checksummed));
        Assert.True(Address.TryParse(checksummed.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal), out Address upper));
        Assert.Equal(a, upper);
    }

    [Fact]
    public void Ethers_accounts_checksums()
    {
        using JsonDocument doc = EthTestData.Load("ethers-testcases", "ethers__accounts__shared.json");
        int count = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            string address = item.GetProperty("address").GetString()!;
            Address parsed = Address.Parse(address);
            Assert.Equal(address, parsed.ToChecksumString());
            Assert.True(Address.IsValidChecksum(address));
            count++;
        }

        Assert.True(count > 100);
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")] // one letter's case flipped
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae")] // 39 digits
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00")] // 42 digits
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg")] // not hex
    [InlineData("")]
    public void Rejects_bad_addresses(string text)
    {
        Assert.False(Address.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Address.Parse(text));
    }

    [Fact]
    public void Lowercase_is_not_a_valid_checksum_but_parses()
    {
        const string lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
        Assert.True(Address.TryParse(lower, out _));
        Assert.False(Address.IsValidChecksum(lower));
    }

    [Fact]
    public void Bytes_round_trip_and_equality()
    {
        byte[] raw = Hex.Decode("0x00000000000000000000000000000000000000ff");
        var a = new Address(raw);
        Assert.Equal(raw, a.ToArray());
        Assert.Equal(a, Address.Parse("0x00000000000000000000000000000000000000FF"));
        Assert.NotEqual(Address.Zero, a);
        Assert.True(Address.Zero.IsZero);
        Assert.Throws<ArgumentException>(() => new Address(new byte[19]));
    }
}
