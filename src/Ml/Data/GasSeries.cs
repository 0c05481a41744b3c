using System.Globalization;

namespace LowLatency.Ml.Data;

/// <summary>
/// A gas price series (<c>block_timestamp,gas_price</c> in gwei per minute, as <c>shared/data/onchain/gas</c>): the source
/// of the gas features. <see cref="At"/> gives the latest price known at a time (never a later one). Cold path to load;
/// <see cref="At"/> is allocation-free.
/// </summary>
public sealed class GasSeries
{
    private readonly long[] _timeNs;
    private readonly double[] _gwei;

    private GasSeries(long[] timeNs, double[] gwei)
    {
        _timeNs = timeNs;
        _gwei = gwei;
    }

    public int Count => _timeNs.Length;

    public long FirstNs => _timeNs[0];

    public long LastNs => _timeNs[^1];

    public static GasSeries Load(string path)
    {
        string name = Path.GetFileName(path);
        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !lines[0].StartsWith("block_timestamp,gas_price", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: not a gas price series (header block_timestamp,gas_price)");
        }

        var times = new List<long>();
        var prices = new List<double>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] f = lines[i].Split(',');
            if (f.Length < 2
                || !DateTime.TryParseExact(f[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t)
                || !double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double gwei) || !(gwei > 0 && double.IsFinite(gwei)))
            {
                throw new InvalidDataException($"{name}:{i + 1}: not a 'yyyy-MM-dd HH:mm:ss,gwei' row");
            }

            long ns = (t.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            if (times.Count > 0 && ns <= times[^1])
            {
                throw new InvalidDataException($"{name}:{i + 1}: time does not increase");
            }

            times.Add(ns);
            prices.Add(gwei);
        }

        return new GasSeries([.. times], [.. prices]);
    }

    /// <summary>The latest price at or before <paramref name="timeNs"/>, or NaN before the series starts (no look-ahead).</summary>
    public double At(long timeNs)
    {
        int i = Array.BinarySearch(_timeNs, timeNs);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i >= 0 ? _gwei[i] : double.NaN;
    }
}
