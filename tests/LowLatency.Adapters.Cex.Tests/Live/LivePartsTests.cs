using System.Diagnostics;
using System.Text;
using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Cex.Tests.Live;

public sealed class LivePartsTests
{
    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_is_capped_and_reset()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), seed: 7);
        var waits = new List<TimeSpan>();
        for (int i = 0; i < 8; i++)
        {
            waits.Add(backoff.Next());
        }

        for (int i = 0; i < waits.Count; i++)
        {
            double ceiling = Math.Min(1000, 100 * Math.Pow(2, i));
            Assert.InRange(waits[i].TotalMilliseconds, ceiling / 2, ceiling);
        }

        Assert.Equal(8, backoff.Failures);
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);

        var same = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), seed: 7);
        Assert.Equal(waits[0], same.Next()); // seeded: tests see the same sequence
    }

    [Fact]
    public void Token_bucket_spends_refills_and_obeys_retry_after()
    {
        long now = 0;
        var bucket = new TokenBucket(capacity: 100, refillPerSecond: 10, () => now);
        Assert.True(bucket.TryTake(50, out _));
        Assert.True(bucket.TryTake(50, out _));
        Assert.False(bucket.TryTake(50, out TimeSpan wait));
        Assert.Equal(5, wait.TotalSeconds, 3);

        now += Stopwatch.Frequency * 5; // 5 s refill 50
        Assert.True(bucket.TryTake(50, out _));

        bucket.Block(TimeSpan.FromSeconds(30));
        now += Stopwatch.Frequency * 20;
        Assert.False(bucket.TryTake(1, out wait));
        Assert.Equal(10, wait.TotalSeconds, 3);
        now += Stopwatch.Frequency * 10;
        Assert.False(bucket.TryTake(50, out _)); // emptied by the block, refilling from its end
        now += Stopwatch.Frequency * 5;
        Assert.True(bucket.TryTake(50, out _));
    }

    [Fact]
    public void Options_validation_names_each_problem()
    {
        var options = new LiveVenueOptions
        {
            Name = "binance",
            Kind = LiveVenueKind.BinanceSpot,
            Venue = new VenueId(0),
            WsUrl = new Uri("http://example.invalid/stream"),
            RestUrl = null,
            Symbols = [Symbol("BTCUSDT", 0), Symbol("BTCUSDT", 1), Symbol("BAD\"SYM", 2)],
            SnapshotDepth = 7,
        };

        string all = string.Join("\n", options.Validate());
        Assert.Contains("venues.binance.wsUrl", all, StringComparison.Ordinal);
        Assert.Contains("venues.binance.restUrl", all, StringComparison.Ordinal);
        Assert.Contains("'BTCUSDT' is listed twice", all, StringComparison.Ordinal);
        Assert.Contains("is not a symbol", all, StringComparison.Ordinal);
        Assert.Contains("snapshotDepth", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Binance_subscribes_combined_streams_and_classifies_control_frames()
    {
        var protocol = (BinanceProtocol)VenueProtocol.Create(BinanceOptions());
        string subscribe = Encoding.UTF8.GetString(Assert.Single(protocol.SubscribeMessages()));
        Assert.Equal("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@depth@100ms\",\"btcusdt@bookTicker\",\"ethusdt@depth@100ms\",\"ethusdt@bookTicker\"],\"id\":1}", subscribe);
        Assert.Equal("https://api.example.invalid/api/v3/depth?symbol=ETHUSDT&limit=1000", protocol.SnapshotUrl(1).AbsoluteUri);
        Assert.Equal(FrameClass.Ack, protocol.Classify("{\"result\":null,\"id\":1}"u8));
        Assert.Equal(FrameClass.SubscriptionRejected, protocol.Classify("{\"error\":{\"code\":2,\"msg\":\"Invalid request\"},\"id\":1}"u8));
        Assert.Equal(FrameClass.VenueError, protocol.Classify("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}"u8));
        Assert.Equal(FrameClass.Data, protocol.Classify("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{}}"u8));
    }

    [Fact]
    public void Okx_and_kraken_resubscribe_one_book_and_know_their_pings()
    {
        var okxProtocol = VenueProtocol.Create(new LiveVenueOptions
        {
            Name = "okx", Kind = LiveVenueKind.Okx, Venue = new VenueId(1), WsUrl = new Uri("wss://ws.example.invalid/ws/v5/public"),
            Symbols = [Symbol("BTC-USDT", 0)], SubscribeTops = false,
        });
        Assert.Equal("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}]}", Encoding.UTF8.GetString(Assert.Single(okxProtocol.SubscribeMessages())));
        IReadOnlyList<byte[]> again = okxProtocol.ResubscribeMessages(0);
        Assert.Equal("{\"op\":\"unsubscribe\",\"args\":[{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}]}", Encoding.UTF8.GetString(again[0]));
        Assert.Equal("ping", Encoding.UTF8.GetString(okxProtocol.Ping!));
        Assert.Equal(FrameClass.Pong, okxProtocol.Classify("pong"u8));
        Assert.Equal(FrameClass.SubscriptionRejected, okxProtocol.Classify("{\"event\":\"error\",\"code\":\"60018\",\"msg\":\"x\"}"u8));

        var kraken = VenueProtocol.Create(new LiveVenueOptions
        {
            Name = "kraken", Kind = LiveVenueKind.Kraken, Venue = new VenueId(2), WsUrl = new Uri("wss://ws.example.invalid"),
            Symbols = [Symbol("XBT/USD", 0)], SubscribeTops = false,
        });
        Assert.Equal("{\"event\":\"subscribe\",\"pair\":[\"XBT/USD\"],\"subscription\":{\"name\":\"book\",\"depth\":10}}", Encoding.UTF8.GetString(Assert.Single(kraken.SubscribeMessages())));
        Assert.Equal(FrameClass.Pong, kraken.Classify("{\"event\":\"heartbeat\"}"u8));
        Assert.Equal(FrameClass.SubscriptionRejected, kraken.Classify("{\"errorMessage\":\"Currency pair not supported\",\"event\":\"subscriptionStatus\",\"status\":\"error\"}"u8));
        Assert.Equal(FrameClass.Data, kraken.Classify("[1,{\"a\":[]},\"book-10\",\"XBT/USD\"]"u8));
    }

    internal static LiveSymbol Symbol(string venueSymbol, int id) =>
        new(venueSymbol, new InstrumentSpec(InstrumentId.FromIndex(id), venueSymbol, 8, 8));

    private static LiveVenueOptions BinanceOptions() => new()
    {
        Name = "binance",
        Kind = LiveVenueKind.BinanceSpot,
        Venue = new VenueId(0),
        WsUrl = new Uri("wss://stream.example.invalid/stream"),
        RestUrl = new Uri("https://api.example.invalid"),
        Symbols = [Symbol("BTCUSDT", 0), Symbol("ETHUSDT", 1)],
    };
}
