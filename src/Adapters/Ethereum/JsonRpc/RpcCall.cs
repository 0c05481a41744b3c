using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>One JSON-RPC call: the method and its params as a raw JSON array.</summary>
public readonly record struct RpcCall(string Method, ReadOnlyMemory<byte> Params)
{
    /// <summary>A call without params.</summary>
    public RpcCall(string method)
        : this(method, RpcParams.Empty)
    {
    }
}

/// <summary>Builds params arrays and request bodies. Allocates; cold path (any thread).</summary>
public static class RpcParams
{
    /// <summary>The empty params array.</summary>
    public static ReadOnlyMemory<byte> Empty { get; } = "[]"u8.ToArray();

    /// <summary>Builds a params array; <paramref name="writeItems"/> writes the elements.</summary>
    public static byte[] Build(Action<Utf8JsonWriter> writeItems)
    {
        ArgumentNullException.ThrowIfNull(writeItems);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writeItems(writer);
            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Params made of JSON strings (hex quantities, tags, addresses).</summary>
    public static byte[] Strings(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Build(w =>
        {
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }
        });
    }

    /// <summary>Writes a request object (or an array of them for a batch) with ids <paramref name="ids"/>.</summary>
    public static byte[] RequestBody(ReadOnlySpan<RpcCall> calls, ReadOnlySpan<long> ids, bool asBatch)
    {
        if (calls.Length != ids.Length || calls.Length == 0 || (!asBatch && calls.Length != 1))
        {
            throw new ArgumentException("calls and ids must match; a single request has one call");
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false }))
        {
            if (asBatch)
            {
                writer.WriteStartArray();
            }

            for (var i = 0; i < calls.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc"u8, "2.0"u8);
                writer.WriteNumber("id"u8, ids[i]);
                writer.WriteString("method"u8, calls[i].Method);
                writer.WritePropertyName("params"u8);
                var raw = calls[i].Params.Length == 0 ? Empty.Span : calls[i].Params.Span;
                writer.WriteRawValue(raw, skipInputValidation: false);
                writer.WriteEndObject();
            }

            if (asBatch)
            {
                writer.WriteEndArray();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Formats a quantity as minimal 0x-hex as JSON-RPC expects ("0x0" for zero).</summary>
    public static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
