using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>Per-book counters. Written by the strategy thread; readers on other threads may see them slightly stale.</summary>
public struct BookCounters
{
    /// <summary>Delta messages applied to the book.</summary>
    public long DeltasApplied;

    /// <summary>Snapshots applied (each one (re)synchronises the book).</summary>
    public long SnapshotsApplied;

    /// <summary>Snapshots ignored as older than the book's last applied update (the book kept its state).</summary>
    public long StaleSnapshots;

    /// <summary>Deltas dropped while live as duplicate or out of order (counts against the venue).</summary>
    public long StaleDropped;

    /// <summary>Buffered deltas older than the snapshot that were discarded on sync (normal bootstrap, not an error).</summary>
    public long PreSnapshotDropped;

    /// <summary>Sequence gaps detected.</summary>
    public long Gaps;

    /// <summary>Venue checksum mismatches.</summary>
    public long ChecksumFailures;

    /// <summary>Times the book was found crossed after a message.</summary>
    public long Crossed;

    /// <summary>Transitions into <see cref="BookStatus.Resync"/>.</summary>
    public long Resyncs;

    /// <summary>Buffered messages dropped because the pending buffer was full.</summary>
    public long PendingOverflows;

    /// <summary>Top-of-book (bookTicker) updates accepted.</summary>
    public long TopsApplied;

    /// <summary>Top-of-book updates dropped as stale/duplicate (id not above the last one) or crossed.</summary>
    public long TopsDropped;
}

/// <summary>
/// The synchronisation state of one book: status, last applied venue update id, the pending buffer of deltas that
/// arrive before the snapshot, and counters. Lives in a <see cref="BookSet"/> array; passed by <c>ref</c> to the
/// static rule classes (<c>XxxBookRules.OnSnapshot/OnDelta/VerifyChecksum</c>). Strategy thread only.
/// </summary>
public struct BookSyncState
{
    /// <summary>The venue rules this book follows.</summary>
    public SequenceRule Rule;

    /// <summary>Life-cycle status; the handler owns transitions, rules only return verdicts.</summary>
    public BookStatus Status;

    /// <summary>
    /// Set by a rule's <c>OnSnapshot</c> when the next applied delta must "bridge" the snapshot
    /// (Binance: U ≤ lastUpdateId+1 ≤ u); cleared by <c>OnDelta</c> once one does.
    /// </summary>
    public bool AwaitingFirstDelta;

    /// <summary>The venue id of the last applied message (Binance <c>u</c> / <c>lastUpdateId</c>; OKX <c>seqId</c>).</summary>
    public long LastUpdateId;

    /// <summary>Fixed-point scale of prices in this book.</summary>
    public int PriceDecimals;

    /// <summary>Fixed-point scale of quantities in this book.</summary>
    public int QuantityDecimals;

    /// <summary>When &gt; 0 the book is truncated to this depth after every message.</summary>
    public int TruncateDepth;

    /// <summary>Index of the venue (its <see cref="VenueId.Value"/>), for integrity accounting.</summary>
    public VenueId Venue;

    /// <summary>The instrument of the book.</summary>
    public InstrumentId Instrument;

    /// <summary>Counters of this book.</summary>
    public BookCounters Counters;

    internal PendingBuffer Pending;
}
