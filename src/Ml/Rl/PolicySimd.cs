using System.Numerics;
using System.Runtime.InteropServices;

namespace LowLatency.Ml.Rl;

/// <summary>
/// The actor's forward pass for the strategy thread: <see cref="Vector{T}"/> dot products with fused multiply-add over
/// <see cref="PolicyWeights"/>' row-major arrays, tanh between layers, no allocation after construction. Bound to
/// TorchSharp by a parity test (≤ 1e-5). Training rollouts use <see cref="PolicyForward"/> (scalar) instead: its
/// summation order is part of what the recorded runs in models/rl reproduce. One instance per thread.
/// </summary>
public sealed class PolicySimd
{
    private readonly PolicyWeights _policy;
    private readonly float[] _a;
    private readonly float[] _b;

    public PolicySimd(PolicyWeights policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        int widest = Math.Max(policy.Actor.Widest, policy.Critic.Widest);
        _a = new float[widest];
        _b = new float[widest];
    }

    public PolicyWeights Policy => _policy;

    /// <summary>Actor output (logits or Gaussian mean) of one observation into <paramref name="output"/>.</summary>
    public void Actor(ReadOnlySpan<float> observation, Span<float> output) => Run(_policy.Actor, observation, output);

    /// <summary>The greedy action of a discrete policy (argmax of the logits); <paramref name="logits"/> is scratch of the action count.</summary>
    public int Greedy(ReadOnlySpan<float> observation, Span<float> logits)
    {
        Run(_policy.Actor, observation, logits);
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    public float Value(ReadOnlySpan<float> observation)
    {
        Span<float> v = stackalloc float[1];
        Run(_policy.Critic, observation, v);
        return v[0];
    }

    private void Run(Mlp mlp, ReadOnlySpan<float> x, Span<float> output)
    {
        ReadOnlySpan<float> input = x;
        for (int k = 0; k < mlp.Layers; k++)
        {
            int inputs = mlp.Sizes[k];
            int outputs = mlp.Sizes[k + 1];
            bool last = k == mlp.Layers - 1;
            Span<float> target = last ? output[..outputs] : (k % 2 == 0 ? _a : _b).AsSpan(0, outputs);
            ReadOnlySpan<float> w = mlp.Weights[k];
            ReadOnlySpan<float> bias = mlp.Biases[k];
            for (int o = 0; o < outputs; o++)
            {
                float sum = Dot(w.Slice(o * inputs, inputs), input) + bias[o];
                target[o] = last ? sum : MathF.Tanh(sum);
            }

            input = target;
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            ReadOnlySpan<Vector<float>> va = MemoryMarshal.Cast<float, Vector<float>>(a);
            ReadOnlySpan<Vector<float>> vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
            Vector<float> acc0 = Vector<float>.Zero;
            Vector<float> acc1 = Vector<float>.Zero;
            int k = 0;
            for (; k + 1 < va.Length; k += 2)
            {
                acc0 = Vector.FusedMultiplyAdd(va[k], vb[k], acc0);
                acc1 = Vector.FusedMultiplyAdd(va[k + 1], vb[k + 1], acc1);
            }

            if (k < va.Length)
            {
                acc0 = Vector.FusedMultiplyAdd(va[k], vb[k], acc0);
            }

            sum = Vector.Sum(acc0 + acc1);
            i = va.Length * Vector<float>.Count;
        }

        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
