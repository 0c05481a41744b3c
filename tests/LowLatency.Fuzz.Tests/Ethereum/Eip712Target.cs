using System.Text;
using System.Text.Json;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// EIP-712 typed data through <see cref="Eip712.HashTypedData(JsonElement)"/>, which documents
/// <see cref="FormatException"/> for malformed input and nothing else: any other exception is a finding. A digest is 32
/// bytes.
/// </summary>
internal sealed class Eip712Target : FuzzTarget
{
    private static readonly Lazy<List<byte[]>> s_corpus = new(Load);

    public override string Name => "eip712";

    /// <summary>Hashing repeats the type encoding per struct value: 16 KB documents keep a case under a millisecond.</summary>
    protected override int MaxInputLength => 16 * 1024;

    public override IReadOnlyList<byte[]> Corpus => s_corpus.Value;

    public override void Check(byte[] input)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input);
        }
        catch (JsonException)
        {
            Outcome("not JSON");
            return;
        }

        using (document)
        {
            byte[] digest;
            try
            {
                digest = Eip712.HashTypedData(document.RootElement);
            }
            catch (FormatException ex)
            {
                Invariant.That(!string.IsNullOrEmpty(ex.Message), "eip712: a FormatException without a message");
                Outcome("refused");
                return;
            }

            Invariant.That(digest.Length == 32, "eip712: a digest that is not 32 bytes");
            Outcome("hashed");
        }
    }

    private static List<byte[]> Load()
    {
        using JsonDocument doc = EthCorpus.Load("ethers-testcases", "ethers__typed-data__shared.json");
        var corpus = new List<byte[]>();
        foreach (JsonElement vector in doc.RootElement.EnumerateArray())
        {
            string typed = "{\"types\":" + vector.GetProperty("types").GetRawText() + ",\"primaryType\":" + vector.GetProperty("primaryType").GetRawText()
                + ",\"domain\":" + vector.GetProperty("domain").GetRawText() + ",\"message\":" + vector.GetProperty("data").GetRawText() + "}";
            corpus.Add(Encoding.UTF8.GetBytes(typed));
        }

        return corpus;
    }
}
