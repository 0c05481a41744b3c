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

    /// <summary>A legacy transaction without a chain id where the rules ask for replay protection (EIP-155).</summary>
    ReplayUnprotected,

    /// <summary>A typed transaction to sign has no chain id.</summary>
    ChainIdRequired,

    /// <summary>Chain id 0 to sign, not explicitly allowed (replayable).</summary>
    ChainIdZeroNotAllowed,

    /// <summary>A legacy chain id whose EIP-155 v (35 + 2·chainId + 1) does not fit in 256 bits.</summary>
    ChainIdTooLarge,
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

    /// <summary>A sentence for operators, e.g. "integer with leading zero bytes (non-canonical RLP) in field gasLimit".</summary>
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
                TxErrorCode.ReplayUnprotected => "legacy transaction without a chain id (pre-EIP-155): replayable on every chain",
                TxErrorCode.ChainIdRequired => "typed transactions need a chain id",
                TxErrorCode.ChainIdZeroNotAllowed => "chain id 0 is replayable on any chain that accepts it",
                TxErrorCode.ChainIdTooLarge => "chain id too large: its EIP-155 v (35 + 2 * chainId + 1) does not fit in 256 bits",
                _ => Code.ToString(),
            };
            // Where the sentence already names its field, the suffix would only repeat it.
            bool named = Code is TxErrorCode.NonceOverflow or TxErrorCode.NonceMax or TxErrorCode.WrongChainId or TxErrorCode.PriorityFeeAboveMaxFee
                or TxErrorCode.ReplayUnprotected or TxErrorCode.ChainIdRequired or TxErrorCode.ChainIdZeroNotAllowed or TxErrorCode.ChainIdTooLarge;
            return Field switch
            {
                TxField.None => text,
                _ when named => text,
                TxField.Envelope => text + " (transaction envelope)",
                _ => text + " in field " + FieldName(Field),
            };
        }
    }

    /// <summary>The field's name as in transaction JSON (ethers, JSON-RPC): <c>gasLimit</c>, <c>maxFeePerGas</c>, <c>v</c>.</summary>
    public static string FieldName(TxField field) => field switch
    {
        TxField.None => "",
        TxField.Envelope => "envelope",
        TxField.ChainId => "chainId",
        TxField.Nonce => "nonce",
        TxField.GasPrice => "gasPrice",
        TxField.MaxPriorityFeePerGas => "maxPriorityFeePerGas",
        TxField.MaxFeePerGas => "maxFeePerGas",
        TxField.GasLimit => "gasLimit",
        TxField.To => "to",
        TxField.Value => "value",
        TxField.Data => "data",
        TxField.AccessList => "accessList",
        TxField.V => "v",
        TxField.R => "r",
        TxField.S => "s",
        _ => field.ToString(),
    };

    public override string ToString() => Message;
}
