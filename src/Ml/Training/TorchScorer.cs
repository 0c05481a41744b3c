using LowLatency.HotPath.Features;
using LowLatency.Ml.Inference;
using LowLatency.Ml.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LowLatency.Ml.Training;

/// <summary>
/// The scorer in TorchSharp, over the same tensors as <see cref="ScorerModel"/> and the same arithmetic as
/// <see cref="ScorerSimd"/>, for training and batched inference. Streams are processed in chunks: a chunk carries the
/// GRU state of the previous one and its last W−1 frames as attention prefix, so chunked training, batched inference
/// and the one-step-per-tick pass compute the same function. Training thread; allocates (tensors).
/// </summary>
public sealed class TorchScorer : IDisposable
{
    private static readonly Scalar s_clipLow = (-ScorerModel.InputClip).ToScalar();
    private static readonly Scalar s_clipHigh = ScorerModel.InputClip.ToScalar();

    private readonly ScorerModel _shape;
    private readonly Device _device;
    private readonly Dictionary<string, Parameter> _parameters = [];
    private readonly Tensor _mean;
    private readonly Tensor _std;

    /// <summary>Wraps <paramref name="model"/>'s current values as trainable parameters (mean and std stay constants).</summary>
    public TorchScorer(ScorerModel model, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _shape = model;
        _device = device ?? CPU;
        foreach ((string name, float[] values) in model.Tensors())
        {
            if (name is "mean" or "std")
            {
                continue;
            }

            _parameters[name] = new Parameter(tensor(values, Shape(name), dtype: float32).to(_device), requires_grad: true);
        }

        _mean = tensor(model.Mean, dtype: float32).to(_device);
        _std = tensor(model.Std, dtype: float32).to(_device);
    }

    public IEnumerable<Parameter> Parameters => _parameters.Values;

    public Device Device => _device;

    /// <summary>Copies the current parameter values into <paramref name="model"/>'s arrays.</summary>
    public void CopyTo(ScorerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach ((string name, float[] values) in model.Tensors())
        {
            if (_parameters.TryGetValue(name, out Parameter? p))
            {
                p.detach().cpu().data<float>().CopyTo(values, 0);
            }
        }
    }

    /// <summary>
    /// One chunk: <paramref name="x"/> [B, P + L, 32] raw frames whose first <paramref name="prefix"/> are the previous
    /// chunk's last frames, <paramref name="firstPosition"/> the stream position of x[:, 0], <paramref name="h0"/> [B, G].
    /// Returns the logits of the last L frames [B, L] and the GRU state after them [B, G].
    /// </summary>
    public (Tensor Logits, Tensor Hidden) Forward(Tensor x, long firstPosition, int prefix, Tensor h0)
    {
        ArgumentNullException.ThrowIfNull(x);
        using Tensor pe = PositionalEncodings(firstPosition, (int)x.shape[1]);
        using Tensor mask = AttentionMask(prefix, (int)x.shape[1] - prefix, _shape.Window);
        return Forward(x, pe, mask, prefix, h0);
    }

    /// <summary>
    /// As above with a stream position per batch row (candidates at different steps): row b's first frame is at
    /// <paramref name="firstPositions"/>[b]; frames at negative positions (before a young stream began) are padding no
    /// query sees. Used by <see cref="TorchBatchScorer"/>.
    /// </summary>
    public (Tensor Logits, Tensor Hidden) Forward(Tensor x, ReadOnlySpan<long> firstPositions, int prefix, Tensor h0)
    {
        ArgumentNullException.ThrowIfNull(x);
        int batch = (int)x.shape[0];
        int total = (int)x.shape[1];
        int length = total - prefix;
        int d = _shape.DModel;
        var pe = new float[batch * total * d];
        var mask = new float[batch * length * total];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < total; i++)
            {
                long position = firstPositions[b] + i;
                if (position >= 0)
                {
                    ScorerModel.PositionalEncoding(position, pe.AsSpan(((b * total) + i) * d, d));
                }
            }

            for (int i = 0; i < length; i++)
            {
                int query = prefix + i;
                for (int j = 0; j < total; j++)
                {
                    bool visible = j <= query && j > query - _shape.Window && firstPositions[b] + j >= 0;
                    mask[(((b * length) + i) * total) + j] = visible ? 0f : float.NegativeInfinity;
                }
            }
        }

        using Tensor peTensor = tensor(pe, [batch, total, d], dtype: float32).to(_device);
        using Tensor maskTensor = tensor(mask, [batch, 1, length, total], dtype: float32).to(_device);
        return Forward(x, peTensor, maskTensor, prefix, h0);
    }

    private (Tensor Logits, Tensor Hidden) Forward(Tensor x, Tensor positional, Tensor attentionMask, int prefix, Tensor h0)
    {
        ArgumentNullException.ThrowIfNull(h0);
        long batch = x.shape[0];
        int total = (int)x.shape[1];
        int length = total - prefix;
        int d = _shape.DModel;
        int heads = _shape.Heads;
        int dh = d / heads;

        // Every Scalar is held (HeldScalars.One, the static clip bounds, this dh's scale): an implicit double → Scalar may
        // be finalized while its native call reads it. The same operations as the operators they replace, bit for bit.
        Scalar one = HeldScalars.One;
        Tensor z = ((x - _mean) / _std).clamp(s_clipLow, s_clipHigh);
        Tensor e = nn.functional.linear(z, P("in.w"), P("in.b")).add(positional, one);
        Tensor a = nn.functional.layer_norm(e, [d], P("ln1.g"), P("ln1.b"), ScorerModel.LayerNormEpsilon);
        Tensor q = nn.functional.linear(a[.., prefix.., ..], P("q.w"), P("q.b")).view(batch, length, heads, dh).transpose(1, 2);
        Tensor k = nn.functional.linear(a, P("k.w"), P("k.b")).view(batch, total, heads, dh).transpose(1, 2);
        Tensor v = nn.functional.linear(a, P("v.w"), P("v.b")).view(batch, total, heads, dh).transpose(1, 2);
        using Scalar scale = (1.0 / Math.Sqrt(dh)).ToScalar();
        Tensor scores = q.matmul(k.transpose(2, 3)).mul(scale).add(attentionMask, one);
        Tensor ctx = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(batch, length, d);
        Tensor u = e[.., prefix.., ..].add(nn.functional.linear(ctx, P("o.w"), P("o.b")), one);
        Tensor f = nn.functional.linear(nn.functional.relu(nn.functional.linear(
            nn.functional.layer_norm(u, [d], P("ln2.g"), P("ln2.b"), ScorerModel.LayerNormEpsilon), P("ff1.w"), P("ff1.b"))), P("ff2.w"), P("ff2.b"));
        Tensor y = u.add(f, one);

        int g = _shape.Hidden;
        Tensor gi = nn.functional.linear(y, P("gru.wih"), P("gru.bih")); // [B, L, 3G], all steps at once
        Tensor h = h0;
        var outputs = new Tensor[length];
        for (int t = 0; t < length; t++)
        {
            Tensor git = gi[.., t, ..];
            Tensor gh = nn.functional.linear(h, P("gru.whh"), P("gru.bhh"));
            Tensor r = sigmoid(git[.., ..g].add(gh[.., ..g], one));
            Tensor zg = sigmoid(git[.., g..(2 * g)].add(gh[.., g..(2 * g)], one));
            Tensor n = tanh(git[.., (2 * g)..].add(r * gh[.., (2 * g)..], one));
            h = zg.negative().add(one, one).mul(n).add(zg * h, one); // (1 − z) n + z h
            outputs[t] = h;
        }

        Tensor hs = stack(outputs, 1); // [B, L, G]
        Tensor logits = nn.functional.linear(hs, P("out.w").view(1, g), P("out.b")).squeeze(-1);
        return (logits, h);
    }

    public void Dispose()
    {
        foreach (Parameter p in _parameters.Values)
        {
            p.Dispose();
        }

        _mean.Dispose();
        _std.Dispose();
    }

    private Parameter P(string name) => _parameters[name];

    private Tensor PositionalEncodings(long firstPosition, int count)
    {
        var values = new float[count * _shape.DModel];
        for (int i = 0; i < count; i++)
        {
            ScorerModel.PositionalEncoding(firstPosition + i, values.AsSpan(i * _shape.DModel, _shape.DModel));
        }

        return tensor(values, [count, _shape.DModel], dtype: float32).to(_device);
    }

    /// <summary>0 where query i (position prefix + i) may see key j (j ≤ prefix + i, within the window), −∞ elsewhere.</summary>
    private Tensor AttentionMask(int prefix, int length, int window)
    {
        int total = prefix + length;
        var mask = new float[length * total];
        for (int i = 0; i < length; i++)
        {
            int position = prefix + i;
            for (int j = 0; j < total; j++)
            {
                mask[(i * total) + j] = j <= position && j > position - window ? 0f : float.NegativeInfinity;
            }
        }

        return tensor(mask, [length, total], dtype: float32).to(_device);
    }

    private long[] Shape(string name)
    {
        int f = FeatureIndex.Count;
        int d = _shape.DModel;
        int g = _shape.Hidden;
        int ff = _shape.FeedForward;
        return name switch
        {
            "in.w" => [d, f],
            "q.w" or "k.w" or "v.w" or "o.w" => [d, d],
            "ff1.w" => [ff, d],
            "ff2.w" => [d, ff],
            "gru.wih" => [3 * g, d],
            "gru.whh" => [3 * g, g],
            "gru.bih" or "gru.bhh" => [3 * g],
            "out.w" => [g],
            "out.b" => [1],
            "ff1.b" => [ff],
            _ => [d],
        };
    }
}
