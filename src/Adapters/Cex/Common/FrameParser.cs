using System.Text.Json;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// The frame handling every venue parser shares (<see cref="IFrameParser"/>): reset the scratch, parse, turn
/// <see cref="Utf8JsonReader"/>'s exception on malformed JSON into a classified rejection, stamp venue and receive
/// times on a message or reset the scratch on anything else, record <see cref="LastError"/> and count the outcome. One
/// reject path for all parsers. One instance per connection, its I/O thread only; allocation-free per frame.
/// </summary>
public abstract class FrameParser : IFrameParser
{
    protected FrameParser(VenueId venue, IReadOnlyList<InstrumentSpec> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        Venue = venue;
        Specs = InstrumentTable.ToDense(instruments);
    }

    public VenueId Venue { get; }

    /// <summary>Instrument scales by <see cref="InstrumentId.Value"/> (the one instrument table).</summary>
    protected InstrumentSpec?[] Specs { get; }

    /// <summary>Outcome counters (messages, ignored frames, rejections by reason).</summary>
    public ParseCounters Counters { get; } = new();

    /// <summary>Why the last rejected frame was rejected (<see cref="ParseError.None"/> after a message or an ignored frame).</summary>
    public ParseError LastError { get; private set; }

    /// <summary>Unknown fields skipped inside otherwise valid frames, per name.</summary>
    public UnknownFieldLog UnknownFields { get; } = new();

    /// <summary>
    /// Parses one complete frame into <paramref name="output"/> (reset first). Never throws for bad input.
    /// </summary>
    public ParseResult ParseFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        BeforeParse();
        ParseError error;
        ParseResult result;
        try
        {
            result = ParseCore(frame, output, out error);
        }
        catch (JsonException ex)
        {
            result = ParseResult.Rejected;
            error = Classify(ex, JsonLength(frame));
        }

        return Complete(result, error, receiveTimeNs, receiveTimestamp, output);
    }

    /// <summary>The one reject path: finishes an outcome of <see cref="ParseCore"/> or of a venue's other entry point.</summary>
    protected ParseResult Complete(ParseResult result, ParseError error, long receiveTimeNs, long receiveTimestamp, BookMessage output)
    {
        ArgumentNullException.ThrowIfNull(output);
        AfterParse(result, output);
        if (result == ParseResult.Message)
        {
            output.Venue = Venue;
            output.ReceiveTimeNs = receiveTimeNs;
            output.ReceiveTimestamp = receiveTimestamp;
            error = ParseError.None;
        }
        else
        {
            output.Reset(); // nothing of a frame that is not a message may reach the ring
            if (result == ParseResult.Ignored)
            {
                error = ParseError.None;
            }
        }

        LastError = error;
        return Counters.Count(result, error);
    }

    /// <summary>Malformed or cut short: an error at or past the end of the JSON is truncation.</summary>
    protected static ParseError Classify(JsonException ex, int jsonLength)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex.LineNumber == 0 && ex.BytePositionInLine >= jsonLength ? ParseError.TruncatedJson : ParseError.MalformedJson;
    }

    /// <summary>
    /// True when the current token is exactly <paramref name="text"/> as written. Venues never escape names or values, so
    /// an escaped token is no name we know; comparing it through <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/>
    /// would unescape it, and that throws on a lone surrogate escape such as <c>"\ud800"</c>.
    /// </summary>
    protected static bool Is(scoped ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> text) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.SequenceEqual(text);

    /// <summary>Parses the frame's venue format.</summary>
    protected abstract ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error);

    /// <summary>Length of the JSON the reader walked when it threw (the payload, when a wrapper was matched on bytes).</summary>
    protected virtual int JsonLength(ReadOnlySpan<byte> frame) => frame.Length;

    /// <summary>Called before each frame.</summary>
    protected virtual void BeforeParse()
    {
    }

    /// <summary>Called with each outcome before the scratch is stamped or reset.</summary>
    protected virtual void AfterParse(ParseResult result, BookMessage output)
    {
    }
}
