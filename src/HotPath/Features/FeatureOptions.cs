namespace LowLatency.HotPath.Features;

/// <summary>Settings the features depend on; part of a model's identity (written to its manifest). Immutable.</summary>
public sealed record FeatureOptions
{
    /// <summary>Net edge (bps) at or above which a step counts as an opportunity in <see cref="FeatureIndex.OpportunityRate64"/>.</summary>
    public double OpportunityThresholdBps { get; init; }

    /// <summary>Our decision-to-fill latency, which <see cref="FeatureIndex.LatencyRiskBps"/> scales volatility to.</summary>
    public double LatencyMs { get; init; } = 50;

    /// <summary>Trade size in quote currency for slippage and depth at size (e.g. 1,000 USD).</summary>
    public double NotionalQuote { get; init; } = 1_000;

    /// <summary>Throws on values no feature can be computed with. Start-up only.</summary>
    public void Validate()
    {
        if (!double.IsFinite(OpportunityThresholdBps))
        {
            throw new ArgumentOutOfRangeException(nameof(OpportunityThresholdBps), "must be finite");
        }

        if (!(LatencyMs >= 0 && LatencyMs < 3_600_000))
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyMs), "must be in [0, 1 h)");
        }

        if (!(NotionalQuote > 0 && double.IsFinite(NotionalQuote)))
        {
            throw new ArgumentOutOfRangeException(nameof(NotionalQuote), "must be positive");
        }
    }
}
