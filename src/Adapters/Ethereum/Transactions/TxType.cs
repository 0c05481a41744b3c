namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>EIP-2718 transaction type.</summary>
public enum TxType : byte
{
    /// <summary>Legacy RLP list: unprotected (v = 27/28) or EIP-155 (v = 35 + 2·chainId + yParity).</summary>
    Legacy = 0,

    /// <summary>EIP-2930: 0x01 || rlp([chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s]).</summary>
    AccessList = 1,

    /// <summary>EIP-1559: 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s]).</summary>
    DynamicFee = 2,
}

/// <summary>One EIP-2930 access-list entry. Storage keys are 32-byte words, held as <see cref="UInt256"/> (big-endian).</summary>
public sealed class AccessListEntry : IEquatable<AccessListEntry>
{
    public AccessListEntry(Address address, IReadOnlyList<UInt256>? storageKeys = null)
    {
        Address = address;
        StorageKeys = storageKeys ?? [];
    }

    public Address Address { get; }

    public IReadOnlyList<UInt256> StorageKeys { get; }

    public bool Equals(AccessListEntry? other)
    {
        if (other is null || Address != other.Address || StorageKeys.Count != other.StorageKeys.Count)
        {
            return false;
        }

        for (int i = 0; i < StorageKeys.Count; i++)
        {
            if (StorageKeys[i] != other.StorageKeys[i])
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is AccessListEntry other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Address, StorageKeys.Count);
}
