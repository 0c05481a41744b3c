using LowLatency.Testing;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Okx;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Okx;

/// <summary>
/// OKX parser → slots → <see cref="OrderBookHandler"/> without a ring (the ring's job — copy a message into contiguous
/// slots, hand them to the handler in order — done inline). Allocates only in the constructor.
/// </summary>
internal sealed class OkxReplayHarness
{
    public const int Decimals = 8;
    public static readonly VenueId Venue = new(3);
    public static readonly string[] TapeSymbols = ["BTC-USD-220527", "UNI-USD-SWAP", "BTC-USDT"];

    private readonly TickEvent[] _slots = new TickEvent[256];
    private readonly byte[] _edit = new byte[1 << 20];
    private readonly OrderBookHandler _handler;
    private long _sequence;

    public OkxReplayHarness(IReadOnlyList<string>? symbols = null)
    {
        Symbols = symbols ?? TapeSymbols;
        var table = new SymbolTable();
        var instruments = new List<InstrumentSpec>();
        var specs = new List<BookSpec>();
        for (int i = 0; i < Symbols.Count; i++)
        {
            var id = new InstrumentId((ushort)(i + 1));
            table.Add(Symbols[i], id);
            instruments.Add(new InstrumentSpec(id, Symbols[i], Decimals, Decimals));
            specs.Add(new BookSpec(Venue, id, SequenceRule.Okx, Decimals, Decimals, Capacity: 2048));
        }

        Parser = new OkxBookParser(Venue, table, instruments);
        Books = new BookSet(specs);
        _handler = Books.CreateHandler();
    }

    public IReadOnlyList<string> Symbols { get; }

    public OkxBookParser Parser { get; }

    public BookSet Books { get; }

    public BookMessage Scratch { get; } = new(1024);

    public static CaptureTape LoadTape() =>
        CaptureTape.Load(Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "OKX.ws.1.0"));

    public int BookIndex(string symbol) => Books.IndexOf(Venue, new InstrumentId((ushort)(IndexOfSymbol(symbol) + 1)));

    /// <summary>
    /// Replays every received frame; <paramref name="dropRecord"/> is skipped, and <paramref name="flipRecord"/>'s first
    /// level of <paramref name="flipSide"/> gets a different (non-zero) size, and <paramref name="breakRecord"/>'s first
    /// level price becomes unparsable (the parser must reject that frame). Returns the messages published.
    /// </summary>
    public int Replay(CaptureTape tape, int dropRecord = -1, int flipRecord = -1, string flipSide = "asks", int breakRecord = -1)
    {
        int published = 0;
        ReadOnlySpan<CaptureRecord> records = tape.Records;
        for (int i = 0; i < records.Length; i++)
        {
            ref readonly CaptureRecord record = ref records[i];
            if (record.Kind != CaptureRecordKind.Received || i == dropRecord)
            {
                continue;
            }

            ReadOnlySpan<byte> frame = tape.Payload(in record);
            if (i == flipRecord || i == breakRecord)
            {
                frame.CopyTo(_edit);
                if (i == flipRecord)
                {
                    FlipFirstSize(_edit.AsSpan(0, frame.Length), flipSide);
                }
                else
                {
                    BreakFirstPrice(_edit.AsSpan(0, frame.Length));
                }

                frame = _edit.AsSpan(0, frame.Length);
            }

            if (Feed(frame, record.TimestampNs) == ParseResult.Message)
            {
                published++;
            }
        }

        return published;
    }

    public ParseResult Feed(ReadOnlySpan<byte> frame, long receiveTimeNs = 0)
    {
        ParseResult result = Parser.ParseFrame(frame, receiveTimeNs, 0, Scratch);
        if (result == ParseResult.Message)
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

        return result;
    }

    /// <summary>Changes the first digit of the first level's size on one side ("asks"/"bids") to another non-zero digit.</summary>
    public static void FlipFirstSize(Span<byte> frame, string side)
    {
        ReadOnlySpan<byte> key = side == "asks" ? "\"asks\":[[\""u8 : "\"bids\":[[\""u8;
        int at = frame.IndexOf(key);
        if (at < 0)
        {
            throw new InvalidOperationException("no level to corrupt");
        }

        int priceEnd = at + key.Length + frame[(at + key.Length)..].IndexOf((byte)'"');
        int size = priceEnd + 3; // past `","`
        frame[size] = frame[size] == (byte)'1' ? (byte)'2' : (byte)'1';
    }

    /// <summary>Makes the frame's first level price unparsable ("30243.5" → "x0243.5").</summary>
    public static void BreakFirstPrice(Span<byte> frame)
    {
        int at = frame.IndexOf("[[\""u8);
        if (at < 0)
        {
            throw new InvalidOperationException("no level to break");
        }

        frame[at + 3] = (byte)'x';
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
