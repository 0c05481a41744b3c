using Microsoft.Extensions.Logging;
using ZLogger;

namespace LowLatency.Host.Diagnostics;

/// <summary>Live execution's lines in the arbitrage log: each reconciliation, each symbol's rules, each pair's end and each retry of a residual.</summary>
public sealed partial class EngineLogs
{
    [ZLoggerMessage(LogLevel.Information, "live reconcile {venue} {result} matched {matched} recovered {recovered} adopted {adopted} missing {missing}")]
    public static partial void LiveReconcile(ILogger logger, string venue, string result, int matched, int recovered, int adopted, int missing);

    [ZLoggerMessage(LogLevel.Information, "live rules {venue} {symbol} {rules}")]
    public static partial void LiveRules(ILogger logger, string venue, string symbol, string rules);

    [ZLoggerMessage(LogLevel.Information,
        "live pair {pair} {outcome} {instrument} buy {buyVenue} {buyOrderId} sell {sellVenue} {sellOrderId} bought {bought} sold {sold} unwound {unwound} residual {residual} fees {fees} pnl {pnl} {failures}")]
    public static partial void LivePair(ILogger logger, long pair, string outcome, string instrument, string buyVenue, string buyOrderId, string sellVenue, string sellOrderId,
        double bought, double sold, double unwound, double residual, double fees, double pnl, string failures);

    [ZLoggerMessage(LogLevel.Information,
        "live residual {pair} retry {attempt} {state} {instrument} {venue} {orderId} {side} at {price} filled {filled} left {left} fees {fees} pnl {pnl} {failures}")]
    public static partial void LiveResidual(ILogger logger, long pair, int attempt, string state, string instrument, string venue, string orderId, string side,
        double price, double filled, double left, double fees, double pnl, string failures);
}
