using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Benchmarks.Book;

/// <summary>
/// Applying the recorded Binance USD-M futures SUSHIUSDT session (its REST snapshot, then every depth diff after it,
/// already parsed into ring slots) to a book: our <see cref="OrderBookHandler"/> (sequence rules + sorted-array book)
/// vs a straightforward SortedDictionary book (baseline). One operation = one message.
/// </summary>
[MemoryDiagnoser]
public class DepthApplyBenchmarks
{
    private const string Symbol = "SUSHIUSDT";
    private static readonly VenueId s_venue = new(1);
    private static readonly InstrumentId s_instrument = new(1);

    private TickEvent[] _slots = [];
    private int _messages;
    private BookSet _books = null!;
    private OrderBookHandler _handler;
    private readonly SortedDictionary<long, long> _refBids = new(Comparer<long>.Create((x, y) => y.CompareTo(x)));
    private readonly SortedDictionary<long, long> _refAsks = [];

    [GlobalSetup]
    public void Setup()
    {
        string dir = Path.Combine(SharedDataDir(), "cex_ws", "cryptofeed");
        CaptureTape tape = CaptureTape.Load([Path.Combine(dir, "BINANCE_FUTURES.ws.1.0"), Path.Combine(dir, "BINANCE_FUTURES.http.0.0")]);
        var symbols = new SymbolTable();
        symbols.Add(Symbol, s_instrument);
        var parser = new BinanceParser(BinanceMarket.Futures, s_venue, symbols, [new InstrumentSpec(s_instrument, Symbol, 8, 8)]);
        var message = new BookMessage();
        var slots = new List<TickEvent>();
        var chunk = new TickEvent[256];
        bool snapshotSeen = false;
        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            if (BinanceTapeDecoder.Decode(parser, tape, in record, 0, message) != ParseResult.Message || message.Kind == TickKind.Top)
            {
                continue;
            }

            snapshotSeen |= message.Kind == TickKind.Snapshot;
            if (!snapshotSeen)
            {
                continue;
            }

            int n = FramePublisher.Write(message, chunk);
            for (int k = 0; k < n; k++)
            {
                slots.Add(chunk[k]);
            }

            _messages++;
        }

        _slots = [.. slots];
        _books = new BookSet([new BookSpec(s_venue, s_instrument, SequenceRule.BinanceFutures, 8, 8, Capacity: 4096)]);
        _handler = _books.CreateHandler();
        if (Ours() < 0 || !_books.IsTradeable(0) || _books.Integrity(s_venue).Errors != 0)
        {
            throw new InvalidOperationException("the recorded session did not replay cleanly");
        }
    }

    /// <summary>Messages per invocation (snapshot + diffs), for ops/s.</summary>
    public int Messages => _messages;

    [Benchmark(Baseline = true, OperationsPerInvoke = 255)]
    public long SortedDictionaryBook()
    {
        CheckOps();
        TickEvent[] slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            ref TickEvent e = ref slots[i];
            if (e.Kind == TickKind.Snapshot && e.IsFirstChunk)
            {
                _refBids.Clear();
                _refAsks.Clear();
            }

            for (int k = 0; k < e.LevelCount; k++)
            {
                SortedDictionary<long, long> side = k < e.BidCount ? _refBids : _refAsks;
                BookLevel level = e.Levels[k];
                if (level.Quantity.IsZero)
                {
                    side.Remove(level.Price.Raw);
                }
                else
                {
                    side[level.Price.Raw] = level.Quantity.Raw;
                }
            }
        }

        return _refBids.Count + _refAsks.Count;
    }

    [Benchmark(OperationsPerInvoke = 255)]
    public long Ours()
    {
        _books.Restart(); // each invocation applies the snapshot and diffs anew, not stale drops
        TickEvent[] slots = _slots;
        OrderBookHandler handler = _handler;
        for (int i = 0; i < slots.Length; i++)
        {
            handler.OnEvent(ref slots[i], i, i == slots.Length - 1);
        }

        L2Book book = _books.Book(0);
        return book.BidCount + book.AskCount;
    }

    private void CheckOps()
    {
        if (_messages != 255)
        {
            throw new InvalidOperationException($"OperationsPerInvoke is 255 but the session has {_messages} messages");
        }
    }

    private static string SharedDataDir([CallerFilePath] string source = "")
    {
        string? env = Environment.GetEnvironmentVariable("LL_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory, Path.GetDirectoryName(source) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/data not found; set LL_SHARED_DATA");
    }
}
