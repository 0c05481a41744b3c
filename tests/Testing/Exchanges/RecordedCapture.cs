using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace LowLatency.Testing.Exchanges;

/// <summary>One received frame of a cryptofeed capture (<c>ts: payload</c> lines), verbatim.</summary>
public sealed record RecordedFrame(double Time, byte[] Bytes);

/// <summary>One REST response of a capture (<c>url -&gt; ts: body</c> lines).</summary>
public sealed record RecordedResponse(string Url, double Time, byte[] Body);

/// <summary>Reads the records of a cryptofeed raw capture (plain or gzip) for loopback servers. Test start-up; allocates.</summary>
public static class RecordedCapture
{
    public static IReadOnlyList<RecordedFrame> Frames(string path)
    {
        var frames = new List<RecordedFrame>();
        foreach (string line in Lines(path))
        {
            if (line.StartsWith("wss://", StringComparison.Ordinal) || line.StartsWith("https://", StringComparison.Ordinal) || line.StartsWith("configuration:", StringComparison.Ordinal))
            {
                continue;
            }

            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && double.TryParse(line.AsSpan(0, colon), NumberStyles.Float, CultureInfo.InvariantCulture, out double time))
            {
                frames.Add(new RecordedFrame(time, Encoding.UTF8.GetBytes(line[(colon + 2)..])));
            }
        }

        return frames;
    }

    /// <summary>The frames received on one connection of a JSON-lines capture (<c>{"t":"recv","conn":..,"data":"frame"}</c>).</summary>
    public static IReadOnlyList<RecordedFrame> JsonLinesFrames(string path, string connection)
    {
        var frames = new List<RecordedFrame>();
        foreach (string line in Lines(path))
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            System.Text.Json.JsonElement root = document.RootElement;
            if (root.GetProperty("t").ValueEquals("recv"u8) && root.GetProperty("conn").ValueEquals(connection))
            {
                frames.Add(new RecordedFrame(root.GetProperty("ts").GetDouble(), Encoding.UTF8.GetBytes(root.GetProperty("data").GetString()!)));
            }
        }

        return frames;
    }

    public static IReadOnlyList<RecordedResponse> Responses(string path)
    {
        var responses = new List<RecordedResponse>();
        foreach (string line in Lines(path))
        {
            int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            if (!line.StartsWith("http", StringComparison.Ordinal) || arrow < 0)
            {
                continue;
            }

            int colon = line.IndexOf(": ", arrow, StringComparison.Ordinal);
            double time = double.Parse(line.AsSpan(arrow + 4, colon - arrow - 4), NumberStyles.Float, CultureInfo.InvariantCulture);
            responses.Add(new RecordedResponse(line[..arrow], time, Encoding.UTF8.GetBytes(line[(colon + 2)..])));
        }

        return responses;
    }

    private static IEnumerable<string> Lines(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
