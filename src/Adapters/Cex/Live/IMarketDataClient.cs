using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>Where a venue connection stands, as the summary line prints it.</summary>
public enum LiveConnectionState
{
    /// <summary>Not connected yet, or connecting again after a fault (back-off included).</summary>
    Connecting = 0,

    /// <summary>Connected and subscribed; every book of the connection is synchronised.</summary>
    Live = 1,

    /// <summary>Connected, but at least one book waits for a snapshot (start-up or after a gap).</summary>
    Resync = 2,

    /// <summary>Stopped: cancelled by the caller.</summary>
    Stopped = 3,
}

/// <summary>
/// A venue's market data (DESIGN §5): connects, subscribes, keeps its books synchronised (snapshots, resubscribes) and
/// publishes every parsed message into the market ring. Adapters never call strategies; faults stay inside (reconnect,
/// back-off, resync) and surface as <see cref="State"/> and <see cref="Counters"/>.
/// </summary>
public interface IMarketDataClient
{
    /// <summary>The venue name from configuration.</summary>
    string Name { get; }

    /// <summary>The venue id written into every published message.</summary>
    VenueId Venue { get; }

    /// <summary>Where the connection stands. Any thread.</summary>
    LiveConnectionState State { get; }

    /// <summary>Frames, drops, reconnects, snapshots, back-pressure. Any thread (values may be a little stale).</summary>
    LiveClientCounters Counters { get; }

    /// <summary>
    /// Runs the connection until <paramref name="cancellationToken"/> is cancelled: connect, subscribe, receive, parse,
    /// publish; on any fault back off (jittered, exponential) and connect again. Never throws on venue or network
    /// faults; completes when cancelled. One call per client.
    /// </summary>
    Task RunAsync(CancellationToken cancellationToken);
}
