using System.Globalization;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Adapters.Ethereum.Tests.Transactions;

public class TransactionVectorTests
{
    private static readonly string[] s_forkPreference = ["Cancun", "Prague", "Shanghai", "Paris", "Merge", "London", "Berlin"];

    public static TheoryData<string> EthereumTestFiles()
    {
        var data = new TheoryData<string>();
        string root = EthTestData.PathOf("transactions", "ethereum-tests");
        foreach (string file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    [Fact]
    public void All_ethereum_tests_files_are_covered() => Assert.Equal(148, EthereumTestFiles().Count);

    [Theory]
    [MemberData(nameof(EthereumTestFiles))]
    public void Ethereum_tests_at_Cancun(string relativePath)
    {
        using JsonDocument doc = EthTestData.Load(["transactions", "ethereum-tests", .. relativePath.Split(Path.DirectorySeparatorChar)]);
        foreach (JsonProperty test in doc.RootElement.EnumerateObject())
        {
            JsonElement results = test.Value.GetProperty("result");
            JsonElement expected = default;
            foreach (string fork in s_forkPreference)
            {
                if (results.TryGetProperty(fork, out expected))
                {
                    break;
                }
            }

            Assert.NotEqual(JsonValueKind.Undefined, expected.ValueKind);
            string txHex = test.Value.GetProperty("txbytes").GetString()!;
            byte[] raw = Hex.TryDecode(txHex, new byte[Hex.GetDecodedLength(txHex) < 0 ? 0 : Hex.GetDecodedLength(txHex)], out _)
                ? Hex.Decode(txHex)
                : [];

            foreach (ISecp256k1 backend in new[] { Secp256k1.Create(), Secp256k1.CreateBouncyCastle() })
            {
                bool ok = TransactionDecoder.TryDecode(raw, TxRules.ForChain(1), out Transaction? tx, out Address sender, out TxError error, backend);
                if (expected.TryGetProperty("exception", out JsonElement exception))
                {
                    Assert.False(ok, $"{test.Name}: expected {exception.GetString()} but decoded (sender {sender})");
                    Assert.True(error.IsError);
                    Assert.False(string.IsNullOrEmpty(error.Message));
                }
                else
                {
                    Assert.True(ok, $"{test.Name}: {error.Message}");
                    Assert.Equal(expected.GetProperty("sender").GetString()!.ToLowerInvariant(), sender.ToLowerHexString());
                    Assert.Equal(expected.GetProperty("hash").GetString(), tx!.GetHashHex());
                    Assert.Equal(raw, tx.EncodeSigned());
                    Assert.Equal(ulong.Parse(expected.GetProperty("intrinsicGas").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture), TransactionGas.IntrinsicGas(tx));
                }
            }
        }
    }

    [Fact]
    public void Eip155_example_from_the_eip()
    {
        using JsonDocument doc = EthTestData.Load("transactions", "eip155_example_from_eip_text.json");
        JsonElement root = doc.RootElement;
        Transaction tx = TransactionJson.FromJson(root.GetProperty("tx"), TxType.Legacy);
        Assert.Equal(root.GetProperty("signingData").GetString(), Hex.Encode(tx.EncodeSigningPayload()));
        Span<byte> hash = stackalloc byte[32];
        tx.GetSigningHash(hash);
        Assert.Equal(root.GetProperty("signingHash").GetString(), Hex.Encode(hash));

        using PrivateKey key = PrivateKey.FromHex(root.GetProperty("privateKey").GetString()!);
        foreach (ISecp256k1 backend in new[] { Secp256k1.Create(), Secp256k1.CreateBouncyCastle() })
        {
            Transaction signed = TransactionSigner.Sign(tx, new EthSigner(key, backend));
            Assert.Equal(new UInt256((ulong)root.GetProperty("v").GetInt32()), signed.V);
            Assert.Equal(UInt256.Parse(root.GetProperty("r").GetString()!), signed.Signature!.Value.R);
            Assert.Equal(UInt256.Parse(root.GetProperty("s").GetString()!), signed.Signature!.Value.S);
            Assert.Equal(root.GetProperty("signedTx").GetString(), Hex.Encode(signed.EncodeSigned()));
        }

        JsonElement derived = root.GetProperty("derived_not_in_eip_text");
        Assert.True(TransactionDecoder.TryDecode(Hex.Decode(root.GetProperty("signedTx").GetString()!), TxRules.ForChain(1), out Transaction? decoded, out Address sender, out TxError error), error.Message);
        Assert.Equal(derived.GetProperty("sender").GetString(), sender.ToString());
        Assert.Equal(derived.GetProperty("txHash").GetString(), decoded.GetHashHex());
    }

    [Fact]
    public void Basic_txtest_vectors()
    {
        using JsonDocument doc = EthTestData.Load("transactions", "ethereum-tests__BasicTests__txtest.json");
        int count = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            string to = item.GetProperty("to").GetString()!;
            var tx = new Transaction
            {
                Type = TxType.Legacy,
                Nonce = item.GetProperty("nonce").GetUInt64(),
                GasPrice = UInt256.Parse(item.GetProperty("gasprice").GetRawText()),
                GasLimit = item.GetProperty("startgas").GetUInt64(),
                To = to.Length == 0 ? null : Address.Parse(to),
                Value = UInt256.Parse(item.GetProperty("value").GetRawText()),
                Data = Hex.Decode(item.GetProperty("data").GetString()!),
            };

            // "unsigned" is the transaction with v = r = s = 0, byte-identical to an EIP-155 chain-0 signing payload.
            Assert.Equal(item.GetProperty("unsigned").GetString(), Hex.Encode((tx with { ChainId = UInt256.Zero }).EncodeSigningPayload(), prefix: false));
            using PrivateKey key = PrivateKey.FromHex(item.GetProperty("key").GetString()!);
            Transaction signed = TransactionSigner.Sign(tx, new EthSigner(key));
            byte[] expected = Hex.Decode(item.GetProperty("signed").GetString()!);
            Assert.True(TransactionDecoder.TryDecodeUnchecked(expected, out Transaction? reference, out _));
            EcdsaSignature ours = signed.Signature!.Value, theirs = reference.Signature!.Value;
            Assert.Equal(theirs.R, ours.R);
            if (theirs.IsLowS)
            {
                Assert.Equal(expected, signed.EncodeSigned());
            }
            else
            {
                // Pre-EIP-2 vector with a high s: we emit the same RFC 6979 signature normalised to low-s (n − s, parity
                // flipped), and Cancun rules reject the original.
                Assert.Equal(Secp256k1.N - theirs.S, ours.S);
                Assert.Equal(theirs.YParity ^ 1, ours.YParity);
                Assert.False(TransactionDecoder.TryDecode(expected, out _, out TxError error));
                Assert.Equal(TxErrorCode.InvalidSignatureValues, error.Code);
            }

            Assert.True(reference.TryRecoverSender(out Address referenceSender));
            Assert.Equal(key.Address, referenceSender);
            count++;
        }

        Assert.Equal(2, count);
    }

    [Fact]
    public void Ethers_transactions_all_four_forms_byte_for_byte()
    {
        using JsonDocument doc = EthTestData.Load("ethers-testcases", "ethers__transaction__shared.json.gz");
        int count = 0, forms = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            JsonElement json = item.GetProperty("transaction");
            using PrivateKey key = PrivateKey.FromHex(item.GetProperty("privateKey").GetString()!);
            var signer = new EthSigner(key);
            Transaction legacy = TransactionJson.FromJson(json, TxType.Legacy) with { ChainId = null };
            // Generator defaults when "chainId" is absent: 0 for the EIP-155 form, 1 for the typed forms.
            bool hasChainId = json.TryGetProperty("chainId", out JsonElement c);
            UInt256 chainId = hasChainId ? TransactionJson.Quantity(c, "chainId") : UInt256.Zero;
            Transaction eip155 = legacy with { ChainId = chainId };
            Transaction berlin = TransactionJson.FromJson(json, TxType.AccessList) with { ChainId = hasChainId ? chainId : UInt256.One };
            Transaction london = TransactionJson.FromJson(json, TxType.DynamicFee) with { ChainId = hasChainId ? chainId : UInt256.One };

            (Transaction Tx, string Unsigned, string Signed)[] cases =
            [
                (legacy, "unsignedLegacy", "signedLegacy"),
                (eip155, "unsignedEip155", "signedEip155"),
                (berlin, "unsignedBerlin", "signedBerlin"),
                (london, "unsignedLondon", "signedLondon"),
            ];
            foreach ((Transaction tx, string unsignedName, string signedName) in cases)
            {
                string name = $"{item.GetProperty("name").GetString()} {signedName}";
                byte[] expectedUnsigned = Hex.Decode(item.GetProperty(unsignedName).GetString()!);
                byte[] ourUnsigned = tx.EncodeSigningPayload();
                Transaction signed;
                if (tx.Type == TxType.Legacy && tx.ChainId is { IsZero: true })
                {
                    // Generator quirk: its EIP-155 payload encodes chain id 0 as the non-canonical byte 0x00 (we write
                    // the canonical 0x80). Everything else is identical, and its signature is over that payload.
                    Assert.Equal(ourUnsigned.Length, expectedUnsigned.Length);
                    Assert.Equal(0x80, ourUnsigned[^3]);
                    Assert.Equal(0x00, expectedUnsigned[^3]);
                    Assert.True(ourUnsigned.AsSpan(0, ourUnsigned.Length - 3).SequenceEqual(expectedUnsigned.AsSpan(0, expectedUnsigned.Length - 3)), name);
                    signed = tx with { Signature = signer.SignHash(Keccak256.Hash(expectedUnsigned)) };
                    Assert.True(item.GetProperty(signedName).GetString() == Hex.Encode(signed.EncodeSigned()), name);
                    Assert.Throws<ArgumentException>(() => TransactionSigner.Sign(tx, signer)); // chain id 0 needs opting in
                    continue;
                }

                Assert.True(expectedUnsigned.AsSpan().SequenceEqual(ourUnsigned), name);
                signed = TransactionSigner.Sign(tx, signer, allowChainIdZero: true);
                byte[] raw = signed.EncodeSigned();
                Assert.True(item.GetProperty(signedName).GetString() == Hex.Encode(raw), name);

                byte[] buffer = new byte[TransactionSigner.MaxEncodedLength(tx)];
                int written = TransactionSigner.SignAndEncode(tx, signer, buffer, out _, allowChainIdZero: true);
                Assert.True(buffer.AsSpan(0, written).SequenceEqual(raw), name);

                // Structural round trip (the random vectors are not gas-valid, so no Cancun gas rules here).
                Assert.True(TransactionDecoder.TryDecodeUnchecked(raw, out Transaction? decoded, out TxError error), $"{name}: {error.Message}");
                Assert.Equal(signed, decoded);
                Assert.True(decoded.TryRecoverSender(out Address sender));
                Assert.Equal(key.Address, sender);
                forms++;
            }

            count++;
        }

        Assert.Equal(627, count);
        Assert.Equal((627 * 4) - 281, forms); // 281 chain-id-0 EIP-155 forms checked through the quirk branch
    }
}
