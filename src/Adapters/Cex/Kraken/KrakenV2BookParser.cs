using System.Text.Json;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Kraken;

/// <summary>
/// Parses Kraken spot WebSocket v2 public frames (<c>wss://ws.kraken.com/v2</c>): <c>book</c> snapshots and updates
/// (<c>{"channel":"book","type":"snapshot"|"update","data":[{"symbol":..,"bids":[{"price":n,"qty":n}],"asks":[..],
/// "checksum":n,"timestamp":".."}]}</c>) into a <see cref="BookMessage"/>; <c>instrument</c> frames teach each pair's
/// <c>price_precision</c> / <c>qty_precision</c>; <c>heartbeat</c>, <c>status</c> and method answers (<c>subscribe</c>,
/// <c>unsubscribe</c>, <c>pong</c>; <c>"success":false</c> → <see cref="InBandBookParser.VenueErrors"/>) are events;
/// <c>ticker</c>, <c>trade</c>, <c>ohlc</c> are recognised and ignored.
/// <para>
/// The v2 checksum (CRC32 of the top 10 asks then bids, each price and qty with '.' and leading zeros removed) is built
/// from the numbers written at the pair's precision. v2 writes JSON numbers, which may lose trailing zeros, so the
/// precision comes from the <c>instrument</c> channel when it has been seen, else from the snapshot (the most decimals
/// any of its levels carries, as Kraken writes full precision); an update with more decimals than that is rejected
/// (the book's next update is then marked lost and it resyncs). Messages carry
/// <see cref="KrakenBookRules.PackFormat"/>(depth, price precision, qty precision) in LastUpdateId for
/// <see cref="KrakenBookRules"/>, and the snapshot's checksum is verified too (v1 snapshots had none).
/// </para>
/// One instance per connection, its I/O thread only; allocation-free per frame.
/// </summary>
public sealed class KrakenV2BookParser : InBandBookParser
{
    private readonly SymbolTable _symbols;
    private readonly int _depth;
    private readonly sbyte[] _channelPriceDecimals;
    private readonly sbyte[] _channelQtyDecimals;
    private readonly sbyte[] _learnedPriceDecimals;
    private readonly sbyte[] _learnedQtyDecimals;
    private readonly RawLevel[] _rawBids;
    private readonly RawLevel[] _rawAsks;
    private int _rawBidCount;
    private int _rawAskCount;

    /// <param name="venue">The id stamped on every parsed message.</param>
    /// <param name="symbols">Kraken v2 symbols (<c>BTC/USD</c>) → instrument ids.</param>
    /// <param name="instruments">Scales of every instrument the table can return.</param>
    /// <param name="depth">The subscribed book depth (10, 25, 100, 500, 1000): the book is truncated to it.</param>
    /// <param name="maxLevelsPerSide">Scratch size: at least the subscribed depth.</param>
    public KrakenV2BookParser(VenueId venue, SymbolTable symbols, IReadOnlyList<InstrumentSpec> instruments, int depth, int maxLevelsPerSide = 1024)
        : base(venue, instruments)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevelsPerSide, depth);
        _symbols = symbols;
        _depth = depth;
        int n = Specs.Length;
        _channelPriceDecimals = Filled(n);
        _channelQtyDecimals = Filled(n);
        _learnedPriceDecimals = Filled(n);
        _learnedQtyDecimals = Filled(n);
        _rawBids = new RawLevel[maxLevelsPerSide];
        _rawAsks = new RawLevel[maxLevelsPerSide];
    }

    /// <summary><c>instrument</c> pairs of our table whose precisions were taken.</summary>
    public long InstrumentPrecisions { get; private set; }

    /// <summary>The precision (price, qty decimals) the checksum of <paramref name="instrument"/> is built with; -1 while unknown.</summary>
    public (int Price, int Qty) Precision(InstrumentId instrument) =>
        _channelPriceDecimals[instrument.Value] >= 0
            ? (_channelPriceDecimals[instrument.Value], _channelQtyDecimals[instrument.Value])
            : (_learnedPriceDecimals[instrument.Value], _learnedQtyDecimals[instrument.Value]);

    /// <inheritdoc />
    protected override ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error)
    {
        var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        int channel = 0; // 1 book, 2 instrument, 3 event channel, 4 other data channel, 5 unknown
        int type = 0; // 1 snapshot, 2 update
        int method = 0; // 1 known, 2 unknown
        bool failed = false;
        int dataStart = -1;
        int dataEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "channel"u8))
            {
                if (!RawLevels.ReadString(ref reader))
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                channel = Is(ref reader, "book"u8) ? 1
                    : Is(ref reader, "instrument"u8) ? 2
                    : Is(ref reader, "heartbeat"u8) || Is(ref reader, "status"u8) ? 3
                    : Is(ref reader, "ticker"u8) || Is(ref reader, "trade"u8) || Is(ref reader, "ohlc"u8) || Is(ref reader, "level3"u8) ? 4
                    : 5;
            }
            else if (Is(ref reader, "type"u8))
            {
                if (!RawLevels.ReadString(ref reader))
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                type = Is(ref reader, "snapshot"u8) ? 1 : Is(ref reader, "update"u8) ? 2 : 3;
            }
            else if (Is(ref reader, "method"u8))
            {
                if (!RawLevels.ReadString(ref reader))
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                method = Is(ref reader, "subscribe"u8) || Is(ref reader, "unsubscribe"u8) || Is(ref reader, "pong"u8) ? 1 : 2;
            }
            else if (Is(ref reader, "success"u8))
            {
                reader.Read();
                failed = reader.TokenType == JsonTokenType.False;
            }
            else if (Is(ref reader, "data"u8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataEnd = (int)reader.BytesConsumed;
            }
            else if (Is(ref reader, "result"u8) || Is(ref reader, "error"u8) || Is(ref reader, "req_id"u8)
                     || Is(ref reader, "time_in"u8) || Is(ref reader, "time_out"u8) || Is(ref reader, "warnings"u8))
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

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return Reject(ParseError.MalformedJson, out error);
        }

        error = ParseError.None;
        switch (channel)
        {
            case 0 when method == 1:
                Events++;
                if (failed)
                {
                    VenueErrors++;
                }

                return ParseResult.Ignored;
            case 0:
                return Reject(method == 2 ? ParseError.UnknownEvent : ParseError.MissingField, out error);
            case 3:
                Events++;
                return ParseResult.Ignored;
            case 4:
                OtherChannelFrames++;
                return ParseResult.Ignored;
            case 5:
                return Reject(ParseError.UnknownEvent, out error);
        }

        if (dataStart < 0)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (channel == 2)
        {
            error = ParseInstruments(frame, dataStart, dataEnd);
            Events++;
            return error == ParseError.None ? ParseResult.Ignored : ParseResult.Rejected;
        }

        if (type is not (1 or 2))
        {
            return Reject(type == 0 ? ParseError.MissingField : ParseError.WrongShape, out error);
        }

        error = ParseBook(frame, dataStart, dataEnd, type == 1, output);
        return error == ParseError.None ? ParseResult.Message : ParseResult.Rejected;
    }

    /// <summary><c>data: [ one book ]</c>: levels are located first, parsed once the symbol (and so the scale) is known.</summary>
    private ParseError ParseBook(ReadOnlySpan<byte> frame, int start, int end, bool snapshot, BookMessage output)
    {
        var reader = new Utf8JsonReader(frame[start..end], isFinalBlock: true, state: default);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ParseError.WrongShape;
        }

        _rawBidCount = 0;
        _rawAskCount = 0;
        int sides = 0; // bit 1 bids, bit 2 asks
        bool haveChecksum = false;
        int symbolStart = -1;
        int symbolLength = 0;
        long exchangeTimeNs = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int side = Is(ref reader, "bids"u8) ? 1 : Is(ref reader, "asks"u8) ? 2 : 0;
            if (side != 0)
            {
                if ((sides & side) != 0)
                {
                    return ParseError.DuplicateField;
                }

                sides |= side;
                ParseError e = side == 1
                    ? ReadLevels(ref reader, start, _rawBids, ref _rawBidCount)
                    : ReadLevels(ref reader, start, _rawAsks, ref _rawAskCount);
                if (e != ParseError.None)
                {
                    return e;
                }
            }
            else if (Is(ref reader, "symbol"u8))
            {
                if (symbolStart >= 0)
                {
                    return ParseError.DuplicateField;
                }

                if (!RawLevels.ReadString(ref reader))
                {
                    return ParseError.WrongShape;
                }

                symbolStart = start + (int)reader.TokenStartIndex + 1;
                symbolLength = reader.ValueSpan.Length;
            }
            else if (Is(ref reader, "checksum"u8))
            {
                if (haveChecksum)
                {
                    return ParseError.DuplicateField;
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    return ParseError.WrongShape;
                }

                if (!WireNumbers.TryParseInteger(reader.ValueSpan, uint.MaxValue, out long checksum, out ParseError checksumError))
                {
                    return checksumError;
                }

                output.Checksum = (uint)checksum;
                haveChecksum = true;
            }
            else if (Is(ref reader, "timestamp"u8))
            {
                if (!RawLevels.ReadString(ref reader))
                {
                    return ParseError.WrongShape;
                }

                if (!WireNumbers.TryParseUtcTimeToNs(reader.ValueSpan, out exchangeTimeNs, out ParseError timeError))
                {
                    return timeError;
                }
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
        {
            return ParseError.WrongShape; // one book per frame, as Kraken sends
        }

        if (symbolStart < 0 || !haveChecksum || (snapshot && sides != 3))
        {
            return ParseError.MissingField;
        }

        if (!_symbols.TryGet(frame.Slice(symbolStart, symbolLength), out InstrumentId instrument)
            || instrument.Value >= Specs.Length || Specs[instrument.Value] is not { } spec)
        {
            return ParseError.UnknownSymbol;
        }

        LastRejectedInstrument = instrument; // cleared by the base on success
        ParseError error = ConvertLevels(frame, spec, instrument.Value, snapshot, output);
        if (error != ParseError.None)
        {
            return error;
        }

        output.Kind = snapshot ? TickKind.Snapshot : TickKind.Delta;
        output.Instrument = instrument;
        output.ExchangeTimeNs = exchangeTimeNs;
        output.Flags |= TickFlags.HasChecksum;
        LastRejectedInstrument = null;
        return ParseError.None;
    }

    /// <summary>Reads <c>[{"price":n,"qty":n},…]</c> into frame positions (numbers, or strings where a client asked for them).</summary>
    private ParseError ReadLevels(ref Utf8JsonReader reader, int baseOffset, RawLevel[] raw, ref int count)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return ParseError.WrongShape;
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return ParseError.None;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return ParseError.WrongShape;
            }

            if (count == raw.Length)
            {
                return ParseError.TooManyLevels;
            }

            ref RawLevel level = ref raw[count];
            level.PriceStart = -1;
            level.SizeStart = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool price = Is(ref reader, "price"u8);
                if (!price && !Is(ref reader, "qty"u8))
                {
                    UnknownFields.Add(reader.ValueSpan);
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (!reader.Read() || reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String) || reader.ValueIsEscaped)
                {
                    return ParseError.WrongShape;
                }

                int at = baseOffset + (int)reader.TokenStartIndex + (reader.TokenType == JsonTokenType.String ? 1 : 0);
                if ((price ? level.PriceStart : level.SizeStart) >= 0)
                {
                    return ParseError.DuplicateField;
                }

                if (price)
                {
                    (level.PriceStart, level.PriceLength) = (at, reader.ValueSpan.Length);
                }
                else
                {
                    (level.SizeStart, level.SizeLength) = (at, reader.ValueSpan.Length);
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return ParseError.WrongShape;
            }

            if (level.PriceStart < 0 || level.SizeStart < 0)
            {
                return ParseError.MissingField;
            }

            count++;
        }

        return ParseError.WrongShape;
    }

    private ParseError ConvertLevels(ReadOnlySpan<byte> frame, InstrumentSpec spec, int instrument, bool snapshot, BookMessage output)
    {
        var digits = new MaxDigits();
        ParseError e = RawLevels.Convert(frame, spec, Side.Bid, _rawBids.AsSpan(0, _rawBidCount), output, ref digits);
        if (e == ParseError.None)
        {
            e = RawLevels.Convert(frame, spec, Side.Ask, _rawAsks.AsSpan(0, _rawAskCount), output, ref digits);
        }

        if (e != ParseError.None)
        {
            return e;
        }

        if (snapshot && !output.IsOrderedAndUncrossed())
        {
            return ParseError.Crossed;
        }

        int price = _channelPriceDecimals[instrument];
        int qty = _channelQtyDecimals[instrument];
        if (price < 0)
        {
            if (snapshot && _rawBidCount + _rawAskCount > 0)
            {
                _learnedPriceDecimals[instrument] = (sbyte)digits.Price;
                _learnedQtyDecimals[instrument] = (sbyte)digits.Qty;
            }

            price = _learnedPriceDecimals[instrument] >= 0 ? _learnedPriceDecimals[instrument] : digits.Price;
            qty = _learnedQtyDecimals[instrument] >= 0 ? _learnedQtyDecimals[instrument] : digits.Qty;
        }

        if (digits.Price > price || digits.Qty > qty)
        {
            return ParseError.TooPrecise; // written finer than the precision the checksum is built with
        }

        output.LastUpdateId = KrakenBookRules.PackFormat(_depth, price, qty);
        return ParseError.None;
    }

    /// <summary><c>instrument</c> data: <c>{"assets":[..],"pairs":[{"symbol":..,"price_precision":n,"qty_precision":n,..}]}</c>.</summary>
    private ParseError ParseInstruments(ReadOnlySpan<byte> frame, int start, int end)
    {
        var reader = new Utf8JsonReader(frame[start..end], isFinalBlock: true, state: default);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return ParseError.WrongShape;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!Is(ref reader, "pairs"u8))
            {
                reader.Read();
                reader.Skip(); // assets: not needed for books
                continue;
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return ParseError.WrongShape;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ParseError e = ParsePair(ref reader);
                if (e != ParseError.None)
                {
                    return e;
                }
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                return ParseError.WrongShape;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject ? ParseError.None : ParseError.WrongShape;
    }

    private ParseError ParsePair(ref Utf8JsonReader reader)
    {
        int instrument = -1;
        long price = -1;
        long qty = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "symbol"u8))
            {
                if (!RawLevels.ReadString(ref reader))
                {
                    return ParseError.WrongShape;
                }

                instrument = _symbols.TryGet(reader.ValueSpan, out InstrumentId id) && id.Value < Specs.Length ? id.Value : -1;
            }
            else if (Is(ref reader, "price_precision"u8) || Is(ref reader, "qty_precision"u8))
            {
                bool isPrice = Is(ref reader, "price_precision"u8);
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number
                    || !WireNumbers.TryParseInteger(reader.ValueSpan, FixedPoint.MaxDecimals, out long value, out _))
                {
                    return ParseError.WrongShape;
                }

                if (isPrice)
                {
                    price = value;
                }
                else
                {
                    qty = value;
                }
            }
            else
            {
                reader.Read();
                reader.Skip(); // the pair's other properties (base, quote, status, increments…)
            }
        }

        if (instrument >= 0 && price >= 0 && qty >= 0 && Specs[instrument] is { } spec
            && price <= spec.PriceDecimals && qty <= spec.QuantityDecimals)
        {
            _channelPriceDecimals[instrument] = (sbyte)price;
            _channelQtyDecimals[instrument] = (sbyte)qty;
            InstrumentPrecisions++;
        }

        return reader.TokenType == JsonTokenType.EndObject ? ParseError.None : ParseError.WrongShape;
    }

    /// <summary>The most fraction digits the message's prices and quantities carry.</summary>
    private struct MaxDigits : ILevelCheck
    {
        public int Price;
        public int Qty;

        public ParseError Check(ReadOnlySpan<byte> price, ReadOnlySpan<byte> size)
        {
            Price = Math.Max(Price, FractionDigits(price));
            Qty = Math.Max(Qty, FractionDigits(size));
            return Price > FixedPoint.MaxDecimals || Qty > FixedPoint.MaxDecimals ? ParseError.TooPrecise : ParseError.None;
        }

        private static int FractionDigits(ReadOnlySpan<byte> number)
        {
            int dot = number.IndexOf((byte)'.');
            return dot < 0 ? 0 : number.Length - dot - 1;
        }
    }

    private static sbyte[] Filled(int n)
    {
        var a = new sbyte[n];
        a.AsSpan().Fill(-1);
        return a;
    }

    private static ParseResult Reject(ParseError reason, out ParseError error)
    {
        error = reason;
        return ParseResult.Rejected;
    }
}
