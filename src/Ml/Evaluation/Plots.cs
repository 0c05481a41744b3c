using ScottPlot;

namespace LowLatency.Ml.Evaluation;

/// <summary>PNG charts of an evaluation, each model against its baseline: calibration, precision against coverage, cumulative P&amp;L after costs. Cold path.</summary>
public static class Plots
{
    public static IReadOnlyList<string> Write(EvaluatedRows rows, string folder, double notional, double baselineThresholdBps)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Directory.CreateDirectory(folder);
        var written = new List<string>();

        var calibration = new Plot();
        Calibration(calibration, rows.Model, rows.Labels, "model");
        Calibration(calibration, rows.BaselineProbability, rows.Labels, "baseline");
        var diagonal = calibration.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "perfect";
        calibration.Title("Calibration (held-out rows)");
        calibration.XLabel("predicted probability");
        calibration.YLabel("observed frequency");
        calibration.ShowLegend();
        written.Add(Save(calibration, folder, "calibration.png"));

        var precision = new Plot();
        Coverage(precision, rows.Model, rows.Labels, "model");
        Coverage(precision, rows.BaselineScore, rows.Labels, "baseline");
        precision.Title("Precision against coverage");
        precision.XLabel("fraction of rows acted on (highest scores first)");
        precision.YLabel("precision");
        precision.ShowLegend();
        written.Add(Save(precision, folder, "precision_coverage.png"));

        var pnl = new Plot();
        Cumulative(pnl, rows, [.. rows.Model.Select(p => p >= 0.5)], notional, "model");
        Cumulative(pnl, rows, [.. rows.BaselineScore.Select(s => s >= baselineThresholdBps)], notional, "baseline");
        pnl.Title("Cumulative P&L after costs");
        pnl.XLabel("held-out row (time order)");
        pnl.YLabel("P&L (quote currency)");
        pnl.ShowLegend();
        written.Add(Save(pnl, folder, "cumulative_pnl.png"));
        return written;
    }

    private static string Save(Plot plot, string folder, string name)
    {
        string path = Path.Combine(folder, name);
        plot.SavePng(path, 900, 600);
        return path;
    }

    private static void Calibration(Plot plot, double[] probability, int[] labels, string name)
    {
        const int bins = 10;
        var sum = new double[bins];
        var hits = new double[bins];
        var count = new int[bins];
        for (int i = 0; i < probability.Length; i++)
        {
            int b = Math.Clamp((int)(probability[i] * bins), 0, bins - 1);
            sum[b] += probability[i];
            hits[b] += labels[i];
            count[b]++;
        }

        var xs = new List<double>();
        var ys = new List<double>();
        for (int b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                xs.Add(sum[b] / count[b]);
                ys.Add(hits[b] / count[b]);
            }
        }

        var scatter = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
        scatter.LegendText = name;
    }

    private static void Coverage(Plot plot, double[] score, int[] labels, string name)
    {
        int[] order = [.. Enumerable.Range(0, score.Length).OrderByDescending(i => score[i]).ThenBy(i => i)];
        int step = Math.Max(1, order.Length / 200);
        var xs = new List<double>();
        var ys = new List<double>();
        int positives = 0;
        for (int k = 0; k < order.Length; k++)
        {
            positives += labels[order[k]];
            if ((k + 1) % step == 0 || k == order.Length - 1)
            {
                xs.Add((k + 1.0) / order.Length);
                ys.Add((double)positives / (k + 1));
            }
        }

        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        line.LegendText = name;
    }

    private static void Cumulative(Plot plot, EvaluatedRows rows, bool[] act, double notional, string name)
    {
        int[] order = [.. Enumerable.Range(0, rows.Times.Length).OrderBy(i => rows.Times[i]).ThenBy(i => i)];
        var ys = new double[order.Length];
        double total = 0;
        for (int k = 0; k < order.Length; k++)
        {
            int i = order[k];
            if (act[i])
            {
                total += rows.Realised[i] / 10_000 * notional;
            }

            ys[k] = total;
        }

        var line = plot.Add.Signal(ys);
        line.LegendText = name;
    }
}
