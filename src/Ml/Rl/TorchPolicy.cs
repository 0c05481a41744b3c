using LowLatency.Ml.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Rl;

/// <summary>
/// <see cref="PolicyWeights"/> as TorchSharp parameters, for the PPO update: batched actor and critic passes, the
/// log-probability and entropy of actions (categorical or diagonal Gaussian, as torch.distributions computes them).
/// Training thread; allocates (tensors).
/// </summary>
public sealed class TorchPolicy : IDisposable
{
    private static readonly double s_halfLog2Pi = 0.5 * Math.Log(2 * Math.PI);
    private readonly PolicyWeights _shape;
    private readonly List<(float[] Source, TorchSharp.Modules.Parameter Parameter)> _parameters = [];
    private readonly TorchSharp.Modules.Parameter[] _actorW;
    private readonly TorchSharp.Modules.Parameter[] _actorB;
    private readonly TorchSharp.Modules.Parameter[] _criticW;
    private readonly TorchSharp.Modules.Parameter[] _criticB;
    private readonly TorchSharp.Modules.Parameter? _logStd;

    // Held for the Gaussian terms: an implicit double → Scalar may be finalized while its native call reads it.
    private readonly Scalar _two = 2.0.ToScalar();
    private readonly Scalar _halfLog2Pi = s_halfLog2Pi.ToScalar();
    private readonly Scalar _entropyConstant = (0.5 + s_halfLog2Pi).ToScalar();

    public TorchPolicy(PolicyWeights policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _shape = policy;
        (_actorW, _actorB) = Wrap(policy.Actor);
        (_criticW, _criticB) = Wrap(policy.Critic);
        if (policy.Continuous)
        {
            _logStd = Add(policy.LogStd, [policy.Actions]);
        }
    }

    public IEnumerable<TorchSharp.Modules.Parameter> Parameters
    {
        get
        {
            foreach ((_, TorchSharp.Modules.Parameter p) in _parameters)
            {
                yield return p;
            }
        }
    }

    public bool Continuous => _shape.Continuous;

    /// <summary>Copies the current parameter values into <paramref name="policy"/>' arrays (same shapes).</summary>
    public void CopyTo(PolicyWeights policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var scope = NewDisposeScope();
        int i = 0;
        foreach ((string _, float[] target) in policy.Tensors())
        {
            _parameters[i++].Parameter.detach().data<float>().CopyTo(target, 0);
        }
    }

    /// <summary>Actor output [B, A]: logits, or the Gaussian mean.</summary>
    public Tensor Actor(Tensor observations) => Run(_actorW, _actorB, observations);

    /// <summary>Critic output [B].</summary>
    public Tensor Value(Tensor observations) => Run(_criticW, _criticB, observations).squeeze(-1);

    /// <summary>
    /// log π(a|s) [B] and the entropy [B] of the policy at <paramref name="observations"/> [B, S] for
    /// <paramref name="actions"/> [B, A] (discrete: [B, 1] holding the index as a float).
    /// </summary>
    public (Tensor LogProb, Tensor Entropy) Evaluate(Tensor observations, Tensor actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        Tensor output = Actor(observations);
        if (_logStd is null)
        {
            Tensor logp = nn.functional.log_softmax(output, -1);
            Tensor chosen = logp.gather(1, actions.to_type(ScalarType.Int64)).squeeze(1);
            Tensor entropy = -(logp.exp() * logp).sum(-1);
            return (chosen, entropy);
        }

        Tensor logStd = _logStd.expand_as(output);
        Tensor variance = logStd.mul(_two).exp();
        Tensor diff = actions - output;
        Tensor logProb = ((-(diff * diff) / variance.mul(_two)) - logStd).sub(_halfLog2Pi).sum(1);
        Tensor ent = logStd.add(_entropyConstant, HeldScalars.One).sum(1);
        return (logProb, ent);
    }

    public void Dispose()
    {
        foreach ((_, TorchSharp.Modules.Parameter p) in _parameters)
        {
            p.Dispose();
        }

        _parameters.Clear();
        foreach (Scalar s in new[] { _two, _halfLog2Pi, _entropyConstant })
        {
            s.Dispose();
        }
    }

    private static Tensor Run(TorchSharp.Modules.Parameter[] w, TorchSharp.Modules.Parameter[] b, Tensor x)
    {
        Tensor h = x;
        for (int k = 0; k < w.Length; k++)
        {
            h = nn.functional.linear(h, w[k], b[k]);
            if (k < w.Length - 1)
            {
                h = h.tanh();
            }
        }

        return h;
    }

    private (TorchSharp.Modules.Parameter[] W, TorchSharp.Modules.Parameter[] B) Wrap(Mlp mlp)
    {
        var w = new TorchSharp.Modules.Parameter[mlp.Layers];
        var b = new TorchSharp.Modules.Parameter[mlp.Layers];
        for (int k = 0; k < mlp.Layers; k++)
        {
            w[k] = Add(mlp.Weights[k], [mlp.Sizes[k + 1], mlp.Sizes[k]]);
            b[k] = Add(mlp.Biases[k], [mlp.Sizes[k + 1]]);
        }

        return (w, b);
    }

    private TorchSharp.Modules.Parameter Add(float[] values, long[] shape)
    {
        var p = new TorchSharp.Modules.Parameter(tensor(values, shape, dtype: float32), requires_grad: true);
        _parameters.Add((values, p));
        return p;
    }
}
