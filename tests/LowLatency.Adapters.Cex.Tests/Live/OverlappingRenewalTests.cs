using LowLatency.Adapters.Cex.Live;
using LowLatency.HotPath.Book;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Adapters.Cex.Tests.Live;

/// <summary>
/// The venue's forced disconnect (Binance: every connection at 24 hours) met by an overlapping renewal, with the
/// connection's lifetime shortened to 200 ms: the exchange holds its stream mid-session until the client's second
/// connection is subscribed, then streams to both. Each book moves to the new connection at its snapshot there; the old
/// connection is closed once every book has moved. No book ever leaves Live (no gap, no resync, no reconnect), and every
/// book ends with the fault-free replay's top levels. Renewals repeat every 200 ms after that, each one gapless too.
/// Binance (spot, USD-M, COIN-M) against its loopback exchange, which streams to every subscribed connection: each book
/// moves at the first diff of the new connection that continues the ids the old one published, with no REST snapshot.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OverlappingRenewalTests
{
    [Theory]
    [InlineData("okx")]
    [InlineData("coinbase")]
    [InlineData("bybit")]
    [InlineData("kraken-v2")]
    [InlineData("kraken")]
    public async Task The_forced_disconnect_is_met_by_a_second_connection_live_before_the_first_is_dropped(string venue)
    {
        InBandFaultMatrixTests.Session s = InBandFaultMatrixTests.Load(venue);
        InBandOutcome o = await InBandLoopbackHarness.RunAsync(s.Replay, s.Frames, s.Kind, s.Model, new InBandRun
        {
            BookDepth = s.Depth,
            Overlap = true,
            HoldAt = s.Frames.Count / 2,
            Tweak = options => options with { ForcedReconnectAfter = TimeSpan.FromMilliseconds(200), RenewalTimeout = TimeSpan.FromMinutes(10) },
        });
        await using LoopbackInBandExchange server = o.Server;
        using WebSocketMarketDataClient client = o.Client;
        VenueIntegrity integrity = o.Books.Integrity(o.Venue);

        string state = $"renewals={client.Counters.Renewals} connects={client.Counters.Connects} reconnects={client.Counters.Reconnects} "
            + $"fallbacks={client.Counters.RenewalFallbacks} dropped={client.Counters.HandoverDropped} gaps={integrity.Gaps} "
            + $"checksum={integrity.ChecksumFailures} resyncs={integrity.Resyncs} resubscribes={client.Counters.Resubscribes} "
            + $"rejected={client.Counters.Rejected}; log: {string.Join(" | ", o.Log.Take(16))}";
        Assert.True(client.Counters.Renewals >= 1, state);
        Assert.True(client.Counters.Connects >= 2, state);
        Assert.True(client.Counters.Reconnects == 0, state); // never without a connection
        Assert.True(client.Counters.RenewalFallbacks == 0, state);
        Assert.True(integrity.Gaps == 0 && integrity.ChecksumFailures == 0, state);
        Assert.True(integrity.Resyncs == 0, state); // no book left Live
        Assert.True(client.Counters.Resubscribes == 0, state);
        // (Not asserted: how many snapshots the exchange made. Under load the first renewal can come before the session's
        // recorded snapshots have streamed, and the new connection's books then move at those.)
        Assert.Contains(o.Log, l => l.Contains("connection renewed", StringComparison.Ordinal));
        InBandLoopbackHarness.AssertSameBooks(o, 10);
    }

    /// <summary>Spot's liquid books: RUNEEUR diffs twice in the session, and a book that never diffs cannot be bridged (it falls back).</summary>
    private static readonly BinanceSession s_spot = BinanceSession.Spot with { Symbols = ["NKNUSDT", "LRCBTC", "BLZETH"] };

    [Theory]
    [InlineData("spot")]
    [InlineData("usd-m")]
    [InlineData("coin-m")]
    public async Task Binance_books_move_at_the_first_diff_that_continues_the_old_ids_and_never_leave_live(string market)
    {
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(Renewing(TimeSpan.FromMinutes(10)), session: Session(market));
        await h.Exchange.WaitForSubscriptionsAsync(1);
        await h.Exchange.SendAsync(20);
        await h.WaitCaughtUpAsync();

        const int wanted = 3;
        while (h.Client.Counters.Renewals < wanted && h.Exchange.Position < h.Exchange.Frames.Count)
        {
            await RenewAsync(h);
        }

        await SendRestAsync(h);
        await h.StopAsync();
        VenueIntegrity integrity = h.Books.Integrity(BinanceLiveHarness.Venue);
        string state = h.Describe();
        Assert.True(h.Client.Counters.Renewals >= 2, state);
        Assert.True(h.Client.Counters.Reconnects == 0, state); // never without a connection
        Assert.True(h.Client.Counters.RenewalFallbacks == 0, state);
        Assert.True(integrity.Gaps == 0 && integrity.Resyncs == 0, state); // no book left Live
        // The first snapshot of each book only: the bridge needs none.
        Assert.True(h.Exchange.RestLog.Count == h.Symbols.Count && h.Client.Counters.SnapshotsRequested == h.Symbols.Count, state);
        Assert.Contains(h.Log, l => l.Contains("connection renewed", StringComparison.Ordinal));
        h.AssertTopsMatchExchange();
    }

    [Fact]
    public async Task A_new_connection_whose_diffs_do_not_continue_the_old_ids_is_not_bridged_and_the_book_resyncs()
    {
        // The renewal's subscription takes effect only after a hole: the old connection stalls, the next NKNUSDT diff
        // reaches no connection, and the new one's NKNUSDT diffs all follow it. They must not take the book over; the
        // renewal moves it at its timeout, marked lost, and it resyncs from REST.
        await using BinanceLiveHarness h = await BinanceLiveHarness.StartAsync(Renewing(TimeSpan.FromSeconds(5)), session: s_spot);
        await h.Exchange.WaitForSubscriptionsAsync(1);
        h.Exchange.HoldSubscriptions = true;
        await h.Exchange.SendAsync(20);
        await h.WaitCaughtUpAsync();
        await h.Exchange.WaitForSubscribeRequestsAsync(2);
        h.Exchange.Stall(1);
        int nkn = h.BookOf("NKNUSDT");
        int next = 0;
        while (h.Exchange.DepthFrameIndex("NKNUSDT", next) < h.Exchange.Position)
        {
            next++;
        }

        await h.Exchange.SkipAsync(h.Exchange.DepthFrameIndex("NKNUSDT", next) - h.Exchange.Position + 1);
        h.Exchange.HoldSubscriptions = false;
        await h.Exchange.WaitForSubscriptionsAsync(2);
        await h.Exchange.SendAsync(h.Exchange.DepthFrameIndex("NKNUSDT", next + 3) - h.Exchange.Position + 1);
        await Wait.UntilAsync(() => h.Client.Counters.RenewalFallbacks >= 1, "the renewal to give up on bridging");
        await h.WaitCaughtUpAsync();
        Assert.True(h.Books.State(nkn).Counters.Resyncs >= 1, h.Describe());

        // A later renewal bridges as usual (on a loaded box one may meet its timeout before BLZETH diffs again: the next one).
        while (h.Client.Counters.Renewals <= h.Client.Counters.RenewalFallbacks && h.Exchange.Position < h.Exchange.Frames.Count)
        {
            await RenewAsync(h);
        }

        await SendRestAsync(h);
        await h.StopAsync();
        string state = h.Describe();
        Assert.True(h.Client.Counters.HandoverDropped >= 1, state); // the new connection's diffs after the hole, refused
        Assert.True(h.Exchange.RestLog.Count > h.Symbols.Count, state); // resynced from a fresh REST snapshot
        Assert.True(h.Client.Counters.Reconnects == 0, state);
        Assert.True(h.Client.Counters.Renewals > h.Client.Counters.RenewalFallbacks, state);
        h.AssertTopsMatchExchange();
    }

    /// <summary>
    /// Waits for the next renewal's connection to stream beside the old one (its subscription is one more than the
    /// first connection's and the renewals done), then streams a few frames at a time until every book has moved.
    /// Frames are spent only while a renewal is on, so the session lasts several.
    /// </summary>
    private static async Task RenewAsync(BinanceLiveHarness h)
    {
        long renewals = h.Client.Counters.Renewals;
        await Wait.UntilAsync(() => h.Exchange.Subscriptions >= renewals + 2, $"renewal {renewals + 1}'s connection to subscribe");
        while (h.Client.Counters.Renewals == renewals && h.Exchange.Position < h.Exchange.Frames.Count)
        {
            await h.Exchange.SendAsync(2);
            await h.WaitCaughtUpAsync(); // live, at the exchange's ids: nothing lost across the move
        }
    }

    private static async Task SendRestAsync(BinanceLiveHarness h)
    {
        await h.Exchange.SendRestAsync();
        await h.WaitCaughtUpAsync();
    }

    private static BinanceSession Session(string market) => market switch
    {
        "spot" => s_spot,
        "usd-m" => BinanceSession.UsdM,
        _ => BinanceSession.CoinM,
    };

    /// <summary>The connection's lifetime cut to 200 ms: renewals follow one another through the whole session.</summary>
    private static Func<LiveVenueOptions, LiveVenueOptions> Renewing(TimeSpan renewalTimeout) =>
        options => options with { ForcedReconnectAfter = TimeSpan.FromMilliseconds(200), RenewalTimeout = renewalTimeout };
}
