using System.Text;
using LowLatency.Adapters.Cex.Bybit;
using LowLatency.Adapters.Cex.Coinbase;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.InBand;

/// <summary>
/// Bad input of every kind into the Coinbase and Bybit parsers, on a live book: a counted drop with its reason, nothing
/// left in the scratch, the book unchanged, and the connection still working.
/// </summary>
public sealed class CoinbaseBybitBadInputTests
{
    private static readonly VenueId s_venue = new(1);
    private static readonly InstrumentId s_btc = new(0);

    private const string CoinbaseSnapshot = """{"channel":"l2_data","timestamp":"2026-08-09T21:05:48.483587501Z","sequence_num":1,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2026-08-09T21:05:48.170326Z","price_level":"65083.66","new_quantity":"0.2"},{"side":"offer","event_time":"2026-08-09T21:05:48.170326Z","price_level":"65083.67","new_quantity":"0.3"}]}]}""";
    private const string CoinbaseUpdate = """{"channel":"l2_data","timestamp":"2026-08-09T21:05:48.505350477Z","sequence_num":2,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2026-08-09T21:05:48.210883Z","price_level":"65062.5","new_quantity":"0.00583"}]}]}""";
    private const string BybitSnapshot = """{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1786310818129,"data":{"s":"BTCUSDT","b":[["65114.20","6.054"]],"a":[["65114.30","1.5"]],"u":100,"seq":7},"cts":1786310818127}""";
    private const string BybitDelta = """{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1786310818130,"data":{"s":"BTCUSDT","b":[["65095.30","0.005"]],"a":[],"u":101,"seq":8},"cts":1786310818128}""";

    private sealed class Harness
    {
        private readonly TickEvent[] _slots = new TickEvent[4096];
        private readonly OrderBookHandler _handler;
        private long _sequence;

        public Harness(bool coinbase)
        {
            var table = new SymbolTable();
            table.Add(coinbase ? "BTC-USD" : "BTCUSDT", s_btc);
            InstrumentSpec[] instruments = [new InstrumentSpec(s_btc, "BTC", 8, 8)];
            Parser = coinbase ? new CoinbaseParser(s_venue, table, instruments) : new BybitParser(s_venue, table, instruments);
            Books = new BookSet([new BookSpec(s_venue, s_btc, coinbase ? SequenceRule.Coinbase : SequenceRule.Bybit, 8, 8)]);
            _handler = Books.CreateHandler();
        }

        public InBandBookParser Parser { get; }

        public BookSet Books { get; }

        public BookMessage Scratch { get; } = new();

        public ParseResult Feed(string frame) => Feed(Encoding.UTF8.GetBytes(frame));

        public ParseResult Feed(byte[] frame)
        {
            ParseResult result = Parser.ParseFrame(frame, 1, 2, Scratch);
            if (result == ParseResult.Message)
            {
                int n = FramePublisher.SlotsNeeded(Scratch);
                for (int k = 0; k < n; k++)
                {
                    FramePublisher.WriteChunk(Scratch, k, ref _slots[k]);
                    _handler.OnEvent(ref _slots[k], _sequence++, k == n - 1);
                }
            }

            return result;
        }
    }

    public static TheoryData<string, ParseError> CoinbaseBadFrames => new()
    {
        { CoinbaseUpdate[..60], ParseError.TruncatedJson },
        { "{\"channel\":\"l2_data\",,}", ParseError.MalformedJson },
        { "[1,2]", ParseError.WrongShape },
        { CoinbaseUpdate.Replace("\"sequence_num\":2", "\"sequence_num\":\"2\"", StringComparison.Ordinal), ParseError.BadUpdateId },
        { CoinbaseUpdate.Replace("\"sequence_num\":2,", "", StringComparison.Ordinal), ParseError.MissingField },
        { CoinbaseUpdate.Replace("\"channel\":\"l2_data\"", "\"channel\":\"level3\"", StringComparison.Ordinal), ParseError.UnknownEvent },
        { CoinbaseUpdate.Replace("BTC-USD", "DOGE-USD", StringComparison.Ordinal), ParseError.UnknownSymbol },
        { CoinbaseUpdate.Replace("\"65062.5\"", "65062.5", StringComparison.Ordinal), ParseError.WrongShape },
        { CoinbaseUpdate.Replace("\"65062.5\"", "\"NaN\"", StringComparison.Ordinal), ParseError.NotANumber },
        { CoinbaseUpdate.Replace("\"0.00583\"", "\"-1\"", StringComparison.Ordinal), ParseError.Negative },
        { CoinbaseUpdate.Replace("\"side\":\"bid\"", "\"side\":\"buy\"", StringComparison.Ordinal), ParseError.WrongShape },
        { CoinbaseUpdate.Replace("\"type\":\"update\"", "\"type\":7", StringComparison.Ordinal), ParseError.WrongShape },
        { CoinbaseUpdate.Replace("\"timestamp\":\"2026-08-09T21:05:48.505350477Z\"", "\"timestamp\":\"2026-02-30T21:05:48Z\"", StringComparison.Ordinal), ParseError.WrongShape },
        { CoinbaseUpdate.Replace("}]}]}", "}]},{\"type\":\"update\",\"product_id\":\"BTC-USD\",\"updates\":[]}]}", StringComparison.Ordinal), ParseError.WrongShape },
    };

    public static TheoryData<string, ParseError> BybitBadFrames => new()
    {
        { BybitDelta[..50], ParseError.TruncatedJson },
        { BybitDelta.Replace("\"u\":101", "\"u\":-1", StringComparison.Ordinal), ParseError.BadUpdateId },
        { BybitDelta.Replace("\"u\":101,", "", StringComparison.Ordinal), ParseError.MissingField },
        { BybitDelta.Replace("\"type\":\"delta\"", "\"type\":\"patch\"", StringComparison.Ordinal), ParseError.WrongShape },
        { BybitDelta.Replace("orderbook.50.BTCUSDT", "orderbook.50.XRPUSDT", StringComparison.Ordinal), ParseError.UnknownSymbol },
        { BybitDelta.Replace("\"s\":\"BTCUSDT\"", "\"s\":\"ETHUSDT\"", StringComparison.Ordinal), ParseError.UnknownSymbol },
        { BybitDelta.Replace("orderbook.50.", "orderbook.x.", StringComparison.Ordinal), ParseError.WrongShape },
        { BybitDelta.Replace("orderbook.50.BTCUSDT", "insurance.USDT", StringComparison.Ordinal), ParseError.UnknownEvent },
        { BybitDelta.Replace("\"65095.30\"", "\"6.5e4\"", StringComparison.Ordinal), ParseError.NotANumber },
        { BybitDelta.Replace("\"0.005\"", "\"0.0000000001\"", StringComparison.Ordinal), ParseError.TooPrecise },
        { BybitDelta.Replace("[[\"65095.30\",\"0.005\"]]", "[[\"65095.30\"]]", StringComparison.Ordinal), ParseError.WrongShape },
        { BybitDelta.Replace("\"data\":{", "\"data\":[{", StringComparison.Ordinal).Replace(",\"cts\"", "],\"cts\"", StringComparison.Ordinal), ParseError.WrongShape },
        { BybitDelta.Replace("\"ts\":1786310818130", "\"ts\":\"1786310818130\"", StringComparison.Ordinal), ParseError.WrongShape },
    };

    [Theory]
    [MemberData(nameof(CoinbaseBadFrames))]
    public void Coinbase_bad_frames_are_counted_drops_that_change_no_book(string frame, ParseError expected) =>
        AssertDropped(new Harness(coinbase: true), CoinbaseSnapshot, frame, expected, CoinbaseUpdate.Replace("\"sequence_num\":2", "\"sequence_num\":3", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(BybitBadFrames))]
    public void Bybit_bad_frames_are_counted_drops_that_change_no_book(string frame, ParseError expected) =>
        AssertDropped(new Harness(coinbase: false), BybitSnapshot, frame, expected, BybitDelta);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Invalid_utf8_and_oversized_frames_are_counted_drops(bool coinbase)
    {
        var h = new Harness(coinbase);
        Assert.Equal(ParseResult.Message, h.Feed(coinbase ? CoinbaseSnapshot : BybitSnapshot));
        BookLevel[] bids = h.Books.Book(0).Bids.ToArray();

        byte[] utf8 = Encoding.UTF8.GetBytes(coinbase ? CoinbaseUpdate : BybitDelta);
        int at = utf8.AsSpan().IndexOf("BTC"u8);
        utf8[at + 1] = 0xFF; // the symbol is no longer UTF-8
        Assert.Equal(ParseResult.Rejected, h.Feed(utf8));

        // 16 MB of levels: more than the scratch holds.
        string nextUpdate = CoinbaseUpdate.Replace("\"sequence_num\":2", "\"sequence_num\":3", StringComparison.Ordinal);
        var big = new StringBuilder(coinbase ? nextUpdate[..nextUpdate.IndexOf("[{\"side\"", StringComparison.Ordinal)] + "[" : BybitDelta[..BybitDelta.IndexOf("\"b\":[", StringComparison.Ordinal)] + "\"b\":[");
        for (int i = 0; big.Length < 16 << 20; i++)
        {
            big.Append(i == 0 ? "" : ",").Append(coinbase
                ? $"{{\"side\":\"bid\",\"price_level\":\"{1000 + (i % 50000)}.5\",\"new_quantity\":\"1\"}}"
                : $"[\"{1000 + (i % 50000)}.5\",\"1\"]");
        }

        big.Append(coinbase ? "]}]}" : "],\"a\":[],\"u\":101}}");
        ParseResult result = h.Feed(big.ToString());
        Assert.Equal(ParseResult.Rejected, result);
        Assert.Equal(ParseError.TooManyLevels, h.Parser.LastError);
        Assert.Equal(2, h.Parser.Counters.TotalRejected);
        Assert.Equal(bids, h.Books.Book(0).Bids.ToArray());
        Assert.Equal(0, h.Scratch.BidCount + h.Scratch.AskCount);
    }

    [Fact]
    public void Unknown_fields_are_skipped_and_counted_in_both_parsers()
    {
        var coinbase = new Harness(coinbase: true);
        Assert.Equal(ParseResult.Message, coinbase.Feed(CoinbaseSnapshot.Replace("\"sequence_num\":1,", "\"sequence_num\":1,\"region\":{\"x\":[1]},", StringComparison.Ordinal)
            .Replace("\"price_level\":\"65083.66\"", "\"price_level\":\"65083.66\",\"orders\":3", StringComparison.Ordinal)));
        Assert.Equal(1, coinbase.Parser.UnknownFields.CountOf("region"));
        Assert.Equal(1, coinbase.Parser.UnknownFields.CountOf("orders"));
        var bybit = new Harness(coinbase: false);
        Assert.Equal(ParseResult.Message, bybit.Feed(BybitSnapshot.Replace("\"seq\":7", "\"seq\":7,\"pu\":99", StringComparison.Ordinal)));
        Assert.Equal(1, bybit.Parser.UnknownFields.CountOf("pu"));
    }

    [Fact]
    public void A_bybit_snapshot_with_u_1_is_a_service_restart_that_resets_the_book()
    {
        var h = new Harness(coinbase: false);
        Assert.Equal(ParseResult.Message, h.Feed(BybitSnapshot));
        Assert.Equal(ParseResult.Message, h.Feed(BybitDelta));
        string restart = BybitSnapshot.Replace("\"u\":100", "\"u\":1", StringComparison.Ordinal).Replace("\"65114.20\"", "\"65000.00\"", StringComparison.Ordinal);
        Assert.Equal(ParseResult.Message, h.Feed(restart));
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);
        Assert.Equal(1, h.Books.State(0).LastUpdateId);
        Assert.Equal(65000_00000000, h.Books.Book(0).BestBid.Price.Raw);
        Assert.Equal(ParseResult.Message, h.Feed(BybitDelta.Replace("\"u\":101", "\"u\":2", StringComparison.Ordinal)));
        Assert.Equal(0, h.Books.State(0).Counters.Gaps);
    }

    [Fact]
    public void Venue_error_messages_are_counted_events()
    {
        var coinbase = new Harness(coinbase: true);
        Assert.Equal(ParseResult.Ignored, coinbase.Feed("""{"type":"error","message":"Failure to subscribe"}"""));
        Assert.Equal(1, coinbase.Parser.VenueErrors);
        var bybit = new Harness(coinbase: false);
        Assert.Equal(ParseResult.Ignored, bybit.Feed("""{"success":false,"ret_msg":"error:handler not found","conn_id":"x","op":"subscribe"}"""));
        Assert.Equal(1, bybit.Parser.VenueErrors);
    }

    private static void AssertDropped(Harness h, string snapshot, string bad, ParseError expected, string next)
    {
        Assert.Equal(ParseResult.Message, h.Feed(snapshot));
        BookLevel[] bids = h.Books.Book(0).Bids.ToArray();
        BookLevel[] asks = h.Books.Book(0).Asks.ToArray();

        Assert.Equal(ParseResult.Rejected, h.Feed(bad));

        Assert.Equal(expected, h.Parser.LastError);
        Assert.Equal(1, h.Parser.Counters.Rejected(expected));
        Assert.Equal(1, h.Parser.Counters.TotalRejected);
        Assert.Equal(0, h.Scratch.BidCount + h.Scratch.AskCount);
        Assert.Equal(bids, h.Books.Book(0).Bids.ToArray());
        Assert.Equal(asks, h.Books.Book(0).Asks.ToArray());
        Assert.Equal(BookStatus.Live, h.Books.State(0).Status);

        // The connection keeps working; an update after a rejected frame of this book resyncs it (the lost message).
        Assert.Equal(ParseResult.Message, h.Feed(next));
    }
}
