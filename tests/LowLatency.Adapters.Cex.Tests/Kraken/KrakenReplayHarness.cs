using LowLatency.Testing;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Kraken;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Kraken;

/// <summary>
/// Kraken parser → slots → <see cref="OrderBookHandler"/> without a ring (the ring's job — copy a message into contiguous
/// slots, hand them to the handler in order — done inline). Allocates only in the constructor.
/// </summary>
internal sealed class KrakenReplayHarness
{
    public const int VolumeDecimals = 8;
    public static readonly VenueId Venue = new(4);
    public static readonly string[] TapeSymbols = ["WAVES/EUR", "XMR/USD", "KSM/XBT", "GRT/ETH", "SC/EUR", "ETH/CHF", "OCEAN/XBT", "OMG/USD", "XBT/CHF", "ADA/XBT"];

    /// <summary>
    /// Price scale per pair. Kraken writes XMR/USD with 8 decimals and ETH/CHF with 5, so 2 and 6 here exercise the
    /// checksum's rescaling both ways. XBT/CHF keeps 5: its book holds an ask at 9,999,999,997 CHF, which overflows a
    /// long at 10^9 — a scale must fit the venue's most absurd resting order, or the snapshot is (rightly) rejected.
    /// </summary>
    public static int PriceDecimalsOf(string pair) => pair switch
    {
        "XMR/USD" => 2,
        "ETH/CHF" => 6,
        "XBT/CHF" => 5,
        "KSM/XBT" => 8,
        "GRT/ETH" or "OCEAN/XBT" or "ADA/XBT" => 10,
        _ => 6,
    };

    private readonly TickEvent[] _slots = new TickEvent[256];
    private readonly byte[] _edit = new byte[1 << 20];
    private readonly OrderBookHandler _handler;
    private long _sequence;

    public KrakenReplayHarness(IReadOnlyList<string>? symbols = null)
    {
        Symbols = symbols ?? TapeSymbols;
        var table = new SymbolTable();
        var instruments = new List<InstrumentSpec>();
        var specs = new List<BookSpec>();
        for (int i = 0; i < Symbols.Count; i++)
        {
            var id = new InstrumentId((ushort)(i + 1));
            table.Add(Symbols[i], id);
            instruments.Add(new InstrumentSpec(id, Symbols[i], PriceDecimalsOf(Symbols[i]), VolumeDecimals));
            specs.Add(new BookSpec(Venue, id, SequenceRule.Kraken, PriceDecimalsOf(Symbols[i]), VolumeDecimals, Capacity: 2048));
        }

        Parser = new KrakenBookParser(Venue, table, instruments);
        Books = new BookSet(specs);
        _handler = Books.CreateHandler();
    }

    public IReadOnlyList<string> Symbols { get; }

    public KrakenBookParser Parser { get; }

    public BookSet Books { get; }

    public BookMessage Scratch { get; } = new(1024);

    public static CaptureTape LoadTape() =>
        CaptureTape.Load(Path.Combine(SharedData.Root, "cex_ws", "cryptofeed", "KRAKEN.ws.50.0"));

    public int BookIndex(string symbol) => Books.IndexOf(Venue, new InstrumentId((ushort)(IndexOfSymbol(symbol) + 1)));

    /// <summary>
    /// Replays every received frame; <paramref name="dropRecord"/> is skipped, and <paramref name="flipRecord"/>'s first
    /// level after <paramref name="flipKey"/> gets a different (non-zero) volume, and <paramref name="breakRecord"/>'s first
    /// level price becomes unparsable (the parser must reject that frame). Returns the messages published.
    /// </summary>
    public int Replay(CaptureTape tape, int dropRecord = -1, int flipRecord = -1, string flipKey = "\"a\":[[\"", int breakRecord = -1)
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
                    FlipFirstVolume(_edit.AsSpan(0, frame.Length), flipKey);
                }
                else
                {
                    Okx.OkxReplayHarness.BreakFirstPrice(_edit.AsSpan(0, frame.Length));
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

    /// <summary>Changes the first digit of the volume of the level that follows <paramref name="key"/> (e.g. <c>"a":[["</c>).</summary>
    public static void FlipFirstVolume(Span<byte> frame, string key)
    {
        byte[] keyBytes = System.Text.Encoding.ASCII.GetBytes(key);
        int at = frame.IndexOf(keyBytes);
        if (at < 0)
        {
            throw new InvalidOperationException("no level to corrupt");
        }

        int priceEnd = at + keyBytes.Length + frame[(at + keyBytes.Length)..].IndexOf((byte)'"');
        int volume = priceEnd + 3; // past `","`
        frame[volume] = frame[volume] == (byte)'1' ? (byte)'2' : (byte)'1';
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
