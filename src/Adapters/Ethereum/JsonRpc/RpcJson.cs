using System.Globalization;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// Strict readers for JSON-RPC values (quantities, data, addresses, hashes). Each returns an error value
/// naming the field instead of throwing. Any thread; allocates for byte arrays and errors only.
/// </summary>
public static class RpcJson
{
    /// <summary>A quantity: "0x"-prefixed hex, at most 256 bits.</summary>
    public static RpcResult<UInt256> Quantity(JsonElement element, string field = "result")
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return RpcError.Malformed(field + ": expected a hex quantity string, got " + element.ValueKind);
        }

        var text = element.GetString()!;
        if (!Hex.HasPrefix(text) || text.Length == 2 || !UInt256.TryParseHexDigits(text.AsSpan(2), out var value))
        {
            return RpcError.Malformed(field + ": invalid hex quantity '" + Clip(text) + "'");
        }

        return value;
    }

    /// <summary>A quantity that must fit in 64 bits (block numbers, nonces, gas).</summary>
    public static RpcResult<ulong> QuantityUInt64(JsonElement element, string field = "result")
    {
        var q = Quantity(element, field);
        if (!q.IsOk)
        {
            return q.Error;
        }

        return q.Value.FitsInUInt64 ? (ulong)q.Value : RpcError.Malformed(field + ": quantity does not fit in 64 bits");
    }

    /// <summary>Unformatted data: "0x"-prefixed hex with an even number of digits.</summary>
    public static RpcResult<byte[]> Data(JsonElement element, string field = "result")
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return RpcError.Malformed(field + ": expected hex data string, got " + element.ValueKind);
        }

        var text = element.GetString()!;
        if (!Hex.HasPrefix(text) || (text.Length & 1) != 0)
        {
            return RpcError.Malformed(field + ": invalid hex data '" + Clip(text) + "'");
        }

        var bytes = new byte[(text.Length - 2) / 2];
        return Hex.TryDecode(text.AsSpan(2), bytes, out var written) && written == bytes.Length
            ? bytes
            : RpcError.Malformed(field + ": invalid hex data '" + Clip(text) + "'");
    }

    /// <summary>32-byte data (block and transaction hashes, topics).</summary>
    public static RpcResult<byte[]> Hash(JsonElement element, string field = "result")
    {
        var data = Data(element, field);
        if (!data.IsOk)
        {
            return data;
        }

        return data.Value.Length == 32 ? data : RpcError.Malformed(field + ": expected 32 bytes, got " + data.Value.Length.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A 20-byte address (checksum not required: nodes answer lowercase).</summary>
    public static RpcResult<Address> AddressValue(JsonElement element, string field = "result")
    {
        if (element.ValueKind != JsonValueKind.String || !Address.TryParse(element.GetString(), out var address))
        {
            return RpcError.Malformed(field + ": invalid address");
        }

        return address;
    }

    /// <summary>Reads a required member of an object with <paramref name="read"/>.</summary>
    public static RpcResult<T> Member<T>(JsonElement obj, string name, Func<JsonElement, string, RpcResult<T>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return RpcError.Malformed("expected an object with '" + name + "'");
        }

        return obj.TryGetProperty(name, out var member) && member.ValueKind != JsonValueKind.Null
            ? read(member, name)
            : RpcError.Malformed("missing field '" + name + "'");
    }

    /// <summary>An array whose elements are read with <paramref name="read"/>.</summary>
    public static RpcResult<T[]> ArrayOf<T>(JsonElement element, string field, Func<JsonElement, string, RpcResult<T>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (element.ValueKind != JsonValueKind.Array)
        {
            return RpcError.Malformed(field + ": expected an array");
        }

        var result = new T[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var r = read(item, field);
            if (!r.IsOk)
            {
                return r.Error;
            }

            result[i++] = r.Value;
        }

        return result;
    }

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
