using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Rlp;

namespace LowLatency.Adapters.Ethereum.Tests.Rlp;

public class RlpTests
{
    private static RlpItem FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => RlpItem.List(e.EnumerateArray().Select(FromJson).ToList()),
        JsonValueKind.Number => RlpItem.Integer(BigInteger.Parse(e.GetRawText(), CultureInfo.InvariantCulture)),
        JsonValueKind.String when e.GetString()!.StartsWith('#') => RlpItem.Integer(BigInteger.Parse(e.GetString()![1..], CultureInfo.InvariantCulture)),
        JsonValueKind.String => RlpItem.String(Encoding.UTF8.GetBytes(e.GetString()!)),
        _ => throw new InvalidOperationException(e.ValueKind.ToString()),
    };

    private static void AssertMatches(JsonElement expected, RlpItem actual)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Array:
                Assert.True(actual.IsList);
                JsonElement[] children = expected.EnumerateArray().ToArray();
                Assert.Equal(children.Length, actual.Items.Count);
                for (int i = 0; i < children.Length; i++)
                {
                    AssertMatches(children[i], actual.Items[i]);
                }

                break;
            case JsonValueKind.Number:
                Assert.True(actual.TryGetInteger(out BigInteger n));
                Assert.Equal(BigInteger.Parse(expected.GetRawText(), CultureInfo.InvariantCulture), n);
                break;
            case JsonValueKind.String when expected.GetString()!.StartsWith('#'):
                Assert.True(actual.TryGetInteger(out BigInteger big));
                Assert.Equal(BigInteger.Parse(expected.GetString()![1..], CultureInfo.InvariantCulture), big);
                break;
            default:
                Assert.False(actual.IsList);
                Assert.Equal(Encoding.UTF8.GetBytes(expected.GetString()!), actual.Bytes.ToArray());
                break;
        }
    }

    [Fact]
    public void Valid_vectors_round_trip_byte_for_byte()
    {
        using JsonDocument doc = EthTestData.Load("rlp", "ethereum-tests__RLPTests__rlptest.json");
        int count = 0;
        foreach (JsonProperty test in doc.RootElement.EnumerateObject())
        {
            JsonElement input = test.Value.GetProperty("in");
            byte[] expectedOut = Hex.Decode(test.Value.GetProperty("out").GetString()!);
            Assert.True(expectedOut.AsSpan().SequenceEqual(RlpCodec.Encode(FromJson(input))), test.Name);
            Assert.True(RlpCodec.TryDecode(expectedOut, out RlpItem? decoded, out RlpError error), $"{test.Name}: {error}");
            AssertMatches(input, decoded!);
            count++;
        }

        Assert.Equal(28, count);
    }

    [Fact]
    public void Invalid_vectors_are_rejected()
    {
        using JsonDocument doc = EthTestData.Load("rlp", "ethereum-tests__RLPTests__invalidRLPTest.json");
        int count = 0;
        foreach (JsonProperty test in doc.RootElement.EnumerateObject())
        {
            byte[] bytes = Hex.Decode(test.Value.GetProperty("out").GetString()!);
            bool ok = RlpCodec.TryDecode(bytes, out _, out RlpError error);
            Assert.False(ok, test.Name);
            Assert.NotEqual(RlpError.None, error);
            count++;
        }

        Assert.Equal(26, count);
    }

    [Fact]
    public void Random_valid_vectors_decode_and_reencode()
    {
        using JsonDocument doc = EthTestData.Load("rlp", "ethereum-tests__RLPTests__RandomRLPTests__example.json");
        foreach (JsonProperty test in doc.RootElement.EnumerateObject())
        {
            byte[] bytes = Hex.Decode(test.Value.GetProperty("out").GetString()!);
            Assert.True(RlpCodec.TryDecode(bytes, out RlpItem? item, out _), test.Name);
            Assert.Equal(bytes, RlpCodec.Encode(item!));
        }
    }

    [Theory]
    [InlineData("8100", RlpError.NonCanonicalSingleByte)]
    [InlineData("b800", RlpError.LeadingZeroInLength)]
    [InlineData("b801ff", RlpError.NonCanonicalLongLength)]
    [InlineData("c5010203", RlpError.UnexpectedEnd)]
    [InlineData("8001", RlpError.TrailingBytes)]
    [InlineData("c3808080ff", RlpError.TrailingBytes)]
    [InlineData("bf0f000000000000021111", RlpError.LengthOverflow)]
    [InlineData("", RlpError.UnexpectedEnd)]
    public void Errors_name_the_problem(string hex, RlpError expected)
    {
        Assert.False(RlpCodec.TryDecode(Hex.Decode(hex), out _, out RlpError error));
        Assert.Equal(expected, error);
        Assert.False(string.IsNullOrEmpty(error.Describe()));
    }

    [Fact]
    public void Integer_reads_are_canonical()
    {
        var reader = new RlpReader(Hex.Decode("0x00"));
        Assert.False(reader.TryReadUInt64(out _)); // integer zero must be 0x80
        Assert.Equal(RlpError.LeadingZeroInInteger, reader.Error);

        reader = new RlpReader(Hex.Decode("0x820001"));
        Assert.False(reader.TryReadUInt64(out _));
        Assert.Equal(RlpError.LeadingZeroInInteger, reader.Error);
        Assert.Equal(0, reader.Position);

        reader = new RlpReader(Hex.Decode("0x89010000000000000000"));
        Assert.False(reader.TryReadUInt64(out _));
        Assert.Equal(RlpError.IntegerTooLarge, reader.Error);
        Assert.True(reader.TryReadUInt256(out UInt256 big));
        Assert.Equal(UInt256.One << 64, big);

        reader = new RlpReader(Hex.Decode("0x80"));
        Assert.True(reader.TryReadUInt64(out ulong zero));
        Assert.Equal(0UL, zero);

        reader = new RlpReader(Hex.Decode("0xc0"));
        Assert.False(reader.TryReadBytes(out _));
        Assert.Equal(RlpError.ExpectedString, reader.Error);
    }

    [Fact]
    public void Writer_matches_item_encoder_for_integers()
    {
        var rng = new Random(9);
        Span<byte> buffer = stackalloc byte[64];
        for (int i = 0; i < 5000; i++)
        {
            UInt256 v = Primitives.UInt256Tests.RandomValue(rng);
            var writer = new RlpWriter(buffer);
            writer.WriteUInt256(v);
            Assert.Equal(RlpCodec.LengthOfUInt256(v), writer.Position);
            Assert.Equal(RlpCodec.Encode(RlpItem.Integer(v.ToBigInteger())), writer.Written.ToArray());
            var reader = new RlpReader(writer.Written);
            Assert.True(reader.TryReadUInt256(out UInt256 back));
            Assert.Equal(v, back);
            Assert.True(reader.IsEnd);
        }
    }

    private static RlpItem RandomItem(Random rng, int depth)
    {
        if (depth < 4 && rng.Next(3) == 0)
        {
            int count = rng.Next(0, 6);
            var items = new List<RlpItem>();
            for (int i = 0; i < count; i++)
            {
                items.Add(RandomItem(rng, depth + 1));
            }

            return RlpItem.List(items);
        }

        int len = rng.Next(4) switch { 0 => 0, 1 => 1, 2 => rng.Next(2, 56), _ => rng.Next(56, 400) };
        byte[] bytes = new byte[len];
        rng.NextBytes(bytes);
        return RlpItem.String(bytes);
    }

    [Fact]
    public void Property_decode_encode_round_trip_and_mutations_never_crash()
    {
        var rng = new Random(42);
        int accepted = 0, rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            RlpItem item = RandomItem(rng, 0);
            byte[] encoded = RlpCodec.Encode(item);
            Assert.True(RlpCodec.TryDecode(encoded, out RlpItem? decoded, out _));
            Assert.Equal(item, decoded);

            // Any accepted mutant must be canonical: it re-encodes to exactly the same bytes.
            byte[] mutant = (byte[])encoded.Clone();
            mutant[rng.Next(mutant.Length)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0)
            {
                mutant = mutant[..rng.Next(mutant.Length)];
            }

            if (RlpCodec.TryDecode(mutant, out RlpItem? m, out _))
            {
                accepted++;
                Assert.Equal(mutant, RlpCodec.Encode(m!));
            }
            else
            {
                rejected++;
            }
        }

        Assert.True(accepted > 0 && rejected > 0);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        byte[] emptyLists = new byte[5000];
        Array.Fill(emptyLists, (byte)0xc0); // 5000 sibling empty lists: not one item
        Assert.False(RlpCodec.TryDecode(emptyLists, out _, out RlpError siblings));
        Assert.Equal(RlpError.TrailingBytes, siblings);
        var item = RlpItem.List([]);
        for (int i = 0; i < 2000; i++)
        {
            item = RlpItem.List([item]);
        }

        byte[] nested = RlpCodec.Encode(item);
        Assert.False(RlpCodec.TryDecode(nested, out _, out RlpError error));
        Assert.Equal(RlpError.TooDeep, error);
    }
}
