using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing;
using LowLatency.Testing.Anvil;

namespace LowLatency.Testing.Chain;

/// <summary>Helpers for tests against a real anvil: sign with our code, send, wait for the receipt.</summary>
public static class AnvilTestKit
{
    public static readonly JsonRpcOptions Options = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(5),
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    public static EthSigner Signer(int devAccount) => new(PrivateKey.FromHex(AnvilFixture.DevKeys[devAccount].PrivateKey));

    public static Address DevAddress(int devAccount) => Address.Parse(AnvilFixture.DevKeys[devAccount].Address);

    public static async Task<TransactionReceipt> SendAndWaitAsync(JsonRpcClient client, Transaction tx, EthSigner signer)
    {
        var raw = TransactionSigner.Sign(tx, signer).EncodeSigned();
        var sent = await client.SendRawTransactionAsync(raw);
        if (!sent.IsOk)
        {
            TransactionDecoder.TryDecode(raw, TxRules.Default, out _, out var sender, out var decodeError);
            Assert.Fail("eth_sendRawTransaction: " + sent.Error + " (signer " + signer.Address + ", recovered " + sender + " " + decodeError + ", raw " + Hex.Encode(raw) + ")");
        }

        Assert.Equal(Keccak256.Hash(raw), sent.Value);
        return await WaitReceiptAsync(client, sent.Value);
    }

    public static async Task<TransactionReceipt> WaitReceiptAsync(JsonRpcClient client, byte[] hash)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var receipt = await client.GetTransactionReceiptAsync(hash);
            Assert.True(receipt.IsOk, "eth_getTransactionReceipt: " + receipt.Error);
            if (receipt.Value is { } r)
            {
                return r;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no receipt for " + Hex.Encode(hash));
    }

    /// <summary>The compiled ERC20 from @uniswap/v2-core (constructor(uint256 _totalSupply)).</summary>
    public static (byte[] Bytecode, string ConstructorInputs) Erc20Artifact()
    {
        var root = SharedData.RepoRoot;
        var path = Path.Combine(root, "tools", "node_modules", "@uniswap", "v2-core", "build", "ERC20.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} missing. Run the set-up: scripts/setup-node-tools.sh");
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var constructor = doc.RootElement.GetProperty("abi").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "constructor");
        var inputs = string.Join(",", constructor.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var bytecode = doc.RootElement.GetProperty("bytecode").GetString()!;
        return (Hex.Decode(bytecode.StartsWith("0x", StringComparison.Ordinal) ? bytecode : "0x" + bytecode), inputs);
    }
}
