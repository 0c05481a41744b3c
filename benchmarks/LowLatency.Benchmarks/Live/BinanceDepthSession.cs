using System.Text.Json;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Benchmarks.Live;

/// <summary>
/// The messages of BINANCE.ws.1.0's session that <see cref="BinanceDepthFrameBenchmarks"/> and
/// <see cref="BinanceDepthBreakdownBenchmarks"/> replay: the four REST snapshots, then every depth frame after its
/// symbol's snapshot (what Live/ccxt/bench.mjs selects), with the parser and books for them.
/// </summary>
internal sealed class BinanceDepthSession
{
    public static readonly VenueId Venue = new(0);

    private BinanceDepthSession(List<(byte[] Url, byte[] Body)> snapshots, List<byte[]> frames, BinanceParser parser, List<BookSpec> specs)
    {
        Snapshots = snapshots;
        Frames = frames;
        Parser = parser;
        Specs = specs;
    }

    public List<(byte[] Url, byte[] Body)> Snapshots { get; }

    public List<byte[]> Frames { get; }

    public BinanceParser Parser { get; }

    public List<BookSpec> Specs { get; }

    public int Messages => Snapshots.Count + Frames.Count;

    public static BinanceDepthSession Load()
    {
        (string ws, string http) = CcxtComparison.Captures();
        CaptureTape tape = CaptureTape.Load([ws, http]);
        var symbols = new SymbolTable();
        var specs = new List<BookSpec>();
        var instruments = new List<InstrumentSpec>();
        var snapshots = new List<(byte[] Url, byte[] Body)>();
        var frames = new List<byte[]>();
        var lastIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            if (record.Kind == CaptureRecordKind.HttpResponse && tape.Url(record).IndexOf("/depth?"u8) >= 0)
            {
                string url = System.Text.Encoding.UTF8.GetString(tape.Url(record));
                string symbol = url[(url.IndexOf("symbol=", StringComparison.Ordinal) + 7)..].Split('&')[0];
                var id = InstrumentId.FromIndex(instruments.Count);
                instruments.Add(new InstrumentSpec(id, symbol, 8, 8));
                symbols.Add(symbol, id);
                specs.Add(new BookSpec(Venue, id, SequenceRule.BinanceSpot, 8, 8, Capacity: 4096));
                snapshots.Add((tape.Url(record).ToArray(), tape.Payload(record).ToArray()));
                using JsonDocument doc = JsonDocument.Parse(snapshots[^1].Body);
                lastIds[symbol] = doc.RootElement.GetProperty("lastUpdateId").GetInt64();
            }
        }

        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            ReadOnlySpan<byte> payload = tape.Payload(record);
            if (record.Kind == CaptureRecordKind.Received && payload.IndexOf("@depth"u8) >= 0)
            {
                using JsonDocument doc = JsonDocument.Parse(payload.ToArray());
                JsonElement data = doc.RootElement.GetProperty("data");
                if (lastIds.TryGetValue(data.GetProperty("s").GetString()!, out long last) && data.GetProperty("u").GetInt64() > last)
                {
                    frames.Add(payload.ToArray());
                }
            }
        }

        return new BinanceDepthSession(snapshots, frames, new BinanceParser(BinanceMarket.Spot, Venue, symbols, instruments), specs);
    }
}
