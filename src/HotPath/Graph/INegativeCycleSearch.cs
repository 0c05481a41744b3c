namespace LowLatency.HotPath.Graph;

/// <summary>
/// Hop-bounded Bellman-Ford relaxation over a graph in incoming-edge CSR form, from a virtual source joined to every
/// node at weight 0. Implemented in src/Kernels/NegativeCycle (scalar reference, <c>Vector&lt;T&gt;</c> twin, ILGPU);
/// HotPath knows only this shape.
/// </summary>
/// <remarks>
/// Layout: node <c>v</c>'s incoming edges are CSR slots <c>[incomingStart[v], incomingStart[v + 1])</c>, slot <c>k</c> leaving
/// <c>edgeFrom[k]</c> with weight <c>edgeWeight[k]</c>. A weight is usable when it is finite and within ±1e6 (a rate of
/// e^±1e6 is a feed error); any other weight (+∞ for "no quote", NaN, −∞) is never relaxed. Every node starts at 0 with
/// no predecessor. Each round is synchronous (Jacobi): every node takes the smallest <c>distance[from] + weight</c> of
/// the previous round when it is strictly below its own, the lowest slot winning a tie, and records that slot in
/// <c>predecessor</c> (−1 while a node keeps its start value).
/// </remarks>
public interface INegativeCycleSearch
{
    /// <summary>
    /// The topology every later <see cref="Relax"/> runs on. Start-up thread (after the graph is frozen); may allocate,
    /// upload and throw <see cref="ArgumentException"/> on an invalid CSR or one beyond the implementation's capacity.
    /// </summary>
    void Prepare(int nodes, ReadOnlySpan<int> incomingStart, ReadOnlySpan<int> edgeFrom);

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds with the current weights (CSR order). True when it ran; false when it refused
    /// the call (no topology prepared, short spans, rounds outside [1, 1024]): <paramref name="distance"/> and
    /// <paramref name="predecessor"/> then mean "not evaluated". Strategy thread; never throws for a refused call and
    /// must not allocate per call.
    /// </summary>
    bool Relax(int rounds, ReadOnlySpan<double> edgeWeight, Span<double> distance, Span<int> predecessor);
}
