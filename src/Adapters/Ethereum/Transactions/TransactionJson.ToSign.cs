using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.Transactions;

/// <summary>Why <see cref="TransactionJson.TryParseToSign"/> refused a transaction.</summary>
public enum TxJsonErrorKind
{
    /// <summary>A field is missing its proper JSON type or value (not a quantity, not an address, odd hex ...).</summary>
    Invalid = 1,

    /// <summary>A field that no transaction has.</summary>
    UnknownField,

    /// <summary>A field whose name says it holds a key or another secret.</summary>
    KeyField,

    /// <summary>A transaction field that this type does not encode: signing would silently drop it.</summary>
    IgnoredField,

    /// <summary>A field given twice, or under both of its names (gas/gasLimit, input/data).</summary>
    DuplicateField,
}

/// <summary>
/// A refusal from <see cref="TransactionJson.TryParseToSign"/>: the kind, the field as given (redacted and shortened,
/// safe to quote) and a one-line message that names the field and never its value.
/// </summary>
public readonly record struct TxJsonError(TxJsonErrorKind Kind, string Field, string Message)
{
    public override string ToString() => Message;
}

public static partial class TransactionJson
{
    private const string KnownFields = "type, chainId, nonce, to, value, data, gasLimit, gasPrice, maxFeePerGas, maxPriorityFeePerGas, accessList, from";

    private enum Slot
    {
        Type,
        ChainId,
        Nonce,
        GasLimit,
        To,
        Value,
        Data,
        GasPrice,
        MaxFeePerGas,
        MaxPriorityFeePerGas,
        AccessList,
        From,
        Count,
    }

    /// <summary>
    /// Parses a transaction that is about to be signed. A transaction to sign is an instruction, so unlike
    /// <see cref="FromJson"/> (and unlike our feed parsers, which skip what they do not know) anything unexpected is
    /// refused: a field no transaction has (a <c>privateKey</c>-like one gets its own <see cref="TxJsonErrorKind.KeyField"/>),
    /// a field the type does not encode (<c>gasPrice</c> on type 2, fee caps on types 0/1, <c>accessList</c> on type 0;
    /// without <c>type</c>, fee caps mean 2 and an access list needs one), a field given twice or under both its names,
    /// a value of the wrong JSON type, and an empty <c>to</c> (leave it out or null to create a contract). JSON null
    /// is the same as absent. Quantities are as in <see cref="Quantity"/>. <paramref name="from"/> is the optional
    /// <c>from</c> field, for the caller to compare with its key. Errors are values and never echo a value.
    /// Cold path (operator tools); allocates; any thread.
    /// </summary>
    public static bool TryParseToSign(JsonElement json, [NotNullWhen(true)] out Transaction? tx, out Address? from, out TxJsonError error)
    {
        tx = null;
        from = null;
        if (json.ValueKind != JsonValueKind.Object)
        {
            error = Refuse(TxJsonErrorKind.Invalid, "", "a transaction must be a JSON object");
            return false;
        }

        var values = new JsonElement[(int)Slot.Count];
        var names = new string?[(int)Slot.Count];
        foreach (JsonProperty property in json.EnumerateObject())
        {
            if (!TrySlot(property.Name, out Slot slot, out error))
            {
                return false;
            }

            if (names[(int)slot] is { } earlier)
            {
                error = earlier == property.Name
                    ? Refuse(TxJsonErrorKind.DuplicateField, earlier, $"field '{earlier}' is given twice")
                    : Refuse(TxJsonErrorKind.DuplicateField, earlier, $"fields '{earlier}' and '{property.Name}' are the same field; give one");
                return false;
            }

            names[(int)slot] = property.Name;
            values[(int)slot] = property.Value;
        }

        bool Has(Slot s) => names[(int)s] is not null && values[(int)s].ValueKind != JsonValueKind.Null;
        string Name(Slot s) => names[(int)s]!;

        if (!TryReadType(Has(Slot.Type) ? values[(int)Slot.Type] : null, Has(Slot.MaxFeePerGas) || Has(Slot.MaxPriorityFeePerGas), out TxType type, out error))
        {
            return false;
        }

        if (!Has(Slot.Type) && Has(Slot.AccessList))
        {
            error = Refuse(TxJsonErrorKind.IgnoredField, "accessList", "field 'accessList' needs \"type\": 1 or 2 (without a type this is a legacy transaction, which has no access list)");
            return false;
        }

        Slot[] ignored = type switch
        {
            TxType.DynamicFee => [Slot.GasPrice],
            TxType.AccessList => [Slot.MaxFeePerGas, Slot.MaxPriorityFeePerGas],
            _ => [Slot.MaxFeePerGas, Slot.MaxPriorityFeePerGas, Slot.AccessList],
        };
        foreach (Slot slot in ignored)
        {
            if (Has(slot))
            {
                string uses = type == TxType.DynamicFee ? "it uses maxFeePerGas and maxPriorityFeePerGas" : "it uses gasPrice";
                error = Refuse(TxJsonErrorKind.IgnoredField, Name(slot), slot == Slot.AccessList
                    ? "field 'accessList' is not part of a type-0 transaction; give \"type\": 1 or 2"
                    : $"field '{Name(slot)}' is not part of a type-{(int)type} transaction ({uses})");
                return false;
            }
        }

        UInt256 chainId = default, value = default, gasPrice = default, maxFee = default, maxPriority = default;
        ulong nonce = 0, gasLimit = 0;
        Address? to = null;
        byte[] data = [];
        List<AccessListEntry> accessList = [];
        if ((Has(Slot.ChainId) && !TryQuantity(values[(int)Slot.ChainId], Name(Slot.ChainId), out chainId, out error))
            || (Has(Slot.Nonce) && !TryUInt64(values[(int)Slot.Nonce], Name(Slot.Nonce), out nonce, out error))
            || (Has(Slot.GasLimit) && !TryUInt64(values[(int)Slot.GasLimit], Name(Slot.GasLimit), out gasLimit, out error))
            || (Has(Slot.Value) && !TryQuantity(values[(int)Slot.Value], Name(Slot.Value), out value, out error))
            || (Has(Slot.GasPrice) && !TryQuantity(values[(int)Slot.GasPrice], Name(Slot.GasPrice), out gasPrice, out error))
            || (Has(Slot.MaxFeePerGas) && !TryQuantity(values[(int)Slot.MaxFeePerGas], Name(Slot.MaxFeePerGas), out maxFee, out error))
            || (Has(Slot.MaxPriorityFeePerGas) && !TryQuantity(values[(int)Slot.MaxPriorityFeePerGas], Name(Slot.MaxPriorityFeePerGas), out maxPriority, out error))
            || (Has(Slot.To) && !TryAddress(values[(int)Slot.To], Name(Slot.To), out to, out error))
            || (Has(Slot.From) && !TryAddress(values[(int)Slot.From], Name(Slot.From), out from, out error))
            || (Has(Slot.Data) && !TryData(values[(int)Slot.Data], Name(Slot.Data), out data, out error))
            || (Has(Slot.AccessList) && !TryAccessList(values[(int)Slot.AccessList], out accessList, out error)))
        {
            return false;
        }

        tx = new Transaction
        {
            Type = type,
            ChainId = Has(Slot.ChainId) ? chainId : null,
            Nonce = nonce,
            GasLimit = gasLimit,
            GasPrice = gasPrice,
            MaxFeePerGas = maxFee,
            MaxPriorityFeePerGas = maxPriority,
            To = to,
            Value = value,
            Data = data,
            AccessList = accessList,
        };
        error = default;
        return true;
    }

    private static bool TrySlot(string name, out Slot slot, out TxJsonError error)
    {
        slot = name switch
        {
            "type" => Slot.Type,
            "chainId" => Slot.ChainId,
            "nonce" => Slot.Nonce,
            "gasLimit" or "gas" => Slot.GasLimit,
            "to" => Slot.To,
            "value" => Slot.Value,
            "data" or "input" => Slot.Data,
            "gasPrice" => Slot.GasPrice,
            "maxFeePerGas" => Slot.MaxFeePerGas,
            "maxPriorityFeePerGas" => Slot.MaxPriorityFeePerGas,
            "accessList" => Slot.AccessList,
            "from" => Slot.From,
            _ => Slot.Count,
        };
        if (slot != Slot.Count)
        {
            error = default;
            return true;
        }

        string shown = SecretRedaction.Excerpt(name, 48);
        error = LooksLikeSecret(name)
            ? Refuse(TxJsonErrorKind.KeyField, shown, $"field '{shown}' looks like a key: a transaction to sign never carries one")
            : Refuse(TxJsonErrorKind.UnknownField, shown, $"unknown field '{shown}' (a transaction to sign takes: {KnownFields})");
        return false;
    }

    private static bool LooksLikeSecret(string name)
    {
        string lower = name.ToLowerInvariant();
        if (lower == "storagekeys")
        {
            return false; // misplaced (it belongs in accessList entries), not a secret
        }

        return lower.Contains("key", StringComparison.Ordinal) || lower.Contains("secret", StringComparison.Ordinal)
            || lower.Contains("mnemonic", StringComparison.Ordinal) || lower.Contains("seed", StringComparison.Ordinal)
            || lower.Contains("passw", StringComparison.Ordinal) || lower.Contains("passphrase", StringComparison.Ordinal)
            || lower is "pk" or "priv" or "private";
    }

    private static bool TryReadType(JsonElement? element, bool hasFeeCaps, out TxType type, out TxJsonError error)
    {
        type = TxType.Legacy;
        if (element is not { } e)
        {
            type = hasFeeCaps ? TxType.DynamicFee : TxType.Legacy;
            error = default;
            return true;
        }

        if (!TryQuantity(e, "type", out UInt256 value, out error))
        {
            return false;
        }

        if (!value.FitsInUInt64 || value.U0 > 2)
        {
            error = Refuse(TxJsonErrorKind.Invalid, "type", "field 'type' must be 0, 1 or 2");
            return false;
        }

        type = (TxType)value.U0;
        return true;
    }

    private static bool TryQuantity(JsonElement element, string name, out UInt256 value, out TxJsonError error)
    {
        value = default;
        bool ok = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText().AsSpan().IndexOfAny(".eE-+") < 0 && UInt256.TryParse(element.GetRawText(), out value),
            JsonValueKind.String => UInt256.TryParse(element.GetString(), out value),
            _ => false,
        };
        error = ok ? default : Refuse(TxJsonErrorKind.Invalid, name, $"field '{name}' must be a non-negative integer below 2^256 (a JSON number, a decimal string or a 0x-hex string)");
        return ok;
    }

    private static bool TryUInt64(JsonElement element, string name, out ulong value, out TxJsonError error)
    {
        value = 0;
        if (!TryQuantity(element, name, out UInt256 wide, out error))
        {
            return false;
        }

        if (!wide.FitsInUInt64)
        {
            error = Refuse(TxJsonErrorKind.Invalid, name, $"field '{name}' does not fit in 64 bits");
            return false;
        }

        value = wide.U0;
        return true;
    }

    private static bool TryAddress(JsonElement element, string name, out Address? address, out TxJsonError error)
    {
        address = null;
        if (element.ValueKind != JsonValueKind.String)
        {
            error = Refuse(TxJsonErrorKind.Invalid, name, $"field '{name}' must be an address string" + (name == "to" ? " (or null to create a contract)" : ""));
            return false;
        }

        string text = element.GetString()!;
        if (text.Length == 0)
        {
            error = Refuse(TxJsonErrorKind.Invalid, name, name == "to" ? "field 'to' is empty: leave it out (or null) to create a contract" : $"field '{name}' is empty");
            return false;
        }

        if (!Address.TryParse(text, out Address parsed))
        {
            error = Refuse(TxJsonErrorKind.Invalid, name, $"field '{name}' is not a valid address (40 hex digits, correct EIP-55 checksum if mixed case)");
            return false;
        }

        address = parsed;
        error = default;
        return true;
    }

    private static bool TryData(JsonElement element, string name, out byte[] data, out TxJsonError error)
    {
        data = [];
        string? text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        int length = text is null ? -1 : Hex.GetDecodedLength(text);
        if (length >= 0)
        {
            data = new byte[length];
            if (Hex.TryDecode(text, data, out _))
            {
                error = default;
                return true;
            }
        }

        error = Refuse(TxJsonErrorKind.Invalid, name, $"field '{name}' must be a 0x-hex string with an even number of digits");
        return false;
    }

    private static bool TryAccessList(JsonElement list, out List<AccessListEntry> entries, out TxJsonError error)
    {
        entries = [];
        if (list.ValueKind != JsonValueKind.Array)
        {
            error = Refuse(TxJsonErrorKind.Invalid, "accessList", "field 'accessList' must be an array of {address, storageKeys} or [address, [keys]]");
            return false;
        }

        int index = 0;
        foreach (JsonElement item in list.EnumerateArray())
        {
            string where = "accessList[" + index.ToString(CultureInfo.InvariantCulture) + "]";
            JsonElement addressElement = default, keysElement = default;
            if (item.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in item.EnumerateObject())
                {
                    bool isAddress = property.Name == "address";
                    if (!isAddress && property.Name != "storageKeys")
                    {
                        string shown = SecretRedaction.Excerpt(property.Name, 48);
                        error = Refuse(TxJsonErrorKind.UnknownField, shown, $"unknown field '{shown}' in {where} (an entry takes: address, storageKeys)");
                        return false;
                    }

                    if ((isAddress ? addressElement : keysElement).ValueKind != JsonValueKind.Undefined)
                    {
                        error = Refuse(TxJsonErrorKind.DuplicateField, property.Name, $"field '{property.Name}' is given twice in {where}");
                        return false;
                    }

                    if (isAddress)
                    {
                        addressElement = property.Value;
                    }
                    else
                    {
                        keysElement = property.Value;
                    }
                }
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2)
            {
                addressElement = item[0];
                keysElement = item[1];
            }
            else
            {
                error = Refuse(TxJsonErrorKind.Invalid, "accessList", $"{where} must be {{address, storageKeys}} or [address, [keys]]");
                return false;
            }

            if (addressElement.ValueKind != JsonValueKind.String || !Address.TryParse(addressElement.GetString(), out Address address))
            {
                error = Refuse(TxJsonErrorKind.Invalid, "accessList", $"{where}: address must be a valid address string");
                return false;
            }

            if (keysElement.ValueKind != JsonValueKind.Array)
            {
                error = Refuse(TxJsonErrorKind.Invalid, "accessList", $"{where}: storageKeys must be an array");
                return false;
            }

            var keys = new List<UInt256>();
            foreach (JsonElement key in keysElement.EnumerateArray())
            {
                string? text = key.ValueKind == JsonValueKind.String ? key.GetString() : null;
                if (text is null || Hex.GetDecodedLength(text) != 32 || !UInt256.TryParse(Hex.HasPrefix(text) ? text : "0x" + text, out UInt256 k))
                {
                    error = Refuse(TxJsonErrorKind.Invalid, "accessList", $"{where}: storage keys must be 32-byte hex strings");
                    return false;
                }

                keys.Add(k);
            }

            entries.Add(new AccessListEntry(address, keys));
            index++;
        }

        error = default;
        return true;
    }

    private static TxJsonError Refuse(TxJsonErrorKind kind, string field, string message) => new(kind, field, message);
}
