namespace LowLatency.Adapters.Cex.Simulated;

/// <summary>One simulated exchange: its fee, how late it sees the true price, and how noisy its quotes are.</summary>
public sealed record SimulatedVenueOptions
{
    public required string Name { get; set; }

    /// <summary>Taker fee as a fraction (0.001 = 10 bps).</summary>
    public double TakerFee { get; set; } = 0.001;

    /// <summary>Time constant, in milliseconds, with which the venue's mid follows the true price.</summary>
    public double LatencyMs { get; set; } = 50;

    /// <summary>Standard deviation of the venue's own mean-reverting quote noise, in bps.</summary>
    public double NoiseBps { get; set; } = 2;

    /// <summary>Half the quoted spread, in bps.</summary>
    public double HalfSpreadBps { get; set; } = 1;

    /// <summary>Quote updates per second per instrument (Poisson).</summary>
    public double UpdatesPerSecond { get; set; } = 40;
}

/// <summary>One simulated instrument: its starting price, tick and lot, and volatility.</summary>
public sealed record SimulatedInstrumentOptions
{
    public required string Symbol { get; set; }

    public double StartPrice { get; set; } = 100;

    /// <summary>Price tick in price units (e.g. 0.01).</summary>
    public double TickSize { get; set; } = 0.01;

    /// <summary>Typical top-of-book size in base units.</summary>
    public double TypicalSize { get; set; } = 1;

    /// <summary>Volatility of the true price, in bps per √second.</summary>
    public double VolatilityBpsPerSqrtSecond { get; set; } = 5;
}

/// <summary>A deterministic simulated market: same seed, same ticks.</summary>
public sealed record SimulatedMarketOptions
{
    public int Seed { get; set; } = 42;

    public required IReadOnlyList<SimulatedVenueOptions> Venues { get; set; }

    public required IReadOnlyList<SimulatedInstrumentOptions> Instruments { get; set; }

    /// <summary>Chance, per quote update, that the venue's price is knocked off the true price.</summary>
    public double DislocationProbability { get; set; } = 0.002;

    /// <summary>Size of a dislocation in bps (sign random).</summary>
    public double DislocationBps { get; set; } = 40;

    /// <summary>How fast, in milliseconds, a dislocation decays.</summary>
    public double DislocationDecayMs { get; set; } = 400;

    /// <summary>Checks every value and returns every problem found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Venues is null || Venues.Count < 2)
        {
            errors.Add("simulated market: at least two venues are needed for cross-venue edges");
        }

        if (Instruments is null || Instruments.Count < 1)
        {
            errors.Add("simulated market: at least one instrument is needed");
        }

        foreach (SimulatedVenueOptions v in Venues ?? [])
        {
            if (string.IsNullOrWhiteSpace(v.Name))
            {
                errors.Add("simulated venue: name is empty");
            }

            if (!(v.TakerFee >= 0 && v.TakerFee < 0.1))
            {
                errors.Add($"simulated venue {v.Name}: takerFee {v.TakerFee} must be a fraction in [0, 0.1)");
            }

            if (!(v.LatencyMs > 0) || !(v.UpdatesPerSecond > 0) || !(v.NoiseBps >= 0) || !(v.HalfSpreadBps > 0))
            {
                errors.Add($"simulated venue {v.Name}: latencyMs, updatesPerSecond and halfSpreadBps must be > 0, noiseBps >= 0");
            }
        }

        foreach (SimulatedInstrumentOptions i in Instruments ?? [])
        {
            if (!(i.StartPrice > 0) || !(i.TickSize > 0) || !(i.TypicalSize > 0) || !(i.VolatilityBpsPerSqrtSecond >= 0))
            {
                errors.Add($"simulated instrument {i.Symbol}: startPrice, tickSize and typicalSize must be > 0");
            }
        }

        if (!(DislocationProbability >= 0 && DislocationProbability <= 1) || !(DislocationBps >= 0) || !(DislocationDecayMs > 0))
        {
            errors.Add("simulated market: dislocationProbability must be in [0, 1], dislocationBps >= 0, dislocationDecayMs > 0");
        }

        return errors;
    }

    /// <summary>The embedded default market of <c>./lowlatency run</c>: four venues, six instruments (a new copy each time).</summary>
    public static SimulatedMarketOptions Default => new()
    {
        Venues =
        [
            new SimulatedVenueOptions { Name = "sim-alpha", TakerFee = 0.0010, LatencyMs = 20, NoiseBps = 1.5, HalfSpreadBps = 0.8 },
            new SimulatedVenueOptions { Name = "sim-beta", TakerFee = 0.0008, LatencyMs = 60, NoiseBps = 2.5, HalfSpreadBps = 1.2 },
            new SimulatedVenueOptions { Name = "sim-gamma", TakerFee = 0.0015, LatencyMs = 120, NoiseBps = 3.0, HalfSpreadBps = 1.5 },
            new SimulatedVenueOptions { Name = "sim-delta", TakerFee = 0.0005, LatencyMs = 40, NoiseBps = 2.0, HalfSpreadBps = 1.0 },
        ],
        Instruments =
        [
            new SimulatedInstrumentOptions { Symbol = "BTC-USDT", StartPrice = 64_000, TickSize = 0.1, TypicalSize = 0.5, VolatilityBpsPerSqrtSecond = 4 },
            new SimulatedInstrumentOptions { Symbol = "ETH-USDT", StartPrice = 3_200, TickSize = 0.01, TypicalSize = 5, VolatilityBpsPerSqrtSecond = 5 },
            new SimulatedInstrumentOptions { Symbol = "SOL-USDT", StartPrice = 150, TickSize = 0.001, TypicalSize = 50, VolatilityBpsPerSqrtSecond = 7 },
            new SimulatedInstrumentOptions { Symbol = "ARB-USDT", StartPrice = 0.9, TickSize = 0.0001, TypicalSize = 5_000, VolatilityBpsPerSqrtSecond = 8 },
            new SimulatedInstrumentOptions { Symbol = "OP-USDT", StartPrice = 1.8, TickSize = 0.0001, TypicalSize = 3_000, VolatilityBpsPerSqrtSecond = 8 },
            new SimulatedInstrumentOptions { Symbol = "MATIC-USDT", StartPrice = 0.55, TickSize = 0.0001, TypicalSize = 10_000, VolatilityBpsPerSqrtSecond = 8 },
        ],
    };
}
