namespace LowLatency.Ml.Rl;

/// <summary>Learning-curve statistics over training episodes.</summary>
public static class Curves
{
    /// <summary>Mean return of the last <paramref name="count"/> episodes (all if fewer; NaN if none).</summary>
    public static double LastMean(IReadOnlyList<EpisodeRecord> episodes, int count)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0)
        {
            return double.NaN;
        }

        int from = Math.Max(0, episodes.Count - count);
        double sum = 0;
        for (int i = from; i < episodes.Count; i++)
        {
            sum += episodes[i].Return;
        }

        return sum / (episodes.Count - from);
    }

    /// <summary>
    /// The rolling mean over the previous <paramref name="window"/> episodes at each episode's end (NaN until that many
    /// have finished), as (step, mean) pairs.
    /// </summary>
    public static (long[] Steps, double[] Means) Rolling(IReadOnlyList<EpisodeRecord> episodes, int window)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        var steps = new long[episodes.Count];
        var means = new double[episodes.Count];
        double sum = 0;
        for (int i = 0; i < episodes.Count; i++)
        {
            sum += episodes[i].Return;
            if (i >= window)
            {
                sum -= episodes[i - window].Return;
            }

            steps[i] = episodes[i].Step;
            means[i] = i >= window - 1 ? sum / window : double.NaN;
        }

        return (steps, means);
    }

    /// <summary>The first step at which the rolling <paramref name="window"/>-episode mean is at least <paramref name="threshold"/>, or null.</summary>
    public static long? FirstReach(IReadOnlyList<EpisodeRecord> episodes, int window, double threshold)
    {
        (long[] steps, double[] means) = Rolling(episodes, window);
        for (int i = 0; i < means.Length; i++)
        {
            if (means[i] >= threshold)
            {
                return steps[i];
            }
        }

        return null;
    }
}
