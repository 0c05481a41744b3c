using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Primitives;

/// <summary>What a <see cref="TickEvent"/> carries.</summary>
public enum TickKind : byte
{
    None = 0,

    /// <summary>Best bid/ask only (Binance <c>bookTicker</c>): Levels[0] is the bid, Levels[1] the ask.</summary>
    Top = 1,

    /// <summary>A full book image (REST snapshot, OKX/Kraken snapshot): clears the book on its first chunk.</summary>
    Snapshot = 2,

    /// <summary>Incremental level changes (Binance <c>depthUpdate</c>, OKX update, Kraken update). Quantity 0 deletes.</summary>
    Delta = 3,

    /// <summary>
    /// A DEX pool's state or a chain's gas at a block (no book): the payload is a <see cref="PoolUpdate"/> laid over
    /// <see cref="TickEvent.Levels"/> (<see cref="PoolUpdate.Of"/>); the strategy applies it to the venue graph.
    /// </summary>
    Pool = 4,
}

/// <summary>Per-event flags. A venue message larger than one slot spans several contiguous slots ("chunks").</summary>
[Flags]
public enum TickFlags : byte
{
    None = 0,
    FirstChunk = 1,
    LastChunk = 2,

    /// <summary><see cref="TickEvent.Checksum"/> holds the venue's book checksum, to verify after the last chunk.</summary>
    HasChecksum = 4,

    /// <summary><see cref="TickEvent.PrevUpdateId"/> is meaningful (Binance futures <c>pu</c>, OKX <c>prevSeqId</c>).</summary>
    HasPrevUpdateId = 8,

    /// <summary>
    /// The parser rejected a frame of this book since the book's last snapshot: the book has missed a message that a
    /// top-N checksum may never show, so the rule answers Gap (resync). Explicit, never packed into an id field.
    /// </summary>
    AfterLostMessage = 16,
}

/// <summary>One price level: fixed-point price and quantity at the instrument's scale.</summary>
public struct BookLevel
{
    public Price Price;
    public Quantity Quantity;

    public BookLevel(Price price, Quantity quantity)
    {
        Price = price;
        Quantity = quantity;
    }
}

/// <summary>Inline storage for the levels of one slot; no references, so the ring stays unmanaged.</summary>
[InlineArray(TickEvent.MaxLevels)]
public struct LevelBuffer
{
    private BookLevel _element0;
}

/// <summary>
/// The market-data ring slot. Written in place by an adapter's I/O thread, read by the strategy thread.
/// Holds no references: venue and instrument are ids, prices fixed-point. Levels [0, BidCount) are bids,
/// [BidCount, BidCount + AskCount) asks.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct TickEvent
{
    /// <summary>Levels per slot; larger messages span several contiguous slots.</summary>
    public const int MaxLevels = 16;

    public TickKind Kind;
    public TickFlags Flags;
    public VenueId Venue;
    public byte BidCount;
    public byte AskCount;
    public InstrumentId Instrument;

    /// <summary>Venue checksum (OKX CRC32 of the top 25, Kraken CRC32 of the top 10) when <see cref="TickFlags.HasChecksum"/>.</summary>
    public uint Checksum;

    /// <summary>First venue update id in this message (Binance <c>U</c>; OKX <c>seqId</c>; Kraken: 0).</summary>
    public long FirstUpdateId;

    /// <summary>Last venue update id in this message (Binance <c>u</c> / snapshot <c>lastUpdateId</c>; OKX <c>seqId</c>).</summary>
    public long LastUpdateId;

    /// <summary>The id the venue says preceded this message (Binance futures <c>pu</c>, OKX <c>prevSeqId</c>).</summary>
    public long PrevUpdateId;

    /// <summary>Exchange event time, Unix epoch nanoseconds (0 when the venue sends none).</summary>
    public long ExchangeTimeNs;

    /// <summary>Local receive time of the frame, Unix epoch nanoseconds (recorded time when replaying a tape).</summary>
    public long ReceiveTimeNs;

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the frame bytes were handed to the parser; latency origin.</summary>
    public long ReceiveTimestamp;

    public LevelBuffer Levels;

    public readonly bool IsFirstChunk => (Flags & TickFlags.FirstChunk) != 0;

    public readonly bool IsLastChunk => (Flags & TickFlags.LastChunk) != 0;

    public readonly int LevelCount => BidCount + AskCount;
}
