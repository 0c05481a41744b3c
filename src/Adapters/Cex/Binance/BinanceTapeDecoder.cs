using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;

namespace LowLatency.Adapters.Cex.Binance;

/// <summary>
/// Routes the records of a Binance cryptofeed capture to the parser: received frames to
/// <see cref="FrameParser.ParseFrame"/>, REST <c>/depth?symbol=</c> responses to
/// <see cref="BinanceParser.ParseDepthSnapshot"/>. Other records (connection opened, sent, configuration, other REST
/// calls) are <see cref="ParseResult.Ignored"/> without touching the parser's counters. Replay thread; allocation-free.
/// </summary>
public static class BinanceTapeDecoder
{
    /// <summary>Decodes one record into <paramref name="output"/>; the record's time becomes the receive time.</summary>
    public static ParseResult Decode(BinanceParser parser, CaptureTape tape, in CaptureRecord record, long receiveTimestamp, BookMessage output)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(tape);
        switch (record.Kind)
        {
            case CaptureRecordKind.Received:
                return parser.ParseFrame(tape.Payload(record), record.TimestampNs, receiveTimestamp, output);
            case CaptureRecordKind.HttpResponse:
                ReadOnlySpan<byte> url = tape.Url(record);
                if (url.IndexOf("/depth?"u8) >= 0)
                {
                    return parser.ParseDepthSnapshot(url, tape.Payload(record), record.TimestampNs, receiveTimestamp, output);
                }

                return ParseResult.Ignored;
            default:
                return ParseResult.Ignored;
        }
    }
}
