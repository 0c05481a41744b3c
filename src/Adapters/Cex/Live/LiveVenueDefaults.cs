using System.Text;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// The public endpoints of each venue the live plane speaks, and how a venue spells an engine symbol. Configuration
/// (<c>venues.&lt;name&gt;.wsUrl</c>, <c>restUrl</c>) overrides the endpoints; tests always do (live endpoints are never
/// called by tests).
/// </summary>
public static class LiveVenueDefaults
{
    private static readonly string[] s_quotes = ["USDT", "USDC", "FDUSD", "BUSD", "USD", "EUR", "GBP", "BTC", "ETH"];

    /// <summary>The venue names <c>record</c> and <c>run --feeds live</c> accept.</summary>
    public static readonly IReadOnlyList<string> Names = ["binance", "binance-futures", "binance-coinm", "okx", "kraken", "kraken-v2", "coinbase", "bybit", "bybit-linear"];

    public static bool TryGet(string name, out LiveVenueKind kind, out Uri wsUrl, out Uri? restUrl)
    {
        (kind, wsUrl, restUrl) = name switch
        {
            "binance" => (LiveVenueKind.BinanceSpot, new Uri("wss://stream.binance.com:9443/stream"), new Uri("https://api.binance.com")),
            "binance-futures" => (LiveVenueKind.BinanceFutures, new Uri("wss://fstream.binance.com/stream"), new Uri("https://fapi.binance.com")),
            "binance-coinm" => (LiveVenueKind.BinanceCoinM, new Uri("wss://dstream.binance.com/stream"), new Uri("https://dapi.binance.com")),
            "okx" => (LiveVenueKind.Okx, new Uri("wss://ws.okx.com:8443/ws/v5/public"), (Uri?)null),
            "kraken" => (LiveVenueKind.Kraken, new Uri("wss://ws.kraken.com"), (Uri?)null),
            "kraken-v2" => (LiveVenueKind.KrakenV2, new Uri("wss://ws.kraken.com/v2"), (Uri?)null),
            // Coinbase and Bybit send book snapshots in band; restUrl is their REST base for operators' tools.
            "coinbase" => (LiveVenueKind.Coinbase, new Uri("wss://advanced-trade-ws.coinbase.com"), new Uri("https://api.coinbase.com")),
            "bybit" => (LiveVenueKind.Bybit, new Uri("wss://stream.bybit.com/v5/public/spot"), new Uri("https://api.bybit.com")),
            "bybit-linear" => (LiveVenueKind.Bybit, new Uri("wss://stream.bybit.com/v5/public/linear"), new Uri("https://api.bybit.com")),
            _ => (default(LiveVenueKind), null!, null),
        };
        return wsUrl is not null;
    }

    /// <summary>The venue's spelling of an engine symbol (<c>BTCUSDT</c> → OKX and Coinbase <c>BTC-USDT</c>, Kraken <c>XBT/USDT</c>; Bybit as Binance).</summary>
    public static string VenueSymbol(LiveVenueKind kind, string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (kind is LiveVenueKind.BinanceSpot or LiveVenueKind.BinanceFutures or LiveVenueKind.BinanceCoinM or LiveVenueKind.Bybit)
        {
            return symbol.ToUpperInvariant();
        }

        string upper = symbol.ToUpperInvariant();
        foreach (string quote in s_quotes)
        {
            if (upper.Length > quote.Length && upper.EndsWith(quote, StringComparison.Ordinal))
            {
                string baseAsset = upper[..^quote.Length];
                if (kind is LiveVenueKind.Okx or LiveVenueKind.Coinbase)
                {
                    return $"{baseAsset}-{quote}";
                }

                if (kind == LiveVenueKind.KrakenV2)
                {
                    return $"{baseAsset}/{quote}"; // v2 writes BTC, not v1's XBT
                }

                var sb = new StringBuilder();
                sb.Append(baseAsset == "BTC" ? "XBT" : baseAsset).Append('/').Append(quote == "BTC" ? "XBT" : quote);
                return sb.ToString();
            }
        }

        return upper; // already the venue's spelling
    }
}
