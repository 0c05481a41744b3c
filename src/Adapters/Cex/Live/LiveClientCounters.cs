namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// What one venue connection saw. Written by the connection's receive loop; read by any thread (each field an aligned
/// <c>long</c>, read with <see cref="Volatile"/>: a little stale, never torn).
/// </summary>
public sealed class LiveClientCounters
{
    internal long FramesField;
    internal long BytesField;
    internal long PublishedField;
    internal long RejectedField;
    internal long IgnoredField;
    internal long OversizedField;
    internal long SlowPathField;
    internal long ConnectsField;
    internal long ReconnectsField;
    internal long StaleHeartbeatsField;
    internal long VenueErrorsField;
    internal long RejectedSubscriptionsField;
    internal long SnapshotsRequestedField;
    internal long SnapshotsPublishedField;
    internal long SnapshotFailuresField;
    internal long RateLimitedField;
    internal long ResubscribesField;
    internal long BackPressureField;
    internal long PingsSentField;
    internal long RenewalsField;
    internal long RenewalFallbacksField;
    internal long HandoverDroppedField;

    /// <summary>WebSocket messages received whole.</summary>
    public long Frames => Volatile.Read(ref FramesField);

    /// <summary>Bytes of those messages.</summary>
    public long Bytes => Volatile.Read(ref BytesField);

    /// <summary>Messages published into the market ring (stream frames and REST snapshots).</summary>
    public long Published => Volatile.Read(ref PublishedField);

    /// <summary>Frames the parser rejected (counted per error in the parser's counters).</summary>
    public long Rejected => Volatile.Read(ref RejectedField);

    /// <summary>Frames recognised and not consumed (acks, trades, pongs, other channels).</summary>
    public long Ignored => Volatile.Read(ref IgnoredField);

    /// <summary>Messages longer than the frame limit, dropped whole (read to their end, never parsed).</summary>
    public long Oversized => Volatile.Read(ref OversizedField);

    /// <summary>Messages that did not fit the receive buffer and were assembled on the slow path.</summary>
    public long SlowPath => Volatile.Read(ref SlowPathField);

    /// <summary>Successful connections (the first one included).</summary>
    public long Connects => Volatile.Read(ref ConnectsField);

    /// <summary>Connections lost or dropped by us after a fault (close, error, stall, forced 24-hour renewal).</summary>
    public long Reconnects => Volatile.Read(ref ReconnectsField);

    /// <summary>Connections dropped because nothing (data, pong, heartbeat) arrived within the venue's staleness limit.</summary>
    public long StaleHeartbeats => Volatile.Read(ref StaleHeartbeatsField);

    /// <summary>Error messages from the venue (<c>{"code":..,"msg":..}</c>, OKX <c>{"event":"error"}</c>, Kraken <c>status:error</c>).</summary>
    public long VenueErrors => Volatile.Read(ref VenueErrorsField);

    /// <summary>Subscriptions the venue refused (the connection is dropped and subscribed again after back-off).</summary>
    public long RejectedSubscriptions => Volatile.Read(ref RejectedSubscriptionsField);

    /// <summary>REST snapshots requested.</summary>
    public long SnapshotsRequested => Volatile.Read(ref SnapshotsRequestedField);

    /// <summary>REST snapshots parsed and published.</summary>
    public long SnapshotsPublished => Volatile.Read(ref SnapshotsPublishedField);

    /// <summary>REST snapshots that failed (HTTP error, unreadable or rejected body).</summary>
    public long SnapshotFailures => Volatile.Read(ref SnapshotFailuresField);

    /// <summary>REST answers 429/418: the venue's <c>Retry-After</c> was obeyed before the next request.</summary>
    public long RateLimited => Volatile.Read(ref RateLimitedField);

    /// <summary>In-band resyncs: a book resubscribed to get the venue's fresh snapshot (OKX, Kraken).</summary>
    public long Resubscribes => Volatile.Read(ref ResubscribesField);

    /// <summary>Times the market ring was full and the publish was retried (market data is never dropped for room).</summary>
    public long BackPressure => Volatile.Read(ref BackPressureField);

    /// <summary>Application-level pings sent (OKX <c>ping</c>, Kraken <c>{"event":"ping"}</c>).</summary>
    public long PingsSent => Volatile.Read(ref PingsSentField);

    /// <summary>Connections renewed by overlap: every book moved to the new connection, the old one closed.</summary>
    public long Renewals => Volatile.Read(ref RenewalsField);

    /// <summary>Renewals in which a book could not be bridged in time and moved by a resync instead.</summary>
    public long RenewalFallbacks => Volatile.Read(ref RenewalFallbacksField);

    /// <summary>Book messages dropped during a renewal because the other connection fed that book at the time.</summary>
    public long HandoverDropped => Volatile.Read(ref HandoverDroppedField);

    internal static void Add(ref long field, long value = 1) => Interlocked.Add(ref field, value);
}
