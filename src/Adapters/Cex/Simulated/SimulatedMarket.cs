using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Simulated;

/// <summary>
/// A deterministic (seeded) market of several CEX venues quoting the same instruments. A hidden true price per
/// instrument follows a random walk; each venue follows it with its own lag (latency), mean-reverting noise and
/// spread, and is now and then knocked off by a decaying dislocation — the edges the engine looks for.
/// <see cref="Next"/> writes the next quote update, in time order, straight into a ring slot. One producer thread;
/// allocation-free after construction.
/// </summary>
public sealed class SimulatedMarket
{
    private const double BpsToFraction = 1e-4;

    private readonly SimulatedMarketOptions _options;
    private readonly int _venues;
    private readonly int _instruments;
    private readonly double[] _trueLogPrice;      // per instrument
    private readonly double[] _venueLogMid;       // per (instrument, venue): lagged view of the true price
    private readonly double[] _venueNoise;        // per (instrument, venue): AR(1) noise, as a fraction
    private readonly double[] _dislocation;       // per (instrument, venue): current dislocation, as a fraction
    private readonly long[] _updateId;            // per (instrument, venue)
    private readonly double[] _lastSeen;          // per (instrument, venue): time of its last update, seconds
    private readonly double[] _venueRate;         // per venue: updates/s summed over instruments
    private readonly double _totalRate;
    private readonly int[] _priceDecimals;
    private readonly int[] _quantityDecimals;
    private readonly long[] _tickRaw;
    private readonly SimulatedDex? _dex;
    private SplitMix64 _rng;
    private double _nextCexSeconds = double.NaN;
    private double _lastTrueUpdateSeconds;
    private double _nowSeconds;

    public SimulatedMarket(SimulatedMarketOptions options, long startUnixNs = 1_700_000_000_000_000_000)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _venues = options.Venues.Count;
        _instruments = options.Instruments.Count;
        StartUnixNs = startUnixNs;
        _rng = new SplitMix64((ulong)options.Seed);
        _trueLogPrice = new double[_instruments];
        _venueLogMid = new double[_instruments * _venues];
        _venueNoise = new double[_instruments * _venues];
        _dislocation = new double[_instruments * _venues];
        _updateId = new long[_instruments * _venues];
        _lastSeen = new double[_instruments * _venues];
        _venueRate = new double[_venues];
        _priceDecimals = new int[_instruments];
        _quantityDecimals = new int[_instruments];
        _tickRaw = new long[_instruments];
        for (int i = 0; i < _instruments; i++)
        {
            SimulatedInstrumentOptions inst = options.Instruments[i];
            _trueLogPrice[i] = Math.Log(inst.StartPrice);
            _priceDecimals[i] = DecimalsFor(inst.TickSize);
            _quantityDecimals[i] = 8;
            _tickRaw[i] = Math.Max(1, (long)Math.Round(inst.TickSize * FixedPoint.Pow10(_priceDecimals[i])));
            for (int v = 0; v < _venues; v++)
            {
                _venueLogMid[(i * _venues) + v] = _trueLogPrice[i];
            }
        }

        double total = 0;
        for (int v = 0; v < _venues; v++)
        {
            _venueRate[v] = options.Venues[v].UpdatesPerSecond * _instruments;
            total += _venueRate[v];
        }

        _totalRate = total;
        _dex = options.Dex is { } dex ? new SimulatedDex(dex, options, (ulong)options.Seed, _trueLogPrice) : null;
    }

    /// <summary>Pools the DEX side writes <see cref="TickKind.Pool"/> events for (0 without one).</summary>
    public int PoolCount => _dex?.PoolCount ?? 0;

    public long StartUnixNs { get; }

    /// <summary>Simulated time of the last generated update, in nanoseconds since the start.</summary>
    public long ElapsedNs => (long)(_nowSeconds * 1e9);

    public int VenueCount => _venues;

    public int InstrumentCount => _instruments;

    /// <summary>Fixed-point price scale chosen for each instrument from its tick size.</summary>
    public int PriceDecimals(int instrument) => _priceDecimals[instrument];

    public int QuantityDecimals(int instrument) => _quantityDecimals[instrument];

    /// <summary>
    /// Writes the next quote update into <paramref name="slot"/> as a <see cref="TickKind.Top"/> event for venue id
    /// <c>venueIdBase + venue index</c> and instrument id = instrument index. Allocation-free.
    /// </summary>
    public void Next(ref TickEvent slot, byte venueIdBase = 0)
    {
        // Next event of the superposed Poisson processes; pick the venue by its share of the rate. With a DEX side, a
        // block's pool events come first when they are due before the next quote.
        if (_dex is null)
        {
            _nowSeconds += -Math.Log(1 - _rng.NextDouble()) / _totalRate;
        }
        else
        {
            if (double.IsNaN(_nextCexSeconds))
            {
                _nextCexSeconds = _nowSeconds + (-Math.Log(1 - _rng.NextDouble()) / _totalRate);
            }

            double block = _dex.NextSeconds;
            if (block <= _nextCexSeconds)
            {
                _nowSeconds = Math.Max(_nowSeconds, block);
                AdvanceTruePrices();
                _dex.Write(ref slot, _trueLogPrice, StartUnixNs + (long)(_nowSeconds * 1e9));
                return;
            }

            _nowSeconds = _nextCexSeconds;
            _nextCexSeconds = double.NaN;
        }

        int venue = PickVenue(_rng.NextDouble() * _totalRate);
        int instrument = (int)(_rng.NextDouble() * _instruments);
        if (instrument >= _instruments)
        {
            instrument = _instruments - 1;
        }

        AdvanceTruePrices();
        int q = (instrument * _venues) + venue;
        SimulatedVenueOptions v = _options.Venues[venue];
        SimulatedInstrumentOptions inst = _options.Instruments[instrument];

        double dt = _nowSeconds - _lastSeen[q];
        double follow = 1 - Math.Exp(-dt * 1000 / v.LatencyMs);
        _venueLogMid[q] += (_trueLogPrice[instrument] - _venueLogMid[q]) * follow;

        // AR(1) noise with stationary deviation NoiseBps, reverting over ~1 s.
        double keep = Math.Exp(-dt);
        _venueNoise[q] = (_venueNoise[q] * keep) + (v.NoiseBps * BpsToFraction * Math.Sqrt(1 - (keep * keep)) * _rng.NextGaussian());
        _dislocation[q] *= Math.Exp(-dt * 1000 / _options.DislocationDecayMs);
        if (_rng.NextDouble() < _options.DislocationProbability)
        {
            _dislocation[q] += (_rng.NextDouble() < 0.5 ? -1 : 1) * _options.DislocationBps * BpsToFraction;
        }

        double mid = Math.Exp(_venueLogMid[q] + _venueNoise[q] + _dislocation[q]);
        double half = mid * v.HalfSpreadBps * BpsToFraction;
        long scale = FixedPoint.Pow10(_priceDecimals[instrument]);
        long tick = _tickRaw[instrument];
        long bidRaw = (long)Math.Floor((mid - half) * scale / tick) * tick;
        long askRaw = (long)Math.Ceiling((mid + half) * scale / tick) * tick;
        if (askRaw <= bidRaw)
        {
            askRaw = bidRaw + tick;
        }

        long qtyScale = FixedPoint.Pow10(_quantityDecimals[instrument]);
        long bidQty = (long)(inst.TypicalSize * (0.2 + (1.6 * _rng.NextDouble())) * qtyScale);
        long askQty = (long)(inst.TypicalSize * (0.2 + (1.6 * _rng.NextDouble())) * qtyScale);

        long exchangeNs = StartUnixNs + (long)(_nowSeconds * 1e9);
        slot.Kind = TickKind.Top;
        slot.Flags = TickFlags.FirstChunk | TickFlags.LastChunk;
        slot.Venue = new VenueId((byte)(venueIdBase + venue));
        slot.Instrument = new InstrumentId((ushort)instrument);
        slot.BidCount = 1;
        slot.AskCount = 1;
        slot.Checksum = 0;
        long id = ++_updateId[q];
        slot.FirstUpdateId = id;
        slot.LastUpdateId = id;
        slot.PrevUpdateId = id - 1;
        slot.ExchangeTimeNs = exchangeNs;
        slot.ReceiveTimeNs = exchangeNs;
        slot.ReceiveTimestamp = 0;
        slot.Levels[0] = new BookLevel(new Price(bidRaw), new Quantity(Math.Max(1, bidQty)));
        slot.Levels[1] = new BookLevel(new Price(askRaw), new Quantity(Math.Max(1, askQty)));
        _lastSeen[q] = _nowSeconds;
    }

    private void AdvanceTruePrices()
    {
        double dt = _nowSeconds - _lastTrueUpdateSeconds;
        if (dt <= 0)
        {
            return;
        }

        _lastTrueUpdateSeconds = _nowSeconds;
        double sqrtDt = Math.Sqrt(dt);
        for (int i = 0; i < _instruments; i++)
        {
            double sigma = _options.Instruments[i].VolatilityBpsPerSqrtSecond * BpsToFraction;
            _trueLogPrice[i] += sigma * sqrtDt * _rng.NextGaussian();
        }
    }

    private int PickVenue(double u)
    {
        for (int v = 0; v < _venues - 1; v++)
        {
            u -= _venueRate[v];
            if (u < 0)
            {
                return v;
            }
        }

        return _venues - 1;
    }

    private static int DecimalsFor(double tickSize)
    {
        for (int d = 0; d <= 12; d++)
        {
            double scaled = tickSize * FixedPoint.Pow10(d);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-9 * Math.Max(1, scaled))
            {
                return Math.Max(d, 2);
            }
        }

        return 12;
    }

    /// <summary>SplitMix64: tiny, fast, deterministic across platforms and .NET versions (System.Random's seeded algorithm is not a contract).</summary>
    internal struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;
        private double _spare = double.NaN;

        public ulong NextUInt64()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        public double NextGaussian()
        {
            if (!double.IsNaN(_spare))
            {
                double s = _spare;
                _spare = double.NaN;
                return s;
            }

            double u1 = 1 - NextDouble();
            double u2 = NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(u1));
            _spare = r * Math.Sin(2 * Math.PI * u2);
            return r * Math.Cos(2 * Math.PI * u2);
        }
    }
}
