using System.Numerics;

namespace LowLatency.Kernels.NegativeCycle;

/// <summary>
/// A validated incoming-edge CSR (see <see cref="LowLatency.HotPath.Graph.INegativeCycleSearch"/>) and the sliced
/// layout the SIMD twin reads: nodes sorted by in-degree, in chunks of <see cref="Lanes"/> (= <see cref="Vector{T}.Count"/>
/// doubles), each chunk's incoming slots as rows of one slot per node, padded to the chunk's largest in-degree (a pad
/// row lane reads position 0 at weight +∞ and never relaxes). Built once per topology on the start-up thread (allocates, throws on an
/// invalid CSR); immutable afterwards and safe to share.
/// </summary>
public sealed class NegativeCycleTopology
{
    public NegativeCycleTopology(int nodes, ReadOnlySpan<int> incomingStart, ReadOnlySpan<int> edgeFrom)
    {
        if (nodes < 0 || incomingStart.Length < nodes + 1)
        {
            throw new ArgumentException($"incomingStart needs {nodes + 1} entries for {nodes} nodes");
        }

        if (incomingStart[0] != 0)
        {
            throw new ArgumentException("incomingStart[0] must be 0");
        }

        for (int v = 0; v < nodes; v++)
        {
            if (incomingStart[v + 1] < incomingStart[v])
            {
                throw new ArgumentException($"incomingStart decreases at node {v}");
            }
        }

        int edges = incomingStart[nodes];
        if (edgeFrom.Length < edges)
        {
            throw new ArgumentException($"edgeFrom has {edgeFrom.Length} entries for {edges} edges");
        }

        for (int k = 0; k < edges; k++)
        {
            if ((uint)edgeFrom[k] >= (uint)nodes)
            {
                throw new ArgumentException($"edge slot {k} leaves node {edgeFrom[k]}, outside [0, {nodes})");
            }
        }

        NodeCount = nodes;
        EdgeCount = edges;
        IncomingStart = incomingStart[..(nodes + 1)].ToArray();
        EdgeFrom = edgeFrom[..edges].ToArray();

        int lanes = Vector<double>.Count;
        Lanes = lanes;
        int chunks = (nodes + lanes - 1) / lanes;
        ChunkCount = chunks;
        PaddedNodeCount = chunks * lanes;

        // Nodes sorted by in-degree (descending, then by id) so each chunk holds similar degrees and pads little
        // (200 nodes / 2,000 uniform edges: about 1.3 cells per slot in node order, 1.01–1.02 sorted). The twin works in
        // this order; only its output is mapped back, so results are the same node for node.
        Order = new int[nodes];
        Position = new int[nodes];
        for (int v = 0; v < nodes; v++)
        {
            Order[v] = v;
        }

        int[] start = IncomingStart;
        Array.Sort(Order, (x, y) =>
        {
            int byDegree = (start[y + 1] - start[y]).CompareTo(start[x + 1] - start[x]);
            return byDegree != 0 ? byDegree : x.CompareTo(y);
        });
        for (int p = 0; p < nodes; p++)
        {
            Position[Order[p]] = p;
        }

        ChunkRowStart = new int[chunks + 1];
        for (int c = 0; c < chunks; c++)
        {
            int rows = 0;
            for (int lane = 0; lane < lanes; lane++)
            {
                int p = (c * lanes) + lane;
                if (p < nodes)
                {
                    int v = Order[p];
                    rows = Math.Max(rows, IncomingStart[v + 1] - IncomingStart[v]);
                }
            }

            ChunkRowStart[c + 1] = ChunkRowStart[c] + rows;
        }

        int cells = ChunkRowStart[chunks] * lanes;
        RowFrom = new int[cells];
        RowSlot = new long[cells];
        RowWeightIndex = new int[cells];
        Array.Fill(RowSlot, -1L);
        for (int c = 0; c < chunks; c++)
        {
            for (int lane = 0; lane < lanes; lane++)
            {
                int p = (c * lanes) + lane;
                if (p >= nodes)
                {
                    continue;
                }

                int v = Order[p];
                for (int k = IncomingStart[v]; k < IncomingStart[v + 1]; k++)
                {
                    int cell = ((ChunkRowStart[c] + (k - IncomingStart[v])) * lanes) + lane;
                    RowFrom[cell] = Position[EdgeFrom[k]];
                    RowSlot[cell] = k;
                    RowWeightIndex[cell] = k;
                }
            }
        }
    }

    public int NodeCount { get; }

    public int EdgeCount { get; }

    public int[] IncomingStart { get; }

    public int[] EdgeFrom { get; }

    /// <summary>Vector lanes the sliced layout was built for.</summary>
    public int Lanes { get; }

    public int ChunkCount { get; }

    /// <summary>Nodes rounded up to whole chunks.</summary>
    public int PaddedNodeCount { get; }

    /// <summary>Chunk c's rows are [ChunkRowStart[c], ChunkRowStart[c + 1]).</summary>
    public int[] ChunkRowStart { get; }

    /// <summary>Node at each position of the twin's order (in-degree descending).</summary>
    public int[] Order { get; }

    /// <summary>Position of each node in the twin's order.</summary>
    public int[] Position { get; }

    /// <summary>Per row cell (row × lanes + lane): the position of the slot's source node (0 on a pad).</summary>
    public int[] RowFrom { get; }

    /// <summary>Per row cell: the CSR slot, or −1 on a pad (long: it is selected beside the doubles' lane masks).</summary>
    public long[] RowSlot { get; }

    /// <summary>Per row cell: the slot whose weight to gather (0 on a pad, masked out by <see cref="RowSlot"/>).</summary>
    public int[] RowWeightIndex { get; }

    /// <summary>Padded cells over real slots: what the sliced layout wastes.</summary>
    public double PaddingRatio => EdgeCount == 0 ? 1 : RowSlot.Length / (double)EdgeCount;

    /// <summary>Doubles of scratch the reference needs: one distance buffer.</summary>
    public int ReferenceScratchLength => Math.Max(1, NodeCount);

    /// <summary>Doubles of scratch the SIMD twin needs: two padded distance buffers, the predecessors as longs and the weights in row order.</summary>
    public int SimdScratchLength => (3 * PaddedNodeCount) + RowSlot.Length;
}
