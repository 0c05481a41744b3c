using LowLatency.Ml.Data;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Training;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests;

public sealed class SlippageTests
{
    private static (double[] X, float[] Y, int Rows) Synthetic(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new double[rows * 4];
        var y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int f = 0; f < 4; f++)
            {
                x[(i * 4) + f] = random.NextDouble() < 0.05 ? double.NaN : random.NextDouble() < 0.1 ? 0 : (random.NextDouble() * 10) - 5;
            }

            y[i] = (float)((double.IsNaN(x[i * 4]) ? 1 : x[i * 4] * x[i * 4]) + Math.Sin(x[(i * 4) + 1]) + (random.NextDouble() * 0.1));
        }

        return (x, y, rows);
    }

    [Fact]
    public void A_trades_only_capture_among_the_default_sessions_is_skipped_and_said_and_training_goes_on()
    {
        // KRAKEN.ws.48.0 and .49.0 subscribe to trades only: no book to walk. They once failed the whole training.
        string dir = Path.Combine(Path.GetTempPath(), "ll-slip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var lines = new List<string>();
            SlippageManifest m = SlippageRun.Run(SlippageRun.DefaultCaptureSets(SharedData.Root), Path.Combine(dir, "s.lgbm.txt"), 100, 7, 5, lines.Add);
            Assert.Contains(lines, l => l.StartsWith("slippage data: skipped ", StringComparison.Ordinal) && l.Contains("KRAKEN.ws.48.0", StringComparison.Ordinal) && l.Contains("no order-book frames", StringComparison.Ordinal));
            Assert.True(m.TestRows > 0, "the sessions with books trained");

            string tradesOnly = Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "KRAKEN.ws.48.0");
            InvalidDataException none = Assert.Throws<InvalidDataException>(() => SlippageRun.Run([[tradesOnly]], Path.Combine(dir, "t.lgbm.txt"), 100, 7, 5, _ => { }));
            Assert.StartsWith("no capture session could be replayed: ", none.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_tree_walker_is_bit_identical_to_LightGBMs_own_prediction_with_missing_values()
    {
        (double[] x, float[] y, int rows) = Synthetic(2_000, 1);
        using LightGbm gbm = LightGbm.Create(x, rows, 4, y, "objective=regression num_threads=1 seed=3 deterministic=true verbosity=-1 num_leaves=31");
        for (int r = 0; r < 60; r++)
        {
            gbm.UpdateOneIteration();
        }

        string model = gbm.SaveModelToString();
        TreeEnsemble trees = TreeEnsemble.Parse(model);
        Assert.Equal(60, trees.Trees);
        (double[] test, _, int testRows) = Synthetic(1_000, 2);
        double[] expected = gbm.Predict(test, testRows, 4);
        using LightGbm reloaded = LightGbm.FromString(model);
        double[] expectedReloaded = reloaded.Predict(test, testRows, 4);
        for (int i = 0; i < testRows; i++)
        {
            double ours = trees.Predict(test.AsSpan(i * 4, 4));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(ours));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedReloaded[i]), BitConverter.DoubleToInt64Bits(ours));
        }

        Assert.True(expected.Distinct().Count() > 100);
    }

    [Fact]
    public void The_tree_walker_allocates_nothing()
    {
        (double[] x, float[] y, int rows) = Synthetic(500, 4);
        using LightGbm gbm = LightGbm.Create(x, rows, 4, y, "objective=regression num_threads=1 seed=3 verbosity=-1");
        for (int r = 0; r < 20; r++)
        {
            gbm.UpdateOneIteration();
        }

        TreeEnsemble trees = TreeEnsemble.Parse(gbm.SaveModelToString());
        double sum = trees.Predict(x.AsSpan(0, 4));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < rows; i++)
        {
            sum += trees.Predict(x.AsSpan(i * 4, 4));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sum));
    }

    [Fact]
    public void A_model_text_the_walker_cannot_walk_exactly_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => TreeEnsemble.Parse("not a model"));
        Assert.Throws<InvalidDataException>(() => TreeEnsemble.Parse("tree\nmax_feature_idx=3\n\nTree=0\nnum_leaves=2\nnum_cat=1\nleaf_value=1 2\nend of trees\n"));
    }

    [Fact]
    public void Capture_books_make_rows_whose_target_is_the_depth_walk_at_t_plus_delta()
    {
        string c(string n) => SharedData.File("cex_ws", "cryptofeed", n);
        SlippageDataset data = SlippageDataset.FromCaptures([c("BINANCE.ws.1.0"), c("BINANCE.http.0.0")], horizonMs: 500);
        Assert.True(data.Count > 200, $"{data.Count} rows");
        int moved = 0;
        for (int i = 0; i < data.Count; i++)
        {
            Assert.True(double.IsFinite(data.Target(i)) && data.Target(i) >= 0);
            Assert.Equal(SlippageDataset.FeatureCount, data.Row(i).Length);
            moved += data.Target(i) != data.Baseline(i) ? 1 : 0;
        }

        Assert.True(moved > 0, "the book moves between t and t + Δ");
        SplitPart[] parts = SlippageRun.Split(data, 500_000_000);
        Assert.Contains(SplitPart.Train, parts);
        Assert.Contains(SplitPart.Test, parts);
    }
}
