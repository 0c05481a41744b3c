using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LowLatency.Kernels.NegativeCycle;

/// <summary>
/// The <see cref="Vector{T}"/> twin of <see cref="NegativeCycleReference"/>: the CPU path. It relaxes
/// <see cref="Vector{T}.Count"/> destination nodes at once over the topology's sliced layout (nodes in in-degree order,
/// one row = one incoming slot of each node of a chunk; distances kept in that order and mapped back at the end): per row a gather of the sources' distances, an add, a compare and two selects, no
/// branch. Rows keep each node's slots in CSR order and the compare is strict, so ties go to the lowest slot as in the
/// reference, and the sums are the same IEEE additions: distances and predecessors are bit-identical to it.
/// The gather is four scalar loads packed into a vector, not AVX2's <c>vgatherdpd</c>: on this box's AMD EPYC the
/// hardware gather made the twin 0.83× the scalar reference, the packed loads 2.1× (NegativeCycleBenchmarks, quick run;
/// 3.3–3.6× once nodes were sorted by in-degree). Any thread (no shared state);
/// never allocates (scratch from the caller).
/// </summary>
public static class NegativeCycleSimd
{
    /// <summary>Same contract as <see cref="NegativeCycleReference.Relax"/>; <paramref name="scratch"/> holds <see cref="NegativeCycleTopology.SimdScratchLength"/> doubles.</summary>
    [SkipLocalsInit]
    public static unsafe NegativeCycleStatus Relax(
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

        if (scratch.Length < topology.SimdScratchLength || topology.Lanes != Vector<double>.Count)
        {
            return NegativeCycleStatus.OutputTooShort;
        }

        int n = topology.NodeCount;
        int padded = topology.PaddedNodeCount;
        int lanes = topology.Lanes;
        int cells = topology.RowSlot.Length;
        Span<double> a = scratch[..padded];
        Span<double> b = scratch.Slice(padded, padded);
        Span<long> pred = System.Runtime.InteropServices.MemoryMarshal.Cast<double, long>(scratch.Slice(2 * padded, padded));
        Span<double> rowWeight = scratch.Slice(3 * padded, cells);
        a.Clear();
        pred.Fill(-1);
        double* lane = stackalloc double[lanes];

        fixed (double* pa = a, pb = b, pw = weight, prw = rowWeight)
        fixed (long* pp = pred, pslot = topology.RowSlot)
        fixed (int* pfrom = topology.RowFrom, pwi = topology.RowWeightIndex, rowStart = topology.ChunkRowStart)
        {
            // The weights in row order, once per call: unusable ones and pads become +∞, which never relaxes.
            var max = new Vector<double>(NegativeCycleLimits.MaxWeight);
            var min = new Vector<double>(-NegativeCycleLimits.MaxWeight);
            var infinity = new Vector<double>(double.PositiveInfinity);
            var zero = Vector<long>.Zero;
            for (int cell = 0; cell < cells; cell += lanes)
            {
                Vector<double> w = Gather(pw, pwi + cell, lane);
                Vector<long> ok = Vector.GreaterThanOrEqual(w, min) & Vector.LessThanOrEqual(w, max)
                    & Vector.GreaterThanOrEqual(Vector.Load(pslot + cell), zero);
                Vector.ConditionalSelect(ok, w, infinity).Store(prw + cell);
            }

            double* current = pa;
            double* next = pb;
            int chunks = topology.ChunkCount;
            for (int r = 0; r < rounds; r++)
            {
                for (int c = 0; c < chunks; c++)
                {
                    int at = c * lanes;
                    Vector<double> best = Vector.Load(current + at);
                    Vector<long> bestSlot = Vector.Load(pp + at);
                    int end = rowStart[c + 1] * lanes;
                    for (int cell = rowStart[c] * lanes; cell < end; cell += lanes)
                    {
                        Vector<double> candidate = Gather(current, pfrom + cell, lane) + Vector.Load(prw + cell);
                        Vector<long> better = Vector.LessThan(candidate, best);
                        best = Vector.ConditionalSelect(better, candidate, best);
                        bestSlot = Vector.ConditionalSelect(better, Vector.Load(pslot + cell), bestSlot);
                    }

                    best.Store(next + at);
                    bestSlot.Store(pp + at);
                }

                double* swap = current;
                current = next;
                next = swap;
            }

            fixed (int* position = topology.Position)
            {
                for (int v = 0; v < n; v++)
                {
                    distance[v] = current[position[v]];
                    predecessor[v] = (int)pp[position[v]];
                }
            }
        }

        return NegativeCycleStatus.Ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<double> Gather(double* source, int* index, double* lane)
    {
        if (Vector<double>.Count == 4)
        {
            return Vector256.Create(source[index[0]], source[index[1]], source[index[2]], source[index[3]]).AsVector();
        }

        for (int i = 0; i < Vector<double>.Count; i++)
        {
            lane[i] = source[index[i]];
        }

        return Vector.Load(lane);
    }
}
