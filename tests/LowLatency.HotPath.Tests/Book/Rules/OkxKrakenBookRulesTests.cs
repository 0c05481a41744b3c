using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book.Rules;

public sealed class OkxKrakenBookRulesTests
{
    [Fact]
    public void Okx_continues_on_prev_seq_id_and_accepts_heartbeats()
    {
        var state = new BookSyncState { Rule = SequenceRule.Okx };
        OkxBookRules.OnSnapshot(ref state, Okx(TickKind.Snapshot, seq: 100, prev: -1));
        Assert.Equal(100, state.LastUpdateId);

        Assert.Equal(SequenceVerdict.Apply, OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq: 101, prev: 100)));
        Assert.Equal(SequenceVerdict.Apply, OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq: 101, prev: 101)));
        Assert.Equal(101, state.LastUpdateId);
    }

    [Theory]
    [InlineData(103L, 102L)] // gap
    [InlineData(101L, 100L)] // duplicate while live
    [InlineData(5L, 101L)] // maintenance reset: seqId below prevSeqId
    [InlineData(90L, 89L)] // older
    public void Okx_anything_that_does_not_continue_while_live_is_a_gap(long seq, long prev)
    {
        var state = new BookSyncState { Rule = SequenceRule.Okx };
        OkxBookRules.OnSnapshot(ref state, Okx(TickKind.Snapshot, seq: 100, prev: -1));
        OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq: 101, prev: 100));

        Assert.Equal(SequenceVerdict.Gap, OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq, prev)));
        Assert.Equal(101, state.LastUpdateId); // unchanged
    }

    [Fact]
    public void Okx_updates_older_than_a_fresh_snapshot_are_stale_only_until_one_continues_it()
    {
        var state = new BookSyncState { Rule = SequenceRule.Okx };
        OkxBookRules.OnSnapshot(ref state, Okx(TickKind.Snapshot, seq: 200, prev: -1));
        Assert.Equal(SequenceVerdict.Stale, OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq: 150, prev: 149)));
        Assert.Equal(SequenceVerdict.Apply, OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq: 201, prev: 200)));
        Assert.Equal(SequenceVerdict.Gap, OkxBookRules.OnDelta(ref state, Okx(TickKind.Delta, seq: 150, prev: 149)));
    }

    [Fact]
    public void Okx_without_sequence_ids_relies_on_the_checksum()
    {
        var state = new BookSyncState { Rule = SequenceRule.Okx };
        var evt = new TickEvent { Kind = TickKind.Delta, Flags = TickFlags.HasChecksum };
        Assert.Equal(SequenceVerdict.Apply, OkxBookRules.OnDelta(ref state, evt));
    }

    [Fact]
    public void Okx_checksum_is_verified_against_the_book()
    {
        var book = new L2Book(new VenueId(3), new InstrumentId(1), 64);
        book.Set(Side.Bid, new Price(3366_1), new Quantity(7_0));
        book.Set(Side.Ask, new Price(3366_8), new Quantity(9_0));
        var state = new BookSyncState { Rule = SequenceRule.Okx, PriceDecimals = 1, QuantityDecimals = 1 };
        uint expected = Crc32.Compute("3366.1:7:3366.8:9"u8);

        Assert.True(OkxBookRules.VerifyChecksum(book, in state, expected));
        Assert.False(OkxBookRules.VerifyChecksum(book, in state, expected ^ 1));
    }

    [Fact]
    public void Kraken_format_packs_and_sets_the_depth_on_snapshot()
    {
        long format = KrakenBookRules.PackFormat(1000, 9, 8);
        Assert.Equal(1000, KrakenBookRules.DepthOf(format));
        Assert.Equal(9, KrakenBookRules.WirePriceDecimalsOf(format));
        Assert.Equal(8, KrakenBookRules.WireVolumeDecimalsOf(format));

        var state = new BookSyncState { Rule = SequenceRule.Kraken };
        KrakenBookRules.OnSnapshot(ref state, new TickEvent { Kind = TickKind.Snapshot, LastUpdateId = format });
        Assert.Equal(1000, state.TruncateDepth);
        Assert.Equal(format, state.LastUpdateId);
    }

    [Fact]
    public void Kraken_update_in_another_format_than_its_snapshot_is_a_gap()
    {
        var state = new BookSyncState { Rule = SequenceRule.Kraken };
        KrakenBookRules.OnSnapshot(ref state, new TickEvent { Kind = TickKind.Snapshot, LastUpdateId = KrakenBookRules.PackFormat(10, 5, 8) });

        Assert.Equal(SequenceVerdict.Apply, KrakenBookRules.OnDelta(ref state, new TickEvent { Kind = TickKind.Delta, LastUpdateId = KrakenBookRules.PackFormat(10, 5, 8) }));
        Assert.Equal(SequenceVerdict.Gap, KrakenBookRules.OnDelta(ref state, new TickEvent { Kind = TickKind.Delta, LastUpdateId = KrakenBookRules.PackFormat(10, 4, 8) }));
    }

    [Fact]
    public void Kraken_checksum_is_verified_against_the_book_in_wire_format()
    {
        var book = new L2Book(new VenueId(4), new InstrumentId(1), 64);
        book.Set(Side.Ask, new Price(35480), new Quantity(140000000)); // 354.80 at 2 decimals, 1.4 at 8
        book.Set(Side.Bid, new Price(35400), new Quantity(200000000));
        var state = new BookSyncState { Rule = SequenceRule.Kraken, PriceDecimals = 2, QuantityDecimals = 8, LastUpdateId = KrakenBookRules.PackFormat(1000, 8, 8) };
        uint expected = Crc32.Compute("3548000000014000000035400000000200000000"u8); // ask then bid

        Assert.True(KrakenBookRules.VerifyChecksum(book, in state, expected));
        Assert.False(KrakenBookRules.VerifyChecksum(book, in state, expected + 1));
    }

    [Fact]
    public void Okx_an_update_marked_after_a_lost_message_is_a_gap_even_right_after_a_snapshot()
    {
        var state = new BookSyncState { Rule = SequenceRule.Okx };
        var marked = new TickEvent { Kind = TickKind.Delta, Flags = TickFlags.AfterLostMessage };
        var plain = new TickEvent { Kind = TickKind.Delta };
        OkxBookRules.OnSnapshot(ref state, new TickEvent { Kind = TickKind.Snapshot });

        // The lost message was the first update after the snapshot: the book has missed it (it was never stale).
        Assert.Equal(SequenceVerdict.Gap, OkxBookRules.OnDelta(ref state, marked));
        Assert.Equal(SequenceVerdict.Apply, OkxBookRules.OnDelta(ref state, plain));
        Assert.Equal(SequenceVerdict.Gap, OkxBookRules.OnDelta(ref state, marked));
    }

    [Fact]
    public void Kraken_an_update_marked_after_a_lost_message_is_a_gap_even_right_after_a_snapshot()
    {
        long format = KrakenBookRules.PackFormat(1000, 5, 8);
        var state = new BookSyncState { Rule = SequenceRule.Kraken };
        var marked = new TickEvent { Kind = TickKind.Delta, LastUpdateId = format, Flags = TickFlags.AfterLostMessage };
        var plain = new TickEvent { Kind = TickKind.Delta, LastUpdateId = format };
        KrakenBookRules.OnSnapshot(ref state, new TickEvent { Kind = TickKind.Snapshot, LastUpdateId = format });

        Assert.Equal(1000, KrakenBookRules.DepthOf(marked.LastUpdateId));
        Assert.Equal(SequenceVerdict.Gap, KrakenBookRules.OnDelta(ref state, marked));
        Assert.Equal(SequenceVerdict.Apply, KrakenBookRules.OnDelta(ref state, plain));
        Assert.Equal(SequenceVerdict.Gap, KrakenBookRules.OnDelta(ref state, marked));
    }

    private static TickEvent Okx(TickKind kind, long seq, long prev) => new()
    {
        Kind = kind,
        Flags = TickFlags.HasPrevUpdateId | TickFlags.FirstChunk | TickFlags.LastChunk,
        FirstUpdateId = seq,
        LastUpdateId = seq,
        PrevUpdateId = prev,
    };
}
