using LowLatency.HotPath.Book;
using LowLatency.HotPath.Integrity;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>The integrity inputs of a live venue: its books' counters and its connection's.</summary>
public static class LiveIntegrity
{
    /// <summary>
    /// Cumulative counters of <paramref name="client"/>'s venue now: gaps and checksum failures from the books, stale
    /// heartbeats, reconnects and rejected or oversized frames from the connection. Any thread; allocation-free.
    /// </summary>
    public static IntegritySample Sample(IMarketDataClient client, BookSet books)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(books);
        VenueIntegrity integrity = books.Integrity(client.Venue);
        LiveClientCounters c = client.Counters;
        return new IntegritySample(
            integrity.Gaps,
            integrity.ChecksumFailures,
            c.StaleHeartbeats,
            c.Reconnects,
            c.Rejected + c.Oversized,
            client.State is LiveConnectionState.Live or LiveConnectionState.Resync);
    }
}
