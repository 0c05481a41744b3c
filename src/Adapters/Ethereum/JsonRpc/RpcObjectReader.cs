using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// Reads fields of one JSON object and keeps the first error, so model parsers stay linear.
/// Not thread-safe; one per parse. Allocates (cold path).
/// </summary>
internal sealed class RpcObjectReader
{
    private readonly JsonElement _obj;
    private readonly string _what;

    public RpcObjectReader(JsonElement obj, string what)
    {
        _obj = obj;
        _what = what;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            Error = RpcError.Malformed(what + ": expected an object, got " + obj.ValueKind);
        }
    }

    public RpcError? Error { get; private set; }

    public UInt256 Quantity(string name) => Required(name, RpcJson.Quantity);

    public ulong UInt64(string name) => Required(name, RpcJson.QuantityUInt64);

    public byte[] Data(string name) => Required(name, RpcJson.Data) ?? [];

    public byte[] Hash(string name) => Required(name, RpcJson.Hash) ?? [];

    public Address Address(string name) => Required(name, RpcJson.AddressValue);

    public UInt256? OptionalQuantity(string name) => Optional(name, RpcJson.Quantity, out var v) ? v : null;

    public ulong? OptionalUInt64(string name) => Optional(name, RpcJson.QuantityUInt64, out var v) ? v : null;

    public Address? OptionalAddress(string name) => Optional(name, RpcJson.AddressValue, out var v) ? v : null;

    public byte[]? OptionalHash(string name) => Optional(name, RpcJson.Hash, out var v) ? v : null;

    public bool OptionalBool(string name)
    {
        if (Error != null || !_obj.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (member.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return member.GetBoolean();
        }

        Error = RpcError.Malformed(_what + "." + name + ": expected a boolean");
        return false;
    }

    /// <summary>An array member read element by element.</summary>
    public T[] Array<T>(string name, Func<JsonElement, string, RpcResult<T>> read, bool optional = false)
    {
        if (Error != null)
        {
            return [];
        }

        if (!_obj.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            if (!optional)
            {
                Error = RpcError.Malformed(_what + ": missing field '" + name + "'");
            }

            return [];
        }

        if (member.ValueKind != JsonValueKind.Array)
        {
            Error = RpcError.Malformed(_what + "." + name + ": expected an array");
            return [];
        }

        var result = new T[member.GetArrayLength()];
        var i = 0;
        foreach (var element in member.EnumerateArray())
        {
            var r = read(element, _what + "." + name);
            if (!r.IsOk)
            {
                Error = r.Error;
                return [];
            }

            result[i++] = r.Value;
        }

        return result;
    }

    private T Required<T>(string name, Func<JsonElement, string, RpcResult<T>> read)
    {
        if (Error != null)
        {
            return default!;
        }

        if (!_obj.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            Error = RpcError.Malformed(_what + ": missing field '" + name + "'");
            return default!;
        }

        var r = read(member, _what + "." + name);
        if (!r.IsOk)
        {
            Error = r.Error;
            return default!;
        }

        return r.Value;
    }

    private bool Optional<T>(string name, Func<JsonElement, string, RpcResult<T>> read, out T value)
    {
        value = default!;
        if (Error != null || !_obj.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        var r = read(member, _what + "." + name);
        if (!r.IsOk)
        {
            Error = r.Error;
            return false;
        }

        value = r.Value;
        return true;
    }
}
