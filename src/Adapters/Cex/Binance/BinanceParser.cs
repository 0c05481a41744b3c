using System.Runtime.CompilerServices;
using System.Text.Json;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Binance;

/// <summary>
/// Zero-allocation parser of Binance market data: <c>depthUpdate</c> diffs, <c>bookTicker</c> tops (bare or inside the
/// combined-stream wrapper <c>{"stream":..,"data":{..}}</c>) and REST depth snapshots. Reads the raw frame bytes with
/// <see cref="Utf8JsonReader"/> into a <see cref="BookMessage"/> scratch; a frame is either fully parsed
/// (<see cref="ParseResult.Message"/>) or rejected with a counted <see cref="ParseError"/> and nothing to publish.
/// Channels we do not consume (trades, candles, tickers, acks) are <see cref="ParseResult.Ignored"/>.
/// <para>
/// One instance per connection, used by that connection's I/O thread only. Allocation-free on valid input; malformed
/// JSON surfaces from <see cref="Utf8JsonReader"/> as an exception, which is caught here (bad input only) and counted.
/// </para>
/// </summary>
public sealed partial class BinanceParser : FrameParser
{
    // Field bits of a stream payload.
    private const int FieldEventType = 1 << 0;   // e
    private const int FieldEventTime = 1 << 1;   // E
    private const int FieldTradeTime = 1 << 2;   // T
    private const int FieldSymbol = 1 << 3;      // s
    private const int FieldFirstId = 1 << 4;     // U
    private const int FieldLastId = 1 << 5;      // u
    private const int FieldPrevId = 1 << 6;      // pu
    private const int FieldBids = 1 << 7;        // b
    private const int FieldAsks = 1 << 8;        // a
    private const int FieldBidQty = 1 << 9;      // B
    private const int FieldAskQty = 1 << 10;     // A

    private const int SpotDepthFields = FieldEventType | FieldEventTime | FieldSymbol | FieldFirstId | FieldLastId | FieldBids | FieldAsks;
    private const int FuturesDepthFields = SpotDepthFields | FieldTradeTime | FieldPrevId;
    private const int SpotTickerFields = FieldLastId | FieldSymbol | FieldBids | FieldBidQty | FieldAsks | FieldAskQty;
    private const int FuturesTickerFields = SpotTickerFields | FieldEventType | FieldEventTime | FieldTradeTime;

    // Snapshot field bits.
    private const int SnapLastId = 1 << 0;
    private const int SnapEventTime = 1 << 1;
    private const int SnapTradeTime = 1 << 2;
    private const int SnapBids = 1 << 3;
    private const int SnapAsks = 1 << 4;

    private const long MaxMillis = long.MaxValue / 1_000_000;

    // Names of the field bits above, by bit index, for the unknown-field log.
    private static readonly byte[][] s_payloadFieldNames = ["e"u8.ToArray(), "E"u8.ToArray(), "T"u8.ToArray(), "s"u8.ToArray(), "U"u8.ToArray(), "u"u8.ToArray(), "pu"u8.ToArray(), "b"u8.ToArray(), "a"u8.ToArray(), "B"u8.ToArray(), "A"u8.ToArray()];
    private static readonly byte[][] s_snapshotFieldNames = ["lastUpdateId"u8.ToArray(), "E"u8.ToArray(), "T"u8.ToArray(), "bids"u8.ToArray(), "asks"u8.ToArray()];

    private readonly BinanceMarket _market;
    private readonly SymbolTable _symbols;
    private int _jsonLength; // length of the span the current reader walks, to tell truncation from malformation

    /// <param name="market">Spot or USD-M futures shapes.</param>
    /// <param name="venue">The venue id written into every message.</param>
    /// <param name="symbols">The venue's own symbols (<c>NKNUSDT</c>) → instrument ids.</param>
    /// <param name="instruments">Scales of every instrument the symbol table maps to.</param>
    public BinanceParser(BinanceMarket market, VenueId venue, SymbolTable symbols, IReadOnlyList<InstrumentSpec> instruments)
        : base(venue, instruments)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _market = market;
        _symbols = symbols;
    }

    /// <summary>The market shapes this parser reads.</summary>
    public BinanceMarket Market => _market;

    /// <summary>
    /// Parses a REST depth snapshot body (<c>{"lastUpdateId":..,"bids":[..],"asks":[..]}</c>; futures adds E, T).
    /// The symbol comes from the request URL's <c>symbol=</c> query. I/O thread; allocation-free on valid input.
    /// </summary>
    public ParseResult ParseDepthSnapshot(ReadOnlySpan<byte> url, ReadOnlySpan<byte> body, long receiveTimeNs, long receiveTimestamp, BookMessage output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        ParseError error;
        ParseResult result;
        try
        {
            result = ParseSnapshotCore(url, body, output, out error);
        }
        catch (JsonException ex)
        {
            error = Classify(ex, body.Length);
            result = ParseResult.Rejected;
        }

        return Complete(result, error, receiveTimeNs, receiveTimestamp, output);
    }

    /// <inheritdoc />
    protected override int JsonLength(ReadOnlySpan<byte> frame) => _jsonLength;

    /// <inheritdoc />
    protected override ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error)
    {
        // Fast path for the combined stream exactly as Binance writes it, {"stream":"<name>","data":{...}}: the wrapper
        // is matched on bytes and the reader walks only the payload. Anything else takes the general path below.
        if (frame.StartsWith("{\"stream\":\""u8) && frame[^1] == (byte)'}')
        {
            ReadOnlySpan<byte> afterPrefix = frame[11..];
            int quote = afterPrefix.IndexOf((byte)'"');
            if (quote >= 0 && afterPrefix[(quote + 1)..].StartsWith(",\"data\":{"u8))
            {
                ReadOnlySpan<byte> stream = afterPrefix[..quote];
                if (stream.IndexOf((byte)'\\') < 0)
                {
                    if (IsIgnoredStream(stream))
                    {
                        error = ParseError.None;
                        return ParseResult.Ignored;
                    }

                    ReadOnlySpan<byte> payload = afterPrefix[(quote + 9)..^1];
                    if (TryParseCanonicalDepth(payload, output))
                    {
                        error = ParseError.None;
                        return ParseResult.Message;
                    }

                    _jsonLength = payload.Length;
                    var payloadReader = new Utf8JsonReader(payload, isFinalBlock: true, state: default);
                    if (!payloadReader.Read() || !payloadReader.Read())
                    {
                        error = ParseError.TruncatedJson;
                        return ParseResult.Rejected;
                    }

                    ParseResult fast = ParsePayload(ref payloadReader, output, out error);
                    if (fast == ParseResult.Message && payloadReader.Read())
                    {
                        error = ParseError.MalformedJson; // something after the data object inside the wrapper
                        return ParseResult.Rejected;
                    }

                    return fast;
                }
            }
        }

        if (frame.StartsWith("{\"e\":\"depthUpdate\","u8) && TryParseCanonicalDepth(frame, output))
        {
            error = ParseError.None;
            return ParseResult.Message;
        }

        _jsonLength = frame.Length;
        var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = ParseError.WrongShape;
            return ParseResult.Rejected;
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            error = reader.TokenType == JsonTokenType.EndObject ? ParseError.MissingField : ParseError.WrongShape;
            return ParseResult.Rejected;
        }

        ReadOnlySpan<byte> name = reader.ValueSpan;
        if (!reader.ValueIsEscaped && (name.SequenceEqual("stream"u8) || name.SequenceEqual("data"u8)))
        {
            return ParseWrapper(ref reader, output, out error);
        }

        if (!reader.ValueIsEscaped && (name.SequenceEqual("result"u8) || name.SequenceEqual("id"u8)))
        {
            error = ParseError.None; // subscription acknowledgement
            return ParseResult.Ignored;
        }

        return ParsePayload(ref reader, output, out error);
    }

    /// <summary>Combined stream: <c>{"stream":"x@depth@100ms","data":{...}}</c>; the reader is on the first property name.</summary>
    private ParseResult ParseWrapper(ref Utf8JsonReader reader, BookMessage output, out ParseError error)
    {
        bool seenStream = false;
        bool seenData = false;
        ParseResult result = ParseResult.Rejected;
        error = ParseError.MissingField;
        do
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            ReadOnlySpan<byte> name = reader.ValueIsEscaped ? default : reader.ValueSpan;
            if (name.SequenceEqual("stream"u8))
            {
                if (seenStream)
                {
                    error = ParseError.DuplicateField;
                    return ParseResult.Rejected;
                }

                seenStream = true;
                if (!RawLevels.ReadString(ref reader))
                {
                    error = ParseError.WrongShape;
                    return ParseResult.Rejected;
                }

                if (IsIgnoredStream(reader.ValueSpan))
                {
                    error = ParseError.None;
                    return ParseResult.Ignored;
                }
            }
            else if (name.SequenceEqual("data"u8))
            {
                if (seenData)
                {
                    error = ParseError.DuplicateField;
                    return ParseResult.Rejected;
                }

                seenData = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    error = ParseError.WrongShape;
                    return ParseResult.Rejected;
                }

                if (!reader.Read())
                {
                    error = ParseError.TruncatedJson;
                    return ParseResult.Rejected;
                }

                result = ParsePayload(ref reader, output, out error);
                if (result != ParseResult.Message)
                {
                    return result;
                }
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                if (!reader.Read())
                {
                    error = ParseError.TruncatedJson;
                    return ParseResult.Rejected;
                }

                reader.Skip();
            }
        }
        while (reader.Read());

        if (!seenData)
        {
            error = ParseError.MissingField;
            return ParseResult.Rejected;
        }

        // Reading past the wrapper's end validates the rest of the frame (a truncated tail throws).
        while (reader.Read())
        {
        }

        return result;
    }

    /// <summary>A stream payload object; the reader is on its first property name (or its EndObject).</summary>
    private ParseResult ParsePayload(ref Utf8JsonReader reader, BookMessage output, out ParseError error)
    {
        int seen = 0;
        ReadOnlySpan<byte> eventType = default;
        ReadOnlySpan<byte> symbol = default;
        long eventTime = 0;
        long firstId = 0;
        long lastId = 0;
        long prevId = 0;
        ReadOnlySpan<byte> bidText = default;
        ReadOnlySpan<byte> askText = default;
        ReadOnlySpan<byte> bidQtyText = default;
        ReadOnlySpan<byte> askQtyText = default;
        Utf8JsonReader bidsReader = default;
        Utf8JsonReader asksReader = default;
        bool bidsAreArray = false;
        bool asksAreArray = false;

        while (reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueIsEscaped ? 0 : FieldOf(reader.ValueSpan);
            if (field == 0)
            {
                UnknownFields.Add(reader.ValueSpan);
                if (!reader.Read())
                {
                    error = ParseError.TruncatedJson;
                    return ParseResult.Rejected;
                }

                reader.Skip();
                if (!reader.Read())
                {
                    error = ParseError.TruncatedJson;
                    return ParseResult.Rejected;
                }

                continue;
            }

            if ((seen & field) != 0)
            {
                error = ParseError.DuplicateField;
                return ParseResult.Rejected;
            }

            seen |= field;
            if (!reader.Read())
            {
                error = ParseError.TruncatedJson;
                return ParseResult.Rejected;
            }

            switch (field)
            {
                case FieldEventType:
                    if (!TryString(ref reader, out eventType))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    if (!IsConsumedEvent(eventType))
                    {
                        error = IsIgnoredEvent(eventType) ? ParseError.None : ParseError.UnknownEvent;
                        return error == ParseError.None ? ParseResult.Ignored : ParseResult.Rejected;
                    }

                    break;
                case FieldEventTime:
                    if (!TryMillis(ref reader, out eventTime))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldTradeTime:
                    if (!TryMillis(ref reader, out _))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldSymbol:
                    if (!TryString(ref reader, out symbol))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldFirstId:
                    if (!TryId(ref reader, out firstId))
                    {
                        error = ParseError.BadUpdateId;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldLastId:
                    if (!TryId(ref reader, out lastId))
                    {
                        error = ParseError.BadUpdateId;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldPrevId:
                    if (!TryId(ref reader, out prevId))
                    {
                        error = ParseError.BadUpdateId;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldBids:
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        bidsAreArray = true;
                        bidsReader = reader; // parsed once the symbol (and so the scale) is known
                        reader.Skip();
                    }
                    else if (!TryString(ref reader, out bidText))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldAsks:
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        asksAreArray = true;
                        asksReader = reader;
                        reader.Skip();
                    }
                    else if (!TryString(ref reader, out askText))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
                case FieldBidQty:
                    if (!TryString(ref reader, out bidQtyText))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
                default: // FieldAskQty
                    if (!TryString(ref reader, out askQtyText))
                    {
                        error = ParseError.WrongShape;
                        return ParseResult.Rejected;
                    }

                    break;
            }

            if (!reader.Read())
            {
                error = ParseError.TruncatedJson;
                return ParseResult.Rejected;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = ParseError.WrongShape;
            return ParseResult.Rejected;
        }

        // Which message is it? Futures bookTicker and all depthUpdates carry "e"; spot bookTicker does not.
        bool isDepth;
        if ((seen & FieldEventType) != 0)
        {
            isDepth = eventType.SequenceEqual("depthUpdate"u8);
        }
        else if ((seen & (FieldBidQty | FieldAskQty)) != 0)
        {
            isDepth = false;
        }
        else
        {
            error = ParseError.MissingField;
            return ParseResult.Rejected;
        }

        int expected = isDepth
            ? (_market == BinanceMarket.Spot ? SpotDepthFields : FuturesDepthFields)
            : (_market == BinanceMarket.Spot ? SpotTickerFields : FuturesTickerFields);
        if ((seen & ~expected) != 0)
        {
            CountUnexpected(seen & ~expected, s_payloadFieldNames); // known names this message type does not carry
        }

        if ((expected & ~seen) != 0)
        {
            error = ParseError.MissingField;
            return ParseResult.Rejected;
        }

        if (isDepth != bidsAreArray || isDepth != asksAreArray)
        {
            error = ParseError.WrongShape;
            return ParseResult.Rejected;
        }

        if (!_symbols.TryGet(symbol, out InstrumentId instrument) || instrument.Value >= Specs.Length || Specs[instrument.Value] is not { } spec)
        {
            error = ParseError.UnknownSymbol;
            return ParseResult.Rejected;
        }

        int priceDecimals = spec.PriceDecimals;
        int quantityDecimals = spec.QuantityDecimals;
        output.Instrument = instrument;
        output.ExchangeTimeNs = eventTime * 1_000_000;

        if (!isDepth)
        {
            output.Kind = TickKind.Top;
            output.FirstUpdateId = lastId;
            output.LastUpdateId = lastId;
            if (!LevelParser.TryParsePrice(bidText, priceDecimals, out Price bid, out error)
                || !LevelParser.TryParseQuantity(bidQtyText, quantityDecimals, out Quantity bidQty, out error)
                || !LevelParser.TryParsePrice(askText, priceDecimals, out Price ask, out error)
                || !LevelParser.TryParseQuantity(askQtyText, quantityDecimals, out Quantity askQty, out error))
            {
                return ParseResult.Rejected;
            }

            if (bid.Raw >= ask.Raw)
            {
                error = ParseError.Crossed;
                return ParseResult.Rejected;
            }

            output.TryAdd(Side.Bid, bid, bidQty);
            output.TryAdd(Side.Ask, ask, askQty);
            error = ParseError.None;
            return ParseResult.Message;
        }

        if (firstId > lastId || (_market == BinanceMarket.Futures && prevId > lastId))
        {
            error = ParseError.BadUpdateId;
            return ParseResult.Rejected;
        }

        output.Kind = TickKind.Delta;
        output.FirstUpdateId = firstId;
        output.LastUpdateId = lastId;
        if (_market == BinanceMarket.Futures)
        {
            output.PrevUpdateId = prevId;
            output.Flags = TickFlags.HasPrevUpdateId;
        }

        if (!LevelParser.TryReadPairArray(ref bidsReader, Side.Bid, priceDecimals, quantityDecimals, output, out error)
            || !LevelParser.TryReadPairArray(ref asksReader, Side.Ask, priceDecimals, quantityDecimals, output, out error))
        {
            return ParseResult.Rejected;
        }

        return ParseResult.Message;
    }

    private ParseResult ParseSnapshotCore(ReadOnlySpan<byte> url, ReadOnlySpan<byte> body, BookMessage output, out ParseError error)
    {
        if (!TryQueryValue(url, "symbol="u8, out ReadOnlySpan<byte> symbol))
        {
            error = ParseError.BadUrl;
            return ParseResult.Rejected;
        }

        if (!_symbols.TryGet(symbol, out InstrumentId instrument) || instrument.Value >= Specs.Length || Specs[instrument.Value] is not { } spec)
        {
            error = ParseError.UnknownSymbol;
            return ParseResult.Rejected;
        }

        if (TryParseCanonicalSnapshot(body, instrument, spec, output))
        {
            error = ParseError.None;
            return ParseResult.Message;
        }

        int priceDecimals = spec.PriceDecimals;
        int quantityDecimals = spec.QuantityDecimals;
        _jsonLength = body.Length;
        var reader = new Utf8JsonReader(body, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = ParseError.WrongShape;
            return ParseResult.Rejected;
        }

        int seen = 0;
        long lastId = 0;
        long eventTime = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueIsEscaped ? 0 : SnapshotFieldOf(reader.ValueSpan);
            if (field == 0)
            {
                UnknownFields.Add(reader.ValueSpan);
                if (!reader.Read())
                {
                    error = ParseError.TruncatedJson;
                    return ParseResult.Rejected;
                }

                reader.Skip();
                continue;
            }

            if ((seen & field) != 0)
            {
                error = ParseError.DuplicateField;
                return ParseResult.Rejected;
            }

            seen |= field;
            if (!reader.Read())
            {
                error = ParseError.TruncatedJson;
                return ParseResult.Rejected;
            }

            bool ok = field switch
            {
                SnapLastId => TryId(ref reader, out lastId),
                SnapEventTime => TryMillis(ref reader, out eventTime),
                SnapTradeTime => TryMillis(ref reader, out _),
                _ => reader.TokenType == JsonTokenType.StartArray,
            };
            if (!ok)
            {
                error = field == SnapLastId ? ParseError.BadUpdateId : ParseError.WrongShape;
                return ParseResult.Rejected;
            }

            if (field is SnapBids or SnapAsks
                && !LevelParser.TryReadPairArray(ref reader, field == SnapBids ? Side.Bid : Side.Ask, priceDecimals, quantityDecimals, output, out error))
            {
                return ParseResult.Rejected;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = ParseError.WrongShape;
            return ParseResult.Rejected;
        }

        while (reader.Read())
        {
        }

        int expected = SnapLastId | SnapBids | SnapAsks | (_market == BinanceMarket.Futures ? SnapEventTime | SnapTradeTime : 0);
        if ((seen & ~expected) != 0)
        {
            CountUnexpected(seen & ~expected, s_snapshotFieldNames);
        }

        if ((expected & ~seen) != 0)
        {
            error = ParseError.MissingField;
            return ParseResult.Rejected;
        }

        if (!output.IsOrderedAndUncrossed())
        {
            error = ParseError.Crossed;
            return ParseResult.Rejected;
        }

        output.Kind = TickKind.Snapshot;
        output.Instrument = instrument;
        output.FirstUpdateId = lastId;
        output.LastUpdateId = lastId;
        output.ExchangeTimeNs = eventTime * 1_000_000;
        error = ParseError.None;
        return ParseResult.Message;
    }

    private void CountUnexpected(int bits, byte[][] names)
    {
        for (int bit = 0; bit < names.Length; bit++)
        {
            if ((bits & (1 << bit)) != 0)
            {
                UnknownFields.Add(names[bit]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryString(scoped ref Utf8JsonReader reader, out ReadOnlySpan<byte> value)
    {
        // Binance never escapes symbols or numbers; an escaped one is not what it claims to be.
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            value = default;
            return false;
        }

        value = reader.ValueSpan;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryId(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value >= 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryMillis(ref Utf8JsonReader reader, out long millis)
    {
        millis = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out millis) && millis >= 0 && millis <= MaxMillis;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FieldOf(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            return name[0] switch
            {
                (byte)'e' => FieldEventType,
                (byte)'E' => FieldEventTime,
                (byte)'T' => FieldTradeTime,
                (byte)'s' => FieldSymbol,
                (byte)'U' => FieldFirstId,
                (byte)'u' => FieldLastId,
                (byte)'b' => FieldBids,
                (byte)'a' => FieldAsks,
                (byte)'B' => FieldBidQty,
                (byte)'A' => FieldAskQty,
                _ => 0,
            };
        }

        return name.Length == 2 && name[0] == (byte)'p' && name[1] == (byte)'u' ? FieldPrevId : 0;
    }

    private static int SnapshotFieldOf(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("lastUpdateId"u8))
        {
            return SnapLastId;
        }

        if (name.SequenceEqual("bids"u8))
        {
            return SnapBids;
        }

        if (name.SequenceEqual("asks"u8))
        {
            return SnapAsks;
        }

        if (name.Length == 1 && name[0] == (byte)'E')
        {
            return SnapEventTime;
        }

        return name.Length == 1 && name[0] == (byte)'T' ? SnapTradeTime : 0;
    }

    private static bool IsConsumedEvent(ReadOnlySpan<byte> eventType) =>
        eventType.SequenceEqual("depthUpdate"u8) || eventType.SequenceEqual("bookTicker"u8);

    /// <summary>Events Binance sends on channels we may subscribe to but do not consume.</summary>
    private static bool IsIgnoredEvent(ReadOnlySpan<byte> eventType) =>
        eventType.SequenceEqual("aggTrade"u8)
        || eventType.SequenceEqual("trade"u8)
        || eventType.SequenceEqual("kline"u8)
        || eventType.SequenceEqual("continuous_kline"u8)
        || eventType.SequenceEqual("24hrTicker"u8)
        || eventType.SequenceEqual("24hrMiniTicker"u8)
        || eventType.SequenceEqual("markPriceUpdate"u8)
        || eventType.SequenceEqual("forceOrder"u8);

    /// <summary>Combined-stream names of channels we do not consume (<c>nknusdt@aggTrade</c>, <c>x@kline_1m</c>, ...).</summary>
    private static bool IsIgnoredStream(ReadOnlySpan<byte> stream)
    {
        int at = stream.IndexOf((byte)'@');
        if (at < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> channel = stream[(at + 1)..];
        return channel.StartsWith("aggTrade"u8)
            || channel.SequenceEqual("trade"u8)
            || channel.StartsWith("kline"u8)
            || channel.StartsWith("continuousKline"u8)
            || channel.StartsWith("ticker"u8)
            || channel.StartsWith("miniTicker"u8)
            || channel.StartsWith("markPrice"u8)
            || channel.StartsWith("forceOrder"u8);
    }

    /// <summary>The value of <paramref name="key"/> (e.g. <c>symbol=</c>) in a URL's query string.</summary>
    internal static bool TryQueryValue(ReadOnlySpan<byte> url, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        value = default;
        int query = url.IndexOf((byte)'?');
        if (query < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = url[(query + 1)..];
        while (!rest.IsEmpty)
        {
            int amp = rest.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? rest : rest[..amp];
            if (pair.StartsWith(key))
            {
                value = pair[key.Length..];
                return !value.IsEmpty;
            }

            rest = amp < 0 ? default : rest[(amp + 1)..];
        }

        return false;
    }
}
