using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Common;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Benchmarks.Live;

/// <summary>
/// Where <see cref="BinanceDepthFrameBenchmarks.Ours"/> spends its time, stage by stage over the same messages:
/// <see cref="Scan"/> walks every JSON token with <see cref="Utf8JsonReader"/> (the floor of a reader-based parser),
/// <see cref="Parse"/> is the parser alone, <see cref="Publish"/> adds the copy into ring slots, and <see cref="Apply"/>
/// applies slots published beforehand to the books. One operation = one message. No budget: a profile, not a claim.
/// </summary>
[MemoryDiagnoser]
public class BinanceDepthBreakdownBenchmarks
{
    private readonly BookMessage _message = new();
    private readonly TickEvent[] _chunk = new TickEvent[512];
    private readonly List<TickEvent[]> _published = [];
    private BinanceDepthSession _session = null!;
    private BookSet _books = null!;
    private OrderBookHandler _handler;

    [GlobalSetup]
    public void Setup()
    {
        _session = BinanceDepthSession.Load();
        _books = new BookSet(_session.Specs);
        _handler = _books.CreateHandler();
        if (_session.Messages != BinanceDepthFrameBenchmarks.Messages || Publish() != BinanceDepthFrameBenchmarks.Messages)
        {
            throw new InvalidOperationException($"the session has {_session.Messages} messages");
        }

        foreach ((byte[] url, byte[] body) in _session.Snapshots)
        {
            _session.Parser.ParseDepthSnapshot(url, body, 0, 0, _message);
            _published.Add(_chunk.AsSpan(0, FramePublisher.Write(_message, _chunk)).ToArray());
        }

        foreach (byte[] frame in _session.Frames)
        {
            _session.Parser.ParseFrame(frame, 0, 0, _message);
            _published.Add(_chunk.AsSpan(0, FramePublisher.Write(_message, _chunk)).ToArray());
        }
    }

    [Benchmark(OperationsPerInvoke = BinanceDepthFrameBenchmarks.Messages)]
    public int Scan()
    {
        int tokens = 0;
        foreach ((byte[] _, byte[] body) in _session.Snapshots)
        {
            tokens += CountTokens(body);
        }

        foreach (byte[] frame in _session.Frames)
        {
            tokens += CountTokens(frame);
        }

        return tokens;
    }

    [Benchmark(OperationsPerInvoke = BinanceDepthFrameBenchmarks.Messages)]
    public int Parse()
    {
        int levels = 0;
        foreach ((byte[] url, byte[] body) in _session.Snapshots)
        {
            _session.Parser.ParseDepthSnapshot(url, body, 0, 0, _message);
            levels += _message.BidCount + _message.AskCount;
        }

        foreach (byte[] frame in _session.Frames)
        {
            _session.Parser.ParseFrame(frame, 0, 0, _message);
            levels += _message.BidCount + _message.AskCount;
        }

        return levels;
    }

    [Benchmark(OperationsPerInvoke = BinanceDepthFrameBenchmarks.Messages)]
    public int Publish()
    {
        int messages = 0;
        foreach ((byte[] url, byte[] body) in _session.Snapshots)
        {
            if (_session.Parser.ParseDepthSnapshot(url, body, 0, 0, _message) == ParseResult.Message && FramePublisher.Write(_message, _chunk) > 0)
            {
                messages++;
            }
        }

        foreach (byte[] frame in _session.Frames)
        {
            if (_session.Parser.ParseFrame(frame, 0, 0, _message) == ParseResult.Message && FramePublisher.Write(_message, _chunk) > 0)
            {
                messages++;
            }
        }

        return messages;
    }

    [Benchmark(OperationsPerInvoke = BinanceDepthFrameBenchmarks.Messages)]
    public int Apply()
    {
        _books.Restart();
        foreach (TickEvent[] slots in _published)
        {
            for (int k = 0; k < slots.Length; k++)
            {
                _handler.OnEvent(ref slots[k], k, k == slots.Length - 1);
            }
        }

        return _books.Count;
    }

    private static int CountTokens(byte[] json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        int tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }
}
