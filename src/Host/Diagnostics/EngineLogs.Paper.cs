using Microsoft.Extensions.Logging;
using ZLogger;

namespace LowLatency.Host.Diagnostics;

/// <summary>Paper trading's lines in the arbitrage log: every fill, every risk alert, and the per-strategy totals at the end.</summary>
public sealed partial class EngineLogs
{
    [ZLoggerMessage(LogLevel.Information,
        "paper fill {strategy} {orderId} {side} {quantity} {instrument} at {price} on {venue} fee {fee} {liquidity} at {timeNs}")]
    public static partial void PaperFill(
        ILogger logger, string strategy, string orderId, string side, double quantity, string instrument, double price, string venue, double fee, string liquidity, long timeNs);

    [ZLoggerMessage(LogLevel.Information,
        "paper graph trade {strategy} {tradeId} {outcome} path {path} legs filled {legsFilled} of {legs} pnl {pnl} gas {gas} fees {fees} block {block} failure {failure} unwind {unwind} decided {decisionTimeNs} closed {closedTimeNs}")]
    public static partial void PaperGraphTrade(
        ILogger logger, string strategy, string tradeId, string outcome, string path, int legsFilled, int legs, double pnl, double gas, double fees, long block, string failure, string unwind, long decisionTimeNs, long closedTimeNs);

    [ZLoggerMessage(LogLevel.Information,
        "paper graph summary {strategy} trades {trades} filled {filled} legFailed {legFailed} unwound {unwound} unwindShort {unwindShort} reverted {reverted} open {open} unfunded {unfunded} unplanned {unplanned} busy {busy} denied {denied} gas {gas} fees {fees} pnl {pnl}")]
    public static partial void PaperGraphSummary(
        ILogger logger, string strategy, long trades, long filled, long legFailed, long unwound, long unwindShort, long reverted, int open, long unfunded, long unplanned, long busy, long denied, double gas, double fees, double pnl);

    [ZLoggerMessage(LogLevel.Warning, "risk {breaker} {kind} subject {subject} value {value} limit {limit} at {timeNs}")]
    public static partial void RiskAlert(ILogger logger, string breaker, string kind, string subject, double value, double limit, long timeNs);

    [ZLoggerMessage(LogLevel.Information, "paper summary {strategy} fills {fills} fees {fees} pnl {pnl} pairs {pairs} hedged {hedged} unwound {unwound} held {held} unfilled {unfilled} denied {denied}")]
    public static partial void PaperSummary(
        ILogger logger, string strategy, int fills, double fees, double pnl, long pairs, long hedged, long unwound, long held, long unfilled, long denied);
}
