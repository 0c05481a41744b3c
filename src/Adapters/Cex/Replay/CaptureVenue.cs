using System.Text;

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

    /// <summary>Binance COIN-M futures (<c>dstream</c>/<c>dapi</c>): the USD-M wire format plus fields such as <c>ps</c>.</summary>
    BinanceCoinM,

    /// <summary>Coinbase Advanced Trade (<c>advanced-trade-ws.coinbase.com</c>).</summary>
    CoinbaseAdvanced,

    /// <summary>Bybit v5 spot (<c>/v5/public/spot</c>).</summary>
    BybitSpot,

    /// <summary>Bybit v5 USDT/USDC perpetuals (<c>/v5/public/linear</c>).</summary>
    BybitLinear,

    /// <summary>Kraken spot WebSocket v2 (<c>ws.kraken.com/v2</c>): JSON-number levels, checksum at the pair's precision.</summary>
    KrakenV2,
}

/// <summary>What a capture URL says about its venue.</summary>
public enum UrlVenue : byte
{
    /// <summary>A venue and wire format the engine reads.</summary>
    Read,

    /// <summary>A venue we know by its host but whose wire format the engine does not read (Kraken Futures, Bitstamp…).</summary>
    NotRead,

    /// <summary>A host of no venue we know.</summary>
    Unknown,
}

/// <summary>Names and detection of capture venues, by the host (and for Kraken the path) of a connection or REST URL.</summary>
public static class CaptureVenues
{
    /// <summary>What the engine reads, for messages.</summary>
    public const string ReadableVenues = "Binance spot, Binance.US, Binance USD-M and COIN-M futures, OKX, Kraken spot (WebSocket v1 and v2), Coinbase Advanced Trade and Bybit v5 spot and linear";

    // Hosts of venues whose formats the engine does not read, more specific first: they are matched before the venues
    // read (futures.kraken.com must not be taken for Kraken spot, dstream.binance.com for Binance spot).
    private static readonly (string Host, string Name)[] s_notRead =
    [
        ("futures.kraken.com", "Kraken Futures"),
        ("cryptofacilities.com", "Kraken Futures"),
        ("vstream.binance.", "Binance options"),
        ("nbstream.binance.", "Binance options"),
        ("eapi.binance.", "Binance options"),
        ("bitstamp.net", "Bitstamp"),
        ("coinbase.com", "Coinbase"),
        ("bybit.com", "Bybit"),
        ("gemini.com", "Gemini"),
        ("bitfinex.com", "Bitfinex"),
        ("bitmex.com", "BitMEX"),
        ("deribit.com", "Deribit"),
        ("huobi.", "Huobi"),
        ("htx.com", "HTX"),
        ("kucoin.com", "KuCoin"),
        ("gateio.", "Gate.io"),
        ("gate.io", "Gate.io"),
        ("poloniex.com", "Poloniex"),
        ("bittrex.com", "Bittrex"),
        ("okcoin.", "OKCoin"),
        ("ftx.", "FTX"),
        ("bitget.com", "Bitget"),
        ("mexc.com", "MEXC"),
        ("crypto.com", "Crypto.com"),
    ];

    /// <summary>The engine's venue name (used for fees in configuration and in output).</summary>
    public static string Name(CaptureVenue venue) => venue switch
    {
        CaptureVenue.BinanceSpot => "binance",
        CaptureVenue.BinanceFutures => "binance-futures",
        CaptureVenue.Okx => "okx",
        CaptureVenue.Kraken => "kraken",
        CaptureVenue.BinanceUs => "binance-us",
        CaptureVenue.BinanceCoinM => "binance-coinm",
        CaptureVenue.CoinbaseAdvanced => "coinbase",
        CaptureVenue.BybitSpot => "bybit",
        CaptureVenue.BybitLinear => "bybit-linear",
        CaptureVenue.KrakenV2 => "kraken-v2",
        _ => throw new ArgumentOutOfRangeException(nameof(venue)),
    };

    /// <summary>Detects a venue the engine reads from a connection or REST URL. Allocation-free.</summary>
    public static bool TryFromUrl(ReadOnlySpan<byte> url, out CaptureVenue venue) => Classify(url, out venue, out _) == UrlVenue.Read;

    /// <summary>
    /// Classifies a URL by its host: a venue read (<paramref name="venue"/>), a venue known but not read
    /// (<paramref name="name"/> is its name), or an unknown host (<paramref name="name"/> is the host). Start-up; allocates
    /// only the name.
    /// </summary>
    public static UrlVenue Classify(ReadOnlySpan<byte> url, out CaptureVenue venue, out string? name)
    {
        venue = default;
        name = null;
        ReadOnlySpan<byte> host = Host(url, out ReadOnlySpan<byte> path);

        // Formats read on hosts whose other formats are not (Coinbase Pro's ws-feed, Bybit's v1/v3 streams): first.
        if (host.IndexOf("advanced-trade-ws"u8) >= 0 && host.EndsWith("coinbase.com"u8))
        {
            venue = CaptureVenue.CoinbaseAdvanced;
            return UrlVenue.Read;
        }

        if (host.EndsWith("bybit.com"u8) && path.StartsWith("/v5/public/spot"u8))
        {
            venue = CaptureVenue.BybitSpot;
            return UrlVenue.Read;
        }

        if (host.EndsWith("bybit.com"u8) && path.StartsWith("/v5/public/linear"u8))
        {
            venue = CaptureVenue.BybitLinear;
            return UrlVenue.Read;
        }

        foreach ((string known, string venueName) in s_notRead)
        {
            if (Contains(host, known))
            {
                name = $"{venueName} ({Text(host)})";
                return UrlVenue.NotRead;
            }
        }

        if (host.IndexOf("dstream.binance."u8) >= 0 || host.IndexOf("dapi.binance."u8) >= 0)
        {
            venue = CaptureVenue.BinanceCoinM;
            return UrlVenue.Read;
        }

        if (host.IndexOf("fstream.binance."u8) >= 0 || host.IndexOf("fapi.binance."u8) >= 0)
        {
            venue = CaptureVenue.BinanceFutures;
            return UrlVenue.Read;
        }

        if (host.IndexOf("binance.us"u8) >= 0)
        {
            venue = CaptureVenue.BinanceUs;
            return UrlVenue.Read;
        }

        if (host.IndexOf("binance."u8) >= 0)
        {
            venue = CaptureVenue.BinanceSpot;
            return UrlVenue.Read;
        }

        if (host.IndexOf("okx.com"u8) >= 0 || host.IndexOf("okex.com"u8) >= 0)
        {
            venue = CaptureVenue.Okx;
            return UrlVenue.Read;
        }

        if (host.IndexOf("kraken.com"u8) >= 0)
        {
            venue = path.StartsWith("/v2"u8) ? CaptureVenue.KrakenV2 : CaptureVenue.Kraken;
            return UrlVenue.Read;
        }

        name = host.IsEmpty ? Text(url) : Text(host);
        return UrlVenue.Unknown;
    }

    /// <summary>The host of a URL: between "://" and the first '/', ':' or '?', as written.</summary>
    private static ReadOnlySpan<byte> Host(ReadOnlySpan<byte> url, out ReadOnlySpan<byte> path)
    {
        int scheme = url.IndexOf("://"u8);
        ReadOnlySpan<byte> rest = scheme < 0 ? url : url[(scheme + 3)..];
        int end = rest.IndexOfAny("/:?"u8);
        ReadOnlySpan<byte> host = end < 0 ? rest : rest[..end];
        path = end < 0 ? default : rest[end..];
        int slash = path.IndexOf((byte)'/');
        path = slash < 0 ? default : path[slash..]; // skip a port
        return host;
    }

    private static bool Contains(ReadOnlySpan<byte> host, string known)
    {
        Span<byte> buffer = stackalloc byte[64];
        int n = Encoding.ASCII.GetBytes(known, buffer);
        return host.IndexOf(buffer[..n]) >= 0;
    }

    private static string Text(ReadOnlySpan<byte> bytes)
    {
        // A host is ASCII; anything else is shown escaped, never transcoded (it may be invalid UTF-8).
        var sb = new StringBuilder(Math.Min(bytes.Length, 80));
        foreach (byte b in bytes[..Math.Min(bytes.Length, 80)])
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        return sb.ToString();
    }
}
