using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// Parses JSON-RPC 2.0 response objects and matches them to request ids. Pure functions, any thread;
/// allocates (cold path: results are cloned out of the parsed document). The element functions expect documents from
/// <see cref="TryParseDocument"/>, whose text is known to read as strings.
/// </summary>
public static class JsonRpcResponse
{
    /// <summary>An id that no request uses; marks a response whose id was null or unparseable.</summary>
    public const long NoId = long.MinValue;

    /// <summary>
    /// Parses a response body into a document, or says why not: not JSON, or a string or name that is not text (invalid
    /// UTF-8, or an escaped lone surrogate such as <c>"\ud800"</c>). <see cref="JsonDocument"/> accepts both and only
    /// <see cref="JsonElement.GetString"/> (or a property lookup that meets an escaped name) throws on them later, so they
    /// are refused here, once, for every reader of the answer. Never throws for bad input.
    /// </summary>
    public static bool TryParseDocument(ReadOnlySequence<byte> body, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
    {
        document = null;
        try
        {
            if (!HasOnlyText(body))
            {
                error = "response holds a string that is not valid UTF-8 or UTF-16 text";
                return false;
            }

            document = JsonDocument.Parse(body);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "response is not JSON: " + ex.Message;
            return false;
        }
    }

    private static bool HasOnlyText(ReadOnlySequence<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            {
                continue;
            }

            if (reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return false; // the only thing GetString refuses on a string token is text it cannot decode
                }
            }
            else if (!Utf8.IsValid(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses one response object into its id and its result or error.</summary>
    public static (long Id, RpcResult<JsonElement> Result) ParseOne(JsonElement response)
    {
        if (response.ValueKind != JsonValueKind.Object)
        {
            return (NoId, RpcError.Malformed("response is not a JSON object"));
        }

        if (response.TryGetProperty("jsonrpc", out var version) &&
            (version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0")))
        {
            return (NoId, RpcError.Malformed("response jsonrpc version is not \"2.0\""));
        }

        var id = NoId;
        if (response.TryGetProperty("id", out var idElement))
        {
            id = ReadId(idElement);
        }

        if (response.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            return (id, ParseError(error));
        }

        if (response.TryGetProperty("result", out var result))
        {
            return (id, RpcResult<JsonElement>.Ok(result.Clone()));
        }

        return (id, RpcError.Malformed("response has neither result nor error"));
    }

    /// <summary>
    /// Matches a parsed response document to the request ids. Every slot of <paramref name="results"/> is
    /// filled: with the matched result, or an error saying why there is none.
    /// </summary>
    public static void Correlate(JsonElement root, ReadOnlySpan<long> ids, bool isBatch, Span<RpcResult<JsonElement>> results)
    {
        if (results.Length < ids.Length)
        {
            throw new ArgumentException("results shorter than ids", nameof(results));
        }

        var filled = new bool[ids.Length];
        if (root.ValueKind == JsonValueKind.Object)
        {
            var (id, result) = ParseOne(root);
            if (!isBatch && ids.Length == 1)
            {
                if (id == ids[0])
                {
                    results[0] = result;
                }
                else if (id == NoId && !result.IsOk && result.Error.Kind == RpcErrorKind.Node)
                {
                    // A node that could not parse the request answers with id null.
                    results[0] = result;
                }
                else
                {
                    results[0] = RpcError.Malformed(string.Create(CultureInfo.InvariantCulture,
                        $"response id {FormatId(id)} does not match request id {ids[0]}"));
                }

                return;
            }

            // A batch answered with one object: the node rejected the whole batch.
            var whole = !result.IsOk && result.Error.Kind == RpcErrorKind.Node
                ? result
                : RpcError.Malformed("batch answered with a single object");
            for (var i = 0; i < ids.Length; i++)
            {
                results[i] = whole;
            }

            return;
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            FillMissing(ids, results, filled, "response is not a JSON object or array");
            return;
        }

        if (!isBatch)
        {
            FillMissing(ids, results, filled, "single request answered with an array");
            return;
        }

        foreach (var element in root.EnumerateArray())
        {
            var (id, result) = ParseOne(element);
            var index = ids.IndexOf(id);
            if (index >= 0 && !filled[index])
            {
                results[index] = result;
                filled[index] = true;
            }
        }

        FillMissing(ids, results, filled, "no response for this request id in the batch");
    }

    /// <summary>Parses a JSON-RPC error object into a node error.</summary>
    public static RpcError ParseError(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return RpcError.Malformed("error member is not an object");
        }

        long code = 0;
        if (!error.TryGetProperty("code", out var codeElement) || codeElement.ValueKind != JsonValueKind.Number || !codeElement.TryGetInt64(out code))
        {
            return RpcError.Malformed("error object has no integer code");
        }

        // An error always says something: a node that sent no message gets one that says so.
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text
            ? text
            : "(no message from the node)";
        var data = error.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null
            ? d.GetRawText()
            : null;
        return RpcError.NodeError(code, message, data);
    }

    private static long ReadId(JsonElement id)
    {
        if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var n))
        {
            return n;
        }

        // Some proxies echo numeric ids as strings.
        if (id.ValueKind == JsonValueKind.String &&
            long.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n))
        {
            return n;
        }

        return NoId;
    }

    private static string FormatId(long id) => id == NoId ? "null/invalid" : id.ToString(CultureInfo.InvariantCulture);

    private static void FillMissing(ReadOnlySpan<long> ids, Span<RpcResult<JsonElement>> results, bool[] filled, string why)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (!filled[i])
            {
                results[i] = RpcError.Malformed(why + " (id " + ids[i].ToString(CultureInfo.InvariantCulture) + ")");
            }
        }
    }
}
