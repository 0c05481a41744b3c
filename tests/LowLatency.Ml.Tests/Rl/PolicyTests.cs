using LowLatency.Ml.Rl;
using TorchSharp;
using static TorchSharp.torch;

namespace LowLatency.Ml.Tests.Rl;

/// <summary>The policy: orthogonal initialisation, our forward pass against TorchSharp, log-probabilities and entropies, the file.</summary>
public sealed class PolicyTests
{
    private static PolicyWeights Random(int obs, int actions, bool continuous, int seed)
    {
        var p = new PolicyWeights(obs, actions, continuous);
        var random = new Random(seed);
        foreach ((_, float[] values) in p.Tensors())
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * 0.4f;
            }
        }

        return p;
    }

    [Theory]
    [InlineData(64, 4, 1.4142135623730951)] // tall: columns orthonormal (WᵀW = g²I)
    [InlineData(2, 64, 0.01)] // wide: rows orthonormal (WWᵀ = g²I)
    [InlineData(64, 64, 1.0)]
    public void Orthogonal_init_gives_orthonormal_rows_or_columns_times_the_gain(int rows, int cols, double gain)
    {
        var w = new float[rows * cols];
        OrthogonalInit.Orthogonal(w, rows, cols, gain, new Random(4));
        int m = Math.Min(rows, cols);
        for (int a = 0; a < m; a++)
        {
            for (int b = 0; b < m; b++)
            {
                double dot = 0;
                for (int k = 0; k < Math.Max(rows, cols); k++)
                {
                    dot += rows >= cols ? w[(k * cols) + a] * w[(k * cols) + b] : w[(a * cols) + k] * w[(b * cols) + k];
                }

                Assert.Equal(a == b ? gain * gain : 0, dot, 5);
            }
        }
    }

    [Fact]
    public void CleanRL_layer_init_gains_and_zero_biases()
    {
        var p = new PolicyWeights(4, 2, continuous: false);
        OrthogonalInit.Initialize(p, 1);
        Assert.All(p.Actor.Biases, b => Assert.All(b, v => Assert.Equal(0f, v)));
        Assert.All(p.Critic.Biases, b => Assert.All(b, v => Assert.Equal(0f, v)));
        static double RowNorm(float[] w, int cols, int row)
        {
            double s = 0;
            for (int c = 0; c < cols; c++)
            {
                s += w[(row * cols) + c] * w[(row * cols) + c];
            }

            return Math.Sqrt(s);
        }

        Assert.Equal(0.01, RowNorm(p.Actor.Weights[2], 64, 0), 5); // actor head 0.01: near-uniform first policy
        Assert.Equal(1.0, RowNorm(p.Critic.Weights[2], 64, 0), 5); // critic head 1
        var q = new PolicyWeights(4, 2, continuous: false);
        OrthogonalInit.Initialize(q, 1);
        Assert.Equal(p.Actor.Weights[0], q.Actor.Weights[0]);
        OrthogonalInit.Initialize(q, 2);
        Assert.NotEqual(p.Actor.Weights[0], q.Actor.Weights[0]);
    }

    [Theory]
    [InlineData(4, 2, false)]
    [InlineData(3, 1, true)]
    [InlineData(32, 5, false)]
    [InlineData(40, 3, false)]
    public void Our_forward_passes_match_TorchSharp(int obs, int actions, bool continuous)
    {
        TorchFixture.Ensure();
        PolicyWeights p = Random(obs, actions, continuous, 9);
        var forward = new PolicyForward(p);
        var simd = new PolicySimd(p);
        using var torchPolicy = new TorchPolicy(p);
        var random = new Random(1);
        const int rows = 64;
        var x = new float[rows * obs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 6) - 3);
        }

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor input = tensor(x, [rows, obs], dtype: float32);
        float[] actorT = torchPolicy.Actor(input).data<float>().ToArray();
        float[] valueT = torchPolicy.Value(input).data<float>().ToArray();
        var output = new float[actions];
        var simdOutput = new float[actions];
        double worst = 0;
        double worstSimd = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> o = x.AsSpan(r * obs, obs);
            forward.Actor(o, output);
            simd.Actor(o, simdOutput);
            int torchBest = 0;
            for (int a = 0; a < actions; a++)
            {
                float t = actorT[(r * actions) + a];
                worst = Math.Max(worst, Math.Abs(output[a] - t));
                worstSimd = Math.Max(worstSimd, Math.Abs(simdOutput[a] - t));
                torchBest = t > actorT[(r * actions) + torchBest] ? a : torchBest;
            }

            worst = Math.Max(worst, Math.Abs(forward.Value(o) - valueT[r]));
            worstSimd = Math.Max(worstSimd, Math.Abs(simd.Value(o) - valueT[r]));
            if (!continuous)
            {
                Assert.Equal(torchBest, simd.Greedy(o, simdOutput));
            }
        }

        Assert.True(worst <= 1e-5, $"max |scalar pass − TorchSharp| = {worst}");
        Assert.True(worstSimd <= 1e-5, $"max |SIMD pass − TorchSharp| = {worstSimd}");
    }

    [Fact]
    public void Forward_passes_allocate_nothing_after_warm_up()
    {
        PolicyWeights p = Random(40, 3, false, 3);
        var forward = new PolicyForward(p);
        var simd = new PolicySimd(p);
        var obs = new float[40];
        obs[3] = 0.4f;
        var output = new float[3];
        forward.Actor(obs, output);
        forward.Value(obs);
        simd.Actor(obs, output);
        simd.Value(obs);
        simd.Greedy(obs, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sink = 0;
        for (int i = 0; i < 1_000; i++)
        {
            forward.Actor(obs, output);
            sink += forward.Value(obs) + output[0];
            simd.Actor(obs, output);
            sink += simd.Value(obs) + output[0] + simd.Greedy(obs, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void Vector_tanh_is_within_a_few_ulps_of_Math_Tanh()
    {
        var values = new float[System.Numerics.Vector<float>.Count];
        double worst = 0;
        for (int k = -200_000; k <= 200_000; k += values.Length)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (k + i) * 1e-4f; // −20 … 20, past the clamp both ways
            }

            System.Numerics.Vector<float> t = PolicySimd.Tanh(new System.Numerics.Vector<float>(values));
            for (int i = 0; i < values.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(t[i] - Math.Tanh(values[i])));
            }
        }

        Assert.True(worst <= 1e-6, $"max |fast tanh − tanh| = {worst}");
    }

    [Fact]
    public void Categorical_log_probability_and_entropy_match_the_definitions()
    {
        TorchFixture.Ensure();
        PolicyWeights p = Random(4, 3, false, 5);
        using var torchPolicy = new TorchPolicy(p);
        var forward = new PolicyForward(p);
        float[] obs = [0.3f, -1f, 0.2f, 0.7f, -0.5f, 0.1f, 0.9f, -0.2f];
        float[] acts = [2f, 0f];
        using var scope = NewDisposeScope();
        (Tensor logProb, Tensor entropy) = torchPolicy.Evaluate(tensor(obs, [2, 4], dtype: float32), tensor(acts, [2, 1], dtype: float32));
        float[] lp = logProb.detach().data<float>().ToArray();
        float[] en = entropy.detach().data<float>().ToArray();
        var logits = new float[3];
        for (int r = 0; r < 2; r++)
        {
            forward.Actor(obs.AsSpan(r * 4, 4), logits);
            double z = logits.Sum(l => Math.Exp(l));
            double[] prob = [.. logits.Select(l => Math.Exp(l) / z)];
            Assert.Equal(Math.Log(prob[(int)acts[r]]), lp[r], 5);
            Assert.Equal(-prob.Sum(q => q * Math.Log(q)), en[r], 5);
        }
    }

    [Fact]
    public void Gaussian_log_probability_and_entropy_match_the_definitions()
    {
        TorchFixture.Ensure();
        PolicyWeights p = Random(3, 2, true, 6);
        p.LogStd[0] = -0.5f;
        p.LogStd[1] = 0.3f;
        using var torchPolicy = new TorchPolicy(p);
        var forward = new PolicyForward(p);
        float[] obs = [0.3f, -1f, 0.2f];
        float[] act = [0.5f, -1.25f];
        using var scope = NewDisposeScope();
        (Tensor logProb, Tensor entropy) = torchPolicy.Evaluate(tensor(obs, [1, 3], dtype: float32), tensor(act, [1, 2], dtype: float32));
        var mean = new float[2];
        forward.Actor(obs, mean);
        double expectedLp = 0, expectedEntropy = 0;
        for (int d = 0; d < 2; d++)
        {
            double s = Math.Exp(p.LogStd[d]);
            expectedLp += (-((act[d] - mean[d]) * (act[d] - mean[d])) / (2 * s * s)) - Math.Log(s) - (0.5 * Math.Log(2 * Math.PI));
            expectedEntropy += 0.5 + (0.5 * Math.Log(2 * Math.PI)) + Math.Log(s);
        }

        Assert.Equal(expectedLp, logProb.detach().item<float>(), 5);
        Assert.Equal(expectedEntropy, entropy.detach().item<float>(), 5);
    }

    [Fact]
    public void Policy_file_round_trips_and_refuses_damage()
    {
        PolicyWeights p = Random(3, 1, true, 8);
        string path = Path.Combine(Path.GetTempPath(), "ll-policy-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            PolicyFile.Write(p, path);
            PolicyWeights q = PolicyFile.Read(path);
            Assert.True(q.Continuous);
            Assert.Equal(p.Tensors().Select(t => t.Values), q.Tensors().Select(t => t.Values));
            byte[] bytes = File.ReadAllBytes(path);
            bytes[40] ^= 1;
            File.WriteAllBytes(path, bytes);
            Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => PolicyFile.Read(path)).Message, StringComparison.Ordinal);
            File.WriteAllBytes(path, bytes.AsSpan(0, 20).ToArray());
            Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => PolicyFile.Read(path)).Message, StringComparison.Ordinal);
            File.WriteAllBytes(path, new byte[100]);
            Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => PolicyFile.Read(path)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
