using LowLatency.Adapters.Cex.Live;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

public sealed class InBandLoopbackTests
{
    [Theory]
    [InlineData("OKX.ws.1.0", LiveVenueKind.Okx, "\"channel\":\"books\",\"instId\":\"BTC-USDT\"")]
    [InlineData("KRAKEN.ws.50.0", LiveVenueKind.Kraken, "\"subscription\":{\"name\":\"book\",\"depth\":1000}")]
    public Task In_band_session_over_loopback_builds_the_same_checksummed_books_as_its_replay(string capture, LiveVenueKind kind, string subscription) =>
        RunAsync(capture, kind, subscription);

    private static async Task RunAsync(string capture, LiveVenueKind kind, string subscription)
    {
        string file = SharedData.File("cex_ws", "cryptofeed", capture);
        ReplaySession session = ReplaySession.Load([file]);
        var replay = new ReplayPipeline(session, _ => 0.001, 5, opportunityRing: null);
        for (int i = 0; i < session.Tape.Count; i++)
        {
            replay.Step(i);
        }

        ReplayVenue okx = Assert.Single(session.Venues);
        Assert.True(replay.Books.Count > 0);
        await using LoopbackFrameServer server = await LoopbackFrameServer.StartAsync([.. RecordedCapture.Frames(file).Select(f => f.Bytes)]);
        var symbols = okx.Symbols.Select(kv => new LiveSymbol(kv.Value, session.Instruments[kv.Key.Value])).ToList();
        var options = new LiveVenueOptions
        {
            Name = okx.Name,
            Kind = kind,
            BookDepth = 1000,
            Venue = okx.Id,
            WsUrl = server.WsUrl,
            Symbols = symbols,
            SubscribeTops = false,
            MaintenanceInterval = TimeSpan.FromMilliseconds(5),
            BackoffSeed = 1,
        };
        var books = new BookSet(session.Books);
        var ring = new RingBuffer<TickEvent>(4096, ProducerType.Multi, WaitStrategyKind.Yielding);
        var strategy = new StrategyState(books, new EdgeStage(session.Instruments.Count, 2, [.. session.Instruments.Select(i => i.PriceDecimals)], [0.001, 0.001], 5), null);
        var processor = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(strategy));
        ring.AddGatingSequences(processor.Sequence);
        using var client = new WebSocketMarketDataClient(options, books, ring, processor.Sequence);
        using var stop = new CancellationTokenSource();
        var consumer = new Thread(() => processor.Run(stop.Token)) { IsBackground = true };
        consumer.Start();
        Task run = client.RunAsync(stop.Token);
        long expected = RecordedCapture.Frames(file).Count;
        await Wait.UntilAsync(() => client.Counters.Frames >= expected && processor.Sequence.Value >= ring.Cursor, $"{expected} frames handled and applied");
        await stop.CancelAsync();
        await run;
        consumer.Join();

        Assert.Contains(subscription, server.Received[0], StringComparison.Ordinal);
        Assert.Equal(0, books.Integrity(okx.Id).ChecksumFailures);
        Assert.Equal(0, books.Integrity(okx.Id).Gaps);
        Assert.Equal(client.ParserCounters.Messages, okx.Counters.Messages);
        for (int b = 0; b < books.Count; b++)
        {
            Assert.Equal(replay.Books.State(b).Status, books.State(b).Status);
            Assert.Equal(BookStatus.Live, books.State(b).Status);
            Assert.True(replay.Books.Book(b).Bids.SequenceEqual(books.Book(b).Bids), $"book {b} bids differ");
            Assert.True(replay.Books.Book(b).Asks.SequenceEqual(books.Book(b).Asks), $"book {b} asks differ");
        }
    }
}
