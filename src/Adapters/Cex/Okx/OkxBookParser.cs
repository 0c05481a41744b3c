using System.Text.Json;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Okx;

/// <summary>
/// Parses OKX v5 public WebSocket frames: <c>books</c> (and <c>books-l2-tbt</c> / <c>books50-l2-tbt</c>, same shape)
/// snapshots and updates into a <see cref="BookMessage"/>, and recognises every other frame (events, other channels)
/// so it is counted and ignored. Handles the 2022 format (checksum only) and today's (<c>seqId</c>/<c>prevSeqId</c> too):
/// seqId goes to FirstUpdateId = LastUpdateId, prevSeqId to PrevUpdateId with <see cref="TickFlags.HasPrevUpdateId"/>,
/// the checksum (a signed int) to <see cref="TickEvent.Checksum"/> with <see cref="TickFlags.HasChecksum"/>.
/// <para>
/// Strict: a frame is either fully valid (<see cref="ParseResult.Message"/>) or rejected whole with a
/// <see cref="ParseError"/>, counted in <see cref="FrameParser.Counters"/>; the output is never left half-filled for publishing.
/// Unknown fields inside a books entry are skipped and counted (<see cref="FrameParser.UnknownFields"/>), not rejected: OKX adds
/// fields over time (seqId and prevSeqId arrived that way) and a book feed must survive that.
/// </para>
/// One instance per connection; called by its I/O thread only. Allocation-free per frame (a malformed frame costs the
/// <see cref="JsonException"/> the reader throws, off the normal path).
/// </summary>
public sealed class OkxBookParser : InBandBookParser
{

    private readonly SymbolTable _symbols;
    private readonly InstrumentSpec?[] _specs;
    private readonly RawLevel[] _rawBids;
    private readonly RawLevel[] _rawAsks;
    private int _rawBidCount;
    private int _rawAskCount;

    /// <param name="venue">The id stamped on every parsed message.</param>
    /// <param name="symbols">OKX instIds (e.g. <c>BTC-USDT</c>) → instrument ids.</param>
    /// <param name="instruments">Scales of every instrument the table can return.</param>
    /// <param name="maxLevelsPerSide">Scratch size; OKX <c>books</c> snapshots carry 400 levels a side.</param>
    public OkxBookParser(VenueId venue, SymbolTable symbols, IReadOnlyList<InstrumentSpec> instruments, int maxLevelsPerSide = 1024)
        : base(venue, instruments)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevelsPerSide, 1);
        _symbols = symbols;
        _specs = Specs;
        _rawBids = new RawLevel[maxLevelsPerSide];
        _rawAsks = new RawLevel[maxLevelsPerSide];
    }

    /// <summary>Numbers not in OKX's shortest form ("1.50", "07"): accepted, but the checksum rebuilt from the shortest form
    /// would then disagree, so a non-zero count explains checksum resyncs.</summary>
    public long NonCanonicalNumbers { get; private set; }

    /// <summary>Only id-less (2022-format) updates need the mark: with seqIds the next prevSeqId shows the gap.</summary>
    protected override bool NeedsLossMark(BookMessage output) => (output.Flags & TickFlags.HasPrevUpdateId) == 0;

    /// <inheritdoc />
    protected override ParseResult ParseCore(ReadOnlySpan<byte> frame, BookMessage output, out ParseError error)
    {
        var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        int eventKind = 0; // 1 known, 2 error, 3 unknown
        int channelStart = -1, channelLength = 0, instStart = -1, instLength = 0;
        int action = 0; // 1 snapshot, 2 update, -1 other
        int dataStart = -1, dataEnd = -1;
        bool seenArg = false, dataParsed = false;
        ParseError dataError;
        InstrumentId instrument = default;
        InstrumentSpec? spec = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, "arg"u8))
            {
                if (seenArg)
                {
                    return Reject(ParseError.DuplicateField, out error);
                }

                seenArg = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isChannel = Is(ref reader, "channel"u8);
                    bool isInst = !isChannel && Is(ref reader, "instId"u8);
                    reader.Read();
                    if (!isChannel && !isInst)
                    {
                        reader.Skip(); // instType, uid, instFamily…
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    {
                        return Reject(ParseError.WrongShape, out error);
                    }

                    if (isChannel)
                    {
                        channelStart = (int)reader.TokenStartIndex + 1;
                        channelLength = reader.ValueSpan.Length;
                    }
                    else
                    {
                        instStart = (int)reader.TokenStartIndex + 1;
                        instLength = reader.ValueSpan.Length;
                    }
                }
            }
            else if (Is(ref reader, "action"u8))
            {
                if (action != 0)
                {
                    return Reject(ParseError.DuplicateField, out error);
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                action = Is(ref reader, "snapshot"u8) ? 1 : Is(ref reader, "update"u8) ? 2 : -1;
            }
            else if (Is(ref reader, "event"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                eventKind = Is(ref reader, "error"u8) ? 2
                    : Is(ref reader, "subscribe"u8) || Is(ref reader, "unsubscribe"u8)
                      || Is(ref reader, "login"u8) || Is(ref reader, "notice"u8)
                      || Is(ref reader, "channel-conn-count"u8) || Is(ref reader, "channel-conn-count-error"u8) ? 1
                    : 3;
            }
            else if (Is(ref reader, "data"u8))
            {
                if (dataStart >= 0 || dataParsed)
                {
                    return Reject(ParseError.DuplicateField, out error);
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return Reject(ParseError.WrongShape, out error);
                }

                if (action > 0 && IsBookChannel(frame, channelStart, channelLength) && TryResolve(frame, instStart, instLength, out instrument, out spec))
                {
                    // The usual order (arg, action, data): parse in place, one pass over the levels.
                    LastRejectedInstrument = instrument;
                    dataParsed = true;
                    dataError = ParseData(ref reader, 0, action == 1, output);
                    if (dataError != ParseError.None)
                    {
                        return Reject(dataError, out error);
                    }
                }
                else
                {
                    // Parsed after this loop, once the channel and instrument are known (JSON does not promise arg first).
                    dataStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    dataEnd = (int)reader.BytesConsumed;
                }
            }
            else
            {
                reader.Read();
                reader.Skip(); // code, msg, connId…
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return Reject(ParseError.MalformedJson, out error);
        }

        switch (eventKind)
        {
            case 1:
                Events++;
                return Ignore(out error);
            case 2:
                VenueErrors++;
                return Ignore(out error);
            case 3:
                return Reject(ParseError.UnknownEvent, out error);
        }

        if (channelStart < 0)
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (!IsBookChannel(frame, channelStart, channelLength))
        {
            OtherChannelFrames++;
            return Ignore(out error);
        }

        if (instStart < 0 || action == 0 || (dataStart < 0 && !dataParsed))
        {
            return Reject(ParseError.MissingField, out error);
        }

        if (action < 0)
        {
            return Reject(ParseError.WrongShape, out error);
        }

        bool snapshot = action == 1;
        if (!dataParsed)
        {
            if (!TryResolve(frame, instStart, instLength, out instrument, out spec))
            {
                return Reject(ParseError.UnknownSymbol, out error);
            }

            LastRejectedInstrument = instrument; // cleared below on success
            var dataReader = new Utf8JsonReader(frame[dataStart..dataEnd], isFinalBlock: true, state: default);
            dataReader.Read(); // StartArray, checked above
            error = ParseData(ref dataReader, dataStart, snapshot, output);
            if (error != ParseError.None)
            {
                return ParseResult.Rejected;
            }
        }

        output.Kind = snapshot ? TickKind.Snapshot : TickKind.Delta;
        output.Instrument = instrument;
        error = ConvertLevels(frame, spec!, snapshot, output);

        if (error != ParseError.None)
        {
            return ParseResult.Rejected;
        }

        LastRejectedInstrument = null;
        return ParseResult.Message;
    }

    /// <summary>Reads <c>data:[{asks,bids,ts,checksum,seqId,prevSeqId}]</c>: header fields and the raw level strings.</summary>
    /// <remarks><paramref name="reader"/> is on the array's StartArray; <paramref name="start"/> is added to its token
    /// positions to make them frame-relative (non-zero when it reads a slice of the frame).</remarks>
    private ParseError ParseData(ref Utf8JsonReader reader, int start, bool snapshot, BookMessage output)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ParseError.WrongShape; // empty data array, or not objects
        }

        bool hasAsks = false, hasBids = false, hasTs = false, hasChecksum = false, hasSeq = false, hasPrev = false;
        long seqId = 0, prevSeqId = 0;
        _rawBidCount = 0;
        _rawAskCount = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ParseError e = ParseError.None;
            if (Is(ref reader, "asks"u8))
            {
                e = hasAsks ? ParseError.DuplicateField : ReadLevels(ref reader, start, _rawAsks, ref _rawAskCount);
                hasAsks = true;
            }
            else if (Is(ref reader, "bids"u8))
            {
                e = hasBids ? ParseError.DuplicateField : ReadLevels(ref reader, start, _rawBids, ref _rawBidCount);
                hasBids = true;
            }
            else if (Is(ref reader, "ts"u8))
            {
                if (hasTs)
                {
                    return ParseError.DuplicateField;
                }

                hasTs = true;
                if (!RawLevels.ReadString(ref reader))
                {
                    return ParseError.WrongShape;
                }

                if (!WireNumbers.TryParseMillisToNs(reader.ValueSpan, out long ns, out ParseError tsError))
                {
                    return tsError;
                }

                output.ExchangeTimeNs = ns;
            }
            else if (Is(ref reader, "checksum"u8))
            {
                if (hasChecksum)
                {
                    return ParseError.DuplicateField;
                }

                hasChecksum = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    return ParseError.WrongShape;
                }

                if (!reader.TryGetInt32(out int checksum))
                {
                    return ParseError.Overflow;
                }

                output.Checksum = unchecked((uint)checksum);
                output.Flags |= TickFlags.HasChecksum;
            }
            else if (Is(ref reader, "seqId"u8) || Is(ref reader, "prevSeqId"u8))
            {
                bool isSeq = Is(ref reader, "seqId"u8);
                if (isSeq ? hasSeq : hasPrev)
                {
                    return ParseError.DuplicateField;
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    return ParseError.WrongShape;
                }

                if (!reader.TryGetInt64(out long id))
                {
                    return ParseError.BadUpdateId;
                }

                if (isSeq)
                {
                    seqId = id;
                    hasSeq = true;
                }
                else
                {
                    prevSeqId = id;
                    hasPrev = true;
                }
            }
            else
            {
                UnknownFields.Add(reader.ValueSpan);
                reader.Read();
                reader.Skip();
            }

            if (e != ParseError.None)
            {
                return e;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
        {
            return ParseError.WrongShape; // OKX sends exactly one entry per books frame
        }

        if (!hasAsks || !hasBids || !hasTs || hasSeq != hasPrev)
        {
            return ParseError.MissingField;
        }

        if (hasSeq)
        {
            // seqId ≥ 0; prevSeqId is -1 exactly on snapshots, ≥ 0 otherwise.
            if (seqId < 0 || (snapshot ? prevSeqId != -1 : prevSeqId < 0))
            {
                return ParseError.BadUpdateId;
            }

            output.FirstUpdateId = seqId;
            output.LastUpdateId = seqId;
            output.PrevUpdateId = prevSeqId;
            output.Flags |= TickFlags.HasPrevUpdateId;
        }

        return ParseError.None;
    }

    private static bool IsBookChannel(ReadOnlySpan<byte> frame, int start, int length)
    {
        if (start < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> channel = frame.Slice(start, length);
        return channel.SequenceEqual("books"u8) || channel.SequenceEqual("books-l2-tbt"u8) || channel.SequenceEqual("books50-l2-tbt"u8);
    }

    private bool TryResolve(ReadOnlySpan<byte> frame, int start, int length, out InstrumentId instrument, out InstrumentSpec? spec)
    {
        spec = null;
        instrument = default;
        if (start < 0 || !_symbols.TryGet(frame.Slice(start, length), out instrument) || instrument.Value >= _specs.Length)
        {
            return false;
        }

        spec = _specs[instrument.Value];
        return spec is not null;
    }

    /// <summary>Reads <c>[[px,sz,"0",n],…]</c> keeping the px/sz string positions (frame-relative).</summary>
    private static ParseError ReadLevels(ref Utf8JsonReader reader, int baseOffset, RawLevel[] raw, ref int count)
    {
        OkxTail tail = default;
        return RawLevels.Read(ref reader, baseOffset, raw, ref count, ref tail);
    }

    /// <summary>After OKX's price and size: the deprecated liquidated-orders field and the order count, not needed.</summary>
    private struct OkxTail : ILevelTail
    {
        public readonly ParseError ReadTail(ref Utf8JsonReader reader)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String && reader.TokenType != JsonTokenType.Number)
                {
                    return ParseError.WrongShape;
                }
            }

            return reader.TokenType == JsonTokenType.EndArray ? ParseError.None : ParseError.WrongShape;
        }
    }

    /// <summary>Counts numbers not in OKX's shortest form (they would explain checksum resyncs).</summary>
    private struct OkxShortestForm : ILevelCheck
    {
        public long NonCanonical;

        public ParseError Check(ReadOnlySpan<byte> price, ReadOnlySpan<byte> size)
        {
            if (!IsShortestForm(price) || !IsShortestForm(size))
            {
                NonCanonical++;
            }

            return ParseError.None;
        }
    }

    private ParseError ConvertLevels(ReadOnlySpan<byte> frame, InstrumentSpec spec, bool snapshot, BookMessage output)
    {
        OkxShortestForm form = default;
        ParseError e = RawLevels.Convert(frame, spec, Side.Bid, _rawBids.AsSpan(0, _rawBidCount), output, ref form);
        if (e == ParseError.None)
        {
            e = RawLevels.Convert(frame, spec, Side.Ask, _rawAsks.AsSpan(0, _rawAskCount), output, ref form);
        }

        NonCanonicalNumbers += form.NonCanonical;

        if (e == ParseError.None && snapshot && !output.IsOrderedAndUncrossed())
        {
            e = ParseError.Crossed;
        }

        return e;
    }

    /// <summary>True for "0", "12", "0.5", "30261.1"; false for "07", "1.50", "1.", ".5".</summary>
    private static bool IsShortestForm(ReadOnlySpan<byte> number)
    {
        if (number.Length > 1 && number[0] == (byte)'0' && number[1] != (byte)'.')
        {
            return false;
        }

        int dot = number.IndexOf((byte)'.');
        return dot < 0 || (dot > 0 && dot < number.Length - 1 && number[^1] != (byte)'0');
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
