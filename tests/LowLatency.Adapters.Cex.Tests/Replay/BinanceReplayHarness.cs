using LowLatency.Testing;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Replay;

/// <summary>
/// Parser → slots → <see cref="OrderBookHandler"/> without a ring: what the ring does between producer and consumer
/// (copy a message into contiguous slots, hand each slot to the handler in order) done inline.
/// Everything is allocated in the constructor.
/// </summary>
internal sealed class BinanceReplayHarness
{
    public const int Decimals = 8;
    public static readonly VenueId Venue = new(1);

    private readonly TickEvent[] _slots = new TickEvent[512];
    private readonly OrderBookHandler _handler;
    private long _sequence;

    public BinanceReplayHarness(BinanceMarket market, IReadOnlyList<string> symbols, int pendingSlots = 1024)
    {
        Symbols = symbols;
        var table = new SymbolTable();
        var instruments = new List<InstrumentSpec>();
        var specs = new List<BookSpec>();
        SequenceRule rule = market == BinanceMarket.Spot ? SequenceRule.BinanceSpot : SequenceRule.BinanceFutures;
        for (int i = 0; i < symbols.Count; i++)
        {
            var id = new InstrumentId((ushort)(i + 1));
            table.Add(symbols[i], id);
            instruments.Add(new InstrumentSpec(id, symbols[i], Decimals, Decimals));
            specs.Add(new BookSpec(Venue, id, rule, Decimals, Decimals, Capacity: 4096, PendingSlots: pendingSlots));
        }

        Parser = new BinanceParser(market, Venue, table, instruments);
        Books = new BookSet(specs);
        _handler = Books.CreateHandler();
    }

    public IReadOnlyList<string> Symbols { get; }

    public BinanceParser Parser { get; }

    public BookSet Books { get; }

    public BookMessage Scratch { get; } = new();

    public static string[] SpotSymbols => ["NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"];

    public static string[] FuturesSymbols => ["SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"];

    public static CaptureTape LoadSpot() => CaptureTape.Load(
    [
        Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "BINANCE.ws.1.0"),
        Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "BINANCE.http.0.0"),
    ]);

    public static CaptureTape LoadFutures() => CaptureTape.Load(
    [
        Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "BINANCE_FUTURES.ws.1.0"),
        Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "BINANCE_FUTURES.http.0.0"),
    ]);

    public static BinanceReplayHarness Spot() => new(BinanceMarket.Spot, SpotSymbols);

    public static BinanceReplayHarness Futures() => new(BinanceMarket.Futures, FuturesSymbols);

    public int BookIndex(string symbol) => Books.IndexOf(Venue, new InstrumentId((ushort)(IndexOfSymbol(symbol) + 1)));

    /// <summary>Replays every record of the tape; returns the number of messages published.</summary>
    public int Replay(CaptureTape tape)
    {
        int published = 0;
        ReadOnlySpan<CaptureRecord> records = tape.Records;
        for (int i = 0; i < records.Length; i++)
        {
            if (Feed(tape, in records[i]) == ParseResult.Message)
            {
                published++;
            }
        }

        return published;
    }

    public ParseResult Feed(CaptureTape tape, in CaptureRecord record)
    {
        ParseResult result = BinanceTapeDecoder.Decode(Parser, tape, in record, record.TimestampNs, Scratch);
        if (result == ParseResult.Message)
        {
            Publish();
        }

        return result;
    }

    public ParseResult FeedFrame(ReadOnlySpan<byte> frame)
    {
        ParseResult result = Parser.ParseFrame(frame, 0, 0, Scratch);
        if (result == ParseResult.Message)
        {
            Publish();
        }

        return result;
    }

    public ParseResult FeedSnapshot(ReadOnlySpan<byte> url, ReadOnlySpan<byte> body)
    {
        ParseResult result = Parser.ParseDepthSnapshot(url, body, 0, 0, Scratch);
        if (result == ParseResult.Message)
        {
            Publish();
        }

        return result;
    }

    private void Publish()
    {
        int n = FramePublisher.Write(Scratch, _slots);
        if (n < 0)
        {
            throw new InvalidOperationException("harness slot array too small");
        }

        for (int k = 0; k < n; k++)
        {
            _handler.OnEvent(ref _slots[k], _sequence++, endOfBatch: k == n - 1);
        }
    }

    private int IndexOfSymbol(string symbol)
    {
        for (int i = 0; i < Symbols.Count; i++)
        {
            if (Symbols[i] == symbol)
            {
                return i;
            }
        }

        throw new ArgumentException(symbol);
    }
}
