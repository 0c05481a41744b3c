using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Kraken;

public sealed class KrakenBookParserTests
{
    private const string Snapshot = """[1,{"as":[["101.00000","1.00000000","1618678133.1"],["102.00000","2.00000000","1618678133.2"]],"bs":[["100.00000","3.00000000","1618678133.3"]]},"book-10","ETH/CHF"]""";

    [Fact]
    public void A_snapshot_carries_its_depth_and_wire_decimals_for_the_checksum()
    {
        var parser = NewParser();
        var output = new BookMessage(64);

        Assert.Equal(ParseResult.Message, parser.ParseFrame(Encoding.UTF8.GetBytes(Snapshot), 5, 6, output));
        Assert.Equal(TickKind.Snapshot, output.Kind);
        Assert.Equal(1, output.BidCount);
        Assert.Equal(2, output.AskCount);
        Assert.Equal(100_000000L, output.Bids[0].Price.Raw);
        Assert.Equal(300000000L, output.Bids[0].Quantity.Raw);
        Assert.Equal(10, KrakenBookRules.DepthOf(output.LastUpdateId));
        Assert.Equal(5, KrakenBookRules.WirePriceDecimalsOf(output.LastUpdateId));
        Assert.Equal(8, KrakenBookRules.WireVolumeDecimalsOf(output.LastUpdateId));
        Assert.Equal(1618678133_300000000L, output.ExchangeTimeNs); // newest level timestamp
        Assert.Equal(TickFlags.None, output.Flags);
    }

    [Fact]
    public void An_update_with_both_sides_a_checksum_and_a_republished_level_parses()
    {
        var parser = NewParser();
        var output = new BookMessage(64);
        parser.ParseFrame(Encoding.UTF8.GetBytes(Snapshot), 0, 0, output);
        byte[] update = """[1,{"a":[["101.00000","0.00000000","1618678134.1"],["103.00000","1.00000000","1618678134.2","r"]]},{"b":[["100.50000","1.50000000","1618678134.3"]],"c":"4294967295"},"book-10","ETH/CHF"]"""u8.ToArray();

        Assert.Equal(ParseResult.Message, parser.ParseFrame(update, 0, 0, output));
        Assert.Equal(TickKind.Delta, output.Kind);
        Assert.Equal(2, output.AskCount);
        Assert.Equal(1, output.BidCount);
        Assert.Equal(uint.MaxValue, output.Checksum);
        Assert.Equal(TickFlags.HasChecksum, output.Flags);
        Assert.Equal(1, parser.RepublishedLevels);
    }

    [Theory]
    [InlineData("""{"event":"heartbeat"}""")]
    [InlineData("""{"connectionID":17843232920108168701,"event":"systemStatus","status":"online","version":"1.8.3"}""")]
    [InlineData("""{"channelID":496,"channelName":"book-1000","event":"subscriptionStatus","pair":"ETH/CHF","status":"subscribed","subscription":{"depth":1000,"name":"book"}}""")]
    [InlineData("""[996,{"a":["355.24000000",27,"27.19106411"],"b":["354.32000000",6,"6.87748868"],"c":["355.23000000","1.20454360"]},"ticker","ETH/CHF"]""")]
    [InlineData("""[0,[["5541.20000","0.15850568","1534614057.321597","s","l",""]],"trade","ETH/CHF"]""")]
    [InlineData("""[0,["5698.40000","5700.00000","1542057299.545897","1.01234567","0.98765432"],"spread","ETH/CHF"]""")]
    public void Events_and_other_channels_are_ignored(string frame)
    {
        var parser = NewParser();
        Assert.Equal(ParseResult.Ignored, parser.ParseFrame(Encoding.UTF8.GetBytes(frame), 0, 0, new BookMessage(16)));
    }

    [Fact]
    public void A_subscription_error_is_ignored_and_counted_as_a_venue_error()
    {
        var parser = NewParser();
        byte[] frame = """{"errorMessage":"Currency pair not supported","event":"subscriptionStatus","pair":"XXX/YYY","status":"error","subscription":{"name":"book"}}"""u8.ToArray();
        Assert.Equal(ParseResult.Ignored, parser.ParseFrame(frame, 0, 0, new BookMessage(16)));
        Assert.Equal(1, parser.VenueErrors);
    }

    [Theory]
    [InlineData("hello", ParseError.MalformedJson)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","1618678134.1"]]},"book-10","ETH""", ParseError.TruncatedJson)]
    [InlineData("""{"status":"online"}""", ParseError.MissingField)]
    [InlineData("""{"event":"teleport"}""", ParseError.UnknownEvent)]
    [InlineData("""["x",{"a":[]},"book-10","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","1618678134.1"]]},"book-10","DOGE/CHF"]""", ParseError.UnknownSymbol)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","1618678134.1"]]},"book-10"]""", ParseError.MissingField)]
    [InlineData("""[1,"book-10","ETH/CHF"]""", ParseError.MissingField)]
    [InlineData("""[1,{"c":"5"},"book-10","ETH/CHF"]""", ParseError.MissingField)]
    [InlineData("""[1,{"as":[["101.00000","1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.MissingField)]
    [InlineData("""[1,{"a":[["NaN","1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.NotANumber)]
    [InlineData("""[1,{"a":[["101.00000","-1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.Negative)]
    [InlineData("""[1,{"a":[["99999999999999.00000","1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.Overflow)]
    [InlineData("""[1,{"a":[["101.0000001","1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.TooPrecise)]
    [InlineData("""[1,{"a":[["0.00000","1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.ZeroPrice)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","yesterday"]]},"book-10","ETH/CHF"]""", ParseError.NotANumber)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","1618678134.1","x"]]},"book-10","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[["101.00000",1.0,"1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","1618678134.1"],["102.0000","1.00000000","1618678134.1"]]},"book-10","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[["101.00000","1.00000000","1618678134.1"]],"bs":[]},"book-10","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[]},{"a":[]},"book-10","ETH/CHF"]""", ParseError.DuplicateField)]
    [InlineData("""[1,{"a":[]},{"b":[]},{"c":"1"},"book-10","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[],"c":"1x"},"book-10","ETH/CHF"]""", ParseError.NotANumber)]
    [InlineData("""[1,{"a":[],"c":"4294967296"},"book-10","ETH/CHF"]""", ParseError.Overflow)]
    [InlineData("""[1,{"a":[],"c":"1","c":"1"},"book-10","ETH/CHF"]""", ParseError.DuplicateField)]
    [InlineData("""[1,{"a":[]},"book-x","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"a":[]},"book-0","ETH/CHF"]""", ParseError.WrongShape)]
    [InlineData("""[1,{"as":[["100.00000","1.00000000","1"]],"bs":[["100.00000","1.00000000","1"]]},"book-10","ETH/CHF"]""", ParseError.Crossed)]
    [InlineData("""[1,{"as":[["101.00000","1.00000000","1"],["100.50000","1.00000000","1"]],"bs":[]},"book-10","ETH/CHF"]""", ParseError.Crossed)]
    [InlineData("""[1,{"a":[]},"book-10","ETH/CHF",5]""", ParseError.WrongShape)]
    public void Bad_frames_are_rejected_with_their_reason_and_leave_nothing_to_publish(string frame, ParseError expected)
    {
        var parser = NewParser();
        var output = new BookMessage(64);
        Assert.Equal(ParseResult.Rejected, parser.ParseFrame(Encoding.UTF8.GetBytes(frame), 0, 0, output));
        Assert.Equal(expected, parser.LastError);
        Assert.Equal(1, parser.Counters.Rejected(expected));
        Assert.Equal(0, output.BidCount + output.AskCount);
        Assert.Equal(TickKind.None, output.Kind);
    }

    [Fact]
    public void An_update_written_with_other_decimals_than_its_snapshot_is_rejected_and_names_its_book()
    {
        var parser = NewParser();
        var output = new BookMessage(64);
        parser.ParseFrame(Encoding.UTF8.GetBytes(Snapshot), 0, 0, output);
        byte[] update = """[1,{"a":[["101.0000","1.00000000","1618678134.1"]],"c":"1"},"book-10","ETH/CHF"]"""u8.ToArray();

        Assert.Equal(ParseResult.Rejected, parser.ParseFrame(update, 0, 0, output));
        Assert.Equal(ParseError.WrongShape, parser.LastError);
        Assert.Equal(new InstrumentId(1), parser.LastRejectedInstrument);
    }

    [Fact]
    public void More_levels_than_the_scratch_holds_is_rejected()
    {
        var table = new SymbolTable();
        table.Add("ETH/CHF", new InstrumentId(1));
        var parser = new KrakenBookParser(new VenueId(4), table, [new InstrumentSpec(new InstrumentId(1), "ETH/CHF", 6, 8)], maxLevelsPerSide: 1);
        Assert.Equal(ParseResult.Rejected, parser.ParseFrame(Encoding.UTF8.GetBytes(Snapshot), 0, 0, new BookMessage(64)));
        Assert.Equal(ParseError.TooManyLevels, parser.LastError);
    }

    [Fact]
    public void Every_truncation_of_a_real_update_is_rejected_and_never_touches_the_book()
    {
        var harness = new KrakenReplayHarness();
        harness.Replay(KrakenReplayHarness.LoadTape());
        int index = harness.BookIndex("SC/EUR");
        L2Book book = harness.Books.Book(index);
        BookLevel bid = book.BestBid, ask = book.BestAsk;
        int asks = book.AskCount;
        byte[] frame = """[1920,{"a":[["0.042990","364630.28272081","1618678145.920470"]]},{"b":[["0.042990","0.00000000","1618678145.920708"]],"c":"4105471083"},"book-1000","SC/EUR"]"""u8.ToArray();

        for (int length = 0; length < frame.Length; length++)
        {
            Assert.Equal(ParseResult.Rejected, harness.Feed(frame.AsSpan(0, length)));
        }

        Assert.Equal(bid, book.BestBid);
        Assert.Equal(ask, book.BestAsk);
        Assert.Equal(asks, book.AskCount);
        Assert.Equal(BookStatus.Live, harness.Books.State(index).Status);
        Assert.Equal(0, harness.Books.Integrity(KrakenReplayHarness.Venue).Errors);
    }

    [Fact]
    public void A_subscribed_depth_is_enforced_by_truncation()
    {
        var harness = new KrakenReplayHarness(["ETH/CHF"]);
        Assert.Equal(ParseResult.Message, harness.Feed(Encoding.UTF8.GetBytes(Snapshot.Replace("book-10", "book-2", StringComparison.Ordinal))));
        // A better ask pushes 102 out of a depth-2 book; Kraken sends no delete for it.
        string update = """[1,{"a":[["100.50000","1.00000000","1618678134.1"]]},"book-2","ETH/CHF"]""";
        Assert.Equal(ParseResult.Message, harness.Feed(Encoding.UTF8.GetBytes(update)));

        L2Book book = harness.Books.Book(0);
        Assert.Equal(2, harness.Books.State(0).TruncateDepth);
        Assert.Equal(2, book.AskCount);
        Assert.Equal(101_000000L, book.Asks[1].Price.Raw);
    }

    private static KrakenBookParser NewParser()
    {
        var table = new SymbolTable();
        table.Add("ETH/CHF", new InstrumentId(1));
        return new KrakenBookParser(new VenueId(4), table, [new InstrumentSpec(new InstrumentId(1), "ETH/CHF", 6, 8)]);
    }
}
