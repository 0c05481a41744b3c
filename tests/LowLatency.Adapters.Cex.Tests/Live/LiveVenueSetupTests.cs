using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>Binance COIN-M and Kraken v2 as live venues, and a venue's streams split over connections at its limit.</summary>
public sealed class LiveVenueSetupTests
{
    private static LiveVenueOptions Options(string name, int symbols, Func<int, string> symbol)
    {
        Assert.True(LiveVenueDefaults.TryGet(name, out LiveVenueKind kind, out Uri ws, out Uri? rest));
        return new LiveVenueOptions
        {
            Name = name,
            Kind = kind,
            Venue = VenueId.FromIndex(0),
            WsUrl = ws,
            RestUrl = rest,
            Symbols = [.. Enumerable.Range(0, symbols).Select(i => new LiveSymbol(symbol(i), new InstrumentSpec(InstrumentId.FromIndex(i), symbol(i), 2, 8)))],
        };
    }

    [Fact]
    public void Binance_coin_m_subscribes_on_dstream_takes_snapshots_from_dapi_and_skips_the_pair_field()
    {
        LiveVenueOptions options = Options("binance-coinm", 1, _ => LiveVenueDefaults.VenueSymbol(LiveVenueKind.BinanceCoinM, "btcusd_perp"));
        Assert.Equal(LiveVenueKind.BinanceCoinM, options.Kind);
        Assert.Equal("wss://dstream.binance.com/stream", options.WsUrl.AbsoluteUri);
        Assert.Empty(options.Validate());
        VenueProtocol protocol = VenueProtocol.Create(options);

        Assert.True(protocol.RestSnapshots);
        Assert.Equal("https://dapi.binance.com/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000", protocol.SnapshotUrl(0).AbsoluteUri);
        Assert.Equal("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusd_perp@depth@100ms\",\"btcusd_perp@bookTicker\"],\"id\":1}", Encoding.UTF8.GetString(protocol.SubscribeMessages()[0]));

        var output = new BookMessage();
        byte[] diff = "{\"stream\":\"btcusd_perp@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1591270260907,\"T\":1591270260891,\"s\":\"BTCUSD_PERP\",\"ps\":\"BTCUSD\",\"U\":17285681,\"u\":17285702,\"pu\":17285675,\"b\":[[\"9517.6\",\"10\"]],\"a\":[[\"9518.5\",\"45\"]]}}"u8.ToArray();
        Assert.Equal(FrameClass.Data, protocol.Classify(diff));
        Assert.Equal(ParseResult.Message, protocol.Parse(diff, 1, 0, output));
        Assert.Equal(17285702, output.LastUpdateId);
        Assert.Equal(17285675, output.PrevUpdateId);
        byte[] top = "{\"stream\":\"btcusd_perp@bookTicker\",\"data\":{\"e\":\"bookTicker\",\"u\":17242169,\"s\":\"BTCUSD_PERP\",\"ps\":\"BTCUSD\",\"b\":\"9548.1\",\"B\":\"52\",\"a\":\"9548.5\",\"A\":\"11\",\"T\":1591268628155,\"E\":1591268628166}}"u8.ToArray();
        Assert.Equal(ParseResult.Message, protocol.Parse(top, 1, 0, output));
        Assert.Equal(TickKind.Top, output.Kind);
        Assert.Equal(0, protocol.ParserCounters.TotalRejected);
    }

    [Fact]
    public void Kraken_v2_subscribes_instruments_first_then_books_and_classifies_its_control_frames()
    {
        Assert.Equal("BTC/USD", LiveVenueDefaults.VenueSymbol(LiveVenueKind.KrakenV2, "BTCUSD"));
        Assert.Equal("XBT/USD", LiveVenueDefaults.VenueSymbol(LiveVenueKind.Kraken, "BTCUSD"));
        LiveVenueOptions options = Options("kraken-v2", 2, i => i == 0 ? "BTC/USD" : "ETH/USD") with { BookDepth = 25, SubscribeTrades = true };
        Assert.Equal("wss://ws.kraken.com/v2", options.WsUrl.AbsoluteUri);
        Assert.Empty(options.Validate());
        Assert.Contains((options with { BookDepth = 7 }).Validate(), e => e.Contains("bookDepth", StringComparison.Ordinal));
        VenueProtocol protocol = VenueProtocol.Create(options);

        string[] messages = [.. protocol.SubscribeMessages().Select(m => Encoding.UTF8.GetString(m))];
        Assert.Equal("{\"method\":\"subscribe\",\"params\":{\"channel\":\"instrument\",\"snapshot\":true}}", messages[0]);
        Assert.Equal("{\"method\":\"subscribe\",\"params\":{\"channel\":\"book\",\"symbol\":[\"BTC/USD\",\"ETH/USD\"],\"depth\":25,\"snapshot\":true}}", messages[1]);
        Assert.Contains(messages, m => m.Contains("\"channel\":\"ticker\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("\"channel\":\"trade\"", StringComparison.Ordinal));
        Assert.Equal(["{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"book\",\"symbol\":[\"ETH/USD\"],\"depth\":25}}", "{\"method\":\"subscribe\",\"params\":{\"channel\":\"book\",\"symbol\":[\"ETH/USD\"],\"depth\":25,\"snapshot\":true}}"],
            protocol.ResubscribeMessages(1).Select(m => Encoding.UTF8.GetString(m)));
        Assert.Equal("{\"method\":\"ping\"}", Encoding.UTF8.GetString(protocol.Ping!));

        Assert.Equal(FrameClass.Data, protocol.Classify("{\"channel\":\"book\",\"type\":\"update\",\"data\":[]}"u8));
        Assert.Equal(FrameClass.Data, protocol.Classify("{\"channel\":\"instrument\",\"type\":\"snapshot\",\"data\":{}}"u8));
        Assert.Equal(FrameClass.Pong, protocol.Classify("{\"channel\":\"heartbeat\"}"u8));
        Assert.Equal(FrameClass.Pong, protocol.Classify("{\"method\":\"pong\",\"time_in\":\"x\",\"time_out\":\"y\"}"u8));
        Assert.Equal(FrameClass.Ack, protocol.Classify("{\"channel\":\"status\",\"type\":\"update\",\"data\":[{\"system\":\"online\"}]}"u8));
        Assert.Equal(FrameClass.Ack, protocol.Classify("{\"method\":\"subscribe\",\"result\":{\"channel\":\"book\"},\"success\":true}"u8));
        Assert.Equal(FrameClass.SubscriptionRejected, protocol.Classify("{\"error\":\"Currency pair not supported\",\"method\":\"subscribe\",\"success\":false}"u8));
        Assert.Equal(FrameClass.VenueError, protocol.Classify("{\"error\":\"Exceeded msg rate\",\"method\":\"ping\",\"success\":false}"u8));
    }

    [Fact]
    public async Task A_venue_with_more_streams_than_one_connection_carries_is_split_over_connections()
    {
        // 600 Binance symbols with depth and bookTicker: 1,200 streams, over Binance's 1,024 a connection.
        LiveVenueOptions binance = Options("binance", 600, i => $"S{i}USDT");
        Assert.Equal(1200, binance.StreamCount);
        Assert.Empty(binance.Validate());
        IReadOnlyList<LiveVenueOptions> parts = binance.PerConnection();
        Assert.Equal(["binance#1", "binance#2"], parts.Select(p => p.Name));
        Assert.Equal(binance.Symbols.Select(s => s.VenueSymbol), parts.SelectMany(p => p.Symbols).Select(s => s.VenueSymbol));
        foreach (LiveVenueOptions part in parts)
        {
            Assert.True(part.StreamCount <= 1024);
            string subscribe = Encoding.UTF8.GetString(VenueProtocol.Create(part).SubscribeMessages()[0]);
            Assert.Equal(part.StreamCount, subscribe.Split("usdt@").Length - 1); // every stream of its symbols, once
        }

        LiveVenueOptions fits = Options("binance", 512, i => $"S{i}USDT"); // 1,024 streams: one connection
        Assert.Same(fits, Assert.Single(fits.PerConnection()));
        Assert.Contains((binance with { MaxStreamsPerConnection = 10 }).Validate(), e => e.Contains("connections of 10 streams", StringComparison.Ordinal));

        await using var market = new LiveMarket([binance, Options("kraken-v2", 1, _ => "BTC/USD") with { Venue = VenueId.FromIndex(1), BookDepth = 100 }],
            [0.001, 0.002], 5, 1 << 10, opportunities: null);
        Assert.Equal(3, market.Clients.Count);
        Assert.Equal(["binance#1", "binance#2", "kraken-v2"], market.Clients.Select(c => c.Name));
        string summary = market.Sample();
        Assert.Matches(@"^binance=\w+ 0 msg/s score=\S+ kraken-v2=\w+ 0 msg/s score=\S+$", summary); // one entry per venue, not per connection
        int kraken = market.Books.IndexOf(VenueId.FromIndex(1), InstrumentId.FromIndex(0));
        Assert.Equal(SequenceRule.Kraken, market.Books.State(kraken).Rule);
        Assert.Equal(100, market.Books.State(kraken).TruncateDepth);
    }
}
