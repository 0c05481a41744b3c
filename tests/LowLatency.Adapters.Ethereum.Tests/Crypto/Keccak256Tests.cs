using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Digests;

namespace LowLatency.Adapters.Ethereum.Tests.Crypto;

public class Keccak256Tests
{
    [Fact]
    public void Ethers_hash_vectors()
    {
        using JsonDocument doc = EthTestData.Load("ethers-testcases", "ethers__hashes__shared.json");
        int count = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            byte[] data = Hex.Decode(item.GetProperty("data").GetString()!);
            Assert.Equal(item.GetProperty("keccak256").GetString(), Hex.Encode(Keccak256.Hash(data)));
            count++;
        }

        Assert.True(count > 100);
    }

    [Theory]
    [InlineData("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    public void Known_answers(string text, string expected) =>
        Assert.Equal(expected, Hex.Encode(Keccak256.Hash(Encoding.ASCII.GetBytes(text))));

    [Fact]
    public void Matches_BouncyCastle_on_every_length_around_the_rate()
    {
        var rng = new Random(3);
        Span<byte> ours = stackalloc byte[32];
        for (int len = 0; len < 700; len++)
        {
            byte[] data = new byte[len];
            rng.NextBytes(data);
            Keccak256.Hash(data, ours);
            var digest = new KeccakDigest(256);
            digest.BlockUpdate(data, 0, data.Length);
            byte[] theirs = new byte[32];
            digest.DoFinal(theirs, 0);
            Assert.True(ours.SequenceEqual(theirs), $"length {len}");
        }
    }

    [Fact]
    public void Span_overload_does_not_allocate()
    {
        byte[] data = new byte[200];
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(data, hash);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Keccak256.Hash(data, hash);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Rejects_short_destination() => Assert.Throws<ArgumentException>(() => Keccak256.Hash([1, 2], new byte[31]));
}
