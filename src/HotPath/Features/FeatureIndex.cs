namespace LowLatency.HotPath.Features;

/// <summary>
/// The feature schema: index, name and meaning of each of the <see cref="Count"/> values of a <see cref="FeatureFrame"/>.
/// A model is bound to <see cref="SchemaVersion"/> and <see cref="Names"/>; any change to a definition below bumps the
/// version (model files of another version are refused). "bps" is basis points of the buy price. Every window counts
/// observations of the candidate (one per tick that touched either leg, or one per candle), not seconds. A feature whose
/// source does not exist in a data set is 0 with its availability flag 0; nothing is invented.
/// </summary>
public static class FeatureIndex
{
    /// <summary>Width of the frame.</summary>
    public const int Count = 32;

    /// <summary>Version of the definitions below.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Sell bid·(1−fee) − buy ask·(1+fee), bps: the edge after both taker fees (EdgeMath.NetBps).</summary>
    public const int NetEdgeBps = 0;

    /// <summary>Sell bid − buy ask, bps (EdgeMath.GrossBps).</summary>
    public const int GrossEdgeBps = 1;

    /// <summary>Buy venue taker fee, bps.</summary>
    public const int BuyFeeBps = 2;

    /// <summary>Sell venue taker fee, bps.</summary>
    public const int SellFeeBps = 3;

    /// <summary>Depth-walk cost of buying the configured size above the best ask, bps (0 when depth is unknown).</summary>
    public const int BuySlippageBps = 4;

    /// <summary>Depth-walk cost of selling the configured size below the best bid, bps (0 when depth is unknown).</summary>
    public const int SellSlippageBps = 5;

    /// <summary>Gas (or other fixed) cost of the trade, bps of its notional (0 for CEX legs).</summary>
    public const int GasCostBps = 6;

    /// <summary>Expected adverse move during our latency: 64-step volatility scaled by √(latency / mean step interval), bps.</summary>
    public const int LatencyRiskBps = 7;

    /// <summary>1 when both legs have L2 depth (slippage and depth features are real), else 0.</summary>
    public const int DepthAvailable = 8;

    /// <summary>log(1 + quantity within 10 bps of the buy venue's best ask / configured size).</summary>
    public const int BuyDepthAtSize = 9;

    /// <summary>log(1 + quantity within 10 bps of the sell venue's best bid / configured size).</summary>
    public const int SellDepthAtSize = 10;

    /// <summary>Buy venue spread (ask − bid) / mid, bps (0 when the data has no bid/ask, e.g. candles).</summary>
    public const int BuySpreadBps = 11;

    /// <summary>Sell venue spread, bps.</summary>
    public const int SellSpreadBps = 12;

    /// <summary>Log return of the mean mid over the last step, bps.</summary>
    public const int Return1 = 13;

    /// <summary>Log return over the last 4 steps, bps.</summary>
    public const int Return4 = 14;

    /// <summary>Log return over the last 16 steps, bps.</summary>
    public const int Return16 = 15;

    /// <summary>Realised volatility (standard deviation of 1-step log returns) over 16 steps, bps.</summary>
    public const int Volatility16 = 16;

    /// <summary>Realised volatility over the last 64 prices (63 returns), bps.</summary>
    public const int Volatility64 = 17;

    /// <summary>log(1 + age of the buy venue's quote in ms) at the observation.</summary>
    public const int BuyStaleness = 18;

    /// <summary>log(1 + age of the sell venue's quote in ms).</summary>
    public const int SellStaleness = 19;

    /// <summary>Buy venue integrity: 1 / (1 + EWMA of new book errors per step) (1 = clean).</summary>
    public const int BuyIntegrity = 20;

    /// <summary>Sell venue integrity, as <see cref="BuyIntegrity"/>.</summary>
    public const int SellIntegrity = 21;

    /// <summary>1 when both books are live and uncrossed (tradeable), else 0.</summary>
    public const int Tradeable = 22;

    /// <summary>Gas price / its 32-step EWMA − 1 (0 when there is no gas source).</summary>
    public const int GasTrend = 23;

    /// <summary>1 when a gas price series feeds the frame, else 0.</summary>
    public const int GasAvailable = 24;

    /// <summary>sin(2π · UTC time of day / 24 h).</summary>
    public const int TimeOfDaySin = 25;

    /// <summary>cos(2π · UTC time of day / 24 h).</summary>
    public const int TimeOfDayCos = 26;

    /// <summary>Fraction of the last 64 steps whose net edge was at or above the opportunity threshold.</summary>
    public const int OpportunityRate64 = 27;

    /// <summary>Net edge minus the previous step's net edge, bps.</summary>
    public const int NetEdgeChange1 = 28;

    /// <summary>Mean net edge over the last 16 steps, bps.</summary>
    public const int NetEdgeMean16 = 29;

    /// <summary>EWMA of fills per attempt from execution reports (0 when there is no execution source).</summary>
    public const int FillRate = 30;

    /// <summary>1 when execution reports feed <see cref="FillRate"/>, else 0.</summary>
    public const int FillsAvailable = 31;

    private static readonly string[] s_names =
    [
        "net_edge_bps", "gross_edge_bps", "buy_fee_bps", "sell_fee_bps", "buy_slippage_bps", "sell_slippage_bps",
        "gas_cost_bps", "latency_risk_bps", "depth_available", "buy_depth_at_size", "sell_depth_at_size",
        "buy_spread_bps", "sell_spread_bps", "return_1", "return_4", "return_16", "volatility_16", "volatility_64",
        "buy_staleness", "sell_staleness", "buy_integrity", "sell_integrity", "tradeable", "gas_trend", "gas_available",
        "time_of_day_sin", "time_of_day_cos", "opportunity_rate_64", "net_edge_change_1", "net_edge_mean_16",
        "fill_rate", "fills_available",
    ];

    /// <summary>The feature names in index order (snake_case, as written to model manifests).</summary>
    public static ReadOnlySpan<string> Names => s_names;
}
