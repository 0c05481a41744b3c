using System.IO.Compression;

namespace LowLatency.Adapters.Cex.Tape;

/// <summary>What one line of a cryptofeed raw capture is.</summary>
public enum CaptureRecordKind : byte
{
    /// <summary><c>wss://… &lt;-&gt; ts</c>: a connection was opened.</summary>
    Opened,

    /// <summary><c>wss://… &lt;- ts: json</c>: a message the client sent (subscriptions).</summary>
    Sent,

    /// <summary><c>ts: payload</c>: a frame received, verbatim.</summary>
    Received,

    /// <summary><c>https://… -&gt; ts: body</c>: a REST response (book snapshots, instrument lists).</summary>
    HttpResponse,

    /// <summary><c>configuration: {...}</c>: the channels and symbols of the session (no timestamp).</summary>
    Configuration,
}

/// <summary>One record of a tape: offsets into the tape's buffers, so reading a record allocates nothing.</summary>
public readonly record struct CaptureRecord(
    CaptureRecordKind Kind,
    long TimestampNs,
    int Buffer,
    int UrlStart,
    int UrlLength,
    int PayloadStart,
    int PayloadLength);

/// <summary>
/// A cryptofeed <c>raw_data_collection</c> capture (plain or gzip) loaded into memory and indexed by line.
/// Several files (a session's WebSocket file and its REST snapshot file) merge into one tape ordered by receive
/// time. Loading allocates; iterating records and reading their payload spans does not.
/// Malformed lines are counted in <see cref="MalformedLines"/> and skipped, never thrown.
/// </summary>
public sealed class CaptureTape
{
    private readonly byte[][] _buffers;
    private readonly CaptureRecord[] _records;

    private CaptureTape(byte[][] buffers, CaptureRecord[] records, int malformedLines, string[] sources)
    {
        _buffers = buffers;
        _records = records;
        MalformedLines = malformedLines;
        Sources = sources;
    }

    public int Count => _records.Length;

    /// <summary>Lines that matched none of the capture's record shapes.</summary>
    public int MalformedLines { get; }

    /// <summary>The files this tape was read from.</summary>
    public IReadOnlyList<string> Sources { get; }

    public ReadOnlySpan<CaptureRecord> Records => _records;

    public ref readonly CaptureRecord this[int index] => ref _records[index];

    public ReadOnlySpan<byte> Payload(in CaptureRecord record) =>
        _buffers[record.Buffer].AsSpan(record.PayloadStart, record.PayloadLength);

    public ReadOnlySpan<byte> Url(in CaptureRecord record) =>
        _buffers[record.Buffer].AsSpan(record.UrlStart, record.UrlLength);

    /// <summary>Loads one capture file; gzip is detected by its magic bytes, not its name.</summary>
    public static CaptureTape Load(string path) => Load([path]);

    /// <summary>Loads several capture files and merges them by timestamp (stable: ties keep file then line order).</summary>
    public static CaptureTape Load(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var buffers = new byte[paths.Count][];
        var records = new List<CaptureRecord>(1024);
        int malformed = 0;
        for (int b = 0; b < paths.Count; b++)
        {
            buffers[b] = ReadAllBytes(paths[b]);
            malformed += Index(buffers[b], b, records);
        }

        var array = records.ToArray();
        if (paths.Count > 1)
        {
            // Configuration lines carry no time; keep them first. Stable sort by time otherwise.
            var order = new int[array.Length];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (x, y) =>
            {
                int c = array[x].TimestampNs.CompareTo(array[y].TimestampNs);
                return c != 0 ? c : x.CompareTo(y);
            });
            var sorted = new CaptureRecord[array.Length];
            for (int i = 0; i < order.Length; i++)
            {
                sorted[i] = array[order[i]];
            }

            array = sorted;
        }

        return new CaptureTape(buffers, array, malformed, [.. paths]);
    }

    /// <summary>Parses a tape from bytes already in memory (tests, fuzzing).</summary>
    public static CaptureTape FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var records = new List<CaptureRecord>();
        int malformed = Index(bytes, 0, records);
        return new CaptureTape([bytes], [.. records], malformed, ["<memory>"]);
    }

    private static byte[] ReadAllBytes(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            using var input = new MemoryStream(raw);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 8);
            gzip.CopyTo(output);
            return output.ToArray();
        }

        return raw;
    }

    private static int Index(byte[] buffer, int bufferIndex, List<CaptureRecord> records)
    {
        int malformed = 0;
        int start = 0;
        while (start < buffer.Length)
        {
            int newline = buffer.AsSpan(start).IndexOf((byte)'\n');
            int end = newline < 0 ? buffer.Length : start + newline;
            int lineEnd = end > start && buffer[end - 1] == (byte)'\r' ? end - 1 : end;
            if (lineEnd > start)
            {
                if (TryParseLine(buffer, start, lineEnd, bufferIndex, out CaptureRecord record))
                {
                    records.Add(record);
                }
                else
                {
                    malformed++;
                }
            }

            start = end + 1;
        }

        return malformed;
    }

    private static bool TryParseLine(byte[] buffer, int start, int end, int bufferIndex, out CaptureRecord record)
    {
        ReadOnlySpan<byte> line = buffer.AsSpan(start, end - start);
        record = default;

        if (line.StartsWith("configuration: "u8))
        {
            int p = start + "configuration: ".Length;
            record = new CaptureRecord(CaptureRecordKind.Configuration, 0, bufferIndex, 0, 0, p, end - p);
            return true;
        }

        if (line.StartsWith("wss://"u8) || line.StartsWith("ws://"u8) || line.StartsWith("https://"u8) || line.StartsWith("http://"u8))
        {
            int space = line.IndexOf((byte)' ');
            if (space < 0)
            {
                return false;
            }

            ReadOnlySpan<byte> rest = line[(space + 1)..];
            CaptureRecordKind kind;
            int arrowLength;
            if (rest.StartsWith("<-> "u8))
            {
                kind = CaptureRecordKind.Opened;
                arrowLength = 4;
            }
            else if (rest.StartsWith("<- "u8))
            {
                kind = CaptureRecordKind.Sent;
                arrowLength = 3;
            }
            else if (rest.StartsWith("-> "u8))
            {
                kind = CaptureRecordKind.HttpResponse;
                arrowLength = 3;
            }
            else
            {
                return false;
            }

            int tsStart = space + 1 + arrowLength;
            ReadOnlySpan<byte> afterArrow = line[tsStart..];
            if (kind == CaptureRecordKind.Opened)
            {
                if (!TryParseTimestamp(afterArrow, out long openedNs))
                {
                    return false;
                }

                record = new CaptureRecord(kind, openedNs, bufferIndex, start, space, end, 0);
                return true;
            }

            int colon = afterArrow.IndexOf(": "u8);
            if (colon < 0 || !TryParseTimestamp(afterArrow[..colon], out long ns))
            {
                return false;
            }

            int payload = start + tsStart + colon + 2;
            record = new CaptureRecord(kind, ns, bufferIndex, start, space, payload, end - payload);
            return true;
        }

        int sep = line.IndexOf(": "u8);
        if (sep <= 0 || !TryParseTimestamp(line[..sep], out long receivedNs))
        {
            return false;
        }

        int body = start + sep + 2;
        record = new CaptureRecord(CaptureRecordKind.Received, receivedNs, bufferIndex, start, 0, body, end - body);
        return true;
    }

    /// <summary>Parses "1633998512.0633569" (float seconds) into Unix nanoseconds, exactly (no double rounding).</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out long unixNs)
    {
        unixNs = 0;
        long seconds = 0;
        long fraction = 0;
        int fractionDigits = 0;
        bool seenPoint = false;
        bool anyDigit = false;
        foreach (byte c in text)
        {
            uint d = (uint)(c - '0');
            if (d <= 9)
            {
                anyDigit = true;
                if (!seenPoint)
                {
                    if (seconds > 9_000_000_000L)
                    {
                        return false;
                    }

                    seconds = (seconds * 10) + d;
                }
                else if (fractionDigits < 9)
                {
                    fraction = (fraction * 10) + d;
                    fractionDigits++;
                }
            }
            else if (c == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                return false;
            }
        }

        if (!anyDigit)
        {
            return false;
        }

        for (int i = fractionDigits; i < 9; i++)
        {
            fraction *= 10;
        }

        unixNs = (seconds * 1_000_000_000L) + fraction;
        return true;
    }
}
