using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// What the parsers of venues that send book snapshots in band (OKX, Kraken, Coinbase, Bybit) share on top of the frame
/// contract (<see cref="FrameParser"/>): the event/channel counters and the loss marks — when a frame of a known book is rejected,
/// that book's following updates are marked until its next snapshot, because a top-N checksum may never show the loss.
/// One instance per connection, called by its I/O thread only; allocation-free per frame.
/// </summary>
public abstract class InBandBookParser : FrameParser
{
    private readonly bool[] _lostSinceSnapshot;

    protected InBandBookParser(VenueId venue, IReadOnlyList<InstrumentSpec> instruments)
        : base(venue, instruments)
    {
        _lostSinceSnapshot = new bool[Specs.Length];
    }

    /// <summary>
    /// When the last frame was rejected after its instrument was identified: that instrument (its book has lost a
    /// message). Else null.
    /// </summary>
    public InstrumentId? LastRejectedInstrument { get; protected set; }

    /// <summary>Event frames (subscription acknowledgements, heartbeats, status notices) seen.</summary>
    public long Events { get; protected set; }

    /// <summary>Events in which the venue reports an error about something we sent.</summary>
    public long VenueErrors { get; protected set; }

    /// <summary>Data frames of channels other than the book (tickers, trades…) seen and ignored.</summary>
    public long OtherChannelFrames { get; protected set; }

    /// <summary>Updates flagged <see cref="TickFlags.AfterLostMessage"/> (see <see cref="NeedsLossMark"/>).</summary>
    public long MarkedAfterLoss { get; private set; }

    /// <inheritdoc />
    protected override void BeforeParse() => LastRejectedInstrument = null;

    /// <inheritdoc />
    protected override void AfterParse(ParseResult result, BookMessage output)
    {
        if (result == ParseResult.Message)
        {
            if (output.Kind == TickKind.Snapshot)
            {
                _lostSinceSnapshot[output.Instrument.Value] = false;
            }
            else if (_lostSinceSnapshot[output.Instrument.Value] && NeedsLossMark(output))
            {
                output.Flags |= TickFlags.AfterLostMessage;
                MarkedAfterLoss++;
            }
        }
        else if (result == ParseResult.Rejected && LastRejectedInstrument is { } lost)
        {
            _lostSinceSnapshot[lost.Value] = true;
        }
        else
        {
            LastRejectedInstrument = null;
        }
    }

    /// <summary>
    /// Every book of this connection has lost a message (a connection-wide sequence skipped a number, e.g. Coinbase's
    /// <c>sequence_num</c>): each one's next update is flagged until its next snapshot.
    /// </summary>
    protected void MarkAllBooksLost() => _lostSinceSnapshot.AsSpan().Fill(true);

    /// <summary>
    /// Whether an update of a book that lost a message since its snapshot needs <see cref="TickFlags.AfterLostMessage"/>
    /// (false when the venue's own sequence ids already reveal the loss).
    /// </summary>
    protected virtual bool NeedsLossMark(BookMessage output) => true;
}
