using System.Buffers.Text;
using System.IO.Compression;
using System.Text;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>Receives what a live connection saw, to record it. Called on the client's receive loop and snapshot task.</summary>
public interface ICaptureSink
{
    /// <summary>A connection to <paramref name="url"/> was opened.</summary>
    void Opened(Uri url, long unixNs);

    /// <summary>The client sent <paramref name="message"/> (a subscription).</summary>
    void Sent(Uri url, ReadOnlySpan<byte> message, long unixNs);

    /// <summary>A whole frame was received (any frame: data, acks, errors).</summary>
    void Received(ReadOnlySpan<byte> frame, long unixNs);

    /// <summary>A REST response body (a depth snapshot) was received from <paramref name="url"/>.</summary>
    void Rest(string url, ReadOnlySpan<byte> body, long unixNs);
}

/// <summary>
/// Writes one venue's live session in the cryptofeed raw capture layout that <c>replay</c> reads: a stream file
/// (<c>url &lt;-&gt; ts</c>, <c>url &lt;- ts: sent</c>, <c>ts: frame</c>) and a REST file (<c>url -&gt; ts: body</c>),
/// gzip, rotated by size: <c>DIR/&lt;VENUE&gt;.ws.&lt;part&gt;.gz</c> and <c>DIR/&lt;VENUE&gt;.http.&lt;part&gt;.gz</c>. Each
/// rotated stream part starts with its connection's <c>&lt;-&gt;</c> line again, so every part names its venue alone.
/// Frames are written verbatim (a frame holding a line break cannot be one line: its CR/LF bytes become spaces, which
/// JSON reads the same, and it is counted in <see cref="Altered"/>).
/// <para>
/// Threads: the client threads append under a lock into a preallocated buffer (no allocation per frame; a full buffer
/// drops the record and counts it in <see cref="Dropped"/>, never blocks the receive loop); one writer thread
/// compresses and writes. <see cref="Dispose"/> flushes everything appended.
/// </para>
/// </summary>
public sealed class CaptureRecorder : ICaptureSink, IDisposable
{
    private readonly string _directory;
    private readonly string _venueName;
    private readonly long _rotateBytes;
    private readonly object _gate = new();
    private readonly Thread _writer;
    private readonly AutoResetEvent _wake = new(false);
    private readonly List<string> _files = [];
    private byte[] _wsActive;
    private byte[] _wsSpare;
    private byte[] _httpActive;
    private byte[] _httpSpare;
    private int _wsLength;
    private int _httpLength;
    private byte[]? _openedLine;
    private volatile bool _stopping;
    private long _dropped;
    private long _altered;
    private long _records;
    private int _part;
    private long _partBytes;
    private Stream? _wsFile;
    private Stream? _httpFile;
    private Exception? _writeError;

    /// <param name="directory">Output folder (created).</param>
    /// <param name="venueName">File name prefix, upper case as cryptofeed writes it (<c>BINANCE</c>).</param>
    /// <param name="rotateBytes">Uncompressed bytes per part before the next part starts.</param>
    /// <param name="bufferBytes">Each of the two in-memory buffers per file kind.</param>
    public CaptureRecorder(string directory, string venueName, long rotateBytes = 256L << 20, int bufferBytes = 32 << 20)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(venueName);
        _directory = directory;
        _venueName = venueName;
        _rotateBytes = Math.Max(1 << 16, rotateBytes);
        Directory.CreateDirectory(directory);
        _wsActive = new byte[bufferBytes];
        _wsSpare = new byte[bufferBytes];
        _httpActive = new byte[bufferBytes];
        _httpSpare = new byte[bufferBytes];
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = $"record {venueName}" };
        _writer.Start();
    }

    /// <summary>Records dropped because the writer fell a whole buffer behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames whose line breaks had to become spaces.</summary>
    public long Altered => Interlocked.Read(ref _altered);

    /// <summary>Records appended.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>The files written so far (stream and REST parts).</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (_files)
            {
                return [.. _files];
            }
        }
    }

    /// <summary>The first write error (disk full…), if any; recording stops at it.</summary>
    public Exception? WriteError => Volatile.Read(ref _writeError);

    public void Opened(Uri url, long unixNs)
    {
        ArgumentNullException.ThrowIfNull(url);
        byte[] line = Encoding.UTF8.GetBytes($"{url.OriginalString} <-> {Seconds(unixNs)}\n");
        lock (_gate)
        {
            _openedLine = line;
            AppendWs(line, default, default, 0);
        }
    }

    public void Sent(Uri url, ReadOnlySpan<byte> message, long unixNs)
    {
        ArgumentNullException.ThrowIfNull(url);
        byte[] prefix = Encoding.UTF8.GetBytes($"{url.OriginalString} <- {Seconds(unixNs)}: ");
        lock (_gate)
        {
            AppendWs(prefix, message, "\n"u8, 0);
        }
    }

    public void Received(ReadOnlySpan<byte> frame, long unixNs)
    {
        Span<byte> prefix = stackalloc byte[40];
        int n = FormatSeconds(unixNs, prefix);
        prefix[n++] = (byte)':';
        prefix[n++] = (byte)' ';
        lock (_gate)
        {
            AppendWs(prefix[..n], frame, "\n"u8, 0);
        }
    }

    public void Rest(string url, ReadOnlySpan<byte> body, long unixNs)
    {
        byte[] prefix = Encoding.UTF8.GetBytes($"{url} -> {Seconds(unixNs)}: ");
        lock (_gate)
        {
            if (_httpLength + prefix.Length + body.Length + 1 > _httpActive.Length)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            prefix.CopyTo(_httpActive.AsSpan(_httpLength));
            _httpLength += prefix.Length;
            CopyLine(body, _httpActive.AsSpan(_httpLength));
            _httpLength += body.Length;
            _httpActive[_httpLength++] = (byte)'\n';
            Interlocked.Increment(ref _records);
        }

        _wake.Set();
    }

    private void AppendWs(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> suffix, int unused)
    {
        _ = unused;
        int needed = prefix.Length + payload.Length + suffix.Length;
        if (_wsLength + needed > _wsActive.Length)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        Span<byte> into = _wsActive.AsSpan(_wsLength);
        prefix.CopyTo(into);
        CopyLine(payload, into[prefix.Length..]);
        suffix.CopyTo(into[(prefix.Length + payload.Length)..]);
        _wsLength += needed;
        Interlocked.Increment(ref _records);
        if (_wsLength > _wsActive.Length / 4)
        {
            _wake.Set();
        }
    }

    private void CopyLine(ReadOnlySpan<byte> payload, Span<byte> into)
    {
        payload.CopyTo(into);
        if (payload.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            Interlocked.Increment(ref _altered);
            Span<byte> written = into[..payload.Length];
            written.Replace((byte)'\n', (byte)' ');
            written.Replace((byte)'\r', (byte)' ');
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            _wake.WaitOne(TimeSpan.FromMilliseconds(200));
            bool stopping = _stopping;
            byte[] ws;
            byte[] http;
            int wsLength;
            int httpLength;
            lock (_gate)
            {
                (ws, _wsActive, _wsSpare) = (_wsActive, _wsSpare, _wsActive);
                (http, _httpActive, _httpSpare) = (_httpActive, _httpSpare, _httpActive);
                wsLength = _wsLength;
                httpLength = _httpLength;
                _wsLength = 0;
                _httpLength = 0;
            }

            if (_writeError is null)
            {
                try
                {
                    Write(ws, wsLength, http, httpLength);
                }
                catch (IOException ex)
                {
                    Volatile.Write(ref _writeError, ex);
                }
                catch (UnauthorizedAccessException ex)
                {
                    Volatile.Write(ref _writeError, ex);
                }
            }

            if (stopping)
            {
                _wsFile?.Dispose();
                _httpFile?.Dispose();
                return;
            }
        }
    }

    private void Write(byte[] ws, int wsLength, byte[] http, int httpLength)
    {
        if (wsLength == 0 && httpLength == 0)
        {
            return;
        }

        if (_wsFile is null || _partBytes >= _rotateBytes)
        {
            _wsFile?.Dispose();
            _httpFile?.Dispose();
            _wsFile = Open($"{_venueName}.ws.{_part}.gz");
            _httpFile = null; // opened with this part's first REST record: no empty part that names no venue
            _part++;
            _partBytes = 0;
            byte[]? opened = Volatile.Read(ref _openedLine);
            if (opened is not null && !ws.AsSpan(0, wsLength).StartsWith(opened))
            {
                _wsFile.Write(opened); // every part names its connection (and so its venue)
            }
        }

        _wsFile.Write(ws, 0, wsLength);
        _wsFile.Flush();
        if (httpLength > 0)
        {
            _httpFile ??= Open($"{_venueName}.http.{_part - 1}.gz");
            _httpFile.Write(http, 0, httpLength);
            _httpFile.Flush();
        }

        _partBytes += wsLength + httpLength;
    }

    private GZipStream Open(string name)
    {
        string path = Path.Combine(_directory, name);
        lock (_files)
        {
            _files.Add(path);
        }

        return new GZipStream(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), CompressionLevel.Fastest);
    }

    private static string Seconds(long unixNs)
    {
        Span<byte> buffer = stackalloc byte[40];
        int n = FormatSeconds(unixNs, buffer);
        return Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>Unix ns as "seconds.nnnnnnnnn", which the tape reads back exactly.</summary>
    private static int FormatSeconds(long unixNs, Span<byte> into)
    {
        long seconds = unixNs / 1_000_000_000;
        long nanos = unixNs % 1_000_000_000;
        Utf8Formatter.TryFormat(seconds, into, out int n);
        into[n++] = (byte)'.';
        Utf8Formatter.TryFormat(nanos, into[n..], out int f, new System.Buffers.StandardFormat('D', 9));
        return n + f;
    }

    /// <summary>Flushes everything appended and closes the files.</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _writer.Join();
        _wake.Dispose();
    }
}
