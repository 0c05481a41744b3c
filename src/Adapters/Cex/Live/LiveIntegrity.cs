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

    /// <summary>The same over every connection of one venue (its streams split over several): connection counters summed.</summary>
    public static IntegritySample Sample(IReadOnlyList<IMarketDataClient> clients, BookSet books)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(books);
        if (clients.Count == 1)
        {
            return Sample(clients[0], books);
        }

        VenueIntegrity integrity = books.Integrity(clients[0].Venue);
        long stale = 0, reconnects = 0, rejected = 0;
        bool connected = true;
        foreach (IMarketDataClient client in clients)
        {
            LiveClientCounters c = client.Counters;
            stale += c.StaleHeartbeats;
            reconnects += c.Reconnects;
            rejected += c.Rejected + c.Oversized;
            connected &= client.State is LiveConnectionState.Live or LiveConnectionState.Resync;
        }

        return new IntegritySample(integrity.Gaps, integrity.ChecksumFailures, stale, reconnects, rejected, connected);
    }
}
