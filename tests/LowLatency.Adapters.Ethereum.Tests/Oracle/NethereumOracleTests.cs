using System.Numerics;
using System.Text;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.Rlp;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Adapters.FlashLoans;
using Nethereum.ABI;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;
using NethereumRlp = Nethereum.RLP.RLP;
using Transaction = LowLatency.Adapters.Ethereum.Transactions.Transaction;
using TransactionSigner = LowLatency.Adapters.Ethereum.Transactions.TransactionSigner;

namespace LowLatency.Adapters.Ethereum.Tests.Oracle;

/// <summary>
/// Nethereum 6.1 as an independent oracle for our own encoders, on random inputs with fixed seeds: RLP (nested
/// lists, integers, every length class), the ABI of the executor's calls and of arbitrary argument lists, and EIP-1559
/// signed transactions (random keys, fees, calldata and access lists) with both of our secp256k1 backends. Nethereum
/// is never on our path: it only says what the bytes must be.
/// </summary>
public sealed class NethereumOracleTests
{
    [Fact]
    public void Our_RLP_equals_Nethereums_for_random_nested_items()
    {
        var rng = new Random(1001);
        for (int i = 0; i < 2_000; i++)
        {
            (RlpItem ours, byte[] theirs) = RandomItem(rng, depth: 0);
            Assert.Equal(Hex.Encode(theirs), Hex.Encode(RlpCodec.Encode(ours)));
        }
    }

    [Fact]
    public void Our_RLP_integers_equal_Nethereums()
    {
        var rng = new Random(1002);
        Span<byte> buffer = stackalloc byte[40];
        for (int i = 0; i < 2_000; i++)
        {
            UInt256 value = RandomUInt256(rng);
            var writer = new RlpWriter(buffer);
            writer.WriteUInt256(value);
            Assert.Equal(Hex.Encode(NethereumRlp.EncodeElement(Minimal(value))), Hex.Encode(writer.Written));
            Assert.Equal(writer.Position, RlpCodec.LengthOfUInt256(value));
        }
    }

    [Fact]
    public void The_executor_calldata_equals_Nethereum_ABI()
    {
        var rng = new Random(1003);
        var route = new FlashRoute();
        byte[] ours = new byte[ExecutorCalldata.LengthFor(FlashRoute.MaxHops)];
        for (int i = 0; i < 300; i++)
        {
            route.Clear();
            route.Asset = RandomAddress(rng);
            route.Amount = RandomUInt256(rng);
            var legs = new List<byte>();
            for (int h = rng.Next(1, FlashRoute.MaxHops + 1); h > 0; h--)
            {
                var hop = new RouteHop(RandomAddress(rng), (PoolKind)rng.Next(2), rng.Next(2) == 0, RandomAddress(rng), RandomUInt256(rng), RandomUInt256(rng));
                Assert.True(route.TryAdd(hop));
                byte[] pool = new byte[20];
                hop.Pool.CopyTo(pool);
                BigInteger packed = new BigInteger(pool, isUnsigned: true, isBigEndian: true) | (new BigInteger((int)hop.Kind) << 160) | (new BigInteger(hop.ZeroForOne ? 1 : 0) << 168);
                legs.AddRange(new ABIEncode().GetABIEncoded(
                    new ABIValue("uint256", packed), new ABIValue("address", hop.TokenIn.ToLowerHexString()),
                    new ABIValue("uint256", (BigInteger)hop.AmountIn), new ABIValue("uint256", (BigInteger)hop.ExpectedOut)));
            }

            UInt256 minProfit = RandomUInt256(rng);
            uint builderBps = (uint)rng.Next(0, 10_001);
            int length = ExecutorCalldata.Write(route, minProfit, builderBps, ours);
            byte[] theirs = Call("execute(address,uint256,uint256,uint256,bytes)",
                new ABIValue("address", route.Asset.ToLowerHexString()), new ABIValue("uint256", (BigInteger)route.Amount),
                new ABIValue("uint256", (BigInteger)minProfit), new ABIValue("uint256", new BigInteger(builderBps)), new ABIValue("bytes", legs.ToArray()));
            Assert.Equal(Hex.Encode(theirs), Hex.Encode(ours.AsSpan(0, length)));
            Assert.Equal(Hex.Encode(theirs), Hex.Encode(ExecutorCalldata.Execute.EncodeCall(
                AbiValue.FromAddress(route.Asset), AbiValue.UInt(route.Amount), AbiValue.UInt(minProfit), AbiValue.UInt(new UInt256(builderBps)), AbiValue.FromBytes(legs.ToArray()))));

            Address token = RandomAddress(rng), to = RandomAddress(rng);
            UInt256 amount = RandomUInt256(rng);
            Assert.Equal(
                Hex.Encode(Call("rescue(address,address,uint256)", new ABIValue("address", token.ToLowerHexString()), new ABIValue("address", to.ToLowerHexString()), new ABIValue("uint256", (BigInteger)amount))),
                Hex.Encode(ExecutorCalldata.Rescue.EncodeCall(AbiValue.FromAddress(token), AbiValue.FromAddress(to), AbiValue.UInt(amount))));
        }
    }

    [Fact]
    public void Our_ABI_equals_Nethereums_for_random_argument_lists()
    {
        string[] kinds = ["uint256", "uint8", "uint64", "int256", "int24", "address", "bool", "bytes32", "bytes", "string", "uint256[]", "address[]"];
        var rng = new Random(1004);
        for (int i = 0; i < 500; i++)
        {
            int count = rng.Next(1, 6);
            var types = new string[count];
            var ours = new AbiValue[count];
            var theirs = new ABIValue[count];
            for (int k = 0; k < count; k++)
            {
                types[k] = kinds[rng.Next(kinds.Length)];
                (ours[k], theirs[k]) = RandomArgument(rng, types[k]);
            }

            string signature = "f" + i + "(" + string.Join(',', types) + ")";
            Assert.Equal(Hex.Encode(Call(signature, theirs)), Hex.Encode(AbiFunction.Parse(signature).EncodeCall(ours)));
        }
    }

    [Fact]
    public void Our_signed_EIP1559_transactions_equal_Nethereums_with_both_backends()
    {
        var rng = new Random(1005);
        ISecp256k1 bouncy = Secp256k1.CreateBouncyCastle();
        ISecp256k1? native = Secp256k1.TryCreateNative(out ISecp256k1? n) ? n : null;
        byte[] buffer = new byte[4096];
        var nethereum = new Transaction1559Signer();
        for (int i = 0; i < 60; i++)
        {
            byte[] secret = new byte[32];
            rng.NextBytes(secret);
            secret[0] &= 0x7f; // below the curve order, never zero
            secret[31] |= 1;
            using PrivateKey key = PrivateKey.FromBytes(secret);
            (Transaction ours, Transaction1559 theirs) = RandomEip1559(rng);
            string expected = nethereum.SignTransaction(new EthECKey(secret, true), theirs);
            expected = expected.StartsWith("0x", StringComparison.Ordinal) ? expected : "0x" + expected;

            int length = TransactionSigner.SignAndEncode(ours, new EthSigner(key, bouncy), buffer, out _);
            Assert.Equal(expected, Hex.Encode(buffer.AsSpan(0, length)));
            if (native is not null)
            {
                length = TransactionSigner.SignAndEncode(ours, new EthSigner(key, native), buffer, out _);
                Assert.Equal(expected, Hex.Encode(buffer.AsSpan(0, length)));
            }
        }
    }

    internal static (Transaction Ours, Transaction1559 Theirs) RandomEip1559(Random rng)
    {
        byte[] data = new byte[rng.Next(4) == 0 ? rng.Next(0, 2_000) : rng.Next(0, 300)];
        rng.NextBytes(data);
        var ourList = new List<AccessListEntry>();
        var theirList = new List<AccessListItem>();
        for (int a = rng.Next(0, 3); a > 0; a--)
        {
            Address address = RandomAddress(rng);
            var keys = new List<UInt256>();
            var keyBytes = new List<byte[]>();
            for (int k = rng.Next(0, 3); k > 0; k--)
            {
                UInt256 slot = RandomUInt256(rng);
                keys.Add(slot);
                byte[] word = new byte[32];
                slot.ToBigEndian(word);
                keyBytes.Add(word);
            }

            ourList.Add(new AccessListEntry(address, keys));
            theirList.Add(new AccessListItem(address.ToLowerHexString(), keyBytes));
        }

        ulong chainId = rng.Next(3) == 0 ? 1UL : (ulong)rng.NextInt64(1, long.MaxValue);
        ulong nonce = rng.Next(4) == 0 ? 0UL : (ulong)rng.NextInt64(0, long.MaxValue);
        UInt256 tip = rng.Next(5) == 0 ? UInt256.Zero : new UInt256((ulong)rng.NextInt64(0, long.MaxValue));
        UInt256 maxFee = tip + new UInt256((ulong)rng.NextInt64(0, long.MaxValue));
        ulong gas = (ulong)rng.NextInt64(21_000, 30_000_000);
        Address to = RandomAddress(rng);
        UInt256 value = rng.Next(3) == 0 ? UInt256.Zero : RandomUInt256(rng);
        var ours = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = chainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = tip,
            MaxFeePerGas = maxFee,
            GasLimit = gas,
            To = to,
            Value = value,
            Data = data,
            AccessList = ourList,
        };
        var theirs = new Transaction1559(new BigInteger(chainId), new BigInteger(nonce), (BigInteger)tip, (BigInteger)maxFee, new BigInteger(gas),
            to.ToLowerHexString(), (BigInteger)value, Hex.Encode(data), theirList);
        return (ours, theirs);
    }

    private static byte[] Call(string signature, params ABIValue[] values)
    {
        byte[] selector = Sha3Keccack.Current.CalculateHash(Encoding.ASCII.GetBytes(signature))[..4];
        return [.. selector, .. new ABIEncode().GetABIEncoded(values)];
    }

    private static (AbiValue Ours, ABIValue Theirs) RandomArgument(Random rng, string type)
    {
        switch (type)
        {
            case "uint256":
                UInt256 u = RandomUInt256(rng);
                return (AbiValue.UInt(u), new ABIValue(type, (BigInteger)u));
            case "uint8":
                int b = rng.Next(256);
                return (AbiValue.UInt(new BigInteger(b)), new ABIValue(type, new BigInteger(b)));
            case "uint64":
                ulong l = (ulong)rng.NextInt64() << 1;
                return (AbiValue.UInt(new BigInteger(l)), new ABIValue(type, new BigInteger(l)));
            case "int256":
                BigInteger s = (BigInteger)RandomUInt256(rng) >> 1;
                s = rng.Next(2) == 0 ? -s : s;
                return (AbiValue.Int(s), new ABIValue(type, s));
            case "int24":
                int t = rng.Next(-8_388_608, 8_388_608);
                return (AbiValue.Int(t), new ABIValue(type, new BigInteger(t)));
            case "address":
                Address a = RandomAddress(rng);
                return (AbiValue.FromAddress(a), new ABIValue(type, a.ToLowerHexString()));
            case "bool":
                bool f = rng.Next(2) == 0;
                return (AbiValue.FromBool(f), new ABIValue(type, f));
            case "bytes32":
                byte[] w = new byte[32];
                rng.NextBytes(w);
                return (AbiValue.FixedBytes(w), new ABIValue(type, w));
            case "bytes":
                byte[] d = new byte[rng.Next(0, 200)];
                rng.NextBytes(d);
                return (AbiValue.FromBytes(d), new ABIValue(type, d));
            case "string":
                string text = new string('x', rng.Next(0, 80)) + (rng.Next(2) == 0 ? "é€𝄞" : "");
                return (AbiValue.FromString(text), new ABIValue(type, text));
            case "uint256[]":
                var values = new List<BigInteger>();
                var items = new List<AbiValue>();
                for (int k = rng.Next(0, 5); k > 0; k--)
                {
                    UInt256 v = RandomUInt256(rng);
                    values.Add(v);
                    items.Add(AbiValue.UInt(v));
                }

                return (AbiValue.Array([.. items]), new ABIValue(type, values));
            default:
                var addresses = new List<string>();
                var ourAddresses = new List<AbiValue>();
                for (int k = rng.Next(0, 5); k > 0; k--)
                {
                    Address x = RandomAddress(rng);
                    addresses.Add(x.ToLowerHexString());
                    ourAddresses.Add(AbiValue.FromAddress(x));
                }

                return (AbiValue.Array([.. ourAddresses]), new ABIValue(type, addresses));
        }
    }

    // Byte strings of every length class (single byte below 0x80, short, long), integers and lists nested up to four deep.
    private static (RlpItem Ours, byte[] Theirs) RandomItem(Random rng, int depth)
    {
        int pick = rng.Next(depth >= 4 ? 3 : 4);
        if (pick == 0)
        {
            byte[] one = [(byte)rng.Next(256)];
            return (RlpItem.String(one), NethereumRlp.EncodeElement(one));
        }

        if (pick == 1)
        {
            byte[] bytes = new byte[rng.Next(3) == 0 ? rng.Next(56, 1_200) : rng.Next(0, 56)];
            rng.NextBytes(bytes);
            return (RlpItem.String(bytes), NethereumRlp.EncodeElement(bytes));
        }

        if (pick == 2)
        {
            UInt256 value = RandomUInt256(rng);
            return (RlpItem.Integer(value), NethereumRlp.EncodeElement(Minimal(value)));
        }

        var ours = new List<RlpItem>();
        var theirs = new List<byte[]>();
        for (int k = rng.Next(0, rng.Next(3) == 0 ? 40 : 5); k > 0; k--)
        {
            (RlpItem o, byte[] t) = RandomItem(rng, depth + 1);
            ours.Add(o);
            theirs.Add(t);
        }

        return (RlpItem.List(ours), NethereumRlp.EncodeList([.. theirs]));
    }

    private static byte[] Minimal(UInt256 value) => value.IsZero ? [] : ((BigInteger)value).ToByteArray(isUnsigned: true, isBigEndian: true);

    private static Address RandomAddress(Random rng)
    {
        byte[] a = new byte[20];
        rng.NextBytes(a);
        return new Address(a);
    }

    // Values biased to the edges: small, one 64-bit limb, full width.
    private static UInt256 RandomUInt256(Random rng) => rng.Next(4) switch
    {
        0 => new UInt256((ulong)rng.Next(0, 200)),
        1 => new UInt256((ulong)rng.NextInt64()),
        2 => new UInt256((ulong)rng.NextInt64(), (ulong)rng.NextInt64()),
        _ => new UInt256((ulong)rng.NextInt64() << 1, (ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64() << 1 | 1),
    };
}
