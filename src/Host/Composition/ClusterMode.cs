using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cluster;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Lifecycle;

namespace LowLatency.Host.Composition;

/// <summary>
/// <c>run --cluster URL --node NAME</c>: the engine joins the cluster before it starts and leaves it after it stopped.
/// The lease's slots are the run's instruments × venues, named as the market names them (every node of one cluster
/// trades the same market names, so a slot means the same everywhere).
/// </summary>
internal static class ClusterMode
{
    /// <summary>Longest the join may take (connect, read this node's earlier fills, confirm the first lease).</summary>
    private static readonly TimeSpan s_joinGuard = TimeSpan.FromSeconds(20);

    /// <summary>Longest the leave waits to flush queued fills to the stream.</summary>
    private static readonly TimeSpan s_leaveGuard = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The cluster options of this run, or null on a single box; problems go to <paramref name="errors"/>. On live feeds
    /// the slots are the live market's instruments × venues (<paramref name="liveVenues"/>), else the simulated market's.
    /// </summary>
    public static ClusterOptions? TryBuild(string? url, string? node, EngineOptions options, bool replay, IReadOnlyList<LiveVenueOptions>? liveVenues, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (url is null && node is null)
        {
            return null;
        }

        if (url is null || node is null)
        {
            errors.Add("--cluster and --node go together: the NATS server and this engine's name in the cluster");
            return null;
        }

        if (replay)
        {
            errors.Add("--cluster: not with --replay (a replay trades on its own recorded clock, not the cluster's day)");
            return null;
        }

        string[] assets;
        string[] venues;
        if (options.MarketData == "live")
        {
            if (liveVenues is null)
            {
                return null; // the live venues did not build: their errors are said already
            }

            (venues, assets, _, _) = MarketLabels.Of(liveVenues);
        }
        else
        {
            assets = new string[options.Market.Instruments.Count];
            for (int i = 0; i < assets.Length; i++)
            {
                assets[i] = options.Market.Instruments[i].Symbol;
            }

            venues = new string[options.Market.Venues.Count];
            for (int v = 0; v < venues.Length; v++)
            {
                venues[v] = options.Market.Venues[v].Name;
            }
        }

        var cluster = new ClusterOptions
        {
            Url = url,
            Node = node,
            Assets = assets,
            Venues = venues,
            ExposureLimitUsd = options.Cluster.ExposureLimitUsd,
            DailyNotionalLimitUsd = options.Cluster.DailyNotionalLimitUsd,
            DailyLossLimitUsd = options.Cluster.DailyLossLimitUsd,
            Replicas = options.Cluster.Replicas,
            MinChunkUsd = options.Execution.Risk.MaxTradeNotionalUsd,
            MinNotionalChunkUsd = options.Mode == TradingMode.Live && ModeChecks.ExecutesOnChain(options) ? OnChainExecution.MaxBundleUsd : 0,
        };
        int before = errors.Count;
        foreach (string problem in cluster.Validate())
        {
            errors.Add(SecretRedaction.Redact(problem));
        }

        return errors.Count == before ? cluster : null;
    }

    /// <summary>A breaker's trip or reset as the cluster's breaker stream records it.</summary>
    public static Adapters.Cluster.Streams.BreakerRecord Breaker(HotPath.Risk.RiskAlert alert) =>
        new(RiskText.Reason(alert.Breaker), alert.Kind == HotPath.Risk.RiskAlertKind.Tripped ? "tripped" : "reset", alert.Subject, alert.Value, alert.Limit, alert.TimeNs);

    /// <summary>Joins; false with one line saying why (NATS unreachable, refused, too slow), and nothing left open.</summary>
    public static bool TryJoin(ClusterOptions options, [NotNullWhen(true)] out ClusterNode? node, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        node = null;
        try
        {
            using var guard = new CancellationTokenSource(s_joinGuard);
            node = ClusterNode.StartAsync(options, cancellationToken: guard.Token).GetAwaiter().GetResult();
            error = null;
            return true;
        }
        catch (Exception e)
        {
            // Whatever stops the join (a refused connection, a timeout, a server without JetStream) refuses the start:
            // one line, never a stack trace, and never a run that trades without its share of the limits.
            string why = e is OperationCanceledException ? $"no answer within {s_joinGuard.TotalSeconds:0} s" : e.Message.TrimEnd('.');
            error = SecretRedaction.Redact($"cannot join {Describe(options.Url)} as {options.Node}: {why}");
            return false;
        }
    }

    /// <summary>The start-up line.</summary>
    public static string Describe(ClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        ClusterOptions o = node.Options;
        return string.Create(CultureInfo.InvariantCulture,
            $"cluster: node {o.Node} joined {Describe(o.Url)}: {o.Assets.Count} instruments x {o.Venues.Count} venues, global limits exposure {o.ExposureLimitUsd} USD per instrument and venue, notional {o.DailyNotionalLimitUsd} USD and loss {o.DailyLossLimitUsd} USD a day; lease {node.TradingState}{UsedBefore(node.Publisher.DayNotionalAtStart)}");
    }

    // A restart's adoption, as counted: what the day's share is short of from the start.
    private static string UsedBefore(DayNotionalCount? count) => count is not { TotalUsd: > 0 } c ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; day's notional used before this start {c.TotalUsd:0.00} USD ({(c.FromReading ? "its lease's last reading" : "no reading of today")} + {c.FillsCountedByLeg} fills counted by leg)");

    /// <summary>Leaves (queued fills flushed, unused shares given back) and says what the node did.</summary>
    public static string Leave(ClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.StopAsync(s_leaveGuard).GetAwaiter().GetResult();
        var lease = node.Lease;
        return string.Create(CultureInfo.InvariantCulture,
            $"cluster: node {node.Options.Node} left: lease approved {lease.Approved}, refused {lease.Denied(HotPath.Risk.LeaseDenial.Expired)} expired, {lease.Denied(HotPath.Risk.LeaseDenial.Paused)} paused, {lease.Denied(HotPath.Risk.LeaseDenial.Exposure)} exposure, {lease.Denied(HotPath.Risk.LeaseDenial.DailyNotional)} daily notional, {lease.Denied(HotPath.Risk.LeaseDenial.DailyLoss)} daily loss; {Bundles(lease)}{node.Publisher.Queued} stream messages not acknowledged");
    }

    /// <summary>The on-chain bundles' part of the leave line, where the node sent or refused any ("" otherwise).</summary>
    private static string Bundles(HotPath.Risk.ClusterLease lease)
    {
        long expired = lease.AtomicDenied(HotPath.Risk.LeaseDenial.Expired), paused = lease.AtomicDenied(HotPath.Risk.LeaseDenial.Paused);
        long notional = lease.AtomicDenied(HotPath.Risk.LeaseDenial.DailyNotional), loss = lease.AtomicDenied(HotPath.Risk.LeaseDenial.DailyLoss);
        return lease.AtomicApproved + expired + paused + notional + loss == 0 ? ""
            : string.Create(CultureInfo.InvariantCulture, $"bundles approved {lease.AtomicApproved}, refused {expired} expired, {paused} paused, {notional} daily notional, {loss} daily loss; ");
    }

    /// <summary>The server list without any user:password part (a URL may carry credentials).</summary>
    public static string Describe(string urls)
    {
        var parts = urls.Split(',', StringSplitOptions.TrimEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            if (Uri.TryCreate(parts[i], UriKind.Absolute, out Uri? uri) && uri.UserInfo.Length > 0)
            {
                parts[i] = $"{uri.Scheme}://{uri.Authority}";
            }
        }

        return string.Join(",", parts);
    }
}
