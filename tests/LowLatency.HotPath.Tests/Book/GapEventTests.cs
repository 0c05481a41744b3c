using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book;

public sealed class GapEventTests
{
    private static readonly VenueId s_venue = new(1);
    private static readonly InstrumentId s_instrument = new(0);

    private static TickEvent Event(TickKind kind, long id = 0)
    {
        var e = new TickEvent
        {
            Kind = kind,
            Flags = TickFlags.FirstChunk | TickFlags.LastChunk,
            Venue = s_venue,
            Instrument = s_instrument,
            FirstUpdateId = id,
            LastUpdateId = id,
        };
        if (kind == TickKind.Snapshot)
        {
            e.BidCount = 1;
            e.AskCount = 1;
            e.Levels[0] = new BookLevel(new Price(100), new Quantity(1));
            e.Levels[1] = new BookLevel(new Price(101), new Quantity(1));
        }

        return e;
    }

    [Fact]
    public void A_lost_message_puts_a_live_book_in_resync_and_counts_a_gap()
    {
        var books = new BookSet([new BookSpec(s_venue, s_instrument, SequenceRule.Kraken, 0, 0)]);
        OrderBookHandler handler = books.CreateHandler();

        TickEvent gapBeforeSnapshot = Event(TickKind.Gap);
        handler.OnEvent(ref gapBeforeSnapshot, 0, true);
        Assert.Equal(BookStatus.AwaitingSnapshot, books.State(0).Status);
        Assert.Equal(0, books.Integrity(s_venue).Gaps); // nothing to lose yet: the snapshot will bring the whole book

        TickEvent snapshot = Event(TickKind.Snapshot);
        handler.OnEvent(ref snapshot, 1, true);
        Assert.Equal(BookStatus.Live, books.State(0).Status);

        TickEvent gap = Event(TickKind.Gap);
        handler.OnEvent(ref gap, 2, true);
        Assert.Equal(BookStatus.Resync, books.State(0).Status);
        Assert.False(books.IsTradeable(0));
        Assert.Equal(1, books.Integrity(s_venue).Gaps);
        Assert.True(books.NeedsSnapshot(0));

        TickEvent again = Event(TickKind.Gap);
        handler.OnEvent(ref again, 3, true);
        Assert.Equal(1, books.Integrity(s_venue).Gaps); // already resyncing: counted once
    }
}
