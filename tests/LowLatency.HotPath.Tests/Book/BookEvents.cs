using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book;

/// <summary>Builds ring slots for handler tests: whole-unit prices/quantities at 0 decimals, chunked 16 levels per slot.</summary>
internal sealed class BookEvents
{
    public static readonly VenueId Venue = new(3);
    public static readonly InstrumentId Instrument = new(7);

    private readonly TickEvent[] _slots = new TickEvent[64];
    private long _sequence;

    public BookEvents(SequenceRule rule, int pendingSlots = 64, int capacity = 256)
    {
        Books = new BookSet([new BookSpec(Venue, Instrument, rule, 0, 0, capacity, pendingSlots)]);
        Handler = Books.CreateHandler();
    }

    public BookSet Books { get; }

    public OrderBookHandler Handler { get; }

    public L2Book Book => Books.Book(0);

    public ref readonly BookSyncState State => ref Books.State(0);

    public VenueIntegrity Integrity => Books.Integrity(Venue);

    public void Snapshot(long lastUpdateId, (long P, long Q)[] bids, (long P, long Q)[] asks) =>
        Send(TickKind.Snapshot, lastUpdateId, lastUpdateId, 0, bids, asks);

    public void Delta(long first, long last, (long P, long Q)[] bids, (long P, long Q)[] asks, long prev = -1) =>
        Send(TickKind.Delta, first, last, prev, bids, asks);

    public void Top(long id, long bid, long ask)
    {
        TickEvent e = default;
        e.Kind = TickKind.Top;
        e.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        e.Venue = Venue;
        e.Instrument = Instrument;
        e.LastUpdateId = id;
        e.FirstUpdateId = id;
        e.BidCount = 1;
        e.AskCount = 1;
        e.Levels[0] = new BookLevel(new Price(bid), new Quantity(1));
        e.Levels[1] = new BookLevel(new Price(ask), new Quantity(1));
        Handler.OnEvent(ref e, _sequence++, endOfBatch: true);
    }

    /// <summary>An id-less update flagged <see cref="TickFlags.AfterLostMessage"/> (the live client's mark: the book lost its feed).</summary>
    public void Lost()
    {
        TickEvent e = default;
        e.Kind = TickKind.Delta;
        e.Flags = TickFlags.FirstChunk | TickFlags.LastChunk | TickFlags.AfterLostMessage;
        e.Venue = Venue;
        e.Instrument = Instrument;
        Handler.OnEvent(ref e, _sequence++, endOfBatch: true);
    }

    /// <summary>Delivers raw slots (for framing tests).</summary>
    public void Raw(ref TickEvent e, bool endOfBatch) => Handler.OnEvent(ref e, _sequence++, endOfBatch);

    public int Send(TickKind kind, long first, long last, long prev, (long P, long Q)[] bids, (long P, long Q)[] asks, bool endOfBatch = true)
    {
        int total = bids.Length + asks.Length;
        int chunks = Math.Max(1, (total + TickEvent.MaxLevels - 1) / TickEvent.MaxLevels);
        for (int c = 0; c < chunks; c++)
        {
            ref TickEvent e = ref _slots[c];
            e = default;
            e.Kind = kind;
            e.Venue = Venue;
            e.Instrument = Instrument;
            e.FirstUpdateId = first;
            e.LastUpdateId = last;
            if (prev >= 0)
            {
                e.PrevUpdateId = prev;
                e.Flags |= TickFlags.HasPrevUpdateId;
            }

            if (c == 0)
            {
                e.Flags |= TickFlags.FirstChunk;
            }

            if (c == chunks - 1)
            {
                e.Flags |= TickFlags.LastChunk;
            }

            int n = 0;
            int bidsHere = 0;
            for (int k = c * TickEvent.MaxLevels; k < Math.Min(total, (c + 1) * TickEvent.MaxLevels); k++)
            {
                var (p, q) = k < bids.Length ? bids[k] : asks[k - bids.Length];
                e.Levels[n++] = new BookLevel(new Price(p), new Quantity(q));
                if (k < bids.Length)
                {
                    bidsHere++;
                }
            }

            e.BidCount = (byte)bidsHere;
            e.AskCount = (byte)(n - bidsHere);
        }

        for (int c = 0; c < chunks; c++)
        {
            Handler.OnEvent(ref _slots[c], _sequence++, endOfBatch && c == chunks - 1);
        }

        return chunks;
    }
}
