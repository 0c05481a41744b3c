using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book;

/// <summary>OKX and Kraken send snapshots on the update stream: an update seen before one is older than it.</summary>
public sealed class InBandSnapshotTests
{
    private static readonly VenueId s_venue = new(2);
    private static readonly InstrumentId s_instrument = new(0);

    private static TickEvent Message(TickKind kind, params (long Price, long Qty, Side Side)[] levels)
    {
        var e = new TickEvent
        {
            Kind = kind,
            Flags = TickFlags.FirstChunk | TickFlags.LastChunk,
            Venue = s_venue,
            Instrument = s_instrument,
            LastUpdateId = KrakenBookRules.PackFormat(10, 0, 0),
        };
        int k = 0;
        foreach ((long price, long qty, Side side) in levels.Where(l => l.Side == Side.Bid))
        {
            e.Levels[k++] = new BookLevel(new Price(price), new Quantity(qty));
            e.BidCount++;
        }

        foreach ((long price, long qty, Side side) in levels.Where(l => l.Side == Side.Ask))
        {
            e.Levels[k++] = new BookLevel(new Price(price), new Quantity(qty));
            e.AskCount++;
        }

        return e;
    }

    [Fact]
    public void Updates_before_the_snapshot_are_dropped_not_replayed_onto_it()
    {
        var books = new BookSet([new BookSpec(s_venue, s_instrument, SequenceRule.Kraken, 0, 0)]);
        OrderBookHandler handler = books.CreateHandler();
        long sequence = 0;

        TickEvent early = Message(TickKind.Delta, (90, 5, Side.Bid)); // older than the snapshot below
        handler.OnEvent(ref early, sequence++, true);
        TickEvent snapshot = Message(TickKind.Snapshot, (100, 1, Side.Bid), (101, 1, Side.Ask));
        handler.OnEvent(ref snapshot, sequence++, true);

        Assert.Equal(BookStatus.Live, books.State(0).Status);
        Assert.Equal(1, books.Book(0).BidCount); // the early 90 bid was not applied on top of the snapshot
        Assert.Equal(1, books.State(0).Counters.PreSnapshotDropped);
        Assert.Equal(0, books.Integrity(s_venue).Errors);
    }

    [Fact]
    public void After_a_gap_nothing_is_applied_until_the_next_snapshot()
    {
        var books = new BookSet([new BookSpec(s_venue, s_instrument, SequenceRule.Kraken, 0, 0)]);
        OrderBookHandler handler = books.CreateHandler();
        long sequence = 0;
        TickEvent snapshot = Message(TickKind.Snapshot, (100, 1, Side.Bid), (101, 1, Side.Ask));
        handler.OnEvent(ref snapshot, sequence++, true);

        TickEvent marked = Message(TickKind.Delta, (99, 2, Side.Bid));
        marked.Flags |= TickFlags.AfterLostMessage;
        handler.OnEvent(ref marked, sequence++, true);
        Assert.Equal(BookStatus.Resync, books.State(0).Status);

        TickEvent later = Message(TickKind.Delta, (98, 3, Side.Bid));
        handler.OnEvent(ref later, sequence++, true);
        TickEvent fresh = Message(TickKind.Snapshot, (97, 1, Side.Bid), (102, 1, Side.Ask));
        handler.OnEvent(ref fresh, sequence++, true);

        Assert.Equal(BookStatus.Live, books.State(0).Status);
        Assert.Equal(new long[] { 97 }, books.Book(0).Bids.ToArray().Select(l => l.Price.Raw));
        Assert.Equal(1, books.Integrity(s_venue).Gaps);
    }
}
