namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>
/// Validation options for <see cref="TransactionDecoder"/>: the Cancun rules of ethereum/tests (intrinsic gas with
/// EIP-2028/2930/3860, init code size, gas × price overflow, tip ≤ fee cap) and optionally the expected chain id.
/// </summary>
/// <param name="ExpectedChainId">When set, a transaction with another chain id (chain id 0 included) is <see cref="TxErrorCode.WrongChainId"/>.</param>
/// <param name="ValidateGas">Apply <see cref="TransactionGas.Validate"/>.</param>
/// <param name="RequireReplayProtection">
/// Refuse a legacy transaction without a chain id (<see cref="TxErrorCode.ReplayUnprotected"/>). The protocol accepts
/// those on every chain (ethereum/tests do, and <see cref="ForChain"/> follows them); nodes refuse them over RPC by
/// default (geth's --rpc.allow-unprotected-txs), and so does <c>eth decode-tx --chain-id</c>.
/// </param>
public readonly record struct TxRules(UInt256? ExpectedChainId = null, bool ValidateGas = true, bool RequireReplayProtection = false)
{
    /// <summary>Cancun rules without a chain id check.</summary>
    public static TxRules Default => new(null, true);

    /// <summary>Cancun rules for one chain (ethereum/tests use chain id 1).</summary>
    public static TxRules ForChain(UInt256 chainId) => new(chainId, true);
}

/// <summary>Gas constants and intrinsic gas (Cancun). Thread-safe, allocation-free.</summary>
public static class TransactionGas
{
    public const ulong TxBase = 21_000;
    public const ulong TxCreate = 32_000;
    public const ulong DataZeroByte = 4;
    public const ulong DataNonZeroByte = 16; // EIP-2028
    public const ulong AccessListAddress = 2_400;
    public const ulong AccessListStorageKey = 1_900;
    public const ulong InitCodeWord = 2; // EIP-3860
    public const int MaxInitCodeSize = 49_152; // EIP-3860: 2 × 24576

    /// <summary>Intrinsic gas of <paramref name="tx"/> under Cancun rules.</summary>
    public static ulong IntrinsicGas(Transaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ReadOnlySpan<byte> data = tx.Data.Span;
        ulong gas = TxBase;
        int zeros = data.Count((byte)0);
        gas += ((ulong)zeros * DataZeroByte) + ((ulong)(data.Length - zeros) * DataNonZeroByte);
        if (tx.IsContractCreation)
        {
            gas += TxCreate + (InitCodeWord * (((ulong)data.Length + 31) / 32));
        }

        foreach (AccessListEntry entry in tx.AccessList)
        {
            gas += AccessListAddress + ((ulong)entry.StorageKeys.Count * AccessListStorageKey);
        }

        return gas;
    }

    /// <summary>Applies the gas/fee rules; <see cref="TxError.None"/> if the transaction passes.</summary>
    public static TxError Validate(Transaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (tx.Type == TxType.DynamicFee && tx.MaxPriorityFeePerGas > tx.MaxFeePerGas)
        {
            return new TxError(TxErrorCode.PriorityFeeAboveMaxFee, TxField.MaxPriorityFeePerGas);
        }

        if (!UInt256.TryMultiply(tx.GasLimit, tx.EffectiveGasPriceCap, out _))
        {
            return new TxError(TxErrorCode.GasLimitPriceProductOverflow, TxField.GasLimit);
        }

        if (tx.IsContractCreation && tx.Data.Length > MaxInitCodeSize)
        {
            return new TxError(TxErrorCode.InitCodeTooLarge, TxField.Data);
        }

        if (tx.GasLimit < IntrinsicGas(tx))
        {
            return new TxError(TxErrorCode.IntrinsicGasTooLow, TxField.GasLimit);
        }

        return TxError.None;
    }
}
