using System.Globalization;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>A block selector: a tag ("latest", "pending", ...) or a number.</summary>
public readonly record struct BlockTag
{
    private BlockTag(string text) => Text = text;

    /// <summary>The JSON-RPC form ("latest" or "0x1b4").</summary>
    public string Text { get; }

    public static BlockTag Latest { get; } = new("latest");

    public static BlockTag Pending { get; } = new("pending");

    public static BlockTag Earliest { get; } = new("earliest");

    public static BlockTag Safe { get; } = new("safe");

    public static BlockTag Finalized { get; } = new("finalized");

    public static BlockTag Number(ulong number) => new(RpcParams.Quantity(number));

    public override string ToString() => Text ?? "latest";
}

/// <summary>A block header (eth_getBlockByNumber, newHeads). Immutable.</summary>
public sealed class BlockHeader
{
    public required ulong Number { get; init; }

    public required byte[] Hash { get; init; }

    public required byte[] ParentHash { get; init; }

    public required ulong Timestamp { get; init; }

    public required ulong GasLimit { get; init; }

    public required ulong GasUsed { get; init; }

    /// <summary>Null before London.</summary>
    public UInt256? BaseFeePerGas { get; init; }

    public required Address Miner { get; init; }

    /// <summary>Parses a header object; strict about the fields it reads.</summary>
    public static RpcResult<BlockHeader> Parse(JsonElement element, string what = "header")
    {
        var r = new RpcObjectReader(element, what);
        var header = new BlockHeader
        {
            Number = r.UInt64("number"),
            Hash = r.Hash("hash"),
            ParentHash = r.Hash("parentHash"),
            Timestamp = r.UInt64("timestamp"),
            GasLimit = r.UInt64("gasLimit"),
            GasUsed = r.UInt64("gasUsed"),
            BaseFeePerGas = r.OptionalQuantity("baseFeePerGas"),
            Miner = r.Address("miner"),
        };
        return r.Error is null ? header : r.Error;
    }
}

/// <summary>A block with transaction hashes (eth_getBlockByNumber with full = false). Immutable.</summary>
public sealed class Block
{
    public required BlockHeader Header { get; init; }

    public required byte[][] TransactionHashes { get; init; }

    public static RpcResult<Block> Parse(JsonElement element)
    {
        var header = BlockHeader.Parse(element, "block");
        if (!header.IsOk)
        {
            return header.Error;
        }

        var r = new RpcObjectReader(element, "block");
        var hashes = r.Array("transactions", RpcJson.Hash);
        return r.Error is null ? new Block { Header = header.Value, TransactionHashes = hashes } : r.Error;
    }
}

/// <summary>An event log (eth_getLogs, receipts, logs subscription). Immutable.</summary>
public sealed class LogEntry
{
    public required Address Address { get; init; }

    public required byte[][] Topics { get; init; }

    public required byte[] Data { get; init; }

    /// <summary>Null for pending logs.</summary>
    public ulong? BlockNumber { get; init; }

    public byte[]? BlockHash { get; init; }

    public byte[]? TransactionHash { get; init; }

    public ulong? LogIndex { get; init; }

    /// <summary>True when a reorg removed this log (subscriptions re-send it with removed = true).</summary>
    public bool Removed { get; init; }

    public static RpcResult<LogEntry> Parse(JsonElement element, string what = "log")
    {
        var r = new RpcObjectReader(element, what);
        var log = new LogEntry
        {
            Address = r.Address("address"),
            Topics = r.Array("topics", RpcJson.Hash),
            Data = r.Data("data"),
            BlockNumber = r.OptionalUInt64("blockNumber"),
            BlockHash = r.OptionalHash("blockHash"),
            TransactionHash = r.OptionalHash("transactionHash"),
            LogIndex = r.OptionalUInt64("logIndex"),
            Removed = r.OptionalBool("removed"),
        };
        return r.Error is null ? log : r.Error;
    }
}

/// <summary>A transaction receipt. Immutable.</summary>
public sealed class TransactionReceipt
{
    public required byte[] TransactionHash { get; init; }

    public required byte[] BlockHash { get; init; }

    public required ulong BlockNumber { get; init; }

    /// <summary>True when the transaction succeeded (status 1).</summary>
    public required bool Succeeded { get; init; }

    public required ulong GasUsed { get; init; }

    public required ulong CumulativeGasUsed { get; init; }

    public UInt256? EffectiveGasPrice { get; init; }

    public required Address From { get; init; }

    /// <summary>Null for contract creation.</summary>
    public Address? To { get; init; }

    /// <summary>The created contract's address, for contract creation.</summary>
    public Address? ContractAddress { get; init; }

    public ulong Type { get; init; }

    public required LogEntry[] Logs { get; init; }

    public static RpcResult<TransactionReceipt> Parse(JsonElement element)
    {
        var r = new RpcObjectReader(element, "receipt");
        var status = r.UInt64("status");
        var receipt = new TransactionReceipt
        {
            TransactionHash = r.Hash("transactionHash"),
            BlockHash = r.Hash("blockHash"),
            BlockNumber = r.UInt64("blockNumber"),
            Succeeded = status == 1,
            GasUsed = r.UInt64("gasUsed"),
            CumulativeGasUsed = r.UInt64("cumulativeGasUsed"),
            EffectiveGasPrice = r.OptionalQuantity("effectiveGasPrice"),
            From = r.Address("from"),
            To = r.OptionalAddress("to"),
            ContractAddress = r.OptionalAddress("contractAddress"),
            Type = r.OptionalUInt64("type") ?? 0,
            Logs = r.Array("logs", (e, w) => LogEntry.Parse(e, w)),
        };
        if (r.Error is null && status > 1)
        {
            return RpcError.Malformed("receipt.status: expected 0x0 or 0x1");
        }

        return r.Error is null ? receipt : r.Error;
    }
}

/// <summary>eth_feeHistory answer. Immutable.</summary>
public sealed class FeeHistory
{
    public required ulong OldestBlock { get; init; }

    /// <summary>Base fees of the blocks, plus the next block's (one more entry than blocks).</summary>
    public required UInt256[] BaseFeePerGas { get; init; }

    public required double[] GasUsedRatio { get; init; }

    /// <summary>Per block, the priority fee at each requested percentile (empty when none were asked).</summary>
    public required UInt256[][] Reward { get; init; }

    public static RpcResult<FeeHistory> Parse(JsonElement element)
    {
        var r = new RpcObjectReader(element, "feeHistory");
        var history = new FeeHistory
        {
            OldestBlock = r.UInt64("oldestBlock"),
            BaseFeePerGas = r.Array("baseFeePerGas", RpcJson.Quantity),
            GasUsedRatio = r.Array("gasUsedRatio", ReadRatio),
            Reward = r.Array("reward", (e, w) => RpcJson.ArrayOf(e, w, RpcJson.Quantity), optional: true),
        };
        return r.Error is null ? history : r.Error;
    }

    private static RpcResult<double> ReadRatio(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && d >= 0 && d <= 1
            ? d
            : RpcError.Malformed(what + ": expected a ratio in [0, 1]");
}

/// <summary>Arguments of eth_call / eth_estimateGas. Null members are omitted.</summary>
public sealed class CallRequest
{
    public Address? From { get; init; }

    /// <summary>Null for contract creation.</summary>
    public Address? To { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    public UInt256? Value { get; init; }

    public ulong? Gas { get; init; }

    public UInt256? GasPrice { get; init; }

    public UInt256? MaxFeePerGas { get; init; }

    public UInt256? MaxPriorityFeePerGas { get; init; }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (From is { } from)
        {
            w.WriteString("from", from.ToLowerHexString());
        }

        if (To is { } to)
        {
            w.WriteString("to", to.ToLowerHexString());
        }

        if (!Data.IsEmpty)
        {
            w.WriteString("input", Hex.Encode(Data.Span));
        }

        WriteQuantity(w, "value", Value);
        if (Gas is { } gas)
        {
            w.WriteString("gas", RpcParams.Quantity(gas));
        }

        WriteQuantity(w, "gasPrice", GasPrice);
        WriteQuantity(w, "maxFeePerGas", MaxFeePerGas);
        WriteQuantity(w, "maxPriorityFeePerGas", MaxPriorityFeePerGas);
        w.WriteEndObject();
    }

    private static void WriteQuantity(Utf8JsonWriter w, string name, UInt256? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v.ToHexString());
        }
    }
}

/// <summary>An eth_getLogs / logs-subscription filter. Topic positions: null = any; otherwise any of the listed hashes.</summary>
public sealed class LogFilter
{
    public BlockTag? FromBlock { get; init; }

    public BlockTag? ToBlock { get; init; }

    public IReadOnlyList<Address> Addresses { get; init; } = [];

    public IReadOnlyList<IReadOnlyList<byte[]>?> Topics { get; init; } = [];

    internal void Write(Utf8JsonWriter w, bool forSubscription)
    {
        w.WriteStartObject();
        if (!forSubscription)
        {
            if (FromBlock is { } from)
            {
                w.WriteString("fromBlock", from.Text);
            }

            if (ToBlock is { } to)
            {
                w.WriteString("toBlock", to.Text);
            }
        }

        if (Addresses.Count == 1)
        {
            w.WriteString("address", Addresses[0].ToLowerHexString());
        }
        else if (Addresses.Count > 1)
        {
            w.WriteStartArray("address");
            foreach (var a in Addresses)
            {
                w.WriteStringValue(a.ToLowerHexString());
            }

            w.WriteEndArray();
        }

        if (Topics.Count > 0)
        {
            w.WriteStartArray("topics");
            foreach (var position in Topics)
            {
                if (position is null)
                {
                    w.WriteNullValue();
                }
                else if (position.Count == 1)
                {
                    w.WriteStringValue(Hex.Encode(position[0]));
                }
                else
                {
                    w.WriteStartArray();
                    foreach (var t in position)
                    {
                        w.WriteStringValue(Hex.Encode(t));
                    }

                    w.WriteEndArray();
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LogFilter({Addresses.Count} addresses, {Topics.Count} topics)");
}
