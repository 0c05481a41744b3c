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
}
