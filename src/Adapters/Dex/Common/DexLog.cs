using System.Runtime.InteropServices;

namespace LowLatency.Adapters.Dex.Common;

/// <summary>A 32-byte hash (block hash) held by value, so events carrying it stay unmanaged.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Hash32(ulong W0, ulong W1, ulong W2, ulong W3)
{
    public static Hash32 FromBytes(ReadOnlySpan<byte> bytes32) =>
        new(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes32),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes32[8..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes32[16..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes32[24..]));

    public bool IsZero => (W0 | W1 | W2 | W3) == 0;

    public override string ToString() => $"0x{W0:x16}{W1:x16}{W2:x16}{W3:x16}";
}

/// <summary>What a pool log is, by its first topic.</summary>
public enum DexEventKind : byte
{
    None = 0,

    /// <summary>V3 Swap: price, tick and in-range liquidity after the swap.</summary>
    V3Swap,

    /// <summary>V3 Mint: a position's liquidity added between two ticks.</summary>
    V3Mint,

    /// <summary>V3 Burn: a position's liquidity removed.</summary>
    V3Burn,

    /// <summary>V3 Initialize: the first price.</summary>
    V3Initialize,

    /// <summary>V2 Sync: both reserves after every change.</summary>
    V2Sync,

    /// <summary>A known pool event that changes nothing we keep (V3 Collect/Flash/..., V2 Swap/Mint/Burn/Transfer).</summary>
    NoState,
}

/// <summary>Where a log sits in the chain: block, then log index. Orders logs of one chain.</summary>
public readonly record struct LogPosition(ulong Block, uint LogIndex) : IComparable<LogPosition>
{
    public int CompareTo(LogPosition other) => Block != other.Block ? Block.CompareTo(other.Block) : LogIndex.CompareTo(other.LogIndex);

    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;

    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;

    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;

    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;
}

/// <summary>
/// One decoded pool log, by value (no references): the parser writes it straight from the notification's bytes and the
/// tracker applies it. Fields unused by <see cref="Kind"/> are zero.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DexLog
{
    public Address Pool;
    public ulong BlockNumber;
    public uint LogIndex;
    public uint TransactionIndex;
    public Hash32 BlockHash;
    public bool Removed;
    public DexEventKind Kind;

    /// <summary>V3 Swap: the pool's signed deltas. V3 Mint/Burn: the token amounts (unsigned, as logged).</summary>
    public Int256 Amount0;
    public Int256 Amount1;

    /// <summary>V3 Swap/Initialize: the price after.</summary>
    public UInt256 SqrtPriceX96;

    /// <summary>V3 Swap: in-range liquidity after. V3 Mint/Burn: the position's liquidity change (the event's amount).</summary>
    public UInt128 Liquidity;

    /// <summary>V3 Swap/Initialize: the tick after.</summary>
    public int Tick;
    public int TickLower;
    public int TickUpper;

    /// <summary>V2 Sync.</summary>
    public UInt256 Reserve0;
    public UInt256 Reserve1;

    public readonly LogPosition Position => new(BlockNumber, LogIndex);
}

/// <summary>A new block header as the pool feed needs it (newHeads).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct HeadInfo
{
    public ulong Number;
    public Hash32 Hash;
    public Hash32 ParentHash;
    public ulong Timestamp;

    /// <summary>EIP-1559 base fee in wei; zero with <see cref="HasBaseFee"/> false before London.</summary>
    public UInt256 BaseFeePerGas;
    public bool HasBaseFee;
}
