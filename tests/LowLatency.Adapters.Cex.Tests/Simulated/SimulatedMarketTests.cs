using LowLatency.Adapters.Cex.Simulated;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Simulated;

public sealed class SimulatedMarketTests
{
    [Fact]
    public void The_same_seed_gives_the_same_ticks()
    {
        var a = new SimulatedMarket(SimulatedMarketOptions.Default);
        var b = new SimulatedMarket(SimulatedMarketOptions.Default);
        var c = new SimulatedMarket(SimulatedMarketOptions.Default with { Seed = 43 });
        TickEvent ta = default, tb = default, tc = default;
        bool anyDifferent = false;
        for (int i = 0; i < 10_000; i++)
        {
            a.Next(ref ta);
            b.Next(ref tb);
            c.Next(ref tc);
            Assert.Equal(ta.Venue, tb.Venue);
            Assert.Equal(ta.Instrument, tb.Instrument);
            Assert.Equal(ta.Levels[0].Price, tb.Levels[0].Price);
            Assert.Equal(ta.Levels[1].Quantity, tb.Levels[1].Quantity);
            Assert.Equal(ta.ExchangeTimeNs, tb.ExchangeTimeNs);
            anyDifferent |= ta.Levels[0].Price != tc.Levels[0].Price;
        }

        Assert.True(anyDifferent);
    }

    [Fact]
    public void Quotes_are_sane_tops_in_time_order_with_per_venue_update_ids()
    {
        var market = new SimulatedMarket(SimulatedMarketOptions.Default);
        var lastId = new Dictionary<(byte, ushort), long>();
        var venuesSeen = new HashSet<byte>();
        long lastTime = 0;
        TickEvent tick = default;
        for (int i = 0; i < 50_000; i++)
        {
            market.Next(ref tick, venueIdBase: 3);
            Assert.Equal(TickKind.Top, tick.Kind);
            Assert.True(tick.Levels[0].Price.Raw > 0);
            Assert.True(tick.Levels[1].Price.Raw > tick.Levels[0].Price.Raw, "never crossed or locked");
            Assert.True(tick.Levels[0].Quantity.Raw > 0 && tick.Levels[1].Quantity.Raw > 0);
            Assert.True(tick.ExchangeTimeNs >= lastTime);
            lastTime = tick.ExchangeTimeNs;
            var key = (tick.Venue.Value, tick.Instrument.Value);
            lastId.TryGetValue(key, out long previous);
            Assert.Equal(previous + 1, tick.LastUpdateId);
            lastId[key] = tick.LastUpdateId;
            venuesSeen.Add(tick.Venue.Value);
        }

        Assert.Equal(new HashSet<byte> { 3, 4, 5, 6 }, venuesSeen);
    }

    [Fact]
    public void Venues_track_the_same_price_and_dislocations_open_edges()
    {
        var options = SimulatedMarketOptions.Default;
        var market = new SimulatedMarket(options);
        int instruments = options.Instruments.Count;
        int venues = options.Venues.Count;
        var bid = new double[instruments, venues];
        var ask = new double[instruments, venues];
        int crossVenueEdges = 0;
        TickEvent tick = default;
        for (int i = 0; i < 200_000; i++)
        {
            market.Next(ref tick);
            int inst = tick.Instrument.Value;
            int v = tick.Venue.Value;
            int scale = market.PriceDecimals(inst);
            bid[inst, v] = FixedPoint.ToDouble(tick.Levels[0].Price.Raw, scale);
            ask[inst, v] = FixedPoint.ToDouble(tick.Levels[1].Price.Raw, scale);
            for (int other = 0; other < venues; other++)
            {
                if (other != v && ask[inst, other] > 0)
                {
                    // Venues agree to within a percent: they quote one market.
                    Assert.InRange(bid[inst, v] / ask[inst, other], 0.99, 1.01);
                    if (bid[inst, v] > ask[inst, other] * 1.003)
                    {
                        crossVenueEdges++;
                    }
                }
            }
        }

        Assert.True(crossVenueEdges > 0, "dislocations should open edges wider than 30 bps");
    }

    [Fact]
    public void Generating_ticks_allocates_nothing()
    {
        var market = new SimulatedMarket(SimulatedMarketOptions.Default);
        TickEvent tick = default;
        market.Next(ref tick);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            market.Next(ref tick);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_options_are_all_reported_together()
    {
        var bad = new SimulatedMarketOptions
        {
            Venues = [new SimulatedVenueOptions { Name = "x", TakerFee = 0.5 }],
            Instruments = [new SimulatedInstrumentOptions { Symbol = "Y", StartPrice = -1 }],
            DislocationProbability = 2,
        };
        IReadOnlyList<string> errors = bad.Validate();
        Assert.Equal(4, errors.Count);
        Assert.Throws<ArgumentException>(() => new SimulatedMarket(bad));
    }
}
