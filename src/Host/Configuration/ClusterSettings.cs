namespace LowLatency.Host.Configuration;

/// <summary>
/// The global limits of cluster mode (<c>run --cluster URL --node NAME</c>), shared by every engine on one treasury.
/// Every node must be configured alike: the first writes them to the limits bucket, and a node that disagrees never
/// confirms a lease, so it does not trade (rather than guess which is right). Unused on a single box.
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>Open exposure per (instrument, venue) across all nodes, USD.</summary>
    public double ExposureLimitUsd { get; init; } = 50_000;

    /// <summary>Traded notional per UTC day across all nodes, USD.</summary>
    public double DailyNotionalLimitUsd { get; init; } = 1_000_000;

    /// <summary>Net loss per UTC day across all nodes, USD.</summary>
    public double DailyLossLimitUsd { get; init; } = 5_000;

    /// <summary>
    /// Copies of each stream and bucket: 1 on one NATS server, 3 on a 3-server cluster (JetStream keeps R3 through the
    /// loss of one server; the cluster README, "On a NATS cluster").
    /// </summary>
    public int Replicas { get; init; } = 1;

    /// <summary>
    /// How long one hold of a chain's trading account lasts, seconds (renewed every third of it): the owner signs until a
    /// third before its expiry, and a standby takes the account once it ran out, so this bounds the failover time.
    /// </summary>
    public double AccountLeaseSeconds { get; init; } = 10;

    /// <summary>Every problem, each named by its JSON path.</summary>
    public IEnumerable<string> Validate(string path)
    {
        if (!(ExposureLimitUsd > 0 && double.IsFinite(ExposureLimitUsd)))
        {
            yield return $"{path}.exposureLimitUsd: {ExposureLimitUsd} must be a positive number of USD";
        }

        if (!(DailyNotionalLimitUsd > 0 && double.IsFinite(DailyNotionalLimitUsd)))
        {
            yield return $"{path}.dailyNotionalLimitUsd: {DailyNotionalLimitUsd} must be a positive number of USD";
        }

        if (Replicas is < 1 or > 5)
        {
            yield return $"{path}.replicas: {Replicas} must be 1 to 5";
        }

        if (!(AccountLeaseSeconds is >= 1 and <= 600))
        {
            yield return $"{path}.accountLeaseSeconds: {AccountLeaseSeconds} must be 1 to 600 seconds";
        }

        if (!(DailyLossLimitUsd > 0 && double.IsFinite(DailyLossLimitUsd)))
        {
            yield return $"{path}.dailyLossLimitUsd: {DailyLossLimitUsd} must be a positive number of USD";
        }
    }
}
