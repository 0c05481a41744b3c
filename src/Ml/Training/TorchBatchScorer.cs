using LowLatency.HotPath.Features;
using LowLatency.Ml.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Training;

/// <summary>
/// Batched TorchSharp inference over many candidates per tick, for GPU boxes: each candidate's last W frames live in a
/// pinned host buffer, copied in one transfer into a preallocated (pinned when CUDA is present) input tensor and moved to
/// the device non-blocking; the GRU state of every candidate stays on the device. Every candidate advances one step per
/// <see cref="Step"/>. The CPU strategy thread uses <see cref="ScorerSimd"/> instead (benchmarks: ScorerBenchmarks).
/// One thread; allocates tensors per call (TorchSharp's own).
/// </summary>
public sealed class TorchBatchScorer : IDisposable
{
    private readonly TorchScorer _scorer;
    private readonly int _candidates;
    private readonly int _window;
    private readonly float[] _frames; // pinned: [candidate, window, feature], oldest first
    private readonly long[] _steps;
    private readonly long[] _firstPositions;
    private readonly Tensor _host;
    private Tensor _hidden;

    public TorchBatchScorer(ScorerModel model, int candidates, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        _scorer = new TorchScorer(model, device);
        _candidates = candidates;
        _window = model.Window;
        _frames = GC.AllocateArray<float>(candidates * _window * FeatureIndex.Count, pinned: true);
        _steps = new long[candidates];
        _firstPositions = new long[candidates];
        _host = empty([candidates, _window, FeatureIndex.Count], dtype: float32);
        if (_scorer.Device.type == DeviceType.CUDA)
        {
            _host = _host.pin_memory();
        }

        _hidden = zeros([candidates, model.Hidden], dtype: float32, device: _scorer.Device);
    }

    /// <summary>Advances every candidate by its frame (<paramref name="frames"/> [candidate * 32 + feature]) and writes each probability.</summary>
    public void Step(ReadOnlySpan<float> frames, Span<float> probabilities)
    {
        int f = FeatureIndex.Count;
        for (int c = 0; c < _candidates; c++)
        {
            Span<float> window = _frames.AsSpan(c * _window * f, _window * f);
            window[f..].CopyTo(window); // drop the oldest frame
            frames.Slice(c * f, f).CopyTo(window[((_window - 1) * f)..]);
            _firstPositions[c] = _steps[c] - (_window - 1);
            _steps[c]++;
        }

        using IDisposable noGrad = no_grad();
        using DisposeScope scope = NewDisposeScope();
        _host.data<float>().CopyFrom(_frames);
        Tensor input = _host.to(_scorer.Device, non_blocking: true);
        (Tensor logits, Tensor hidden) = _scorer.Forward(input, _firstPositions, _window - 1, _hidden);
        _hidden.Dispose();
        _hidden = hidden.MoveToOuterDisposeScope();
        sigmoid(logits).cpu().data<float>().CopyTo(probabilities);
    }

    public void Dispose()
    {
        _scorer.Dispose();
        _host.Dispose();
        _hidden.Dispose();
    }
}
