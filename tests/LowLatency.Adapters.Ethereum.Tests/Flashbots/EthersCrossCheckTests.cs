using System.Diagnostics;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing;
using LowLatency.Testing.Anvil;

namespace LowLatency.Adapters.Ethereum.Tests.Flashbots;

/// <summary>
/// Runs the benchmark's ethers v6 script in --check mode and compares its signed EIP-1559 transaction and
/// Flashbots header with ours for the same inputs: the benchmark compares equal work, byte for byte.
/// </summary>
[Trait("Category", "Slow")]
public sealed class EthersCrossCheckTests
{
    [Fact]
    public void Ethers_v6_produces_the_same_transaction_and_header_bytes_as_we_do()
    {
        var root = SharedData.RepoRoot;
        var tools = Path.Combine(root, "tools");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "ethers")), "ethers missing: run scripts/setup-node-tools.sh");
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(root, "benchmarks", "LowLatency.Benchmarks", "Ethereum", "ethers", "bench.mjs"));
        psi.ArgumentList.Add("--check");
        psi.Environment["LL_TOOLS_DIR"] = tools;
        using var node = Process.Start(psi)!;
        var output = node.StandardOutput.ReadToEnd();
        Assert.True(node.WaitForExit(60_000));
        Assert.True(node.ExitCode == 0, node.StandardError.ReadToEnd());
        using var doc = JsonDocument.Parse(output);

        // The inputs bench.mjs uses (and FlashbotsSignBenchmarks).
        var calldata = Enumerable.Range(0, 196).Select(i => (byte)((i * 7) + 3)).ToArray();
        var body = Enumerable.Range(0, 1024).Select(i => (byte)('a' + (i % 26))).ToArray();
        var router = Address.Parse("0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D");
        using var key = PrivateKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        var signer = new EthSigner(key);
        var tx = new Transaction
        {
            Type = TxType.DynamicFee, ChainId = UInt256.One, Nonce = 0, MaxPriorityFeePerGas = 1_500_000_000, MaxFeePerGas = 42_000_000_000,
            GasLimit = 250_000, To = router, Value = UInt256.Zero, Data = calldata,
            AccessList = [new AccessListEntry(router, [UInt256.One, new UInt256(8)])],
        };

        Assert.Equal(doc.RootElement.GetProperty("raw").GetString(), Hex.Encode(TransactionSigner.Sign(tx, signer).EncodeSigned()));
        Assert.Equal(doc.RootElement.GetProperty("header").GetString(), FlashbotsAuth.CreateHeader(signer, body));
    }
}
