using System.Globalization;
using System.Numerics;
using LowLatency.Adapters.Ethereum.Abi;

namespace LowLatency.Adapters.Ethereum.Tests.Abi;

public sealed class AbiCodecTests
{
    [Fact]
    public void Selectors_and_topics_match_the_known_values()
    {
        Assert.Equal("0xa9059cbb", Hex.Encode(AbiFunction.Parse("transfer(address,uint256)").Selector));
        Assert.Equal("0x70a08231", Hex.Encode(AbiFunction.Parse("function balanceOf(address owner) external view returns (uint256)").Selector));
        Assert.Equal("0x095ea7b3", Hex.Encode(AbiFunction.Parse("approve(address spender, uint amount)").Selector));
        var transfer = AbiEvent.Parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        Assert.Equal("Transfer(address,address,uint256)", transfer.Signature);
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", Hex.Encode(transfer.Topic0));
    }

    [Fact]
    public void Function_encodes_calls_and_decodes_outputs()
    {
        var transfer = AbiFunction.Parse("transfer(address,uint256)(bool)");
        var to = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        var calldata = transfer.EncodeCall(AbiValue.FromAddress(to), AbiValue.UInt(new UInt256(1000)));
        Assert.Equal("0xa9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000000000000000000003e8", Hex.Encode(calldata));
        Assert.True(transfer.TryDecodeCall(calldata, out var args, out var error), error);
        Assert.Equal(to, args[0].AddressValue);
        Assert.False(transfer.TryDecodeCall(calldata.AsSpan(1), out _, out _));

        var ok = new byte[32];
        ok[31] = 1;
        Assert.True(transfer.TryDecodeOutput(ok, out var outputs, out error), error);
        Assert.True(outputs[0].BoolValue);
        ok[31] = 2;
        Assert.False(transfer.TryDecodeOutput(ok, out _, out error));
        Assert.Contains("bool", error, StringComparison.Ordinal);

        Assert.False(transfer.TryEncodeCall([AbiValue.FromAddress(to)], out _, out error));
        Assert.False(transfer.TryEncodeCall([AbiValue.UInt(new UInt256(1)), AbiValue.UInt(new UInt256(1))], out _, out error));
    }

    [Fact]
    public void Event_log_decodes_indexed_topics_and_data()
    {
        var ev = AbiEvent.Parse("Swap(address indexed sender,uint256 amount0In,string note,bytes32 indexed tag,string indexed label)");
        var sender = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        var senderTopic = new byte[32];
        sender.CopyTo(senderTopic.AsSpan(12));
        var tag = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var labelHash = Keccak256.Hash("x"u8);
        var data = AbiCodec.Encode(AbiType.Parse("(uint256,string)"), AbiValue.Tuple(AbiValue.UInt(new UInt256(5)), AbiValue.FromString("hi")));
        // Encode of a static-headed tuple wraps nothing; the tuple has a dynamic member so strip the outer offset.
        data = data[32..];
        Assert.True(ev.TryDecodeLog([ev.Topic0.ToArray(), senderTopic, tag, labelHash], data, out var values, out var error), error);
        Assert.Equal(sender, values[0].AddressValue);
        Assert.Equal(new UInt256(5), values[1].Word);
        Assert.Equal("hi", values[2].StringValue);
        Assert.Equal(tag, values[3].BytesValue);
        Assert.Equal(labelHash, values[4].BytesValue);

        Assert.False(ev.TryDecodeLog([ev.Topic0.ToArray(), senderTopic, tag], data, out _, out _));
        Assert.False(ev.TryDecodeLog([new byte[32], senderTopic, tag, labelHash], data, out _, out _));
        senderTopic[0] = 1; // dirty address topic
        Assert.False(ev.TryDecodeLog([ev.Topic0.ToArray(), senderTopic, tag, labelHash], data, out _, out _));
    }

    [Fact]
    public void Values_that_do_not_fit_their_type_are_rejected_on_encode()
    {
        Assert.False(AbiCodec.TryEncode(AbiType.UInt(8), AbiValue.UInt(new UInt256(256)), out _, out var error));
        Assert.Contains("uint8", error, StringComparison.Ordinal);
        Assert.False(AbiCodec.TryEncode(AbiType.Int(8), AbiValue.Int(128), out _, out _));
        Assert.True(AbiCodec.TryEncode(AbiType.Int(8), AbiValue.Int(-128), out _, out _));
        Assert.False(AbiCodec.TryEncode(AbiType.Int(8), AbiValue.Int(-129), out _, out _));
        Assert.False(AbiCodec.TryEncode(AbiType.UInt(256), AbiValue.Int(-1), out _, out _));
        Assert.False(AbiCodec.TryEncode(AbiType.FixedBytes(4), AbiValue.FixedBytes([1, 2, 3]), out _, out _));
        Assert.False(AbiCodec.TryEncode(AbiType.Parse("uint8[2]"), AbiValue.Array(AbiValue.UInt(new UInt256(1))), out _, out _));
        Assert.False(AbiCodec.TryEncode(AbiType.Address, AbiValue.FromBool(true), out _, out _));
        Assert.False(AbiCodec.TryEncode(AbiType.Parse("(bool,bool)"), AbiValue.Tuple(AbiValue.FromBool(true)), out _, out _));
    }

    public static TheoryData<string, string, string> BadEncodings() => new()
    {
        { "uint8", "0x" + new string('0', 60) + "0100", "dirty" },
        { "int8", "0x" + new string('0', 62) + "80", "sign" },
        { "int8", "0x" + new string('f', 62) + "7f", "sign" },
        { "bool", "0x" + new string('0', 63) + "2", "bool" },
        { "address", "0x01" + new string('0', 62), "address" },
        { "bytes2", "0x1234" + new string('0', 58) + "01", "padding" },
        { "uint256", "0x00", "short" },
        { "string", "0x" + new string('0', 62) + "40" + new string('0', 64), "offset" },
        { "string", "0x" + new string('0', 62) + "20" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "length" },
        { "string", "0x" + new string('0', 62) + "20" + new string('0', 63) + "2" + "ff" + new string('0', 62), "UTF-8" },
        { "uint256[]", "0x" + new string('0', 62) + "20" + new string('0', 56) + "7fffffff", "length" },
        { "bytes", "0x" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "offset" },
    };

    [Theory]
    [MemberData(nameof(BadEncodings))]
    public void Malformed_encodings_are_error_values(string type, string hex, string expectedWord)
    {
        Assert.False(AbiCodec.TryDecode(AbiType.Parse(type), Hex.Decode(hex), out var value, out var error));
        Assert.Null(value);
        Assert.Contains(expectedWord, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Truncations_and_random_corruptions_never_throw()
    {
        var random = new Random(11);
        int truncations = 0, corruptions = 0, corruptionsDecoded = 0;
        for (var i = 0; i < 300; i++)
        {
            var type = AbiRandom.Type(random, 0);
            var original = AbiRandom.Value(random, type);
            var encoded = AbiCodec.Encode(type, original);
            if (encoded.Length == 0)
            {
                continue;
            }

            // A prefix decodes only when nothing but the padding of the last dynamic bytes/string is missing (Solidity's
            // decoder accepts that too), and then to the same value; otherwise it is an error value.
            var cut = encoded.AsSpan(0, random.Next(encoded.Length)).ToArray();
            if (AbiCodec.TryDecode(type, cut, out var prefix, out var cutError))
            {
                Assert.Null(cutError);
                Assert.True(original.Equals(prefix), type + " from " + cut.Length + " of " + encoded.Length + " bytes: " + prefix);
                Assert.True(encoded.AsSpan(cut.Length).IndexOfAnyExcept((byte)0) < 0, type + ": only zero padding may be missing");
            }
            else
            {
                Assert.Null(prefix);
                Assert.False(string.IsNullOrEmpty(cutError));
                truncations++;
            }

            // One flipped bit may still be a valid encoding (of another value); then it is a value of the type.
            var corrupt = (byte[])encoded.Clone();
            corrupt[random.Next(corrupt.Length)] ^= (byte)(1 << random.Next(8));
            if (AbiCodec.TryDecode(type, corrupt, out var decoded, out var error))
            {
                Assert.Null(error);
                Assert.True(AbiCodec.TryEncode(type, decoded, out var again, out var encodeError), type + ": " + encodeError);
                Assert.True(AbiCodec.TryDecode(type, again, out var roundTrip, out _));
                Assert.True(decoded.Equals(roundTrip), type + ": " + decoded + " != " + roundTrip);
                corruptionsDecoded++;
            }
            else
            {
                Assert.Null(decoded);
                Assert.False(string.IsNullOrEmpty(error));
            }

            corruptions++;
        }

        // Both outcomes were exercised.
        Assert.True(truncations > 250, truncations.ToString(CultureInfo.InvariantCulture)); // truncations rejected
        Assert.InRange(corruptionsDecoded, 1, corruptions - 1);
    }

    [Fact]
    public void Property_decode_of_encode_is_identity_on_random_types_and_values()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var type = AbiRandom.Type(random, 0);
            var value = AbiRandom.Value(random, type);
            Assert.True(AbiCodec.TryEncode(type, value, out var encoded, out var error), type + ": " + error);
            Assert.True(encoded.Length % 32 == 0);
            Assert.True(AbiCodec.TryDecode(type, encoded, out var decoded, out error), type + ": " + error);
            Assert.True(value.Equals(decoded), type + ": " + value + " != " + decoded);
            // Re-parsing the canonical name gives the same tree.
            Assert.Equal(type, AbiType.Parse(type.CanonicalName));
        }
    }

    [Fact]
    public void Text_arguments_parse_like_cast()
    {
        var f = AbiFunction.Parse("f(uint8,int16,address,bool,bytes2,bytes,string,uint256[],(bool,string))");
        string[] args = ["0xff", "-2", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "true", "0xabcd", "0x", "\"a, b\"", "[1,2,3]", "(false,\"x,(y)\")"];
        var values = f.Inputs.Components.Select((t, i) =>
        {
            Assert.True(AbiText.TryParse(t, args[i], out var v, out var error), error);
            return v;
        }).ToArray();
        Assert.Equal(new BigInteger(-2), values[1].Integer);
        Assert.Equal("a, b", values[6].StringValue);
        Assert.Equal(3, values[7].Items.Count);
        Assert.Equal("x,(y)", values[8].Items[1].StringValue);
        Assert.True(f.TryEncodeCall(values, out _, out var encodeError), encodeError);

        Assert.False(AbiText.TryParse(AbiType.UInt(8), "256", out _, out _));
        Assert.False(AbiText.TryParse(AbiType.UInt(8), "-1", out _, out _));
        Assert.False(AbiText.TryParse(AbiType.Address, "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", out _, out _));
        Assert.False(AbiText.TryParse(AbiType.Parse("uint8[2]"), "[1]", out _, out _));
        Assert.False(AbiText.TryParse(AbiType.Parse("uint8[]"), "[1,[2]", out _, out _));
        Assert.False(AbiText.TryParse(AbiType.FixedBytes(2), "0xabc", out _, out _));
    }
}

/// <summary>Random ABI types and values for property tests.</summary>
internal static class AbiRandom
{
    public static AbiType Type(Random r, int depth)
    {
        var pick = r.Next(depth >= 3 ? 7 : 10);
        return pick switch
        {
            0 => AbiType.UInt(8 * r.Next(1, 33)),
            1 => AbiType.Int(8 * r.Next(1, 33)),
            2 => AbiType.Address,
            3 => AbiType.Bool,
            4 => AbiType.FixedBytes(r.Next(1, 33)),
            5 => AbiType.Bytes,
            6 => AbiType.String,
            7 => AbiType.ArrayOf(Type(r, depth + 1)),
            8 => AbiType.FixedArrayOf(Type(r, depth + 1), r.Next(1, 4)),
            _ => AbiType.Tuple(Enumerable.Range(0, r.Next(1, 4)).Select(_ => Type(r, depth + 1)).ToArray()),
        };
    }

    public static AbiValue Value(Random r, AbiType type)
    {
        switch (type.Kind)
        {
            case AbiKind.UInt:
                return AbiValue.UInt(RandomBits(r, r.Next(0, type.Size + 1)));
            case AbiKind.Int:
            {
                var magnitude = RandomBits(r, r.Next(0, type.Size)).ToBigInteger();
                return AbiValue.Int(r.Next(2) == 0 ? magnitude : -magnitude - (r.Next(2) == 0 ? 0 : 0));
            }

            case AbiKind.Address:
                var a = new byte[20];
                r.NextBytes(a);
                return AbiValue.FromAddress(new Address(a));
            case AbiKind.Bool:
                return AbiValue.FromBool(r.Next(2) == 1);
            case AbiKind.FixedBytes:
                var fb = new byte[type.Size];
                r.NextBytes(fb);
                return AbiValue.FixedBytes(fb);
            case AbiKind.Bytes:
                var b = new byte[r.Next(0, 70)];
                r.NextBytes(b);
                return AbiValue.FromBytes(b);
            case AbiKind.String:
                var chars = Enumerable.Range(0, r.Next(0, 40)).Select(_ => "aZ9 é€😀"[r.Next(8)]).ToArray();
                return AbiValue.FromString(new string(chars).Replace("\ud83d", "x", StringComparison.Ordinal).Replace("\ude00", "y", StringComparison.Ordinal));
            case AbiKind.Array:
                return AbiValue.Array(Enumerable.Range(0, r.Next(0, 4)).Select(_ => Value(r, type.Element!)).ToArray());
            case AbiKind.FixedArray:
                return AbiValue.Array(Enumerable.Range(0, type.Size).Select(_ => Value(r, type.Element!)).ToArray());
            default:
                return AbiValue.Tuple(type.Components.Select(c => Value(r, c)).ToArray());
        }
    }

    private static UInt256 RandomBits(Random r, int bits)
    {
        var bytes = new byte[32];
        r.NextBytes(bytes);
        var value = UInt256.FromBigEndian(bytes);
        return bits == 0 ? default : value >> (256 - bits);
    }
}
