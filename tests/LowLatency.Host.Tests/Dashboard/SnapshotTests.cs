using System.Net.Sockets;
using System.Text;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Snapshots;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary>
/// The strategy thread publishes, the host reads: the publish path takes no lock and allocates nothing, and no reader —
/// a stalled one, or a hostile HTTP client of the dashboard — can make it wait. Deterministic: nothing here measures time.
/// </summary>
public sealed class SnapshotTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private struct Triple
    {
        public long A;
        public long B;
        public long C;
    }

    [Fact]
    public void Publishing_a_strategy_snapshot_allocates_nothing()
    {
        var rig = new StrategyRig(TimeSpan.Zero);
        rig.Run(2_000); // warm-up: books filled, every path jitted
        long versionBefore = rig.Publisher.Snapshots.Version;
        long before = GC.GetAllocatedBytesForCurrentThread();
        rig.Run(20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        // Interval zero: one publish per batch, so every tick above went through the publish path.
        Assert.Equal(20_000, rig.Publisher.Snapshots.Version - versionBefore);
        Assert.True(rig.Publisher.Snapshots.TryRead(out StrategySnapshot s));
        Assert.Equal(rig.State.Events, s.Events);
        Assert.Equal(rig.State.Opportunities, s.Opportunities);
        Assert.True(s.Opportunities > 0, "the simulated market gives opportunities at 1 bps");
        Assert.Equal(4, s.VenueCount);
    }

    [Fact]
    public void A_reader_stalled_mid_read_does_not_stall_the_writer_and_learns_its_copy_is_stale()
    {
        var seqlock = new Seqlock<Triple>();
        seqlock.Publish(new Triple { A = 1, B = 1, C = 1 });
        long token = seqlock.BeginRead(out Triple stale);

        // The reader is now "descheduled" between its two halves; the writer publishes 100,000 times regardless.
        var writer = new Thread(() =>
        {
            for (long i = 2; i <= 100_001; i++)
            {
                seqlock.Publish(new Triple { A = i, B = i, C = i });
            }
        });
        writer.Start();
        Assert.True(writer.Join(s_hangGuard), "the writer never waits on a reader");

        Assert.Equal(1, stale.A);
        Assert.False(seqlock.EndRead(token), "a copy taken before the writer moved on is reported stale");
        Assert.True(seqlock.TryRead(out Triple fresh));
        Assert.Equal(100_001, fresh.A);
        Assert.Equal(100_001, seqlock.Version);
    }

    [Fact]
    public void A_concurrent_reader_never_sees_a_torn_value()
    {
        var seqlock = new Seqlock<Triple>();
        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            long i = 0;
            while (!stop.IsCancellationRequested)
            {
                i++;
                seqlock.Publish(new Triple { A = i, B = i * 3, C = -i });
            }
        });
        writer.Start();
        int whole = 0;
        for (int r = 0; r < 200_000; r++)
        {
            if (seqlock.TryRead(out Triple t))
            {
                whole++;
                Assert.Equal(t.A * 3, t.B);
                Assert.Equal(-t.A, t.C);
            }
        }

        stop.Cancel();
        Assert.True(writer.Join(s_hangGuard));
        Assert.True(whole > 0);
    }

    /// <summary>
    /// Item 3 of the operator's view: a slow or hostile HTTP client does not move the strategy thread. Shown without a
    /// clock: under 24 hostile connections, a client polling flat out (each poll makes the host read the strategy's
    /// seqlock) and a reader stalled mid-copy of that seqlock, the strategy thread does exactly the work of a run with
    /// no dashboard at all — the same events and opportunities, every batch published, 0 B allocated — and finishes.
    /// Its code has no path that waits on a reader (Seqlock.Publish never spins or locks), which is what keeps its
    /// tick-to-opportunity latency where it is; a timed comparison would only measure the box's neighbours.
    /// </summary>
    [Fact]
    public async Task Hostile_dashboard_clients_do_not_touch_the_strategy_path()
    {
        const int warmUp = 2_000;
        const int ticks = 50_000;

        // The control: the same seeded market through the same chain, nobody reading.
        var control = new StrategyRig(TimeSpan.Zero);
        control.Run(warmUp);
        control.Run(ticks);
        Assert.True(control.Publisher.Snapshots.TryRead(out StrategySnapshot expected));
        Assert.True(expected.Opportunities > 0, "the simulated market gives opportunities at 1 bps");

        var rig = new StrategyRig(TimeSpan.Zero);
        var feed = new DashboardFeed("dry-run", ["a", "b", "c", "d"], ["x"], [2], [2], rig.Publisher.Snapshots, null);
        Assert.True(DashboardOptions.TryParse("http://127.0.0.1:0", false, null, "no-models", "no-data", out DashboardOptions? options, out string? error), error);
        var jobs = new TrainingJobs((_, _, _) => 0);
        Assert.True(DashboardServer.TryStart(options, feed, jobs, out DashboardServer? server, out error), error);
        await using (server)
        {
            var uri = new Uri(server.Url);
            var sockets = new List<Socket>();
            try
            {
                // Slow-loris: half a request each, never finished. And readers that ask for data and never read it.
                for (int i = 0; i < 24; i++)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await s.ConnectAsync(uri.Host, uri.Port);
                    await s.SendAsync(Encoding.ASCII.GetBytes(i % 2 == 0 ? "GET /api/health HTTP/1.1\r\nHost: x\r\n" : "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
                    s.ReceiveBufferSize = 1;
                    sockets.Add(s);
                }

                // A client polling as fast as it can; each poll first has the host read the strategy's snapshot.
                using var stop = new CancellationTokenSource();
                using var http = new HttpClient { BaseAddress = uri };
                long answers = 0;
                Task poller = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        feed.Publish(new HostFigures(0, 0, "log", default));
                        using HttpResponseMessage r = await http.GetAsync("/api/venues");
                        Interlocked.Increment(ref answers);
                    }
                });

                // The load is there before the strategy starts: the server answers the poller through the hostile ones.
                var guard = System.Diagnostics.Stopwatch.StartNew();
                while (Interlocked.Read(ref answers) < 3 && !poller.IsCompleted && guard.Elapsed < s_hangGuard)
                {
                    await Task.Delay(10);
                }

                Assert.True(Interlocked.Read(ref answers) >= 3, $"the dashboard answered the poller (poller finished: {poller.IsCompleted})");

                // And a reader descheduled between the two halves of a read, for the whole run.
                long stalled = rig.Publisher.Snapshots.BeginRead(out _);

                var strategyAllocated = new long[1];
                long published = 0;
                var strategy = new Thread(() =>
                {
                    rig.Run(warmUp);
                    long v = rig.Publisher.Snapshots.Version;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    rig.Run(ticks);
                    strategyAllocated[0] = GC.GetAllocatedBytesForCurrentThread() - before;
                    published = rig.Publisher.Snapshots.Version - v;
                });
                strategy.Start();
                Assert.True(strategy.Join(s_hangGuard), "the strategy finished its ticks with the hostile clients connected");

                // Two more answers, so the poller has read the strategy's snapshots at least once (on a loaded box the
                // whole run can fall inside one of its requests; the check below failed then).
                long answered = Interlocked.Read(ref answers);
                guard.Restart();
                while (Interlocked.Read(ref answers) < answered + 2 && !poller.IsCompleted && guard.Elapsed < s_hangGuard)
                {
                    await Task.Delay(10);
                }

                await stop.CancelAsync();
                await poller.WaitAsync(s_hangGuard);
                Assert.Equal(0, strategyAllocated[0]);
                Assert.Equal(ticks, published); // no batch skipped its publish
                Assert.False(rig.Publisher.Snapshots.EndRead(stalled), "the stalled reader learns its copy is stale; the writer never waited for it");

                // The same work as the run nobody watched.
                Assert.True(rig.Publisher.Snapshots.TryRead(out StrategySnapshot actual));
                Assert.Equal((expected.Events, expected.Batches, expected.Opportunities, expected.OpportunitiesDropped, expected.SweepFallbacks, expected.TradeableBooks),
                    (actual.Events, actual.Batches, actual.Opportunities, actual.OpportunitiesDropped, actual.SweepFallbacks, actual.TradeableBooks));
                Assert.Equal(control.State.Opportunities, rig.State.Opportunities);
                Assert.True(feed.Current.Venues.Venues.Count == 4, "the dashboard read the strategy's snapshots");
            }
            finally
            {
                foreach (Socket s in sockets)
                {
                    s.Dispose();
                }

                server.Stop(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}
