namespace LowLatency.HotPath.Strategy;

/// <summary>
/// Turns an atomic graph opportunity (every leg a pool on one chain: a DEX-DEX route or a DEX cycle) into a signed
/// bundle. Called by the strategy thread right after the opportunity was published; must not allocate, block or throw
/// (a failure is counted by the implementation). Inventory opportunities (CEX or cross-chain legs) never reach it.
/// </summary>
public interface IAtomicBundler
{
    /// <param name="opportunity">The sized, costed opportunity (its <see cref="Opportunity.Path"/> are venue-graph edges).</param>
    /// <param name="chain">The graph chain index every leg trades on.</param>
    void OnAtomic(in Opportunity opportunity, int chain);
}
