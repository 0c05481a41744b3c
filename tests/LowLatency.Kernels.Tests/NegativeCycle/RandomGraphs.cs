namespace LowLatency.Kernels.Tests.NegativeCycle;

/// <summary>Seeded random graphs in incoming-edge CSR form with log-price-like weights and some unusable ones.</summary>
internal sealed record RandomGraph(int Nodes, int[] IncomingStart, int[] EdgeFrom, double[] Weight)
{
    public static RandomGraph Create(int seed, int nodes, int edges, double badFraction = 0.05)
    {
        var rng = new Random(seed);
        var to = new int[edges];
        var from = new int[edges];
        for (int e = 0; e < edges; e++)
        {
            to[e] = rng.Next(nodes);
            from[e] = rng.Next(nodes);
        }

        var start = new int[nodes + 1];
        foreach (int v in to)
        {
            start[v + 1]++;
        }

        for (int v = 0; v < nodes; v++)
        {
            start[v + 1] += start[v];
        }

        var next = new int[nodes];
        var csrFrom = new int[edges];
        for (int e = 0; e < edges; e++)
        {
            csrFrom[start[to[e]] + next[to[e]]++] = from[e];
        }

        var weight = new double[edges];
        double[] bad = [double.PositiveInfinity, double.NaN, double.NegativeInfinity, 1e7, -1e7, double.MaxValue];
        for (int k = 0; k < edges; k++)
        {
            // Rates near 1 (±30 bps) and a few coarse ones, so ties and improvements both happen.
            weight[k] = rng.NextDouble() < badFraction ? bad[rng.Next(bad.Length)]
                : rng.NextDouble() < 0.1 ? Math.Round((rng.NextDouble() - 0.5) * 4, 1)
                : (rng.NextDouble() - 0.5) * 0.006;
        }

        return new RandomGraph(nodes, start, csrFrom, weight);
    }
}
