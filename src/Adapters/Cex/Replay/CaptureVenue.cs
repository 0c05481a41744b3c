namespace LowLatency.Adapters.Cex.Replay;

/// <summary>Which venue (and wire format) a capture file was recorded from.</summary>
public enum CaptureVenue : byte
{
    BinanceSpot,
    BinanceFutures,
    Okx,
    Kraken,

    /// <summary>Binance.US: Binance's spot wire format on its own hosts (<c>binance.us</c>).</summary>
    BinanceUs,
}

/// <summary>Names and detection of capture venues.</summary>
public static class CaptureVenues
{
    /// <summary>The engine's venue name (used for fees in configuration and in output).</summary>
    public static string Name(CaptureVenue venue) => venue switch
    {
        CaptureVenue.BinanceSpot => "binance",
        CaptureVenue.BinanceFutures => "binance-futures",
        CaptureVenue.Okx => "okx",
        CaptureVenue.Kraken => "kraken",
        CaptureVenue.BinanceUs => "binance-us",
        _ => throw new ArgumentOutOfRangeException(nameof(venue)),
    };

    /// <summary>Detects the venue from a connection or REST URL's host.</summary>
    public static bool TryFromUrl(ReadOnlySpan<byte> url, out CaptureVenue venue)
    {
        venue = default;
        if (url.IndexOf("fstream.binance."u8) >= 0 || url.IndexOf("fapi.binance."u8) >= 0)
        {
            venue = CaptureVenue.BinanceFutures;
            return true;
        }

        if (url.IndexOf("binance.us"u8) >= 0)
        {
            venue = CaptureVenue.BinanceUs;
            return true;
        }

        if (url.IndexOf("binance."u8) >= 0)
        {
            venue = CaptureVenue.BinanceSpot;
            return true;
        }

        if (url.IndexOf("okx.com"u8) >= 0 || url.IndexOf("okex.com"u8) >= 0)
        {
            venue = CaptureVenue.Okx;
            return true;
        }

        if (url.IndexOf("kraken.com"u8) >= 0)
        {
            venue = CaptureVenue.Kraken;
            return true;
        }

        return false;
    }
}
