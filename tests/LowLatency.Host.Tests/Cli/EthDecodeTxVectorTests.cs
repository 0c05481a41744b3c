using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Host.Cli;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Cli;

/// <summary>The ethereum/tests transaction vectors through the <c>eth decode-tx</c> verb (the library side is in the Ethereum adapter's tests).</summary>
public sealed class EthDecodeTxVectorTests
{
    private static readonly string[] s_forkPreference = ["Cancun", "Prague", "Shanghai", "Paris", "Merge", "London", "Berlin"];

    private static string Root => Path.Combine(SharedData.Root, "eth", "transactions", "ethereum-tests");

    private static List<string> EthereumTestFiles()
    {
        var files = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(Root, file));
        }

        return files;
    }

    private static JsonDocument Load(string relativePath)
    {
        using Stream file = File.OpenRead(Path.Combine(Root, relativePath));
        using Stream stream = relativePath.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 4096 });
    }

    private static (int Code, string Out, string Err) RunCli(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EthCommand.Run(args, stdout, stderr, TextReader.Null, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// ethereum/tests fill TransactionTests for chain 1: their INVALID_CHAINID cases are rejected when the chain is
    /// checked, by the library (<see cref="TxRules.ForChain"/>) and by <c>eth decode-tx --chain-id 1</c>. Those that
    /// are well-formed otherwise decode without a chain check: the chain check is what rejects them.
    /// </summary>
    [Fact]
    public void Ethereum_tests_invalid_chainid_cases_are_rejected_for_chain_1()
    {
        int cases = 0, rejectedOnlyByTheChainCheck = 0;
        foreach ((string name, byte[] raw, JsonElement expected) in CancunCases())
        {
            if (!expected.TryGetProperty("exception", out JsonElement exception) || exception.GetString() != "TransactionException.INVALID_CHAINID")
            {
                continue;
            }

            cases++;
            string hex = Hex.Encode(raw);
            Assert.False(TransactionDecoder.TryDecode(raw, TxRules.ForChain(1), out _, out _, out TxError error), name);
            (int code, string stdout, string stderr) = RunCli(["decode-tx", hex, "--chain-id", "1"]);
            Assert.True(code == 1, $"{name}: {code} {stdout}");
            Assert.StartsWith("eth: transaction rejected: ", stderr, StringComparison.Ordinal);
            if (TransactionDecoder.TryDecode(raw, TxRules.Default, out Transaction? tx, out _, out _))
            {
                rejectedOnlyByTheChainCheck++;
                Assert.Equal(TxErrorCode.WrongChainId, error.Code);
                Assert.NotEqual(UInt256.One, tx.ChainId!.Value);
                Assert.Equal(0, RunCli(["decode-tx", hex]).Code);
                Assert.Contains("--chain-id 1", stderr, StringComparison.Ordinal);
            }
        }

        Assert.Equal(25, cases);
        Assert.True(rejectedOnlyByTheChainCheck > 0, rejectedOnlyByTheChainCheck.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Every ethereum/tests case through <c>eth decode-tx --chain-id 1 --allow-unprotected</c>: exit 0 and the expected sender and hash, or exit 1.</summary>
    [Fact]
    public void Ethereum_tests_through_decode_tx_with_chain_id_1()
    {
        int valid = 0, rejected = 0;
        foreach ((string name, byte[] raw, JsonElement expected) in CancunCases())
        {
            (int code, string stdout, string stderr) = RunCli(["decode-tx", Hex.Encode(raw), "--chain-id", "1", "--allow-unprotected"]);
            if (expected.TryGetProperty("exception", out _))
            {
                Assert.True(code == 1, $"{name}: expected a rejection, got {code} {stdout}");
                Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                rejected++;
                continue;
            }

            Assert.True(code == 0, $"{name}: {stderr}");
            using JsonDocument decoded = JsonDocument.Parse(stdout);
            Assert.Equal(expected.GetProperty("sender").GetString()!, decoded.RootElement.GetProperty("sender").GetString()!, ignoreCase: true);
            Assert.Equal(expected.GetProperty("hash").GetString(), decoded.RootElement.GetProperty("hash").GetString());
            valid++;
        }

        Assert.True(valid > 0 && rejected > 0, $"{valid} valid, {rejected} rejected");
    }

    private static IEnumerable<(string Name, byte[] Raw, JsonElement Expected)> CancunCases()
    {
        foreach (string relativePath in EthereumTestFiles())
        {
            using JsonDocument doc = Load(relativePath);
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

                string txHex = test.Value.GetProperty("txbytes").GetString()!;
                int length = Hex.GetDecodedLength(txHex);
                byte[] raw = new byte[Math.Max(length, 0)];
                if (length < 0 || !Hex.TryDecode(txHex, raw, out _))
                {
                    raw = [];
                }

                yield return (test.Name, raw, expected.Clone());
            }
        }
    }
}
