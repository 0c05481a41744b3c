using ILGPU;

namespace LowLatency.Kernels.NegativeCycle;

/// <summary>
/// The ILGPU kernels of the relaxation: one implicitly grouped thread per node, the reference's rule over its CSR
/// slots. <see cref="Start"/> sets the virtual source's start (0, no predecessor); <see cref="Round"/> is one synchronous
/// round from <c>distanceIn</c> into <c>distanceOut</c> (the host alternates the two). Compiled once at start-up.
/// </summary>
public static class NegativeCycleKernel
{
    /// <summary>distance = 0 and predecessor = −1 for every node.</summary>
    public static void Start(Index1D node, ArrayView<double> distance, ArrayView<int> predecessor)
    {
        distance[node] = 0;
        predecessor[node] = -1;
    }

    /// <summary>One round for <paramref name="node"/>.</summary>
    public static void Round(
        Index1D node,
        ArrayView<int> incomingStart,
        ArrayView<int> edgeFrom,
        ArrayView<double> weight,
        ArrayView<double> distanceIn,
        ArrayView<double> distanceOut,
        ArrayView<int> predecessor)
    {
        int v = node;
        double best = distanceIn[v];
        int bestSlot = predecessor[v];
        int end = incomingStart[v + 1];
        for (int k = incomingStart[v]; k < end; k++)
        {
            double w = weight[k];

            // Same rule as NegativeCycleLimits.IsUsableWeight, inlined for the kernel compiler.
            if (w >= -NegativeCycleLimits.MaxWeight && w <= NegativeCycleLimits.MaxWeight)
            {
                double candidate = distanceIn[edgeFrom[k]] + w;
                if (candidate < best)
                {
                    best = candidate;
                    bestSlot = k;
                }
            }
        }

        distanceOut[v] = best;
        predecessor[v] = bestSlot;
    }
}
