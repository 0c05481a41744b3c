using System.IO.Compression;
using System.Text.Json;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>The shared Ethereum vectors as fuzz seeds (loaded once, read-only).</summary>
internal static class EthCorpus
{
    private static readonly Lazy<List<byte[]>> s_transactions = new(LoadTransactions);
    private static readonly Lazy<List<byte[]>> s_rlp = new(LoadRlp);

    /// <summary>Raw transactions: every ethereum/tests TransactionTest <c>txbytes</c> and ethers' four signed forms.</summary>
    public static IReadOnlyList<byte[]> Transactions => s_transactions.Value;

    /// <summary>RLP items: the ethereum/tests RLP vectors (valid and invalid) and the transactions' bodies.</summary>
    public static IReadOnlyList<byte[]> Rlp => s_rlp.Value;

    public static JsonDocument Load(params string[] parts)
    {
        string path = Path.Combine([SharedData.Root, "eth", .. parts]);
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 4096 });
    }

    /// <summary>0x-hex to bytes; null when the text is not hex (some invalid vectors are not).</summary>
    public static byte[]? FromHex(string? text)
    {
        if (text is null)
        {
            return null;
        }

        int length = Hex.GetDecodedLength(text);
        if (length < 0)
        {
            return null;
        }

        var bytes = new byte[length];
        return Hex.TryDecode(text, bytes, out int written) && written == length ? bytes : null;
    }

    private static List<byte[]> LoadTransactions()
    {
        var corpus = new List<byte[]>();
        string root = Path.Combine(SharedData.Root, "eth", "transactions", "ethereum-tests");
        foreach (string file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonProperty test in doc.RootElement.EnumerateObject())
            {
                if (test.Value.TryGetProperty("txbytes", out JsonElement tx) && FromHex(tx.GetString()) is { Length: > 0 } raw)
                {
                    corpus.Add(raw);
                }
            }
        }

        using JsonDocument ethers = Load("ethers-testcases", "ethers__transaction__shared.json.gz");
        int n = 0;
        foreach (JsonElement vector in ethers.RootElement.EnumerateArray())
        {
            // A hundred of the 627 random vectors: each adds four forms, the variety is in the mutations.
            if (n++ % 6 != 0)
            {
                continue;
            }

            foreach (string form in new[] { "signedLegacy", "signedEip155", "signedBerlin", "signedLondon" })
            {
                if (FromHex(vector.GetProperty(form).GetString()) is { Length: > 0 } raw)
                {
                    corpus.Add(raw);
                }
            }
        }

        return corpus;
    }

    private static List<byte[]> LoadRlp()
    {
        var corpus = new List<byte[]>();
        foreach (string file in new[] { "ethereum-tests__RLPTests__rlptest.json", "ethereum-tests__RLPTests__invalidRLPTest.json", "ethereum-tests__RLPTests__RandomRLPTests__example.json" })
        {
            using JsonDocument doc = Load("rlp", file);
            foreach (JsonProperty test in doc.RootElement.EnumerateObject())
            {
                if (FromHex(test.Value.GetProperty("out").GetString()) is { } raw)
                {
                    corpus.Add(raw);
                }
            }
        }

        foreach (byte[] tx in Transactions.Take(200))
        {
            corpus.Add(tx[0] >= 0xc0 ? tx : tx[1..]);
        }

        return corpus;
    }
}
