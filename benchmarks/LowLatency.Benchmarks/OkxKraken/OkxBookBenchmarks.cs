using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.Benchmarks.OkxKraken;

/// <summary>
/// The recorded OKX session (OKX.ws.1.0: three books, 290 book messages each with a CRC32 of the top 25), from frame
/// bytes to a checksum-verified book: our parser → slots → <see cref="OrderBookHandler"/>, vs a straightforward
/// JsonDocument + SortedDictionary book that rebuilds OKX's checksum string (baseline). One operation = one book message
/// (the session's tickers/trades/event frames are parsed and ignored too, as in production).
/// </summary>
[MemoryDiagnoser]
public class OkxBookBenchmarks
{
    private const int BookMessages = 290;
    private static readonly VenueId s_venue = new(3);
    private static readonly string[] s_symbols = ["BTC-USD-220527", "UNI-USD-SWAP", "BTC-USDT"];

    private readonly TickEvent[] _slots = new TickEvent[256];
    private byte[][] _frames = [];
    private OkxBookParser _parser = null!;
    private BookSet _books = null!;
    private OrderBookHandler _handler;
    private readonly BookMessage _message = new(1024);
    private readonly Dictionary<string, (SortedDictionary<decimal, (string, string)> Bids, SortedDictionary<decimal, (string, string)> Asks)> _reference = [];
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        CaptureTape tape = CaptureTape.Load(SharedData.File("cex_ws", "cryptofeed", "OKX.ws.1.0"));
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
        for (int i = 0; i < s_symbols.Length; i++)
        {
            var id = new InstrumentId((ushort)(i + 1));
            table.Add(s_symbols[i], id);
            instruments.Add(new InstrumentSpec(id, s_symbols[i], 8, 8));
            specs.Add(new BookSpec(s_venue, id, SequenceRule.Okx, 8, 8, Capacity: 2048));
        }

        _parser = new OkxBookParser(s_venue, table, instruments);
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
            if (!root.TryGetProperty("arg", out JsonElement arg) || arg.GetProperty("channel").GetString() != "books"
                || !root.TryGetProperty("action", out JsonElement action))
            {
                continue;
            }

            string inst = arg.GetProperty("instId").GetString()!;
            JsonElement data = root.GetProperty("data")[0];
            if (action.GetString() == "snapshot")
            {
                _reference[inst] = (new SortedDictionary<decimal, (string, string)>(Comparer<decimal>.Create((x, y) => y.CompareTo(x))), new SortedDictionary<decimal, (string, string)>());
            }

            var (bids, asks) = _reference[inst];
            Apply(bids, data.GetProperty("bids"));
            Apply(asks, data.GetProperty("asks"));
            if (data.TryGetProperty("checksum", out JsonElement checksum) && ReferenceChecksum(bids, asks) != checksum.GetInt32())
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
            string sz = level[1].GetString()!;
            decimal price = decimal.Parse(px, CultureInfo.InvariantCulture);
            if (decimal.Parse(sz, CultureInfo.InvariantCulture) == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = (px, sz);
            }
        }
    }

    private static int ReferenceChecksum(SortedDictionary<decimal, (string Px, string Sz)> bids, SortedDictionary<decimal, (string Px, string Sz)> asks)
    {
        var b = bids.Values.Take(25).ToList();
        var a = asks.Values.Take(25).ToList();
        var text = new StringBuilder();
        for (int i = 0; i < Math.Max(b.Count, a.Count); i++)
        {
            if (i < b.Count)
            {
                text.Append(text.Length == 0 ? "" : ":").Append(b[i].Px).Append(':').Append(b[i].Sz);
            }

            if (i < a.Count)
            {
                text.Append(text.Length == 0 ? "" : ":").Append(a[i].Px).Append(':').Append(a[i].Sz);
            }
        }

        return unchecked((int)Crc32.Compute(Encoding.ASCII.GetBytes(text.ToString())));
    }
}
