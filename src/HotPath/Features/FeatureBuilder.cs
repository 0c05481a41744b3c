using System.Runtime.CompilerServices;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Features;

/// <summary>
/// The rolling state of one candidate and the one function that turns an observation into a <see cref="FeatureFrame"/>:
/// live features and training rows both come from <see cref="Update"/>, so they cannot drift apart. Causal by
/// construction: a frame depends only on the observations given so far. One thread at a time (the strategy thread live,
/// the dataset builder offline); allocates only in the constructor.
/// </summary>
public sealed class FeatureBuilder
{
    private const int LongWindow = 64; // power of two: ring indices are masked
    private const int ShortWindow = 16;
    private const double GasEwmaAlpha = 2.0 / 33; // 32-step EWMA
    private const double ErrorEwmaAlpha = 2.0 / 17;
    private const double FillEwmaAlpha = 2.0 / 33;
    private const double StepEwmaAlpha = 2.0 / 65;

    private readonly FeatureOptions _options;
    private readonly double[] _logMid = new double[LongWindow];
    private readonly double[] _netEdge = new double[LongWindow];
    private readonly byte[] _opportunity = new byte[LongWindow];
    private long _steps;
    private int _opportunities;
    private long _lastTimeNs;
    private double _meanStepNs;
    private double _gasEwma = double.NaN;
    private long _lastBuyErrors;
    private long _lastSellErrors;
    private double _buyErrorEwma;
    private double _sellErrorEwma;
    private double _fillEwma;
    private bool _fillsSeen;

    public FeatureBuilder(FeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public FeatureOptions Options => _options;

    /// <summary>Observations folded in since the last <see cref="Reset"/>.</summary>
    public long Steps => _steps;

    /// <summary>Forgets all history (a new series, or a book that resynced).</summary>
    public void Reset()
    {
        Array.Clear(_logMid);
        Array.Clear(_netEdge);
        Array.Clear(_opportunity);
        _steps = 0;
        _opportunities = 0;
        _lastTimeNs = 0;
        _meanStepNs = 0;
        _gasEwma = double.NaN;
        _lastBuyErrors = 0;
        _lastSellErrors = 0;
        _buyErrorEwma = 0;
        _sellErrorEwma = 0;
        _fillEwma = 0;
        _fillsSeen = false;
    }

    /// <summary>
    /// Folds <paramref name="o"/> into the history and writes the candidate's frame at this instant into
    /// <paramref name="frame"/> (every element). Observations must come in time order; an unusable price (zero, NaN,
    /// out of range) gives a frame whose edges are 0 and <see cref="FeatureIndex.Tradeable"/> 0, and leaves the price
    /// history untouched. Allocation-free.
    /// </summary>
    public void Update(in MarketObservation o, ref FeatureFrame frame)
    {
        bool usable = EdgeMath.IsUsablePrice(true, o.BuyAsk) && EdgeMath.IsUsablePrice(true, o.SellBid);
        double net = usable ? EdgeMath.NetBps(o.BuyAsk, o.SellBid, o.BuyFee, o.SellFee) : 0;
        double gross = usable ? EdgeMath.GrossBps(o.BuyAsk, o.SellBid) : 0;
        double buyMid = Mid(o.BuyBid, o.BuyAsk);
        double sellMid = Mid(o.SellBid, o.SellAsk);

        int slot = (int)(_steps & (LongWindow - 1));
        if (usable)
        {
            if (_steps > 0 && o.TimeNs > _lastTimeNs)
            {
                double step = o.TimeNs - _lastTimeNs;
                _meanStepNs = _meanStepNs == 0 ? step : _meanStepNs + (StepEwmaAlpha * (step - _meanStepNs));
            }

            double previousNet = _steps > 0 ? _netEdge[(int)((_steps - 1) & (LongWindow - 1))] : net;
            if (_steps >= LongWindow)
            {
                _opportunities -= _opportunity[slot];
            }

            byte isOpportunity = (byte)(net >= _options.OpportunityThresholdBps ? 1 : 0);
            _opportunity[slot] = isOpportunity;
            _opportunities += isOpportunity;
            _logMid[slot] = Math.Log(0.5 * (buyMid + sellMid));
            _netEdge[slot] = net;
            _steps++;
            _lastTimeNs = o.TimeNs;
            frame[FeatureIndex.NetEdgeChange1] = (float)(net - previousNet);
        }
        else
        {
            frame[FeatureIndex.NetEdgeChange1] = 0;
        }

        frame[FeatureIndex.NetEdgeBps] = (float)net;
        frame[FeatureIndex.GrossEdgeBps] = (float)gross;
        frame[FeatureIndex.BuyFeeBps] = (float)(o.BuyFee * 10_000);
        frame[FeatureIndex.SellFeeBps] = (float)(o.SellFee * 10_000);
        frame[FeatureIndex.DepthAvailable] = o.HasDepth ? 1 : 0;
        frame[FeatureIndex.BuySlippageBps] = o.HasDepth ? (float)Finite(o.BuySlippageBps) : 0;
        frame[FeatureIndex.SellSlippageBps] = o.HasDepth ? (float)Finite(o.SellSlippageBps) : 0;
        frame[FeatureIndex.BuyDepthAtSize] = o.HasDepth ? (float)Math.Log(1 + Math.Max(0, Finite(o.BuyDepthAtSize))) : 0;
        frame[FeatureIndex.SellDepthAtSize] = o.HasDepth ? (float)Math.Log(1 + Math.Max(0, Finite(o.SellDepthAtSize))) : 0;
        frame[FeatureIndex.GasCostBps] = (float)Finite(o.GasCostBps);
        frame[FeatureIndex.BuySpreadBps] = (float)SpreadBps(o.BuyBid, o.BuyAsk);
        frame[FeatureIndex.SellSpreadBps] = (float)SpreadBps(o.SellBid, o.SellAsk);

        frame[FeatureIndex.Return1] = (float)ReturnBps(1);
        frame[FeatureIndex.Return4] = (float)ReturnBps(4);
        frame[FeatureIndex.Return16] = (float)ReturnBps(16);
        double vol64 = VolatilityBps(LongWindow);
        frame[FeatureIndex.Volatility16] = (float)VolatilityBps(ShortWindow);
        frame[FeatureIndex.Volatility64] = (float)vol64;
        double latencyNs = _options.LatencyMs * 1e6;
        frame[FeatureIndex.LatencyRiskBps] = _meanStepNs > 0 ? (float)(vol64 * Math.Sqrt(latencyNs / _meanStepNs)) : 0;

        frame[FeatureIndex.BuyStaleness] = (float)StalenessLog(o.TimeNs, o.BuyQuoteTimeNs);
        frame[FeatureIndex.SellStaleness] = (float)StalenessLog(o.TimeNs, o.SellQuoteTimeNs);
        _buyErrorEwma += ErrorEwmaAlpha * (NewErrors(o.BuyErrors, ref _lastBuyErrors) - _buyErrorEwma);
        _sellErrorEwma += ErrorEwmaAlpha * (NewErrors(o.SellErrors, ref _lastSellErrors) - _sellErrorEwma);
        frame[FeatureIndex.BuyIntegrity] = (float)(1 / (1 + _buyErrorEwma));
        frame[FeatureIndex.SellIntegrity] = (float)(1 / (1 + _sellErrorEwma));
        frame[FeatureIndex.Tradeable] = o.Tradeable && usable ? 1 : 0;

        if (double.IsFinite(o.GasPriceGwei) && o.GasPriceGwei > 0)
        {
            _gasEwma = double.IsNaN(_gasEwma) ? o.GasPriceGwei : _gasEwma + (GasEwmaAlpha * (o.GasPriceGwei - _gasEwma));
            frame[FeatureIndex.GasTrend] = (float)((o.GasPriceGwei / _gasEwma) - 1);
            frame[FeatureIndex.GasAvailable] = 1;
        }
        else
        {
            frame[FeatureIndex.GasTrend] = 0;
            frame[FeatureIndex.GasAvailable] = 0;
        }

        double dayFraction = (double)(((o.TimeNs % NsPerDay) + NsPerDay) % NsPerDay) / NsPerDay;
        frame[FeatureIndex.TimeOfDaySin] = (float)Math.Sin(2 * Math.PI * dayFraction);
        frame[FeatureIndex.TimeOfDayCos] = (float)Math.Cos(2 * Math.PI * dayFraction);

        long window = Math.Min(_steps, LongWindow);
        frame[FeatureIndex.OpportunityRate64] = window > 0 ? (float)_opportunities / window : 0;
        frame[FeatureIndex.NetEdgeMean16] = (float)MeanNet(ShortWindow);

        if (o.Attempts > 0)
        {
            _fillsSeen = true;
            double rate = Math.Clamp((double)o.Fills / o.Attempts, 0, 1);
            _fillEwma += FillEwmaAlpha * (rate - _fillEwma);
        }
        else if (o.Attempts == 0)
        {
            _fillsSeen = true;
        }

        frame[FeatureIndex.FillRate] = _fillsSeen ? (float)_fillEwma : 0;
        frame[FeatureIndex.FillsAvailable] = _fillsSeen ? 1 : 0;

        // Hostile inputs (a 1e300 slippage, a NaN gas price) must not reach a model as ±∞ or NaN.
        Span<float> values = frame;
        for (int k = 0; k < values.Length; k++)
        {
            float v = values[k];
            values[k] = float.IsNaN(v) ? 0 : Math.Clamp(v, -MaxMagnitude, MaxMagnitude);
        }
    }

    /// <summary>Largest magnitude a feature may take; anything beyond (or infinite) is clamped to it.</summary>
    public const float MaxMagnitude = 1e6f;

    private const long NsPerDay = 86_400L * 1_000_000_000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private static double Mid(double bid, double ask)
    {
        bool bidOk = EdgeMath.IsUsablePrice(true, bid);
        bool askOk = EdgeMath.IsUsablePrice(true, ask);
        return bidOk && askOk ? 0.5 * (bid + ask) : askOk ? ask : bidOk ? bid : 0;
    }

    private static double SpreadBps(double bid, double ask)
    {
        if (!EdgeMath.IsUsablePrice(true, bid) || !EdgeMath.IsUsablePrice(true, ask) || ask <= bid)
        {
            return 0;
        }

        return (ask - bid) / (0.5 * (ask + bid)) * 10_000;
    }

    private static double StalenessLog(long nowNs, long quoteNs)
    {
        if (quoteNs <= 0 || nowNs <= quoteNs)
        {
            return 0;
        }

        return Math.Log(1 + ((nowNs - quoteNs) / 1e6));
    }

    private static double NewErrors(long cumulative, ref long last)
    {
        // Counters only grow; a smaller value is a new source (e.g. a reset series): start from it.
        long added = cumulative >= last ? cumulative - last : 0;
        last = cumulative;
        return added;
    }

    private double ReturnBps(int lag)
    {
        if (_steps <= lag)
        {
            return 0;
        }

        double now = _logMid[(int)((_steps - 1) & (LongWindow - 1))];
        double then = _logMid[(int)((_steps - 1 - lag) & (LongWindow - 1))];
        return (now - then) * 10_000;
    }

    private double VolatilityBps(int window)
    {
        long n = Math.Min(_steps - 1, Math.Min(window, LongWindow - 1)); // returns available: 64 prices hold 63
        if (n < 2)
        {
            return 0;
        }

        double sum = 0;
        double sumSquares = 0;
        for (long k = 0; k < n; k++)
        {
            long t = _steps - 1 - k;
            double r = _logMid[(int)(t & (LongWindow - 1))] - _logMid[(int)((t - 1) & (LongWindow - 1))];
            sum += r;
            sumSquares += r * r;
        }

        double mean = sum / n;
        double variance = Math.Max(0, (sumSquares / n) - (mean * mean));
        return Math.Sqrt(variance) * 10_000;
    }

    private double MeanNet(int window)
    {
        long n = Math.Min(_steps, window);
        if (n == 0)
        {
            return 0;
        }

        double sum = 0;
        for (long k = 0; k < n; k++)
        {
            sum += _netEdge[(int)((_steps - 1 - k) & (LongWindow - 1))];
        }

        return sum / n;
    }
}
