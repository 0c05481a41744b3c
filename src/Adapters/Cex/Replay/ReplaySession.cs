using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Cex.Binance;
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

    /// <summary>The parser's counters (messages, ignored, rejected by error).</summary>
    public ParseCounters Counters => Binance?.Counters ?? Okx?.Counters ?? Kraken?.Counters ?? throw new InvalidOperationException("no parser");
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
    /// Loads capture files (a session's WebSocket file and its REST snapshot file, of one or several venues).
    /// Throws <see cref="InvalidDataException"/> naming the file when its venue cannot be told from its URLs.
    /// </summary>
    public static ReplaySession Load(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("no capture files given", nameof(paths));
        }

        CaptureTape tape = CaptureTape.Load(paths);
        var kindOfBuffer = new CaptureVenue?[paths.Count];
        foreach (CaptureRecord record in tape.Records)
        {
            if (kindOfBuffer[record.Buffer] is null && record.UrlLength > 0 && CaptureVenues.TryFromUrl(tape.Url(record), out CaptureVenue kind))
            {
                kindOfBuffer[record.Buffer] = kind;
            }
        }

        var venues = new List<ReplayVenue>();
        var venueOfBuffer = new ReplayVenue[paths.Count];
        for (int b = 0; b < paths.Count; b++)
        {
            CaptureVenue kind = kindOfBuffer[b] ?? throw new InvalidDataException(
                $"{paths[b]}: cannot tell the venue (no connection or REST URL of Binance, Binance futures, OKX or Kraken in the file)");
            ReplayVenue? venue = venues.Find(v => v.Kind == kind);
            if (venue is null)
            {
                venue = new ReplayVenue(new VenueId((byte)venues.Count), kind);
                venues.Add(venue);
            }

            venueOfBuffer[b] = venue;
        }

        // Start-up scan: which symbols each venue quotes and how many decimals their numbers carry.
        var canonicalIds = new Dictionary<string, InstrumentId>(StringComparer.Ordinal);
        var canonicalNames = new List<string>();
        var decimals = new List<int>();
        foreach (CaptureRecord record in tape.Records)
        {
            if (record.Kind is not (CaptureRecordKind.Received or CaptureRecordKind.HttpResponse))
            {
                continue;
            }

            ReplayVenue venue = venueOfBuffer[record.Buffer];
            if (!TryScan(venue.Kind, tape.Url(record), tape.Payload(record), out string? symbol, out int maxDecimals) || symbol is null)
            {
                continue;
            }

            string canonical = Canonical(venue.Kind, symbol);
            if (!canonicalIds.TryGetValue(canonical, out InstrumentId id))
            {
                id = new InstrumentId((ushort)canonicalNames.Count);
                canonicalIds.Add(canonical, id);
                canonicalNames.Add(canonical);
                decimals.Add(2);
            }

            decimals[id.Value] = Math.Max(decimals[id.Value], Math.Min(maxDecimals, 12));
            if (venue.Symbols.TryAdd(id, symbol))
            {
                venue.SymbolTable.Add(symbol, id);
            }
        }

        var instruments = new InstrumentSpec[canonicalNames.Count];
        for (int i = 0; i < instruments.Length; i++)
        {
            instruments[i] = new InstrumentSpec(new InstrumentId((ushort)i), canonicalNames[i], decimals[i], decimals[i]);
        }

        var books = new List<BookSpec>();
        foreach (ReplayVenue venue in venues)
        {
            SequenceRule rule = venue.Kind switch
            {
                CaptureVenue.BinanceSpot or CaptureVenue.BinanceUs => SequenceRule.BinanceSpot,
                CaptureVenue.BinanceFutures => SequenceRule.BinanceFutures,
                CaptureVenue.Okx => SequenceRule.Okx,
                _ => SequenceRule.Kraken,
            };
            switch (venue.Kind)
            {
                case CaptureVenue.BinanceSpot:
                case CaptureVenue.BinanceUs:
                    venue.Binance = new BinanceParser(BinanceMarket.Spot, venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.BinanceFutures:
                    venue.Binance = new BinanceParser(BinanceMarket.Futures, venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.Okx:
                    venue.Okx = new OkxBookParser(venue.Id, venue.SymbolTable, instruments);
                    break;
                case CaptureVenue.Kraken:
                    venue.Kraken = new KrakenBookParser(venue.Id, venue.SymbolTable, instruments);
                    break;
            }

            foreach ((InstrumentId id, _) in venue.Symbols)
            {
                InstrumentSpec spec = instruments[id.Value];
                books.Add(new BookSpec(venue.Id, id, rule, spec.PriceDecimals, spec.QuantityDecimals,
                    TruncateDepth: venue.Kind == CaptureVenue.Kraken ? 1000 : 0));
            }
        }

        return new ReplaySession(tape, venueOfBuffer, venues, instruments, books);
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
        return venue.Okx is { } okx
            ? okx.ParseFrame(payload, record.TimestampNs, receiveTimestamp, output)
            : venue.Kraken!.ParseFrame(payload, record.TimestampNs, receiveTimestamp, output);
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

        return venue == CaptureVenue.BinanceFutures ? name + "-PERP" : name;
    }

    private static bool TryScan(CaptureVenue venue, ReadOnlySpan<byte> url, ReadOnlySpan<byte> payload, out string? symbol, out int maxDecimals)
    {
        symbol = null;
        maxDecimals = 0;
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
                    if (!url.IsEmpty)
                    {
                        int at = url.IndexOf("symbol="u8);
                        if (at < 0)
                        {
                            return false;
                        }

                        ReadOnlySpan<byte> rest = url[(at + 7)..];
                        int amp = rest.IndexOf((byte)'&');
                        symbol = Encoding.ASCII.GetString(amp < 0 ? rest : rest[..amp]);
                    }
                    else
                    {
                        JsonElement data = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out JsonElement d) ? d : root;
                        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("s", out JsonElement s) || s.ValueKind != JsonValueKind.String)
                        {
                            return false;
                        }

                        symbol = s.GetString();
                    }

                    break;
                case CaptureVenue.Okx:
                    if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out _)
                        || !root.TryGetProperty("arg", out JsonElement arg) || !arg.TryGetProperty("instId", out JsonElement inst))
                    {
                        return false;
                    }

                    symbol = inst.GetString();
                    break;
                case CaptureVenue.Kraken:
                    if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() < 4 || root[root.GetArrayLength() - 1].ValueKind != JsonValueKind.String)
                    {
                        return false;
                    }

                    symbol = root[root.GetArrayLength() - 1].GetString();
                    break;
            }

            maxDecimals = MaxDecimals(root);
            return symbol is { Length: > 0 };
        }
    }

    private static int MaxDecimals(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
            {
                int max = 0;
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    max = Math.Max(max, MaxDecimals(p.Value));
                }

                return max;
            }

            case JsonValueKind.Array:
            {
                int max = 0;
                foreach (JsonElement e in element.EnumerateArray())
                {
                    max = Math.Max(max, MaxDecimals(e));
                }

                return max;
            }

            case JsonValueKind.String:
            {
                string text = element.GetString()!;
                int dot = text.IndexOf('.', StringComparison.Ordinal);
                if (dot < 0 || text.Length - dot - 1 > 12)
                {
                    return 0;
                }

                for (int i = 0; i < text.Length; i++)
                {
                    if (i != dot && !char.IsAsciiDigit(text[i]))
                    {
                        return 0;
                    }
                }

                return text.Length - dot - 1;
            }

            default:
                return 0;
        }
    }
}
