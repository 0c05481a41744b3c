using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Data;

/// <summary>
/// Rows of features with their labels, grouped in streams (one per candidate of one source, time-ordered): what the
/// scorer trains and is evaluated on. A row is labelled only when its candidate was observed again at or after t + Δ;
/// rows without a future (the end of a stream) are kept for the streams' continuity but marked unlabelled.
/// </summary>
public sealed class FeatureDataset
{
    private readonly List<float> _features = [];
    private readonly List<long> _times = [];
    private readonly List<long> _labelTimes = [];
    private readonly List<sbyte> _labels = [];
    private readonly List<double> _net = [];
    private readonly List<double> _realised = [];
    private readonly List<int> _stream = [];
    private readonly List<StreamInfo> _streams = [];

    public int Count => _times.Count;

    public IReadOnlyList<StreamInfo> Streams => _streams;

    /// <summary>Row features, row-major [row * 32 + feature].</summary>
    public ReadOnlySpan<float> Row(int row) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_features).Slice(row * FeatureIndex.Count, FeatureIndex.Count);

    public long TimeNs(int row) => _times[row];

    /// <summary>When the label was observed (t + Δ or later); long.MaxValue when unlabelled.</summary>
    public long LabelTimeNs(int row) => _labelTimes[row];

    /// <summary>1, 0, or -1 for a row with no observation at t + Δ.</summary>
    public int Label(int row) => _labels[row];

    public bool IsLabelled(int row) => _labels[row] >= 0;

    /// <summary>Net edge at t (bps): the baseline's score.</summary>
    public double NetEdgeBps(int row) => _net[row];

    /// <summary>Net edge at t + Δ minus the extra costs (bps): what acting on the row earns (NaN when unlabelled).</summary>
    public double RealisedBps(int row) => _realised[row];

    public int StreamOf(int row) => _stream[row];

    /// <summary>Starts a new stream; rows added next belong to it.</summary>
    public int BeginStream(string source, string candidate)
    {
        _streams.Add(new StreamInfo(source, candidate, Count, 0));
        return _streams.Count - 1;
    }

    /// <summary>Adds a row to the current stream.</summary>
    public void Add(in FeatureFrame frame, long timeNs, double netBps)
    {
        int s = _streams.Count - 1;
        if (s < 0)
        {
            throw new InvalidOperationException("BeginStream first");
        }

        _features.AddRange((ReadOnlySpan<float>)frame);
        _times.Add(timeNs);
        _labelTimes.Add(long.MaxValue);
        _labels.Add(-1);
        _net.Add(netBps);
        _realised.Add(double.NaN);
        _stream.Add(s);
        _streams[s] = _streams[s] with { Count = _streams[s].Count + 1 };
    }

    /// <summary>Labels every row of the current stream from its own future (t + Δ), as <see cref="DatasetOptions"/> says.</summary>
    public void LabelStream(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        StreamInfo s = _streams[^1];
        long horizonNs = (long)(options.HorizonMs * 1e6);
        int j = s.Start;
        int end = s.Start + s.Count;
        for (int i = s.Start; i < end; i++)
        {
            long due = _times[i] + horizonNs;
            if (j <= i)
            {
                j = i + 1;
            }

            while (j < end && _times[j] < due)
            {
                j++;
            }

            if (j >= end)
            {
                continue; // no future observation: unlabelled
            }

            double realised = _net[j] - options.ExtraCostBps;
            _realised[i] = realised;
            _labels[i] = (sbyte)(realised >= options.MinProfitBps ? 1 : 0);
            _labelTimes[i] = _times[j];
        }
    }

    /// <summary>First and last row time over all streams.</summary>
    public (long First, long Last) TimeRange()
    {
        long first = long.MaxValue;
        long last = long.MinValue;
        for (int i = 0; i < Count; i++)
        {
            first = Math.Min(first, _times[i]);
            last = Math.Max(last, _times[i]);
        }

        return (first, last);
    }
}

/// <summary>One stream of rows: a candidate of one source.</summary>
public readonly record struct StreamInfo(string Source, string Candidate, int Start, int Count);
