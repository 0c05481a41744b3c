using BenchmarkDotNet.Attributes;
using LowLatency.HotPath.Features;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Torch;
using LowLatency.Ml.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Benchmarks.Ml;

/// <summary>
/// One scorer step per tick for one candidate (the shipped shape: d 32, 4 heads, window 16, GRU 128). Baseline: TorchSharp
/// batch 1 (the last 16 frames and the GRU state through the TorchSharp model, no_grad). Also TorchSharp batched over 64
/// candidates (per candidate: OperationsPerInvoke). Ours: <see cref="ScorerSimd.Step"/>. TorchSharp on one thread, as
/// the shared 2-core box allows. Budgets: budgets/ml.json.
/// </summary>
[MemoryDiagnoser]
public class ScorerBenchmarks
{
    private const int Candidates = 64;
    private readonly ScorerModel _model = new();
    private ScorerSimd _simd = null!;
    private ScorerState _state = null!;
    private TorchScorer _torch = null!;
    private TorchBatchScorer _batch = null!;
    private Tensor _window = null!;
    private Tensor _hidden = null!;
    private readonly FeatureFrame[] _frames = new FeatureFrame[256];
    private readonly float[] _batchFrames = new float[Candidates * FeatureIndex.Count];
    private readonly float[] _batchOut = new float[Candidates];
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
        ScorerInit.Randomize(_model, 7);
        var random = new Random(7);
        for (int i = 0; i < _frames.Length; i++)
        {
            Span<float> f = _frames[i];
            for (int k = 0; k < f.Length; k++)
            {
                f[k] = (float)(random.NextDouble() - 0.5);
            }
        }

        for (int i = 0; i < _batchFrames.Length; i++)
        {
            _batchFrames[i] = (float)(random.NextDouble() - 0.5);
        }

        _simd = new ScorerSimd(_model);
        _state = new ScorerState(_model);
        _torch = new TorchScorer(_model);
        _batch = new TorchBatchScorer(_model, Candidates);
        _window = randn(1, _model.Window, FeatureIndex.Count);
        _hidden = zeros(1, _model.Hidden);
        for (int i = 0; i < 64; i++)
        {
            Ours();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch.Dispose();
        _batch.Dispose();
        _window.Dispose();
        _hidden.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float TorchSharpBatch1()
    {
        using IDisposable noGrad = no_grad();
        using DisposeScope scope = NewDisposeScope();
        (Tensor logits, _) = _torch.Forward(_window, 1_000, _model.Window - 1, _hidden);
        return sigmoid(logits).item<float>();
    }

    [Benchmark(OperationsPerInvoke = Candidates)]
    public float TorchSharpBatchedPerCandidate()
    {
        _batch.Step(_batchFrames, _batchOut);
        return _batchOut[0];
    }

    [Benchmark]
    public float Ours() => _simd.Step(_state, in _frames[_next++ & 255]);
}
