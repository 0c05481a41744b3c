using System.IO.Compression;
using System.Numerics;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Testing;
using LowLatency.Testing.Anvil;

namespace LowLatency.Adapters.Ethereum.Tests.Abi;

public sealed class AbiVectorTests
{
    private static readonly Lazy<JsonElement> s_cases = new(() =>
    {
        var path = Path.Combine(SharedData.Root, "eth", "ethers-testcases", "ethers__abi__shared.json.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        return doc.RootElement.Clone();
    });

    /// <summary>Builds our value from ethers' "verbose" description, guided by the type.</summary>
    internal static AbiValue FromVerbose(AbiType type, JsonElement verbose)
    {
        var kind = verbose.GetProperty("type").GetString();
        var v = verbose.GetProperty("value");
        return kind switch
        {
            "number" => type.Kind == AbiKind.Int ? AbiValue.Int(BigInteger.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)) : AbiValue.UInt(BigInteger.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
            "hexstring" => type.Kind == AbiKind.Bytes ? AbiValue.FromBytes(Hex.Decode(v.GetString()!)) : AbiValue.FixedBytes(Hex.Decode(v.GetString()!)),
            "address" => AbiValue.FromAddress(Address.Parse(v.GetString()!.ToLowerInvariant())),
            "boolean" => AbiValue.FromBool(v.GetBoolean()),
            "string" => AbiValue.FromString(v.GetString()!),
            "array" => AbiValue.Array(v.EnumerateArray().Select(e => FromVerbose(type.Element!, e)).ToArray()),
            "object" => AbiValue.Tuple(v.EnumerateArray().Select((e, i) => FromVerbose(type.Components[i], e)).ToArray()),
            _ => throw new InvalidDataException("unknown verbose type " + kind),
        };
    }

    [Fact]
    public void Every_ethers_case_encodes_byte_for_byte_and_decodes_back()
    {
        var count = 0;
        foreach (var testCase in s_cases.Value.EnumerateArray())
        {
            var name = testCase.GetProperty("name").GetString();
            var type = AbiType.Parse(testCase.GetProperty("type").GetString()!);
            var value = FromVerbose(type, testCase.GetProperty("verbose"));
            var expected = testCase.GetProperty("encoded").GetString();

            Assert.True(AbiCodec.TryEncode(type, value, out var encoded, out var error), name + ": " + error);
            Assert.Equal(expected, Hex.Encode(encoded));

            Assert.True(AbiCodec.TryDecode(type, Hex.Decode(expected!), out var decoded, out error), name + ": " + error);
            Assert.True(value.Equals(decoded), name + ": decoded " + decoded + " expected " + value);
            count++;
        }

        Assert.Equal(717, count);
    }

    [Theory]
    [InlineData("uint", "uint256")]
    [InlineData("int", "int256")]
    [InlineData("tuple(uint8 a, bool[] b)[2]", "(uint8,bool[])[2]")]
    [InlineData("(address,(bytes32,string)[])[][3]", "(address,(bytes32,string)[])[][3]")]
    public void Types_parse_to_canonical_names(string text, string canonical) =>
        Assert.Equal(canonical, AbiType.Parse(text).CanonicalName);

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("uint08")]
    [InlineData("bytes0")]
    [InlineData("bytes33")]
    [InlineData("(uint256")]
    [InlineData("uint256[")]
    [InlineData("uint256[01]")]
    [InlineData("uint256[0]")]
    [InlineData("foo")]
    [InlineData("")]
    [InlineData("address address")]
    public void Bad_types_are_rejected_with_a_message(string text)
    {
        Assert.False(AbiType.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Deep_nesting_is_rejected_not_a_stack_overflow()
    {
        Assert.False(AbiType.TryParse(new string('(', 10_000) + "uint8" + new string(')', 10_000), out _, out _));
        Assert.False(AbiType.TryParse("uint8" + string.Concat(Enumerable.Repeat("[]", 1000)), out _, out _));
    }
}
