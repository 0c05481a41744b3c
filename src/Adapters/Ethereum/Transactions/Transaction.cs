using System.Buffers;
using LowLatency.Adapters.Ethereum.Rlp;


namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>
/// An Ethereum transaction (legacy, EIP-155, EIP-2930 or EIP-1559), unsigned or signed. Immutable; build with
/// object initialisers and <c>with</c>. Encoding into caller spans (<see cref="EncodeSigned(Span{byte})"/>,
/// <see cref="WriteSigningPayload"/>) allocates nothing; the <c>byte[]</c> conveniences allocate.
/// </summary>
/// <remarks>
/// Chain id policy: for <see cref="TxType.Legacy"/>, <see cref="ChainId"/> null means an unprotected pre-EIP-155
/// transaction (v = 27/28); a value means EIP-155 (v = 35 + 2·chainId + yParity). Chain id 0 decodes (v = 35/36) but
/// <see cref="TransactionSigner"/> refuses to sign it unless explicitly allowed. Typed transactions require a chain id.
/// </remarks>
public sealed record Transaction
{
    public TxType Type { get; init; }

    /// <summary>Chain id; null only for unprotected legacy transactions.</summary>
    public UInt256? ChainId { get; init; }

    public ulong Nonce { get; init; }

    /// <summary>Gas price (legacy and EIP-2930).</summary>
    public UInt256 GasPrice { get; init; }

    /// <summary>EIP-1559 tip cap.</summary>
    public UInt256 MaxPriorityFeePerGas { get; init; }

    /// <summary>EIP-1559 fee cap.</summary>
    public UInt256 MaxFeePerGas { get; init; }

    public ulong GasLimit { get; init; }

    /// <summary>Recipient; null for contract creation.</summary>
    public Address? To { get; init; }

    public UInt256 Value { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>EIP-2930 access list (typed transactions only).</summary>
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    /// <summary>The signature, or null when unsigned.</summary>
    public EcdsaSignature? Signature { get; init; }

    public bool IsSigned => Signature.HasValue;

    public bool IsContractCreation => To is null;

    /// <summary>The fee cap used for gas × price checks: gasPrice for legacy/2930, maxFeePerGas for 1559.</summary>
    public UInt256 EffectiveGasPriceCap => Type == TxType.DynamicFee ? MaxFeePerGas : GasPrice;

    /// <summary>The legacy v value (27/28 or EIP-155); for typed transactions the y-parity. Throws if unsigned.</summary>
    public UInt256 V => ComputeV(Signature ?? throw new InvalidOperationException("Transaction is not signed."));

    private UInt256 ComputeV(EcdsaSignature sig)
    {
        if (Type != TxType.Legacy)
        {
            return sig.YParity;
        }

        if (ChainId is not { } chainId)
        {
            return (ulong)(27 + sig.YParity);
        }

        // 35 + 2·chainId + yParity; a chain id this large cannot be represented in 256 bits.
        return checked((chainId * new UInt256(2)) + new UInt256(35UL + sig.YParity));
    }

    // ------------------------------------------------------------------ encoding

    /// <summary>Length of the bytes that are hashed for signing (type byte included for typed transactions).</summary>
    public int GetSigningPayloadLength() => EnvelopeLength(PayloadLength(forSigning: true, default));

    /// <summary>Writes the signing payload; returns bytes written.</summary>
    public int WriteSigningPayload(Span<byte> dest) => Write(dest, forSigning: true, default);

    /// <summary>keccak256 of the signing payload into <paramref name="dest32"/>. Allocation-free for payloads up to 4 KiB (pooled above).</summary>
    public void GetSigningHash(Span<byte> dest32) => HashEncoding(dest32, forSigning: true, default);

    /// <summary>Length of the signed network encoding (what eth_sendRawTransaction takes). Throws if unsigned.</summary>
    public int GetEncodedLength()
    {
        return EnvelopeLength(PayloadLength(forSigning: false, RequireSigned()));
    }

    /// <summary>Writes the signed network encoding; returns bytes written. Throws if unsigned.</summary>
    public int EncodeSigned(Span<byte> dest)
    {
        return Write(dest, forSigning: false, RequireSigned());
    }

    /// <summary>The signed network encoding. Allocates.</summary>
    public byte[] EncodeSigned()
    {
        var result = new byte[GetEncodedLength()];
        EncodeSigned(result);
        return result;
    }

    /// <summary>The signing payload. Allocates.</summary>
    public byte[] EncodeSigningPayload()
    {
        var result = new byte[GetSigningPayloadLength()];
        WriteSigningPayload(result);
        return result;
    }

    /// <summary>The transaction hash (keccak256 of the signed encoding). Throws if unsigned.</summary>
    public void GetHash(Span<byte> dest32)
    {
        HashEncoding(dest32, forSigning: false, RequireSigned());
    }

    /// <summary>The transaction hash as 0x-hex. Allocates.</summary>
    public string GetHashHex()
    {
        Span<byte> hash = stackalloc byte[32];
        GetHash(hash);
        return Hex.Encode(hash);
    }

    /// <summary>Recovers the sender from the signature; false if unsigned or recovery fails.</summary>
    public bool TryRecoverSender(out Address sender, ISecp256k1? backend = null)
    {
        sender = default;
        if (Signature is not { } sig)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        Span<byte> rs = stackalloc byte[64];
        Span<byte> pub = stackalloc byte[65];
        GetSigningHash(hash);
        sig.WriteCompact(rs);
        if (!(backend ?? Secp256k1.Default).TryRecover(hash, rs, sig.YParity, pub))
        {
            return false;
        }

        sender = Address.FromPublicKey(pub);
        return true;
    }

    private EcdsaSignature RequireSigned() => Signature ?? throw new InvalidOperationException("Transaction is not signed.");

    /// <summary>Length of the signed encoding with <paramref name="signature"/> (this transaction's own is ignored).</summary>
    internal int GetEncodedLength(EcdsaSignature signature) => EnvelopeLength(PayloadLength(forSigning: false, signature));

    /// <summary>Writes the signed encoding with <paramref name="signature"/>, without allocating a signed copy.</summary>
    internal int EncodeSigned(Span<byte> dest, EcdsaSignature signature) => Write(dest, forSigning: false, signature);

    private void HashEncoding(Span<byte> dest32, bool forSigning, EcdsaSignature sig)
    {
        int length = EnvelopeLength(PayloadLength(forSigning, sig));
        byte[]? rented = null;
        Span<byte> buffer = length <= 4096 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        Write(buffer, forSigning, sig);
        Keccak256.Hash(buffer, dest32);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private int EnvelopeLength(int payloadLength) => (Type == TxType.Legacy ? 0 : 1) + RlpCodec.LengthOfList(payloadLength);

    private UInt256 RequireChainId() =>
        ChainId ?? throw new InvalidOperationException($"A {Type} transaction needs a chain id.");

    private int ToLength => To.HasValue ? RlpCodec.LengthOfAddress : 1;

    private int PayloadLength(bool forSigning, EcdsaSignature sig)
    {
        int len = RlpCodec.LengthOfUInt64(Nonce) + RlpCodec.LengthOfUInt64(GasLimit) + ToLength
            + RlpCodec.LengthOfUInt256(Value) + RlpCodec.LengthOfBytes(Data.Span);
        switch (Type)
        {
            case TxType.Legacy:
                len += RlpCodec.LengthOfUInt256(GasPrice);
                if (forSigning)
                {
                    if (ChainId is { } chainId)
                    {
                        len += RlpCodec.LengthOfUInt256(chainId) + 2;
                    }
                }
                else
                {
                    len += RlpCodec.LengthOfUInt256(ComputeV(sig)) + RlpCodec.LengthOfUInt256(sig.R) + RlpCodec.LengthOfUInt256(sig.S);
                }

                return len;
            case TxType.AccessList:
            case TxType.DynamicFee:
                len += RlpCodec.LengthOfUInt256(RequireChainId()) + RlpCodec.LengthOfList(AccessListPayloadLength());
                len += Type == TxType.AccessList
                    ? RlpCodec.LengthOfUInt256(GasPrice)
                    : RlpCodec.LengthOfUInt256(MaxPriorityFeePerGas) + RlpCodec.LengthOfUInt256(MaxFeePerGas);
                if (!forSigning)
                {
                    len += 1 + RlpCodec.LengthOfUInt256(sig.R) + RlpCodec.LengthOfUInt256(sig.S);
                }

                return len;
            default:
                throw new InvalidOperationException($"Unsupported transaction type {Type}.");
        }
    }

    private int AccessListPayloadLength()
    {
        // Indexed loops: foreach over IReadOnlyList boxes an enumerator on the signing hot path.
        int total = 0;
        IReadOnlyList<AccessListEntry> list = AccessList;
        for (int i = 0; i < list.Count; i++)
        {
            total += RlpCodec.LengthOfList(EntryPayloadLength(list[i]));
        }

        return total;
    }

    private static int EntryPayloadLength(AccessListEntry entry) =>
        RlpCodec.LengthOfAddress + RlpCodec.LengthOfList(entry.StorageKeys.Count * 33);

    private int Write(Span<byte> dest, bool forSigning, EcdsaSignature sig)
    {
        int payload = PayloadLength(forSigning, sig);
        int total = EnvelopeLength(payload);
        if (dest.Length < total)
        {
            throw new ArgumentException($"Destination needs {total} bytes.", nameof(dest));
        }

        var w = new RlpWriter(dest);
        if (Type != TxType.Legacy)
        {
            w.WriteRawByte((byte)Type);
        }

        w.WriteListHeader(payload);
        if (Type != TxType.Legacy)
        {
            w.WriteUInt256(RequireChainId());
        }

        w.WriteUInt64(Nonce);
        if (Type == TxType.DynamicFee)
        {
            w.WriteUInt256(MaxPriorityFeePerGas);
            w.WriteUInt256(MaxFeePerGas);
        }
        else
        {
            w.WriteUInt256(GasPrice);
        }

        w.WriteUInt64(GasLimit);
        if (To is { } to)
        {
            w.WriteAddress(to);
        }
        else
        {
            w.WriteBytes([]);
        }

        w.WriteUInt256(Value);
        w.WriteBytes(Data.Span);

        if (Type == TxType.Legacy)
        {
            if (forSigning)
            {
                if (ChainId is { } chainId)
                {
                    w.WriteUInt256(chainId);
                    w.WriteUInt64(0);
                    w.WriteUInt64(0);
                }
            }
            else
            {
                w.WriteUInt256(ComputeV(sig));
                w.WriteUInt256(sig.R);
                w.WriteUInt256(sig.S);
            }

            return w.Position;
        }

        w.WriteListHeader(AccessListPayloadLength());
        Span<byte> key = stackalloc byte[32];
        IReadOnlyList<AccessListEntry> list = AccessList;
        for (int i = 0; i < list.Count; i++)
        {
            AccessListEntry entry = list[i];
            w.WriteListHeader(EntryPayloadLength(entry));
            w.WriteAddress(entry.Address);
            IReadOnlyList<UInt256> keys = entry.StorageKeys;
            w.WriteListHeader(keys.Count * 33);
            for (int k = 0; k < keys.Count; k++)
            {
                keys[k].ToBigEndian(key);
                w.WriteBytes(key);
            }
        }

        if (!forSigning)
        {
            w.WriteUInt64(sig.YParity);
            w.WriteUInt256(sig.R);
            w.WriteUInt256(sig.S);
        }

        return w.Position;
    }

    // ------------------------------------------------------------------ equality (content, not references)

    public bool Equals(Transaction? other)
    {
        if (other is null)
        {
            return false;
        }

        if (Type != other.Type || ChainId != other.ChainId || Nonce != other.Nonce || GasPrice != other.GasPrice
            || MaxPriorityFeePerGas != other.MaxPriorityFeePerGas || MaxFeePerGas != other.MaxFeePerGas
            || GasLimit != other.GasLimit || To != other.To || Value != other.Value || Signature != other.Signature
            || !Data.Span.SequenceEqual(other.Data.Span) || AccessList.Count != other.AccessList.Count)
        {
            return false;
        }

        for (int i = 0; i < AccessList.Count; i++)
        {
            if (!AccessList[i].Equals(other.AccessList[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode() => HashCode.Combine(Type, ChainId, Nonce, GasLimit, To, Value, Data.Length, Signature);
}
