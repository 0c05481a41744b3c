using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Adapters.FlashLoans.Local;

/// <summary>A set-up step on a local chain failed (a revert, a missing artifact, a node error); the message says which.</summary>
public sealed class LocalChainException(string message) : Exception(message);

/// <summary>
/// A deployer account on a local development chain (anvil), on our own JSON-RPC, ABI and signing layer: deploys npm
/// artifacts (linking libraries), sends transactions with a local nonce and waits for receipts. Cold path (set-up,
/// tests, the demo); a failure throws <see cref="LocalChainException"/> naming the step.
/// </summary>
public sealed class LocalChain
{
    private static readonly UInt256 s_maxFee = 100_000_000_000UL;
    private readonly EthSigner _signer;
    private ulong _nonce;

    private LocalChain(JsonRpcClient client, EthSigner signer, ulong chainId, ulong nonce, string nodeModules)
    {
        Client = client;
        _signer = signer;
        ChainId = chainId;
        _nonce = nonce;
        NodeModules = nodeModules;
    }

    public JsonRpcClient Client { get; }

    public Address From => _signer.Address;

    public ulong ChainId { get; }

    /// <summary>Where the npm artifacts live (tools/node_modules).</summary>
    public string NodeModules { get; }

    public static async Task<LocalChain> ConnectAsync(JsonRpcClient client, EthSigner signer, string nodeModules)
    {
        RpcResult<ulong> chainId = await client.ChainIdAsync();
        RpcResult<ulong> nonce = await client.GetTransactionCountAsync(signer.Address, BlockTag.Pending);
        if (!chainId.IsOk || !nonce.IsOk)
        {
            throw new LocalChainException("the chain does not answer: " + (chainId.Error ?? nonce.Error));
        }

        return new LocalChain(client, signer, chainId.Value, nonce.Value, nodeModules);
    }

    /// <summary>Reads the account's pending nonce again (after a snapshot revert, or transactions sent by others).</summary>
    public async Task ResyncNonceAsync()
    {
        RpcResult<ulong> nonce = await Client.GetTransactionCountAsync(From, BlockTag.Pending);
        _nonce = nonce.IsOk ? nonce.Value : throw new LocalChainException("eth_getTransactionCount: " + nonce.Error);
    }

    /// <summary>Creation code of an npm artifact (hardhat, waffle or truffle layout), libraries linked by name.</summary>
    public byte[] Artifact(string relativePath, IReadOnlyDictionary<string, Address>? libraries = null)
    {
        string path = Path.Combine(NodeModules, relativePath);
        if (!File.Exists(path))
        {
            throw new LocalChainException(path + " is missing: run scripts/setup-node-tools.sh");
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        string hex = doc.RootElement.GetProperty("bytecode").GetString()!;
        if (hex.StartsWith("0x", StringComparison.Ordinal))
        {
            hex = hex[2..];
        }

        char[] code = hex.ToCharArray();
        if (doc.RootElement.TryGetProperty("linkReferences", out JsonElement links))
        {
            foreach (JsonProperty file in links.EnumerateObject())
            {
                foreach (JsonProperty library in file.Value.EnumerateObject())
                {
                    if (libraries is null || !libraries.TryGetValue(library.Name, out Address address))
                    {
                        throw new LocalChainException(relativePath + " needs library " + library.Name);
                    }

                    string addressHex = Hex.Encode(address.ToArray())[2..];
                    foreach (JsonElement at in library.Value.EnumerateArray())
                    {
                        int start = at.GetProperty("start").GetInt32() * 2;
                        addressHex.CopyTo(0, code, start, 40);
                    }
                }
            }
        }

        return Hex.Decode("0x" + new string(code));
    }

    public async Task<Address> DeployAsync(string what, byte[] creationCode, byte[]? constructorArguments = null)
    {
        byte[] data = constructorArguments is null ? creationCode : [.. creationCode, .. constructorArguments];
        TransactionReceipt receipt = await SendAsync(what, null, data, 12_000_000);
        return receipt.ContractAddress ?? throw new LocalChainException(what + ": no contract address in the receipt");
    }

    /// <summary>Sends a call that must succeed; returns its receipt.</summary>
    public async Task<TransactionReceipt> SendAsync(string what, Address? to, byte[] data, ulong gas = 8_000_000, UInt256 value = default)
    {
        TransactionReceipt receipt = await TrySendAsync(what, to, data, gas, value);
        if (!receipt.Succeeded)
        {
            // Replay it as a call on the block before to get the revert reason for the message.
            RpcResult<byte[]> replay = await Client.EthCallAsync(
                new CallRequest { From = From, To = to, Data = data, Gas = gas, Value = value }, BlockTag.Number(receipt.BlockNumber - 1));
            throw new LocalChainException(what + " reverted" + (replay.IsOk ? "" : ": " + replay.Error));
        }

        return receipt;
    }

    /// <summary>Sends a call and returns its receipt whether it succeeded or reverted.</summary>
    public async Task<TransactionReceipt> TrySendAsync(string what, Address? to, byte[] data, ulong gas = 8_000_000, UInt256 value = default)
    {
        var tx = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = ChainId,
            Nonce = _nonce,
            GasLimit = gas,
            MaxFeePerGas = s_maxFee,
            MaxPriorityFeePerGas = 1UL,
            To = to,
            Value = value,
            Data = data,
        };
        byte[] raw = TransactionSigner.Sign(tx, _signer).EncodeSigned();
        RpcResult<byte[]> sent = await Client.SendRawTransactionAsync(raw);
        if (!sent.IsOk)
        {
            throw new LocalChainException(what + ": eth_sendRawTransaction: " + sent.Error);
        }

        _nonce++;
        return await WaitReceiptAsync(Client, sent.Value, what);
    }

    /// <summary>Polls for a receipt; anvil mines on arrival, so this is normally answered at once.</summary>
    public static async Task<TransactionReceipt> WaitReceiptAsync(JsonRpcClient client, byte[] hash, string what)
    {
        for (int attempt = 0; attempt < 600; attempt++)
        {
            RpcResult<TransactionReceipt?> receipt = await client.GetTransactionReceiptAsync(hash);
            if (!receipt.IsOk)
            {
                throw new LocalChainException(what + ": eth_getTransactionReceipt: " + receipt.Error);
            }

            if (receipt.Value is { } r)
            {
                return r;
            }

            await Task.Delay(50);
        }

        throw new LocalChainException(what + ": not mined");
    }

    /// <summary>An eth_call that must succeed; its decoded outputs.</summary>
    public async Task<IReadOnlyList<AbiValue>> ReadAsync(Address to, AbiFunction function, params AbiValue[] arguments)
    {
        RpcResult<byte[]> result = await Client.EthCallAsync(new CallRequest { From = From, To = to, Data = function.EncodeCall(arguments) }, BlockTag.Latest);
        if (!result.IsOk)
        {
            throw new LocalChainException(function.Signature + ": " + result.Error);
        }

        if (!function.TryDecodeOutput(result.Value, out IReadOnlyList<AbiValue>? outputs, out string? error))
        {
            throw new LocalChainException(function.Signature + ": " + error);
        }

        return outputs;
    }

    public async Task<UInt256> ReadUIntAsync(Address to, AbiFunction function, params AbiValue[] arguments) =>
        (await ReadAsync(to, function, arguments))[0].Word;

    /// <summary>Constructor arguments: the tuple's body (abi.encode(a, b, …)), with no leading offset for dynamic tuples.</summary>
    public static byte[] Arguments(string tupleType, params AbiValue[] values) =>
        AbiFunction.Parse("constructor" + tupleType).EncodeCall(values)[4..];
}
