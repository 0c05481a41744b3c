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
}

/// <summary>
/// What one transaction costs on a chain at a block, as read on-chain: the EIP-1559 base fee (newHeads), the priority
/// fee we would pay, and the L1 data component where there is one. All wei. An unmanaged value: the graph's cost model
/// reads it on the hot path and <see cref="Cost"/> allocates nothing.
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

    /// <summary>OP Stack Ecotone: 16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar * blobBaseFee, as GasPriceOracle weighs them.</summary>
    public UInt256 L1WeightedGasPrice { get; init; }

    /// <summary>True once the quote holds a read base fee.</summary>
    public bool IsSet => Block != 0;

    /// <summary>
    /// Execution plus L1 data fee in wei for <paramref name="gasUnits"/> of gas and a transaction of the given calldata
    /// bytes (OP Stack: the unsigned RLP transaction, as GasPriceOracle.getL1Fee takes it).
    /// </summary>
    public UInt256 Cost(ulong gasUnits, int nonZeroBytes, int zeroBytes)
    {
        UInt256 execution = (BaseFeePerGas + PriorityFeePerGas) * gasUnits;
        ulong nz = (ulong)Math.Max(0, nonZeroBytes), z = (ulong)Math.Max(0, zeroBytes);
        return L1Model switch
        {
            L1FeeModel.Arbitrum => execution + L1FeePerByte * (nz + z) + L1FeePerTx,
            L1FeeModel.OpStackEcotone => execution + EcotoneL1Fee(L1WeightedGasPrice, nz, z),
            _ => execution,
        };
    }

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

    /// <summary>The weighted gas price of Ecotone from the L1Block values GasPriceOracle reads.</summary>
    public static UInt256 EcotoneWeightedGasPrice(UInt256 l1BaseFee, UInt256 blobBaseFee, uint baseFeeScalar, uint blobBaseFeeScalar) =>
        l1BaseFee * (16UL * baseFeeScalar) + blobBaseFee * blobBaseFeeScalar;
}
