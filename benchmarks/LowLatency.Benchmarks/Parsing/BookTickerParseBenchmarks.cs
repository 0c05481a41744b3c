using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Benchmarks.Parsing;

/// <summary>
/// One recorded Binance spot <c>bookTicker</c> frame (combined-stream wrapper, from the shared cryptofeed capture):
/// System.Text.Json with a source-generated context into a DTO (baseline) vs our parser into a ring slot.
/// </summary>
[MemoryDiagnoser]
public class BookTickerParseBenchmarks
{
    private static readonly byte[] s_frame =
        """{"stream":"nknusdt@bookTicker","data":{"u":499869768,"s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000","A":"3199.00000000"}}"""u8.ToArray();

    private BinanceParser _parser = null!;
    private BookMessage _message = null!;
    private TickEvent _slot;

    [GlobalSetup]
    public void Setup()
    {
        var symbols = new SymbolTable();
        symbols.Add("NKNUSDT", new InstrumentId(1));
        _parser = new BinanceParser(BinanceMarket.Spot, new VenueId(1), symbols, [new InstrumentSpec(new InstrumentId(1), "NKN/USDT", 8, 8)]);
        _message = new BookMessage(64);
    }

    [Benchmark(Baseline = true)]
    public BookTickerStream? SystemTextJson() => JsonSerializer.Deserialize(s_frame, BookTickerJsonContext.Default.BookTickerStream);

    [Benchmark]
    public long Ours()
    {
        if (_parser.ParseFrame(s_frame, 0, 0, _message) == ParseResult.Message)
        {
            FramePublisher.WriteChunk(_message, 0, ref _slot);
        }

        return _slot.LastUpdateId;
    }
}

/// <summary>The combined-stream wrapper of a bookTicker, as a plain DTO.</summary>
public sealed class BookTickerStream
{
    [JsonPropertyName("stream")]
    public string? Stream { get; set; }

    [JsonPropertyName("data")]
    public BookTickerData? Data { get; set; }
}

/// <summary>Spot bookTicker payload; prices stay strings, as a typical STJ client would read them.</summary>
public sealed class BookTickerData
{
    [JsonPropertyName("u")]
    public long UpdateId { get; set; }

    [JsonPropertyName("s")]
    public string? Symbol { get; set; }

    [JsonPropertyName("b")]
    public string? BidPrice { get; set; }

    [JsonPropertyName("B")]
    public string? BidQty { get; set; }

    [JsonPropertyName("a")]
    public string? AskPrice { get; set; }

    [JsonPropertyName("A")]
    public string? AskQty { get; set; }
}

[JsonSerializable(typeof(BookTickerStream))]
internal sealed partial class BookTickerJsonContext : JsonSerializerContext;
