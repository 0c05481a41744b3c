namespace LowLatency.HotPath.Features;

/// <summary>
/// A candidate trade the features describe: buy on one book (at its ask), sell on another (at its bid). The two books may
/// hold different instruments of one asset (spot and perpetual, USDT and USD quotes). Indices are <c>BookSet</c> indices.
/// </summary>
public readonly record struct FeatureCandidate(int BuyBook, int SellBook);
