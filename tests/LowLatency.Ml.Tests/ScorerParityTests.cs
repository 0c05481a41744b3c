using LowLatency.HotPath.Features;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Tests;

/// <summary>The hand-written one-step-per-tick pass computes what the TorchSharp model computes over chunks.</summary>
public sealed class ScorerParityTests
{
    internal static float[][] RandomFrames(int count, int seed)
    {
        var random = new Random(seed);
        var frames = new float[count][];
        for (int i = 0; i < count; i++)
        {
            frames[i] = new float[FeatureIndex.Count];
            for (int f = 0; f < FeatureIndex.Count; f++)
            {
                frames[i][f] = (float)((random.NextDouble() - 0.5) * 20);
            }
        }

        return frames;
    }

    internal static float[] Simd(ScorerModel model, float[][] frames)
    {
        var scorer = new ScorerSimd(model);
        var state = new ScorerState(model);
        var outputs = new float[frames.Length];
        FeatureFrame frame = default;
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i].CopyTo((Span<float>)frame);
            outputs[i] = scorer.Step(state, in frame);
        }

        return outputs;
    }

    internal static float[] Torch(ScorerModel model, float[][] frames, int chunk)
    {
        TorchFixture.Ensure();
        using var scorer = new TorchScorer(model);
        using IDisposable noGrad = no_grad();
        var outputs = new float[frames.Length];
        Tensor h = zeros(1, model.Hidden);
        for (int start = 0; start < frames.Length; start += chunk)
        {
            int prefix = Math.Min(model.Window - 1, start);
            int end = Math.Min(frames.Length, start + chunk);
            float[] x = frames[(start - prefix)..end].SelectMany(f => f).ToArray();
            using Tensor input = tensor(x, [1, end - start + prefix, FeatureIndex.Count], dtype: float32);
            (Tensor logits, Tensor hidden) = scorer.Forward(input, start - prefix, prefix, h);
            float[] p = sigmoid(logits).data<float>().ToArray();
            p.CopyTo(outputs, start);
            h = hidden;
        }

        return outputs;
    }

    [Theory]
    [InlineData(1, 24)]
    [InlineData(2, 7)]
    [InlineData(3, 200)]
    public void Simd_step_matches_TorchSharp_within_1e_5_on_random_windows(int seed, int chunk)
    {
        var model = new ScorerModel();
        ScorerInit.Randomize(model, seed);
        for (int i = 0; i < model.Mean.Length; i++)
        {
            model.Mean[i] = i * 0.1f;
            model.Std[i] = 1 + (i * 0.05f);
        }

        float[][] frames = RandomFrames(120, seed + 10);
        float[] simd = Simd(model, frames);
        float[] torchOut = Torch(model, frames, chunk);
        float max = 0;
        for (int i = 0; i < frames.Length; i++)
        {
            max = Math.Max(max, Math.Abs(simd[i] - torchOut[i]));
        }

        Assert.True(max <= 1e-5f, $"max |simd − torch| = {max:E2}");
        Assert.True(simd.Distinct().Count() > 100, "outputs vary with the input");
    }

    [Fact]
    public void Batched_TorchSharp_inference_matches_the_simd_pass_per_candidate()
    {
        TorchFixture.Ensure();
        var model = new ScorerModel();
        ScorerInit.Randomize(model, 21);
        const int candidates = 5;
        float[][][] streams = [.. Enumerable.Range(0, candidates).Select(c => RandomFrames(40, 100 + c))];
        float[][] expected = [.. streams.Select(s => Simd(model, s))];
        using var batch = new TorchBatchScorer(model, candidates);
        var input = new float[candidates * FeatureIndex.Count];
        var output = new float[candidates];
        float max = 0;
        for (int t = 0; t < 40; t++)
        {
            for (int c = 0; c < candidates; c++)
            {
                streams[c][t].CopyTo(input, c * FeatureIndex.Count);
            }

            batch.Step(input, output);
            for (int c = 0; c < candidates; c++)
            {
                max = Math.Max(max, Math.Abs(output[c] - expected[c][t]));
            }
        }

        Assert.True(max <= 1e-5f, $"max |batched − simd| = {max:E2}");
    }
}
