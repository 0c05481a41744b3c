using System.Text;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Book;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>
/// The WebSocket client against the loopback Binance exchange serving the recorded session, with each fault the
/// venue or the network can produce. Every test ends the same way: every book live with the same top 10 levels (and
/// last update id) as the exchange's own book, which is the fault-free result of the same frames.
/// </summary>
public sealed class BinanceLoopbackTests
{
    [Fact]
    public async Task Fault_free_session_ends_with_the_exchange_books()
    {
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync();
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.Exchange.SendAsync(20);
        await h.WaitAllLiveAsync();
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();

        h.AssertTopsMatchExchange();
        Assert.Contains("\"nknusdt@depth@100ms\"", h.Exchange.SubscribeRequests[0], StringComparison.Ordinal);
        Assert.Equal(0, h.Books.Integrity(BinanceLiveHarness.Venue).Gaps);
        Assert.Equal(0, h.Client.Counters.Rejected);
        Assert.Equal(4, h.Client.Counters.SnapshotsPublished);
        Assert.True(h.Client.Counters.Published > 100);
        Assert.Equal(1, h.Client.Counters.Connects);
    }

    [Fact]
    public async Task Dropped_frame_is_a_gap_the_book_resyncs_from_a_fresh_snapshot()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        int target = h.Exchange.DepthFrameIndex("NKNUSDT", h.Exchange.DepthFrameCount("NKNUSDT") / 2);
        await h.Exchange.SendAsync(target - h.Exchange.Position);
        await h.Exchange.SkipAsync(1); // lost on the way
        await SendUntilResyncedAsync(h, "NKNUSDT");

        Assert.Equal(1, h.Books.State(h.BookOf("NKNUSDT")).Counters.Gaps);
        await FinishAsync(h);
    }

    [Fact]
    public async Task Duplicate_frame_is_dropped_and_counted_and_the_book_stays_live()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        int target = h.Exchange.DepthFrameIndex("NKNUSDT", h.Exchange.DepthFrameCount("NKNUSDT") / 2);
        await h.Exchange.SendAsync(target - h.Exchange.Position + 1);
        await h.Exchange.SendRawAsync(h.Exchange.Frames[target].Bytes);
        await h.SyncAsync();

        Assert.Equal(BookStatus.Live, h.StatusOf("NKNUSDT"));
        Assert.Equal(1, h.Books.State(h.BookOf("NKNUSDT")).Counters.StaleDropped);
        await FinishAsync(h);
    }

    [Fact]
    public async Task Reordered_frames_are_a_gap_then_a_resync()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        int first = h.Exchange.DepthFrameIndex("NKNUSDT", h.Exchange.DepthFrameCount("NKNUSDT") / 2);
        int second = h.Exchange.DepthFrameIndex("NKNUSDT", (h.Exchange.DepthFrameCount("NKNUSDT") / 2) + 1);
        await h.Exchange.SendAsync(first - h.Exchange.Position);
        byte[] early = h.Exchange.Frames[first].Bytes;
        await h.Exchange.SkipAsync(second - first + 1); // the exchange's book takes both, in order
        await h.Exchange.SendRawAsync(h.Exchange.Frames[second].Bytes);
        await h.Exchange.SendRawAsync(early);
        await SendUntilResyncedAsync(h, "NKNUSDT");

        Assert.True(h.Books.State(h.BookOf("NKNUSDT")).Counters.Gaps >= 1);
        await FinishAsync(h);
    }

    [Fact]
    public async Task Garbage_bytes_and_wrong_types_are_counted_drops_that_change_no_book()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        await h.Exchange.SendAsync(30);
        await h.SyncAsync();
        long snapshots = h.Books.Integrity(BinanceLiveHarness.Venue).Snapshots;
        await h.Exchange.SendRawAsync(Encoding.UTF8.GetBytes("not json at all \u0000 {{{"));
        await h.Exchange.SendRawAsync(Encoding.UTF8.GetBytes("{\"stream\":\"nknusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"NKNUSDT\",\"U\":\"x\"}}"));
        await h.SyncAsync();

        Assert.Equal(2, h.Client.Counters.Rejected);
        Assert.True(h.AllLive());
        Assert.Equal(snapshots, h.Books.Integrity(BinanceLiveHarness.Venue).Snapshots);
        await FinishAsync(h);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_text_frame_drops_the_connection_which_heals()
    {
        // The WebSocket layer refuses a text message that is not UTF-8 (RFC 6455 §8.1) and fails the connection.
        await using BinanceLiveHarness h = await StartLiveAsync();
        await h.Exchange.SendAsync(30);
        await h.SyncAsync();
        await h.Exchange.SendRawAsync([0x7B, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]);
        await h.Exchange.WaitForSubscriptionsAsync(2);
        await FinishAsync(h);

        Assert.True(h.Client.Counters.Reconnects >= 1);
    }

    [Fact]
    public async Task Truncated_json_in_place_of_a_frame_is_rejected_and_the_lost_diff_resyncs_the_book()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        int target = h.Exchange.DepthFrameIndex("NKNUSDT", h.Exchange.DepthFrameCount("NKNUSDT") / 2);
        await h.Exchange.SendAsync(target - h.Exchange.Position);
        byte[] whole = h.Exchange.Frames[target].Bytes;
        await h.Exchange.SkipAsync(1);
        await h.Exchange.SendRawAsync(whole[..(whole.Length / 2)]);
        await SendUntilResyncedAsync(h, "NKNUSDT");

        Assert.Equal(1, h.Client.ParserCounters.Rejected(ParseError.TruncatedJson));
        await FinishAsync(h);
    }

    [Fact]
    public async Task A_16_MB_frame_is_read_to_its_end_and_dropped_and_the_stream_goes_on()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        await h.Exchange.SendAsync(10);
        byte[] huge = new byte[16 << 20];
        huge.AsSpan().Fill((byte)' ');
        "{\"stream\":\"nknusdt@depth@100ms\",\"data\":"u8.CopyTo(huge);
        await h.Exchange.SendRawAsync(huge);
        await h.SyncAsync();

        Assert.Equal(1, h.Client.Counters.Oversized);
        Assert.Equal(1, h.Client.Counters.Connects);
        Assert.Contains(h.Log, l => l.Contains("longer than maxFrameBytes", StringComparison.Ordinal));
        await FinishAsync(h);
    }

    [Fact]
    public async Task A_frame_longer_than_the_receive_buffer_takes_the_slow_path_and_is_parsed()
    {
        // A 1 KiB receive buffer and the next diff padded past it with JSON whitespace: assembled on the slow path, applied.
        await using BinanceLiveHarness h = await StartLiveAsync(o => With(o, receiveBufferBytes: 1024));
        int target = h.Exchange.DepthFrameIndex("NKNUSDT", h.Exchange.DepthFrameCount("NKNUSDT") / 2);
        await h.Exchange.SendAsync(target - h.Exchange.Position);
        string text = Encoding.UTF8.GetString(h.Exchange.Frames[target].Bytes);
        byte[] padded = Encoding.UTF8.GetBytes(text.Replace("\"b\":[", "\"b\":" + new string(' ', 5000) + "[", StringComparison.Ordinal));
        await h.Exchange.SkipAsync(1);
        await h.Exchange.SendRawAsync(padded);
        await h.SyncAsync();

        Assert.Equal(1, h.Client.Counters.SlowPath);
        Assert.Equal(0, h.Client.Counters.Rejected);
        Assert.Equal(0, h.Books.Integrity(BinanceLiveHarness.Venue).Gaps);
        await FinishAsync(h);
    }

    [Fact]
    public async Task Disconnect_mid_stream_reconnects_resubscribes_and_resyncs_what_was_lost()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        await h.Exchange.SendAsync(60);
        await h.SyncAsync();
        h.Exchange.Disconnect();
        await h.Exchange.SkipAsync(40); // streamed while the client was away
        await h.Exchange.WaitForSubscriptionsAsync(2);
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();
        await h.WaitAllLiveAsync();

        Assert.Equal(2, h.Client.Counters.Connects);
        Assert.True(h.Client.Counters.Reconnects >= 1);
        Assert.True(h.Books.Integrity(BinanceLiveHarness.Venue).Gaps >= 1);
        h.AssertTopsMatchExchange();
    }

    [Fact]
    public async Task Silent_stall_is_detected_and_the_connection_renewed()
    {
        await using BinanceLiveHarness h = await StartLiveAsync(o => With(o, staleAfter: TimeSpan.FromMilliseconds(300)));
        await h.Exchange.SendAsync(40);
        await h.SyncAsync();
        // The exchange now sends nothing at all; the client must give up on the connection by itself.
        await h.Exchange.SkipAsync(20);
        await h.Exchange.WaitForSubscriptionsAsync(2);
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();
        await h.WaitAllLiveAsync();

        Assert.True(h.Client.Counters.StaleHeartbeats >= 1);
        Assert.Contains(h.Log, l => l.Contains("nothing received for", StringComparison.Ordinal));
        h.AssertTopsMatchExchange();
    }

    [Fact]
    public async Task Slow_reader_back_pressure_loses_nothing()
    {
        // A 256-slot ring (a 1,000-level snapshot takes 125) and no consumer yet: the client must wait for room, never drop.
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(ringSize: 256, startConsumer: false);
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.Exchange.SendAsync(120);
        await Wait.UntilAsync(() => h.Client.Counters.BackPressure > 0, "the client to meet a full ring");
        h.StartConsumer();
        await h.WaitAllLiveAsync();
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();

        Assert.True(h.Client.Counters.BackPressure > 0);
        h.AssertTopsMatchExchange();
    }

    [Fact]
    public async Task Rest_429_with_retry_after_is_obeyed()
    {
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(
            startConsumer: true, arrange: e => e.AddRestFault(RestFault.TooManyRequests, TimeSpan.FromSeconds(1)));
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.WaitAllLiveAsync();
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();

        Assert.Equal(1, h.Client.Counters.RateLimited);
        var log = h.Exchange.RestLog;
        int limited = log.ToList().FindIndex(r => r.Status == 429);
        Assert.True(limited >= 0 && limited + 1 < log.Count);
        Assert.True(log[limited + 1].Time - log[limited].Time >= TimeSpan.FromSeconds(0.9), "the next request came before Retry-After");
        h.AssertTopsMatchExchange();
    }

    [Fact]
    public async Task Snapshot_older_than_the_stream_is_not_trusted_and_asked_again()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        int target = h.Exchange.DepthFrameIndex("NKNUSDT", h.Exchange.DepthFrameCount("NKNUSDT") / 2);
        await h.Exchange.SendAsync(target - h.Exchange.Position);
        h.Exchange.AddRestFault(RestFault.StaleSnapshot);
        await h.Exchange.SkipAsync(1);
        await SendUntilResyncedAsync(h, "NKNUSDT");

        long stale = h.Books.Integrity(BinanceLiveHarness.Venue).StaleSnapshots;
        Assert.True(stale >= 1 || h.Books.State(h.BookOf("NKNUSDT")).Counters.Gaps >= 2, "the old snapshot was applied as if fresh");
        Assert.True(h.Client.Counters.SnapshotsRequested >= 6);
        await FinishAsync(h);
    }

    [Fact]
    public async Task Venue_error_message_is_counted_and_logged_and_changes_nothing()
    {
        await using BinanceLiveHarness h = await StartLiveAsync();
        await h.Exchange.SendAsync(30);
        await h.Exchange.SendRawAsync(Encoding.UTF8.GetBytes("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}"));
        await h.SyncAsync();

        Assert.Equal(1, h.Client.Counters.VenueErrors);
        Assert.Contains(h.Log, l => l.Contains("Invalid symbol.", StringComparison.Ordinal));
        Assert.True(h.AllLive());
        await FinishAsync(h);
    }

    [Fact]
    public async Task Rejected_subscription_backs_off_and_subscribes_again()
    {
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(arrange: e => e.RejectSubscriptions(2));
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.WaitAllLiveAsync();
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();

        Assert.Equal(2, h.Client.Counters.RejectedSubscriptions);
        Assert.Equal(3, h.Exchange.SubscribeRequests.Count);
        Assert.Contains(h.Log, l => l.Contains("refused the subscription", StringComparison.Ordinal));
        h.AssertTopsMatchExchange();
    }

    private static async Task<BinanceLiveHarness> StartLiveAsync(Func<LiveVenueOptions, LiveVenueOptions>? tweak = null)
    {
        BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(tweak);
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.Exchange.SendAsync(20);
        await h.WaitAllLiveAsync();
        return h;
    }

    /// <summary>Streams frames one at a time until the symbol's book has left Live and come back (or the session ends).</summary>
    private static async Task SendUntilResyncedAsync(BinanceLiveHarness h, string symbol)
    {
        long resyncs = h.Books.State(h.BookOf(symbol)).Counters.Resyncs;
        while (h.Books.State(h.BookOf(symbol)).Counters.Resyncs == resyncs && h.Exchange.Position < h.Exchange.Frames.Count)
        {
            await h.Exchange.SendAsync(1);
            await h.SyncAsync();
        }

        Assert.True(h.Books.State(h.BookOf(symbol)).Counters.Resyncs > resyncs, $"{symbol} never left Live");
        await h.WaitAllLiveAsync();
        Assert.Equal(BookStatus.Live, h.StatusOf(symbol));
    }

    private static async Task FinishAsync(BinanceLiveHarness h)
    {
        await h.Exchange.SendRestAsync();
        await h.SyncAsync();
        await h.WaitAllLiveAsync();
        h.AssertTopsMatchExchange();
    }

    internal static LiveVenueOptions With(LiveVenueOptions o, TimeSpan? staleAfter = null, int? receiveBufferBytes = null) => new()
    {
        Name = o.Name,
        Kind = o.Kind,
        Venue = o.Venue,
        WsUrl = o.WsUrl,
        RestUrl = o.RestUrl,
        Symbols = o.Symbols,
        BackoffInitial = o.BackoffInitial,
        BackoffMax = o.BackoffMax,
        BackoffSeed = o.BackoffSeed,
        MaintenanceInterval = o.MaintenanceInterval,
        StaleAfter = staleAfter ?? o.StaleAfter,
        PingAfter = staleAfter is { } s ? s / 3 : o.PingAfter,
        ReceiveBufferBytes = receiveBufferBytes ?? o.ReceiveBufferBytes,
    };
}
