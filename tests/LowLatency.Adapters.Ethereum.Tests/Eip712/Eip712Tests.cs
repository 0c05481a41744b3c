using System.Text.Json;
using TypedData = LowLatency.Adapters.Ethereum.Eip712;

namespace LowLatency.Adapters.Ethereum.Tests.TypedDataTests;

public class Eip712Tests
{
    private const string MailExample = """
    {
      "types": {
        "EIP712Domain": [
          {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
          {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]
      },
      "primaryType": "Mail",
      "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
      "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!"
      }
    }
    """;

    [Fact]
    public void Eip712_specification_mail_example()
    {
        using JsonDocument doc = JsonDocument.Parse(MailExample);
        JsonElement root = doc.RootElement;
        Assert.Equal("Mail(Person from,Person to,string contents)Person(string name,address wallet)", TypedData.EncodeType(root.GetProperty("types"), "Mail"));
        Assert.Equal("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f",
            Hex.Encode(TypedData.HashDomain(root.GetProperty("domain"), root.GetProperty("types"))));
        Assert.Equal("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e",
            Hex.Encode(TypedData.HashStruct(root.GetProperty("types"), "Mail", root.GetProperty("message"))));
        Assert.Equal("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
            Hex.Encode(TypedData.HashTypedData(root)));
    }

    [Fact]
    public void Ethers_typed_data_vectors()
    {
        using JsonDocument doc = EthTestData.Load("ethers-testcases", "ethers__typed-data__shared.json");
        int count = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            string name = item.GetProperty("name").GetString()!;
            JsonElement types = item.GetProperty("types");
            string primary = item.GetProperty("primaryType").GetString()!;
            byte[] encoded = TypedData.EncodeData(types, primary, item.GetProperty("data"));
            Assert.True(item.GetProperty("encoded").GetString() == Hex.Encode(encoded), name);
            Assert.True(item.GetProperty("digest").GetString() == Hex.Encode(TypedData.HashTypedData(item)), name);
            count++;
        }

        Assert.Equal(91, count);
    }

    [Theory]
    [InlineData("""{"T":[{"name":"a","type":"uint8"}]}""", """{"a":256}""")]
    [InlineData("""{"T":[{"name":"a","type":"int8"}]}""", """{"a":"-129"}""")]
    [InlineData("""{"T":[{"name":"a","type":"uint256"}]}""", """{"a":"-1"}""")]
    [InlineData("""{"T":[{"name":"a","type":"bytes4"}]}""", """{"a":"0x0102"}""")]
    [InlineData("""{"T":[{"name":"a","type":"address"}]}""", """{"a":"0x1234"}""")]
    [InlineData("""{"T":[{"name":"a","type":"string"}]}""", """{"b":"x"}""")]
    [InlineData("""{"T":[{"name":"a","type":"uint8[2]"}]}""", """{"a":[1]}""")]
    [InlineData("""{"T":[{"name":"a","type":"Missing"}]}""", """{"a":{}}""")]
    [InlineData("""{"T":[{"name":"a","type":"bytes"}]}""", """{"a":"0xabc"}""")]
    public void Bad_values_are_rejected(string types, string data)
    {
        using JsonDocument t = JsonDocument.Parse(types);
        using JsonDocument d = JsonDocument.Parse(data);
        Assert.Throws<FormatException>(() => TypedData.EncodeData(t.RootElement, "T", d.RootElement));
    }

    [Fact]
    public void Negative_ints_are_twos_complement()
    {
        using JsonDocument t = JsonDocument.Parse("""{"T":[{"name":"a","type":"int256"}]}""");
        using JsonDocument d = JsonDocument.Parse("""{"a":-1}""");
        byte[] encoded = TypedData.EncodeData(t.RootElement, "T", d.RootElement);
        Assert.All(encoded[32..], b => Assert.Equal(0xff, b));
    }
}
