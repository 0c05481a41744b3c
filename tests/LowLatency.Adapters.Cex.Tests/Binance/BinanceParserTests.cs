using System.Text;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tests.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Binance;

public sealed class BinanceParserTests
{
    private const string SpotDepth = """{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate","E":1633998512068,"s":"NKNUSDT","U":499869750,"u":499869752,"b":[["0.35130000","6195.00000000"],["0.34750000","5548.00000000"]],"a":[["0.35290000","0.00000000"]]}}""";
    private const string FuturesDepth = """{"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[["7.5040","813"]],"a":[["7.6150","1563"],["7.6220","3284"]]}""";
    private const string SpotTicker = """{"stream":"nknusdt@bookTicker","data":{"u":499869768,"s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000","A":"3199.00000000"}}""";
    private const string FuturesTicker = """{"stream":"sushiusdt@bookTicker","data":{"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120","A":"297","T":1626992741012,"E":1626992741017}}""";

    private static ParseResult Parse(BinanceReplayHarness h, string frame) =>
        h.Parser.ParseFrame(Encoding.UTF8.GetBytes(frame), 11, 22, h.Scratch);

    [Fact]
    public void Spot_depth_update_in_the_combined_stream_wrapper()
    {
        var h = BinanceReplayHarness.Spot();
        Assert.Equal(ParseResult.Message, Parse(h, SpotDepth));
        BookMessage m = h.Scratch;
        Assert.Equal(TickKind.Delta, m.Kind);
        Assert.Equal(BinanceReplayHarness.Venue, m.Venue);
        Assert.Equal(new InstrumentId(1), m.Instrument);
        Assert.Equal(499869750, m.FirstUpdateId);
        Assert.Equal(499869752, m.LastUpdateId);
        Assert.Equal(1633998512068_000_000, m.ExchangeTimeNs);
        Assert.Equal(11, m.ReceiveTimeNs);
        Assert.Equal(22, m.ReceiveTimestamp);
        Assert.Equal(TickFlags.None, m.Flags);
        Assert.Equal(2, m.BidCount);
        Assert.Equal(35130000, m.Bids[0].Price.Raw);
        Assert.Equal(619500000000, m.Bids[0].Quantity.Raw);
        Assert.Equal(1, m.AskCount);
        Assert.True(m.Asks[0].Quantity.IsZero);
    }

    [Fact]
    public void Futures_depth_update_bare_payload_carries_pu()
    {
        var h = BinanceReplayHarness.Futures();
        Assert.Equal(ParseResult.Message, Parse(h, FuturesDepth));
        Assert.Equal(600859598061, h.Scratch.PrevUpdateId);
        Assert.Equal(TickFlags.HasPrevUpdateId, h.Scratch.Flags);
        Assert.Equal(2, h.Scratch.AskCount);
        Assert.Equal(762200000, h.Scratch.Asks[1].Price.Raw);
    }

    [Theory]
    [InlineData(true, SpotTicker, 35210000, 35260000, 499869768)]
    [InlineData(false, FuturesTicker, 761100000, 761200000, 600859600576)]
    public void Book_ticker(bool spot, string frame, long bid, long ask, long id)
    {
        var h = spot ? BinanceReplayHarness.Spot() : BinanceReplayHarness.Futures();
        Assert.Equal(ParseResult.Message, Parse(h, frame));
        Assert.Equal(TickKind.Top, h.Scratch.Kind);
        Assert.Equal(bid, h.Scratch.Bids[0].Price.Raw);
        Assert.Equal(ask, h.Scratch.Asks[0].Price.Raw);
        Assert.Equal(id, h.Scratch.LastUpdateId);
        Assert.Equal(1, FramePublisher.SlotsNeeded(h.Scratch));
    }

    [Fact]
    public void Rest_snapshot_takes_the_symbol_from_the_url()
    {
        var h = BinanceReplayHarness.Futures();
        ParseResult r = h.Parser.ParseDepthSnapshot(
            "https://fapi.binance.com/fapi/v1/depth?symbol=CTKUSDT&limit=1000"u8,
            """{"lastUpdateId":600859618836,"E":1626992741986,"T":1626992741972,"bids":[["1.01000","85782"],["1.00900","14455"]],"asks":[["1.01100","10"]]}"""u8,
            5, 6, h.Scratch);
        Assert.Equal(ParseResult.Message, r);
        Assert.Equal(TickKind.Snapshot, h.Scratch.Kind);
        Assert.Equal(new InstrumentId(4), h.Scratch.Instrument);
        Assert.Equal(600859618836, h.Scratch.LastUpdateId);
        Assert.Equal(2, h.Scratch.BidCount);
        Assert.Equal(1, h.Scratch.AskCount);
    }

    [Theory]
    [InlineData("""{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"NKNUSDT","a":1,"p":"0.35","q":"1"}}""")]
    [InlineData("""{"stream":"nknusdt@kline_1m","data":{"e":"kline","E":1,"s":"NKNUSDT","k":{}}}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000"}""")]
    [InlineData("""{"result":null,"id":1}""")]
    public void Channels_we_do_not_consume_are_ignored_not_errors(string frame)
    {
        var h = BinanceReplayHarness.Spot();
        Assert.Equal(ParseResult.Ignored, Parse(h, frame));
        Assert.Equal(1, h.Parser.Counters.Ignored);
        Assert.Equal(0, h.Parser.Counters.TotalRejected);
    }

    public static TheoryData<string, ParseError> BadFrames => new()
    {
        // malformed / truncated JSON
        { """{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate",,"E":1}}""", ParseError.MalformedJson },
        { """not json at all""", ParseError.MalformedJson },
        { SpotDepth[..(SpotDepth.Length - 30)], ParseError.TruncatedJson },
        { SpotDepth[..(SpotDepth.Length - 1)], ParseError.TruncatedJson },
        { """[1,2,3]""", ParseError.WrongShape },
        // unknown / missing / duplicate fields
        { SpotDepth.Replace("\"E\":", "\"X\":", StringComparison.Ordinal), ParseError.MissingField }, // X skipped, E missing
        { SpotDepth.Replace("\"U\":499869750,", "", StringComparison.Ordinal), ParseError.MissingField },
        { SpotDepth.Replace("\"U\":499869750,", "\"U\":499869750,\"U\":499869750,", StringComparison.Ordinal), ParseError.DuplicateField },
        { SpotDepth.Replace("\"data\"", "\"payload\"", StringComparison.Ordinal), ParseError.MissingField }, // payload skipped, no data
        { SpotTicker.Replace(",\"A\":\"3199.00000000\"", "", StringComparison.Ordinal), ParseError.MissingField },
        { SpotDepth.Replace("depthUpdate", "depthUpdateV2", StringComparison.Ordinal), ParseError.UnknownEvent },
        // ids
        { SpotDepth.Replace("\"U\":499869750", "\"U\":499869753", StringComparison.Ordinal), ParseError.BadUpdateId },
        { SpotDepth.Replace("\"u\":499869752", "\"u\":-1", StringComparison.Ordinal), ParseError.BadUpdateId },
        { SpotDepth.Replace("\"u\":499869752", "\"u\":99999999999999999999", StringComparison.Ordinal), ParseError.BadUpdateId },
        { SpotDepth.Replace("\"u\":499869752", "\"u\":\"499869752\"", StringComparison.Ordinal), ParseError.BadUpdateId },
        // symbol
        { SpotDepth.Replace("NKNUSDT", "DOGEUSDT", StringComparison.Ordinal), ParseError.UnknownSymbol },
        // prices and quantities
        { SpotDepth.Replace("\"0.35130000\"", "\"NaN\"", StringComparison.Ordinal), ParseError.NotANumber },
        { SpotDepth.Replace("\"0.35130000\"", "\"1e5\"", StringComparison.Ordinal), ParseError.NotANumber },
        { SpotDepth.Replace("\"0.35130000\"", "\"\"", StringComparison.Ordinal), ParseError.NotANumber },
        { SpotDepth.Replace("\"0.35130000\"", "\"-0.3513\"", StringComparison.Ordinal), ParseError.Negative },
        { SpotDepth.Replace("\"6195.00000000\"", "\"-1\"", StringComparison.Ordinal), ParseError.Negative },
        { SpotDepth.Replace("\"0.35130000\"", "\"92233720368.54775808\"", StringComparison.Ordinal), ParseError.Overflow },
        { SpotDepth.Replace("\"0.35130000\"", "\"0.351300001\"", StringComparison.Ordinal), ParseError.TooPrecise },
        { SpotDepth.Replace("\"0.35130000\"", "\"0.00000000\"", StringComparison.Ordinal), ParseError.ZeroPrice },
        { SpotDepth.Replace("\"0.35130000\"", "0.3513", StringComparison.Ordinal), ParseError.WrongShape },
        { SpotDepth.Replace("[\"0.35130000\",\"6195.00000000\"]", "[\"0.35130000\"]", StringComparison.Ordinal), ParseError.WrongShape },
        { SpotDepth.Replace("\"0.35130000\"", "\"0.3513\\u0030\"", StringComparison.Ordinal), ParseError.WrongShape },
        // crossed top
        { SpotTicker.Replace("\"0.35260000\"", "\"0.35210000\"", StringComparison.Ordinal), ParseError.Crossed },
        { SpotTicker.Replace("\"0.35260000\"", "\"0.30000000\"", StringComparison.Ordinal), ParseError.Crossed },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void Bad_frames_are_counted_drops_and_leave_the_book_unchanged(string frame, ParseError expected)
    {
        var h = BinanceReplayHarness.Spot();
        int book = h.BookIndex("NKNUSDT");
        Assert.Equal(ParseResult.Message, h.FeedSnapshot(
            "https://api.binance.com/api/v3/depth?symbol=NKNUSDT&limit=1000"u8,
            """{"lastUpdateId":499869749,"bids":[["0.35000000","1.00000000"]],"asks":[["0.36000000","2.00000000"]]}"""u8));
        Assert.Equal(ParseResult.Message, h.FeedFrame(Encoding.UTF8.GetBytes(SpotTicker)));
        BookLevel[] bidsBefore = h.Books.Book(book).Bids.ToArray();
        BookLevel[] asksBefore = h.Books.Book(book).Asks.ToArray();
        TopOfBook topBefore = h.Books.Top(book);

        ParseResult result = h.FeedFrame(Encoding.UTF8.GetBytes(frame));

        Assert.Equal(ParseResult.Rejected, result);
        Assert.Equal(expected, h.Parser.LastError);
        Assert.Equal(1, h.Parser.Counters.Rejected(expected));
        Assert.Equal(1, h.Parser.Counters.TotalRejected);
        Assert.Equal(0, h.Scratch.BidCount + h.Scratch.AskCount); // nothing half-parsed left to publish
        Assert.Equal(bidsBefore, h.Books.Book(book).Bids.ToArray());
        Assert.Equal(asksBefore, h.Books.Book(book).Asks.ToArray());
        Assert.Equal(topBefore, h.Books.Top(book));
        Assert.Equal(BookStatus.Live, h.Books.State(book).Status);
        Assert.Equal(499869749, h.Books.State(book).LastUpdateId);

        // The same connection keeps working.
        Assert.Equal(ParseResult.Message, h.FeedFrame(Encoding.UTF8.GetBytes(SpotDepth)));
        Assert.Equal(499869752, h.Books.State(book).LastUpdateId);
    }

    public static TheoryData<string, string, ParseError> BadSnapshots => new()
    {
        { "https://api.binance.com/api/v3/depth?limit=1000", """{"lastUpdateId":1,"bids":[],"asks":[]}""", ParseError.BadUrl },
        { "https://api.binance.com/api/v3/depth?symbol=XYZ&limit=1000", """{"lastUpdateId":1,"bids":[],"asks":[]}""", ParseError.UnknownSymbol },
        { "https://api.binance.com/api/v3/depth?symbol=NKNUSDT", """{"lastUpdateId":1,"bids":[["0.4","1"]],"asks":[["0.3","1"]]}""", ParseError.Crossed },
        { "https://api.binance.com/api/v3/depth?symbol=NKNUSDT", """{"lastUpdateId":1,"bids":[["0.3","1"],["0.31","1"]],"asks":[]}""", ParseError.Crossed },
        { "https://api.binance.com/api/v3/depth?symbol=NKNUSDT", """{"lastUpdateId":1,"bids":[["0.3","1"]]}""", ParseError.MissingField },
        { "https://api.binance.com/api/v3/depth?symbol=NKNUSDT", """{"lastUpdateId":1,"bids":[["0.3","1"],["0.2""", ParseError.TruncatedJson },
        { "https://api.binance.com/api/v3/depth?symbol=NKNUSDT", """{"lastUpdateId":-5,"bids":[],"asks":[]}""", ParseError.BadUpdateId },
        { "https://api.binance.com/api/v3/depth?symbol=NKNUSDT", """{"lastUpdateId":1,"bids":[["Infinity","1"]],"asks":[]}""", ParseError.NotANumber },
    };

    [Theory]
    [MemberData(nameof(BadSnapshots))]
    public void Bad_snapshots_are_counted_drops_and_do_not_sync_the_book(string url, string body, ParseError expected)
    {
        var h = BinanceReplayHarness.Spot();
        Assert.Equal(ParseResult.Rejected, h.FeedSnapshot(Encoding.UTF8.GetBytes(url), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(expected, h.Parser.LastError);
        Assert.Equal(1, h.Parser.Counters.Rejected(expected));
        int book = h.BookIndex("NKNUSDT");
        Assert.Equal(BookStatus.AwaitingSnapshot, h.Books.State(book).Status);
        Assert.Equal(0, h.Books.Book(book).BidCount);
    }

    [Fact]
    public void More_levels_than_the_scratch_holds_is_a_counted_drop()
    {
        var table = new SymbolTable();
        table.Add("NKNUSDT", new InstrumentId(1));
        var parser = new BinanceParser(BinanceMarket.Spot, new VenueId(1), table, [new InstrumentSpec(new InstrumentId(1), "NKN/USDT", 8, 8)]);
        var small = new BookMessage(maxLevelsPerSide: 1);
        Assert.Equal(ParseResult.Rejected, parser.ParseFrame(Encoding.UTF8.GetBytes(SpotDepth), 0, 0, small));
        Assert.Equal(ParseError.TooManyLevels, parser.LastError);
    }

    [Fact]
    public void Sequence_faults_and_crossed_books_through_the_parser_resync_without_crashing()
    {
        var h = BinanceReplayHarness.Spot();
        int book = h.BookIndex("NKNUSDT");
        h.FeedSnapshot("https://api.binance.com/api/v3/depth?symbol=NKNUSDT"u8,
            """{"lastUpdateId":100,"bids":[["0.35","1"]],"asks":[["0.36","2"]]}"""u8);
        string Diff(long first, long last, string bid) =>
            $$"""{"e":"depthUpdate","E":1,"s":"NKNUSDT","U":{{first}},"u":{{last}},"b":[["{{bid}}","1"]],"a":[]}""";
        Assert.Equal(ParseResult.Message, h.FeedFrame(Encoding.UTF8.GetBytes(Diff(101, 102, "0.351"))));
        Assert.Equal(ParseResult.Message, h.FeedFrame(Encoding.UTF8.GetBytes(Diff(101, 102, "0.352")))); // duplicate
        Assert.Equal(1, h.Books.Integrity(BinanceReplayHarness.Venue).StaleDrops);
        Assert.Equal(35100000, h.Books.Book(book).BestBid.Price.Raw);
        Assert.Equal(ParseResult.Message, h.FeedFrame(Encoding.UTF8.GetBytes(Diff(103, 103, "0.37")))); // crosses 0.36
        Assert.Equal(BookStatus.Resync, h.Books.State(book).Status);
        Assert.Equal(1, h.Books.Integrity(BinanceReplayHarness.Venue).CrossedBooks);
        Assert.False(h.Books.IsTradeable(book));
    }
}
