using LowLatency.HotPath.Features;
using LowLatency.Ml.Data;
using LowLatency.Ml.Inference;

namespace LowLatency.Ml.Evaluation;

/// <summary>Scores and realised outcomes of the model and the baseline on the same rows (for metrics and plots).</summary>
public sealed record EvaluatedRows(double[] Model, double[] BaselineScore, double[] BaselineProbability, int[] Labels, double[] Realised, long[] Times);

/// <summary>
/// Judges the scorer against the rule-based baseline on the same held-out rows. The model is run the way it runs live:
/// <see cref="ScorerSimd"/>, one step per row, state carried through each stream from its start (rows outside the
/// selection still advance the state, they are just not judged). The baseline acts when the net edge at t is at or above
/// its threshold; its score is that net edge, its probability the training rows' label rate on its side of the threshold.
/// Cold path.
/// </summary>
public static class Evaluator
{
    /// <summary>The model's probability for every row of <paramref name="data"/>.</summary>
    public static double[] ScoreAll(ScorerModel model, FeatureDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var scorer = new ScorerSimd(model);
        var state = new ScorerState(model);
        var scores = new double[data.Count];
        FeatureFrame frame = default;
        foreach (StreamInfo s in data.Streams)
        {
            state.Reset();
            for (int i = s.Start; i < s.Start + s.Count; i++)
            {
                data.Row(i).CopyTo(frame);
                scores[i] = scorer.Step(state, in frame);
            }
        }

        return scores;
    }

    public static EvaluatedRows Collect(double[] modelScores, FeatureDataset data, ReadOnlySpan<bool> use, DatasetOptions options, double rateWhenFires, double rateOtherwise)
    {
        ArgumentNullException.ThrowIfNull(modelScores);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var model = new List<double>();
        var baseScore = new List<double>();
        var baseProbability = new List<double>();
        var labels = new List<int>();
        var realised = new List<double>();
        var times = new List<long>();
        for (int i = 0; i < data.Count; i++)
        {
            if (!use[i] || !data.IsLabelled(i))
            {
                continue;
            }

            double net = data.NetEdgeBps(i);
            model.Add(modelScores[i]);
            baseScore.Add(net);
            baseProbability.Add(net >= options.BaselineThresholdBps ? rateWhenFires : rateOtherwise);
            labels.Add(data.Label(i));
            realised.Add(data.RealisedBps(i));
            times.Add(data.TimeNs(i));
        }

        return new EvaluatedRows([.. model], [.. baseScore], [.. baseProbability], [.. labels], [.. realised], [.. times]);
    }

    public static MetricsPair Judge(EvaluatedRows rows, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        bool[] modelActs = [.. rows.Model.Select(p => p >= 0.5)];
        bool[] baselineActs = [.. rows.BaselineScore.Select(net => net >= options.BaselineThresholdBps)];
        return new MetricsPair(
            Metrics.Compute(rows.Model, rows.Model, modelActs, rows.Labels, rows.Realised, options.NotionalQuote),
            Metrics.Compute(rows.BaselineScore, rows.BaselineProbability, baselineActs, rows.Labels, rows.Realised, options.NotionalQuote));
    }

    /// <summary>Label rates of the training rows where the baseline fires and where it does not (Laplace-smoothed).</summary>
    public static (double WhenFires, double Otherwise) BaselineRates(FeatureDataset data, ReadOnlySpan<SplitPart> parts, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        double firesPositive = 1, fires = 2, otherPositive = 1, other = 2;
        for (int i = 0; i < data.Count; i++)
        {
            if (parts[i] != SplitPart.Train)
            {
                continue;
            }

            if (data.NetEdgeBps(i) >= options.BaselineThresholdBps)
            {
                fires++;
                firesPositive += data.Label(i);
            }
            else
            {
                other++;
                otherPositive += data.Label(i);
            }
        }

        return (firesPositive / fires, otherPositive / other);
    }

    /// <summary>True when the model has the lower Brier score and the higher P&amp;L after costs.</summary>
    public static bool Beats(MetricsPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return pair.Model.Brier < pair.Baseline.Brier && pair.Model.Pnl > pair.Baseline.Pnl;
    }
}
