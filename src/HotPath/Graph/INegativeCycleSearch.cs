namespace LowLatency.HotPath.Graph;

/// <summary>
/// Hop-bounded Bellman-Ford relaxation over a graph in incoming-edge CSR form, from a virtual source joined to every
/// node at weight 0. Implemented in src/Kernels/NegativeCycle (scalar reference, <c>Vector&lt;T&gt;</c> twin, ILGPU);
/// HotPath knows only this shape. Strategy thread; implementations must not allocate per call.
/// </summary>
/// <remarks>
/// Layout: node <c>v</c>'s incoming edges are CSR slots <c>[incomingStart[v], incomingStart[v + 1])</c>, slot <c>k</c> leaving
/// <c>edgeFrom[k]</c> with weight <c>edgeWeight[k]</c> (+∞ = unusable). Each round is synchronous (Jacobi): every node
/// takes the smallest <c>distance[from] + weight</c> of the previous round when it is strictly below its own, the lowest
/// slot winning a tie, and records that slot in <c>predecessor</c> (−1 while a node keeps its start value).
/// </remarks>
public interface INegativeCycleSearch
{
    /// <summary>
    /// Runs <paramref name="rounds"/> rounds. True when it ran; false when it refused the call (bad shape or spans, a
    /// shape beyond its capacity): <paramref name="distance"/> and <paramref name="predecessor"/> then mean "not
    /// evaluated". Never throws for a refused call.
    /// </summary>
    bool Relax(
        int nodes,
        int rounds,
        ReadOnlySpan<int> incomingStart,
        ReadOnlySpan<int> edgeFrom,
        ReadOnlySpan<double> edgeWeight,
        Span<double> distance,
        Span<int> predecessor);
}
