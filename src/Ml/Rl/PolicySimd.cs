using System.Numerics;
using System.Runtime.InteropServices;

namespace LowLatency.Ml.Rl;

/// <summary>
/// The actor's forward pass for the strategy thread, by hand: each layer's weights are copied at construction into
/// column-major order [in, out], so a layer is, per input, one broadcast fused multiply-add over
/// <see cref="Vector{T}"/>-wide blocks of outputs (no horizontal sums), and tanh is a vectorised rational approximation
/// (<see cref="Tanh"/>). No allocation after construction. Bound to TorchSharp by a parity test (≤ 1e-5). A snapshot:
/// weights changed later need a new instance. Training rollouts use <see cref="PolicyForward"/> (scalar) instead: its
/// summation order is part of what the recorded runs in models/rl reproduce. One instance per thread.
/// </summary>
public sealed class PolicySimd
{
    private readonly Layer[] _actor;
    private readonly Layer[] _critic;
    private readonly float[] _a;
    private readonly float[] _b;

    public PolicySimd(PolicyWeights policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Actions = policy.Actions;
        _actor = Transpose(policy.Actor);
        _critic = Transpose(policy.Critic);
        int widest = Padded(Math.Max(policy.Actor.Widest, policy.Critic.Widest));
        _a = new float[widest];
        _b = new float[widest];
    }

    public int Actions { get; }

    /// <summary>Actor output (logits or Gaussian mean) of one observation into <paramref name="output"/>.</summary>
    public void Actor(ReadOnlySpan<float> observation, Span<float> output) => Run(_actor, observation, output);

    /// <summary>The greedy action of a discrete policy (argmax of the logits); <paramref name="logits"/> is scratch of the action count.</summary>
    public int Greedy(ReadOnlySpan<float> observation, Span<float> logits)
    {
        Run(_actor, observation, logits);
        int best = 0;
        for (int i = 1; i < Actions; i++)
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
        Run(_critic, observation, v);
        return v[0];
    }

    /// <summary>
    /// tanh as Eigen's fast float kernel: input clamped to ±7.9988, an odd degree-13 over even degree-6 rational
    /// polynomial, the input itself below 4e-4. Within a few float ulps of tanh (tested against Math.Tanh).
    /// </summary>
    public static Vector<float> Tanh(Vector<float> input)
    {
        var x = Vector.Min(Vector.Max(input, new Vector<float>(-7.99881172180175781f)), new Vector<float>(7.99881172180175781f));
        Vector<float> x2 = x * x;
        Vector<float> p = Vector.FusedMultiplyAdd(x2, new Vector<float>(-2.76076847742355e-16f), new Vector<float>(2.00018790482477e-13f));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(-8.60467152213735e-11f));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(5.12229709037114e-08f));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(1.48572235717979e-05f));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(6.37261928875436e-04f));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(4.89352455891786e-03f));
        p *= x;
        Vector<float> q = Vector.FusedMultiplyAdd(x2, new Vector<float>(1.19825839466702e-06f), new Vector<float>(1.18534705686654e-04f));
        q = Vector.FusedMultiplyAdd(x2, q, new Vector<float>(2.26843463243900e-03f));
        q = Vector.FusedMultiplyAdd(x2, q, new Vector<float>(4.89352518554385e-03f));
        Vector<int> tiny = Vector.LessThan(Vector.Abs(input), new Vector<float>(0.0004f));
        return Vector.ConditionalSelect(tiny, input, p / q);
    }

    private void Run(Layer[] layers, ReadOnlySpan<float> x, Span<float> output)
    {
        ReadOnlySpan<float> input = x;
        for (int k = 0; k < layers.Length; k++)
        {
            Layer layer = layers[k];
            bool last = k == layers.Length - 1;
            // Outputs padded to whole vectors: the padding columns are zero weights and biases, so they stay 0 (tanh 0 = 0).
            Span<float> target = (k % 2 == 0 ? _a : _b).AsSpan(0, layer.PaddedOutputs);
            layer.Bias.CopyTo(target);
            Span<Vector<float>> acc = MemoryMarshal.Cast<float, Vector<float>>(target);
            ReadOnlySpan<Vector<float>> w = MemoryMarshal.Cast<float, Vector<float>>(layer.Weights);
            int blocks = acc.Length;
            for (int i = 0; i < layer.Inputs; i++)
            {
                var xi = new Vector<float>(input[i]);
                ReadOnlySpan<Vector<float>> column = w.Slice(i * blocks, blocks);
                for (int j = 0; j < blocks; j++)
                {
                    acc[j] = Vector.FusedMultiplyAdd(column[j], xi, acc[j]);
                }
            }

            if (last)
            {
                target[..layer.Outputs].CopyTo(output);
                return;
            }

            for (int j = 0; j < blocks; j++)
            {
                acc[j] = Tanh(acc[j]);
            }

            input = target;
        }
    }

    private static int Padded(int n) => (n + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;

    private static Layer[] Transpose(Mlp mlp)
    {
        var layers = new Layer[mlp.Layers];
        for (int k = 0; k < mlp.Layers; k++)
        {
            int inputs = mlp.Sizes[k];
            int outputs = mlp.Sizes[k + 1];
            int padded = Padded(outputs);
            var w = new float[inputs * padded];
            var b = new float[padded];
            for (int o = 0; o < outputs; o++)
            {
                b[o] = mlp.Biases[k][o];
                for (int i = 0; i < inputs; i++)
                {
                    w[(i * padded) + o] = mlp.Weights[k][(o * inputs) + i];
                }
            }

            layers[k] = new Layer(inputs, outputs, padded, w, b);
        }

        return layers;
    }

    private sealed record Layer(int Inputs, int Outputs, int PaddedOutputs, float[] Weights, float[] Bias);
}
