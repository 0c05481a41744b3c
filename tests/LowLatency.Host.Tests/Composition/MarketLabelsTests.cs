using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Host.Composition;

namespace LowLatency.Host.Tests.Composition;

public sealed class MarketLabelsTests
{
    // A private key's shape: 32 bytes of hex. Pasted as a name it must never reach a label.
    private const string PastedKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    [Fact]
    public void Simulated_labels_carry_the_markets_names_and_decimals_with_a_pasted_key_redacted()
    {
        SimulatedMarketOptions embedded = SimulatedMarketOptions.Embedded;
        var venues = embedded.Venues.ToList();
        venues[1] = venues[1] with { Name = PastedKey };
        SimulatedMarketOptions options = embedded with { Venues = venues };
        var market = new SimulatedMarket(options);

        MarketLabels labels = MarketLabels.Of(options, market);

        Assert.Equal(market.VenueCount, labels.VenueNames.Length);
        Assert.Equal(embedded.Venues[0].Name, labels.VenueNames[0]);
        Assert.DoesNotContain(PastedKey, labels.VenueNames[1], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(market.InstrumentCount, labels.InstrumentNames.Length);
        for (int i = 0; i < market.InstrumentCount; i++)
        {
            Assert.Equal(options.Instruments[i].Symbol, labels.InstrumentNames[i]);
            Assert.Equal(market.PriceDecimals(i), labels.PriceDecimals[i]);
            Assert.Equal(market.QuantityDecimals(i), labels.QuantityDecimals[i]);
        }
    }
}
