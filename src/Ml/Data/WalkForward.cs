namespace LowLatency.Ml.Data;

/// <summary>Which part of a walk-forward split a row belongs to.</summary>
public enum SplitPart : byte
{
    /// <summary>Not used: unlabelled, or inside a purge gap.</summary>
    None = 0,
    Train = 1,
    Validation = 2,
    Test = 3,
}

/// <summary>
/// Chronological splits: per stream, the first <see cref="TrainFraction"/> of its time span trains, the next
/// <see cref="ValidationFraction"/> validates (early stopping), the rest is held out. A row is only used where its label
/// was also observed before the next part begins (the purge gap: at least the label horizon), so no training label
/// looks into validation or test time. Rows keep their stream order, so the scorer's state runs through them as it
/// would live.
/// </summary>
public sealed record WalkForward(double TrainFraction = 0.7, double ValidationFraction = 0.15)
{
    /// <summary>Boundaries (Unix ns) of one stream: train ends at <c>ValidationStart</c>, validation at <c>TestStart</c>.</summary>
    public readonly record struct Boundaries(long ValidationStart, long TestStart);

    public Boundaries BoundariesOf(FeatureDataset data, int stream)
    {
        ArgumentNullException.ThrowIfNull(data);
        StreamInfo s = data.Streams[stream];
        if (s.Count == 0)
        {
            return new Boundaries(long.MaxValue, long.MaxValue);
        }

        long first = data.TimeNs(s.Start);
        long last = data.TimeNs(s.Start + s.Count - 1);
        double span = last - first;
        return new Boundaries(first + (long)(span * TrainFraction), first + (long)(span * (TrainFraction + ValidationFraction)));
    }

    /// <summary>The part of every row.</summary>
    public SplitPart[] Assign(FeatureDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var parts = new SplitPart[data.Count];
        for (int s = 0; s < data.Streams.Count; s++)
        {
            Boundaries b = BoundariesOf(data, s);
            StreamInfo info = data.Streams[s];
            for (int i = info.Start; i < info.Start + info.Count; i++)
            {
                if (!data.IsLabelled(i))
                {
                    continue;
                }

                long t = data.TimeNs(i);
                long labelTime = data.LabelTimeNs(i);
                parts[i] = t < b.ValidationStart ? (labelTime < b.ValidationStart ? SplitPart.Train : SplitPart.None)
                    : t < b.TestStart ? (labelTime < b.TestStart ? SplitPart.Validation : SplitPart.None)
                    : SplitPart.Test;
            }
        }

        return parts;
    }
}
