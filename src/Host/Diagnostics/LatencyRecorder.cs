using System.Diagnostics;
using HdrHistogram;

namespace LowLatency.Host.Diagnostics;

/// <summary>
/// Tick-to-opportunity latency in nanoseconds (HdrHistogram, 3 significant digits). One interval histogram for the
/// per-second summary and one cumulative for the end of the run. Recorded on the host's drain thread.
/// </summary>
public sealed class LatencyRecorder
{
    private const long HighestTrackableNs = 60_000_000_000L;
    private readonly LongHistogram _interval = new(HighestTrackableNs, 3);
    private readonly LongHistogram _total = new(HighestTrackableNs, 3);

    public long IntervalCount => _interval.TotalCount;

    public long TotalCount => _total.TotalCount;

    /// <summary>Records the span between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void Record(long fromTimestamp, long toTimestamp)
    {
        if (fromTimestamp == 0 || toTimestamp < fromTimestamp)
        {
            return;
        }

        long ns = (long)((toTimestamp - fromTimestamp) * (1e9 / Stopwatch.Frequency));
        ns = Math.Clamp(ns, 1, HighestTrackableNs);
        _interval.RecordValue(ns);
        _total.RecordValue(ns);
    }

    /// <summary>p50/p99 of the interval since the last call, then starts a new interval.</summary>
    public (double P50Ns, double P99Ns) TakeInterval()
    {
        if (_interval.TotalCount == 0)
        {
            return (double.NaN, double.NaN);
        }

        (double, double) result = (_interval.GetValueAtPercentile(50), _interval.GetValueAtPercentile(99));
        _interval.Reset();
        return result;
    }

    public (double P50Ns, double P99Ns, double P999Ns, double MaxNs) Total() =>
        _total.TotalCount == 0
            ? (double.NaN, double.NaN, double.NaN, double.NaN)
            : (_total.GetValueAtPercentile(50), _total.GetValueAtPercentile(99), _total.GetValueAtPercentile(99.9), _total.GetMaxValue());
}
