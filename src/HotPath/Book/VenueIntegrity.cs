namespace LowLatency.HotPath.Book;

/// <summary>
/// Integrity counters of one venue, summed over its books: what the risk gate uses to quarantine a venue whose books
/// are not trustworthy. Written by the strategy thread; <see cref="BookSet.Integrity"/> returns a copy (fields may be
/// read a little stale on other threads, never torn: each is an aligned <c>long</c>).
/// </summary>
public struct VenueIntegrity
{
    /// <summary>Sequence gaps detected (each one resyncs a book).</summary>
    public long Gaps;

    /// <summary>Venue checksum mismatches (each one resyncs a book).</summary>
    public long ChecksumFailures;

    /// <summary>Books found crossed after a message (each one resyncs the book).</summary>
    public long CrossedBooks;

    /// <summary>Deltas and tops dropped while live as duplicate, stale or out of order.</summary>
    public long StaleDrops;

    /// <summary>Transitions of a book into resync.</summary>
    public long Resyncs;

    /// <summary>Buffered messages dropped because a pending buffer was full.</summary>
    public long PendingOverflows;

    /// <summary>Snapshots applied.</summary>
    public long Snapshots;

    /// <summary>
    /// REST snapshots ignored because they were older than what their book had already applied (Binance
    /// <c>lastUpdateId</c> below the book's last update id). Not in <see cref="Errors"/>: the book was not touched and
    /// stays trustworthy; the count says the snapshot source lags behind the stream.
    /// </summary>
    public long StaleSnapshots;

    /// <summary>Sum of the error counters (everything except snapshots, applied or stale).</summary>
    public readonly long Errors => Gaps + ChecksumFailures + CrossedBooks + StaleDrops + PendingOverflows;
}
