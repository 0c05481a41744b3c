namespace LowLatency.Ml.Rl;

/// <summary>
/// The policy's forward pass by hand, over <see cref="PolicyWeights"/>' arrays: no tensors, no allocation after
/// construction (two scratch vectors of the widest layer). Bound to TorchSharp by a parity test; used for rollouts and
/// greedy evaluation. Not thread-safe: one instance per thread.
/// </summary>
public sealed class PolicyForward
{
    private readonly PolicyWeights _policy;
    private readonly float[] _a;
    private readonly float[] _b;

    public PolicyForward(PolicyWeights policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        int widest = Math.Max(policy.Actor.Widest, policy.Critic.Widest);
        _a = new float[widest];
        _b = new float[widest];
    }

    public PolicyWeights Policy => _policy;

    /// <summary>The actor's output (logits, or the Gaussian mean) for one observation.</summary>
    public void Actor(ReadOnlySpan<float> observation, Span<float> output) => Run(_policy.Actor, observation, output);

    /// <summary>The critic's value of one observation.</summary>
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
            Span<float> target = last ? output : (k % 2 == 0 ? _a : _b).AsSpan(0, outputs);
            float[] w = mlp.Weights[k];
            float[] bias = mlp.Biases[k];
            for (int o = 0; o < outputs; o++)
            {
                ReadOnlySpan<float> row = w.AsSpan(o * inputs, inputs);
                float sum = 0;
                for (int i = 0; i < inputs; i++)
                {
                    sum += row[i] * input[i];
                }

                sum += bias[o];
                target[o] = last ? sum : MathF.Tanh(sum);
            }

            input = target;
        }
    }
}
