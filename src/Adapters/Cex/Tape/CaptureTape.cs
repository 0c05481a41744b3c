using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;

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

/// <summary>How a capture file is damaged.</summary>
public enum CaptureDamageKind : byte
{
    /// <summary>The gzip stream stops before its end (no valid trailer): the file was cut short.</summary>
    TruncatedGzip,

    /// <summary>The gzip data cannot be decompressed from some point on.</summary>
    CorruptGzip,

    /// <summary>The last line has no line end: the file was cut in the middle of a record.</summary>
    TruncatedLine,

    /// <summary>Lines that match none of the capture's record shapes.</summary>
    MalformedLines,
}

/// <summary>
/// Where and how one capture file is damaged. <see cref="Line"/> (1-based) and <see cref="ByteOffset"/> (0-based, in
/// the file's text, after decompression) locate the first line affected; for a cut file that is where its readable
/// data ends. Records before that point are kept; the cut line itself never becomes a record.
/// </summary>
public sealed record CaptureDamage(string File, CaptureDamageKind Kind, long Line, long ByteOffset, long Count, string Detail)
{
    /// <summary>One line for people: the file, what is wrong, and where.</summary>
    public override string ToString() => Kind switch
    {
        CaptureDamageKind.TruncatedGzip => Format($"{File}: damaged capture: the gzip stream is cut short ({Detail}); {EndText()}"),
        CaptureDamageKind.CorruptGzip => Format($"{File}: damaged capture: the gzip data is corrupt ({Detail}); {EndText()}"),
        CaptureDamageKind.TruncatedLine => Format($"{File}: damaged capture: the file is cut in the middle of line {Line} (it has no line end; the data ends at byte {ByteOffset:N0})"),
        _ => Format($"{File}: damaged capture: {Count:N0} line(s) are not capture records (the first is line {Line}, at byte {ByteOffset:N0})"),
    };

    private string EndText() => Line > 1
        ? Format($"the readable data ends after line {Line - 1:N0}, at byte {ByteOffset:N0} of the text")
        : "not one whole line could be read";

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A cryptofeed <c>raw_data_collection</c> capture (plain or gzip) loaded into memory and indexed by line.
/// Several files (a session's WebSocket file and its REST snapshot file) merge into one tape ordered by receive
/// time. Loading allocates; iterating records and reading their payload spans does not.
/// A damaged file (a gzip stream cut short or corrupt, a last line without its line end, lines that are not records)
/// is never thrown: what comes before the damage is kept, and the damage is reported in <see cref="Damage"/>, naming
/// the file and where its data ends. Malformed lines are also counted in <see cref="MalformedLines"/>.
/// </summary>
public sealed class CaptureTape
{
    private readonly byte[][] _buffers;
    private readonly CaptureRecord[] _records;
    private readonly string[] _fileOfBuffer;

    /// <summary>The largest capture file (after decompression) a tape reads: 1 GiB, well inside one array.</summary>
    public const int MaxFileBytes = 1 << 30;

    private CaptureTape(byte[][] buffers, CaptureRecord[] records, int malformedLines, string[] sources, CaptureDamage[] damage, string[]? fileOfBuffer = null)
    {
        _buffers = buffers;
        _fileOfBuffer = fileOfBuffer ?? sources;
        _records = records;
        MalformedLines = malformedLines;
        Sources = sources;
        Damage = damage;
    }

    public int Count => _records.Length;

    /// <summary>Lines that matched none of the capture's record shapes.</summary>
    public int MalformedLines { get; }

    /// <summary>The files this tape was read from.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>Every damage found, at most one of each kind per file, in file order (empty for clean captures).</summary>
    public IReadOnlyList<CaptureDamage> Damage { get; }

    /// <summary>True when any file is damaged: a replay of this tape is not a clean result.</summary>
    public bool IsDamaged => Damage.Count > 0;

    /// <summary>The damage found in one of <see cref="Sources"/> (by index), in the order found.</summary>
    public IEnumerable<CaptureDamage> DamageOf(int buffer)
    {
        foreach (CaptureDamage d in Damage)
        {
            if (string.Equals(d.File, _fileOfBuffer[buffer], StringComparison.Ordinal))
            {
                yield return d;
            }
        }
    }

    public ReadOnlySpan<CaptureRecord> Records => _records;

    public ref readonly CaptureRecord this[int index] => ref _records[index];

    public ReadOnlySpan<byte> Payload(in CaptureRecord record) =>
        _buffers[record.Buffer].AsSpan(record.PayloadStart, record.PayloadLength);

    public ReadOnlySpan<byte> Url(in CaptureRecord record) =>
        _buffers[record.Buffer].AsSpan(record.UrlStart, record.UrlLength);

    /// <summary>Loads one capture file; gzip is detected by its magic bytes, not its name.</summary>
    public static CaptureTape Load(string path) => Load([path]);

    /// <summary>
    /// Loads several capture files and merges them by timestamp (stable: ties keep file then line order). Throws
    /// <see cref="InvalidDataException"/> (see <see cref="TryLoad"/>) when a file cannot be read at all.
    /// </summary>
    public static CaptureTape Load(IReadOnlyList<string> paths) =>
        TryLoad(paths, out CaptureTape? tape, out string? error) ? tape : throw new InvalidDataException(error);

    /// <summary>
    /// Loads several capture files and merges them by timestamp. False, with one line naming the file, when a file
    /// cannot be opened or read or is larger than <see cref="MaxFileBytes"/>; damage inside a file is not a failure
    /// (see <see cref="Damage"/>). Start-up; allocates.
    /// </summary>
    public static bool TryLoad(IReadOnlyList<string> paths, [NotNullWhen(true)] out CaptureTape? tape, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(paths);
        tape = null;
        var buffers = new List<byte[]>(paths.Count);
        var records = new List<CaptureRecord>(1024);
        var damage = new List<CaptureDamage>();
        string[] files = [.. paths];
        var sources = new List<string>(paths.Count);
        var fileOfBuffer = new List<string>(paths.Count);
        int malformed = 0;
        for (int f = 0; f < files.Length; f++)
        {
            byte[] raw;
            try
            {
                using var file = new FileStream(files[f], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                if (!file.CanSeek)
                {
                    error = $"{files[f]}: not a regular file (a pipe or device cannot be replayed)";
                    return false;
                }

                if (file.Length > MaxFileBytes)
                {
                    error = TooLarge(files[f]);
                    return false;
                }

                raw = new byte[file.Length];
                file.ReadExactly(raw);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"{files[f]}: cannot be read: {e.Message}";
                return false;
            }

            if (!TryDecode(raw, files[f], damage, out byte[] text, out error))
            {
                return false;
            }

            if (JsonLinesCapture.IsJsonLines(text))
            {
                // One buffer per connection: each has its own URL, so its own venue and wire format.
                malformed += AddJsonLines(text, files[f], buffers, sources, fileOfBuffer, records, damage);
                continue;
            }

            buffers.Add(text);
            sources.Add(files[f]);
            fileOfBuffer.Add(files[f]);
            malformed += Index(text, buffers.Count - 1, files[f], records, damage);
        }

        CaptureRecord[] array = buffers.Count > 1 ? SortByTime(records.ToArray()) : records.ToArray();
        tape = new CaptureTape([.. buffers], array, malformed, [.. sources], [.. damage], [.. fileOfBuffer]);
        error = null;
        return true;
    }

    /// <summary>Stable sort by time (ties keep buffer then line order); configuration lines carry no time and stay first.</summary>
    private static CaptureRecord[] SortByTime(CaptureRecord[] array)
    {
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

        return sorted;
    }

    /// <summary>
    /// Parses a tape from bytes already in memory (tests, fuzzing), plain or gzip, with the same damage checks as a
    /// file. Throws <see cref="InvalidDataException"/> only when the bytes decompress past <see cref="MaxFileBytes"/>.
    /// </summary>
    public static CaptureTape FromBytes(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(source);
        var damage = new List<CaptureDamage>();
        if (!TryDecode(bytes, source, damage, out byte[] text, out string? error))
        {
            throw new InvalidDataException(error);
        }

        var records = new List<CaptureRecord>();
        if (JsonLinesCapture.IsJsonLines(text))
        {
            var buffers = new List<byte[]>();
            var sources = new List<string>();
            var files = new List<string>();
            int lines = AddJsonLines(text, source, buffers, sources, files, records, damage);
            return new CaptureTape([.. buffers], SortByTime([.. records]), lines, [.. sources], [.. damage], [.. files]);
        }

        int malformed = Index(text, 0, source, records, damage);
        return new CaptureTape([text], [.. records], malformed, [source], [.. damage]);
    }

    /// <summary>Adds a JSON-lines capture's connections as buffers (named <c>FILE (CONNECTION)</c>); returns its malformed lines.</summary>
    private static int AddJsonLines(byte[] text, string file, List<byte[]> buffers, List<string> sources, List<string> fileOfBuffer,
        List<CaptureRecord> records, List<CaptureDamage> damage)
    {
        bool streamCut = damage.Count > 0 && string.Equals(damage[^1].File, file, StringComparison.Ordinal)
            && damage[^1].Kind is CaptureDamageKind.TruncatedGzip or CaptureDamageKind.CorruptGzip;
        JsonLinesCapture.Result converted = JsonLinesCapture.Convert(text);
        int malformed = converted.MalformedLines;
        foreach ((string connection, byte[] classic) in converted.Connections)
        {
            buffers.Add(classic);
            sources.Add($"{file} ({connection})");
            fileOfBuffer.Add(file);
            var lineDamage = new List<CaptureDamage>();
            malformed += Index(classic, buffers.Count - 1, file, records, lineDamage);
            if (lineDamage.Count > 0 && converted.MalformedLines == 0)
            {
                damage.Add(lineDamage[0] with { Detail = $"a record of connection {connection} is not a capture record" });
            }
        }

        if (converted.MalformedLines > 0)
        {
            damage.Add(new CaptureDamage(file, CaptureDamageKind.MalformedLines, converted.FirstMalformedLine, converted.FirstMalformedOffset,
                converted.MalformedLines, "not a JSON-lines record"));
        }

        if (converted.CutLastLine && !streamCut)
        {
            damage.Add(new CaptureDamage(file, CaptureDamageKind.TruncatedLine, converted.LastLine, converted.LastLineOffset, 1, "no line end"));
        }

        return malformed;
    }

    private static string TooLarge(string source) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}: larger than {MaxFileBytes:N0} bytes, the most a capture file may hold here; split it");

    /// <summary>
    /// The text of a file: the bytes themselves, or their gzip decompression. A gzip stream that stops early or fails
    /// keeps what was decompressed before it and adds its damage. False only past <see cref="MaxFileBytes"/>.
    /// </summary>
    private static bool TryDecode(byte[] raw, string source, List<CaptureDamage> damage, out byte[] text, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            text = raw;
            return true;
        }

        var output = new MemoryStream((int)Math.Min(64L << 20, Math.Max(1024L, raw.Length) * 8L));
        string? corrupt = null;
        using (var gzip = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress))
        {
            byte[] chunk = new byte[81920];
            try
            {
                int n;
                while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (output.Length + n > MaxFileBytes)
                    {
                        text = [];
                        error = TooLarge(source);
                        return false;
                    }

                    output.Write(chunk, 0, n);
                }
            }
            catch (InvalidDataException e)
            {
                corrupt = e.Message.TrimEnd('.');
            }
        }

        text = output.ToArray();
        if (corrupt is not null)
        {
            damage.Add(EndOfData(source, text, CaptureDamageKind.CorruptGzip,
                string.Create(CultureInfo.InvariantCulture, $"{corrupt}, after {text.Length:N0} decompressed bytes")));
        }
        else if (!HasTrailerOf(raw, text))
        {
            damage.Add(EndOfData(source, text, CaptureDamageKind.TruncatedGzip,
                string.Create(CultureInfo.InvariantCulture, $"{raw.Length:N0} compressed bytes give {text.Length:N0} bytes and no gzip trailer matches them")));
        }

        return true;
    }

    /// <summary>
    /// A complete gzip file ends with its last member's CRC-32 and length (mod 2^32) of that member's data, which is a
    /// suffix of the decompressed text. .NET's GZipStream returns what it has when the input stops early, so this is how
    /// a cut file is told from a whole one (a random match is a 1 in 2^32 chance on top of a matching length).
    /// </summary>
    private static bool HasTrailerOf(byte[] raw, byte[] text)
    {
        if (raw.Length < 18)
        {
            return false; // shorter than the smallest gzip member (10-byte header, empty deflate block, 8-byte trailer)
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 8));
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4));
        return size <= (uint)text.Length && Crc32.Compute(text.AsSpan(text.Length - (int)size)) == crc;
    }

    /// <summary>The damage record of a stream that stops early: the text is kept up to its last whole line.</summary>
    private static CaptureDamage EndOfData(string source, byte[] text, CaptureDamageKind kind, string detail)
    {
        int lastNewline = text.AsSpan().LastIndexOf((byte)'\n');
        long line = 1 + text.AsSpan(0, lastNewline + 1).Count((byte)'\n');
        return new CaptureDamage(source, kind, line, lastNewline + 1, 1, detail);
    }

    private static int Index(byte[] buffer, int bufferIndex, string source, List<CaptureRecord> records, List<CaptureDamage> damage)
    {
        // A gzip stream that stopped early has reported its damage already; its cut last line is part of it.
        bool streamCut = damage.Count > 0 && string.Equals(damage[^1].File, source, StringComparison.Ordinal)
            && damage[^1].Kind is CaptureDamageKind.TruncatedGzip or CaptureDamageKind.CorruptGzip;
        int malformed = 0;
        long firstMalformedLine = 0;
        long firstMalformedOffset = 0;
        long lineNumber = 0;
        int start = 0;
        while (start < buffer.Length)
        {
            lineNumber++;
            int newline = buffer.AsSpan(start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                // A line without its line end was cut: it is where the data ends, never a record.
                if (!streamCut)
                {
                    damage.Add(new CaptureDamage(source, CaptureDamageKind.TruncatedLine, lineNumber, start, 1, "no line end"));
                }

                break;
            }

            int end = start + newline;
            int lineEnd = end > start && buffer[end - 1] == (byte)'\r' ? end - 1 : end;
            if (lineEnd > start)
            {
                if (TryParseLine(buffer, start, lineEnd, bufferIndex, out CaptureRecord record))
                {
                    records.Add(record);
                }
                else
                {
                    if (malformed == 0)
                    {
                        firstMalformedLine = lineNumber;
                        firstMalformedOffset = start;
                    }

                    malformed++;
                }
            }

            start = end + 1;
        }

        if (malformed > 0)
        {
            damage.Add(new CaptureDamage(source, CaptureDamageKind.MalformedLines, firstMalformedLine, firstMalformedOffset, malformed, "not a record"));
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

    /// <summary>
    /// Parses "1633998512.0633569" (float seconds) into Unix nanoseconds, exactly (no double rounding), through the one
    /// decimal parser. A recorder's float may print more than nine decimals: digits past nanoseconds are dropped, not
    /// rounded. A time past 2262 (ns no longer fit a long) is refused.
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out long unixNs)
    {
        int point = text.IndexOf((byte)'.');
        if (point >= 0 && text.Length > point + 10 && text[(point + 10)..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            text = text[..(point + 10)];
        }

        return WireNumbers.TryParseSecondsToNs(text, out unixNs, out _);
    }
}
