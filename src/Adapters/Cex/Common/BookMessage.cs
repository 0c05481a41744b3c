using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// Producer-side scratch for one parsed market-data message of any size: header fields plus bid and ask levels in
/// preallocated arrays. A parser fills it completely (or rejects the frame) before anything is published, so a bad
/// frame never reaches the ring half-written; <see cref="FramePublisher"/> then copies it into ring slots.
/// One instance per parser / I/O thread; allocation-free after construction.
/// </summary>
public sealed class BookMessage
{
    private readonly BookLevel[] _bids;
    private readonly BookLevel[] _asks;

    /// <param name="maxLevelsPerSide">Largest message side accepted (Binance REST depth allows 5000).</param>
    public BookMessage(int maxLevelsPerSide = 5000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevelsPerSide, 1);
        _bids = new BookLevel[maxLevelsPerSide];
        _asks = new BookLevel[maxLevelsPerSide];
    }

    public TickKind Kind { get; set; }

    public VenueId Venue { get; set; }

    public InstrumentId Instrument { get; set; }

    /// <summary>Extra flags copied to every chunk (<see cref="TickFlags.HasChecksum"/>, <see cref="TickFlags.HasPrevUpdateId"/>).</summary>
    public TickFlags Flags { get; set; }

    public uint Checksum { get; set; }

    public long FirstUpdateId { get; set; }

    public long LastUpdateId { get; set; }

    public long PrevUpdateId { get; set; }

    public long ExchangeTimeNs { get; set; }

    public long ReceiveTimeNs { get; set; }

    public long ReceiveTimestamp { get; set; }

    public int BidCount { get; private set; }

    public int AskCount { get; private set; }

    public int MaxLevelsPerSide => _bids.Length;

    public ReadOnlySpan<BookLevel> Bids => _bids.AsSpan(0, BidCount);

    public ReadOnlySpan<BookLevel> Asks => _asks.AsSpan(0, AskCount);

    /// <summary>Clears everything before a new frame is parsed.</summary>
    public void Reset()
    {
        Kind = TickKind.None;
        Venue = default;
        Instrument = default;
        Flags = TickFlags.None;
        Checksum = 0;
        FirstUpdateId = 0;
        LastUpdateId = 0;
        PrevUpdateId = 0;
        ExchangeTimeNs = 0;
        ReceiveTimeNs = 0;
        ReceiveTimestamp = 0;
        BidCount = 0;
        AskCount = 0;
    }

    /// <summary>Appends a level; false when the side is full (the parser rejects the frame with <see cref="ParseError.TooManyLevels"/>).</summary>
    public bool TryAdd(Side side, Price price, Quantity quantity)
    {
        if (side == Side.Bid)
        {
            if (BidCount == _bids.Length)
            {
                return false;
            }

            _bids[BidCount++] = new BookLevel(price, quantity);
            return true;
        }

        if (AskCount == _asks.Length)
        {
            return false;
        }

        _asks[AskCount++] = new BookLevel(price, quantity);
        return true;
    }

    /// <summary>Drops the levels of one side (a parser re-reading a side).</summary>
    public void ClearSide(Side side)
    {
        if (side == Side.Bid)
        {
            BidCount = 0;
        }
        else
        {
            AskCount = 0;
        }
    }

    /// <summary>Bids strictly descending, asks strictly ascending, best bid below best ask: what a venue's snapshot must be.</summary>
    public bool IsOrderedAndUncrossed()
    {
        ReadOnlySpan<BookLevel> bids = Bids;
        ReadOnlySpan<BookLevel> asks = Asks;
        for (int i = 1; i < bids.Length; i++)
        {
            if (bids[i].Price.Raw >= bids[i - 1].Price.Raw)
            {
                return false;
            }
        }

        for (int i = 1; i < asks.Length; i++)
        {
            if (asks[i].Price.Raw <= asks[i - 1].Price.Raw)
            {
                return false;
            }
        }

        return bids.IsEmpty || asks.IsEmpty || bids[0].Price.Raw < asks[0].Price.Raw;
    }
}
