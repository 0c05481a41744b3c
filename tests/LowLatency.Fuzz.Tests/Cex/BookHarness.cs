using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Fuzz.Tests.Engine;

namespace LowLatency.Fuzz.Tests.Cex;

/// <summary>
/// Books behind a parser, fed the way the replay feeds them (parse → slots → <see cref="OrderBookHandler"/>), with the
/// two checks the fuzz targets need: a fingerprint of every observable book state (to prove a rejected frame changed
/// nothing) and the invariants every book keeps whatever it is fed. Single-threaded; allocation-free after construction
/// apart from the fingerprint.
/// </summary>
internal sealed class BookHarness
{
    private readonly TickEvent[] _slots;
    private readonly OrderBookHandler _handler;
    private long _sequence;

    /// <param name="specs">The books.</param>
    /// <param name="slots">Slot buffer to publish through (share one between harnesses made per case); 1024 slots hold any message.</param>
    public BookHarness(IReadOnlyList<BookSpec> specs, TickEvent[]? slots = null)
    {
        _slots = slots ?? new TickEvent[1024];
        Books = new BookSet(specs);
        _handler = Books.CreateHandler();
        Venues = [.. specs.Select(s => s.Venue).Distinct()];
        Seal();
    }

    public BookSet Books { get; }

    private VenueId[] Venues { get; }

    /// <summary>Publishes a parsed message into the books, chunk by chunk, as one batch.</summary>
    public void Publish(BookMessage message)
    {
        int n = FramePublisher.Write(message, _slots);
        Invariant.That(n > 0, "slots: message needs more slots than any venue message can");
        for (int k = 0; k < n; k++)
        {
            _handler.OnEvent(ref _slots[k], _sequence++, endOfBatch: k == n - 1);
        }
    }

    /// <summary>
    /// Puts a book into a known live state: a snapshot of <paramref name="levels"/> with update id
    /// <paramref name="lastUpdateId"/> (the next delta is then checked against it).
    /// </summary>
    public void Prime(BookMessage scratch, VenueId venue, InstrumentId instrument, long lastUpdateId, ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks)
    {
        scratch.Reset();
        scratch.Kind = TickKind.Snapshot;
        scratch.Venue = venue;
        scratch.Instrument = instrument;
        scratch.FirstUpdateId = lastUpdateId;
        scratch.LastUpdateId = lastUpdateId;
        foreach (BookLevel level in bids)
        {
            scratch.TryAdd(Side.Bid, level.Price, level.Quantity);
        }

        foreach (BookLevel level in asks)
        {
            scratch.TryAdd(Side.Ask, level.Price, level.Quantity);
        }

        Publish(scratch);
    }

    /// <summary>The fingerprint taken by the last <see cref="Seal"/>: the state a frame that is not a message must leave.</summary>
    public ulong Sealed { get; private set; }

    /// <summary>Records the current state as the one the next frame starts from.</summary>
    public void Seal() => Sealed = Fingerprint();

    /// <summary>
    /// A 64-bit digest of every observable field of every book, top and venue counter and of the handler's counters
    /// (computed, not stored: a Kraken harness holds ten books of up to 2,000 levels).
    /// </summary>
    public ulong Fingerprint()
    {
        ulong h = 0x84222325CBF29CE4UL;
        Mix(ref h, Books.UnroutedEvents);
        Mix(ref h, Books.BrokenChunkSequences);
        for (int i = 0; i < Books.Count; i++)
        {
            ref readonly BookSyncState s = ref Books.State(i);
            BookCounters c = s.Counters;
            MixAll(ref h, (long)s.Status, s.AwaitingFirstDelta ? 1 : 0, s.LastUpdateId, s.TruncateDepth, Books.NeedsSnapshot(i) ? 1 : 0);
            MixAll(ref h, c.DeltasApplied, c.SnapshotsApplied, c.StaleDropped, c.PreSnapshotDropped, c.Gaps);
            MixAll(ref h, c.ChecksumFailures, c.Crossed, c.Resyncs, c.PendingOverflows, c.TopsApplied);
            ref readonly TopOfBook top = ref Books.Top(i);
            MixAll(ref h, c.TopsDropped, top.IsSet ? 1 : 0, top.Bid.Price.Raw, top.Bid.Quantity.Raw, top.Ask.Price.Raw);
            L2Book book = Books.Book(i);
            MixAll(ref h, top.Ask.Quantity.Raw, top.LastUpdateId, top.ExchangeTimeNs, book.BidCount, book.AskCount);
            Mix(ref h, book.TruncatedLevels);
            foreach (BookLevel l in book.Bids)
            {
                Mix(ref h, l.Price.Raw);
                Mix(ref h, l.Quantity.Raw);
            }

            foreach (BookLevel l in book.Asks)
            {
                Mix(ref h, l.Price.Raw);
                Mix(ref h, l.Quantity.Raw);
            }
        }

        foreach (VenueId venue in Venues)
        {
            VenueIntegrity v = Books.Integrity(venue);
            MixAll(ref h, v.Gaps, v.ChecksumFailures, v.CrossedBooks, v.StaleDrops, v.Resyncs);
            MixAll(ref h, v.PendingOverflows, v.Snapshots);
        }

        return h;
    }

    private static void MixAll(ref ulong h, long a, long b, long c = 0, long d = 0, long e = 0)
    {
        Mix(ref h, a);
        Mix(ref h, b);
        Mix(ref h, c);
        Mix(ref h, d);
        Mix(ref h, e);
    }

    // FNV-1a over 64-bit words: one multiply per value keeps a ten-book fingerprint in tens of microseconds.
    private static void Mix(ref ulong h, long value) => h = (h ^ (ulong)value) * 0x100000001B3UL;

    /// <summary>What holds for every book after any sequence of messages.</summary>
    public void CheckInvariants() => CheckInvariants(Books);

    /// <inheritdoc cref="CheckInvariants()"/>
    public static void CheckInvariants(BookSet books)
    {
        ArgumentNullException.ThrowIfNull(books);
        BookSet Books = books;
        for (int i = 0; i < Books.Count; i++)
        {
            L2Book book = Books.Book(i);
            ref readonly BookSyncState state = ref Books.State(i);
            CheckSide(book.Bids, descending: true, "book bids");
            CheckSide(book.Asks, descending: false, "book asks");
            Invariant.That(book.BidCount <= book.Capacity && book.AskCount <= book.Capacity, "book: more levels than its capacity");
            Invariant.That(state.TruncateDepth <= 0 || (book.BidCount <= state.TruncateDepth && book.AskCount <= state.TruncateDepth),
                "book: deeper than its truncation depth");
            Invariant.That(state.Status != BookStatus.Live || !book.IsCrossed, "book: live and crossed (tradeable on a crossed book)");
            Invariant.That(Books.NeedsSnapshot(i) == (state.Status != BookStatus.Live), "book: NeedsSnapshot disagrees with the status");
            ref readonly TopOfBook top = ref Books.Top(i);
            Invariant.That(!top.IsSet || !top.Bid.Price.IsSet || !top.Ask.Price.IsSet || top.Bid.Price.Raw < top.Ask.Price.Raw, "top: crossed top of book accepted");
        }
    }

    private static void CheckSide(ReadOnlySpan<BookLevel> levels, bool descending, string what)
    {
        for (int i = 0; i < levels.Length; i++)
        {
            Invariant.That(levels[i].Price.Raw > 0, what + ": a price ≤ 0 in the book");
            Invariant.That(levels[i].Quantity.Raw > 0, what + ": a level with quantity ≤ 0 kept in the book");
            if (i > 0)
            {
                Invariant.That(descending ? levels[i].Price.Raw < levels[i - 1].Price.Raw : levels[i].Price.Raw > levels[i - 1].Price.Raw,
                    what + ": levels out of order");
            }
        }
    }
}
