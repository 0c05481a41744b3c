using System.Globalization;
using System.IO.Compression;

namespace LowLatency.Ml.Data;

/// <summary>
/// One venue's candles for one symbol, read from the formats of <c>shared/data/market_history</c>: Binance.US klines
/// (<c>open_time,open,high,low,close,volume</c>, optionally gzipped), Kraken OHLCVT downloads (no header, Unix seconds),
/// CryptoDataDownload hourly files (<c>Date,Symbol,…</c> with <c>yyyy-MM-dd hh-tt</c>) and Gemini's CDD variant (whose Unix
/// column is damaged: its <c>Date</c> column is used). Cold path: loading allocates.
/// </summary>
public sealed class CandleSeries
{
    private CandleSeries(string folder, string source, string venue, string symbol, long[] openTimeNs, double[] close, long intervalNs)
    {
        Folder = folder;
        Source = source;
        Venue = venue;
        Symbol = symbol;
        OpenTimeNs = openTimeNs;
        Close = close;
        IntervalNs = intervalNs;
    }

    /// <summary>Folder of the file: files of one folder form one data set (one period); series of different folders are never paired.</summary>
    public string Folder { get; }

    /// <summary>File name the series came from.</summary>
    public string Source { get; }

    /// <summary>Venue, from the file name's first word (binanceus, kraken, binance, gemini…).</summary>
    public string Venue { get; }

    /// <summary>Canonical symbol: upper case, XBT spelled BTC (XBTUSDT → BTCUSDT).</summary>
    public string Symbol { get; }

    public long[] OpenTimeNs { get; }

    public double[] Close { get; }

    /// <summary>The candle length (the most common step between candles).</summary>
    public long IntervalNs { get; }

    public int Count => OpenTimeNs.Length;

    /// <summary>Loads a file; throws <see cref="InvalidDataException"/> naming the file and line on any bad row.</summary>
    public static CandleSeries Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        string[] lines = ReadLines(path);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{name}: empty file");
        }

        string header = lines[0];
        string venue = name.Split('_', '.')[0].ToLowerInvariant();
        var times = new List<long>(lines.Length);
        var closes = new List<double>(lines.Length);
        string? symbol = null;
        int first;
        Func<string[], int, (long Time, double Close, string? Symbol)> parse;
        if (header.StartsWith("open_time,", StringComparison.Ordinal))
        {
            first = 1;
            parse = (f, line) => (IsoToNs(f[0], name, line), Number(f[4], name, line), null);
            symbol = SymbolFromName(name);
        }
        else if (header.StartsWith("Date,Symbol,", StringComparison.Ordinal))
        {
            first = 1;
            parse = (f, line) => (CddDateToNs(f[0], name, line), Number(f[5], name, line), f[1]);
        }
        else if (header.StartsWith("Unix Timestamp,Date,Symbol,", StringComparison.Ordinal))
        {
            first = 1;
            parse = (f, line) => (GeminiDateToNs(f[1], name, line), Number(f[6], name, line), f[2]);
        }
        else if (header.Length > 0 && char.IsAsciiDigit(header[0]))
        {
            first = 0;
            parse = (f, line) => (checked(long.Parse(f[0], NumberStyles.None, CultureInfo.InvariantCulture) * 1_000_000_000), Number(f[4], name, line), null);
            symbol = SymbolFromName(name);
        }
        else
        {
            throw new InvalidDataException($"{name}: unknown candle format (header '{Excerpt(header)}')");
        }

        for (int i = first; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] fields = lines[i].Split(',');
            if (fields.Length < 6)
            {
                throw new InvalidDataException($"{name}:{i + 1}: {fields.Length} fields, expected at least 6");
            }

            (long time, double close, string? rowSymbol) = ParseRow(parse, fields, name, i + 1);
            symbol ??= rowSymbol;
            if (!(close > 0 && double.IsFinite(close)))
            {
                throw new InvalidDataException($"{name}:{i + 1}: close '{Excerpt(fields[4])}' is not a positive price");
            }

            times.Add(time);
            closes.Add(close);
        }

        if (times.Count < 2)
        {
            throw new InvalidDataException($"{name}: fewer than two candles");
        }

        // Some files run newest first; candles go oldest first, one per open time.
        long[] t = [.. times];
        double[] c = [.. closes];
        Array.Sort(t, c);
        var distinctT = new List<long>(t.Length);
        var distinctC = new List<double>(t.Length);
        for (int i = 0; i < t.Length; i++)
        {
            if (i > 0 && t[i] == t[i - 1])
            {
                throw new InvalidDataException($"{name}: two candles open at {DateTimeOffset.FromUnixTimeMilliseconds(t[i] / 1_000_000):u}");
            }

            distinctT.Add(t[i]);
            distinctC.Add(c[i]);
        }

        return new CandleSeries(Path.GetDirectoryName(Path.GetFullPath(path)) ?? string.Empty, name, venue, Canonical(symbol ?? SymbolFromName(name)), [.. distinctT], [.. distinctC], ModeStep(t));
    }

    /// <summary>Closes resampled to <paramref name="intervalNs"/> buckets (the last close in each bucket), keyed by bucket open time.</summary>
    public SortedDictionary<long, double> Resample(long intervalNs)
    {
        var buckets = new SortedDictionary<long, double>();
        for (int i = 0; i < Count; i++)
        {
            // A candle belongs to the bucket holding its close time minus one tick: [open, open + interval).
            long closeTime = OpenTimeNs[i] + IntervalNs - 1;
            long bucket = closeTime - (((closeTime % intervalNs) + intervalNs) % intervalNs);
            buckets[bucket] = Close[i];
        }

        return buckets;
    }

    internal static string Canonical(string symbol)
    {
        string s = symbol.Replace("/", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return s.StartsWith("XBT", StringComparison.Ordinal) ? "BTC" + s[3..] : s;
    }

    private static (long, double, string?) ParseRow(Func<string[], int, (long, double, string?)> parse, string[] fields, string name, int line)
    {
        try
        {
            return parse(fields, line);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{name}:{line}: not a candle row ('{Excerpt(string.Join(',', fields))}')");
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{name}:{line}: a number is out of range");
        }
    }

    private static string SymbolFromName(string name)
    {
        string[] parts = name.Split('_');
        return parts.Length > 1 ? parts[1] : name;
    }

    private static long ModeStep(long[] sorted)
    {
        var counts = new Dictionary<long, int>();
        for (int i = 1; i < sorted.Length; i++)
        {
            long d = sorted[i] - sorted[i - 1];
            counts[d] = counts.GetValueOrDefault(d) + 1;
        }

        long best = 0;
        int bestCount = -1;
        foreach ((long step, int count) in counts)
        {
            if (count > bestCount || (count == bestCount && step < best))
            {
                best = step;
                bestCount = count;
            }
        }

        return best;
    }

    private static string[] ReadLines(string path)
    {
        using FileStream file = File.OpenRead(path);
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        try
        {
            return reader.ReadToEnd().Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: damaged gzip stream ({e.Message})");
        }
    }

    private static double Number(string text, string name, int line)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new InvalidDataException($"{name}:{line}: '{Excerpt(text)}' is not a number");
        }

        return value;
    }

    private static long IsoToNs(string text, string name, int line) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t)
            ? t.ToUnixTimeMilliseconds() * 1_000_000
            : throw new InvalidDataException($"{name}:{line}: '{Excerpt(text)}' is not a time");

    private static long CddDateToNs(string text, string name, int line) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd hh-tt", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t)
            ? (t.Ticks - DateTime.UnixEpoch.Ticks) * 100
            : throw new InvalidDataException($"{name}:{line}: '{Excerpt(text)}' is not a 'yyyy-MM-dd hh-AM' time");

    private static long GeminiDateToNs(string text, string name, int line) =>
        DateTime.TryParseExact(text, "M/d/yyyy H:mm", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t)
            ? (t.Ticks - DateTime.UnixEpoch.Ticks) * 100
            : throw new InvalidDataException($"{name}:{line}: '{Excerpt(text)}' is not an 'M/D/YYYY H:MM' time");

    internal static string Excerpt(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
