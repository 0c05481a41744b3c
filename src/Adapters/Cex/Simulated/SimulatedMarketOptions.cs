namespace LowLatency.Adapters.Cex.Simulated;

/// <summary>One simulated exchange: its fee, how late it sees the true price, and how noisy its quotes are.</summary>
public sealed record SimulatedVenueOptions
{
    public required string Name { get; init; }

    /// <summary>Taker fee as a fraction (0.001 = 10 bps).</summary>
    public double TakerFee { get; init; } = 0.001;

    /// <summary>Time constant, in milliseconds, with which the venue's mid follows the true price.</summary>
    public double LatencyMs { get; init; } = 50;

    /// <summary>Standard deviation of the venue's own mean-reverting quote noise, in bps.</summary>
    public double NoiseBps { get; init; } = 2;

    /// <summary>Half the quoted spread, in bps.</summary>
    public double HalfSpreadBps { get; init; } = 1;

    /// <summary>Quote updates per second per instrument (Poisson).</summary>
    public double UpdatesPerSecond { get; init; } = 40;
}

/// <summary>One simulated instrument: its starting price, tick and lot, and volatility.</summary>
public sealed record SimulatedInstrumentOptions
{
    public required string Symbol { get; init; }

    public double StartPrice { get; init; } = 100;

    /// <summary>Price tick in price units (e.g. 0.01).</summary>
    public double TickSize { get; init; } = 0.01;

    /// <summary>Typical top-of-book size in base units.</summary>
    public double TypicalSize { get; init; } = 1;

    /// <summary>Volatility of the true price, in bps per √second.</summary>
    public double VolatilityBpsPerSqrtSecond { get; init; } = 5;
}

/// <summary>A deterministic simulated market: same seed, same ticks.</summary>
public sealed record SimulatedMarketOptions
{
    public int Seed { get; init; } = 42;

    public required IReadOnlyList<SimulatedVenueOptions> Venues { get; init; }

    public required IReadOnlyList<SimulatedInstrumentOptions> Instruments { get; init; }

    /// <summary>Chance, per quote update, that the venue's price is knocked off the true price.</summary>
    public double DislocationProbability { get; init; } = 0.002;

    /// <summary>Size of a dislocation in bps (sign random).</summary>
    public double DislocationBps { get; init; } = 40;

    /// <summary>How fast, in milliseconds, a dislocation decays.</summary>
    public double DislocationDecayMs { get; init; } = 400;

    /// <summary>The DEX side (chains, pools, bridges) whose pools follow these instruments' true prices; null: CEX only.</summary>
    public SimulatedDexOptions? Dex { get; init; }

    /// <summary>
    /// Most venues a simulated market may have: the edge sweep's limit (<c>EdgeSweepLimits.MaxVenues</c>, which this
    /// project cannot reference); venue ids are bytes, so more would also wrap.
    /// </summary>
    public const int MaxVenues = 64;

    /// <summary>Most books (venues × instruments) the engine holds: <c>BookSet</c> indexes them with a short.</summary>
    public const int MaxBooks = short.MaxValue;

    /// <summary>Largest fixed-point raw start price (price × 10^decimals of the tick): leaves the random walk room below long.MaxValue.</summary>
    private const double MaxRawStartPrice = 1e15;

    /// <summary>
    /// Checks every value and returns every problem found (empty when valid), each naming its setting as a JSON path
    /// under <paramref name="path"/> (a value may be null when the options came from JSON). Start-up only; allocates.
    /// </summary>
    public IReadOnlyList<string> Validate(string path = "market")
    {
        var errors = new List<string>();
        int venueCount = Venues?.Count ?? 0;
        int instrumentCount = Instruments?.Count ?? 0;
        if (Venues is null)
        {
            errors.Add($"{path}.venues: missing; at least two venues are needed for cross-venue edges");
        }
        else if (venueCount < 2)
        {
            errors.Add($"{path}.venues: {venueCount} venue(s); at least two are needed for cross-venue edges");
        }
        else if (venueCount > MaxVenues)
        {
            errors.Add($"{path}.venues: {venueCount} venues; the engine holds at most {MaxVenues}");
        }

        if (Instruments is null)
        {
            errors.Add($"{path}.instruments: missing; at least one instrument is needed");
        }
        else if (instrumentCount < 1)
        {
            errors.Add($"{path}.instruments: empty; at least one instrument is needed");
        }

        if ((long)venueCount * instrumentCount > MaxBooks)
        {
            errors.Add($"{path}: {venueCount} venues x {instrumentCount} instruments = {(long)venueCount * instrumentCount} books; the engine holds at most {MaxBooks}");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int index = 0; index < venueCount; index++)
        {
            SimulatedVenueOptions? v = Venues![index];
            string at = $"{path}.venues[{index}]";
            if (v is null)
            {
                errors.Add($"{at}: must not be null");
                continue;
            }

            if (string.IsNullOrWhiteSpace(v.Name))
            {
                errors.Add($"{at}.name: missing or empty");
            }
            else if (!names.Add(v.Name))
            {
                errors.Add($"{at}.name: '{v.Name}' names two venues");
            }

            if (!(v.TakerFee >= 0 && v.TakerFee < 0.1))
            {
                errors.Add($"{at}.takerFee: {v.TakerFee} must be a fraction in [0, 0.1)");
            }

            if (!(v.LatencyMs > 0 && v.LatencyMs <= 1e6) || !(v.UpdatesPerSecond > 0 && v.UpdatesPerSecond <= 1e6)
                || !(v.NoiseBps >= 0 && v.NoiseBps <= 1000) || !(v.HalfSpreadBps > 0 && v.HalfSpreadBps <= 1000))
            {
                errors.Add($"{at}: latencyMs and updatesPerSecond must be in (0, 1e6], halfSpreadBps in (0, 1000], noiseBps in [0, 1000]");
            }
        }

        var symbols = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int index = 0; index < instrumentCount; index++)
        {
            SimulatedInstrumentOptions? i = Instruments![index];
            string at = $"{path}.instruments[{index}]";
            if (i is null)
            {
                errors.Add($"{at}: must not be null");
                continue;
            }

            if (string.IsNullOrWhiteSpace(i.Symbol))
            {
                errors.Add($"{at}.symbol: missing or empty");
            }
            else if (!symbols.Add(i.Symbol))
            {
                errors.Add($"{at}.symbol: '{i.Symbol}' names two instruments");
            }

            // One message per instrument for its numbers, as for venues: the fix is usually to all of them at once.
            if (!(i.StartPrice > 0 && i.StartPrice <= 1e9) || !(i.TickSize >= 1e-8 && i.TickSize < i.StartPrice)
                || !(i.TypicalSize > 0 && i.TypicalSize <= 1e9) || !(i.VolatilityBpsPerSqrtSecond >= 0 && i.VolatilityBpsPerSqrtSecond <= 1000)
                || i.StartPrice * Math.Pow(10, PriceDecimals(i.TickSize)) > MaxRawStartPrice)
            {
                errors.Add($"{at}: startPrice must be in (0, 1e9], tickSize in [1e-8, startPrice), startPrice x 10^(decimals of tickSize) at most 1e15, typicalSize in (0, 1e9], volatilityBpsPerSqrtSecond in [0, 1000]");
            }
        }

        if (!(DislocationProbability >= 0 && DislocationProbability <= 1) || !(DislocationBps >= 0 && DislocationBps <= 10_000)
            || !(DislocationDecayMs > 0 && DislocationDecayMs <= 1e7))
        {
            errors.Add($"{path}: dislocationProbability must be in [0, 1], dislocationBps in [0, 10000], dislocationDecayMs in (0, 1e7]");
        }

        if (errors.Count == 0)
        {
            Dex?.Validate($"{path}.dex", this, errors);
        }

        return errors;
    }

    // The fixed-point scale SimulatedMarket picks for a tick size (the same rule as its DecimalsFor).
    private static int PriceDecimals(double tickSize)
    {
        for (int d = 0; d <= 12; d++)
        {
            double scaled = tickSize * Math.Pow(10, d);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-9 * Math.Max(1, scaled))
            {
                return Math.Max(d, 2);
            }
        }

        return 12;
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

    /// <summary>
    /// What <c>./lowlatency run</c> runs on when no market is configured: <see cref="Default"/> with the DEX side of
    /// <see cref="SimulatedDexOptions.Default"/> (pools on Ethereum and Base following these instruments).
    /// </summary>
    public static SimulatedMarketOptions Embedded => Default with { Dex = SimulatedDexOptions.Default };
}
