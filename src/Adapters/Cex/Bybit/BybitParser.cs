using System.Text.Json;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Bybit;

/// <summary>
/// Parses Bybit v5 public WebSocket frames (spot, linear, inverse: one shape): <c>orderbook.{1,50,200}.SYMBOL</c>
/// <c>{"topic":..,"type":"snapshot"|"delta","ts":ms,"data":{"s":..,"b":[[px,sz]..],"a":[..],"u":..,"seq":..},"cts":..}</c>
/// into book messages (<c>u</c> → First/LastUpdateId, checked by <see cref="HotPath.Book.BybitBookRules"/>).
/// <c>publicTrade</c>, <c>tickers</c>, <c>kline</c>, … are recognised and ignored; <c>{"op":..,"success":..}</c>
/// answers are events (<c>success:false</c> counts in <see cref="InBandBookParser.VenueErrors"/>). Unknown fields are
/// skipped and counted per name. One instance per connection, its I/O thread only; allocation-free per frame.
/// </summary>
public sealed class BybitParser : InBandBookParser
{
    private readonly SymbolTable _symbols;

    /// <param name="venue">The id stamped on every parsed message.</param>
    /// <param name="symbols">Bybit symbols (<c>BTCUSDT</c>) → instrument ids.</param>
    /// <param name="instruments">Scales of every instrument the table can return.</param>
    public BybitParser(VenueId venue, SymbolTable symbols, IReadOnlyList<InstrumentSpec> instruments)
        : base(venue, instruments)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
    }

    /// <inheritdoc />
    protected override ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error)
    {
        var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        ReadOnlySpan<byte> topic = default;
        ReadOnlySpan<byte> type = default;
        long tsMs = -1;
        bool hasOp = false;
        bool failed = false;
        Utf8JsonReader data = default;
        bool hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "topic"u8) || Is(ref reader, "type"u8))
            {
                bool isTopic = Is(ref reader, "topic"u8);
                if (!RawLevels.ReadString(ref reader))
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                if (isTopic)
                {
                    topic = reader.ValueSpan;
                }
                else
                {
                    type = reader.ValueSpan;
                }
            }
            else if (Is(ref reader, "ts"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out tsMs) || tsMs < 0 || tsMs > WireNumbers.MaxMillis)
                {
                    return Reject(ParseError.WrongShape, out error);
                }
            }
            else if (Is(ref reader, "data"u8))
            {
                reader.Read();
                data = reader; // parsed once the topic (and so the kind of frame) is known
                hasData = true;
                reader.Skip();
            }
            else if (Is(ref reader, "op"u8))
            {
                hasOp = true;
                reader.Read();
                reader.Skip();
            }
            else if (Is(ref reader, "success"u8))
            {
                reader.Read();
                failed = reader.TokenType == JsonTokenType.False;
                reader.Skip();
            }
            else if (Is(ref reader, "cts"u8) || Is(ref reader, "cs"u8) || Is(ref reader, "ret_msg"u8) || Is(ref reader, "conn_id"u8) || Is(ref reader, "req_id"u8) || Is(ref reader, "args"u8))
            {
                reader.Read();
                reader.Skip();
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        while (reader.Read())
        {
        }

        if (hasOp && topic.IsEmpty)
        {
            Events++; // subscribe / pong answers
            if (failed)
            {
                VenueErrors++;
            }

            return Ignore(out error);
        }

        if (topic.IsEmpty)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (!topic.StartsWith("orderbook."u8))
        {
            if (topic.StartsWith("publicTrade."u8) || topic.StartsWith("tickers."u8) || topic.StartsWith("kline."u8)
                || topic.StartsWith("liquidation."u8) || topic.StartsWith("allLiquidation."u8) || topic.StartsWith("tickers_lt."u8) || topic.StartsWith("kline_lt."u8))
            {
                OtherChannelFrames++;
                return Ignore(out error);
            }

            return Reject(ParseError.UnknownEvent, out error);
        }

        // orderbook.<depth>.<symbol>
        ReadOnlySpan<byte> afterDepth = topic["orderbook."u8.Length..];
        int dot = afterDepth.IndexOf((byte)'.');
        if (dot <= 0 || !WireNumbers.TryParseInteger(afterDepth[..dot], 1000, out long depth, out _) || depth == 0)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        ReadOnlySpan<byte> topicSymbol = afterDepth[(dot + 1)..];
        if (!_symbols.TryGet(topicSymbol, out InstrumentId instrument) || instrument.Value >= Specs.Length || Specs[instrument.Value] is not { } spec)
        {
            return Reject(ParseError.UnknownSymbol, out error);
        }

        LastRejectedInstrument = instrument;
        bool snapshot;
        if (type.SequenceEqual("snapshot"u8))
        {
            snapshot = true;
        }
        else if (type.SequenceEqual("delta"u8))
        {
            snapshot = false;
        }
        else
        {
            return Reject(type.IsEmpty ? ParseError.MissingField : ParseError.WrongShape, out error);
        }

        if (!hasData || tsMs < 0)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (data.TokenType != JsonTokenType.StartObject)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        error = ParseData(ref data, topicSymbol, spec, output, out long u);
        if (error != ParseError.None)
        {
            return ParseResult.Rejected;
        }

        if (snapshot && !output.IsOrderedAndUncrossed())
        {
            return Reject(ParseError.Crossed, out error);
        }

        output.Kind = snapshot ? TickKind.Snapshot : TickKind.Delta;
        output.Instrument = instrument;
        output.FirstUpdateId = u;
        output.LastUpdateId = u;
        output.ExchangeTimeNs = tsMs * 1_000_000;
        LastRejectedInstrument = null;
        return ParseResult.Message;
    }

    /// <summary>The <c>data</c> object of a book frame; the reader is on its StartObject.</summary>
    private ParseError ParseData(ref Utf8JsonReader reader, ReadOnlySpan<byte> topicSymbol, InstrumentSpec spec, BookMessage output, out long u)
    {
        u = -1;
        bool symbolSeen = false;
        bool bids = false;
        bool asks = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "b"u8) || Is(ref reader, "a"u8))
            {
                Side side = Is(ref reader, "b"u8) ? Side.Bid : Side.Ask;
                if ((side == Side.Bid ? bids : asks) || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return bids && side == Side.Bid || asks && side == Side.Ask ? ParseError.DuplicateField : ParseError.WrongShape;
                }

                if (!LevelParser.TryReadPairArray(ref reader, side, spec.PriceDecimals, spec.QuantityDecimals, output, out ParseError levelError))
                {
                    return levelError;
                }

                bids |= side == Side.Bid;
                asks |= side == Side.Ask;
            }
            else if (Is(ref reader, "s"u8))
            {
                if (!RawLevels.ReadString(ref reader))
                {
                    return ParseError.WrongShape;
                }

                if (!reader.ValueSpan.SequenceEqual(topicSymbol))
                {
                    return ParseError.UnknownSymbol; // the payload is not the topic's book
                }

                symbolSeen = true;
            }
            else if (Is(ref reader, "u"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out u) || u < 0)
                {
                    return ParseError.BadUpdateId;
                }
            }
            else if (Is(ref reader, "seq"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    return ParseError.BadUpdateId;
                }
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return ParseError.WrongShape;
        }

        return !symbolSeen || !bids || !asks || u < 0 ? ParseError.MissingField : ParseError.None;
    }

    private static ParseResult Reject(ParseError reason, out ParseError error)
    {
        error = reason;
        return ParseResult.Rejected;
    }

    private static ParseResult Ignore(out ParseError error)
    {
        error = ParseError.None;
        return ParseResult.Ignored;
    }
}
