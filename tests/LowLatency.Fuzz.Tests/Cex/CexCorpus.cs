using LowLatency.Adapters.Cex.Replay;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.Fuzz.Tests.Cex;

/// <summary>
/// One recorded venue as the fuzz targets need it: its instruments and symbols (found by the replay's start-up scan of
/// the real capture, so the real frames parse) and its book specs. Built once per process and shared read-only.
/// </summary>
internal sealed class RecordedVenue
{
    private RecordedVenue(ReplaySession session, ReplayVenue venue)
    {
        Session = session;
        Venue = venue.Id;
        Instruments = session.Instruments;
        Symbols = venue.Symbols.ToDictionary(p => p.Key, p => p.Value);
        Books = [.. session.Books.Where(b => b.Venue == venue.Id)];
    }

    public static RecordedVenue BinanceSpot { get; } = Load("BINANCE.ws.1.0", "BINANCE.http.0.0");

    public static RecordedVenue BinanceFutures { get; } = Load("BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.http.0.0");

    public static RecordedVenue Okx { get; } = Load("OKX.ws.1.0");

    public static RecordedVenue Kraken { get; } = Load("KRAKEN.ws.50.0");

    public static RecordedVenue Coinbase { get; } = Load("coinbase_advtrade_v3jsonl_BTC-USD_ETH-USD_2026-08-09.jsonl.gz");

    /// <summary>The Bybit v5 session's linear venue (its first connection); the spot frames are inputs like any other.</summary>
    public static RecordedVenue Bybit { get; } = Load("bybit_v5_v3jsonl_linear_spot_2026-08-09.jsonl.gz");

    public ReplaySession Session { get; }

    public CaptureTape Tape => Session.Tape;

    public VenueId Venue { get; }

    public IReadOnlyList<InstrumentSpec> Instruments { get; }

    public IReadOnlyDictionary<InstrumentId, string> Symbols { get; }

    public IReadOnlyList<BookSpec> Books { get; }

    /// <summary>A new symbol table over the venue's symbols (parsers take one each).</summary>
    public SymbolTable NewSymbolTable()
    {
        var table = new SymbolTable();
        foreach ((InstrumentId id, string symbol) in Symbols)
        {
            table.Add(symbol, id);
        }

        return table;
    }

    /// <summary>The payloads of the tape's received frames (and, with <paramref name="http"/>, of its REST responses).</summary>
    public List<byte[]> Frames(Func<byte[], bool>? keep = null)
    {
        var frames = new List<byte[]>();
        foreach (CaptureRecord record in Tape.Records)
        {
            if (record.Kind == CaptureRecordKind.Received)
            {
                byte[] payload = Tape.Payload(record).ToArray();
                if (keep is null || keep(payload))
                {
                    frames.Add(payload);
                }
            }
        }

        return frames;
    }

    /// <summary>The received payloads of any capture file (channels the engine does not consume, for the ignore paths).</summary>
    public static List<byte[]> FramesOf(string file)
    {
        CaptureTape tape = CaptureTape.Load(CapturePath(file));
        var frames = new List<byte[]>();
        foreach (CaptureRecord record in tape.Records)
        {
            if (record.Kind == CaptureRecordKind.Received)
            {
                frames.Add(tape.Payload(record).ToArray());
            }
        }

        return frames;
    }

    public static string CapturePath(string file) => SharedData.File("cex_ws", "cryptofeed", file);

    private static RecordedVenue Load(params string[] files)
    {
        ReplaySession session = ReplaySession.Load([.. files.Select(CapturePath)]);
        return new RecordedVenue(session, session.Venues[0]);
    }
}
