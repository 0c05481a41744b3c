using BenchmarkDotNet.Attributes;
using LowLatency.Ml.Rl;
using LowLatency.Ml.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Benchmarks.Ml;

/// <summary>
/// Five PPO policies decide on one observation each, as the strategy thread would per tick: 64-64 tanh actors over 40
/// inputs (the 32-feature frame and 8 shared signals), 3 discrete actions, greedy. Ours: <see cref="PolicySimd"/>.
/// Baseline: the same five actors in TorchSharp at batch 1 (no_grad, one thread). Budgets: budgets/rl.json.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private const int Agents = 5;
    private const int Inputs = 40;
    private const int Actions = 3;
    private readonly PolicySimd[] _simd = new PolicySimd[Agents];
    private readonly TorchPolicy[] _torch = new TorchPolicy[Agents];
    private readonly float[][] _observations = new float[256][];
    private readonly float[] _logits = new float[Actions];
    private Tensor[] _inputs = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        string? error = TorchNative.EnsureLoadable();
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        torch.set_num_threads(1);
        for (int a = 0; a < Agents; a++)
        {
            var weights = new PolicyWeights(Inputs, Actions, continuous: false);
            OrthogonalInit.Initialize(weights, 100 + a);
            weights.Actor.Weights[2].AsSpan().Fill(0.05f); // past the 0.01 init gain, so the argmax depends on the input
            _simd[a] = new PolicySimd(weights);
            _torch[a] = new TorchPolicy(weights);
        }

        var random = new Random(7);
        for (int i = 0; i < _observations.Length; i++)
        {
            _observations[i] = new float[Inputs];
            for (int k = 0; k < Inputs; k++)
            {
                _observations[i][k] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        _inputs = new Tensor[Agents];
        for (int a = 0; a < Agents; a++)
        {
            _inputs[a] = tensor(_observations[a], [1, Inputs], dtype: float32);
        }

        for (int i = 0; i < 64; i++)
        {
            Ours();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (TorchPolicy p in _torch)
        {
            p.Dispose();
        }

        foreach (Tensor t in _inputs)
        {
            t.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public long TorchSharpBatch1()
    {
        using IDisposable noGrad = no_grad();
        using DisposeScope scope = NewDisposeScope();
        long actions = 0;
        for (int a = 0; a < Agents; a++)
        {
            actions = (actions * 4) + _torch[a].Actor(_inputs[a]).argmax(1).item<long>();
        }

        return actions;
    }

    [Benchmark]
    public long Ours()
    {
        long actions = 0;
        int o = _next++ & 255;
        for (int a = 0; a < Agents; a++)
        {
            actions = (actions * 4) + _simd[a].Greedy(_observations[(o + a) & 255], _logits);
        }

        return actions;
    }
}
