namespace LowLatency.Adapters.Cluster;

/// <summary>
/// Where the cluster is and who this node is, plus the global limits every node must agree on (the first node writes
/// them to the limits bucket; a node configured otherwise refuses to trade rather than guess which is right).
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>NATS server URL(s), comma-separated: nats://host:4222.</summary>
    public required string Url { get; init; }

    /// <summary>This node's name: 1–32 of [A-Za-z0-9_-] (it is part of stream subjects and KV keys).</summary>
    public required string Node { get; init; }

    /// <summary>Names of the assets the lease's exposure slots cover (index = the hot path's asset id).</summary>
    public IReadOnlyList<string> Assets { get; init; } = ["BTC", "ETH"];

    /// <summary>Names of the venues the lease's exposure slots cover (index = the hot path's venue id).</summary>
    public IReadOnlyList<string> Venues { get; init; } = ["binance", "okx"];

    /// <summary>Global open exposure limit per (asset, venue), USD, across all nodes.</summary>
    public double ExposureLimitUsd { get; init; } = 50_000;

    /// <summary>Global traded notional limit per UTC day, USD, across all nodes.</summary>
    public double DailyNotionalLimitUsd { get; init; } = 1_000_000;

    /// <summary>Global net loss limit per UTC day, USD, across all nodes.</summary>
    public double DailyLossLimitUsd { get; init; } = 5_000;

    /// <summary>How much headroom a node asks for beyond what it uses, as a fraction of each limit.</summary>
    public double LeaseChunkFraction { get; init; } = 0.1;

    /// <summary>
    /// The least headroom asked on an exposure or notional slot, USD: the engine's largest single action (its per-trade
    /// cap), so one trade bigger than a chunk of the limit can still be approved. Capped at the limit; 0: chunks only.
    /// </summary>
    public double MinChunkUsd { get; init; }

    /// <summary>
    /// The least headroom asked on the day's notional slot, USD, where it is more than <see cref="MinChunkUsd"/>: the
    /// largest flash-loan bundle this node may send, which takes its notional from that slot alone. 0: none.
    /// </summary>
    public double MinNotionalChunkUsd { get; init; }

    /// <summary>How often the refiller confirms and tops up the lease.</summary>
    public TimeSpan RefillInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a confirmed lease may be used without another confirmation; then the node stops trading.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the node publishes its state (heartbeat for the cluster view).</summary>
    public TimeSpan StateInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Queued stream messages at which trading pauses (the publisher is behind); resumes at a quarter of it.</summary>
    public int PublishHighWater { get; init; } = 16_384;

    /// <summary>
    /// Copies of each stream and bucket on a NATS cluster (1 on one server; 3 on a 3-server cluster keeps the limits
    /// and fills through the loss of one). Set alike on every node: the first creates them.
    /// </summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Signing-account lease: how long an owner holds an account without renewing it.</summary>
    public TimeSpan AccountLeaseTtl { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Every problem, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Url))
        {
            errors.Add("cluster: the NATS URL is empty");
        }
        else
        {
            foreach (var part in Url.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != "nats" && uri.Scheme != "tls") || string.IsNullOrEmpty(uri.Host))
                {
                    errors.Add("cluster: '" + Redact(part) + "' is not a nats://host:port URL");
                }
            }
        }

        if (!IsName(Node))
        {
            errors.Add("node: must be 1-32 characters of A-Z, a-z, 0-9, '_' or '-'");
        }

        if (Replicas is < 1 or > 5)
        {
            errors.Add("cluster: replicas must be 1 to 5 (JetStream's limit)");
        }

        if (Assets.Count == 0 || Venues.Count == 0)
        {
            errors.Add("cluster: at least one asset and one venue");
        }

        foreach (var n in Assets.Concat(Venues))
        {
            if (!IsName(n))
            {
                errors.Add("cluster: asset/venue name '" + n + "' must be 1-32 characters of A-Z, a-z, 0-9, '_' or '-'");
            }
        }

        Positive(errors, ExposureLimitUsd, "cluster.exposureLimitUsd");
        Positive(errors, DailyNotionalLimitUsd, "cluster.dailyNotionalLimitUsd");
        Positive(errors, DailyLossLimitUsd, "cluster.dailyLossLimitUsd");
        if (!(LeaseChunkFraction > 0 && LeaseChunkFraction <= 1))
        {
            errors.Add("cluster.leaseChunkFraction: must be in (0, 1]");
        }

        if (!(MinChunkUsd >= 0 && double.IsFinite(MinChunkUsd) && MinNotionalChunkUsd >= 0 && double.IsFinite(MinNotionalChunkUsd)))
        {
            errors.Add("cluster: the least lease chunk must be a finite USD amount of 0 or more");
        }

        if (RefillInterval <= TimeSpan.Zero || LeaseTtl <= RefillInterval * 2)
        {
            errors.Add("cluster.leaseTtl: must be more than twice the refill interval");
        }

        if (PublishHighWater < 4)
        {
            errors.Add("cluster.publishHighWater: must be at least 4");
        }

        return errors;
    }

    internal static bool IsName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 32)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    // A URL may carry user:password; an error message never repeats it.
    private static string Redact(string url)
    {
        int at = url.IndexOf('@', StringComparison.Ordinal);
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? url[..(scheme + 3)] + "***" + url[at..] : url;
    }

    private static void Positive(List<string> errors, double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            errors.Add(name + ": must be a positive number");
        }
    }
}
