using System.Globalization;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Flashbots;

/// <summary>One transaction's line of an <c>eth_callBundle</c> answer.</summary>
public sealed record CallBundleTxResult(string TxHash, ulong GasUsed, UInt256 GasFees, UInt256 CoinbaseDiff, UInt256 EthSentToCoinbase, string? Error, string? Revert)
{
    public bool Succeeded => Error is null && Revert is null;
}

/// <summary>An <c>eth_callBundle</c> answer (the relays' shape: quantities as decimal strings, hex strings or numbers).</summary>
public sealed record CallBundleResult(
    string? BundleHash, UInt256 BundleGasPrice, UInt256 CoinbaseDiff, UInt256 EthSentToCoinbase, UInt256 GasFees, ulong TotalGasUsed, ulong StateBlockNumber,
    IReadOnlyList<CallBundleTxResult> Results)
{
    public bool Succeeded => Results.Count > 0 && Results.All(r => r.Succeeded);

    /// <summary>Why the simulation failed, for the log ("tx 0: execution reverted"), or null.</summary>
    public string? FailureReason()
    {
        if (Results.Count == 0)
        {
            return "no transaction results";
        }

        for (int i = 0; i < Results.Count; i++)
        {
            if (!Results[i].Succeeded)
            {
                return "tx " + i.ToString(CultureInfo.InvariantCulture) + ": " + SecretRedaction.Excerpt(Results[i].Error ?? "reverted " + Results[i].Revert, 120);
            }
        }

        return null;
    }
}

/// <summary>The part of <c>flashbots_getBundleStatsV2</c> the tracker uses; unknown fields are skipped.</summary>
public sealed record BundleStats(bool IsSimulated, bool IsHighPriority, int ConsideredByBuilders, int SealedByBuilders);

/// <summary>Lenient readers for relay answers: a field of the wrong shape is a malformed answer naming the field, never an exception.</summary>
public static class RelayJson
{
    /// <summary>A quantity written as a decimal string, a 0x hex string ("0x" = 0), or a JSON number.</summary>
    public static bool TryQuantity(JsonElement e, out UInt256 value)
    {
        value = default;
        switch (e.ValueKind)
        {
            case JsonValueKind.Number:
                if (!e.TryGetUInt64(out ulong n))
                {
                    return false;
                }

                value = n;
                return true;
            case JsonValueKind.String:
                string? s = e.GetString();
                if (s is null || s.Length > 80)
                {
                    return false;
                }

                return s == "0x" || UInt256.TryParse(s, out value);
            default:
                return false;
        }
    }

    private static RpcResult<UInt256> Quantity(JsonElement obj, string name, bool required)
    {
        if (!obj.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return required ? RpcError.Malformed(name + " is missing") : RpcResult<UInt256>.Ok(default);
        }

        return TryQuantity(e, out UInt256 v) ? v : RpcError.Malformed(name + " is not a quantity");
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    public static RpcResult<CallBundleResult> ParseCallBundle(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            return RpcError.Malformed("eth_callBundle result is not an object");
        }

        if (!result.TryGetProperty("results", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
        {
            return RpcError.Malformed("results is missing or not an array");
        }

        var txs = new List<CallBundleTxResult>();
        foreach (JsonElement item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return RpcError.Malformed("results[] holds a non-object");
            }

            RpcResult<UInt256> gasUsed = Quantity(item, "gasUsed", required: true);
            RpcResult<UInt256> gasFees = Quantity(item, "gasFees", required: false);
            RpcResult<UInt256> diff = Quantity(item, "coinbaseDiff", required: false);
            RpcResult<UInt256> sent = Quantity(item, "ethSentToCoinbase", required: false);
            foreach (RpcResult<UInt256> r in new[] { gasUsed, gasFees, diff, sent })
            {
                if (!r.IsOk)
                {
                    return RpcError.Malformed("results[]: " + r.Error!.Message);
                }
            }

            if (!gasUsed.Value.FitsInUInt64)
            {
                return RpcError.Malformed("results[].gasUsed is out of range");
            }

            txs.Add(new CallBundleTxResult(Text(item, "txHash") ?? "", gasUsed.Value.U0, gasFees.Value, diff.Value, sent.Value, Text(item, "error"), Text(item, "revert")));
        }

        RpcResult<UInt256> price = Quantity(result, "bundleGasPrice", false);
        RpcResult<UInt256> coinbase = Quantity(result, "coinbaseDiff", false);
        RpcResult<UInt256> toCoinbase = Quantity(result, "ethSentToCoinbase", false);
        RpcResult<UInt256> fees = Quantity(result, "gasFees", false);
        RpcResult<UInt256> total = Quantity(result, "totalGasUsed", false);
        RpcResult<UInt256> state = Quantity(result, "stateBlockNumber", false);
        foreach (RpcResult<UInt256> r in new[] { price, coinbase, toCoinbase, fees, total, state })
        {
            if (!r.IsOk)
            {
                return r.Error!;
            }
        }

        if (!total.Value.FitsInUInt64 || !state.Value.FitsInUInt64)
        {
            return RpcError.Malformed("totalGasUsed or stateBlockNumber is out of range");
        }

        return new CallBundleResult(Text(result, "bundleHash"), price.Value, coinbase.Value, toCoinbase.Value, fees.Value, total.Value.U0, state.Value.U0, txs);
    }

    /// <summary><c>{"bundleHash":"0x…"}</c> (some relays add fields, e.g. <c>"smart":"true"</c>; skipped).</summary>
    public static RpcResult<string> ParseBundleHash(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object && Text(result, "bundleHash") is { Length: 66 } h && h.StartsWith("0x", StringComparison.Ordinal)
            ? h
            : RpcError.Malformed("no bundleHash in the eth_sendBundle answer");

    public static RpcResult<string> ParseTxHash(JsonElement result) =>
        result.ValueKind == JsonValueKind.String && result.GetString() is { Length: 66 } h && h.StartsWith("0x", StringComparison.Ordinal)
            ? h
            : RpcError.Malformed("no transaction hash in the answer");

    public static RpcResult<bool> ParseBool(JsonElement result) => result.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when result.GetString() is "true" or "false" => result.GetString() == "true",
        _ => RpcError.Malformed("the answer is not a boolean"),
    };

    public static RpcResult<BundleStats> ParseBundleStats(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            return RpcError.Malformed("bundle stats are not an object");
        }

        static bool Flag(JsonElement o, string n) => o.TryGetProperty(n, out JsonElement e) && e.ValueKind == JsonValueKind.True;
        static int Count(JsonElement o, string n) => o.TryGetProperty(n, out JsonElement e) && e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : 0;
        return new BundleStats(Flag(result, "isSimulated"), Flag(result, "isHighPriority"), Count(result, "consideredByBuildersAt"), Count(result, "sealedByBuildersAt"));
    }
}
