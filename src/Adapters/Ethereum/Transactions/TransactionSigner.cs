namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>
/// Signs transactions. <see cref="SignAndEncode"/> is the hot path: signing hash, signature and network encoding
/// straight into the caller's buffer, allocation-free with the native backend. Thread-safe.
/// </summary>
public static class TransactionSigner
{
    /// <summary>Returns a signed copy of <paramref name="tx"/>. Allocates the copy.</summary>
    /// <param name="allowChainIdZero">EIP-155 with chain id 0 (v = 35/36) is refused unless this is set (see README).</param>
    public static Transaction Sign(Transaction tx, EthSigner signer, bool allowChainIdZero = false)
    {
        EcdsaSignature signature = SignatureFor(tx, signer, allowChainIdZero);
        return tx with { Signature = signature };
    }

    /// <summary>Computes the signature <paramref name="tx"/> would carry, without copying it.</summary>
    public static EcdsaSignature SignatureFor(Transaction tx, EthSigner signer, bool allowChainIdZero = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(signer);
        CheckSignable(tx, allowChainIdZero);
        Span<byte> hash = stackalloc byte[32];
        tx.GetSigningHash(hash);
        return signer.SignHash(hash);
    }

    /// <summary>
    /// Signs and writes the network encoding into <paramref name="dest"/>; returns bytes written. Allocation-free with the
    /// native backend (signing payloads over 4 KiB use a pooled buffer).
    /// </summary>
    public static int SignAndEncode(Transaction tx, EthSigner signer, Span<byte> dest, out EcdsaSignature signature, bool allowChainIdZero = false)
    {
        signature = SignatureFor(tx, signer, allowChainIdZero);
        return tx.EncodeSigned(dest, signature);
    }

    /// <summary>Upper bound of the encoded size once signed (r and s at most 33 bytes each).</summary>
    public static int MaxEncodedLength(Transaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var worst = new EcdsaSignature(Secp256k1.N, Secp256k1.N, 1);
        return tx.GetEncodedLength(worst);
    }

    private static void CheckSignable(Transaction tx, bool allowChainIdZero)
    {
        if (tx.Type != TxType.Legacy && tx.ChainId is null)
        {
            throw new ArgumentException($"A {tx.Type} transaction needs a chain id.", nameof(tx));
        }

        if (tx.ChainId is { IsZero: true } && !allowChainIdZero)
        {
            throw new ArgumentException("Chain id 0 is replayable on any chain that accepts it; pass allowChainIdZero: true to sign it anyway.", nameof(tx));
        }
    }
}
