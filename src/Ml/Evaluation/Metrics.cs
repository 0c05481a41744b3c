namespace LowLatency.Ml.Evaluation;

/// <summary>Out-of-sample quality of one scorer on a set of rows.</summary>
public sealed record ScoreMetrics(double Auc, double Brier, double PrecisionTop10, double Pnl, int Acted, int Rows);

/// <summary>The metrics the evaluation reports, computed the plain way. Cold path.</summary>
public static class Metrics
{
    /// <summary>
    /// <paramref name="score"/> ranks (AUC, precision at the top 10 %), <paramref name="probability"/> is judged by Brier,
    /// <paramref name="act"/> says where the scorer trades; P&amp;L sums realised bps × notional over those rows.
    /// </summary>
    public static ScoreMetrics Compute(ReadOnlySpan<double> score, ReadOnlySpan<double> probability, ReadOnlySpan<bool> act,
        ReadOnlySpan<int> label, ReadOnlySpan<double> realisedBps, double notional)
    {
        int n = label.Length;
        if (n == 0)
        {
            return new ScoreMetrics(double.NaN, double.NaN, double.NaN, 0, 0, 0);
        }

        double brier = 0;
        double pnl = 0;
        int acted = 0;
        for (int i = 0; i < n; i++)
        {
            double e = probability[i] - label[i];
            brier += e * e;
            if (act[i])
            {
                acted++;
                pnl += realisedBps[i] / 10_000 * notional;
            }
        }

        return new ScoreMetrics(Auc(score, label), brier / n, PrecisionAtTop(score, label, 0.10), pnl, acted, n);
    }

    /// <summary>Area under the ROC curve by ranks (ties share their mean rank); NaN when one class is absent.</summary>
    public static double Auc(ReadOnlySpan<double> score, ReadOnlySpan<int> label)
    {
        int n = label.Length;
        int[] order = Enumerable.Range(0, n).ToArray();
        double[] s = score.ToArray();
        Array.Sort(s, order);
        double positives = 0;
        double rankSum = 0;
        int i = 0;
        while (i < n)
        {
            int j = i;
            while (j + 1 < n && s[j + 1] == s[i])
            {
                j++;
            }

            double meanRank = ((i + j) / 2.0) + 1;
            for (int k = i; k <= j; k++)
            {
                if (label[order[k]] == 1)
                {
                    positives++;
                    rankSum += meanRank;
                }
            }

            i = j + 1;
        }

        double negatives = n - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (rankSum - (positives * (positives + 1) / 2)) / (positives * negatives);
    }

    /// <summary>Fraction of positives among the highest-scored ⌈fraction · n⌉ rows (ties broken by row order).</summary>
    public static double PrecisionAtTop(ReadOnlySpan<double> score, ReadOnlySpan<int> label, double fraction)
    {
        int n = label.Length;
        int k = Math.Max(1, (int)Math.Ceiling(fraction * n));
        double[] s = score.ToArray();
        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => s[b] != s[a] ? s[b].CompareTo(s[a]) : a.CompareTo(b));
        int hits = 0;
        for (int i = 0; i < k; i++)
        {
            hits += label[order[i]];
        }

        return (double)hits / k;
    }
}
