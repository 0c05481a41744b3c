using System.Text.Json;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Coinbase;

/// <summary>
/// Parses Coinbase Advanced Trade WebSocket frames
/// <c>{"channel":..,"timestamp":"RFC 3339","sequence_num":n,"events":[..]}</c>. <c>l2_data</c> events
/// (<c>{"type":"snapshot"|"update","product_id":..,"updates":[{"side":"bid"|"offer","price_level":..,"new_quantity":..}]}</c>)
/// become book messages; <c>heartbeats</c> and <c>subscriptions</c> are events; <c>ticker</c>, <c>ticker_batch</c>,
/// <c>market_trades</c>, <c>candles</c>, <c>status</c> are recognised and ignored; any other channel is rejected
/// (<see cref="ParseError.UnknownEvent"/>).
/// <para>
/// <c>sequence_num</c> is one counter per connection across every channel, so this parser (one per connection) checks
/// it: a skipped number is a lost message of unknown channel, a gap for every book of the connection (each book's next
/// update is flagged <see cref="TickFlags.AfterLostMessage"/> and resyncs at its next snapshot); a number not above the
/// last is a duplicate or late frame, ignored and counted. Snapshots deeper than the scratch keep their best levels
/// (Coinbase sends the whole book, 27,000 levels a side for BTC-USD; books keep <c>BookSpec.Capacity</c> anyway).
/// </para>
/// One instance per connection, its I/O thread only; allocation-free per frame.
/// </summary>
public sealed class CoinbaseParser : InBandBookParser
{
    private readonly SymbolTable _symbols;
    private long _lastSequence = -1;

    public CoinbaseParser(VenueId venue, SymbolTable symbols, IReadOnlyList<InstrumentSpec> instruments)
        : base(venue, instruments)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
    }

    /// <summary>Skipped <c>sequence_num</c> values seen (each one a gap for every book of the connection).</summary>
    public long SequenceGaps { get; private set; }

    /// <summary>Frames whose <c>sequence_num</c> was not above the last one (duplicates, late frames): ignored.</summary>
    public long DuplicateFrames { get; private set; }

    /// <summary>Snapshot levels deeper than the scratch holds, dropped (the best ones are kept).</summary>
    public long SnapshotLevelsDropped { get; private set; }

    /// <summary>The last <c>sequence_num</c> accepted (-1 before the first).</summary>
    public long LastSequence => _lastSequence;

    /// <summary>
    /// A new connection: Coinbase starts its <c>sequence_num</c> again, so the next frame sets the counter. Call after a
    /// reconnect, before the first frame of the new connection (its snapshots then resync every book).
    /// </summary>
    public void OnNewConnection() => _lastSequence = -1;

    /// <inheritdoc />
    protected override ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error)
    {
        var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        ReadOnlySpan<byte> channel = default;
        ReadOnlySpan<byte> type = default;
        long sequence = -1;
        long timeNs = 0;
        Utf8JsonReader events = default;
        bool hasEvents = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "channel"u8) || Is(ref reader, "type"u8))
            {
                bool isChannel = Is(ref reader, "channel"u8);
                if (!RawLevels.ReadString(ref reader))
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                if (isChannel)
                {
                    channel = reader.ValueSpan;
                }
                else
                {
                    type = reader.ValueSpan;
                }
            }
            else if (Is(ref reader, "sequence_num"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out sequence) || sequence < 0)
                {
                    return Reject(ParseError.BadUpdateId, out error);
                }
            }
            else if (Is(ref reader, "timestamp"u8))
            {
                if (!RawLevels.ReadString(ref reader)
                    || !WireNumbers.TryParseUtcTimeToNs(reader.ValueSpan, out timeNs, out _))
                {
                    return Reject(ParseError.WrongShape, out error);
                }
            }
            else if (Is(ref reader, "events"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                events = reader; // walked once the channel is known
                hasEvents = true;
                reader.Skip();
            }
            else if (Is(ref reader, "client_id"u8) || Is(ref reader, "message"u8))
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

        if (type.SequenceEqual("error"u8))
        {
            Events++;
            VenueErrors++; // {"type":"error","message":..}: a rejected subscription or request
            return Ignore(out error);
        }

        if (channel.IsEmpty || sequence < 0)
        {
            return Reject(ParseError.MissingField, out error);
        }

        // The connection-wide counter, checked on every well-formed frame of every channel.
        if (sequence <= _lastSequence)
        {
            DuplicateFrames++;
            return Ignore(out error);
        }

        if (_lastSequence >= 0 && sequence != _lastSequence + 1)
        {
            SequenceGaps++;
            MarkAllBooksLost();
        }

        _lastSequence = sequence;
        if (channel.SequenceEqual("l2_data"u8))
        {
            if (!hasEvents)
            {
                return Reject(ParseError.MissingField, out error);
            }

            return ParseBookEvents(ref events, timeNs, sequence, output, out error);
        }

        if (channel.SequenceEqual("heartbeats"u8) || channel.SequenceEqual("subscriptions"u8))
        {
            Events++;
            return Ignore(out error);
        }

        if (channel.SequenceEqual("ticker"u8) || channel.SequenceEqual("ticker_batch"u8) || channel.SequenceEqual("market_trades"u8)
            || channel.SequenceEqual("candles"u8) || channel.SequenceEqual("status"u8))
        {
            OtherChannelFrames++;
            return Ignore(out error);
        }

        return Reject(ParseError.UnknownEvent, out error);
    }

    /// <summary>The events array of an l2_data frame (one book event); the reader is on its StartArray.</summary>
    private ParseResult ParseBookEvents(ref Utf8JsonReader reader, long timeNs, long sequence, BookMessage output, out ParseError error)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Reject(reader.TokenType == JsonTokenType.EndArray ? ParseError.MissingField : ParseError.WrongShape, out error);
        }

        ReadOnlySpan<byte> type = default;
        ReadOnlySpan<byte> product = default;
        Utf8JsonReader updates = default;
        bool hasUpdates = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "type"u8) || Is(ref reader, "product_id"u8))
            {
                bool isType = Is(ref reader, "type"u8);
                if (!RawLevels.ReadString(ref reader))
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                if (isType)
                {
                    type = reader.ValueSpan;
                }
                else
                {
                    product = reader.ValueSpan;
                }
            }
            else if (Is(ref reader, "updates"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                updates = reader;
                hasUpdates = true;
                reader.Skip();
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || !reader.Read())
        {
            return Reject(ParseError.WrongShape, out error);
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            // Coinbase sends one product per l2_data event and one event per frame; a frame of several would need
            // several messages, so it is refused (counted) rather than half applied.
            return Reject(ParseError.WrongShape, out error);
        }

        if (product.IsEmpty || type.IsEmpty || !hasUpdates)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (!_symbols.TryGet(product, out InstrumentId instrument) || instrument.Value >= Specs.Length || Specs[instrument.Value] is not { } spec)
        {
            return Reject(ParseError.UnknownSymbol, out error);
        }

        LastRejectedInstrument = instrument;
        bool snapshot;
        if (type.SequenceEqual("snapshot"u8))
        {
            snapshot = true;
        }
        else if (type.SequenceEqual("update"u8))
        {
            snapshot = false;
        }
        else
        {
            return Reject(ParseError.WrongShape, out error);
        }

        error = ReadUpdates(ref updates, spec, snapshot, output);
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
        output.FirstUpdateId = sequence;
        output.LastUpdateId = sequence;
        output.ExchangeTimeNs = timeNs;
        LastRejectedInstrument = null;
        return ParseResult.Message;
    }

    /// <summary><c>[{"side":..,"event_time":..,"price_level":..,"new_quantity":..},..]</c>; the reader is on the StartArray.</summary>
    private ParseError ReadUpdates(ref Utf8JsonReader reader, InstrumentSpec spec, bool snapshot, BookMessage output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            ReadOnlySpan<byte> sideText = default;
            ReadOnlySpan<byte> priceText = default;
            ReadOnlySpan<byte> quantityText = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int field = Is(ref reader, "side"u8) ? 1 : Is(ref reader, "price_level"u8) ? 2 : Is(ref reader, "new_quantity"u8) ? 3 : Is(ref reader, "event_time"u8) ? 4 : 0;
                if (field == 0)
                {
                    UnknownFields.Add(reader.ValueSpan);
                }

                if (!reader.Read())
                {
                    return ParseError.TruncatedJson;
                }

                if (field is 1 or 2 or 3)
                {
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    {
                        return ParseError.WrongShape;
                    }

                    if (field == 1)
                    {
                        sideText = reader.ValueSpan;
                    }
                    else if (field == 2)
                    {
                        priceText = reader.ValueSpan;
                    }
                    else
                    {
                        quantityText = reader.ValueSpan;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return ParseError.WrongShape;
            }

            if (sideText.IsEmpty || priceText.IsEmpty || quantityText.IsEmpty)
            {
                return ParseError.MissingField;
            }

            Side side;
            if (sideText.SequenceEqual("bid"u8))
            {
                side = Side.Bid;
            }
            else if (sideText.SequenceEqual("offer"u8) || sideText.SequenceEqual("ask"u8))
            {
                side = Side.Ask;
            }
            else
            {
                return ParseError.WrongShape;
            }

            if (!LevelParser.TryParsePrice(priceText, spec.PriceDecimals, out Price price, out ParseError error)
                || !LevelParser.TryParseQuantity(quantityText, spec.QuantityDecimals, out Quantity quantity, out error))
            {
                return error;
            }

            if (!output.TryAdd(side, price, quantity))
            {
                if (!snapshot)
                {
                    return ParseError.TooManyLevels;
                }

                // A full side of a snapshot: keep the best levels, drop deeper ones; out of order is not a book.
                ReadOnlySpan<BookLevel> kept = side == Side.Bid ? output.Bids : output.Asks;
                bool deeper = side == Side.Bid ? price.Raw < kept[^1].Price.Raw : price.Raw > kept[^1].Price.Raw;
                if (!deeper)
                {
                    return ParseError.Crossed;
                }

                SnapshotLevelsDropped++;
            }
        }

        return reader.TokenType == JsonTokenType.EndArray ? ParseError.None : ParseError.WrongShape;
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
