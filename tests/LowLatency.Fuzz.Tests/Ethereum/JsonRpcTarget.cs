using System.Buffers;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Fuzz.Tests.Engine;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Ethereum;

/// <summary>
/// JSON-RPC answers as the transports handle them: the body through <see cref="JsonRpcResponse.TryParseDocument"/> (not
/// JSON, or strings that are not text, are a refusal with a reason: the transport makes it a malformed-answer error), then
/// <see cref="JsonRpcResponse.Correlate"/> for a single call and for a batch of three, and every result through every model
/// parser (<see cref="RpcJson"/> values, <see cref="BlockHeader"/>, <see cref="Block"/>, <see cref="LogEntry"/>,
/// <see cref="TransactionReceipt"/>, <see cref="FeeHistory"/>), as a subscription notification's result too. Every answer is
/// a value or an error value with a message; nothing throws.
/// </summary>
internal sealed class JsonRpcTarget : FuzzTarget
{
    private const string Hash = "\"0x9637a84b493b07d3bc7f452169d8a1c79ba096ba3d24e41c8aa24d349e1526ed\"";
    private const string Address = "\"0x0d500e0f1d159e75f3771fb5e6ab86de19a8abd4\"";
    private const string Log = "{\"removed\":false,\"logIndex\":\"0x0\",\"transactionIndex\":\"0x0\",\"transactionHash\":" + Hash + ",\"blockHash\":" + Hash
        + ",\"blockNumber\":\"0x2f6501\",\"address\":" + Address + ",\"data\":\"0x00000000000000000000000000000000000000000000000000000000000000060000000000000000000000000000000000000000000000000000000000000006\",\"topics\":[\"0x973d8d92bb299f4af6ce49b52a8adb85ae46b9f214c4c4fc06ac77401237b133\"]}";

    private const string Header = "{\"number\":\"0xe5a1ae\",\"hash\":" + Hash + ",\"parentHash\":" + Hash + ",\"timestamp\":\"0x62bd6abc\",\"gasLimit\":\"0x1c9c380\","
        + "\"gasUsed\":\"0x1c9a4f3\",\"baseFeePerGas\":\"0x9cb0ad49f\",\"miner\":\"0xea674fdde714fd979de3edf0f56aa9716b898ec8\",\"extraData\":\"0x\"}";

    private static readonly Lazy<List<byte[]>> s_corpus = new(BuildCorpus);
    private readonly RpcResult<JsonElement>[] _results = new RpcResult<JsonElement>[3];

    public override string Name => "jsonrpc";

    public override IReadOnlyList<byte[]> Corpus => s_corpus.Value;

    public override void Check(byte[] input)
    {
        if (!JsonRpcResponse.TryParseDocument(new ReadOnlySequence<byte>(input), out JsonDocument? document, out string? error))
        {
            Invariant.That(!string.IsNullOrEmpty(error), "rpc: a refused body without a reason");
            Outcome(error.StartsWith("response is not JSON", StringComparison.Ordinal) ? "not JSON" : "not text");
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            int ok = 0;
            foreach ((long[] ids, bool batch) in new[] { (new long[] { 1 }, false), (new long[] { 1, 2, 3 }, true) })
            {
                Array.Clear(_results);
                JsonRpcResponse.Correlate(root, ids, batch, _results);
                for (int i = 0; i < ids.Length; i++)
                {
                    RpcResult<JsonElement> result = _results[i];
                    Invariant.That(result.IsOk || (!string.IsNullOrEmpty(result.Error.Message) && result.Error.Kind != RpcErrorKind.InvalidRequest),
                        "rpc: an answer slot left without a result or a real error");
                    _ = result.ToString();
                    if (result.IsOk)
                    {
                        ok++;
                        ParseEveryWay(result.Value);
                    }
                }
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("params", out JsonElement p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("result", out JsonElement notification))
            {
                ParseEveryWay(notification);
            }

            Outcome(ok > 0 ? "answered" : "error answers");
        }
    }

    private static void ParseEveryWay(JsonElement e)
    {
        Value(RpcJson.Quantity(e));
        Value(RpcJson.QuantityUInt64(e));
        Value(RpcJson.Data(e));
        Value(RpcJson.Hash(e));
        Value(RpcJson.AddressValue(e));
        RpcResult<BlockHeader> header = BlockHeader.Parse(e);
        Value(header);
        Invariant.That(!header.IsOk || (header.Value.Hash.Length == 32 && header.Value.ParentHash.Length == 32), "rpc: a header with a hash that is not 32 bytes");
        Value(Block.Parse(e));
        Value(LogEntry.Parse(e));
        Value(TransactionReceipt.Parse(e));
        Value(FeeHistory.Parse(e));
        Value(RpcJson.ArrayOf(e, "logs", (x, w) => LogEntry.Parse(x, w)));
        Value(RpcJson.Member(e, "bundleHash", RpcJson.Hash));
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("error", out JsonElement error))
        {
            Invariant.That(!string.IsNullOrEmpty(JsonRpcResponse.ParseError(error).ToString()), "rpc: an error object without text");
        }
    }

    private static void Value<T>(RpcResult<T> result)
    {
        Invariant.That(result.IsOk || !string.IsNullOrEmpty(result.Error.Message), "rpc: a model error without a message");
        _ = result.ToString();
    }

    private static List<byte[]> BuildCorpus()
    {
        string[] bodies =
        [
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1b4\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + Header + "}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + Header[..^1] + ",\"transactions\":[" + Hash + "," + Hash + "]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" + Log + "," + Log + "]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"transactionHash\":" + Hash + ",\"blockHash\":" + Hash + ",\"blockNumber\":\"0x2f6501\",\"status\":\"0x1\","
                + "\"gasUsed\":\"0x5208\",\"cumulativeGasUsed\":\"0x5208\",\"effectiveGasPrice\":\"0x3b9aca00\",\"from\":" + Address + ",\"to\":" + Address
                + ",\"contractAddress\":null,\"type\":\"0x2\",\"logs\":[" + Log + "]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"oldestBlock\":\"0xe5a1ab\",\"baseFeePerGas\":[\"0x9cb0ad49f\",\"0x9a1f0a2e1\",\"0x9b2c3d4e5\"],"
                + "\"gasUsedRatio\":[0.5,0.999],\"reward\":[[\"0x3b9aca00\",\"0x77359400\"],[\"0x3b9aca00\",\"0x0\"]]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"execution reverted\",\"data\":\"0x08c379a00000000000000000000000000000000000000000000000000000000000000020\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}",
            "[{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x0\"},{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + Header + "},{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32601,\"message\":\"method not found\"}}]",
            "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":null}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xcd0c3e8af590364c09d0fa6a1210faf5\",\"result\":" + Header + "}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x4a8a4c0517381924f9838102c5a4dcb7\",\"result\":" + Log + "}}",
        ];
        var corpus = bodies.Select(b => Encoding.UTF8.GetBytes(b)).ToList();
        using JsonDocument docs = JsonDocument.Parse(File.ReadAllBytes(SharedData.File("flashbots", "flashbots_docs_rpc_examples.json")));
        foreach (JsonElement example in docs.RootElement.GetProperty("examples").EnumerateArray())
        {
            if (example.GetProperty("valid_json").GetBoolean())
            {
                corpus.Add(Encoding.UTF8.GetBytes(example.GetProperty("text").GetString()!));
            }
        }

        corpus.Add(File.ReadAllBytes(SharedData.File("onchain", "logs", "nautilus__uniswap_v3_set_fee_protocol_rpc.json")));
        return corpus;
    }
}
