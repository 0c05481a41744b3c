using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Kraken;

/// <summary>
/// Kraken WebSocket v2 <c>book</c>: the worked checksum example of Kraken's "Book checksum (WebSocket v2)" guide
/// (BTC/USD, 10 levels a side, checksum 3310070434), updates, precision from the <c>instrument</c> channel, events,
/// bad input, and no allocation per frame.
/// </summary>
public sealed class KrakenV2BookParserTests
{
    private const uint DocsChecksum = 3310070434;

    // Kraken's worked example, as v2 writes it: JSON numbers at the pair's precision (price 1, qty 8).
    private const string DocsBids = "{\"price\":45283.5,\"qty\":0.10000000},{\"price\":45283.4,\"qty\":1.54582015},{\"price\":45282.1,\"qty\":0.10000000},"
        + "{\"price\":45281.0,\"qty\":0.10000000},{\"price\":45280.3,\"qty\":1.54592586},{\"price\":45279.0,\"qty\":0.07990000},"
        + "{\"price\":45277.6,\"qty\":0.03310103},{\"price\":45277.5,\"qty\":0.30000000},{\"price\":45277.3,\"qty\":1.54602737},"
        + "{\"price\":45276.6,\"qty\":0.15445238}";

    private const string DocsAsks = "{\"price\":45285.2,\"qty\":0.00100000},{\"price\":45286.4,\"qty\":1.54571953},{\"price\":45286.6,\"qty\":1.54571109},"
        + "{\"price\":45289.6,\"qty\":1.54560911},{\"price\":45290.2,\"qty\":0.15890660},{\"price\":45291.8,\"qty\":1.54553491},"
        + "{\"price\":45294.7,\"qty\":0.04454749},{\"price\":45296.1,\"qty\":0.35380000},{\"price\":45297.5,\"qty\":0.09945542},"
        + "{\"price\":45299.5,\"qty\":0.18772827}";

    private static readonly VenueId Venue = new(9);

    private static string DocsSnapshot(uint checksum = DocsChecksum, string bids = DocsBids, string asks = DocsAsks) =>
        $"{{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{{\"symbol\":\"BTC/USD\",\"bids\":[{bids}],\"asks\":[{asks}],\"checksum\":{checksum}}}]}}";

    private static string Update(string side, string price, string qty, uint checksum) =>
        $"{{\"channel\":\"book\",\"type\":\"update\",\"data\":[{{\"symbol\":\"BTC/USD\",\"bids\":[{(side == "bids" ? Level(price, qty) : "")}],\"asks\":[{(side == "asks" ? Level(price, qty) : "")}],\"checksum\":{checksum},\"timestamp\":\"2023-10-06T17:35:55.440295Z\"}}]}}";

    private static string Level(string price, string qty) => $"{{\"price\":{price},\"qty\":{qty}}}";

    private sealed class Harness
    {
        private readonly TickEvent[] _slots = new TickEvent[64];
        private readonly OrderBookHandler _handler;
        private long _sequence;

        public Harness(int priceDecimals = 2, int qtyDecimals = 8)
        {
            var table = new SymbolTable();
            var id = new InstrumentId(1);
            table.Add("BTC/USD", id);
            Parser = new KrakenV2BookParser(Venue, table, [new InstrumentSpec(id, "BTC/USD", priceDecimals, qtyDecimals)], depth: 10);
            Books = new BookSet([new BookSpec(Venue, id, SequenceRule.Kraken, priceDecimals, qtyDecimals, TruncateDepth: 10)]);
            _handler = Books.CreateHandler();
        }

        public KrakenV2BookParser Parser { get; }

        public BookSet Books { get; }

        public BookMessage Scratch { get; } = new(64);

        public ParseResult Feed(string frame) => Feed(Encoding.UTF8.GetBytes(frame));

        public ParseResult Feed(byte[] frame)
        {
            ParseResult result = Parser.ParseFrame(frame, 1, 0, Scratch);
            if (result == ParseResult.Message)
            {
                int n = FramePublisher.Write(Scratch, _slots);
                for (int k = 0; k < n; k++)
                {
                    _handler.OnEvent(ref _slots[k], _sequence++, endOfBatch: k == n - 1);
                }
            }

            return result;
        }
    }

    [Fact]
    public void The_docs_worked_example_parses_and_its_checksum_3310070434_verifies()
    {
        var h = new Harness();
        Assert.Equal(ParseResult.Message, h.Parser.ParseFrame(Encoding.UTF8.GetBytes(DocsSnapshot()), 1, 0, h.Scratch));
        Assert.Equal(TickKind.Snapshot, h.Scratch.Kind);
        Assert.Equal(10, h.Scratch.BidCount);
        Assert.Equal(10, h.Scratch.AskCount);
        Assert.Equal(DocsChecksum, h.Scratch.Checksum);
        Assert.Equal(4528350L, h.Scratch.Bids[0].Price.Raw); // 45283.5 at 2 decimals
        Assert.Equal(100_000L, h.Scratch.Asks[0].Quantity.Raw); // 0.00100000
        Assert.Equal((1, 8), h.Parser.Precision(new InstrumentId(1)));
        Assert.Equal(10, KrakenBookRules.DepthOf(h.Scratch.LastUpdateId));

        // The engine's checksum over the parsed levels, rescaled to the wire precision, is Kraken's number.
        Assert.True(KrakenChecksum.TryCompute(h.Scratch.Bids, h.Scratch.Asks, 2, 8, 1, 8, out uint computed));
        Assert.Equal(DocsChecksum, computed);

        // And through the book handler: the snapshot's checksum is verified, the book goes live.
        Assert.Equal(ParseResult.Message, h.Feed(DocsSnapshot()));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
        Assert.Equal(0, h.Books.State(0).Counters.ChecksumFailures);
    }

    [Fact]
    public void A_snapshot_whose_checksum_does_not_match_leaves_the_book_out_of_live()
    {
        var h = new Harness();
        Assert.Equal(ParseResult.Message, h.Feed(DocsSnapshot(DocsChecksum + 1)));
        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.State(0).Counters.ChecksumFailures);
        Assert.True(h.Books.NeedsSnapshot(0));
    }

    [Fact]
    public void Updates_apply_with_their_checksum_and_a_wrong_one_resyncs_until_the_next_snapshot()
    {
        var h = new Harness();
        var model = new KrakenV2ExchangeModel(10);
        model.Apply(Encoding.UTF8.GetBytes(DocsSnapshot()));
        Assert.Equal(DocsChecksum, model.Checksum("BTC/USD")); // the reference checksum agrees with the docs too
        Assert.Equal(ParseResult.Message, h.Feed(DocsSnapshot()));

        // A new best bid, then a removal (qty 0), each with the exchange's checksum.
        string first = Update("bids", "45284.0", "0.50000000", 0);
        model.Apply(Encoding.UTF8.GetBytes(first));
        Assert.Equal(ParseResult.Message, h.Feed(first.Replace("\"checksum\":0", $"\"checksum\":{model.Checksum("BTC/USD")}", StringComparison.Ordinal)));
        string second = Update("asks", "45285.2", "0", 0);
        model.Apply(Encoding.UTF8.GetBytes(second));
        Assert.Equal(ParseResult.Message, h.Feed(second.Replace("\"checksum\":0", $"\"checksum\":{model.Checksum("BTC/USD")}", StringComparison.Ordinal)));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
        Assert.Equal(4528400L, h.Books.Book(0).BestBid.Price.Raw);
        Assert.Equal(4528640L, h.Books.Book(0).BestAsk.Price.Raw);
        Assert.Equal(10, h.Books.Book(0).Bids.Length); // truncated to the subscribed depth

        Assert.Equal(ParseResult.Message, h.Feed(Update("asks", "45286.4", "2.00000000", 12345)));
        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.State(0).Counters.ChecksumFailures);
        Assert.Equal(ParseResult.Message, h.Feed(DocsSnapshot()));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
    }

    [Fact]
    public void The_instrument_channel_gives_the_precision_when_numbers_lose_their_trailing_zeros()
    {
        // Three levels of the docs' book; the checksum is built at precision (1, 8) from the full-precision text.
        const string FullBids = "{\"price\":45283.5,\"qty\":0.10000000},{\"price\":45282.1,\"qty\":0.10000000}";
        const string FullAsks = "{\"price\":45285.2,\"qty\":0.00100000}";
        var model = new KrakenV2ExchangeModel(10);
        model.Apply(Encoding.UTF8.GetBytes(DocsSnapshot(0, FullBids, FullAsks)));
        uint checksum = model.Checksum("BTC/USD");

        // The same book in shortest form (0.1, 0.001): its own digits would teach qty precision 3, not 8.
        string trimmed = DocsSnapshot(checksum, FullBids.Replace("0.10000000", "0.1", StringComparison.Ordinal), FullAsks.Replace("0.00100000", "0.001", StringComparison.Ordinal));
        const string Instrument = "{\"channel\":\"instrument\",\"type\":\"snapshot\",\"data\":{\"assets\":[{\"id\":\"BTC\",\"status\":\"enabled\"}],"
            + "\"pairs\":[{\"symbol\":\"ETH/USD\",\"price_precision\":2,\"qty_precision\":8},{\"symbol\":\"BTC/USD\",\"base\":\"BTC\",\"quote\":\"USD\",\"price_precision\":1,\"qty_precision\":8,\"qty_increment\":0.00000001}]}}";

        var h = new Harness();
        Assert.Equal(ParseResult.Ignored, h.Feed(Instrument));
        Assert.Equal(1, h.Parser.InstrumentPrecisions);
        Assert.Equal(ParseResult.Message, h.Feed(trimmed));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
        Assert.Equal((1, 8), h.Parser.Precision(new InstrumentId(1)));

        var learned = new Harness();
        Assert.Equal(ParseResult.Message, learned.Feed(trimmed));
        Assert.Equal((1, 3), learned.Parser.Precision(new InstrumentId(1)));
        Assert.Equal(BookStatus.Resync, learned.Books.State(0).Status); // why the live client subscribes to `instrument` first

        // An update written finer than the precision cannot be checksummed: rejected, and the book resyncs at its next update.
        Assert.Equal(ParseResult.Rejected, h.Feed(Update("bids", "45284.05", "0.50000000", 1)));
        Assert.Equal(ParseError.TooPrecise, h.Parser.LastError);
        Assert.Equal(ParseResult.Message, h.Feed(Update("bids", "45284.0", "0.50000000", 1)));
        Assert.Equal(BookStatus.Resync, h.Books.State(0).Status);
    }

    [Theory]
    [InlineData("{\"channel\":\"heartbeat\"}", ParseResult.Ignored, ParseError.None)]
    [InlineData("{\"channel\":\"status\",\"type\":\"update\",\"data\":[{\"api_version\":\"v2\",\"system\":\"online\",\"version\":\"2.0.0\"}]}", ParseResult.Ignored, ParseError.None)]
    [InlineData("{\"method\":\"subscribe\",\"result\":{\"channel\":\"book\",\"depth\":10,\"snapshot\":true,\"symbol\":\"BTC/USD\"},\"success\":true,\"time_in\":\"2023-10-06T17:35:55.219022Z\",\"time_out\":\"2023-10-06T17:35:55.219067Z\"}", ParseResult.Ignored, ParseError.None)]
    [InlineData("{\"method\":\"pong\",\"time_in\":\"2023-10-06T17:35:55.219022Z\",\"time_out\":\"2023-10-06T17:35:55.219067Z\"}", ParseResult.Ignored, ParseError.None)]
    [InlineData("{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bid\":45283.5,\"ask\":45285.2}]}", ParseResult.Ignored, ParseError.None)]
    [InlineData("{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"side\":\"sell\",\"price\":45283.4,\"qty\":0.0005}]}", ParseResult.Ignored, ParseError.None)]
    [InlineData("{\"channel\":\"candles\",\"type\":\"update\",\"data\":[]}", ParseResult.Rejected, ParseError.UnknownEvent)]
    [InlineData("{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"DOGE/USD\",\"bids\":[],\"asks\":[],\"checksum\":0}]}", ParseResult.Rejected, ParseError.UnknownSymbol)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":-1,\"qty\":1}],\"asks\":[],\"checksum\":1}]}", ParseResult.Rejected, ParseError.Negative)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":1e5,\"qty\":1}],\"asks\":[],\"checksum\":1}]}", ParseResult.Rejected, ParseError.NotANumber)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":\"x\",\"qty\":1}],\"asks\":[],\"checksum\":1}]}", ParseResult.Rejected, ParseError.NotANumber)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":1}],\"asks\":[],\"checksum\":1}]}", ParseResult.Rejected, ParseError.MissingField)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[],\"asks\":[]}]}", ParseResult.Rejected, ParseError.MissingField)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[],\"asks\":[],\"checksum\":\"1\"}]}", ParseResult.Rejected, ParseError.WrongShape)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[],\"asks\":[],\"checksum\":4294967296}]}", ParseResult.Rejected, ParseError.Overflow)]
    [InlineData("{\"channel\":\"book\",\"type\":\"delta\",\"data\":[]}", ParseResult.Rejected, ParseError.WrongShape)]
    [InlineData("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[],\"asks\":[],\"checksum\":1},{\"symbol\":\"BTC/USD\",\"bids\":[],\"asks\":[],\"checksum\":1}]}", ParseResult.Rejected, ParseError.WrongShape)]
    [InlineData("{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":2,\"qty\":1}],\"asks\":[{\"price\":1,\"qty\":1}],\"checksum\":1}]}", ParseResult.Rejected, ParseError.Crossed)]
    [InlineData("{\"channel\":\"book\",\"type\":\"upd", ParseResult.Rejected, ParseError.TruncatedJson)]
    [InlineData("\u0001\u0002garbage", ParseResult.Rejected, ParseError.MalformedJson)]
    [InlineData("[1,2]", ParseResult.Rejected, ParseError.WrongShape)]
    [InlineData("{}", ParseResult.Rejected, ParseError.MissingField)]
    public void Events_other_channels_and_bad_input_are_classified(string frame, ParseResult expected, ParseError error)
    {
        var h = new Harness();
        Assert.Equal(ParseResult.Message, h.Feed(DocsSnapshot()));
        Assert.Equal(expected, h.Feed(frame));
        Assert.Equal(error, h.Parser.LastError);
        Assert.Equal(4528350L, h.Books.Book(0).BestBid.Price.Raw); // no rejected frame changes the book
        Assert.Equal(10, h.Books.Book(0).Asks.Length);
    }

    [Fact]
    public void A_refused_subscription_is_a_venue_error_and_unknown_fields_are_skipped_and_counted()
    {
        var h = new Harness();
        Assert.Equal(ParseResult.Ignored, h.Feed("{\"error\":\"Currency pair not supported\",\"method\":\"subscribe\",\"success\":false,\"symbol\":\"XBT/USDCC\",\"time_in\":\"x\",\"time_out\":\"y\"}"));
        Assert.Equal(1, h.Parser.VenueErrors);
        string extra = DocsSnapshot().Replace("\"symbol\":\"BTC/USD\",", "\"symbol\":\"BTC/USD\",\"new_field\":{\"a\":[1,2]},", StringComparison.Ordinal)
            .Replace("{\"price\":45283.5,", "{\"orders\":3,\"price\":45283.5,", StringComparison.Ordinal);
        Assert.Equal(ParseResult.Message, h.Feed(extra));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
        Assert.Equal(1, h.Parser.UnknownFields.CountOf("new_field"));
        Assert.Equal(1, h.Parser.UnknownFields.CountOf("orders"));
    }

    [Fact]
    public void Snapshots_and_updates_parse_without_allocating()
    {
        var h = new Harness();
        byte[] snapshot = Encoding.UTF8.GetBytes(DocsSnapshot());
        byte[] update = Encoding.UTF8.GetBytes(Update("bids", "45283.5", "0.20000000", 1));
        byte[] heartbeat = "{\"channel\":\"heartbeat\"}"u8.ToArray();
        for (int i = 0; i < 100; i++)
        {
            h.Parser.ParseFrame(snapshot, 1, 0, h.Scratch);
            h.Parser.ParseFrame(update, 1, 0, h.Scratch);
            h.Parser.ParseFrame(heartbeat, 1, 0, h.Scratch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            h.Parser.ParseFrame(snapshot, 1, 0, h.Scratch);
            h.Parser.ParseFrame(update, 1, 0, h.Scratch);
            h.Parser.ParseFrame(heartbeat, 1, 0, h.Scratch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(ParseResult.Message, h.Parser.ParseFrame(update, 1, 0, h.Scratch));
    }
}
