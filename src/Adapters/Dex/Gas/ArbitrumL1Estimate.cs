namespace LowLatency.Adapters.Dex.Gas;

/// <summary>
/// NodeInterface.gasEstimateL1Component's answer for one transaction on Arbitrum: the extra L2 gas that pays for
/// posting it to L1, the L2 base fee and ArbOS's estimate of the L1 base fee (its price per L1 calldata unit).
/// </summary>
public readonly record struct ArbitrumL1Estimate(ulong GasForL1, UInt256 BaseFee, UInt256 L1BaseFeeEstimate)
{
    /// <summary>The transaction's fixed overhead in a batch, in bytes (nitro's <c>TxFixedCostEstimate</c>).</summary>
    public const ulong FixedBytesPerTransaction = 140;

    /// <summary>What the L1 component costs in wei: the gas it adds at the L2 base fee.</summary>
    public UInt256 L1FeeWei => BaseFee * GasForL1;

    /// <summary>
    /// The Arbitrum docs' "how to estimate gas": L1 cost = L1P × L1S, with L1P = 16 × the L1 base fee estimate (a
    /// byte is 16 calldata units) and L1S = the Brotli-compressed size plus the 140-byte fixed part.
    /// </summary>
    public static UInt256 L1Cost(UInt256 l1BaseFeeEstimate, ulong compressedSize) => l1BaseFeeEstimate * 16UL * (compressedSize + FixedBytesPerTransaction);

    /// <summary>The docs' buffer B = L1 cost / L2 gas price, rounded down: the gas gasEstimateL1Component reports.</summary>
    public static UInt256 BufferGas(UInt256 l1Cost, UInt256 l2GasPrice) => l2GasPrice.IsZero ? UInt256.Zero : l1Cost / l2GasPrice;
}
