using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing;
using LowLatency.Testing.Anvil;

namespace LowLatency.Testing.Chain;

/// <summary>
/// A deployer on anvil for the DEX proofs, on our own JSON-RPC, ABI and signing layer: deploys the npm artifacts and
/// the test caller (compiled by solc from npm), sends transactions with a local nonce and reads receipts and calls.
/// </summary>
public sealed class DexChain : IAsyncDisposable
{
    private static readonly UInt256 s_maxFee = 50_000_000_000UL;
    private readonly EthSigner _signer;
    private ulong _nonce;

    private DexChain(JsonRpcClient client, EthSigner signer, ulong nonce)
    {
        Client = client;
        _signer = signer;
        _nonce = nonce;
    }

    public JsonRpcClient Client { get; }

    public Address From => _signer.Address;

    public static async Task<DexChain> StartAsync(AnvilFixture anvil)
    {
        var client = JsonRpcClient.ForHttp(anvil.HttpUrl, AnvilTestKit.Options);
        EthSigner signer = AnvilTestKit.Signer(0);
        var nonce = await client.GetTransactionCountAsync(signer.Address, BlockTag.Latest);
        Assert.True(nonce.IsOk, nonce.ToString());
        return new DexChain(client, signer, nonce.Value);
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    /// <summary>Reads the sender's nonce from the chain again (after evm_revert took the chain back).</summary>
    public async Task ResyncNonceAsync()
    {
        var nonce = await Client.GetTransactionCountAsync(_signer.Address, BlockTag.Latest);
        Assert.True(nonce.IsOk, nonce.ToString());
        _nonce = nonce.Value;
    }

    /// <summary>A contract's creation bytecode from an npm artifact (hardhat "bytecode" or truffle/waffle "bytecode"/"evm").</summary>
    public static byte[] Artifact(params string[] pathUnderNodeModules)
    {
        string path = Path.Combine([SharedData.RepoRoot, "tools", "node_modules", .. pathUnderNodeModules]);
        Assert.True(File.Exists(path), path + " missing: run scripts/setup-node-tools.sh");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        string hex = doc.RootElement.GetProperty("bytecode").GetString()!;
        return Hex.Decode(hex.StartsWith("0x", StringComparison.Ordinal) ? hex : "0x" + hex);
    }

    /// <summary>Compiles the test-only caller with the pinned solc (solc-js from npm) and returns its creation code.</summary>
    public static byte[] CompileCaller()
    {
        string source = Path.Combine(SharedData.RepoRoot, "tests", "Testing", "Chain", "DexTestCaller.sol");
        const string Script = """
            const solc = require(process.argv[1]);
            const fs = require("fs");
            const input = { language: "Solidity", sources: { "DexTestCaller.sol": { content: fs.readFileSync(process.argv[2], "utf8") } },
              settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["evm.bytecode.object"] } } } };
            const out = JSON.parse(solc.compile(JSON.stringify(input)));
            for (const e of out.errors || []) if (e.severity === "error") { console.error(e.formattedMessage); process.exit(1); }
            process.stdout.write(out.contracts["DexTestCaller.sol"].DexTestCaller.evm.bytecode.object);
            """;
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(Path.Combine(SharedData.RepoRoot, "tools", "node_modules", "solc"));
        psi.ArgumentList.Add(source);
        using Process node = Process.Start(psi)!;
        Task<string> stderr = node.StandardError.ReadToEndAsync();
        string bytecode = node.StandardOutput.ReadToEnd();
        Assert.True(node.WaitForExit(120_000), "solc did not finish");
        Assert.True(node.ExitCode == 0, "solc failed: " + stderr.Result);
        return Hex.Decode("0x" + bytecode);
    }

    public async Task<Address> DeployAsync(byte[] creationCode, byte[]? constructorArguments = null)
    {
        byte[] data = constructorArguments is null ? creationCode : [.. creationCode, .. constructorArguments];
        TransactionReceipt receipt = await SendAsync(null, data, 8_000_000);
        Assert.True(receipt.Succeeded, "deployment reverted");
        return receipt.ContractAddress!.Value;
    }

    /// <summary>Sends a transaction (contract creation when <paramref name="to"/> is null) and returns its receipt.</summary>
    public async Task<TransactionReceipt> SendAsync(Address? to, byte[] data, ulong gas = 15_000_000)
    {
        var tx = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = (ulong)AnvilFixture.ChainId,
            Nonce = _nonce++,
            GasLimit = gas,
            MaxFeePerGas = s_maxFee,
            MaxPriorityFeePerGas = 1UL,
            To = to,
            Data = data,
        };
        return await AnvilTestKit.SendAndWaitAsync(Client, tx, _signer);
    }

    /// <summary>
    /// Sends without waiting for the receipt (anvil mines each transaction as it arrives, so later calls already see
    /// it); returns the hash for <see cref="ReceiptsAsync"/>.
    /// </summary>
    public async Task<byte[]> SendOnlyAsync(Address to, byte[] data, ulong gas)
    {
        var tx = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = (ulong)AnvilFixture.ChainId,
            Nonce = _nonce++,
            GasLimit = gas,
            MaxFeePerGas = s_maxFee,
            MaxPriorityFeePerGas = 1UL,
            To = to,
            Data = data,
        };
        RpcResult<byte[]> sent = await Client.SendRawTransactionAsync(TransactionSigner.Sign(tx, _signer).EncodeSigned());
        Assert.True(sent.IsOk, "eth_sendRawTransaction: " + sent);
        return sent.Value;
    }

    /// <summary>The receipts of sent transactions, batched; polls (with a deadline) until anvil has mined them all.</summary>
    public async Task<TransactionReceipt[]> ReceiptsAsync(IReadOnlyList<byte[]> hashes)
    {
        var receipts = new TransactionReceipt?[hashes.Count];
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var missing = new List<int>();
            for (int i = 0; i < receipts.Length; i++)
            {
                if (receipts[i] is null)
                {
                    missing.Add(i);
                }
            }

            if (missing.Count == 0)
            {
                return receipts!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{missing.Count} transactions not mined");
            RpcResult<JsonElement>[] answers = await Client.BatchAsync(
                missing.ConvertAll(i => new RpcCall("eth_getTransactionReceipt", RpcParams.Strings(Hex.Encode(hashes[i])))));
            for (int k = 0; k < answers.Length; k++)
            {
                Assert.True(answers[k].IsOk, answers[k].ToString());
                if (answers[k].Value.ValueKind != JsonValueKind.Null)
                {
                    RpcResult<TransactionReceipt> receipt = TransactionReceipt.Parse(answers[k].Value);
                    Assert.True(receipt.IsOk, receipt.ToString());
                    receipts[missing[k]] = receipt.Value;
                }
            }

            if (receipts.Any(r => r is null))
            {
                await Task.Delay(10);
            }
        }
    }

    public Task<RpcResult<byte[]>> CallAsync(Address to, byte[] data) =>
        Client.EthCallAsync(new CallRequest { From = From, To = to, Data = data }, BlockTag.Latest);

    /// <summary>An eth_call that must succeed; returns its decoded outputs.</summary>
    public async Task<IReadOnlyList<AbiValue>> ReadAsync(Address to, AbiFunction function, params AbiValue[] arguments)
    {
        RpcResult<byte[]> result = await CallAsync(to, function.EncodeCall(arguments));
        Assert.True(result.IsOk, function.Signature + ": " + result);
        Assert.True(function.TryDecodeOutput(result.Value, out IReadOnlyList<AbiValue>? outputs, out string? error), error);
        return outputs;
    }

    public static AbiValue U(BigInteger value) => AbiValue.UInt(value);

    public static AbiValue I(BigInteger value) => AbiValue.Int(value);

    public static AbiValue A(Address address) => AbiValue.FromAddress(address);

    /// <summary>The data of the only log with <paramref name="topic0"/> emitted by <paramref name="emitter"/>, as 32-byte words.</summary>
    public static UInt256[] EventWords(TransactionReceipt receipt, Address emitter, ReadOnlySpan<byte> topic0)
    {
        UInt256[]? words = null;
        foreach (LogEntry log in receipt.Logs)
        {
            if (log.Address == emitter && log.Topics.Length > 0 && log.Topics[0].AsSpan().SequenceEqual(topic0))
            {
                Assert.Null(words);
                words = new UInt256[log.Data.Length / 32];
                for (int i = 0; i < words.Length; i++)
                {
                    words[i] = UInt256.FromBigEndian(log.Data.AsSpan(32 * i, 32));
                }
            }
        }

        Assert.NotNull(words);
        return words;
    }
}
