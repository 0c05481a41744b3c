using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.Benchmarks.OkxKraken;

/// <summary>
/// The recorded Kraken session (KRAKEN.ws.50.0: ten book-1000 pairs, 4,279 book messages, a CRC32 on every update), from
/// frame bytes to a checksum-verified book: our parser → slots → <see cref="OrderBookHandler"/>, vs a straightforward
/// JsonDocument + SortedDictionary book that rebuilds Kraken's checksum string (baseline). One operation = one book
/// message (the session's other frames — heartbeats, status — are parsed too, as in production).
/// </summary>
[MemoryDiagnoser]
public class KrakenBookBenchmarks
{
    private const int BookMessages = 4279;
    private static readonly VenueId s_venue = new(4);
    private static readonly string[] s_pairs = ["WAVES/EUR", "XMR/USD", "KSM/XBT", "GRT/ETH", "SC/EUR", "ETH/CHF", "OCEAN/XBT", "OMG/USD", "XBT/CHF", "ADA/XBT"];

    private readonly TickEvent[] _slots = new TickEvent[256];
    private byte[][] _frames = [];
    private KrakenBookParser _parser = null!;
    private BookSet _books = null!;
    private OrderBookHandler _handler;
    private readonly BookMessage _message = new(1024);
    private readonly Dictionary<string, (SortedDictionary<decimal, (string, string)> Bids, SortedDictionary<decimal, (string, string)> Asks)> _reference = [];
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        CaptureTape tape = CaptureTape.Load(SharedData.File("cex_ws", "cryptofeed", "KRAKEN.ws.50.0"));
        var frames = new List<byte[]>();
        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            if (record.Kind == CaptureRecordKind.Received)
            {
                frames.Add(tape.Payload(in record).ToArray());
            }
        }

        _frames = [.. frames];
        var table = new SymbolTable();
        var instruments = new List<InstrumentSpec>();
        var specs = new List<BookSpec>();
        for (int i = 0; i < s_pairs.Length; i++)
        {
            var id = new InstrumentId((ushort)(i + 1));
            int priceDecimals = s_pairs[i] == "XBT/CHF" ? 5 : 9; // XBT/CHF holds an ask at 9,999,999,997
            table.Add(s_pairs[i], id);
            instruments.Add(new InstrumentSpec(id, s_pairs[i], priceDecimals, 8));
            specs.Add(new BookSpec(s_venue, id, SequenceRule.Kraken, priceDecimals, 8, Capacity: 2048));
        }

        _parser = new KrakenBookParser(s_venue, table, instruments);
        _books = new BookSet(specs);
        _handler = _books.CreateHandler();
        if (Ours() != BookMessages || _books.Integrity(s_venue).Errors != 0 || _parser.Counters.TotalRejected != 0
            || Reference() != BookMessages)
        {
            throw new InvalidOperationException("the recorded session did not replay cleanly");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BookMessages)]
    public int Reference()
    {
        int messages = 0;
        foreach (byte[] frame in _frames)
        {
            using var doc = JsonDocument.Parse(frame);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            int n = root.GetArrayLength();
            string pair = root[n - 1].GetString()!;
            string? checksum = null;
            for (int i = 1; i < n - 2; i++)
            {
                JsonElement payload = root[i];
                if (payload.TryGetProperty("as", out JsonElement snapAsks))
                {
                    _reference[pair] = (new SortedDictionary<decimal, (string, string)>(Comparer<decimal>.Create((x, y) => y.CompareTo(x))), new SortedDictionary<decimal, (string, string)>());
                    Apply(_reference[pair].Asks, snapAsks);
                    Apply(_reference[pair].Bids, payload.GetProperty("bs"));
                }

                if (payload.TryGetProperty("a", out JsonElement asks))
                {
                    Apply(_reference[pair].Asks, asks);
                }

                if (payload.TryGetProperty("b", out JsonElement bids))
                {
                    Apply(_reference[pair].Bids, bids);
                }

                if (payload.TryGetProperty("c", out JsonElement c))
                {
                    checksum = c.GetString();
                }
            }

            var book = _reference[pair];
            while (book.Bids.Count > 1000)
            {
                book.Bids.Remove(book.Bids.Keys.Last());
            }

            while (book.Asks.Count > 1000)
            {
                book.Asks.Remove(book.Asks.Keys.Last());
            }

            if (checksum is not null && ReferenceChecksum(book.Bids, book.Asks) != uint.Parse(checksum, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("reference checksum mismatch");
            }

            messages++;
        }

        return messages;
    }

    [Benchmark(OperationsPerInvoke = BookMessages)]
    public int Ours()
    {
        int messages = 0;
        byte[][] frames = _frames;
        for (int f = 0; f < frames.Length; f++)
        {
            if (_parser.ParseFrame(frames[f], 0, 0, _message) != ParseResult.Message)
            {
                continue;
            }

            int n = FramePublisher.Write(_message, _slots);
            for (int k = 0; k < n; k++)
            {
                _handler.OnEvent(ref _slots[k], _sequence++, endOfBatch: k == n - 1);
            }

            messages++;
        }

        return messages;
    }

    /// <summary>Parsing alone (frame bytes → validated message), to split the cost.</summary>
    [Benchmark(OperationsPerInvoke = BookMessages)]
    public int ParseOnly()
    {
        int messages = 0;
        byte[][] frames = _frames;
        for (int f = 0; f < frames.Length; f++)
        {
            if (_parser.ParseFrame(frames[f], 0, 0, _message) == ParseResult.Message)
            {
                messages++;
            }
        }

        return messages;
    }

    private static void Apply(SortedDictionary<decimal, (string, string)> side, JsonElement levels)
    {
        foreach (JsonElement level in levels.EnumerateArray())
        {
            string px = level[0].GetString()!;
            string vol = level[1].GetString()!;
            decimal price = decimal.Parse(px, CultureInfo.InvariantCulture);
            if (decimal.Parse(vol, CultureInfo.InvariantCulture) == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = (px, vol);
            }
        }
    }

    private static uint ReferenceChecksum(SortedDictionary<decimal, (string Px, string Vol)> bids, SortedDictionary<decimal, (string Px, string Vol)> asks)
    {
        var text = new StringBuilder();
        foreach (var (px, vol) in asks.Values.Take(10))
        {
            text.Append(px.Replace(".", "", StringComparison.Ordinal).TrimStart('0')).Append(vol.Replace(".", "", StringComparison.Ordinal).TrimStart('0'));
        }

        foreach (var (px, vol) in bids.Values.Take(10))
        {
            text.Append(px.Replace(".", "", StringComparison.Ordinal).TrimStart('0')).Append(vol.Replace(".", "", StringComparison.Ordinal).TrimStart('0'));
        }

        return Crc32.Compute(Encoding.ASCII.GetBytes(text.ToString()));
    }
}
