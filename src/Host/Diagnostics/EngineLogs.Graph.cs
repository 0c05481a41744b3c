using Microsoft.Extensions.Logging;
using ZLogger;

namespace LowLatency.Host.Diagnostics;

/// <summary>The venue graph's lines in the arbitrage log: each graph opportunity with its kind, path, size and costs; each bundle built ("would send").</summary>
public sealed partial class EngineLogs
{
    [ZLoggerMessage(LogLevel.Information,
        "graph opportunity {kind} path {path} size {size} {asset} ({sizeQuote} quote) gross {grossProfit} net {netProfit} costs taker {takerFees} pool {poolFees} gas {gas} l1 {l1DataFee} flashloan {flashLoanPremium} bridge {bridgeFee} settles {settlementSeconds} s; decided {decisionTimeNs} after {tickToOpportunityNs} ns; agents at {agentStep}: {agentVotes}",
        JsonSerializerContext = typeof(LogJsonContext))]
    public static partial void GraphOpportunity(
        ILogger logger,
        string kind,
        string path,
        double size,
        string asset,
        double sizeQuote,
        double grossProfit,
        double netProfit,
        double takerFees,
        double poolFees,
        double gas,
        double l1DataFee,
        double flashLoanPremium,
        double bridgeFee,
        double settlementSeconds,
        long decisionTimeNs,
        long tickToOpportunityNs,
        long agentStep,
        IReadOnlyList<Dashboard.AgentVoteView> agentVotes);

    [ZLoggerMessage(LogLevel.Information,
        "bundle would send (dry-run) on {chain} {kind} path {path} target blocks {firstBlock}..{lastBlock} nonce {nonce} gas limit {gasLimit} max fee {maxFeeGwei} gwei borrow {amount} expect {expectedReturn} {asset} net {netProfit} costs gas {gas} l1 {l1DataFee} flashloan {flashLoanPremium} pool {poolFees} tx {txHash} ({rawBytes} bytes) signed {tickToBundleNs} ns after the tick")]
    public static partial void BundleWouldSend(
        ILogger logger,
        string chain,
        string kind,
        string path,
        long firstBlock,
        long lastBlock,
        ulong nonce,
        ulong gasLimit,
        double maxFeeGwei,
        double amount,
        double expectedReturn,
        string asset,
        double netProfit,
        double gas,
        double l1DataFee,
        double flashLoanPremium,
        double poolFees,
        string txHash,
        int rawBytes,
        long tickToBundleNs);

    [ZLoggerMessage(LogLevel.Information,
        "bundle would send (dry-run) on {chain} nonce {nonce} tx {txHash} target block {targetBlock} borrow {amount} expect {expectedReturn} gross {grossProfitWei} wei net {netProfitUsd} usd: simulated as the executor's owner: {simulation} gas estimate {gasEstimate} {reason}; agents at {agentStep}: {agentVotes}",
        JsonSerializerContext = typeof(LogJsonContext))]
    public static partial void BundleDryRunOnChain(
        ILogger logger,
        string chain,
        ulong nonce,
        string txHash,
        long targetBlock,
        double amount,
        double expectedReturn,
        string grossProfitWei,
        double netProfitUsd,
        string simulation,
        ulong gasEstimate,
        string reason,
        long agentStep,
        IReadOnlyList<Dashboard.AgentVoteView> agentVotes);

    [ZLoggerMessage(LogLevel.Information,
        "bundle {state} on {chain} nonce {nonce} tx {txHash} block {block} notional {notionalUsd} usd gas used {gasUsed} gross {grossProfitWei} wei builder {builderPaymentWei} wei swept to owner {sweptWei} wei gas paid {gasPaidWei} wei pnl {pnlUsd} usd after {targets} target blocks: {reason}; agents at {agentStep}: {agentVotes}",
        JsonSerializerContext = typeof(LogJsonContext))]
    public static partial void BundleEnded(
        ILogger logger,
        string chain,
        string state,
        string reason,
        ulong nonce,
        string txHash,
        ulong block,
        double notionalUsd,
        ulong gasUsed,
        string grossProfitWei,
        string builderPaymentWei,
        string sweptWei,
        string gasPaidWei,
        double pnlUsd,
        int targets,
        long agentStep,
        IReadOnlyList<Dashboard.AgentVoteView> agentVotes);

    [ZLoggerMessage(LogLevel.Information, "on-chain: {notice}")]
    public static partial void OnChainNotice(ILogger logger, string notice);

    [ZLoggerMessage(LogLevel.Information, "trading key: {notice}")]
    public static partial void GraphKey(ILogger logger, string notice);
}
