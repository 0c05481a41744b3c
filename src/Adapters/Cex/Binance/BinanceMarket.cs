namespace LowLatency.Adapters.Cex.Binance;

/// <summary>Which Binance API a parser reads: the message shapes differ slightly (futures adds <c>pu</c>, <c>T</c>, <c>E</c>).</summary>
public enum BinanceMarket : byte
{
    /// <summary>Spot (<c>stream.binance.com</c>, <c>api/v3/depth</c>).</summary>
    Spot = 0,

    /// <summary>USD-M futures (<c>fstream.binance.com</c>, <c>fapi/v1/depth</c>).</summary>
    Futures = 1,
}
