using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Testing;
using LowLatency.Testing.Anvil;

namespace LowLatency.Adapters.Ethereum.Tests.Flashbots;

public sealed class FlashbotsAuthTests
{
    private static JsonElement Vectors()
    {
        var path = Path.Combine(SharedData.Root, "eth", "flashbots", "x_flashbots_signature_vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("vectors").Clone();
    }

    public static TheoryData<string> Backends() => ["native", "bouncycastle"];

    private static ISecp256k1 Backend(string name) =>
        name == "native" && Secp256k1.TryCreateNative(out var native) ? native : Secp256k1.CreateBouncyCastle();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Sign_vector_reproduces_the_header_byte_for_byte(string backendName)
    {
        var backend = Backend(backendName);
        var vector = Vectors()[0];
        using var key = PrivateKey.FromHex(vector.GetProperty("privateKey").GetString(), backend);
        var signer = new EthSigner(key, backend);
        var body = Encoding.UTF8.GetBytes(vector.GetProperty("body").GetString()!);

        Assert.Equal(vector.GetProperty("keccak256Body").GetString(), Hex.Encode(Keccak256.Hash(body)));
        Assert.Equal(vector.GetProperty("expectedAddress").GetString(), signer.Address.ToChecksumString());
        var header = FlashbotsAuth.CreateHeader(signer, body);
        Assert.Equal(vector.GetProperty("expectedHeader").GetString(), header);

        Assert.True(FlashbotsAuth.TryVerify(header, body, out var recovered, backend));
        Assert.Equal(signer.Address, recovered);
    }

    [Fact]
    public void MetaMask_vector_verifies_by_recovery()
    {
        var vector = Vectors()[1];
        var body = Encoding.UTF8.GetBytes(vector.GetProperty("body").GetString()!);
        Assert.True(FlashbotsAuth.TryVerify(vector.GetProperty("header").GetString(), body, out var signer));
        Assert.Equal(vector.GetProperty("expectedRecoveredAddress").GetString(), signer.ToChecksumString());
    }

    [Fact]
    public void Tampered_headers_and_bodies_do_not_verify()
    {
        var vector = Vectors()[1];
        var header = vector.GetProperty("header").GetString()!;
        var body = "Hello"u8.ToArray();
        Assert.False(FlashbotsAuth.TryVerify(header, "Hello!"u8, out _));
        Assert.False(FlashbotsAuth.TryVerify(null, body, out _));
        Assert.False(FlashbotsAuth.TryVerify("", body, out _));
        Assert.False(FlashbotsAuth.TryVerify(header[..^2], body, out _));
        // Another valid address in front of the signature.
        Assert.False(FlashbotsAuth.TryVerify("0x96216849c49358B10257cb55b28eA603c874b05E" + header[42..], body, out _));
        // v outside 27/28.
        Assert.False(FlashbotsAuth.TryVerify(header[..^2] + "01", body, out _));
        // Not hex.
        Assert.False(FlashbotsAuth.TryVerify(header[..^2] + "zz", body, out _));
        // High-s: replace s by n - s and flip v; recovery would succeed, but Ethereum rejects malleable signatures.
        var rsv = Hex.Decode(header[45..]);
        var s = UInt256.FromBigEndian(rsv.AsSpan(32, 32));
        (Secp256k1.N - s).ToBigEndian(rsv.AsSpan(32, 32));
        rsv[64] = (byte)(rsv[64] == 27 ? 28 : 27);
        Assert.False(FlashbotsAuth.TryVerify(header[..45] + Hex.Encode(rsv, prefix: false), body, out _));
    }

    [Fact]
    public void Random_bodies_round_trip_and_the_header_is_well_formed()
    {
        var random = new Random(7);
        using var key = PrivateKey.FromHex(AnvilFixture.DevKeys[0].PrivateKey);
        var signer = new EthSigner(key);
        for (var i = 0; i < 50; i++)
        {
            var body = new byte[random.Next(0, 3000)];
            random.NextBytes(body);
            var header = FlashbotsAuth.CreateHeader(signer, body);
            Assert.Equal(FlashbotsAuth.HeaderLength, header.Length);
            Assert.StartsWith(AnvilFixture.DevKeys[0].Address + ":0x", header, StringComparison.Ordinal);
            Assert.Equal(header[45..].ToLowerInvariant(), header[45..]);
            Assert.True(FlashbotsAuth.TryVerify(header, body, out var who));
            Assert.Equal(signer.Address, who);
        }
    }

    [Fact]
    public void WriteHeader_does_not_allocate_with_the_native_backend()
    {
        Assert.True(Secp256k1.TryCreateNative(out var native), "libsecp256k1 not installed");
        using var key = PrivateKey.FromHex(AnvilFixture.DevKeys[0].PrivateKey, native);
        var signer = new EthSigner(key, native);
        var body = new byte[1024];
        var dest = new char[FlashbotsAuth.HeaderLength];
        FlashbotsAuth.WriteHeader(signer, body, dest);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            FlashbotsAuth.WriteHeader(signer, body, dest);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
