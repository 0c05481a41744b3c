using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Ethereum;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Host.Composition;

/// <summary>
/// The names and decimals every part of an engine labels its output with (log lines, the risk gate's alerts, paper
/// fills, the dashboard), indexed by venue and instrument id. Built here for each market source so that the names are
/// redacted in one place: they reach text fields, and a key pasted as a venue or symbol name must not be written out.
/// </summary>
internal sealed record MarketLabels(string[] VenueNames, string[] InstrumentNames, int[] PriceDecimals, int[] QuantityDecimals)
{
    /// <summary>The simulated market of <c>run</c>.</summary>
    public static MarketLabels Of(SimulatedMarketOptions options, SimulatedMarket market)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(market);
        var venues = new string[options.Venues.Count];
        for (int v = 0; v < venues.Length; v++)
        {
            venues[v] = SecretRedaction.Redact(options.Venues[v].Name);
        }

        int instruments = market.InstrumentCount;
        var names = new string[instruments];
        var price = new int[instruments];
        var quantity = new int[instruments];
        for (int i = 0; i < instruments; i++)
        {
            names[i] = SecretRedaction.Redact(options.Instruments[i].Symbol);
            price[i] = market.PriceDecimals(i);
            quantity[i] = market.QuantityDecimals(i);
        }

        return new MarketLabels(venues, names, price, quantity);
    }

    /// <summary>A replay's captures; a one-venue replay still has two venue slots (the strategy's pairs need two), the second "-".</summary>
    public static MarketLabels Of(ReplaySession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var venues = new string[Math.Max(2, session.Venues.Count)];
        for (int v = 0; v < venues.Length; v++)
        {
            venues[v] = v < session.Venues.Count ? SecretRedaction.Redact(session.Venues[v].Name) : "-";
        }

        int instruments = session.Instruments.Count;
        var names = new string[instruments];
        var price = new int[instruments];
        var quantity = new int[instruments];
        for (int i = 0; i < instruments; i++)
        {
            names[i] = SecretRedaction.Redact(session.Instruments[i].Name);
            price[i] = session.Instruments[i].PriceDecimals;
            quantity[i] = session.Instruments[i].QuantityDecimals;
        }

        return new MarketLabels(venues, names, price, quantity);
    }

    /// <summary>Live venues: instruments are indexed by their id across venues (a venue may list a subset).</summary>
    public static MarketLabels Of(IReadOnlyList<LiveVenueOptions> venues)
    {
        ArgumentNullException.ThrowIfNull(venues);
        var venueNames = new string[venues.Count];
        var instruments = new SortedDictionary<int, InstrumentSpec>();
        for (int v = 0; v < venues.Count; v++)
        {
            venueNames[v] = SecretRedaction.Redact(venues[v].Name);
            foreach (LiveSymbol s in venues[v].Symbols)
            {
                instruments[s.Instrument.Id.Value] = s.Instrument;
            }
        }

        int count = instruments.Count == 0 ? 0 : instruments.Keys.Max() + 1;
        var names = new string[count];
        var price = new int[count];
        var quantity = new int[count];
        foreach ((int id, InstrumentSpec spec) in instruments)
        {
            names[id] = SecretRedaction.Redact(spec.Name);
            price[id] = spec.PriceDecimals;
            quantity[id] = spec.QuantityDecimals;
        }

        return new MarketLabels(venueNames, names, price, quantity);
    }
}
