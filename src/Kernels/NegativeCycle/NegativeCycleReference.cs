namespace LowLatency.Kernels.NegativeCycle;

/// <summary>
/// The scalar reference relaxation: the rule of <see cref="LowLatency.HotPath.Graph.INegativeCycleSearch"/> as written,
/// node by node, slot by slot. Parity oracle of <see cref="NegativeCycleSimd"/> and <see cref="NegativeCycleKernel"/>
/// and the benchmark baseline. Any thread (no shared state); never allocates.
/// </summary>
public static class NegativeCycleReference
{
    /// <summary>
    /// <paramref name="rounds"/> synchronous rounds from distance 0 and no predecessor; <paramref name="scratch"/> holds
    /// <see cref="NegativeCycleTopology.ReferenceScratchLength"/> doubles. Outputs untouched unless <see cref="NegativeCycleStatus.Ok"/>.
    /// </summary>
    public static NegativeCycleStatus Relax(
        NegativeCycleTopology topology,
        int rounds,
        ReadOnlySpan<double> weight,
        Span<double> distance,
        Span<int> predecessor,
        Span<double> scratch)
    {
        var status = NegativeCycleLimits.Check(topology, rounds, weight.Length, distance.Length, predecessor.Length);
        if (status != NegativeCycleStatus.Ok)
        {
            return status;
        }

        if (scratch.Length < topology.ReferenceScratchLength)
        {
            return NegativeCycleStatus.OutputTooShort;
        }

        int n = topology.NodeCount;
        int[] start = topology.IncomingStart;
        int[] from = topology.EdgeFrom;
        Span<double> current = distance[..n];
        Span<double> next = scratch[..n];
        current.Clear();
        predecessor[..n].Fill(-1);
        for (int r = 0; r < rounds; r++)
        {
            for (int v = 0; v < n; v++)
            {
                double best = current[v];
                int bestSlot = predecessor[v];
                for (int k = start[v]; k < start[v + 1]; k++)
                {
                    double w = weight[k];
                    if (!NegativeCycleLimits.IsUsableWeight(w))
                    {
                        continue;
                    }

                    double candidate = current[from[k]] + w;
                    if (candidate < best)
                    {
                        best = candidate;
                        bestSlot = k;
                    }
                }

                next[v] = best;
                predecessor[v] = bestSlot;
            }

            Span<double> swap = current;
            current = next;
            next = swap;
        }

        if (rounds % 2 == 1)
        {
            current.CopyTo(distance);
        }

        return NegativeCycleStatus.Ok;
    }
}
