namespace LowLatency.HotPath.Features;

/// <summary>
/// What is known about one candidate (buy on one book, sell on another) at one instant: the raw inputs of
/// <see cref="FeatureBuilder"/>. Filled from live books by <see cref="FeatureStage"/> and from historical series by the
/// dataset builders, so both paths go through the same feature code. A value type with no references.
/// </summary>
public struct MarketObservation
{
    /// <summary>Unix ns of the observation (the receive time of the tick that caused it, or a candle's close time).</summary>
    public long TimeNs;

    public double BuyBid;
    public double BuyAsk;
    public double SellBid;
    public double SellAsk;

    /// <summary>Taker fees as fractions (0.001 = 10 bps).</summary>
    public double BuyFee;

    public double SellFee;

    /// <summary>Whether both legs' L2 depth is known; when false the slippage and depth fields are ignored.</summary>
    public bool HasDepth;

    /// <summary>Depth-walk cost of buying the configured size, bps above the best ask.</summary>
    public double BuySlippageBps;

    /// <summary>Depth-walk cost of selling the configured size, bps below the best bid.</summary>
    public double SellSlippageBps;

    /// <summary>Quantity within 10 bps of the best ask, in units of the configured size.</summary>
    public double BuyDepthAtSize;

    /// <summary>Quantity within 10 bps of the best bid, in units of the configured size.</summary>
    public double SellDepthAtSize;

    /// <summary>Unix ns at which each leg's quote last changed.</summary>
    public long BuyQuoteTimeNs;

    public long SellQuoteTimeNs;

    /// <summary>Cumulative book error counters of each leg's venue (gaps, checksum failures, crossed books, resyncs…).</summary>
    public long BuyErrors;

    public long SellErrors;

    /// <summary>Both books live and uncrossed.</summary>
    public bool Tradeable;

    /// <summary>Gas (or other fixed) cost of the trade in bps of its notional; 0 for CEX legs.</summary>
    public double GasCostBps;

    /// <summary>Gas price in gwei, or NaN when no gas series feeds this candidate.</summary>
    public double GasPriceGwei;

    /// <summary>Execution reports since the previous observation; <see cref="Attempts"/> &lt; 0 means no execution source.</summary>
    public int Attempts;

    public int Fills;
}
