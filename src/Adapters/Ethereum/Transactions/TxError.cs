using LowLatency.Adapters.Ethereum.Rlp;

namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>Why a raw transaction was rejected (named after ethereum/tests' TransactionException where one exists).</summary>
public enum TxErrorCode
{
    None = 0,
    EmptyInput,
    TypeNotSupported,
    RlpMalformed,
    WrongFieldCount,
    FieldIsList,
    LeadingZeros,
    NonceOverflow,
    NonceMax,
    IntegerOverflow,
    AddressWrongLength,
    AccessListMalformed,
    AccessListStorageKeyWrongLength,
    InvalidSignatureValues,
    InvalidV,
    WrongChainId,
    RecoveryFailed,
    IntrinsicGasTooLow,
    InitCodeTooLarge,
    GasLimitPriceProductOverflow,
    PriorityFeeAboveMaxFee,
}

/// <summary>The transaction field an error refers to.</summary>
public enum TxField
{
    None = 0,
    Envelope,
    ChainId,
    Nonce,
    GasPrice,
    MaxPriorityFeePerGas,
    MaxFeePerGas,
    GasLimit,
    To,
    Value,
    Data,
    AccessList,
    V,
    R,
    S,
}

/// <summary>An error value from transaction decoding/validation. <see cref="Message"/> allocates; the rest does not.</summary>
public readonly record struct TxError(TxErrorCode Code, TxField Field = TxField.None, RlpError RlpError = RlpError.None)
{
    public static TxError None => default;

    public bool IsError => Code != TxErrorCode.None;

    /// <summary>A sentence for operators, e.g. "integer with leading zero bytes (non-canonical RLP) in field GasLimit".</summary>
    public string Message
    {
        get
        {
            string text = Code switch
            {
                TxErrorCode.None => "no error",
                TxErrorCode.EmptyInput => "empty transaction bytes",
                TxErrorCode.TypeNotSupported => "transaction type not supported (expected legacy RLP list, 0x01 or 0x02)",
                TxErrorCode.RlpMalformed => "malformed RLP: " + RlpError.Describe(),
                TxErrorCode.WrongFieldCount => "wrong number of RLP fields for this transaction type",
                TxErrorCode.FieldIsList => "field must be an RLP string, found a list",
                TxErrorCode.LeadingZeros => "integer with leading zero bytes (non-canonical RLP)",
                TxErrorCode.NonceOverflow => "nonce does not fit in 64 bits",
                TxErrorCode.NonceMax => "nonce must be below 2^64-1 (EIP-2681)",
                TxErrorCode.IntegerOverflow => "integer too large for its field",
                TxErrorCode.AddressWrongLength => "address must be empty (creation) or exactly 20 bytes",
                TxErrorCode.AccessListMalformed => "access list entry must be [20-byte address, [32-byte keys...]]",
                TxErrorCode.AccessListStorageKeyWrongLength => "access list storage key must be exactly 32 bytes",
                TxErrorCode.InvalidSignatureValues => "invalid signature values (need 0 < r < n, 0 < s <= n/2, each at most 32 bytes)",
                TxErrorCode.InvalidV => "invalid v / yParity (legacy: 27, 28 or 35 + 2*chainId + {0,1}; typed: 0 or 1)",
                TxErrorCode.WrongChainId => "chain id does not match the expected chain",
                TxErrorCode.RecoveryFailed => "public key recovery failed (signature does not correspond to any key)",
                TxErrorCode.IntrinsicGasTooLow => "gas limit below intrinsic gas",
                TxErrorCode.InitCodeTooLarge => "contract creation init code exceeds 49152 bytes (EIP-3860)",
                TxErrorCode.GasLimitPriceProductOverflow => "gasLimit * gas price overflows 256 bits",
                TxErrorCode.PriorityFeeAboveMaxFee => "maxPriorityFeePerGas exceeds maxFeePerGas",
                _ => Code.ToString(),
            };
            return Field == TxField.None ? text : $"{text} in field {Field}";
        }
    }

    public override string ToString() => Message;
}
