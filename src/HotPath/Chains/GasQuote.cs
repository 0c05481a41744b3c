using System.Runtime.InteropServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Chains;

/// <summary>How a chain charges for the L1 data a transaction posts.</summary>
public enum L1FeeModel : byte
{
    /// <summary>An L1 (Ethereum) or a sidechain (Polygon PoS): execution gas only.</summary>
    None = 0,

    /// <summary>Arbitrum: ArbGasInfo's price per L1 calldata byte plus a per-transaction part.</summary>
    Arbitrum,

    /// <summary>OP Stack (Optimism, Base), Ecotone: GasPriceOracle's scalars over the L1 base fee and blob base fee.</summary>
    OpStackEcotone,

    /// <summary>
    /// OP Stack after Fjord (the oracle answers <c>isFjord() == true</c>): the same weighted price over a size estimated
    /// from the FastLZ-compressed transaction instead of its calldata gas.
    /// </summary>
    OpStackFjord,
}

/// <summary>
/// What one transaction costs on a chain at a block, as read on-chain: the EIP-1559 base fee (newHeads), the priority
/// fee we would pay, and the L1 data component where there is one. All wei. An unmanaged value: the graph's cost model
/// reads it on the hot path and <see cref="Cost(ulong, int, int)"/> allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct GasQuote
{
    public ulong ChainId { get; init; }

    /// <summary>The block whose header (and oracle state) the quote was read from.</summary>
    public ulong Block { get; init; }

    public UInt256 BaseFeePerGas { get; init; }

    public UInt256 PriorityFeePerGas { get; init; }

    public L1FeeModel L1Model { get; init; }

    /// <summary>Arbitrum: ArbGasInfo's L1 price per calldata byte (getPricesInWei()[1]).</summary>
    public UInt256 L1FeePerByte { get; init; }

    /// <summary>Arbitrum: the fixed L1 part per transaction (getPricesInWei()[0]).</summary>
    public UInt256 L1FeePerTx { get; init; }

    /// <summary>OP Stack Ecotone and Fjord: 16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar * blobBaseFee, as GasPriceOracle weighs them.</summary>
    public UInt256 L1WeightedGasPrice { get; init; }

    /// <summary>True once the quote holds a read base fee.</summary>
    public bool IsSet => Block != 0;

    /// <summary>
    /// Execution plus L1 data fee in wei for <paramref name="gasUnits"/> of gas and a transaction of the given calldata
    /// bytes (OP Stack: the unsigned RLP transaction, as GasPriceOracle.getL1Fee takes it). Fjord prices the compressed
    /// bytes, which counts alone cannot give: this is then the oracle's <c>getL1FeeUpperBound</c>, FastLZ's practical worst
    /// case (the oracle says it covers 99.99 % of transactions; incompressible bytes can exceed it by ~3 %);
    /// <see cref="Cost(ulong, ReadOnlySpan{byte})"/> is exact.
    /// </summary>
    public UInt256 Cost(ulong gasUnits, int nonZeroBytes, int zeroBytes)
    {
        UInt256 execution = (BaseFeePerGas + PriorityFeePerGas) * gasUnits;
        ulong nz = (ulong)Math.Max(0, nonZeroBytes), z = (ulong)Math.Max(0, zeroBytes);
        return L1Model switch
        {
            L1FeeModel.Arbitrum => execution + ArbitrumL1Fee(L1FeePerByte, L1FeePerTx, nz + z),
            L1FeeModel.OpStackEcotone => execution + EcotoneL1Fee(L1WeightedGasPrice, nz, z),
            L1FeeModel.OpStackFjord => execution + FjordL1FeeUpperBound(L1WeightedGasPrice, nz + z),
            _ => execution,
        };
    }

    /// <summary>
    /// Execution plus L1 data fee for one exact unsigned RLP transaction; under Fjord its FastLZ size, as
    /// GasPriceOracle.getL1Fee computes it. Allocates nothing (the compressor's table is on the stack).
    /// </summary>
    public UInt256 Cost(ulong gasUnits, ReadOnlySpan<byte> unsignedTransaction)
    {
        if (L1Model != L1FeeModel.OpStackFjord)
        {
            int zeros = unsignedTransaction.Count((byte)0);
            return Cost(gasUnits, unsignedTransaction.Length - zeros, zeros);
        }

        UInt256 execution = (BaseFeePerGas + PriorityFeePerGas) * gasUnits;
        return execution + FjordL1Fee(L1WeightedGasPrice, (ulong)FastLz.CompressedLength(unsignedTransaction) + 68UL);
    }

    /// <summary>
    /// Arbitrum's poster cost as ArbGasInfo prices it: per calldata byte times the bytes, plus the per-transaction part
    /// (which nitro sets to 140 bytes' worth, the fixed overhead a batch posts per transaction). Our bytes are the
    /// uncompressed ones; the sequencer charges brotli-compressed bytes, so this is an upper bound.
    /// </summary>
    public static UInt256 ArbitrumL1Fee(UInt256 perByte, UInt256 perTransaction, ulong bytes) => perByte * bytes + perTransaction;

    /// <summary>
    /// GasPriceOracle's Ecotone L1 fee (OP Stack specs, contracts-bedrock <c>_getL1FeeEcotone</c>): calldata gas (16 per
    /// non-zero byte, 4 per zero byte, plus 68 * 16 for the signature the unsigned transaction lacks) times the weighted
    /// gas price, over 16e6, rounded down once.
    /// </summary>
    public static UInt256 EcotoneL1Fee(UInt256 weightedGasPrice, ulong nonZeroBytes, ulong zeroBytes)
    {
        UInt256 calldataGas = nonZeroBytes * 16UL + zeroBytes * 4UL + 68UL * 16UL;
        return calldataGas * weightedGasPrice / new UInt256(16_000_000UL);
    }

    /// <summary>Fjord's regression from the FastLZ size to the Brotli size, scaled by 1e6 (GasPriceOracle <c>_fjordLinearRegression</c>).</summary>
    public const long FjordCostIntercept = -42_585_600;

    /// <summary>Fjord's regression coefficient per FastLZ byte, scaled by 1e6.</summary>
    public const ulong FjordCostFastLzCoefficient = 836_500;

    /// <summary>Fjord's floor on the estimated size, in bytes.</summary>
    public const ulong FjordMinTransactionSize = 100;

    /// <summary>
    /// GasPriceOracle's Fjord L1 fee (<c>_fjordL1Cost</c>) for a FastLZ size that already includes the 68 signature
    /// bytes: <c>max(100e6, intercept + coef * size) * weightedGasPrice / 1e12</c>, rounded down once.
    /// </summary>
    public static UInt256 FjordL1Fee(UInt256 weightedGasPrice, ulong fastLzSize) =>
        FjordEstimatedSize(fastLzSize) * weightedGasPrice / new UInt256(1_000_000_000_000UL);

    /// <summary>The Brotli size estimate times 1e6, floored at <see cref="FjordMinTransactionSize"/> (never negative).</summary>
    public static UInt256 FjordEstimatedSize(ulong fastLzSize)
    {
        // intercept + coef * size in 128 bits: a size near 2^64 must not wrap (the oracle computes it in int256).
        Int128 estimate = FjordCostIntercept + (Int128)FjordCostFastLzCoefficient * fastLzSize;
        Int128 floor = (Int128)(FjordMinTransactionSize * 1_000_000UL);
        return (UInt128)(estimate < floor ? floor : estimate);
    }

    /// <summary>GasPriceOracle.getL1FeeUpperBound(size): FastLZ's practical worst case for an unsigned transaction of that size.</summary>
    public static UInt256 FjordL1FeeUpperBound(UInt256 weightedGasPrice, ulong unsignedTransactionSize)
    {
        ulong txSize = unsignedTransactionSize + 68UL;
        return FjordL1Fee(weightedGasPrice, txSize + txSize / 255UL + 16UL);
    }

    /// <summary>The weighted gas price of Ecotone from the L1Block values GasPriceOracle reads.</summary>
    public static UInt256 EcotoneWeightedGasPrice(UInt256 l1BaseFee, UInt256 blobBaseFee, uint baseFeeScalar, uint blobBaseFeeScalar) =>
        l1BaseFee * (16UL * baseFeeScalar) + blobBaseFee * blobBaseFeeScalar;
}
