using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tests.Replay;
using LowLatency.HotPath.Book;
using LowLatency.Testing;

namespace LowLatency.Adapters.Cex.Tests.Binance;

/// <summary>
/// Venues add fields without notice: Binance's parser skips unknown fields, counts them per name and reports each name
/// once. Only a missing required field, a wrong type or an invalid value rejects a frame.
/// </summary>
public sealed class BinanceUnknownFieldTests
{
    private const string FuturesDepth = """{"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[["7.5040","813"]],"a":[["7.6150","1563"],["7.6220","3284"]]}""";
    private const string SpotDepth = """{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate","E":1633998512068,"s":"NKNUSDT","U":499869750,"u":499869752,"b":[["0.35130000","6195.00000000"]],"a":[["0.35290000","0.00000000"]]}}""";

    private static string Fixture(string name) => File.ReadAllText(SharedData.File("cex_ws", "format_fixtures_not_live", name));

    [Theory]
    [InlineData("binance_usdm_ws_depthUpdate.json", "BTCUSDT")]
    [InlineData("binance_usdm_ws_bookTicker.json", "BNBUSDT")]
    public void The_current_usdm_shapes_with_ps_and_st_parse(string fixture, string symbol)
    {
        var h = new BinanceReplayHarness(Cex.Binance.BinanceMarket.Futures, [symbol]);
        byte[] frame = Encoding.UTF8.GetBytes(Fixture(fixture));

        Assert.Equal(ParseResult.Message, h.Parser.ParseFrame(frame, 1, 2, h.Scratch));
        Assert.Equal(0, h.Parser.Counters.TotalRejected);
        Assert.True(h.Parser.UnknownFields.CountOf("ps") + h.Parser.UnknownFields.CountOf("st") >= 1);
        Assert.True(h.Scratch.BidCount + h.Scratch.AskCount >= 1);
    }

    [Fact]
    public void Unknown_fields_anywhere_are_skipped_counted_per_name_and_reported_once()
    {
        var h = BinanceReplayHarness.Futures();
        var lines = new List<string>();
        h.Parser.UnknownFields.Report = lines.Add;
        h.Parser.UnknownFields.Source = "binance-coinm";
        string withFields = FuturesDepth.Replace("\"s\":\"SUSHIUSDT\",", "\"s\":\"SUSHIUSDT\",\"ps\":\"SUSHIUSD\",\"nested\":{\"x\":[1,{\"y\":2}]},", StringComparison.Ordinal);
        string wrapped = "{\"stream\":\"sushiusdt@depth\",\"extra\":[1,2],\"data\":" + withFields + "}";
        Assert.Equal(ParseResult.Message, h.Parser.ParseFrame(Encoding.UTF8.GetBytes(withFields), 1, 2, h.Scratch));
        Assert.Equal(600859600917, h.Scratch.LastUpdateId);
        Assert.Equal(ParseResult.Message, h.Parser.ParseFrame(Encoding.UTF8.GetBytes(wrapped), 1, 2, h.Scratch));

        Assert.Equal(2, h.Parser.UnknownFields.CountOf("ps"));
        Assert.Equal(2, h.Parser.UnknownFields.CountOf("nested"));
        Assert.Equal(1, h.Parser.UnknownFields.CountOf("extra"));
        Assert.Equal(5, h.Parser.UnknownFields.Total);
        Assert.Equal(3, lines.Count); // once per name
        Assert.Contains(lines, l => l.Contains("\"ps\"", StringComparison.Ordinal) && l.Contains("binance-coinm", StringComparison.Ordinal));
        Assert.Equal(0, h.Parser.Counters.TotalRejected);
    }

    [Fact]
    public void A_known_field_the_message_type_does_not_carry_is_skipped_and_counted()
    {
        var h = BinanceReplayHarness.Spot();
        string withPu = SpotDepth.Replace("\"U\":499869750,", "\"U\":499869750,\"pu\":1,", StringComparison.Ordinal);
        Assert.Equal(ParseResult.Message, h.Parser.ParseFrame(Encoding.UTF8.GetBytes(withPu), 1, 2, h.Scratch));
        Assert.Equal(1, h.Parser.UnknownFields.CountOf("pu"));
        Assert.Equal(ParseResult.Message, h.Parser.ParseDepthSnapshot(
            "https://api.binance.com/api/v3/depth?symbol=NKNUSDT"u8,
            """{"lastUpdateId":1,"E":5,"symbol":"NKNUSDT","bids":[],"asks":[]}"""u8, 1, 2, h.Scratch));
        Assert.Equal(1, h.Parser.UnknownFields.CountOf("E"));
        Assert.Equal(1, h.Parser.UnknownFields.CountOf("symbol"));
    }

    [Fact]
    public void Unknown_fields_do_not_excuse_a_wrong_type_in_a_known_one()
    {
        var h = BinanceReplayHarness.Futures();
        string bad = FuturesDepth.Replace("\"s\":\"SUSHIUSDT\",", "\"ps\":\"X\",\"s\":5,", StringComparison.Ordinal);
        Assert.Equal(ParseResult.Rejected, h.Parser.ParseFrame(Encoding.UTF8.GetBytes(bad), 1, 2, h.Scratch));
        Assert.Equal(ParseError.WrongShape, h.Parser.LastError);
        string truncated = FuturesDepth.Replace("\"s\":\"SUSHIUSDT\",", "\"s\":\"SUSHIUSDT\",\"ps\":{\"x\":[1,", StringComparison.Ordinal)[..120];
        Assert.Equal(ParseResult.Rejected, h.Parser.ParseFrame(Encoding.UTF8.GetBytes(truncated), 1, 2, h.Scratch));
        Assert.Equal(0, h.Scratch.BidCount + h.Scratch.AskCount);
    }

    [Fact]
    public void A_hostile_stream_of_distinct_names_does_not_grow_the_table()
    {
        var log = new UnknownFieldLog();
        int reports = 0;
        log.Report = _ => reports++;
        for (int i = 0; i < 1000; i++)
        {
            log.Add(Encoding.ASCII.GetBytes("f" + i));
        }

        Assert.Equal(UnknownFieldLog.MaxNames, log.Names);
        Assert.Equal(UnknownFieldLog.MaxNames, reports);
        Assert.Equal(1000 - UnknownFieldLog.MaxNames, log.Overflow);
        Assert.Equal(1000, log.Total);
    }

    [Fact]
    public void Names_are_logged_in_a_printable_form()
    {
        Assert.Equal("a\\x0a\\x22\\xff", UnknownFieldLog.Printable([(byte)'a', 0x0a, (byte)'"', 0xff]));
    }
}
