using BenchmarkDotNet.Attributes;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Training;

namespace LowLatency.Benchmarks.Ml;

/// <summary>
/// One slippage prediction (200 trees of 15 leaves over 12 features, trained here on seeded data). Baseline: LightGBM's
/// own single-row prediction through its C API. Ours: <see cref="TreeEnsemble.Predict"/>, bit-identical to it (test).
/// Budgets: budgets/ml.json.
/// </summary>
[MemoryDiagnoser]
public class SlippageBenchmarks
{
    private const int Features = 12;
    private LightGbm _gbm = null!;
    private TreeEnsemble _trees = null!;
    private readonly double[] _rows = new double[256 * Features];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        const int train = 4_000;
        var x = new double[train * Features];
        var y = new float[train];
        for (int i = 0; i < train; i++)
        {
            for (int f = 0; f < Features; f++)
            {
                x[(i * Features) + f] = random.NextDouble() * 10;
            }

            y[i] = (float)((x[i * Features] * 0.5) + Math.Sin(x[(i * Features) + 1]) + random.NextDouble());
        }

        _gbm = LightGbm.Create(x, train, Features, y, "objective=regression num_threads=1 seed=7 num_leaves=15 verbosity=-1");
        for (int r = 0; r < 200; r++)
        {
            _gbm.UpdateOneIteration();
        }

        _trees = TreeEnsemble.Parse(_gbm.SaveModelToString());
        Array.Copy(x, _rows, _rows.Length);
    }

    [GlobalCleanup]
    public void Cleanup() => _gbm.Dispose();

    [Benchmark(Baseline = true)]
    public double LightGbmPredict()
    {
        int i = _next++ & 255;
        return _gbm.Predict(_rows[(i * Features)..((i + 1) * Features)], 1, Features)[0];
    }

    [Benchmark]
    public double Ours()
    {
        int i = _next++ & 255;
        return _trees.Predict(_rows.AsSpan(i * Features, Features));
    }
}
