using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Inference;

/// <summary>
/// Per-candidate recurrent state of the scorer: the GRU's hidden vector, the attention keys and values of the last
/// <see cref="ScorerModel.Window"/> steps (a ring) and the step counter. Preallocated; one per candidate.
/// </summary>
public sealed class ScorerState
{
    public ScorerState(ScorerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        H = new float[model.Hidden];
        Keys = new float[model.Window * model.DModel];
        Values = new float[model.Window * model.DModel];
    }

    internal float[] H { get; }

    internal float[] Keys { get; }

    internal float[] Values { get; }

    /// <summary>Steps taken since the last <see cref="Reset"/> (the position of the next step).</summary>
    public long Steps { get; internal set; }

    /// <summary>The GRU hidden state (read-only view, for tests).</summary>
    public ReadOnlySpan<float> Hidden => H;

    public void Reset()
    {
        Array.Clear(H);
        Array.Clear(Keys);
        Array.Clear(Values);
        Steps = 0;
    }
}

/// <summary>
/// The scorer's forward pass, hand-written with <see cref="Vector{T}"/>: one causal step per tick. Each step embeds the new
/// frame, computes its query, key and value, attends over the cached keys and values of the last W steps, runs the
/// feed-forward block and one GRU step, and returns the probability. Bound to the TorchSharp model by a parity test
/// (≤ 1e-5). Strategy thread (one instance per thread: it owns scratch buffers); allocation-free after construction.
/// </summary>
public sealed class ScorerSimd
{
    private readonly ScorerModel _m;
    private readonly float[] _z;
    private readonly float[] _e;
    private readonly float[] _a;
    private readonly float[] _q;
    private readonly float[] _ctx;
    private readonly float[] _o;
    private readonly float[] _u;
    private readonly float[] _ff;
    private readonly float[] _y;
    private readonly float[] _gi;
    private readonly float[] _gh;
    private readonly float[] _pe;
    private readonly float[] _scores;

    public ScorerSimd(ScorerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _m = model;
        int d = model.DModel;
        _z = new float[FeatureIndex.Count];
        _e = new float[d];
        _a = new float[d];
        _q = new float[d];
        _ctx = new float[d];
        _o = new float[d];
        _u = new float[d];
        _ff = new float[model.FeedForward];
        _y = new float[d];
        _gi = new float[3 * model.Hidden];
        _gh = new float[3 * model.Hidden];
        _pe = new float[d];
        _scores = new float[model.Window];
    }

    public ScorerModel Model => _m;

    /// <summary>Advances <paramref name="state"/> by one frame and returns P(still profitable at t + Δ). Allocation-free.</summary>
    public float Step(ScorerState state, in FeatureFrame frame)
    {
        ArgumentNullException.ThrowIfNull(state);
        ScorerModel m = _m;
        int d = m.DModel;
        int window = m.Window;
        ReadOnlySpan<float> x = frame;
        for (int i = 0; i < _z.Length; i++)
        {
            _z[i] = Math.Clamp((x[i] - m.Mean[i]) / m.Std[i], -ScorerModel.InputClip, ScorerModel.InputClip);
        }

        MatVec(m.InW, m.InB, _z, _e);
        ScorerModel.PositionalEncoding(state.Steps, _pe);
        Add(_e, _pe, _e);

        LayerNorm(_e, m.Ln1G, m.Ln1B, _a);
        MatVec(m.Wq, m.Bq, _a, _q);
        int slot = (int)(state.Steps % window);
        Span<float> key = state.Keys.AsSpan(slot * d, d);
        Span<float> value = state.Values.AsSpan(slot * d, d);
        MatVec(m.Wk, m.Bk, _a, key);
        MatVec(m.Wv, m.Bv, _a, value);

        int available = (int)Math.Min(state.Steps + 1, window);
        int dh = d / m.Heads;
        float scale = 1f / MathF.Sqrt(dh);
        for (int h = 0; h < m.Heads; h++)
        {
            ReadOnlySpan<float> qh = _q.AsSpan(h * dh, dh);
            float max = float.NegativeInfinity;
            for (int j = 0; j < available; j++)
            {
                int s = (int)((state.Steps - j) % window);
                float score = Dot(qh, state.Keys.AsSpan((s * d) + (h * dh), dh)) * scale;
                _scores[j] = score;
                max = MathF.Max(max, score);
            }

            float sum = 0;
            for (int j = 0; j < available; j++)
            {
                float p = MathF.Exp(_scores[j] - max);
                _scores[j] = p;
                sum += p;
            }

            Span<float> ctx = _ctx.AsSpan(h * dh, dh);
            ctx.Clear();
            for (int j = 0; j < available; j++)
            {
                int s = (int)((state.Steps - j) % window);
                Axpy(_scores[j] / sum, state.Values.AsSpan((s * d) + (h * dh), dh), ctx);
            }
        }

        MatVec(m.Wo, m.Bo, _ctx, _o);
        Add(_e, _o, _u);
        LayerNorm(_u, m.Ln2G, m.Ln2B, _a);
        MatVec(m.W1, m.B1, _a, _ff);
        for (int i = 0; i < _ff.Length; i++)
        {
            _ff[i] = MathF.Max(0, _ff[i]);
        }

        MatVec(m.W2, m.B2, _ff, _y);
        Add(_u, _y, _y);

        // GRU (PyTorch): r = σ(W_ir y + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in y + b_in + r ⊙ (W_hn h + b_hn)).
        int g = m.Hidden;
        float[] hState = state.H;
        MatVec(m.GruWih, m.GruBih, _y, _gi);
        MatVec(m.GruWhh, m.GruBhh, hState, _gh);
        for (int i = 0; i < g; i++)
        {
            float r = Sigmoid(_gi[i] + _gh[i]);
            float z = Sigmoid(_gi[g + i] + _gh[g + i]);
            float n = MathF.Tanh(_gi[(2 * g) + i] + (r * _gh[(2 * g) + i]));
            hState[i] = ((1 - z) * n) + (z * hState[i]);
        }

        state.Steps++;
        return Sigmoid(Dot(m.OutW, hState) + m.OutB[0]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>y = W x + b, W row-major [y.Length, x.Length].</summary>
    private static void MatVec(float[] w, float[] b, ReadOnlySpan<float> x, Span<float> y)
    {
        int cols = x.Length;
        for (int r = 0; r < y.Length; r++)
        {
            y[r] = Dot(w.AsSpan(r * cols, cols), x) + b[r];
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

    private static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = a[i] + b[i];
        }
    }

    private static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    private static void LayerNorm(ReadOnlySpan<float> x, float[] gamma, float[] beta, Span<float> y)
    {
        float mean = 0;
        for (int i = 0; i < x.Length; i++)
        {
            mean += x[i];
        }

        mean /= x.Length;
        float variance = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float c = x[i] - mean;
            variance += c * c;
        }

        variance /= x.Length;
        float inv = 1f / MathF.Sqrt(variance + ScorerModel.LayerNormEpsilon);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = ((x[i] - mean) * inv * gamma[i]) + beta[i];
        }
    }
}
