namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>
/// Signs transactions. <see cref="SignAndEncode"/> is the hot path: signing hash, signature and network encoding
/// straight into the caller's buffer, allocation-free with the native backend. Thread-safe.
/// </summary>
public static class TransactionSigner
{
    // The largest legacy chain id whose v = 35 + 2·chainId + yParity fits in 256 bits: (2^256 − 37) / 2.
    private static readonly UInt256 s_maxLegacyChainId = (UInt256.MaxValue - new UInt256(36)) >> 1;

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

    /// <summary>
    /// What a node would refuse about <paramref name="tx"/> on its own, for callers that sign instructions from outside
    /// (the <c>eth sign-tx</c> tool): the chain id policy of <see cref="Sign"/> (a typed transaction needs one; 0 only
    /// when allowed; a legacy v must fit in 256 bits), a nonce below 2^64 − 1 (EIP-2681) and the Cancun gas and fee
    /// rules of <see cref="TransactionGas.Validate"/> (intrinsic gas, EIP-3860 init code, tip ≤ fee cap, gas × price).
    /// Any thread; allocates at most an access-list enumerator. <see cref="Sign"/> itself checks only the chain id policy.
    /// </summary>
    public static TxError Validate(Transaction tx, bool allowChainIdZero = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        TxError chain = CheckChainId(tx, allowChainIdZero);
        if (chain.IsError)
        {
            return chain;
        }

        return tx.Nonce == ulong.MaxValue ? new TxError(TxErrorCode.NonceMax, TxField.Nonce) : TransactionGas.Validate(tx);
    }

    private static TxError CheckChainId(Transaction tx, bool allowChainIdZero)
    {
        if (tx.Type != TxType.Legacy && tx.ChainId is null)
        {
            return new TxError(TxErrorCode.ChainIdRequired, TxField.ChainId);
        }

        if (tx.ChainId is { IsZero: true } && !allowChainIdZero)
        {
            return new TxError(TxErrorCode.ChainIdZeroNotAllowed, TxField.ChainId);
        }

        if (tx.Type == TxType.Legacy && tx.ChainId is { } chainId && chainId > s_maxLegacyChainId)
        {
            return new TxError(TxErrorCode.ChainIdTooLarge, TxField.ChainId);
        }

        return TxError.None;
    }

    private static void CheckSignable(Transaction tx, bool allowChainIdZero)
    {
        TxError error = CheckChainId(tx, allowChainIdZero);
        switch (error.Code)
        {
            case TxErrorCode.None:
                return;
            case TxErrorCode.ChainIdRequired:
                throw new ArgumentException($"A {tx.Type} transaction needs a chain id.", nameof(tx));
            case TxErrorCode.ChainIdZeroNotAllowed:
                throw new ArgumentException("Chain id 0 is replayable on any chain that accepts it; pass allowChainIdZero: true to sign it anyway.", nameof(tx));
            default:
                throw new ArgumentException(error.Message, nameof(tx));
        }
    }
}
