using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.Tests.Crypto;

public class Secp256k1Tests
{
    private static ISecp256k1 Native => Secp256k1.TryCreateNative(out ISecp256k1? native)
        ? native
        : throw new InvalidOperationException("libsecp256k1.so.1 missing: apt-get install libsecp256k1-1");

    private static readonly ISecp256k1 s_bouncy = Secp256k1.CreateBouncyCastle();

    public static TheoryData<string> Backends => new() { "native", "bouncy" };

    private static ISecp256k1 Get(string name) => name == "native" ? Native : s_bouncy;

    [Fact]
    public void Create_prefers_native_when_present()
    {
        Assert.True(Native.IsNative);
        Assert.True(Secp256k1.Create().IsNative);
        Assert.False(s_bouncy.IsNative);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Ethers_accounts_key_to_address(string backend)
    {
        using JsonDocument doc = EthTestData.Load("ethers-testcases", "ethers__accounts__shared.json");
        ISecp256k1 curve = Get(backend);
        Span<byte> pub = stackalloc byte[65];
        int count = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            byte[] key = Hex.Decode(item.GetProperty("privateKey").GetString()!);
            Assert.True(curve.TryGetPublicKey(key, pub));
            Assert.Equal(item.GetProperty("address").GetString(), Address.FromPublicKey(pub).ToChecksumString());
            count++;
        }

        Assert.True(count > 100);
    }

    [Fact]
    public void Backends_give_byte_identical_signatures_and_both_recover()
    {
        var rng = new Random(11);
        Span<byte> key = stackalloc byte[32];
        Span<byte> hash = stackalloc byte[32];
        Span<byte> sigNative = stackalloc byte[64];
        Span<byte> sigBouncy = stackalloc byte[64];
        Span<byte> pub = stackalloc byte[65];
        Span<byte> recovered = stackalloc byte[65];
        for (int i = 0; i < 200; i++)
        {
            rng.NextBytes(key);
            rng.NextBytes(hash);
            if (!Native.IsValidPrivateKey(key))
            {
                continue;
            }

            Assert.True(Native.TrySign(hash, key, sigNative, out int recNative));
            Assert.True(s_bouncy.TrySign(hash, key, sigBouncy, out int recBouncy));
            Assert.True(sigNative.SequenceEqual(sigBouncy), $"iteration {i}");
            Assert.Equal(recNative, recBouncy);
            Assert.True(UInt256.FromBigEndian(sigNative[32..]) <= Secp256k1.HalfN);

            Assert.True(Native.TryGetPublicKey(key, pub));
            foreach (ISecp256k1 curve in new[] { Native, s_bouncy })
            {
                Assert.True(curve.TryRecover(hash, sigNative, recNative, recovered));
                Assert.True(pub.SequenceEqual(recovered));
                Assert.True(curve.Verify(hash, sigNative, pub));
                Assert.False(curve.TryRecover(hash, sigNative, recNative ^ 1, recovered) && pub.SequenceEqual(recovered));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Rfc6979_known_vector(string backend)
    {
        // web3.js accounts.sign('Some data', key) documentation example: messageHash, r, s and v = 0x1c.
        byte[] key = Hex.Decode("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        byte[] hash = Eip191.HashPersonalMessage("Some data"u8);
        Assert.Equal("0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655", Hex.Encode(hash));
        Span<byte> sig = stackalloc byte[64];
        Assert.True(Get(backend).TrySign(hash, key, sig, out int recid));
        Assert.Equal("0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a029", Hex.Encode(sig));
        Assert.Equal(1, recid);
        Span<byte> pub = stackalloc byte[65];
        Assert.True(Get(backend).TryRecover(hash, sig, recid, pub));
        Assert.Equal("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", Address.FromPublicKey(pub).ToChecksumString());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void High_s_fails_verify_but_recovers_to_the_same_key(string backend)
    {
        ISecp256k1 curve = Get(backend);
        byte[] key = Hex.Decode("0x0000000000000000000000000000000000000000000000000000000000000001");
        byte[] hash = Keccak256.Hash("hello"u8);
        Span<byte> sig = stackalloc byte[64];
        Assert.True(curve.TrySign(hash, key, sig, out int recid));
        Span<byte> pub = stackalloc byte[65];
        curve.TryGetPublicKey(key, pub);

        UInt256 s = UInt256.FromBigEndian(sig[32..]);
        (Secp256k1.N - s).ToBigEndian(sig[32..]);
        Assert.False(curve.Verify(hash, sig, pub));
        Span<byte> recovered = stackalloc byte[65];
        Assert.True(curve.TryRecover(hash, sig, recid ^ 1, recovered));
        Assert.True(pub.SequenceEqual(recovered));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Bad_inputs_are_refused(string backend)
    {
        ISecp256k1 curve = Get(backend);
        Span<byte> pub = stackalloc byte[65];
        Span<byte> sig = stackalloc byte[64];
        byte[] zeroKey = new byte[32];
        byte[] nKey = new byte[32];
        Secp256k1.N.ToBigEndian(nKey);
        Assert.False(curve.TryGetPublicKey(zeroKey, pub));
        Assert.False(curve.TryGetPublicKey(nKey, pub));
        Assert.False(curve.TryGetPublicKey(new byte[31], pub));
        Assert.False(curve.TrySign(new byte[32], zeroKey, sig, out _));
        Assert.False(curve.TrySign(new byte[31], Hex.Decode("0x0000000000000000000000000000000000000000000000000000000000000001"), sig, out _));

        // r = 0 / s = 0 / r ≥ n cannot recover.
        byte[] hash = Keccak256.Hash("x"u8);
        Assert.False(curve.TryRecover(hash, new byte[64], 0, pub));
        byte[] overflow = new byte[64];
        Secp256k1.N.ToBigEndian(overflow);
        overflow[63] = 1;
        Assert.False(curve.TryRecover(hash, overflow, 0, pub));
        Assert.False(curve.TryRecover(hash, new byte[64], 7, pub));
        Assert.False(curve.Verify(hash, new byte[64], new byte[65]));
    }

    [Fact]
    public void Native_sign_and_recover_do_not_allocate()
    {
        ISecp256k1 curve = Native;
        byte[] key = Hex.Decode("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        byte[] hash = Keccak256.Hash("payload"u8);
        Span<byte> sig = stackalloc byte[64];
        Span<byte> pub = stackalloc byte[65];
        curve.TrySign(hash, key, sig, out int recid);
        curve.TryRecover(hash, sig, recid, pub);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            curve.TrySign(hash, key, sig, out recid);
            curve.TryRecover(hash, sig, recid, pub);
            curve.Verify(hash, sig, pub);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
