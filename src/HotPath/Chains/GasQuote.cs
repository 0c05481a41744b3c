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

    /// <summary>L1 data fee per non-zero calldata byte (Arbitrum: per byte; OP Ecotone: weighted gas price / 1e6).</summary>
    public UInt256 L1FeePerByte { get; init; }

    /// <summary>L1 data fee per zero calldata byte (OP Ecotone: a quarter of a non-zero byte; Arbitrum: as a non-zero byte).</summary>
    public UInt256 L1FeePerZeroByte { get; init; }

    /// <summary>A fixed L1 part per transaction (Arbitrum's perL2Tx); zero elsewhere.</summary>
    public UInt256 L1FeePerTx { get; init; }

    /// <summary>True once the quote holds a read base fee.</summary>
    public bool IsSet => Block != 0;

    /// <summary>Execution plus L1 data fee in wei for <paramref name="gasUnits"/> of gas and the given calldata bytes.</summary>
    public UInt256 Cost(ulong gasUnits, int nonZeroBytes, int zeroBytes)
    {
        UInt256 execution = (BaseFeePerGas + PriorityFeePerGas) * gasUnits;
        if (L1Model == L1FeeModel.None)
        {
            return execution;
        }

        return execution + L1FeePerByte * (ulong)Math.Max(0, nonZeroBytes) + L1FeePerZeroByte * (ulong)Math.Max(0, zeroBytes) + L1FeePerTx;
    }

    /// <summary>
    /// The Ecotone data fee of the OP Stack specs (per byte): weighted = 16 * baseFeeScalar * l1BaseFee +
    /// blobBaseFeeScalar * blobBaseFee; a non-zero byte costs weighted / 1e6 (16 gas, over 16), a zero byte 4/16 of it,
    /// the sum rounded down once, as the GasPriceOracle does.
    /// </summary>
    public static UInt256 EcotoneL1Fee(UInt256 l1BaseFee, UInt256 blobBaseFee, uint baseFeeScalar, uint blobBaseFeeScalar, int nonZeroBytes, int zeroBytes)
    {
        UInt256 weighted = l1BaseFee * (16UL * baseFeeScalar) + blobBaseFee * blobBaseFeeScalar;
        UInt256 calldataGas = (ulong)nonZeroBytes * 16UL + (ulong)zeroBytes * 4UL;
        return calldataGas * weighted / new UInt256(16_000_000UL);
    }
}
