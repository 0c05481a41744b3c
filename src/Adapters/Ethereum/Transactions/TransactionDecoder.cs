using System.Diagnostics.CodeAnalysis;
using LowLatency.Adapters.Ethereum.Rlp;

namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>
/// Decodes raw signed transactions (network encoding) strictly, validates them like ethereum/tests at Cancun and
/// recovers the sender. Errors are values (<see cref="TxError"/>), never exceptions. Thread-safe; allocates the
/// resulting <see cref="Transaction"/> (off the hot path).
/// </summary>
public static class TransactionDecoder
{
    /// <summary>Decodes and validates with <see cref="TxRules.Default"/> (no chain id check).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out Transaction? tx, out TxError error) =>
        TryDecode(raw, TxRules.Default, out tx, out _, out error);

    /// <summary>Decodes, validates with <paramref name="rules"/> and recovers the sender.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> raw, TxRules rules, [NotNullWhen(true)] out Transaction? tx, out Address sender, out TxError error, ISecp256k1? backend = null)
    {
        sender = default;
        if (!TryDecodeUnchecked(raw, out tx, out error))
        {
            return false;
        }

        error = Validate(tx, rules);
        if (error.IsError)
        {
            tx = null;
            return false;
        }

        if (!tx.TryRecoverSender(out sender, backend))
        {
            tx = null;
            error = new TxError(TxErrorCode.RecoveryFailed);
            return false;
        }

        return true;
    }

    /// <summary>Validates decoded signature values, chain id and (optionally) gas rules.</summary>
    public static TxError Validate(Transaction tx, TxRules rules)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (tx.Signature is not { } sig)
        {
            return new TxError(TxErrorCode.InvalidSignatureValues);
        }

        // EIP-2: 0 < r < n, 0 < s <= n/2.
        if (sig.R.IsZero || sig.R >= Secp256k1.N)
        {
            return new TxError(TxErrorCode.InvalidSignatureValues, TxField.R);
        }

        if (sig.S.IsZero || sig.S > Secp256k1.HalfN)
        {
            return new TxError(TxErrorCode.InvalidSignatureValues, TxField.S);
        }

        if (rules.ExpectedChainId is { } expected && tx.ChainId is { } chainId && chainId != expected)
        {
            return new TxError(TxErrorCode.WrongChainId, TxField.ChainId);
        }

        if (rules.RequireReplayProtection && tx.ChainId is null)
        {
            return new TxError(TxErrorCode.ReplayUnprotected, TxField.V);
        }

        return rules.ValidateGas ? TransactionGas.Validate(tx) : TxError.None;
    }

    /// <summary>Strict structural decode only: canonical RLP, field types, sizes and v. No signature or gas rules.</summary>
    public static bool TryDecodeUnchecked(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out Transaction? tx, out TxError error)
    {
        tx = null;
        if (raw.IsEmpty)
        {
            error = new TxError(TxErrorCode.EmptyInput);
            return false;
        }

        TxType type;
        ReadOnlySpan<byte> body;
        if (raw[0] >= 0xc0)
        {
            type = TxType.Legacy;
            body = raw;
        }
        else if (raw[0] is (byte)TxType.AccessList or (byte)TxType.DynamicFee)
        {
            type = (TxType)raw[0];
            body = raw[1..];
        }
        else
        {
            error = new TxError(TxErrorCode.TypeNotSupported, TxField.Envelope);
            return false;
        }

        var outer = new RlpReader(body);
        if (!outer.TryReadList(out RlpReader r))
        {
            error = new TxError(TxErrorCode.RlpMalformed, TxField.Envelope, outer.Error);
            return false;
        }

        if (!outer.IsEnd)
        {
            error = new TxError(TxErrorCode.RlpMalformed, TxField.Envelope, RlpError.TrailingBytes);
            return false;
        }

        return type == TxType.Legacy ? TryDecodeLegacy(ref r, out tx, out error) : TryDecodeTyped(type, ref r, out tx, out error);
    }

    private static bool TryDecodeLegacy(ref RlpReader r, [NotNullWhen(true)] out Transaction? tx, out TxError error)
    {
        tx = null;
        if (!ReadNonce(ref r, out ulong nonce, out error)
            || !ReadUInt256(ref r, TxField.GasPrice, out UInt256 gasPrice, out error)
            || !ReadUInt64(ref r, TxField.GasLimit, out ulong gasLimit, out error)
            || !ReadTo(ref r, out Address? to, out error)
            || !ReadUInt256(ref r, TxField.Value, out UInt256 value, out error)
            || !ReadData(ref r, out byte[] data, out error)
            || !ReadUInt256(ref r, TxField.V, out UInt256 v, out error, TxErrorCode.InvalidV)
            || !ReadUInt256(ref r, TxField.R, out UInt256 sigR, out error, TxErrorCode.InvalidSignatureValues)
            || !ReadUInt256(ref r, TxField.S, out UInt256 sigS, out error, TxErrorCode.InvalidSignatureValues)
            || !ReadEnd(ref r, out error))
        {
            return false;
        }

        UInt256? chainId;
        byte yParity;
        if (v == new UInt256(27) || v == new UInt256(28))
        {
            chainId = null;
            yParity = (byte)((ulong)v - 27);
        }
        else if (v >= new UInt256(35))
        {
            // EIP-155; v = 35/36 decodes as chain id 0 (see README chain id policy).
            UInt256 offset = v - new UInt256(35);
            chainId = offset >> 1;
            yParity = (byte)(offset.U0 & 1);
        }
        else
        {
            error = new TxError(TxErrorCode.InvalidV, TxField.V);
            return false;
        }

        tx = new Transaction
        {
            Type = TxType.Legacy,
            ChainId = chainId,
            Nonce = nonce,
            GasPrice = gasPrice,
            GasLimit = gasLimit,
            To = to,
            Value = value,
            Data = data,
            Signature = new EcdsaSignature(sigR, sigS, yParity),
        };
        return true;
    }

    private static bool TryDecodeTyped(TxType type, ref RlpReader r, [NotNullWhen(true)] out Transaction? tx, out TxError error)
    {
        tx = null;
        UInt256 gasPrice = default, maxPriority = default, maxFee = default;
        if (!ReadUInt256(ref r, TxField.ChainId, out UInt256 chainId, out error) || !ReadNonce(ref r, out ulong nonce, out error))
        {
            return false;
        }

        bool feesOk = type == TxType.DynamicFee
            ? ReadUInt256(ref r, TxField.MaxPriorityFeePerGas, out maxPriority, out error) && ReadUInt256(ref r, TxField.MaxFeePerGas, out maxFee, out error)
            : ReadUInt256(ref r, TxField.GasPrice, out gasPrice, out error);
        if (!feesOk
            || !ReadUInt64(ref r, TxField.GasLimit, out ulong gasLimit, out error)
            || !ReadTo(ref r, out Address? to, out error)
            || !ReadUInt256(ref r, TxField.Value, out UInt256 value, out error)
            || !ReadData(ref r, out byte[] data, out error)
            || !ReadAccessList(ref r, out List<AccessListEntry> accessList, out error)
            || !ReadUInt256(ref r, TxField.V, out UInt256 yParity, out error, TxErrorCode.InvalidV)
            || !ReadUInt256(ref r, TxField.R, out UInt256 sigR, out error, TxErrorCode.InvalidSignatureValues)
            || !ReadUInt256(ref r, TxField.S, out UInt256 sigS, out error, TxErrorCode.InvalidSignatureValues)
            || !ReadEnd(ref r, out error))
        {
            return false;
        }

        if (yParity > UInt256.One)
        {
            error = new TxError(TxErrorCode.InvalidV, TxField.V);
            return false;
        }

        tx = new Transaction
        {
            Type = type,
            ChainId = chainId,
            Nonce = nonce,
            GasPrice = gasPrice,
            MaxPriorityFeePerGas = maxPriority,
            MaxFeePerGas = maxFee,
            GasLimit = gasLimit,
            To = to,
            Value = value,
            Data = data,
            AccessList = accessList,
            Signature = new EcdsaSignature(sigR, sigS, (byte)yParity.U0),
        };
        return true;
    }

    // ------------------------------------------------------------------ field readers

    private static bool ReadString(ref RlpReader r, TxField field, out ReadOnlySpan<byte> bytes, out TxError error)
    {
        bytes = default;
        if (r.IsEnd)
        {
            error = new TxError(TxErrorCode.WrongFieldCount, field);
            return false;
        }

        if (r.NextIsList)
        {
            error = new TxError(TxErrorCode.FieldIsList, field);
            return false;
        }

        if (!r.TryReadBytes(out bytes))
        {
            error = new TxError(TxErrorCode.RlpMalformed, field, r.Error);
            return false;
        }

        error = TxError.None;
        return true;
    }

    private static bool ReadInteger(ref RlpReader r, TxField field, int maxBytes, TxErrorCode overflow, out ReadOnlySpan<byte> bytes, out TxError error)
    {
        if (!ReadString(ref r, field, out bytes, out error))
        {
            return false;
        }

        if (bytes.Length > 0 && bytes[0] == 0)
        {
            error = new TxError(TxErrorCode.LeadingZeros, field);
            return false;
        }

        if (bytes.Length > maxBytes)
        {
            error = new TxError(overflow, field);
            return false;
        }

        return true;
    }

    private static bool ReadUInt256(ref RlpReader r, TxField field, out UInt256 value, out TxError error, TxErrorCode overflow = TxErrorCode.IntegerOverflow)
    {
        value = default;
        if (!ReadInteger(ref r, field, 32, overflow, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        value = UInt256.FromBigEndian(bytes);
        return true;
    }

    private static bool ReadUInt64(ref RlpReader r, TxField field, out ulong value, out TxError error)
    {
        value = 0;
        if (!ReadInteger(ref r, field, 8, TxErrorCode.IntegerOverflow, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return true;
    }

    private static bool ReadNonce(ref RlpReader r, out ulong nonce, out TxError error)
    {
        nonce = 0;
        if (!ReadInteger(ref r, TxField.Nonce, 8, TxErrorCode.NonceOverflow, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        foreach (byte b in bytes)
        {
            nonce = (nonce << 8) | b;
        }

        if (nonce == ulong.MaxValue)
        {
            error = new TxError(TxErrorCode.NonceMax, TxField.Nonce);
            return false;
        }

        return true;
    }

    private static bool ReadTo(ref RlpReader r, out Address? to, out TxError error)
    {
        to = null;
        if (!ReadString(ref r, TxField.To, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length == 0)
        {
            return true;
        }

        if (bytes.Length != Address.Size)
        {
            error = new TxError(TxErrorCode.AddressWrongLength, TxField.To);
            return false;
        }

        to = new Address(bytes);
        return true;
    }

    private static bool ReadData(ref RlpReader r, out byte[] data, out TxError error)
    {
        data = [];
        if (!ReadString(ref r, TxField.Data, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        data = bytes.ToArray();
        return true;
    }

    private static bool ReadAccessList(ref RlpReader r, out List<AccessListEntry> entries, out TxError error)
    {
        entries = [];
        if (r.IsEnd)
        {
            error = new TxError(TxErrorCode.WrongFieldCount, TxField.AccessList);
            return false;
        }

        if (!r.TryReadList(out RlpReader list))
        {
            error = new TxError(r.Error == RlpError.ExpectedList ? TxErrorCode.AccessListMalformed : TxErrorCode.RlpMalformed, TxField.AccessList, r.Error);
            return false;
        }

        while (!list.IsEnd)
        {
            if (!list.TryReadList(out RlpReader entry)
                || !entry.TryReadBytes(out ReadOnlySpan<byte> addressBytes)
                || addressBytes.Length != Address.Size
                || !entry.TryReadList(out RlpReader keys))
            {
                error = new TxError(TxErrorCode.AccessListMalformed, TxField.AccessList, list.Error != RlpError.None ? list.Error : entry.Error);
                return false;
            }

            if (!entry.IsEnd)
            {
                error = new TxError(TxErrorCode.AccessListMalformed, TxField.AccessList, RlpError.TrailingBytes);
                return false;
            }

            var storageKeys = new List<UInt256>();
            while (!keys.IsEnd)
            {
                if (!keys.TryReadBytes(out ReadOnlySpan<byte> key))
                {
                    error = new TxError(TxErrorCode.AccessListMalformed, TxField.AccessList, keys.Error);
                    return false;
                }

                if (key.Length != 32)
                {
                    error = new TxError(TxErrorCode.AccessListStorageKeyWrongLength, TxField.AccessList);
                    return false;
                }

                storageKeys.Add(UInt256.FromBigEndian(key));
            }

            entries.Add(new AccessListEntry(new Address(addressBytes), storageKeys));
        }

        error = TxError.None;
        return true;
    }

    private static bool ReadEnd(ref RlpReader r, out TxError error)
    {
        if (!r.IsEnd)
        {
            error = new TxError(TxErrorCode.WrongFieldCount, TxField.Envelope);
            return false;
        }

        error = TxError.None;
        return true;
    }
}
