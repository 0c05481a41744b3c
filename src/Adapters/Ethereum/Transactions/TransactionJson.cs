using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>
/// Builds unsigned transactions from ethers-style JSON (<c>type</c> 0/1/2, <c>chainId</c>, <c>nonce</c>, <c>to</c>,
/// <c>value</c>, <c>data</c>, <c>gasLimit</c>, <c>gasPrice</c>, <c>maxFeePerGas</c>, <c>maxPriorityFeePerGas</c>,
/// <c>accessList</c>). Quantities are numbers, decimal strings or 0x-hex ("0x" is zero). Type 0 with a chain id is
/// EIP-155, without one plain legacy. For tools and the CLI; allocates.
/// </summary>
public static partial class TransactionJson
{
    /// <summary>Parses; throws <see cref="FormatException"/> naming the bad field.</summary>
    /// <param name="typeOverride">Use this type instead of the JSON's <c>type</c> (which defaults to 2 with fee caps, else 0).</param>
    public static Transaction FromJson(JsonElement json, TxType? typeOverride = null)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Transaction JSON must be an object.");
        }

        TxType type = typeOverride ?? ReadType(json);
        UInt256? chainId = TryGet(json, "chainId", out JsonElement c) ? Quantity(c, "chainId") : null;
        ulong nonce = U64(json, "nonce");
        ulong gasLimit = TryGet(json, "gasLimit", out _) ? U64(json, "gasLimit") : U64(json, "gas");
        Address? to = null;
        if (TryGet(json, "to", out JsonElement toElement) && toElement.GetString() is { Length: > 0 } toText)
        {
            if (!Address.TryParse(toText, out Address parsed))
            {
                throw new FormatException("Field 'to' is not a valid address (40 hex digits, correct EIP-55 checksum if mixed case).");
            }

            to = parsed;
        }

        byte[] data = [];
        if (TryGet(json, "data", out JsonElement d) || TryGet(json, "input", out d))
        {
            string text = d.GetString() ?? string.Empty;
            if (Hex.GetDecodedLength(text) < 0)
            {
                throw new FormatException("Field 'data' must be 0x-hex with an even number of digits.");
            }

            data = new byte[Hex.GetDecodedLength(text)];
            if (!Hex.TryDecode(text, data, out _))
            {
                throw new FormatException("Field 'data' is not valid hex.");
            }
        }

        return new Transaction
        {
            Type = type,
            ChainId = chainId,
            Nonce = nonce,
            GasLimit = gasLimit,
            // Only the fee fields the type encodes are kept, so decode(encode(tx)) equals tx.
            GasPrice = type == TxType.DynamicFee ? UInt256.Zero : Opt(json, "gasPrice"),
            MaxFeePerGas = type == TxType.DynamicFee ? Opt(json, "maxFeePerGas") : UInt256.Zero,
            MaxPriorityFeePerGas = type == TxType.DynamicFee ? Opt(json, "maxPriorityFeePerGas") : UInt256.Zero,
            To = to,
            Value = Opt(json, "value"),
            Data = data,
            AccessList = type == TxType.Legacy ? [] : ReadAccessList(json),
        };
    }

    private static TxType ReadType(JsonElement json)
    {
        if (!TryGet(json, "type", out JsonElement t))
        {
            return TryGet(json, "maxFeePerGas", out _) ? TxType.DynamicFee : TxType.Legacy;
        }

        UInt256 value = Quantity(t, "type");
        return value.FitsInUInt64 && value.U0 <= 2 ? (TxType)value.U0 : throw new FormatException("Field 'type' must be 0, 1 or 2.");
    }

    private static List<AccessListEntry> ReadAccessList(JsonElement json)
    {
        var entries = new List<AccessListEntry>();
        if (!TryGet(json, "accessList", out JsonElement list))
        {
            return entries;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("Field 'accessList' must be an array.");
        }

        foreach (JsonElement item in list.EnumerateArray())
        {
            JsonElement addressElement = default, keysElement = default;
            bool isObject = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("address", out addressElement) && item.TryGetProperty("storageKeys", out keysElement);
            if (!isObject)
            {
                if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 2)
                {
                    throw new FormatException("Access list entries must be {address, storageKeys} or [address, [keys]].");
                }

                addressElement = item[0];
                keysElement = item[1];
            }

            if (keysElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("Access list storageKeys must be an array.");
            }

            if (!Address.TryParse(addressElement.GetString(), out Address address))
            {
                throw new FormatException("Access list address is not a valid address.");
            }

            var keys = new List<UInt256>();
            foreach (JsonElement key in keysElement.EnumerateArray())
            {
                string text = key.GetString() ?? string.Empty;
                if (Hex.GetDecodedLength(text) != 32 || !UInt256.TryParse(Hex.HasPrefix(text) ? text : "0x" + text, out UInt256 k))
                {
                    throw new FormatException("Access list storage keys must be 32-byte hex.");
                }

                keys.Add(k);
            }

            entries.Add(new AccessListEntry(address, keys));
        }

        return entries;
    }

    private static bool TryGet(JsonElement json, string name, out JsonElement value) =>
        json.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static UInt256 Opt(JsonElement json, string name) => TryGet(json, name, out JsonElement e) ? Quantity(e, name) : UInt256.Zero;

    private static ulong U64(JsonElement json, string name)
    {
        if (!TryGet(json, name, out JsonElement e))
        {
            return 0;
        }

        UInt256 value = Quantity(e, name);
        return value.FitsInUInt64 ? value.U0 : throw new FormatException($"Field '{name}' does not fit in 64 bits.");
    }

    /// <summary>Parses a JSON quantity: number, decimal string or 0x-hex string ("0x" = 0).</summary>
    public static UInt256 Quantity(JsonElement element, string name)
    {
        string text = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.String => element.GetString()!,
            _ => throw new FormatException($"Field '{name}' must be a number or a string."),
        };
        if (element.ValueKind == JsonValueKind.Number && text.AsSpan().IndexOfAny(".eE-") >= 0)
        {
            throw new FormatException($"Field '{name}' must be a non-negative integer.");
        }

        // The value is not echoed: it may be a key pasted into the wrong field.
        return UInt256.TryParse(text, out UInt256 value)
            ? value
            : throw new FormatException($"Field '{name}' is not a valid unsigned 256-bit quantity (a non-negative integer: a JSON number, a decimal string or a 0x-hex string).");
    }
}
