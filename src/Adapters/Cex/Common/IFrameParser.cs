using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Common;

/// <summary>
/// The one contract of every venue parser: one call per complete WebSocket frame (the frame's bytes, whole), the result
/// a value. A frame is parsed completely into the output scratch (<see cref="ParseResult.Message"/>), recognised
/// and not consumed (<see cref="ParseResult.Ignored"/>), or rejected whole (<see cref="ParseResult.Rejected"/>, reason in
/// <see cref="LastError"/>, counted in <see cref="Counters"/>) with the scratch reset. Never throws on
/// input; unknown fields are skipped and counted in <see cref="UnknownFields"/>. One instance per connection, called by
/// that connection's I/O thread only; allocation-free per frame after warm-up.
/// </summary>
public interface IFrameParser
{
    VenueId Venue { get; }

    ParseCounters Counters { get; }

    /// <summary>Why the last rejected frame was rejected (<see cref="ParseError.None"/> after a message).</summary>
    ParseError LastError { get; }

    /// <summary>Unknown field names skipped, counted per name.</summary>
    UnknownFieldLog UnknownFields { get; }

    /// <param name="frame">One whole frame's UTF-8 bytes.</param>
    /// <param name="receiveTimeNs">Local (or recorded) receive time, Unix ns.</param>
    /// <param name="receiveTimestamp">Stopwatch timestamp of arrival (latency origin).</param>
    /// <param name="output">Scratch owned by the I/O thread; valid only when the result is a message.</param>
    ParseResult ParseFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output);
}
