using LowLatency.Adapters.Cex.Live;
using LowLatency.Host.Configuration;

namespace LowLatency.Host.Tests.Configuration;

public sealed class LiveVenueConfigurationTests
{
    private static (EngineOptions Options, IReadOnlyList<string> Errors) Load(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return EngineOptionsLoader.Load(path, _ => null);
    }

    [Fact]
    public void Coinbase_and_bybit_venues_default_to_their_public_endpoints_and_spell_symbols_their_way()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = Load("""
            { "marketData": "live",
              "venues": { "coinbase": { "symbols": ["BTCUSD", "ETHUSD"] }, "bybit": { "symbols": ["BTCUSDT"] }, "bybit-linear": { "symbols": ["ETHUSDT"] } } }
            """);
        Assert.Empty(errors);
        var built = new List<string>();
        List<LiveVenueOptions> venues = options.BuildLiveVenues(null, null, built);
        Assert.Empty(built);

        LiveVenueOptions coinbase = Assert.Single(venues, v => v.Name == "coinbase");
        Assert.Equal(LiveVenueKind.Coinbase, coinbase.Kind);
        Assert.Equal(new Uri("wss://advanced-trade-ws.coinbase.com"), coinbase.WsUrl);
        Assert.Equal(new Uri("https://api.coinbase.com"), coinbase.RestUrl);
        Assert.Equal(["BTC-USD", "ETH-USD"], coinbase.Symbols.Select(s => s.VenueSymbol));

        LiveVenueOptions bybit = Assert.Single(venues, v => v.Name == "bybit");
        Assert.Equal(LiveVenueKind.Bybit, bybit.Kind);
        Assert.Equal(new Uri("wss://stream.bybit.com/v5/public/spot"), bybit.WsUrl);
        Assert.Equal("BTCUSDT", Assert.Single(bybit.Symbols).VenueSymbol);
        Assert.Equal(50, bybit.BybitDepth);

        LiveVenueOptions linear = Assert.Single(venues, v => v.Name == "bybit-linear");
        Assert.Equal(new Uri("wss://stream.bybit.com/v5/public/linear"), linear.WsUrl);
    }

    [Fact]
    public void Coinbase_and_bybit_endpoints_come_from_configuration_when_given()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = Load("""
            { "venues": { "coinbase": { "wsUrl": "ws://127.0.0.1:9001/ws", "restUrl": "http://127.0.0.1:9002", "symbols": ["BTCUSD"] },
                          "bybit": { "wsUrl": "ws://127.0.0.1:9003/ws", "symbols": ["BTCUSDT"] } } }
            """);
        Assert.Empty(errors);
        var built = new List<string>();
        List<LiveVenueOptions> venues = options.BuildLiveVenues(["coinbase", "bybit"], null, built);
        Assert.Empty(built);
        Assert.Equal(new Uri("ws://127.0.0.1:9001/ws"), venues[0].WsUrl);
        Assert.Equal(new Uri("http://127.0.0.1:9002"), venues[0].RestUrl);
        Assert.Equal(new Uri("ws://127.0.0.1:9003/ws"), venues[1].WsUrl);
        Assert.Equal(new Uri("https://api.bybit.com"), venues[1].RestUrl);
    }

    [Fact]
    public void Depth_and_streams_per_connection_come_from_configuration_per_venue()
    {
        (EngineOptions options, IReadOnlyList<string> errors) = Load("""
            { "venues": { "kraken-v2": { "symbols": ["BTCUSD"], "depth": 100 },
                          "bybit": { "symbols": ["BTCUSDT"], "depth": 200, "streamsPerConnection": 4 },
                          "binance": { "symbols": ["BTCUSDT", "ETHUSDT", "SOLUSDT"], "depth": 5000, "streamsPerConnection": 2 } } }
            """);
        Assert.Empty(errors);
        var built = new List<string>();
        List<LiveVenueOptions> venues = options.BuildLiveVenues(null, null, built);
        Assert.Empty(built);
        Assert.Equal(100, Assert.Single(venues, v => v.Name == "kraken-v2").BookDepth);
        LiveVenueOptions bybit = Assert.Single(venues, v => v.Name == "bybit");
        Assert.Equal(200, bybit.BybitDepth);
        Assert.Equal(4, bybit.StreamLimit);
        LiveVenueOptions binance = Assert.Single(venues, v => v.Name == "binance");
        Assert.Equal(5000, binance.SnapshotDepth);
        Assert.Equal(250, binance.SnapshotWeight); // Binance charges 250 for limit=5000
        Assert.Equal(3, binance.PerConnection().Count); // depth + bookTicker per symbol, two streams a connection
    }

    [Theory]
    [InlineData("""{ "venues": { "kraken": { "symbols": ["BTCUSD"], "depth": 7 } } }""", "venues.kraken.depth: Kraken books are 10, 25, 100, 500 or 1000 deep, not 7")]
    [InlineData("""{ "venues": { "bybit-linear": { "symbols": ["BTCUSDT"], "depth": 400 } } }""", "venues.bybit-linear.depth: Bybit order books are 1, 50 or 200 deep, not 400")]
    [InlineData("""{ "venues": { "binance-futures": { "symbols": ["BTCUSDT"], "depth": 2000 } } }""", "venues.binance-futures.depth: Binance depth limits are")]
    [InlineData("""{ "venues": { "okx": { "symbols": ["BTCUSDT"], "depth": 50 } } }""", "venues.okx.depth: okx has no book depth to set")]
    [InlineData("""{ "venues": { "binance": { "symbols": ["BTCUSDT"], "streamsPerConnection": 5000 } } }""", "venues.binance.streamsPerConnection: 5000 is not 1 … 1024")]
    [InlineData("""{ "venues": { "coinbase": { "symbols": ["BTCUSD"], "streamsPerConnection": -1 } } }""", "venues.coinbase.streamsPerConnection: -1 is not 1 … 1024")]
    [InlineData("""{ "venues": { "binance": { "symbols": ["BTCUSDT"], "streamsPerConnection": 1 } } }""", "venues.binance.streamsPerConnection: 1 is fewer than the 2 streams one symbol subscribes")]
    public void Bad_depths_and_listen_limits_are_errors_naming_the_venue(string json, string expected)
    {
        (EngineOptions options, IReadOnlyList<string> errors) = Load(json);
        Assert.Empty(errors);
        var built = new List<string>();
        options.BuildLiveVenues(null, null, built);
        Assert.Contains(built, e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
