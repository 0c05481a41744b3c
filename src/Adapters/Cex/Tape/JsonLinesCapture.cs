using System.Text.Json;

namespace LowLatency.Adapters.Cex.Tape;

/// <summary>
/// cryptofeed's newer JSON-lines capture layout (<c>*_v3jsonl_*.jsonl.gz</c>): one object per line, <c>t</c> =
/// <c>header</c> | <c>http</c> | <c>connect</c> | <c>send</c> | <c>recv</c>, the WebSocket frame verbatim as a JSON
/// string in <c>data</c>, several connections interleaved (<c>conn</c>). Converted at load into the classic line layout,
/// one text per connection, so each connection is a buffer of its own (its venue and wire format are its URL's, e.g.
/// Bybit's linear and spot streams in one file). REST bodies (<c>http</c>) are not replayed: the venues of these captures
/// (Coinbase Advanced Trade, Bybit v5) send their book snapshots in band; they are counted in <see cref="Result.SkippedHttp"/>.
/// A frame's raw line breaks (only possible as JSON whitespace) become spaces. Start-up; allocates.
/// </summary>
internal static class JsonLinesCapture
{
    internal sealed record Result(List<(string Connection, byte[] Text)> Connections, int MalformedLines, long FirstMalformedLine, long FirstMalformedOffset, int SkippedHttp, bool CutLastLine, long LastLine, long LastLineOffset);

    /// <summary>True when the text is in the JSON-lines layout (its first record is an object with <c>t</c> first).</summary>
    public static bool IsJsonLines(ReadOnlySpan<byte> text) => text.StartsWith("{\"t\":"u8);

    public static Result Convert(byte[] text)
    {
        var order = new List<string>();
        var writers = new Dictionary<string, MemoryStream>(StringComparer.Ordinal);
        int malformed = 0;
        long firstMalformedLine = 0;
        long firstMalformedOffset = 0;
        int skippedHttp = 0;
        long lineNumber = 0;
        int start = 0;
        bool cut = false;
        while (start < text.Length)
        {
            lineNumber++;
            int newline = text.AsSpan(start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                cut = true; // a line without its line end was cut: where the data ends, never a record
                break;
            }

            int end = start + newline;
            if (end > start && !TryConvertLine(text.AsMemory(start, end - start), order, writers, ref skippedHttp))
            {
                if (malformed == 0)
                {
                    firstMalformedLine = lineNumber;
                    firstMalformedOffset = start;
                }

                malformed++;
            }

            start = end + 1;
        }

        var connections = new List<(string, byte[])>(order.Count);
        foreach (string connection in order)
        {
            connections.Add((connection, writers[connection].ToArray()));
        }

        return new Result(connections, malformed, firstMalformedLine, firstMalformedOffset, skippedHttp, cut, lineNumber, start);
    }

    private static bool TryConvertLine(ReadOnlyMemory<byte> line, List<string> order, Dictionary<string, MemoryStream> writers, ref int skippedHttp)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("t"u8, out JsonElement t) || t.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            if (t.ValueEquals("header"u8))
            {
                return true;
            }

            if (t.ValueEquals("http"u8))
            {
                skippedHttp++;
                return true;
            }

            if (!root.TryGetProperty("conn"u8, out JsonElement conn) || conn.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("ts"u8, out JsonElement ts) || ts.ValueKind != JsonValueKind.Number)
            {
                return false;
            }

            string connection = conn.GetString()!;
            byte[] time = System.Text.Encoding.ASCII.GetBytes(ts.GetRawText());
            if (!writers.TryGetValue(connection, out MemoryStream? output))
            {
                output = new MemoryStream();
                writers.Add(connection, output);
                order.Add(connection);
            }

            if (t.ValueEquals("connect"u8))
            {
                if (!TryText(root, "addr"u8, out byte[]? addr))
                {
                    return false;
                }

                Write(output, addr, " <-> "u8, time, default, default);
                return true;
            }

            if (t.ValueEquals("send"u8) || t.ValueEquals("recv"u8))
            {
                if (!TryText(root, "data"u8, out byte[]? data))
                {
                    return false;
                }

                if (t.ValueEquals("send"u8))
                {
                    if (!TryText(root, "addr"u8, out byte[]? addr))
                    {
                        return false;
                    }

                    Write(output, addr, " <- "u8, time, ": "u8, data);
                }
                else
                {
                    Write(output, default, default, time, ": "u8, data);
                }

                return true;
            }

            return false;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return false; // not JSON, or a string that cannot be unescaped (a lone surrogate escape)
        }
    }

    private static bool TryText(JsonElement root, ReadOnlySpan<byte> name, out byte[]? bytes)
    {
        bytes = null;
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        bytes = System.Text.Encoding.UTF8.GetBytes(value.GetString()!);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is (byte)'\n' or (byte)'\r')
            {
                bytes[i] = (byte)' ';
            }
        }

        return true;
    }

    private static void Write(MemoryStream output, ReadOnlySpan<byte> url, ReadOnlySpan<byte> arrow, ReadOnlySpan<byte> time, ReadOnlySpan<byte> separator, ReadOnlySpan<byte> payload)
    {
        output.Write(url);
        output.Write(arrow);
        output.Write(time);
        output.Write(separator);
        output.Write(payload);
        output.WriteByte((byte)'\n');
    }
}
