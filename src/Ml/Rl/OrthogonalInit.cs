namespace LowLatency.Ml.Rl;

/// <summary>
/// CleanRL's <c>layer_init</c>: orthogonal weights (as <c>torch.nn.init.orthogonal_</c>: QR of a standard normal matrix,
/// columns signed by diag(R), times a gain) and zero biases; hidden layers gain √2, the actor's output 0.01, the
/// critic's 1. Drawn in C# from the seed (Box–Muller over <see cref="Random"/>, Gram–Schmidt in float64), so a seed is
/// the same network on every backend.
/// </summary>
public static class OrthogonalInit
{
    public static void Initialize(PolicyWeights policy, int seed)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var random = new Random(seed);
        Layers(policy.Actor, random, outputGain: 0.01);
        Layers(policy.Critic, random, outputGain: 1.0);
        Array.Clear(policy.LogStd);
    }

    /// <summary>Fills <paramref name="w"/> [rows, cols] with an orthogonal matrix times <paramref name="gain"/>.</summary>
    public static void Orthogonal(float[] w, int rows, int cols, double gain, Random random)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(random);
        // Orthonormalise the columns of a tall matrix (n ≥ m); a wide one is the transpose of a tall one.
        bool wide = rows < cols;
        int n = wide ? cols : rows;
        int m = wide ? rows : cols;
        var a = new double[n, m];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < m; j++)
            {
                a[i, j] = Normal(random);
            }
        }

        // Modified Gram–Schmidt gives Q with R's diagonal positive, the same Q as Householder QR after the sign fix.
        for (int j = 0; j < m; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++)
                {
                    dot += a[i, k] * a[i, j];
                }

                for (int i = 0; i < n; i++)
                {
                    a[i, j] -= dot * a[i, k];
                }
            }

            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                norm += a[i, j] * a[i, j];
            }

            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++)
            {
                a[i, j] /= norm;
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                w[(r * cols) + c] = (float)(gain * (wide ? a[c, r] : a[r, c]));
            }
        }
    }

    public static double Normal(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static void Layers(Mlp mlp, Random random, double outputGain)
    {
        for (int k = 0; k < mlp.Layers; k++)
        {
            double gain = k == mlp.Layers - 1 ? outputGain : Math.Sqrt(2);
            Orthogonal(mlp.Weights[k], mlp.Sizes[k + 1], mlp.Sizes[k], gain, random);
            Array.Clear(mlp.Biases[k]);
        }
    }
}
