using System.Text.Json;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Adapters.Cluster.Tests.Fixtures;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.Testing.Nats;
using NATS.Client.JetStream;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>Fills and heartbeats through real JetStream streams, and the cluster view built from them, under faults.</summary>
[Trait("Category", "Slow")]
public sealed class StreamsTests
{
    private static ClusterOptions Options(string url, string node) => new()
    {
        Url = url,
        Node = node,
        Assets = ["BTC"],
        Venues = ["binance", "okx"],
        RefillInterval = TimeSpan.FromMilliseconds(50),
        LeaseTtl = TimeSpan.FromMilliseconds(600),
        StateInterval = TimeSpan.FromMilliseconds(100),
    };

    private static FillRecord Fill(int i) => new("BTC", i % 2 == 0 ? "binance" : "okx", i % 2 == 0 ? "buy" : "sell", 0.01, 60_000 + i, 600 + i, 0.3, (i % 7) - 3, ClusterBus.NowNs());

    private static double PnlOf(int from, int to)
    {
        double sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += (i % 7) - 3;
        }

        return sum;
    }

    /// <summary>Every queued message acknowledged within the guard, or a failure that says where the publisher stands.</summary>
    private static async Task FlushOrExplainAsync(ClusterNode node, NatsServer nats)
    {
        if (await node.Publisher.FlushAsync(Poll.Guard))
        {
            return;
        }

        ClusterPublisher p = node.Publisher;
        string log = nats.Log;
        Assert.Fail($"not flushed: queued {p.Queued}, published {p.Published}, retries {p.Retries}, connected {node.Bus.IsConnected}, "
            + $"server running {nats.IsRunning}, last error: {p.LastError}; server log tail: {log[Math.Max(0, log.Length - 1500)..]}");
    }

    [Fact]
    public async Task Every_fill_lands_once_through_a_server_kill_and_restart_and_a_node_restart()
    {
        using var nats = new NatsServer();
        await using var watcher = await ClusterNode.StartAsync(Options(nats.Url, "w"));
        var a = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        for (int i = 0; i < 2_000; i++)
        {
            a.RecordFill(Fill(i));
            if (i == 700)
            {
                // Killed with fills in flight: the publisher retries the same ids until the restarted server takes them.
                nats.Kill();
            }

            if (i == 1_300)
            {
                nats.Start();
            }
        }

        await FlushOrExplainAsync(a, nats);
        await a.StopAsync(Poll.Guard);
        await a.DisposeAsync();

        // The same node again: numbering and the day's P&L continue from the stream, nothing counted twice.
        await using var again = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        Assert.Equal(2_000, again.Publisher.FillsAtStart);
        Assert.Equal(2_000, again.Publisher.LastFillSeq);
        Assert.Equal(PnlOf(0, 2_000), again.PnlUsd, 6);
        for (int i = 2_000; i < 2_500; i++)
        {
            again.RecordFill(Fill(i));
        }

        await FlushOrExplainAsync(again, nats);
        await Poll.UntilAsync(() => watcher.View.Snapshot().Nodes.Any(n => n.Name == "a" && n.Fills == 2_500), "the view counts every fill");
        var view = watcher.View.Snapshot().Nodes.Single(n => n.Name == "a");
        Assert.Equal(0, view.Duplicates);
        Assert.Equal(0, view.Gaps);
        Assert.Equal(PnlOf(0, 2_500), view.PnlUsd, 6);

        // The stream itself holds exactly one record per fill.
        var js = watcher.Bus.JetStream;
        var seqs = new HashSet<long>();
        long records = await StreamReading.ReadAllAsync(js, ClusterBus.FillsStream, "ll.fill.a", (_, d) =>
        {
            using var doc = JsonDocument.Parse(d);
            Assert.True(seqs.Add(doc.RootElement.GetProperty("seq").GetInt64()));
        });
        Assert.Equal(2_500, records);
    }

    [Fact]
    public async Task A_node_killed_and_restarted_adopts_the_days_notional_its_lease_used_not_each_legs()
    {
        // Three 1,000 USD pairs, each approved once by the lease and filled on both legs, then a kill (no give-back) with no
        // heartbeat since the start (an hour apart): the restarted node counts the 3,000 USD its last fill's reading holds,
        // not the 6,000 its six fills sum to.
        using var nats = new NatsServer();
        var a = await ClusterNode.StartAsync(Options(nats.Url, "a") with { StateInterval = TimeSpan.FromHours(1) });
        var pair = new RiskAction
        {
            Asset = new InstrumentId(0), BuyVenue = new VenueId(0), SellVenue = new VenueId(1),
            ChainSlot = -1, Legs = 2, NotionalUsd = 1_000, OldestQuoteNs = ClusterBus.NowNs(),
        };
        for (int i = 0; i < 3; i++)
        {
            await Poll.UntilAsync(() => a.Lease.TryReserve(pair, ClusterBus.NowNs()) == LeaseDenial.None, "the lease approves the pair");
            a.RecordFill(new FillRecord("BTC", "binance", "buy", 0.02, 49_990, 999.8, 0.1, 0, ClusterBus.NowNs()));
            a.RecordFill(new FillRecord("BTC", "okx", "sell", 0.02, 50_010, 1_000.2, 0.1, 0.2, ClusterBus.NowNs()));
            a.Lease.Release(pair);
        }

        await FlushOrExplainAsync(a, nats);
        Assert.Equal(3_000, a.NotionalTodayUsd(), 6);
        var state = await StreamReading.LastAsync(a.Bus.JetStream, ClusterBus.StateStream, "ll.state.a");
        Assert.True(state.HasValue && DayNotionalCount.TryReadMark(state.Value.Data, 0, out long stateFills, out _) && stateFills == 0, "only the start's heartbeat is in the stream");
        await a.DisposeAsync(); // a kill: nothing given back

        await using var again = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        DayNotionalCount adopted = again.Publisher.DayNotionalAtStart!;
        Assert.True(adopted.FromReading);
        Assert.Equal(0, adopted.FillsCountedByLeg);
        Assert.Equal(3_000, adopted.TotalUsd, 6);
        Assert.Equal(3_000, again.NotionalTodayUsd(), 6);
        await Poll.UntilAsync(() => again.View.Snapshot().Nodes.Any(n => n.Name == "a" && Math.Abs(n.NotionalTodayUsd - 3_000) < 1e-6),
            "the view shows the day's notional the restarted node's heartbeat reports");
    }

    [Fact]
    public async Task A_retry_the_stream_already_holds_counts_as_published_and_the_queue_moves_on()
    {
        // A publish that landed but whose ack was lost (the server killed in between) is retried with the same id, and
        // the stream answers "duplicate". Made here on purpose: the id is taken first by a message on another subject.
        using var nats = new NatsServer();
        await using var bus = await ClusterBus.ConnectAsync(nats.Url, "x");
        var taken = await bus.JetStream.PublishAsync("ll.fill.other", "{}"u8.ToArray(), opts: new NatsJSPubOpts { MsgId = "x:fill:1" });
        taken.EnsureSuccess();
        await using var publisher = new ClusterPublisher(bus.JetStream, "x", lease: null);
        await publisher.StartAsync();
        Assert.Equal(1, publisher.EnqueueFill(Fill(0), null));
        Assert.Equal(2, publisher.EnqueueFill(Fill(1), null));
        Assert.True(await publisher.FlushAsync(TimeSpan.FromSeconds(30)), $"stuck: queued {publisher.Queued}, retries {publisher.Retries}, last error {publisher.LastError}");
        Assert.Equal(1, publisher.Duplicates);
        Assert.Equal(2, publisher.Published);
        Assert.Equal(1, await StreamReading.ReadAllAsync(bus.JetStream, ClusterBus.FillsStream, "ll.fill.x", (_, _) => { }));
    }

    [Fact]
    public void A_publish_error_is_kept_in_one_line_without_credentials_or_keys()
    {
        string key = new('a', 64);
        string line = ClusterPublisher.OneLine(new IOException("cannot reach nats://trader:s3cret@10.0.0.5:4222\nsigned with " + key));
        Assert.StartsWith("IOException: cannot reach nats://10.0.0.5:4222 signed with ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", line, StringComparison.Ordinal);
        Assert.DoesNotContain(key, line, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_joining_after_another_has_filled_starts_its_own_numbering_and_the_view_sees_every_fill()
    {
        using var nats = new NatsServer();
        await using var b = await ClusterNode.StartAsync(Options(nats.Url, "b"));
        for (int i = 0; i < 5; i++)
        {
            b.RecordFill(Fill(i));
        }

        Assert.True(await b.Publisher.FlushAsync(Poll.Guard));
        await using var a = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        Assert.Equal(0, a.Publisher.FillsAtStart);
        Assert.Equal(0, a.Publisher.LastFillSeq);
        for (int i = 0; i < 4; i++)
        {
            a.RecordFill(Fill(i));
        }

        Assert.True(await a.Publisher.FlushAsync(Poll.Guard));
        await Poll.UntilAsync(() => a.View.Snapshot().Nodes.Any(n => n.Name == "a" && n.Fills + n.Gaps >= 4), "a's view has a's fills");
        var mine = a.View.Snapshot().Nodes.Single(n => n.Name == "a");
        Assert.Equal((4L, 0L, 0L), (mine.Fills, mine.Gaps, mine.Duplicates));
    }

    [Theory]
    [InlineData("ll.fill.a", "ll.fill.a", true)]
    [InlineData("ll.fill.a", "ll.fill.ab", false)]
    [InlineData("ll.fill.a", "ll.fill.b", false)]
    [InlineData("ll.fill.*", "ll.fill.b", true)]
    [InlineData("ll.fill.*", "ll.fill.b.c", false)]
    [InlineData("ll.state.*", "ll.risk.a", false)]
    [InlineData("ll.>", "ll.risk.a", true)]
    [InlineData("ll.>", "ll", false)]
    [InlineData("ll.fill", "ll.fill.a", false)]
    public void Subjects_match_filters_as_the_server_would(string filter, string subject, bool matches) =>
        Assert.Equal(matches, StreamReading.SubjectMatches(filter, subject));

    [Fact]
    public async Task A_retried_publish_with_the_same_id_is_stored_once()
    {
        using var nats = new NatsServer();
        await using var a = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        long seq = a.RecordFill(Fill(1));
        Assert.True(await a.Publisher.FlushAsync(Poll.Guard));

        // What a publisher does after a lost ack: the same message, the same id.
        var ack = await a.Bus.JetStream.PublishAsync("ll.fill.a", ClusterJson.Fill("a", seq, Fill(1), null), opts: new NatsJSPubOpts { MsgId = "a:fill:" + seq });
        Assert.True(ack.Duplicate);
        await Poll.UntilAsync(() => a.View.Snapshot().Nodes.Any(n => n.Name == "a" && n.Fills == 1), "the view has the fill");
        Assert.Equal(0, a.View.Snapshot().Nodes.Single(n => n.Name == "a").Duplicates);
    }

    [Fact]
    public async Task A_late_slow_reader_converges_on_a_busy_stream_and_a_silent_node_shows_as_silent()
    {
        using var nats = new NatsServer();
        var a = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        await using var b = await ClusterNode.StartAsync(Options(nats.Url, "b"));
        for (int i = 0; i < 10_000; i++)
        {
            a.RecordFill(Fill(i));
        }

        // A third view starts late, while more fills arrive, and catches up.
        await using var late = await ClusterNode.StartAsync(Options(nats.Url, "late"));
        for (int i = 10_000; i < 12_000; i++)
        {
            b.RecordFill(Fill(i));
        }

        Assert.True(await a.Publisher.FlushAsync(Poll.Guard));
        Assert.True(await b.Publisher.FlushAsync(Poll.Guard));
        await Poll.UntilAsync(() =>
        {
            var s = late.View.Snapshot().Nodes;
            return s.Any(n => n.Name == "a" && n.Fills == 10_000) && s.Any(n => n.Name == "b" && n.Fills == 2_000);
        }, "the late view converges");
        var snap = late.View.Snapshot();
        Assert.Equal(PnlOf(0, 12_000), snap.Nodes.Where(n => n.Name is "a" or "b").Sum(n => n.PnlUsd), 6);

        // a goes away without a word (what kill -9 leaves): its heartbeats stop, the view says so; b still trades.
        await a.DisposeAsync();
        await Poll.UntilAsync(() => late.View.Snapshot().Nodes.Any(n => n.Name == "a" && n.State == "silent"), "a shows as silent");
        await Poll.UntilAsync(() => late.View.Snapshot().Nodes.Any(n => n.Name == "b" && n.State == "trading"), "b shows as trading");

        using var doc = JsonDocument.Parse(late.View.Snapshot().ToJson());
        var nodes = doc.RootElement.GetProperty("nodes");
        var b0 = nodes.EnumerateArray().Single(n => n.GetProperty("name").GetString() == "b");
        Assert.Equal("trading", b0.GetProperty("state").GetString());
        Assert.Equal(new[] { "binance", "okx" }, b0.GetProperty("venues").EnumerateArray().Select(v => v.GetProperty("name").GetString() ?? "").ToArray());
        Assert.Equal(PnlOf(10_000, 12_000), b0.GetProperty("pnl").GetDouble(), 6);
    }
}
