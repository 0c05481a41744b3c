using System.Text.Json;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Kraken;

/// <summary>
/// Parses Kraken WebSocket v1 public frames: <c>book-N</c> snapshots (<c>[id,{"as":[..],"bs":[..]},"book-N",pair]</c>)
/// and updates (<c>[id,{"a":[..]}(,{"b":[..],"c":"crc"}),"book-N",pair]</c>) into a <see cref="BookMessage"/>, and
/// recognises event objects (heartbeat, systemStatus, subscriptionStatus, pong) and other channels (ticker, trade,
/// spread, ohlc) so they are counted and ignored.
/// <para>
/// Kraken writes each pair's numbers with a fixed number of decimals ("354.80000000"), and its checksum is built from
/// those strings. The parser learns these "wire decimals" per pair from each snapshot, rejects a message written
/// differently, and stamps every book message's LastUpdateId with
/// <see cref="KrakenBookRules.PackFormat"/>(N, price decimals, volume decimals) for <see cref="KrakenBookRules"/>.
/// </para>
/// <para>
/// Strict: a frame is either fully valid or rejected whole with a <see cref="ParseError"/>, counted in
/// <see cref="FrameParser.Counters"/>. One instance per connection, called by its I/O thread only; allocation-free per frame
/// (a malformed frame costs the <see cref="JsonException"/> the reader throws).
/// </para>
/// </summary>
public sealed class KrakenBookParser : InBandBookParser
{
    private const int MaxPayloads = 2;
    private const int MaxDepth = 100_000;

    private readonly SymbolTable _symbols;
    private readonly InstrumentSpec?[] _specs;
    private readonly sbyte[] _learnedPriceDecimals;
    private readonly sbyte[] _learnedVolumeDecimals;
    private readonly RawLevel[] _rawBids;
    private readonly RawLevel[] _rawAsks;
    private int _rawBidCount;
    private int _rawAskCount;
    private long _exchangeTimeNs;

    /// <param name="venue">The id stamped on every parsed message.</param>
    /// <param name="symbols">Kraken WebSocket pair names (e.g. <c>XMR/USD</c>) → instrument ids.</param>
    /// <param name="instruments">Scales of every instrument the table can return.</param>
    /// <param name="maxLevelsPerSide">Scratch size: at least the subscribed depth (a snapshot carries that many levels).</param>
    public KrakenBookParser(VenueId venue, SymbolTable symbols, IReadOnlyList<InstrumentSpec> instruments, int maxLevelsPerSide = 1024)
        : base(venue, instruments)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevelsPerSide, 1);
        _symbols = symbols;
        _specs = Specs;
        _learnedPriceDecimals = new sbyte[_specs.Length];
        _learnedVolumeDecimals = new sbyte[_specs.Length];
        _learnedPriceDecimals.AsSpan().Fill(-1);
        _learnedVolumeDecimals.AsSpan().Fill(-1);
        _rawBids = new RawLevel[maxLevelsPerSide];
        _rawAsks = new RawLevel[maxLevelsPerSide];
    }

    /// <summary>Levels flagged "r" (republished from beyond the subscribed depth) in accepted messages.</summary>
    public long RepublishedLevels { get; private set; }

    /// <inheritdoc />
    protected override ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error)
    {
        error = ParseError.None;
        var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
        if (!reader.Read())
        {
            return Reject(ParseError.MalformedJson, out error);
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return ParseEvent(ref reader, out error);
        }

        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.Number)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        if (!reader.TryGetInt64(out long channelId) || channelId < 0)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        // Payloads come first, the channel name and pair last: note where the payloads are, parse them once the pair is known.
        Span<int> payloadStart = stackalloc int[MaxPayloads];
        Span<int> payloadEnd = stackalloc int[MaxPayloads];
        int payloads = 0;
        bool allObjects = true;
        while (reader.Read() && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            if (payloads == MaxPayloads)
            {
                return Reject(ParseError.WrongShape, out error);
            }

            allObjects &= reader.TokenType == JsonTokenType.StartObject;
            payloadStart[payloads] = (int)reader.TokenStartIndex;
            reader.Skip();
            payloadEnd[payloads] = (int)reader.BytesConsumed;
            payloads++;
        }

        if (payloads == 0 || reader.TokenType == JsonTokenType.EndArray)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        int nameStart = (int)reader.TokenStartIndex + 1;
        int nameLength = reader.ValueSpan.Length;
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        int pairStart = (int)reader.TokenStartIndex + 1;
        int pairLength = reader.ValueSpan.Length;
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray || reader.Read())
        {
            return Reject(ParseError.WrongShape, out error);
        }

        ReadOnlySpan<byte> name = frame.Slice(nameStart, nameLength);
        if (!name.StartsWith("book-"u8))
        {
            OtherChannelFrames++;
            return ParseResult.Ignored;
        }

        if (!allObjects || !WireNumbers.TryParseInteger(name["book-".Length..], MaxDepth, out long depth, out _) || depth == 0)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        if (!_symbols.TryGet(frame.Slice(pairStart, pairLength), out InstrumentId instrument)
            || instrument.Value >= _specs.Length || _specs[instrument.Value] is not { } spec)
        {
            return Reject(ParseError.UnknownSymbol, out error);
        }

        LastRejectedInstrument = instrument; // cleared below on success
        _rawBidCount = 0;
        _rawAskCount = 0;
        _exchangeTimeNs = 0;
        int kind = 0; // 1 snapshot, 2 update
        int sidesSeen = 0; // bit 1 bids, bit 2 asks
        for (int p = 0; p < payloads; p++)
        {
            error = ParsePayload(frame, payloadStart[p], payloadEnd[p], ref kind, ref sidesSeen, output);
            if (error != ParseError.None)
            {
                return ParseResult.Rejected;
            }
        }

        bool snapshot = kind == 1;
        if (kind == 0 || (snapshot && sidesSeen != 3))
        {
            return Reject(ParseError.MissingField, out error);
        }

        error = ConvertLevels(frame, spec, instrument.Value, snapshot, (int)depth, output);
        if (error != ParseError.None)
        {
            return ParseResult.Rejected;
        }

        output.Kind = snapshot ? TickKind.Snapshot : TickKind.Delta;
        output.Instrument = instrument;
        output.ExchangeTimeNs = _exchangeTimeNs;
        LastRejectedInstrument = null;
        return ParseResult.Message;
    }

    private ParseResult ParseEvent(ref Utf8JsonReader reader, out ParseError error)
    {
        int eventKind = 0; // 1 known, 2 error, 3 unknown
        bool statusError = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isEvent = Is(ref reader, "event"u8);
            bool isStatus = !isEvent && Is(ref reader, "status"u8);
            reader.Read();
            if (!isEvent && !isStatus)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                return Reject(ParseError.WrongShape, out error);
            }

            if (isStatus)
            {
                statusError = Is(ref reader, "error"u8);
            }
            else
            {
                eventKind = Is(ref reader, "error"u8) ? 2
                    : Is(ref reader, "heartbeat"u8) || Is(ref reader, "systemStatus"u8)
                      || Is(ref reader, "subscriptionStatus"u8) || Is(ref reader, "pong"u8) ? 1
                    : 3;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return Reject(ParseError.MalformedJson, out error);
        }

        error = ParseError.None;
        switch (eventKind)
        {
            case 0:
                return Reject(ParseError.MissingField, out error);
            case 3:
                return Reject(ParseError.UnknownEvent, out error);
        }

        Events++;
        if (eventKind == 2 || statusError)
        {
            VenueErrors++;
        }

        return ParseResult.Ignored;
    }

    /// <summary>One book object: "as"/"bs" (snapshot) or "a"/"b" (update), and optionally "c" (the checksum string).</summary>
    private ParseError ParsePayload(ReadOnlySpan<byte> frame, int start, int end, ref int kind, ref int sidesSeen, BookMessage output)
    {
        var reader = new Utf8JsonReader(frame[start..end], isFinalBlock: true, state: default);
        reader.Read(); // StartObject, checked by the caller
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int keyKind; // 1 snapshot side, 2 update side
            int side; // 1 bids, 2 asks
            if (Is(ref reader, "as"u8))
            {
                (keyKind, side) = (1, 2);
            }
            else if (Is(ref reader, "bs"u8))
            {
                (keyKind, side) = (1, 1);
            }
            else if (Is(ref reader, "a"u8))
            {
                (keyKind, side) = (2, 2);
            }
            else if (Is(ref reader, "b"u8))
            {
                (keyKind, side) = (2, 1);
            }
            else if (Is(ref reader, "c"u8))
            {
                if ((output.Flags & TickFlags.HasChecksum) != 0)
                {
                    return ParseError.DuplicateField;
                }

                if (!RawLevels.ReadString(ref reader))
                {
                    return ParseError.WrongShape;
                }

                if (!WireNumbers.TryParseInteger(reader.ValueSpan, uint.MaxValue, out long checksum, out ParseError checksumError))
                {
                    return checksumError;
                }

                output.Checksum = (uint)checksum;
                output.Flags |= TickFlags.HasChecksum;
                continue;
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                reader.Read();
                reader.Skip();
                continue;
            }

            if (kind != 0 && kind != keyKind)
            {
                return ParseError.WrongShape; // snapshot and update keys in one message
            }

            if ((sidesSeen & side) != 0)
            {
                return ParseError.DuplicateField;
            }

            kind = keyKind;
            sidesSeen |= side;
            ParseError e = side == 1
                ? ReadLevels(ref reader, start, _rawBids, ref _rawBidCount)
                : ReadLevels(ref reader, start, _rawAsks, ref _rawAskCount);
            if (e != ParseError.None)
            {
                return e;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject ? ParseError.None : ParseError.WrongShape;
    }

    /// <summary>Reads <c>[[price,volume,timestamp(,"r")],…]</c>, keeping price/volume string positions (frame-relative).</summary>
    private ParseError ReadLevels(ref Utf8JsonReader reader, int baseOffset, RawLevel[] raw, ref int count)
    {
        var tail = new KrakenTail(this);
        return RawLevels.Read(ref reader, baseOffset, raw, ref count, ref tail);
    }

    /// <summary>After Kraken's price and volume: the level's timestamp (the message's exchange time is the latest) and an optional "r".</summary>
    private readonly struct KrakenTail(KrakenBookParser parser) : ILevelTail
    {
        public ParseError ReadTail(ref Utf8JsonReader reader)
        {
            if (!RawLevels.ReadString(ref reader))
            {
                return ParseError.WrongShape;
            }

            if (!WireNumbers.TryParseSecondsToNs(reader.ValueSpan, out long ns, out ParseError timeError))
            {
                return timeError;
            }

            parser._exchangeTimeNs = Math.Max(parser._exchangeTimeNs, ns);
            if (!reader.Read())
            {
                return ParseError.WrongShape;
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                if (!Is(ref reader, "r"u8))
                {
                    return ParseError.WrongShape;
                }

                parser.RepublishedLevels++;
                reader.Read();
            }

            return reader.TokenType == JsonTokenType.EndArray ? ParseError.None : ParseError.WrongShape;
        }
    }

    private ParseError ConvertLevels(ReadOnlySpan<byte> frame, InstrumentSpec spec, int instrument, bool snapshot, int depth, BookMessage output)
    {
        var format = new KrakenFormat { PriceDecimals = -1, VolumeDecimals = -1 };
        ParseError e = RawLevels.Convert(frame, spec, Side.Bid, _rawBids.AsSpan(0, _rawBidCount), output, ref format);
        if (e == ParseError.None)
        {
            e = RawLevels.Convert(frame, spec, Side.Ask, _rawAsks.AsSpan(0, _rawAskCount), output, ref format);
        }

        int priceDecimals = format.PriceDecimals;
        int volumeDecimals = format.VolumeDecimals;

        if (e != ParseError.None)
        {
            return e;
        }

        if (snapshot)
        {
            if (!output.IsOrderedAndUncrossed())
            {
                return ParseError.Crossed;
            }

            // An empty snapshot teaches nothing; keep what an earlier one taught.
            if (priceDecimals >= 0)
            {
                _learnedPriceDecimals[instrument] = (sbyte)priceDecimals;
                _learnedVolumeDecimals[instrument] = (sbyte)volumeDecimals;
            }
        }
        else if (_learnedPriceDecimals[instrument] >= 0
                 && (priceDecimals != _learnedPriceDecimals[instrument] || volumeDecimals != _learnedVolumeDecimals[instrument]))
        {
            return ParseError.WrongShape; // written unlike its snapshot: the checksum could not be reproduced
        }

        int wirePrice = _learnedPriceDecimals[instrument] >= 0 ? _learnedPriceDecimals[instrument] : Math.Max(priceDecimals, 0);
        int wireVolume = _learnedVolumeDecimals[instrument] >= 0 ? _learnedVolumeDecimals[instrument] : Math.Max(volumeDecimals, 0);
        output.LastUpdateId = KrakenBookRules.PackFormat(depth, wirePrice, wireVolume);
        return ParseError.None;
    }

    /// <summary>
    /// Every number of a message is written with the pair's fixed decimals; the checksum depends on it. Trailing zeros
    /// past the instrument's scale parse, but more decimals than a fixed-point scale holds are no format Kraken writes
    /// (and could not be packed into the message's format).
    /// </summary>
    private struct KrakenFormat : ILevelCheck
    {
        public int PriceDecimals;
        public int VolumeDecimals;

        public ParseError Check(ReadOnlySpan<byte> price, ReadOnlySpan<byte> size)
        {
            int pd = FractionDigits(price);
            int vd = FractionDigits(size);
            if (pd > FixedPoint.MaxDecimals || vd > FixedPoint.MaxDecimals)
            {
                return ParseError.TooPrecise;
            }

            if (PriceDecimals < 0)
            {
                PriceDecimals = pd;
                VolumeDecimals = vd;
            }
            else if (pd != PriceDecimals || vd != VolumeDecimals)
            {
                return ParseError.WrongShape;
            }

            return ParseError.None;
        }
    }

    private static int FractionDigits(ReadOnlySpan<byte> number)
    {
        int dot = number.IndexOf((byte)'.');
        return dot < 0 ? 0 : number.Length - dot - 1;
    }

    private static ParseResult Reject(ParseError reason, out ParseError error)
    {
        error = reason;
        return ParseResult.Rejected;
    }
}
