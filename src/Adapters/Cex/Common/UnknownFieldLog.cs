using System.Text;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// Unknown field names a parser skipped, counted per name and reported once per name through <see cref="Report"/>.
/// Venues add fields without notice; a parser that rejected them would make the venue go dark on the day of the
/// change. Names are kept as bytes in a fixed table (<see cref="MaxNames"/>), so a hostile feed sending endless
/// distinct names cannot grow memory: past the table they count in <see cref="Overflow"/>. Lookup and counting of a
/// known name allocate nothing; the first sighting of a name allocates its copy and its log line once.
/// Written by the parser's I/O thread only.
/// </summary>
public sealed class UnknownFieldLog
{
    /// <summary>Distinct names kept.</summary>
    public const int MaxNames = 64;

    /// <summary>Longest name kept as written (longer names are cut for the table and the log line).</summary>
    public const int MaxNameBytes = 64;

    private readonly byte[][] _names = new byte[MaxNames][];
    private readonly long[] _counts = new long[MaxNames];
    private int _count;

    /// <summary>Called once per new name with one line (<c>unknown field "ps" skipped (binance)</c>); null: silent.</summary>
    public Action<string>? Report { get; set; }

    /// <summary>Label written into the log line (the venue's name).</summary>
    public string Source { get; set; } = "";

    /// <summary>All unknown fields skipped.</summary>
    public long Total { get; private set; }

    /// <summary>Skipped fields whose name did not fit in the table.</summary>
    public long Overflow { get; private set; }

    /// <summary>Distinct names recorded.</summary>
    public int Names => _count;

    /// <summary>Counts one skipped field named <paramref name="name"/> (raw bytes as written in the frame).</summary>
    public void Add(ReadOnlySpan<byte> name)
    {
        Total++;
        if (name.Length > MaxNameBytes)
        {
            name = name[..MaxNameBytes];
        }

        for (int i = 0; i < _count; i++)
        {
            if (name.SequenceEqual(_names[i]))
            {
                _counts[i]++;
                return;
            }
        }

        if (_count == MaxNames)
        {
            Overflow++;
            return;
        }

        _names[_count] = name.ToArray();
        _counts[_count] = 1;
        _count++;
        Report?.Invoke($"unknown field \"{Printable(name)}\" skipped{(Source.Length > 0 ? $" ({Source})" : "")}; counted, logged once");
    }

    /// <summary>How often <paramref name="name"/> was skipped (0 when never seen).</summary>
    public long CountOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        for (int i = 0; i < _count; i++)
        {
            if (bytes.AsSpan().SequenceEqual(_names[i]))
            {
                return _counts[i];
            }
        }

        return 0;
    }

    /// <summary>Name (printable form) and count of every recorded name, in first-seen order.</summary>
    public IEnumerable<(string Name, long Count)> Entries()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return (Printable(_names[i]), _counts[i]);
        }
    }

    /// <summary>A name as a log-safe string: printable ASCII kept, anything else (control bytes, non-ASCII) as \xNN.</summary>
    internal static string Printable(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length);
        foreach (byte b in name)
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
