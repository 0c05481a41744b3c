using System.Diagnostics.CodeAnalysis;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// secp256k1 ECDSA as Ethereum uses it. Signatures are RFC 6979 deterministic (HMAC-SHA256) and low-s
/// normalised (EIP-2); the recovery id is 0 or 1 (2/3 only for the negligible r ≥ p − n case). Both backends
/// produce byte-identical output. Implementations are thread-safe; the native backend allocates nothing.
/// </summary>
public interface ISecp256k1
{
    /// <summary>Backend name for logs ("libsecp256k1" or "BouncyCastle").</summary>
    string Name { get; }

    /// <summary>True for the native libsecp256k1 backend.</summary>
    bool IsNative { get; }

    /// <summary>True if the 32 bytes are a valid secret key (1 ≤ k &lt; n).</summary>
    bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32);

    /// <summary>Writes the 65-byte uncompressed public key (0x04 || x || y); false for an invalid key.</summary>
    bool TryGetPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> uncompressedPublicKey65);

    /// <summary>Signs a 32-byte hash: writes r || s (64 bytes, s low) and the recovery id; false for an invalid key or lengths.</summary>
    bool TrySign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> rs64, out int recoveryId);

    /// <summary>Recovers the 65-byte uncompressed public key; false if r/s are out of range or no key exists.</summary>
    bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> rs64, int recoveryId, Span<byte> uncompressedPublicKey65);

    /// <summary>Verifies r || s against a 65-byte uncompressed public key; high-s signatures are rejected (as libsecp256k1).</summary>
    bool Verify(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> rs64, ReadOnlySpan<byte> uncompressedPublicKey65);
}

/// <summary>Factory for <see cref="ISecp256k1"/> backends and curve constants.</summary>
public static class Secp256k1
{
    private static readonly Lazy<ISecp256k1> s_default = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Group order n.</summary>
    public static UInt256 N { get; } = UInt256.Parse("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

    /// <summary>n / 2 (floor): the largest low-s value (EIP-2).</summary>
    public static UInt256 HalfN { get; } = N >> 1;

    /// <summary>The native backend if libsecp256k1 loads, else BouncyCastle. Each call returns a new wrapper (cheap).</summary>
    public static ISecp256k1 Create() => TryCreateNative(out ISecp256k1? native) ? native : CreateBouncyCastle();

    /// <summary>A process-wide backend chosen by <see cref="Create"/> on first use.</summary>
    public static ISecp256k1 Default => s_default.Value;

    /// <summary>The managed BouncyCastle backend (slower, allocates per call).</summary>
    public static ISecp256k1 CreateBouncyCastle() => new BouncyCastleSecp256k1();

    /// <summary>The native libsecp256k1 backend, or false if the library (with its recovery module) cannot be loaded.</summary>
    public static bool TryCreateNative([NotNullWhen(true)] out ISecp256k1? backend)
    {
        backend = NativeSecp256k1.TryGetShared();
        return backend is not null;
    }
}
