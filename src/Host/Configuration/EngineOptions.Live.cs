using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Configuration;

/// <summary>One live venue's settings (<c>venues.&lt;name&gt;</c>): endpoints and the engine symbols it quotes.</summary>
public sealed record LiveVenueSettings
{
    /// <summary>WebSocket endpoint; default the venue's public one.</summary>
    public string? WsUrl { get; init; }

    /// <summary>REST base (Binance snapshots); default the venue's public one.</summary>
    public string? RestUrl { get; init; }

    /// <summary>Order entry REST base for <c>run --live --execute</c>; default the venue's public one.</summary>
    public string? OrderUrl { get; init; }

    /// <summary>Private order/fill stream (Binance user data, Bybit private, OKX orders, Kraken v2 executions) for <c>run --live --execute</c>; none: orders are read back by REST.</summary>
    public string? PrivateWsUrl { get; init; }

    /// <summary>Engine symbols (<c>BTCUSDT</c>); each venue's spelling is derived (<c>BTC-USDT</c>, <c>XBT/USDT</c>).</summary>
    public IReadOnlyList<string>? Symbols { get; init; }

    /// <summary>
    /// Book depth: Kraken v1/v2 <c>book</c> depth (10, 25, 100, 500, 1000), Bybit <c>orderbook.N</c> (1, 50, 200), Binance
    /// REST snapshot <c>limit</c> (5 … 5000, its request weight follows). OKX <c>books</c> and Coinbase <c>level2</c> have none.
    /// </summary>
    public int? Depth { get; init; }

    /// <summary>The listen limit: streams one connection carries (Binance at most 1,024); more are split over connections.</summary>
    public int? StreamsPerConnection { get; init; }
}

public sealed partial record EngineOptions
{
    /// <summary><c>simulated</c> (default: the embedded simulated market) or <c>live</c> (the configured venues).</summary>
    public string MarketData { get; init; } = "simulated";

    /// <summary>Live venues by name (binance, binance-futures, okx, kraken, coinbase, bybit, bybit-linear): endpoints and symbols.</summary>
    public IReadOnlyDictionary<string, LiveVenueSettings> Venues { get; init; } = new Dictionary<string, LiveVenueSettings>(StringComparer.Ordinal);

    private void ValidateLive(List<string> errors)
    {
        if (MarketData is not ("simulated" or "live"))
        {
            errors.Add(MarketData is null ? "marketData: must not be null" : $"marketData: '{MarketData}' must be simulated or live");
        }

        if (Venues is null)
        {
            errors.Add("venues: must not be null (an object of venue name to its settings)");
            return;
        }

        foreach ((string name, LiveVenueSettings? settings) in Venues)
        {
            if (!LiveVenueDefaults.TryGet(name, out _, out _, out _))
            {
                errors.Add($"venues.{name}: not a venue the live plane speaks ({string.Join(", ", LiveVenueDefaults.Names)})");
            }
            else if (settings is null)
            {
                errors.Add($"venues.{name}: must not be null");
            }
        }

        if (MarketData == "live" && Venues.Count == 0)
        {
            errors.Add("marketData: live needs at least one entry under venues");
        }
    }

    /// <summary>
    /// The live venues to connect: <paramref name="names"/> (default: every configured venue), each with its endpoints
    /// (configuration, else the venue's public ones) and symbols (<paramref name="symbols"/>, else the venue's
    /// configured ones). Instruments are shared across venues by engine symbol. Problems are added to <paramref name="errors"/>.
    /// </summary>
    public List<LiveVenueOptions> BuildLiveVenues(IReadOnlyList<string>? names, IReadOnlyList<string>? symbols, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var result = new List<LiveVenueOptions>();
        var instruments = new Dictionary<string, InstrumentSpec>(StringComparer.Ordinal);
        IReadOnlyList<string> venueNames = names ?? [.. (Venues ?? new Dictionary<string, LiveVenueSettings>()).Keys];
        foreach (string name in venueNames)
        {
            if (!LiveVenueDefaults.TryGet(name, out LiveVenueKind kind, out Uri ws, out Uri? rest))
            {
                errors.Add($"venues: '{name}' is not a venue the live plane speaks ({string.Join(", ", LiveVenueDefaults.Names)})");
                continue;
            }

            LiveVenueSettings? settings = Venues is not null && Venues.TryGetValue(name, out LiveVenueSettings? s) ? s : null;
            if (settings?.WsUrl is { } wsText && !Uri.TryCreate(wsText, UriKind.Absolute, out ws!))
            {
                errors.Add($"venues.{name}.wsUrl: '{wsText}' is not an absolute URL");
                continue;
            }

            if (settings?.RestUrl is { } restText)
            {
                if (!Uri.TryCreate(restText, UriKind.Absolute, out Uri? parsed))
                {
                    errors.Add($"venues.{name}.restUrl: '{restText}' is not an absolute URL");
                    continue;
                }

                rest = parsed;
            }

            IReadOnlyList<string> engineSymbols = symbols ?? settings?.Symbols ?? [];
            var live = new List<LiveSymbol>();
            foreach (string symbol in engineSymbols)
            {
                string canonical = symbol.Trim().ToUpperInvariant();
                if (!instruments.TryGetValue(canonical, out InstrumentSpec? spec))
                {
                    // 8 decimals hold every price and size these venues write for spot pairs.
                    spec = new InstrumentSpec(InstrumentId.FromIndex(instruments.Count), canonical, 8, 8);
                    instruments.Add(canonical, spec);
                }

                live.Add(new LiveSymbol(LiveVenueDefaults.VenueSymbol(kind, canonical), spec));
            }

            var options = new LiveVenueOptions
            {
                Name = name,
                Kind = kind,
                Venue = VenueId.FromIndex(result.Count),
                WsUrl = ws,
                RestUrl = rest,
                Symbols = live,
            };
            if (settings?.Depth is { } depth)
            {
                LiveVenueOptions? deep = options.WithDepth(depth);
                if (deep is null)
                {
                    errors.Add($"venues.{name}.depth: {name} has no book depth to set (OKX books and Coinbase level2 send the venue's whole book)");
                }

                options = deep ?? options;
            }

            if (settings?.StreamsPerConnection is { } streams)
            {
                options = options with { MaxStreamsPerConnection = streams };
            }

            errors.AddRange(options.Validate());
            result.Add(options);
        }

        return result;
    }
}
