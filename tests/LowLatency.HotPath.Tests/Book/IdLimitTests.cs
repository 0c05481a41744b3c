using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Book;

/// <summary>Every id space is checked where ids are assigned and reported as a limit; nothing wraps in silence.</summary>
public sealed class IdLimitTests
{
    [Fact]
    public void Venue_and_instrument_ids_refuse_indexes_past_their_space()
    {
        Assert.Equal(255, VenueId.FromIndex(255).Value);
        Assert.Equal(65_535, InstrumentId.FromIndex(65_535).Value);

        var venue = Assert.Throws<ArgumentOutOfRangeException>(() => VenueId.FromIndex(300));
        Assert.Contains("301 venues; the engine holds at most 256 venues", venue.Message, StringComparison.Ordinal);
        var instrument = Assert.Throws<ArgumentOutOfRangeException>(() => InstrumentId.FromIndex(65_536));
        Assert.Contains("65,537 instruments; the engine holds at most 65,536 instruments", instrument.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => VenueId.FromIndex(-1));
    }

    [Fact]
    public void A_book_set_names_its_limit_and_refuses_an_empty_list()
    {
        var specs = new List<BookSpec>(BookSet.MaxBooks + 1);
        for (int i = 0; i <= BookSet.MaxBooks; i++)
        {
            specs.Add(new BookSpec(new VenueId(0), InstrumentId.FromIndex(i), SequenceRule.None, 0, 0, Capacity: 1, PendingSlots: 1));
        }

        var tooMany = Assert.Throws<ArgumentException>(() => new BookSet(specs));
        Assert.Contains("32,768 books; the engine holds at most 32,767 books", tooMany.Message, StringComparison.Ordinal);

        var none = Assert.Throws<ArgumentException>(() => new BookSet([]));
        Assert.Contains("at least one book", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbol_table_refuses_a_capacity_past_its_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SymbolTable(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SymbolTable(-1));
    }
}
