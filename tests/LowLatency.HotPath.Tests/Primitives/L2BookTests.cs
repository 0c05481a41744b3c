using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Tests.Primitives;

public sealed class L2BookTests
{
    private static L2Book NewBook(int capacity = 2048) => new(new VenueId(1), new InstrumentId(2), capacity);

    [Fact]
    public void Keeps_bids_descending_and_asks_ascending_against_a_sorted_reference()
    {
        var book = NewBook();
        var bids = new SortedDictionary<long, long>(Comparer<long>.Create((a, b) => b.CompareTo(a)));
        var asks = new SortedDictionary<long, long>();
        var random = new Random(11);
        for (int i = 0; i < 20_000; i++)
        {
            bool bid = random.Next(2) == 0;
            long price = bid ? random.Next(900, 1000) : random.Next(1001, 1100);
            long qty = random.Next(4) == 0 ? 0 : random.Next(1, 50);
            book.Set(bid ? Side.Bid : Side.Ask, new Price(price), new Quantity(qty));
            SortedDictionary<long, long> side = bid ? bids : asks;
            if (qty == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = qty;
            }
        }

        Assert.Equal(bids.Select(kv => (kv.Key, kv.Value)), book.Bids.ToArray().Select(l => (l.Price.Raw, l.Quantity.Raw)));
        Assert.Equal(asks.Select(kv => (kv.Key, kv.Value)), book.Asks.ToArray().Select(l => (l.Price.Raw, l.Quantity.Raw)));
        Assert.False(book.IsCrossed);
    }

    [Fact]
    public void Removing_a_missing_level_is_a_no_op()
    {
        var book = NewBook();
        book.Set(Side.Bid, new Price(100), new Quantity(5));
        book.Set(Side.Bid, new Price(99), default(Quantity));
        Assert.Equal(1, book.BidCount);
        Assert.Equal(100, book.BestBid.Price.Raw);
    }

    [Fact]
    public void A_full_side_drops_its_deepest_level_and_counts_it()
    {
        var book = NewBook(capacity: 3);
        for (int p = 10; p <= 12; p++)
        {
            book.Set(Side.Ask, new Price(p), new Quantity(1));
        }

        book.Set(Side.Ask, new Price(9), new Quantity(1)); // better than all: 12 is dropped
        book.Set(Side.Ask, new Price(20), new Quantity(1)); // worse than all: ignored
        Assert.Equal(new long[] { 9, 10, 11 }, book.Asks.ToArray().Select(l => l.Price.Raw));
        Assert.Equal(2, book.TruncatedLevels);
    }

    [Fact]
    public void Detects_a_crossed_book_and_sums_depth_within_a_limit()
    {
        var book = NewBook();
        book.Set(Side.Bid, new Price(100), new Quantity(2));
        book.Set(Side.Bid, new Price(99), new Quantity(3));
        book.Set(Side.Bid, new Price(98), new Quantity(4));
        book.Set(Side.Ask, new Price(101), new Quantity(1));
        Assert.False(book.IsCrossed);
        Assert.Equal(5, book.QuantityWithin(Side.Bid, new Price(99)));
        book.Set(Side.Ask, new Price(100), new Quantity(1));
        Assert.True(book.IsCrossed);
    }

    [Fact]
    public void Updates_allocate_nothing()
    {
        var book = NewBook();
        for (int i = 0; i < 1000; i++)
        {
            book.Set(Side.Bid, new Price(1000 - i), new Quantity(1));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            book.Set(Side.Bid, new Price(1000 - (i % 1000)), new Quantity(i % 7));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
