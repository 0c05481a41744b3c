using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Live;

/// <summary>
/// Kraken spot WebSocket v2 (<c>wss://ws.kraken.com/v2</c>) into <see cref="KrakenV2BookParser"/>: the <c>instrument</c>
/// channel first (each pair's price / qty precision, which the v2 checksum is built with), then <c>book</c> at
/// <see cref="LiveVenueOptions.BookDepth"/> (in-band snapshot, CRC32 over the top 10 on the snapshot and every update)
/// and <c>ticker</c> / <c>trade</c> on request (counted, not consumed). <c>{"channel":"heartbeat"}</c> comes each
/// second and <c>{"method":"ping"}</c> after <see cref="LiveVenueOptions.PingAfter"/> of silence is answered by
/// <c>pong</c>: both are liveness. <c>"success":false</c> answers a request we sent: a refused subscription. A resync is
/// an unsubscribe + subscribe of the one book (Kraken sends a fresh snapshot).
/// </summary>
internal sealed class KrakenV2Protocol : VenueProtocol
{
    private static readonly byte[] s_ping = "{\"method\":\"ping\"}"u8.ToArray();
    private readonly KrakenV2BookParser _parser;

    public KrakenV2Protocol(LiveVenueOptions options) : base(options)
    {
        _parser = new KrakenV2BookParser(options.Venue, Symbols, Instruments, options.BookDepth, Math.Max(1024, options.BookDepth));
    }

    public override bool RestSnapshots => false;

    public override ParseCounters ParserCounters => _parser.Counters;

    /// <summary>The connection's parser (its precisions and event counters).</summary>
    public KrakenV2BookParser Parser => _parser;

    public override byte[]? Ping => s_ping;

    public override IReadOnlyList<byte[]> SubscribeMessages()
    {
        string symbols = string.Join(',', Options.Symbols.Select(s => $"\"{s.VenueSymbol}\""));
        var messages = new List<byte[]>
        {
            Utf8("{\"method\":\"subscribe\",\"params\":{\"channel\":\"instrument\",\"snapshot\":true}}"),
            Subscribe("subscribe", symbols),
        };
        if (Options.SubscribeTops)
        {
            messages.Add(Utf8($"{{\"method\":\"subscribe\",\"params\":{{\"channel\":\"ticker\",\"symbol\":[{symbols}]}}}}"));
        }

        if (Options.SubscribeTrades)
        {
            messages.Add(Utf8($"{{\"method\":\"subscribe\",\"params\":{{\"channel\":\"trade\",\"symbol\":[{symbols}]}}}}"));
        }

        return messages;
    }

    public override IReadOnlyList<byte[]> ResubscribeMessages(int symbolIndex)
    {
        string symbol = $"\"{Options.Symbols[symbolIndex].VenueSymbol}\"";
        return [Subscribe("unsubscribe", symbol), Subscribe("subscribe", symbol)];
    }

    public override FrameClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"channel\":"u8))
        {
            if (frame.StartsWith("{\"channel\":\"heartbeat\""u8))
            {
                return FrameClass.Pong;
            }

            return frame.StartsWith("{\"channel\":\"status\""u8) ? FrameClass.Ack : FrameClass.Data;
        }

        if (SmallContains(frame, "\"success\":false"u8))
        {
            return SmallContains(frame, "\"method\":\"subscribe\""u8) ? FrameClass.SubscriptionRejected : FrameClass.VenueError;
        }

        if (frame.StartsWith("{\"method\":\"pong\""u8))
        {
            return FrameClass.Pong;
        }

        return frame.StartsWith("{\"method\":"u8) ? FrameClass.Ack : FrameClass.Data;
    }

    public override ParseResult Parse(ReadOnlySpan<byte> frame, long receiveTimeNs, long receiveTimestamp, BookMessage output) =>
        _parser.ParseFrame(frame, receiveTimeNs, receiveTimestamp, output);

    private byte[] Subscribe(string method, string symbols) =>
        Utf8($"{{\"method\":\"{method}\",\"params\":{{\"channel\":\"book\",\"symbol\":[{symbols}],\"depth\":{Options.BookDepth}{(method == "subscribe" ? ",\"snapshot\":true" : "")}}}}}");
}
