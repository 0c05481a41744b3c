using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Strategy;

/// <summary>
/// Cross-venue edges per instrument, net of each venue's taker fee. Holds the tops of every (instrument, venue) in
/// structure-of-arrays form (the kernels' layout), recomputes the instruments a batch touched, and can run a full sweep
/// through an <see cref="IEdgeSweeper"/>. Edges at or above the threshold become <see cref="Opportunity"/> values
/// handed to an <see cref="IOpportunitySink"/>.
/// Strategy thread only; allocates only in the constructor.
/// </summary>
public sealed class EdgeStage
{
    private readonly int _instruments;
    private readonly int _venues;
    private readonly double _thresholdBps;
    private readonly double[] _takerFee;
    private readonly int[] _priceDecimals;

    // Quotes: [instrument * venues + venue]
    private readonly double[] _bid;
    private readonly double[] _ask;
    private readonly byte[] _tradeable;
    private readonly long[] _bidRaw;
    private readonly long[] _askRaw;
    private readonly long[] _bidQty;
    private readonly long[] _askQty;
    private readonly long[] _quoteTimeNs;
    private readonly long[] _quoteTimestamp;

    // Per ordered pair: [(instrument * venues + buy) * venues + sell]
    private readonly double[] _netBps;
    private readonly double[] _grossBps;
    private readonly long[] _emittedBuyAsk;
    private readonly long[] _emittedSellBid;

    private readonly int[] _touched;
    private readonly bool[] _isTouched;
    private int _touchedCount;
    private long _sweepFallbacks;

    /// <param name="priceDecimals">Per instrument: the fixed-point scale of its prices.</param>
    /// <param name="takerFee">Per venue: taker fee as a fraction (0.001 = 10 bps).</param>
    public EdgeStage(int instruments, int venues, ReadOnlySpan<int> priceDecimals, ReadOnlySpan<double> takerFee, double thresholdBps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instruments, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(venues, 2);
        if (priceDecimals.Length != instruments)
        {
            throw new ArgumentException($"priceDecimals has {priceDecimals.Length} entries for {instruments} instruments", nameof(priceDecimals));
        }

        if (takerFee.Length != venues)
        {
            throw new ArgumentException($"takerFee has {takerFee.Length} entries for {venues} venues", nameof(takerFee));
        }

        for (int v = 0; v < takerFee.Length; v++)
        {
            if (!(takerFee[v] >= 0 && takerFee[v] < 0.1))
            {
                throw new ArgumentOutOfRangeException(nameof(takerFee), $"venue {v}: taker fee {takerFee[v]} is not a fraction in [0, 0.1)");
            }
        }

        if (!double.IsFinite(thresholdBps))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdBps), "threshold must be finite");
        }

        _instruments = instruments;
        _venues = venues;
        _thresholdBps = thresholdBps;
        _takerFee = takerFee.ToArray();
        _priceDecimals = priceDecimals.ToArray();
        int quotes = instruments * venues;
        _bid = new double[quotes];
        _ask = new double[quotes];
        _tradeable = new byte[quotes];
        _bidRaw = new long[quotes];
        _askRaw = new long[quotes];
        _bidQty = new long[quotes];
        _askQty = new long[quotes];
        _quoteTimeNs = new long[quotes];
        _quoteTimestamp = new long[quotes];
        int pairs = quotes * venues;
        _netBps = new double[pairs];
        _grossBps = new double[pairs];
        _emittedBuyAsk = new long[pairs];
        _emittedSellBid = new long[pairs];
        _touched = new int[instruments];
        _isTouched = new bool[instruments];
    }

    public int Instruments => _instruments;

    public int Venues => _venues;

    public double ThresholdBps => _thresholdBps;

    /// <summary>Instruments touched since the last evaluation.</summary>
    public int TouchedCount => _touchedCount;

    /// <summary>
    /// Full sweeps the sweeper refused (e.g. a shape over the kernel host's capacity), each re-evaluated instrument by
    /// instrument instead. Non-zero means a configuration mismatch worth an alert. Written by the strategy thread; other
    /// threads read an approximate value.
    /// </summary>
    public long SweepFallbacks => Volatile.Read(ref _sweepFallbacks);

    /// <summary>Net edges of the last evaluation, [(instrument * venues + buy) * venues + sell]; <see cref="EdgeMath.NoEdge"/> where no edge exists.</summary>
    public ReadOnlySpan<double> NetBps => _netBps;

    /// <summary>
    /// Records a venue's top of book for an instrument. <paramref name="tradeable"/> is false when the book is missing,
    /// in resync or crossed: such a quote never forms an edge.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void UpdateQuote(InstrumentId instrument, VenueId venue, in BookLevel bestBid, in BookLevel bestAsk, bool tradeable, long receiveTimeNs, long receiveTimestamp)
    {
        int i = instrument.Value;
        int v = venue.Value;
        if ((uint)i >= (uint)_instruments || (uint)v >= (uint)_venues)
        {
            return;
        }

        int q = (i * _venues) + v;
        int scale = _priceDecimals[i];
        _bidRaw[q] = bestBid.Price.Raw;
        _askRaw[q] = bestAsk.Price.Raw;
        _bidQty[q] = bestBid.Quantity.Raw;
        _askQty[q] = bestAsk.Quantity.Raw;
        _bid[q] = FixedPoint.ToDouble(bestBid.Price.Raw, scale);
        _ask[q] = FixedPoint.ToDouble(bestAsk.Price.Raw, scale);
        _tradeable[q] = (byte)(tradeable && bestBid.Price.IsSet && bestAsk.Price.IsSet ? 1 : 0);
        _quoteTimeNs[q] = receiveTimeNs;
        _quoteTimestamp[q] = receiveTimestamp;
        if (!_isTouched[i])
        {
            _isTouched[i] = true;
            _touched[_touchedCount++] = i;
        }
    }

    /// <summary>
    /// Recomputes the edges of the touched instruments and hands every new or changed edge at or above the threshold
    /// to <paramref name="sink"/>. Returns how many opportunities were emitted.
    /// </summary>
    public int EvaluateTouched<TSink>(ref TSink sink, long decisionTimeNs)
        where TSink : struct, IOpportunitySink
    {
        int emitted = 0;
        for (int t = 0; t < _touchedCount; t++)
        {
            int i = _touched[t];
            _isTouched[i] = false;
            ComputeInstrument(i);
            emitted += EmitInstrument(ref sink, i, decisionTimeNs);
        }

        _touchedCount = 0;
        return emitted;
    }

    /// <summary>
    /// Recomputes every (instrument, buy, sell) triple through <paramref name="sweeper"/> (SIMD or CUDA kernel) and emits
    /// as <see cref="EvaluateTouched{TSink}"/> does. Used when a batch touched many instruments, and on demand. A sweep
    /// the sweeper refuses is counted in <see cref="SweepFallbacks"/> and done here, instrument by instrument: its
    /// "no edge" outputs mean "not evaluated". Strategy thread; allocation-free.
    /// </summary>
    public int EvaluateAll<TSink>(IEdgeSweeper sweeper, ref TSink sink, long decisionTimeNs)
        where TSink : struct, IOpportunitySink
    {
        ArgumentNullException.ThrowIfNull(sweeper);
        if (!sweeper.Sweep(_instruments, _venues, _bid, _ask, _tradeable, _takerFee, _netBps, _grossBps))
        {
            ComputeAllAfterRefusal();
        }

        int emitted = 0;
        for (int i = 0; i < _instruments; i++)
        {
            emitted += EmitInstrument(ref sink, i, decisionTimeNs);
        }

        for (int t = 0; t < _touchedCount; t++)
        {
            _isTouched[_touched[t]] = false;
        }

        _touchedCount = 0;
        return emitted;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ComputeAllAfterRefusal()
    {
        Volatile.Write(ref _sweepFallbacks, _sweepFallbacks + 1);
        for (int i = 0; i < _instruments; i++)
        {
            ComputeInstrument(i);
        }
    }

    private void ComputeInstrument(int i)
    {
        int venues = _venues;
        int quoteBase = i * venues;
        for (int b = 0; b < venues; b++)
        {
            int qb = quoteBase + b;
            int pairBase = qb * venues;
            double buyAsk = _ask[qb];
            bool buyOk = EdgeMath.IsUsablePrice(_tradeable[qb] != 0, buyAsk);
            for (int s = 0; s < venues; s++)
            {
                int qs = quoteBase + s;
                double sellBid = _bid[qs];
                if (!buyOk || s == b || !EdgeMath.IsUsablePrice(_tradeable[qs] != 0, sellBid))
                {
                    _netBps[pairBase + s] = EdgeMath.NoEdge;
                    _grossBps[pairBase + s] = EdgeMath.NoEdge;
                    continue;
                }

                _grossBps[pairBase + s] = EdgeMath.GrossBps(buyAsk, sellBid);
                _netBps[pairBase + s] = EdgeMath.NetBps(buyAsk, sellBid, _takerFee[b], _takerFee[s]);
            }
        }
    }

    private int EmitInstrument<TSink>(ref TSink sink, int i, long decisionTimeNs)
        where TSink : struct, IOpportunitySink
    {
        int venues = _venues;
        int quoteBase = i * venues;
        int emitted = 0;
        for (int b = 0; b < venues; b++)
        {
            int qb = quoteBase + b;
            int pairBase = qb * venues;
            for (int s = 0; s < venues; s++)
            {
                int p = pairBase + s;
                double net = _netBps[p];

                // NoEdge (and NaN from a misbehaving sweeper) never passes and clears the pair's emission memory.
                if (!(net >= _thresholdBps))
                {
                    _emittedBuyAsk[p] = 0;
                    _emittedSellBid[p] = 0;
                    continue;
                }

                int qs = quoteBase + s;

                // One opportunity per distinct pair of quotes: a standing edge is reported once, not on every tick.
                if (_emittedBuyAsk[p] == _askRaw[qb] && _emittedSellBid[p] == _bidRaw[qs])
                {
                    continue;
                }

                _emittedBuyAsk[p] = _askRaw[qb];
                _emittedSellBid[p] = _bidRaw[qs];

                // Kind CexCex, no graph path, not sized here (Quantity holds the top-of-book size): the defaults.
                Opportunity o = default;
                o.Instrument = new InstrumentId((ushort)i);
                o.BuyVenue = new VenueId((byte)b);
                o.SellVenue = new VenueId((byte)s);
                o.BuyPrice = new Price(_askRaw[qb]);
                o.SellPrice = new Price(_bidRaw[qs]);
                o.Quantity = new Quantity(Math.Min(_askQty[qb], _bidQty[qs]));
                o.GrossEdgeBps = _grossBps[p];
                o.NetEdgeBps = net;
                o.BuyTickReceiveTimeNs = _quoteTimeNs[qb];
                o.SellTickReceiveTimeNs = _quoteTimeNs[qs];
                o.TriggerTimestamp = Math.Max(_quoteTimestamp[qb], _quoteTimestamp[qs]);
                o.DecisionTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
                o.DecisionTimeNs = decisionTimeNs;
                sink.OnOpportunity(in o);
                emitted++;
            }
        }

        return emitted;
    }
}

/// <summary>Receives opportunities on the strategy thread (a struct, so the call is devirtualised). Must not block or allocate.</summary>
public interface IOpportunitySink
{
    void OnOpportunity(in Opportunity opportunity);
}
