using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Common;

public sealed class FramePublisherTests
{
    private static BookMessage Message(int bids, int asks)
    {
        var m = new BookMessage(64);
        m.Kind = TickKind.Delta;
        m.Venue = new VenueId(2);
        m.Instrument = new InstrumentId(5);
        m.FirstUpdateId = 10;
        m.LastUpdateId = 12;
        m.PrevUpdateId = 9;
        m.Flags = TickFlags.HasPrevUpdateId | TickFlags.FirstChunk; // chunk flags from the caller are ignored
        for (int i = 0; i < bids; i++)
        {
            Assert.True(m.TryAdd(Side.Bid, new Price(1000 - i), new Quantity(i + 1)));
        }

        for (int i = 0; i < asks; i++)
        {
            Assert.True(m.TryAdd(Side.Ask, new Price(2000 + i), new Quantity(i + 1)));
        }

        return m;
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(16, 0, 1)]
    [InlineData(10, 7, 2)]
    [InlineData(40, 25, 5)]
    public void Levels_are_chunked_bids_first_sixteen_per_slot(int bids, int asks, int slots)
    {
        BookMessage m = Message(bids, asks);
        Assert.Equal(slots, FramePublisher.SlotsNeeded(m));
        var ring = new TickEvent[8];
        Assert.Equal(slots, FramePublisher.Write(m, ring));

        var seenBids = new List<BookLevel>();
        var seenAsks = new List<BookLevel>();
        for (int k = 0; k < slots; k++)
        {
            TickEvent e = ring[k];
            Assert.Equal(k == 0, e.IsFirstChunk);
            Assert.Equal(k == slots - 1, e.IsLastChunk);
            Assert.True((e.Flags & TickFlags.HasPrevUpdateId) != 0);
            Assert.Equal((10L, 12L, 9L), (e.FirstUpdateId, e.LastUpdateId, e.PrevUpdateId));
            Assert.Equal(new InstrumentId(5), e.Instrument);
            Assert.True(e.LevelCount <= TickEvent.MaxLevels);
            Assert.True(k == slots - 1 || e.LevelCount == TickEvent.MaxLevels);
            Assert.True(seenAsks.Count == 0 || e.BidCount == 0); // no bid after an ask
            for (int i = 0; i < e.BidCount; i++)
            {
                seenBids.Add(e.Levels[i]);
            }

            for (int i = e.BidCount; i < e.LevelCount; i++)
            {
                seenAsks.Add(e.Levels[i]);
            }
        }

        Assert.Equal(m.Bids.ToArray(), seenBids);
        Assert.Equal(m.Asks.ToArray(), seenAsks);
    }

    [Fact]
    public void Write_refuses_a_span_too_short_without_writing()
    {
        BookMessage m = Message(40, 0);
        var ring = new TickEvent[2];
        Assert.Equal(-1, FramePublisher.Write(m, ring));
        Assert.Equal(TickKind.None, ring[0].Kind);
    }

    [Theory]
    [InlineData("1.5", 2, 150L, ParseError.None)]
    [InlineData("1.500", 2, 150L, ParseError.None)]
    [InlineData("1.505", 2, 0L, ParseError.TooPrecise)]
    [InlineData("-1", 2, 0L, ParseError.Negative)]
    [InlineData("NaN", 2, 0L, ParseError.NotANumber)]
    [InlineData("1.2.3", 2, 0L, ParseError.NotANumber)]
    [InlineData(".", 2, 0L, ParseError.NotANumber)]
    [InlineData("92233720368547758.08", 2, 0L, ParseError.Overflow)]
    [InlineData("0", 2, 0L, ParseError.ZeroPrice)]
    public void Price_parsing_classifies_failures(string text, int decimals, long raw, ParseError error)
    {
        bool ok = LevelParser.TryParsePrice(System.Text.Encoding.ASCII.GetBytes(text), decimals, out Price price, out ParseError actual);
        Assert.Equal(error == ParseError.None, ok);
        Assert.Equal(error, actual);
        Assert.Equal(raw, price.Raw);
    }
}
