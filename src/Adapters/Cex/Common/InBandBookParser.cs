using System.Text.Json;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// What the parsers of venues that send book snapshots in band (OKX, Kraken) share: the frame contract (reset, parse,
/// reject whole, count), the event/channel counters, and the loss marks — when a frame of a known book is rejected,
/// that book's following updates are marked until its next snapshot, because a top-N checksum may never show the loss.
/// One instance per connection, called by its I/O thread only; allocation-free per frame.
/// </summary>
public abstract class InBandBookParser : IFrameParser
{
    private readonly bool[] _lostSinceSnapshot;

    protected InBandBookParser(VenueId venue, IReadOnlyList<InstrumentSpec> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        Venue = venue;
        Specs = InstrumentTable.ToDense(instruments);
        _lostSinceSnapshot = new bool[Specs.Length];
    }

    public VenueId Venue { get; }

    /// <summary>Instrument scales by <see cref="InstrumentId.Value"/>.</summary>
    protected InstrumentSpec?[] Specs { get; }

    /// <summary>Outcome counters (messages, ignored frames, rejections by reason).</summary>
    public ParseCounters Counters { get; } = new();

    /// <summary>Why the last rejected frame was rejected.</summary>
    public ParseError LastError { get; private set; }

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

    /// <summary>Unknown fields skipped inside otherwise valid frames, per name.</summary>
    public UnknownFieldLog UnknownFields { get; } = new();

    /// <summary>Updates flagged <see cref="TickFlags.AfterLostMessage"/> (see <see cref="NeedsLossMark"/>).</summary>
    public long MarkedAfterLoss { get; private set; }

    /// <summary>
    /// Parses one complete frame into <paramref name="output"/> (reset first). <paramref name="receiveTimeNs"/> is the
    /// local (or recorded) receive time, <paramref name="receiveTimestamp"/> the Stopwatch stamp of arrival.
    /// Never throws for bad input: <see cref="Utf8JsonReader"/>'s exception on malformed JSON is caught and classified.
    /// </summary>
    public ParseResult ParseFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        LastRejectedInstrument = null;
        ParseError error;
        ParseResult result;
        try
        {
            result = ParseCore(frame, output, out error);
        }
        catch (JsonException ex)
        {
            result = ParseResult.Rejected;
            error = ex.LineNumber == 0 && ex.BytePositionInLine >= frame.Length ? ParseError.TruncatedJson : ParseError.MalformedJson;
        }

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

            output.Venue = Venue;
            output.ReceiveTimeNs = receiveTimeNs;
            output.ReceiveTimestamp = receiveTimestamp;
        }
        else
        {
            output.Reset(); // nothing of a frame that is not a message may reach the ring
            if (result == ParseResult.Rejected)
            {
                LastError = error;
                if (LastRejectedInstrument is { } lost)
                {
                    _lostSinceSnapshot[lost.Value] = true;
                }
            }
            else
            {
                LastRejectedInstrument = null;
            }
        }

        return Counters.Count(result, error);
    }

    /// <summary>
    /// True when the current token is exactly <paramref name="text"/> as written. OKX and Kraken never escape names or
    /// values, so an escaped token is no name we know (it is skipped or rejected like any other); comparing it through
    /// <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/> would unescape it, and that throws on a lone
    /// surrogate escape such as <c>"\ud800"</c>.
    /// </summary>
    protected static bool Is(scoped ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> text) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.SequenceEqual(text);

    /// <summary>
    /// Every book of this connection has lost a message (a connection-wide sequence skipped a number, e.g. Coinbase's
    /// <c>sequence_num</c>): each one's next update is flagged until its next snapshot.
    /// </summary>
    protected void MarkAllBooksLost() => _lostSinceSnapshot.AsSpan().Fill(true);

    /// <summary>Parses the frame's venue format. Sets <see cref="LastRejectedInstrument"/> once the book is known.</summary>
    protected abstract ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error);

    /// <summary>
    /// Whether an update of a book that lost a message since its snapshot needs <see cref="TickFlags.AfterLostMessage"/>
    /// (false when the venue's own sequence ids already reveal the loss).
    /// </summary>
    protected virtual bool NeedsLossMark(BookMessage output) => true;
}
