using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Bybit;
using LowLatency.Adapters.Cex.Coinbase;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.Adapters.Cex.Replay;

/// <summary>One venue of a replay: its id, name, format and parser.</summary>
public sealed class ReplayVenue
{
    internal ReplayVenue(VenueId id, CaptureVenue kind)
    {
        Id = id;
        Kind = kind;
        Name = CaptureVenues.Name(kind);
    }

    public VenueId Id { get; }

    public CaptureVenue Kind { get; }

    public string Name { get; }

    /// <summary>The venue's own symbol for each instrument it quotes.</summary>
    public Dictionary<InstrumentId, string> Symbols { get; } = [];

    internal SymbolTable SymbolTable { get; } = new();

    internal BinanceParser? Binance { get; set; }

    internal OkxBookParser? Okx { get; set; }

    internal KrakenBookParser? Kraken { get; set; }

    /// <summary>The in-band-snapshot parser of Coinbase Advanced Trade or Bybit v5 (OKX and Kraken keep theirs above).</summary>
    internal InBandBookParser? InBand { get; set; }

    /// <summary>The venue's parser, through the contract every parser implements.</summary>
    internal IFrameParser Parser => (IFrameParser?)Binance ?? (IFrameParser?)Okx ?? (IFrameParser?)Kraken ?? InBand ?? throw new InvalidOperationException("no parser");

    /// <summary>The parser's counters (messages, ignored, rejected by error).</summary>
    public ParseCounters Counters => Parser.Counters;

    /// <summary>Unknown fields the parser skipped, per name.</summary>
    public UnknownFieldLog UnknownFields => Parser.UnknownFields;
}

/// <summary>
/// Everything needed to replay cryptofeed captures through the hot path: the merged tape, the venues (detected from
/// each file's URLs), the instruments (discovered by a start-up scan, with a fixed-point scale wide enough for every
/// number the tape holds), one parser per venue and the book specs. Building allocates; <see cref="Decode"/> and
/// <see cref="Publish"/> do not.
/// </summary>
public sealed class ReplaySession
{
    private readonly ReplayVenue[] _venueOfBuffer;

    private ReplaySession(CaptureTape tape, ReplayVenue[] venueOfBuffer, IReadOnlyList<ReplayVenue> venues, IReadOnlyList<InstrumentSpec> instruments, IReadOnlyList<BookSpec> books)
    {
        Tape = tape;
        _venueOfBuffer = venueOfBuffer;
        Venues = venues;
        Instruments = instruments;
        Books = books;
    }

    public CaptureTape Tape { get; }

    public IReadOnlyList<ReplayVenue> Venues { get; }

    public IReadOnlyList<InstrumentSpec> Instruments { get; }

    public IReadOnlyList<BookSpec> Books { get; }

    /// <summary>The venue a record belongs to.</summary>
    public ReplayVenue VenueOf(in CaptureRecord record) => _venueOfBuffer[record.Buffer];

    /// <summary>
    /// Loads capture files (a session's WebSocket file and its REST snapshot file, of one or several venues). Throws
    /// <see cref="InvalidDataException"/> with <see cref="TryLoad"/>'s message when they cannot be replayed.
    /// </summary>
    public static ReplaySession Load(IReadOnlyList<string> paths) =>
        TryLoad(paths, out ReplaySession? session, out string? error) ? session : throw new InvalidDataException(error);

    /// <summary>
    /// Loads capture files. False, with one line naming the file(s) and the venue, when they cannot be replayed: a file
    /// that cannot be read, a venue the engine does not read (Kraken Futures, Bitstamp…) or cannot tell, two venues in
    /// one file, a venue with no order-book frames, or more books than <see cref="BookSet.MaxBooks"/>. A damaged file
    /// that still has frames is not a failure: the session replays what comes before the damage and
    /// <see cref="CaptureTape.Damage"/> says where it ends. Start-up; allocates.
    /// </summary>
    public static bool TryLoad(IReadOnlyList<string> paths, [NotNullWhen(true)] out ReplaySession? session, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("no capture files given", nameof(paths));
        }

        session = null;
        if (!CaptureTape.TryLoad(paths, out CaptureTape? tape, out error))
        {
            return false;
        }

        if (!TryFindVenues(tape, out ReplayVenue[]? venueOfBuffer, out List<ReplayVenue>? venues, out error))
        {
            return false;
        }

        // Start-up scan: which symbols each venue quotes, how many decimals their numbers carry, and whether the venue
        // has any book frame at all. Ids are assigned after the scan, once the limits are known to hold.
        var canonicalIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var canonicalNames = new List<string>();
        var decimals = new List<int>();
        var symbolsOfVenue = new List<(int Canonical, string Symbol)>[venues.Count];
        var canonicalsOfVenue = new HashSet<int>[venues.Count];
        var bookFrames = new long[venues.Count];
        for (int v = 0; v < venues.Count; v++)
        {
            symbolsOfVenue[v] = [];
            canonicalsOfVenue[v] = [];
        }

        foreach (CaptureRecord record in tape.Records)
        {
            if (record.Kind is not (CaptureRecordKind.Received or CaptureRecordKind.HttpResponse))
            {
                continue;
            }

            ReplayVenue venue = venueOfBuffer[record.Buffer];
            if (!TryScan(venue.Kind, tape.Url(record), tape.Payload(record), out string? symbol, out int maxDecimals, out bool isBook))
            {
                continue;
            }

            int v = venue.Id.Value;
            bookFrames[v] += isBook ? 1 : 0;
            string canonical = Canonical(venue.Kind, symbol);
            if (!canonicalIndex.TryGetValue(canonical, out int c))
            {
                c = canonicalNames.Count;
                canonicalIndex.Add(canonical, c);
                canonicalNames.Add(canonical);
                decimals.Add(2);
            }

            decimals[c] = Math.Max(decimals[c], Math.Min(maxDecimals, 12));
            if (canonicalsOfVenue[v].Add(c))
            {
                symbolsOfVenue[v].Add((c, symbol));
            }
        }

        int bookCount = 0;
        foreach (ReplayVenue venue in venues)
        {
            if (bookFrames[venue.Id.Value] == 0)
            {
                error = $"{FilesOf(tape, venueOfBuffer, venue)}: {venue.Name}: no order-book frames in the capture (no depth snapshot, depth update or best bid/ask): nothing to replay{DamageNote(tape, venueOfBuffer, venue)}";
                return false;
            }

            bookCount += symbolsOfVenue[venue.Id.Value].Count;
        }

        if (bookCount > BookSet.MaxBooks)
        {
            error = string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(", ", tape.Sources)}: the capture has {canonicalNames.Count:N0} symbols ({bookCount:N0} books over {venues.Count} venue(s)); the engine holds at most {BookSet.MaxBooks:N0} books");
            return false;
        }

        var instruments = new InstrumentSpec[canonicalNames.Count];
        for (int i = 0; i < instruments.Length; i++)
        {
            instruments[i] = new InstrumentSpec(InstrumentId.FromIndex(i), canonicalNames[i], decimals[i], decimals[i]);
        }

        foreach (ReplayVenue venue in venues)
        {
            foreach ((int c, string symbol) in symbolsOfVenue[venue.Id.Value])
            {
                InstrumentId id = instruments[c].Id;
                venue.Symbols.Add(id, symbol);
                venue.SymbolTable.Add(symbol, id);
            }
        }

        var books = new List<BookSpec>(bookCount);
        foreach (ReplayVenue venue in venues)
        {
            SequenceRule rule = venue.Kind switch
            {
                CaptureVenue.BinanceSpot or CaptureVenue.BinanceUs => SequenceRule.BinanceSpot,
                CaptureVenue.BinanceFutures or CaptureVenue.BinanceCoinM => SequenceRule.BinanceFutures,
                CaptureVenue.Okx => SequenceRule.Okx,
                CaptureVenue.CoinbaseAdvanced => SequenceRule.Coinbase,
                CaptureVenue.BybitSpot or CaptureVenue.BybitLinear => SequenceRule.Bybit,
                _ => SequenceRule.Kraken,
            };
            switch (venue.Kind)
            {
                case CaptureVenue.BinanceSpot:
                case CaptureVenue.BinanceUs:
                    venue.Binance = new BinanceParser(BinanceMarket.Spot, venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.BinanceFutures:
                case CaptureVenue.BinanceCoinM:
                    venue.Binance = new BinanceParser(BinanceMarket.Futures, venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.Okx:
                    venue.Okx = new OkxBookParser(venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.Kraken:
                    venue.Kraken = new KrakenBookParser(venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.KrakenV2:
                    venue.InBand = new KrakenV2BookParser(venue.Id, venue.SymbolTable, instruments, KrakenV2Depth(tape, venueOfBuffer, venue),
                        Math.Max(1024, KrakenV2Depth(tape, venueOfBuffer, venue)));
                    break;
                case CaptureVenue.CoinbaseAdvanced:
                    venue.InBand = new CoinbaseParser(venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.BybitSpot:
                case CaptureVenue.BybitLinear:
                    venue.InBand = new BybitParser(venue.Id, venue.SymbolTable, instruments);
                    break;
            }

            foreach ((InstrumentId id, _) in venue.Symbols)
            {
                InstrumentSpec spec = instruments[id.Value];
                books.Add(new BookSpec(venue.Id, id, rule, spec.PriceDecimals, spec.QuantityDecimals,
                    TruncateDepth: venue.Kind switch
                    {
                        CaptureVenue.Kraken => 1000,
                        CaptureVenue.KrakenV2 => KrakenV2Depth(tape, venueOfBuffer, venue),
                        _ => 0,
                    }));
            }
        }

        session = new ReplaySession(tape, venueOfBuffer, venues, instruments, books);
        error = null;
        return true;
    }

    /// <summary>
    /// The book depth a Kraken v2 session subscribed (<c>"depth":N</c> in its sent <c>book</c> subscription; the
    /// deepest if several), which the checksum's truncation needs; Kraken's default 10 when the capture kept none.
    /// </summary>
    private static int KrakenV2Depth(CaptureTape tape, ReplayVenue[] venueOfBuffer, ReplayVenue venue)
    {
        int depth = 0;
        foreach (CaptureRecord record in tape.Records)
        {
            ReadOnlySpan<byte> sent = record.Kind == CaptureRecordKind.Sent && venueOfBuffer[record.Buffer] == venue ? tape.Payload(record) : default;
            int at = sent.IndexOf("\"depth\":"u8);
            if (at < 0 || sent.IndexOf("\"book\""u8) < 0)
            {
                continue;
            }

            int n = 0;
            for (int i = at + 8; i < sent.Length && char.IsAsciiDigit((char)sent[i]) && n < 100_000; i++)
            {
                n = (n * 10) + (sent[i] - '0');
            }

            depth = Math.Max(depth, n);
        }

        return depth is 10 or 25 or 100 or 500 or 1000 ? depth : 10;
    }

    /// <summary>True when the tape holds damage in any file of <paramref name="venue"/>.</summary>
    public bool IsDamaged(ReplayVenue venue)
    {
        ArgumentNullException.ThrowIfNull(venue);
        for (int b = 0; b < _venueOfBuffer.Length; b++)
        {
            if (_venueOfBuffer[b] == venue && Tape.DamageOf(b).Any())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The venue of each file, from its URLs: every URL of a file must name the same venue, one the engine reads.
    /// </summary>
    private static bool TryFindVenues(CaptureTape tape, [NotNullWhen(true)] out ReplayVenue[]? venueOfBuffer,
        [NotNullWhen(true)] out List<ReplayVenue>? venues, [NotNullWhen(false)] out string? error)
    {
        int files = tape.Sources.Count;
        var kindOfBuffer = new CaptureVenue?[files];
        var unknownHost = new string?[files];
        venueOfBuffer = null;
        venues = null;
        foreach (CaptureRecord record in tape.Records)
        {
            if (record.UrlLength == 0)
            {
                continue;
            }

            int b = record.Buffer;
            switch (CaptureVenues.Classify(tape.Url(record), out CaptureVenue kind, out string? name))
            {
                case UrlVenue.NotRead:
                    error = $"{tape.Sources[b]}: {name} is not a venue the engine reads (it reads {CaptureVenues.ReadableVenues})";
                    return false;
                case UrlVenue.Unknown:
                    unknownHost[b] ??= name;
                    break;
                default:
                    if (kindOfBuffer[b] is { } seen && seen != kind)
                    {
                        error = $"{tape.Sources[b]}: holds URLs of two venues ({CaptureVenues.Name(seen)} and {CaptureVenues.Name(kind)}); a capture file is one venue's session";
                        return false;
                    }

                    kindOfBuffer[b] = kind;
                    break;
            }
        }

        venues = [];
        venueOfBuffer = new ReplayVenue[files];
        for (int b = 0; b < files; b++)
        {
            if (kindOfBuffer[b] is not { } kind)
            {
                CaptureDamage? damage = tape.DamageOf(b).FirstOrDefault();
                error = damage is not null
                    ? $"{damage}, and nothing before the damage tells the venue"
                    : unknownHost[b] is { } host
                        ? $"{tape.Sources[b]}: cannot tell the venue: {host} is not a host of a venue the engine reads ({CaptureVenues.ReadableVenues})"
                        : $"{tape.Sources[b]}: cannot tell the venue: the file holds no connection or REST URL (captures of {CaptureVenues.ReadableVenues} always do)";
                venues = null;
                venueOfBuffer = null;
                return false;
            }

            ReplayVenue? venue = venues.Find(v => v.Kind == kind);
            if (venue is null)
            {
                venue = new ReplayVenue(VenueId.FromIndex(venues.Count), kind);
                venues.Add(venue);
            }

            venueOfBuffer[b] = venue;
        }

        error = null;
        return true;
    }

    private static string FilesOf(CaptureTape tape, ReplayVenue[] venueOfBuffer, ReplayVenue venue)
    {
        var files = new List<string>();
        for (int b = 0; b < venueOfBuffer.Length; b++)
        {
            if (venueOfBuffer[b] == venue)
            {
                files.Add(tape.Sources[b]);
            }
        }

        return string.Join(", ", files);
    }

    private static string DamageNote(CaptureTape tape, ReplayVenue[] venueOfBuffer, ReplayVenue venue)
    {
        for (int b = 0; b < venueOfBuffer.Length; b++)
        {
            if (venueOfBuffer[b] == venue && tape.DamageOf(b).FirstOrDefault() is { } damage)
            {
                return $" (and {damage})";
            }
        }

        return "";
    }

    /// <summary>Parses one record into <paramref name="output"/> with its venue's parser. Allocation-free.</summary>
    public ParseResult Decode(int recordIndex, long receiveTimestamp, BookMessage output)
    {
        ref readonly CaptureRecord record = ref Tape[recordIndex];
        ReplayVenue venue = _venueOfBuffer[record.Buffer];
        if (venue.Binance is { } binance)
        {
            return BinanceTapeDecoder.Decode(binance, Tape, in record, receiveTimestamp, output);
        }

        if (record.Kind != CaptureRecordKind.Received)
        {
            return ParseResult.Ignored;
        }

        ReadOnlySpan<byte> payload = Tape.Payload(record);
        InBandBookParser parser = (InBandBookParser?)venue.Okx ?? (InBandBookParser?)venue.Kraken ?? venue.InBand!;
        return parser.ParseFrame(payload, record.TimestampNs, receiveTimestamp, output);
    }

    /// <summary>
    /// Writes a parsed message into contiguous slots of <paramref name="ring"/> and publishes them. Returns false (and
    /// publishes nothing) when the ring has no room: the caller drains and retries. Allocation-free.
    /// </summary>
    public static bool Publish(BookMessage message, RingBuffer<TickEvent> ring)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(ring);
        int slots = FramePublisher.SlotsNeeded(message);
        if (!ring.TryNext(slots, out long lo, out long hi))
        {
            return false;
        }

        for (int k = 0; k < slots; k++)
        {
            FramePublisher.WriteChunk(message, k, ref ring[lo + k]);
        }

        ring.Publish(lo, hi);
        return true;
    }

    /// <summary>Cross-venue identity: the same spot pair on two venues is one instrument; derivatives keep their suffix.</summary>
    internal static string Canonical(CaptureVenue venue, string symbol)
    {
        var sb = new StringBuilder(symbol.Length + 5);
        foreach (char c in symbol.ToUpperInvariant())
        {
            if (c is not ('-' or '/' or '_'))
            {
                sb.Append(c);
            }
        }

        string name = sb.ToString();
        if (venue == CaptureVenue.Kraken && name.StartsWith("XBT", StringComparison.Ordinal))
        {
            name = "BTC" + name[3..];
        }

        if (venue == CaptureVenue.Kraken && name.EndsWith("XBT", StringComparison.Ordinal))
        {
            name = name[..^3] + "BTC";
        }

        return venue switch
        {
            CaptureVenue.BinanceFutures => name + "-PERP",
            CaptureVenue.BinanceCoinM => name + "-COINM", // BTCUSD_PERP: coin-margined, never the spot pair
            CaptureVenue.BybitLinear => name + "-PERP",
            _ => name,
        };
    }

    /// <summary>
    /// Reads a record's symbol, the most decimals any of its numbers carries, and whether it is a book frame (a depth
    /// snapshot or update, or a best bid/ask). False for anything unreadable: the venue's parser counts it when the tape is
    /// replayed. Never throws on input: strings are read as raw bytes, so invalid UTF-8 is just not a symbol or a number.
    /// </summary>
    private static bool TryScan(CaptureVenue venue, ReadOnlySpan<byte> url, ReadOnlySpan<byte> payload, [NotNullWhen(true)] out string? symbol,
        out int maxDecimals, out bool isBook)
    {
        symbol = null;
        maxDecimals = 0;
        isBook = false;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException)
        {
            return false; // the parser will count it when replayed
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            switch (venue)
            {
                case CaptureVenue.BinanceSpot:
                case CaptureVenue.BinanceFutures:
                case CaptureVenue.BinanceUs:
                case CaptureVenue.BinanceCoinM:
                    if (!url.IsEmpty)
                    {
                        int at = url.IndexOf("symbol="u8);
                        if (at < 0)
                        {
                            return false;
                        }

                        ReadOnlySpan<byte> rest = url[(at + 7)..];
                        int amp = rest.IndexOf((byte)'&');
                        symbol = SymbolText(amp < 0 ? rest : rest[..amp]);
                        isBook = url.IndexOf("/depth?"u8) >= 0;
                    }
                    else
                    {
                        JsonElement data = Property(root, "data") is { ValueKind: JsonValueKind.Object } d ? d : root;
                        symbol = StringOf(Property(data, "s"));
                        ReadOnlySpan<byte> type = RawString(Property(data, "e"));
                        isBook = type.SequenceEqual("depthUpdate"u8) || type.SequenceEqual("bookTicker"u8)
                            || (Property(data, "e") is null && Property(data, "u") is not null && Property(data, "b") is not null && Property(data, "a") is not null);
                    }

                    break;
                case CaptureVenue.Okx:
                    if (Property(root, "data") is null || Property(root, "arg") is not { } arg)
                    {
                        return false;
                    }

                    symbol = StringOf(Property(arg, "instId"));
                    ReadOnlySpan<byte> channel = RawString(Property(arg, "channel"));
                    isBook = channel.SequenceEqual("books"u8) || channel.SequenceEqual("books-l2-tbt"u8) || channel.SequenceEqual("books50-l2-tbt"u8);
                    break;
                case CaptureVenue.CoinbaseAdvanced:
                {
                    // Only book events say which products have books (and their decimals): tickers carry 14-digit ratios.
                    if (!RawString(Property(root, "channel")).SequenceEqual("l2_data"u8)
                        || Property(root, "events") is not { ValueKind: JsonValueKind.Array } events || events.GetArrayLength() == 0)
                    {
                        return false;
                    }

                    symbol = StringOf(Property(events[0], "product_id"));
                    isBook = true;
                    root = events[0];
                    break;
                }

                case CaptureVenue.BybitSpot:
                case CaptureVenue.BybitLinear:
                {
                    if (!RawString(Property(root, "topic")).StartsWith("orderbook."u8) || Property(root, "data") is not { ValueKind: JsonValueKind.Object } data)
                    {
                        return false;
                    }

                    symbol = StringOf(Property(data, "s"));
                    isBook = true;
                    root = data;
                    break;
                }

                case CaptureVenue.KrakenV2:
                {
                    // {"channel":"book","type":..,"data":[{"symbol":..,"bids":[{"price":n,"qty":n}],..}]}: JSON numbers.
                    if (!RawString(Property(root, "channel")).SequenceEqual("book"u8)
                        || Property(root, "data") is not { ValueKind: JsonValueKind.Array } data || data.GetArrayLength() == 0)
                    {
                        return false;
                    }

                    symbol = StringOf(Property(data[0], "symbol"));
                    isBook = true;
                    maxDecimals = symbol is null ? 0 : MaxDecimals(data[0], JsonValueKind.Number);
                    return symbol is not null;
                }

                case CaptureVenue.Kraken:
                    if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() < 4)
                    {
                        return false;
                    }

                    int length = root.GetArrayLength();
                    symbol = StringOf(root[length - 1]);
                    isBook = RawString(root[length - 2]).StartsWith("book-"u8);
                    break;
            }

            if (symbol is null)
            {
                return false;
            }

            maxDecimals = MaxDecimals(root, JsonValueKind.String);
            return true;
        }
    }

    /// <summary>
    /// An object's property, or null (also for a value that is not an object). Names are compared as written: an
    /// escaped name is no name we know, as in the parsers (<c>TryGetProperty</c> unescapes every name it passes and
    /// throws on an escaped lone surrogate).
    /// </summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.Length == name.Length && Ascii.Equals(raw, name))
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary>The bytes of a string value as written (no escapes resolved, nothing transcoded); empty for any other value.</summary>
    private static ReadOnlySpan<byte> RawString(JsonElement? element)
    {
        if (element is not { ValueKind: JsonValueKind.String } e)
        {
            return default;
        }

        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(e);
        return raw.Length >= 2 ? raw[1..^1] : default;
    }

    /// <summary>A string value usable as a symbol, or null (not a string, empty, escaped or invalid UTF-8).</summary>
    private static string? StringOf(JsonElement? element) => SymbolText(RawString(element));

    private static string? SymbolText(ReadOnlySpan<byte> bytes)
    {
        // Parsers match symbols on their raw bytes, so an escaped one could never be looked up; invalid UTF-8 has no text.
        if (bytes.IsEmpty || bytes.IndexOf((byte)'\\') >= 0 || !Utf8.IsValid(bytes))
        {
            return null;
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The most decimals of any <paramref name="leaf"/> value inside <paramref name="element"/>: strings for the venues
    /// that quote prices as text, numbers for Kraken v2, which writes its levels as JSON numbers.
    /// </summary>
    private static int MaxDecimals(JsonElement element, JsonValueKind leaf)
    {
        int max = 0;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    max = Math.Max(max, MaxDecimals(p.Value, leaf));
                }

                return max;

            case JsonValueKind.Array:
                foreach (JsonElement e in element.EnumerateArray())
                {
                    max = Math.Max(max, MaxDecimals(e, leaf));
                }

                return max;

            case JsonValueKind.String when leaf == JsonValueKind.String:
                return DecimalsOf(RawString(element));

            case JsonValueKind.Number when leaf == JsonValueKind.Number:
                return DecimalsOf(JsonMarshal.GetRawUtf8Value(element));

            default:
                return 0;
        }
    }

    /// <summary>Decimals of a plain decimal written as text ("0.00123" → 5); 0 for anything else.</summary>
    private static int DecimalsOf(ReadOnlySpan<byte> text)
    {
        int dot = text.IndexOf((byte)'.');
        if (dot < 0 || text.Length - dot - 1 > 12)
        {
            return 0;
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (i != dot && !char.IsAsciiDigit((char)text[i]))
            {
                return 0;
            }
        }

        return text.Length - dot - 1;
    }
}
