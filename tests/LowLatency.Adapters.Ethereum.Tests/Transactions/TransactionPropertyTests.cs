using LowLatency.Adapters.Ethereum.Tests.Primitives;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Adapters.Ethereum.Tests.Transactions;

public class TransactionPropertyTests
{
    private static readonly PrivateKey s_key = PrivateKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

    private static Transaction RandomTransaction(Random rng)
    {
        var type = (TxType)rng.Next(3);
        byte[] data = new byte[rng.Next(4) == 0 ? rng.Next(0, 2000) : rng.Next(0, 80)];
        rng.NextBytes(data);
        var accessList = new List<AccessListEntry>();
        if (type != TxType.Legacy)
        {
            for (int i = rng.Next(0, 3); i > 0; i--)
            {
                byte[] address = new byte[20];
                rng.NextBytes(address);
                var keys = new List<UInt256>();
                for (int k = rng.Next(0, 3); k > 0; k--)
                {
                    keys.Add(UInt256Tests.RandomValue(rng));
                }

                accessList.Add(new AccessListEntry(new Address(address), keys));
            }
        }

        byte[] to = new byte[20];
        rng.NextBytes(to);
        UInt256 fee = UInt256Tests.RandomValue(rng);
        return new Transaction
        {
            Type = type,
            ChainId = type == TxType.Legacy && rng.Next(3) == 0 ? null : new UInt256((ulong)rng.Next(1, int.MaxValue)),
            Nonce = (ulong)rng.NextInt64(0, long.MaxValue),
            GasPrice = type == TxType.DynamicFee ? UInt256.Zero : fee,
            MaxFeePerGas = type == TxType.DynamicFee ? fee : UInt256.Zero,
            MaxPriorityFeePerGas = type == TxType.DynamicFee ? UInt256Tests.RandomValue(rng) : UInt256.Zero,
            GasLimit = (ulong)rng.NextInt64(),
            To = rng.Next(5) == 0 ? null : new Address(to),
            Value = UInt256Tests.RandomValue(rng),
            Data = data,
            AccessList = accessList,
        };
    }

    [Fact]
    public void Sign_encode_decode_recover_round_trip()
    {
        var rng = new Random(1559);
        var signer = new EthSigner(s_key);
        for (int i = 0; i < 400; i++)
        {
            Transaction tx = RandomTransaction(rng);
            Transaction signed = TransactionSigner.Sign(tx, signer);
            byte[] raw = signed.EncodeSigned();
            Assert.True(TransactionDecoder.TryDecodeUnchecked(raw, out Transaction? decoded, out TxError error), error.Message);
            Assert.Equal(signed, decoded);
            Assert.Equal(raw, decoded.EncodeSigned());
            Assert.True(decoded.TryRecoverSender(out Address sender));
            Assert.Equal(s_key.Address, sender);
            Assert.True(TransactionDecoder.Validate(decoded, new TxRules(ValidateGas: false)) == TxError.None);
        }
    }

    [Fact]
    public void Random_mutations_never_throw_and_accepted_ones_are_canonical()
    {
        var rng = new Random(7);
        var signer = new EthSigner(s_key);
        int rejected = 0;
        for (int i = 0; i < 1500; i++)
        {
            byte[] raw = TransactionSigner.Sign(RandomTransaction(rng), signer).EncodeSigned();
            byte[] mutant = (byte[])raw.Clone();
            mutant[rng.Next(mutant.Length)] = (byte)rng.Next(256);
            if (rng.Next(3) == 0)
            {
                mutant = mutant[..rng.Next(mutant.Length)];
            }

            if (TransactionDecoder.TryDecodeUnchecked(mutant, out Transaction? tx, out TxError error))
            {
                Assert.Equal(mutant, tx.EncodeSigned());
                _ = TransactionDecoder.TryDecode(mutant, out _, out _);
            }
            else
            {
                rejected++;
                Assert.True(error.IsError);
                Assert.False(string.IsNullOrEmpty(error.Message));
            }
        }

        Assert.True(rejected > 500);
    }

    [Fact]
    public void High_s_is_rejected_with_a_clear_error()
    {
        var tx = new Transaction { Type = TxType.DynamicFee, ChainId = UInt256.One, GasLimit = 21000, MaxFeePerGas = 10, To = s_key.Address };
        Transaction signed = TransactionSigner.Sign(tx, new EthSigner(s_key));
        EcdsaSignature sig = signed.Signature!.Value;
        Transaction highS = signed with { Signature = new EcdsaSignature(sig.R, Secp256k1.N - sig.S, (byte)(sig.YParity ^ 1)) };
        Assert.False(TransactionDecoder.TryDecode(highS.EncodeSigned(), out _, out TxError error));
        Assert.Equal(TxErrorCode.InvalidSignatureValues, error.Code);
        Assert.Equal(TxField.S, error.Field);
        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
        Assert.True(TransactionDecoder.TryDecode(signed.EncodeSigned(), out _, out _));
    }

    [Theory]
    [InlineData("", TxErrorCode.EmptyInput)]
    [InlineData("0x03c0", TxErrorCode.TypeNotSupported)]
    [InlineData("0x02c0", TxErrorCode.WrongFieldCount)]
    [InlineData("0x02", TxErrorCode.RlpMalformed)]
    [InlineData("0xc0", TxErrorCode.WrongFieldCount)]
    public void Garbage_gives_error_values(string hex, TxErrorCode expected)
    {
        Assert.False(TransactionDecoder.TryDecode(Hex.Decode(hex), out Transaction? tx, out TxError error));
        Assert.Null(tx);
        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public void Chain_id_zero_policy()
    {
        var signer = new EthSigner(s_key);
        var tx = new Transaction { Type = TxType.Legacy, ChainId = UInt256.Zero, GasLimit = 21000, GasPrice = 1, To = s_key.Address };

        // Signing chain id 0 must be asked for explicitly.
        ArgumentException refused = Assert.Throws<ArgumentException>(() => TransactionSigner.Sign(tx, signer));
        Assert.Contains("Chain id 0", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TransactionSigner.Sign(tx with { Type = TxType.DynamicFee, MaxFeePerGas = 1 }, signer));
        Transaction signed = TransactionSigner.Sign(tx, signer, allowChainIdZero: true);
        Assert.True(signed.V == new UInt256(35) || signed.V == new UInt256(36));

        // Decoding v = 35/36 gives chain id 0; a chain-bound decode rejects it.
        byte[] raw = signed.EncodeSigned();
        Assert.True(TransactionDecoder.TryDecode(raw, TxRules.Default, out Transaction? decoded, out Address sender, out _));
        Assert.Equal(UInt256.Zero, decoded.ChainId);
        Assert.Equal(s_key.Address, sender);
        Assert.False(TransactionDecoder.TryDecode(raw, TxRules.ForChain(1), out _, out _, out TxError error));
        Assert.Equal(TxErrorCode.WrongChainId, error.Code);

        // Typed transactions need a chain id; unprotected legacy (null) is allowed.
        Assert.Throws<ArgumentException>(() => TransactionSigner.Sign(tx with { Type = TxType.AccessList, ChainId = null }, signer));
        Assert.Equal(new UInt256(27), TransactionSigner.Sign(tx with { ChainId = null }, signer).V - new UInt256(TransactionSigner.Sign(tx with { ChainId = null }, signer).Signature!.Value.YParity));
    }

    [Fact]
    public void Validate_before_signing_returns_the_rule_that_refuses()
    {
        var tx = new Transaction { Type = TxType.DynamicFee, ChainId = UInt256.One, GasLimit = 21000, MaxFeePerGas = 10, MaxPriorityFeePerGas = 1, To = s_key.Address };
        Assert.Equal(TxError.None, TransactionSigner.Validate(tx));
        (Transaction Tx, TxErrorCode Code)[] cases =
        [
            (tx with { ChainId = null }, TxErrorCode.ChainIdRequired),
            (tx with { ChainId = UInt256.Zero }, TxErrorCode.ChainIdZeroNotAllowed),
            (tx with { Nonce = ulong.MaxValue }, TxErrorCode.NonceMax),
            (tx with { GasLimit = 20999 }, TxErrorCode.IntrinsicGasTooLow),
            (tx with { Type = TxType.Legacy, GasPrice = 1, ChainId = UInt256.MaxValue >> 1 }, TxErrorCode.ChainIdTooLarge),
        ];
        foreach ((Transaction bad, TxErrorCode code) in cases)
        {
            Assert.Equal(code, TransactionSigner.Validate(bad).Code);
        }

        Assert.Equal(TxError.None, TransactionSigner.Validate(tx with { ChainId = UInt256.Zero }, allowChainIdZero: true));

        // The largest legacy chain id whose v fits in 256 bits signs and round-trips; one more is refused, not an overflow at encode.
        var signer = new EthSigner(s_key);
        UInt256 largest = (UInt256.MaxValue - new UInt256(36)) >> 1;
        Transaction legacy = tx with { Type = TxType.Legacy, GasPrice = 1, MaxFeePerGas = 0, MaxPriorityFeePerGas = 0, ChainId = largest };
        Assert.Equal(TxError.None, TransactionSigner.Validate(legacy));
        Assert.True(TransactionDecoder.TryDecodeUnchecked(TransactionSigner.Sign(legacy, signer).EncodeSigned(), out Transaction? decoded, out _));
        Assert.Equal(largest, decoded.ChainId);
        Assert.Throws<ArgumentException>(() => TransactionSigner.Sign(legacy with { ChainId = largest + UInt256.One }, signer));
    }

    [Fact]
    public void Replay_protection_rule_refuses_unprotected_legacy()
    {
        var signer = new EthSigner(s_key);
        var tx = new Transaction { Type = TxType.Legacy, GasLimit = 21000, GasPrice = 1, To = s_key.Address };
        byte[] unprotected = TransactionSigner.Sign(tx, signer).EncodeSigned();
        Assert.True(TransactionDecoder.TryDecode(unprotected, TxRules.ForChain(1), out _, out _, out _)); // the protocol accepts it
        Assert.False(TransactionDecoder.TryDecode(unprotected, TxRules.ForChain(1) with { RequireReplayProtection = true }, out _, out _, out TxError error));
        Assert.Equal(TxErrorCode.ReplayUnprotected, error.Code);
        Assert.True(TransactionDecoder.TryDecode(TransactionSigner.Sign(tx with { ChainId = UInt256.One }, signer).EncodeSigned(), TxRules.ForChain(1) with { RequireReplayProtection = true }, out _, out _, out _));
    }

    [Fact]
    public void Error_messages_use_the_json_field_names()
    {
        Assert.Equal("gas limit below intrinsic gas in field gasLimit", new TxError(TxErrorCode.IntrinsicGasTooLow, TxField.GasLimit).Message);
        Assert.Equal("maxPriorityFeePerGas exceeds maxFeePerGas", new TxError(TxErrorCode.PriorityFeeAboveMaxFee, TxField.MaxPriorityFeePerGas).Message);
        foreach (TxField field in Enum.GetValues<TxField>())
        {
            string name = TxError.FieldName(field);
            Assert.True(name.Length == 0 || char.IsLower(name[0]), name);
        }
    }

    [Fact]
    public void Gas_rules()
    {
        var signer = new EthSigner(s_key);
        var baseTx = new Transaction { Type = TxType.DynamicFee, ChainId = UInt256.One, GasLimit = 21000, MaxFeePerGas = 10, MaxPriorityFeePerGas = 1, To = s_key.Address };
        Assert.True(TransactionDecoder.TryDecode(TransactionSigner.Sign(baseTx, signer).EncodeSigned(), out _, out _));

        (Transaction Tx, TxErrorCode Code)[] cases =
        [
            (baseTx with { GasLimit = 20999 }, TxErrorCode.IntrinsicGasTooLow),
            (baseTx with { MaxPriorityFeePerGas = 11 }, TxErrorCode.PriorityFeeAboveMaxFee),
            (baseTx with { MaxFeePerGas = UInt256.MaxValue, MaxPriorityFeePerGas = 0 }, TxErrorCode.GasLimitPriceProductOverflow),
            (baseTx with { To = null, GasLimit = 10_000_000, Data = new byte[49153] }, TxErrorCode.InitCodeTooLarge),
        ];
        foreach ((Transaction tx, TxErrorCode code) in cases)
        {
            Assert.False(TransactionDecoder.TryDecode(TransactionSigner.Sign(tx, signer).EncodeSigned(), out _, out TxError error));
            Assert.Equal(code, error.Code);
        }

        // EIP-3860: 49152 bytes of init code is fine with enough gas: 21000 + 32000 + 49152*4 + 1536*2.
        Transaction maxInit = baseTx with { To = null, GasLimit = 21000 + 32000 + (49152 * 4) + (1536 * 2), Data = new byte[49152] };
        Assert.Equal(maxInit.GasLimit, TransactionGas.IntrinsicGas(maxInit));
        Assert.True(TransactionDecoder.TryDecode(TransactionSigner.Sign(maxInit, signer).EncodeSigned(), out _, out TxError ok), ok.Message);
    }

    [Fact]
    public void Eip1559_sign_and_encode_does_not_allocate()
    {
        ISecp256k1 native = Secp256k1.TryCreateNative(out ISecp256k1? n) ? n : throw new InvalidOperationException("libsecp256k1 missing");
        var signer = new EthSigner(s_key, native);
        var tx = new Transaction
        {
            Type = TxType.DynamicFee, ChainId = UInt256.One, Nonce = 7, GasLimit = 250_000, MaxFeePerGas = 30_000_000_000, MaxPriorityFeePerGas = 1_000_000_000,
            To = s_key.Address, Value = 1, Data = new byte[196],
            AccessList = [new AccessListEntry(s_key.Address, [UInt256.One])],
        };
        byte[] buffer = new byte[TransactionSigner.MaxEncodedLength(tx)];
        TransactionSigner.SignAndEncode(tx, signer, buffer, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            TransactionSigner.SignAndEncode(tx, signer, buffer, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
