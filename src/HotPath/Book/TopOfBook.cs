using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// The venue's own best bid/ask stream (Binance <c>bookTicker</c>) for one (venue, instrument), kept apart from the
/// L2 book: it has its own update-id order and may lead the depth stream.
/// </summary>
public struct TopOfBook
{
    public BookLevel Bid;
    public BookLevel Ask;

    /// <summary>Venue update id of the last accepted top (0 when the venue sends none).</summary>
    public long LastUpdateId;

    public long ExchangeTimeNs;
    public long ReceiveTimeNs;

    /// <summary>Stopwatch timestamp of the frame that carried it (latency origin).</summary>
    public long ReceiveTimestamp;

    /// <summary>True once a valid, uncrossed top has been accepted.</summary>
    public bool IsSet;
}
