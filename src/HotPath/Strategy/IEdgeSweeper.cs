namespace LowLatency.HotPath.Strategy;

/// <summary>
/// A full edge sweep over every (instrument, buy venue, sell venue) triple. Implemented in src/Kernels (CUDA, the
/// <c>Vector&lt;T&gt;</c> twin, the scalar reference); HotPath only knows this shape. Called on the strategy thread;
/// implementations must not allocate per call.
/// </summary>
/// <remarks>
/// Layout: quotes are [instrument * venues + venue]; outputs are [(instrument * venues + buyVenue) * venues + sellVenue].
/// A quote that is not usable (<see cref="EdgeMath.IsUsablePrice"/>) or buy == sell yields <see cref="EdgeMath.NoEdge"/> in both outputs.
/// </remarks>
public interface IEdgeSweeper
{
    /// <summary>
    /// Computes every pair's net and gross edge. Returns true when every output slot was computed; false when the
    /// sweeper refused the call (a shape beyond its capacity, short spans, a bad fee): both outputs then hold
    /// <see cref="EdgeMath.NoEdge"/>, which means "not evaluated", not "no edge" — the caller must evaluate another way.
    /// Never throws for a refused call.
    /// </summary>
    bool Sweep(
        int instruments,
        int venues,
        ReadOnlySpan<double> bid,
        ReadOnlySpan<double> ask,
        ReadOnlySpan<byte> tradeable,
        ReadOnlySpan<double> takerFee,
        Span<double> netBps,
        Span<double> grossBps);
}
