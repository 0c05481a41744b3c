using LowLatency.Testing;
using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Okx;

public sealed class OkxBookParserTests
{
    private const string Head = """{"arg":{"channel":"books","instId":"BTC-USDT"},"action":""";

    [Fact]
    public void Todays_format_fixture_parses_with_sequence_ids()
    {
        byte[] json = File.ReadAllBytes(Path.Combine(SharedData.Root, "cex_ws", "format_fixtures_not_live", "okx_v5_ws_books_snapshot.json"));
        var parser = NewParser(out _);
        var output = new BookMessage(1024);

        Assert.Equal(ParseResult.Message, parser.ParseFrame(json, 42, 7, output));
        Assert.Equal(TickKind.Snapshot, output.Kind);
        Assert.Equal(8, output.BidCount);
        Assert.Equal(8, output.AskCount);
        Assert.Equal(847697000000L, output.Bids[0].Price.Raw); // 8476.97
        Assert.Equal(25600000000L, output.Bids[0].Quantity.Raw); // 256
        Assert.Equal(847698000000L, output.Asks[0].Price.Raw);
        Assert.Equal(TickFlags.HasChecksum | TickFlags.HasPrevUpdateId, output.Flags);
        Assert.Equal(unchecked((uint)-855196043), output.Checksum);
        Assert.Equal(123456, output.LastUpdateId);
        Assert.Equal(123456, output.FirstUpdateId);
        Assert.Equal(-1, output.PrevUpdateId);
        Assert.Equal(1597026383085L * 1_000_000, output.ExchangeTimeNs);
        Assert.Equal(42, output.ReceiveTimeNs);
        Assert.Equal(7, output.ReceiveTimestamp);
    }

    [Theory]
    [InlineData("""{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"}}""")]
    [InlineData("""{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instType":"SPOT","last":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"px":"1","sz":"2"}]}""")]
    [InlineData("""{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[],"bids":[],"ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["1","1"]],"bids":[],"ts":"1"}],"event":"subscribe"}""")]
    public void Events_and_other_channels_are_ignored(string frame)
    {
        var parser = NewParser(out _);
        var output = new BookMessage(16);
        Assert.Equal(ParseResult.Ignored, parser.ParseFrame(Encoding.UTF8.GetBytes(frame), 0, 0, output));
        Assert.Equal(1, parser.Counters.Ignored);
        Assert.Equal(0, output.BidCount + output.AskCount);
    }

    [Fact]
    public void An_error_event_is_ignored_and_counted_as_a_venue_error()
    {
        var parser = NewParser(out _);
        byte[] frame = """{"event":"error","code":"60012","msg":"Invalid request"}"""u8.ToArray();
        Assert.Equal(ParseResult.Ignored, parser.ParseFrame(frame, 0, 0, new BookMessage(16)));
        Assert.Equal(1, parser.VenueErrors);
    }

    [Theory]
    [InlineData("hello", ParseError.MalformedJson)]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["1","2" """, ParseError.TruncatedJson)]
    [InlineData("""[1,2]""", ParseError.WrongShape)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1"}]} trailing""", ParseError.MalformedJson)]
    [InlineData("""{"arg":{"channel":"books","instId":"DOGE-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1"}]}""", ParseError.UnknownSymbol)]
    [InlineData("""{"arg":{"channel":"books"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1"}]}""", ParseError.MissingField)]
    [InlineData("""{"action":"update","data":[{"asks":[],"bids":[],"ts":"1"}]}""", ParseError.MissingField)]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"data":[{"asks":[],"bids":[],"ts":"1"}]}""", ParseError.MissingField)]
    [InlineData(Head + """ "update","data":[{"bids":[],"ts":"1"}]}""", ParseError.MissingField)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[]}]}""", ParseError.MissingField)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1","seqId":5}]}""", ParseError.MissingField)]
    [InlineData(Head + """ "snapshot","data":[{"asks":[],"bids":[],"ts":"1","seqId":5,"prevSeqId":4}]}""", ParseError.BadUpdateId)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1","seqId":5,"prevSeqId":-1}]}""", ParseError.BadUpdateId)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1","seqId":1.5,"prevSeqId":1}]}""", ParseError.BadUpdateId)]
    [InlineData(Head + """ "update","data":[{"asks":[["NaN","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.NotANumber)]
    [InlineData(Head + """ "update","data":[{"asks":[["1e5","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.NotANumber)]
    [InlineData(Head + """ "update","data":[{"asks":[["-30000","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.Negative)]
    [InlineData(Head + """ "update","data":[{"asks":[["30000","-1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.Negative)]
    [InlineData(Head + """ "update","data":[{"asks":[["99999999999999999999","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.Overflow)]
    [InlineData(Head + """ "update","data":[{"asks":[["30000.123456789","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.TooPrecise)]
    [InlineData(Head + """ "update","data":[{"asks":[["0","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.ZeroPrice)]
    [InlineData(Head + """ "update","data":[{"asks":[[30000,"1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.WrongShape)]
    [InlineData(Head + """ "update","data":[{"asks":[["30000"]],"bids":[],"ts":"1"}]}""", ParseError.WrongShape)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1","checksum":"12"}]}""", ParseError.WrongShape)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1","checksum":99999999999}]}""", ParseError.Overflow)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"x1"}]}""", ParseError.NotANumber)]
    [InlineData(Head + """ "update","data":[{"asks":[],"asks":[],"bids":[],"ts":"1"}]}""", ParseError.DuplicateField)]
    [InlineData(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1"},{"asks":[],"bids":[],"ts":"1"}]}""", ParseError.WrongShape)]
    [InlineData(Head + """ "update","data":[]}""", ParseError.WrongShape)]
    [InlineData(Head + """ "partial","data":[{"asks":[],"bids":[],"ts":"1"}]}""", ParseError.WrongShape)]
    [InlineData(Head + """ "snapshot","data":[{"asks":[["30000","1","0","1"]],"bids":[["30000","1","0","1"]],"ts":"1"}]}""", ParseError.Crossed)]
    [InlineData(Head + """ "snapshot","data":[{"asks":[["30001","1","0","1"],["30000","1","0","1"]],"bids":[],"ts":"1"}]}""", ParseError.Crossed)]
    [InlineData("""{"event":"teleport"}""", ParseError.UnknownEvent)]
    public void Bad_frames_are_rejected_with_their_reason_and_leave_nothing_to_publish(string frame, ParseError expected)
    {
        var parser = NewParser(out _);
        var output = new BookMessage(1024);
        Assert.Equal(ParseResult.Rejected, parser.ParseFrame(Encoding.UTF8.GetBytes(frame), 0, 0, output));
        Assert.Equal(expected, parser.LastError);
        Assert.Equal(1, parser.Counters.Rejected(expected));
        Assert.Equal(0, output.BidCount + output.AskCount);
        Assert.Equal(TickKind.None, output.Kind);
    }

    [Fact]
    public void More_levels_than_the_scratch_holds_is_rejected()
    {
        var table = new SymbolTable();
        table.Add("BTC-USDT", new InstrumentId(1));
        var parser = new OkxBookParser(new VenueId(3), table, [new InstrumentSpec(new InstrumentId(1), "BTC-USDT", 8, 8)], maxLevelsPerSide: 2);
        byte[] frame = Encoding.UTF8.GetBytes(Head + """ "update","data":[{"asks":[["1","1"],["2","1"],["3","1"]],"bids":[],"ts":"1"}]}""");
        Assert.Equal(ParseResult.Rejected, parser.ParseFrame(frame, 0, 0, new BookMessage(16)));
        Assert.Equal(ParseError.TooManyLevels, parser.LastError);
        Assert.Equal(new InstrumentId(1), parser.LastRejectedInstrument);
    }

    [Fact]
    public void Every_truncation_of_a_real_update_is_rejected_and_never_touches_the_book()
    {
        var harness = new OkxReplayHarness();
        harness.Replay(OkxReplayHarness.LoadTape());
        int index = harness.BookIndex("BTC-USDT");
        BookLevel bid = harness.Books.Book(index).BestBid;
        BookLevel ask = harness.Books.Book(index).BestAsk;
        int bidCount = harness.Books.Book(index).BidCount;
        byte[] frame = Encoding.UTF8.GetBytes(Head + """ "update","data":[{"asks":[["1.5","3","0","1"]],"bids":[["1","2","0","1"]],"ts":"1652459225464","checksum":1}]}""");

        for (int length = 0; length < frame.Length; length++)
        {
            Assert.Equal(ParseResult.Rejected, harness.Feed(frame.AsSpan(0, length)));
        }

        Assert.Equal(bid, harness.Books.Book(index).BestBid);
        Assert.Equal(ask, harness.Books.Book(index).BestAsk);
        Assert.Equal(bidCount, harness.Books.Book(index).BidCount);
        Assert.Equal(BookStatus.Live, harness.Books.State(index).Status);
        Assert.Equal(0, harness.Books.Integrity(OkxReplayHarness.Venue).Errors);
    }

    [Fact]
    public void Data_before_arg_parses_the_same()
    {
        var parser = NewParser(out _);
        var usual = new BookMessage(16);
        var reordered = new BookMessage(16);
        const string data = "\"data\":[{\"asks\":[[\"30001.5\",\"2\",\"0\",\"1\"]],\"bids\":[[\"30000\",\"0.25\",\"0\",\"3\"]],\"ts\":\"1\",\"checksum\":-5}]";
        const string arg = "\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\"";

        Assert.Equal(ParseResult.Message, parser.ParseFrame(Encoding.UTF8.GetBytes("{" + arg + "," + data + "}"), 0, 0, usual));
        Assert.Equal(ParseResult.Message, parser.ParseFrame(Encoding.UTF8.GetBytes("{" + data + "," + arg + "}"), 0, 0, reordered));
        Assert.Equal(usual.Bids.ToArray(), reordered.Bids.ToArray());
        Assert.Equal(usual.Asks.ToArray(), reordered.Asks.ToArray());
        Assert.Equal(usual.Checksum, reordered.Checksum);
        Assert.Equal(usual.Kind, reordered.Kind);
        Assert.Equal(unchecked((uint)-5), reordered.Checksum);
    }

    [Fact]
    public void Unknown_fields_in_a_books_entry_are_skipped_and_counted()
    {
        var parser = NewParser(out _);
        byte[] frame = Encoding.UTF8.GetBytes(Head + """ "update","data":[{"asks":[],"bids":[],"ts":"1","newThing":{"x":[1]}}]}""");
        Assert.Equal(ParseResult.Message, parser.ParseFrame(frame, 0, 0, new BookMessage(16)));
        Assert.Equal(1, parser.UnknownFields.Total);
        Assert.Equal(1, parser.UnknownFields.CountOf("newThing"));
    }

    [Fact]
    public void Non_canonical_numbers_are_accepted_but_counted()
    {
        var parser = NewParser(out _);
        byte[] frame = Encoding.UTF8.GetBytes(Head + """ "update","data":[{"asks":[["30000.10","1","0","1"]],"bids":[],"ts":"1"}]}""");
        Assert.Equal(ParseResult.Message, parser.ParseFrame(frame, 0, 0, new BookMessage(16)));
        Assert.Equal(1, parser.NonCanonicalNumbers);
    }

    private static OkxBookParser NewParser(out SymbolTable table)
    {
        table = new SymbolTable();
        table.Add("BTC-USDT", new InstrumentId(1));
        return new OkxBookParser(new VenueId(3), table, [new InstrumentSpec(new InstrumentId(1), "BTC-USDT", 8, 8)]);
    }
}
