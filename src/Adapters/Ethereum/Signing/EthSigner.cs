namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// Signs 32-byte hashes with one <see cref="PrivateKey"/>. Thread-safe; with the native backend the span
/// methods allocate nothing. Does not own the key (dispose it yourself).
/// </summary>
public sealed class EthSigner
{
    private readonly PrivateKey _key;

    public EthSigner(PrivateKey key, ISecp256k1? backend = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        Backend = backend ?? Secp256k1.Default;
    }

    /// <summary>The account that signs.</summary>
    public Address Address => _key.Address;

    /// <summary>The curve backend used.</summary>
    public ISecp256k1 Backend { get; }

    /// <summary>Signs a 32-byte hash (RFC 6979, low-s). Throws only on a wrong hash length or a disposed key.</summary>
    public EcdsaSignature SignHash(ReadOnlySpan<byte> hash32)
    {
        Span<byte> rs = stackalloc byte[64];
        SignHash(hash32, rs, out int recoveryId);
        return EcdsaSignature.FromCompact(rs, (byte)recoveryId);
    }

    /// <summary>Signs a 32-byte hash into r || s and the recovery id. Allocation-free on the native backend.</summary>
    public void SignHash(ReadOnlySpan<byte> hash32, Span<byte> rs64, out int recoveryId)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"A message hash is 32 bytes, got {hash32.Length}.", nameof(hash32));
        }

        if (!Backend.TrySign(hash32, _key.Secret, rs64, out recoveryId))
        {
            // The key was validated at construction, so this is a broken backend, not bad input.
            throw new InvalidOperationException($"{Backend.Name} failed to sign.");
        }
    }

    /// <summary>EIP-191 personal_sign over <paramref name="message"/>; the 65-byte form is r || s || v (v = 27/28).</summary>
    public EcdsaSignature SignPersonalMessage(ReadOnlySpan<byte> message)
    {
        Span<byte> hash = stackalloc byte[32];
        Eip191.HashPersonalMessage(message, hash);
        return SignHash(hash);
    }

    public override string ToString() => $"EthSigner({Address}, {Backend.Name})";
}
