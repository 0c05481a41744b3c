using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Adapters.Cluster;
using LowLatency.Adapters.Cluster.Limits;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Risk;
using LowLatency.Testing.Nats;

namespace LowLatency.Host.Tests.Cli;

/// <summary>
/// Cluster mode with real processes: a <c>nats-server -js</c> and <c>lowlatency run --mode paper --cluster</c> engines
/// on one treasury, under each fault an engine process meets: an engine killed with SIGKILL, NATS killed under an
/// engine, an engine cut off from NATS and healed, and everything restarted. After each: no limit exceeded, no fill
/// lost from the stream or counted twice, and the view (node a's <c>GET /api/cluster</c>, read from the streams) says
/// what happened.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ClusterRunTests
{
    private const double DailyNotionalLimitUsd = 60_000;
    private const double MaxTradeNotionalUsd = 2_000;

    [GeneratedRegex(@"dashboard on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex DashboardLine();

    [GeneratedRegex(@"cluster: node a left: lease approved (?<approved>\d+), refused \d+ expired, \d+ paused, \d+ exposure, (?<notional>\d+) daily notional")]
    private static partial Regex LeaveLine();

    [GeneratedRegex(@"cluster: node (?<node>\w+) left: lease approved \d+, refused (?<expired>\d+) expired")]
    private static partial Regex NodeExpiredLine();

    [GeneratedRegex(@"day's notional used before this start (?<usd>[0-9.]+) USD \(its lease's last reading \+ (?<fills>\d+) fills counted by leg\)")]
    private static partial Regex AdoptedLine();

    [Fact]
    public async Task Two_engine_processes_share_the_days_notional_and_the_survivor_sees_the_killed_one_go_silent()
    {
        using var nats = new NatsServer();
        using var folder = new TempFolder();
        // Trades of at most 2,000 USD: many fit the day, so the node started first cannot take all of it before the other
        // joins (a node's lease holds at least one trade at the per-trade cap).
        string config = Config(folder, dayLimit: true);

        using ChildProcess b = Engine(folder, "b", nats.Url, config, "120s", "--no-dashboard");
        await b.WaitStartedAsync();
        // a is stopped by the test once it has seen what it must, not by its duration: a loaded box takes longer than any fixed one.
        using ChildProcess a = Engine(folder, "a", nats.Url, config, "120s", "--dashboard-url", "http://127.0.0.1:0");
        await a.WaitStartedAsync();
        using HttpClient http = await DashboardAsync(a);

        // Both nodes in a's view, each with fills, read from the streams.
        await Until(() => ClusterAsync(http), c => Node(c, "a")?.Fills > 0 && Node(c, "b")?.Fills > 0, () => "both nodes never showed fills");

        b.Signal("KILL");
        Assert.NotEqual(0, await b.WaitExitAsync());
        Cluster afterKill = await Until(() => ClusterAsync(http), c => Node(c, "b")?.State == "silent", () => "b never went silent in a's view");
        Assert.Equal("trading", Node(afterKill, "a")!.State);

        a.Signal("TERM");
        Assert.Equal(0, await a.WaitExitAsync());
        Match left = LeaveLine().Match(a.Out);
        Assert.True(left.Success, a.Out + a.Err);
        Assert.True(long.Parse(left.Groups["approved"].Value, CultureInfo.InvariantCulture) > 0, left.Value);
        Assert.True(long.Parse(left.Groups["notional"].Value, CultureInfo.InvariantCulture) > 0, "the day's notional never bound: " + left.Value);

        // The bucket never granted more than the limit across the two nodes (b's shares stay counted after its kill).
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        string key = "notional." + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var entry = await observer.Limits.TryGetEntryAsync(key);
        Assert.True(entry.Success, "no notional shares in the bucket");
        Assert.True(LimitShares.TryParse(entry.Value.Value, out LimitShares? shares, out string? error), error);
        Assert.True(shares!.TotalGranted() <= ClusterLease.ToMicros(DailyNotionalLimitUsd), $"granted {shares.TotalGranted() / ClusterLease.Scale} USD");
        Assert.Equal(2, shares.Nodes.Count);

        // Every fill in the stream once, none missing, for the killed node too.
        Assert.All(afterKill.Nodes, n => Assert.True(n.Duplicates == 0 && n.Gaps == 0, $"{n}; a: {a.Out}"));
    }

    [Fact]
    public async Task A_paper_engine_that_loses_nats_stops_trading_once_its_lease_runs_out_and_still_stops_cleanly()
    {
        // NATS killed under a running engine: its lease runs out and it refuses every action, and a clean stop while NATS
        // is away ends within its guards (the shares' give-back once waited for the server without end).
        using var nats = new NatsServer();
        using var folder = new TempFolder();
        string config = Config(folder, dayLimit: false);
        long startedNs = ClusterBus.NowNs();
        using ChildProcess a = Engine(folder, "a", nats.Url, config, "120s", "--no-dashboard");
        await a.WaitStartedAsync();
        await using (ClusterBus watcher = await ClusterBus.ConnectAsync(nats.Url, "watcher"))
        {
            await Until(() => FillsAsync(watcher), f => f.Count > 0, () => "a never filled: " + a.Out + a.Err);
        }

        long killedNs = ClusterBus.NowNs();
        nats.Kill();
        // The lease (2 s) runs out while the market goes on deciding; a few seconds more of refusals.
        await Task.Delay(TimeSpan.FromSeconds(5));
        a.Signal("TERM");
        Assert.Equal(0, await a.WaitExitAsync());
        Match left = NodeExpiredLine().Match(a.Out);
        Assert.True(left.Success, a.Out + a.Err);
        Assert.True(long.Parse(left.Groups["expired"].Value, CultureInfo.InvariantCulture) > 0, "the lease never ran out without NATS: " + left.Value);

        // Every fill the stream holds was made on a confirmed lease: on today's wall clock, none later than the lease's
        // last confirmation could reach (TTL 2 s after the kill, plus a second for the order to fill).
        nats.Start();
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        List<Fill> fills = await FillsAsync(observer);
        Assert.NotEmpty(fills);
        Assert.All(fills, f => Assert.InRange(f.TimeNs, startedNs, killedNs + 3_000_000_000));
    }

    [Fact]
    public async Task An_engine_stopped_past_its_lease_reads_nothing_meanwhile_then_its_view_catches_up_and_it_trades_again()
    {
        // The slowest consumer there is: b's process stopped (SIGSTOP) for longer than its lease while a trades on. a's
        // view shows b silent; woken, b's own view reads everything a filled meanwhile, once each, and b trades again on a
        // lease confirmed anew. (No day limit: a used-up day would stop a's fills, which this test waits for.)
        using var nats = new NatsServer();
        using var folder = new TempFolder();
        string config = Config(folder, dayLimit: false);
        using ChildProcess a = Engine(folder, "a", nats.Url, config, "120s", "--dashboard-url", "http://127.0.0.1:0");
        await a.WaitStartedAsync();
        using ChildProcess b = Engine(folder, "b", nats.Url, config, "120s", "--dashboard-url", "http://127.0.0.1:0");
        await b.WaitStartedAsync();
        using HttpClient aHttp = await DashboardAsync(a);
        using HttpClient bHttp = await DashboardAsync(b);
        await Until(() => ClusterAsync(aHttp), c => Node(c, "a")?.Fills > 0 && Node(c, "b")?.Fills > 0, () => "both nodes never showed fills");

        b.Signal("STOP");
        long stoppedNs = ClusterBus.NowNs();
        Cluster stopped = await Until(() => ClusterAsync(aHttp), c => Node(c, "b")?.State == "silent", () => "b never went silent in a's view");
        long aFills = Node(stopped, "a")!.Fills;
        await Until(() => ClusterAsync(aHttp), c => Node(c, "a")?.Fills > aFills + 2, () => "a stopped filling while b was stopped");
        long leaseLeftNs = stoppedNs + 3_000_000_000 - ClusterBus.NowNs(); // stopped past b's lease (2 s)
        if (leaseLeftNs > 0)
        {
            await Task.Delay(TimeSpan.FromTicks(leaseLeftNs / 100));
        }

        long resumedNs = ClusterBus.NowNs();
        b.Signal("CONT");
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        long aFilledWhileStopped = (await FillsAsync(observer, "a")).Count;
        Cluster caughtUp = await Until(() => ClusterAsync(bHttp), c => Node(c, "a") is { } n && n.Fills >= aFilledWhileStopped,
            () => "b's view never caught up with a's fills: " + b.Out + b.Err);
        Assert.All(caughtUp.Nodes, n => Assert.True(n.Duplicates == 0 && n.Gaps == 0, n.ToString()));
        await Until(() => FillsAsync(observer, "b"), f => f.Any(x => x.TimeNs > resumedNs), () => "b never filled after it woke: " + b.Out + b.Err);
        await Until(() => ClusterAsync(aHttp), c => Node(c, "b")?.State == "trading", () => "b never showed trading again in a's view");

        Cluster end = await ClusterAsync(aHttp);
        Assert.All(end.Nodes, n => Assert.True(n.Duplicates == 0 && n.Gaps == 0, n.ToString()));
        b.Signal("TERM");
        a.Signal("TERM");
        Assert.Equal(0, await b.WaitExitAsync());
        Assert.Equal(0, await a.WaitExitAsync());
    }

    [Fact]
    public async Task An_engine_partitioned_from_nats_stops_trading_within_its_lease_and_trades_again_once_healed()
    {
        // b reaches NATS only through a loopback proxy, so cutting the proxy partitions b alone. a trades on; b refuses
        // every action once its lease (2 s) runs out; healed, b's queued fills land once each and it trades again.
        using var nats = new NatsServer();
        using var proxy = new TcpProxy(() => nats.Port);
        using var folder = new TempFolder();
        string config = Config(folder, dayLimit: false);
        using ChildProcess a = Engine(folder, "a", nats.Url, config, "120s", "--dashboard-url", "http://127.0.0.1:0");
        await a.WaitStartedAsync();
        using ChildProcess b = Engine(folder, "b", proxy.Url, config, "120s", "--no-dashboard");
        await b.WaitStartedAsync();
        using HttpClient http = await DashboardAsync(a);
        await Until(() => ClusterAsync(http), c => Node(c, "a")?.Fills > 0 && Node(c, "b")?.Fills > 0, () => "both nodes never showed fills");

        long cutNs = ClusterBus.NowNs();
        proxy.Cut();
        Cluster cut = await Until(() => ClusterAsync(http), c => Node(c, "b")?.State == "silent", () => "b never went silent in a's view: " + b.Out + b.Err);
        Assert.Equal("trading", Node(cut, "a")!.State);
        long aFills = Node(cut, "a")!.Fills;
        await Until(() => ClusterAsync(http), c => Node(c, "a")?.Fills > aFills, () => "a stopped filling while b was cut off");
        await Task.Delay(TimeSpan.FromSeconds(2)); // well past b's lease: the market goes on deciding for it

        long healNs = ClusterBus.NowNs();
        proxy.Heal();
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        await Until(() => FillsAsync(observer, "b"), f => f.Any(x => x.TimeNs > healNs), () => "b never filled after the heal: " + b.Out + b.Err);
        await Until(() => ClusterAsync(http), c => Node(c, "b")?.State == "trading", () => "b never showed trading again in a's view");

        b.Signal("TERM");
        Assert.Equal(0, await b.WaitExitAsync());
        Cluster end = await Until(() => ClusterAsync(http), c => Node(c, "b")?.State is "stopped" or "silent", () => "b's stop never reached a's view");
        a.Signal("TERM");
        Assert.Equal(0, await a.WaitExitAsync());

        // None of b's fills was made on an unconfirmed lease: nothing between a TTL (plus a second to fill) after the cut
        // and the heal. Every fill of either node is in the stream once.
        List<Fill> bFills = await FillsAsync(observer, "b");
        Assert.DoesNotContain(bFills, f => f.TimeNs > cutNs + 3_000_000_000 && f.TimeNs < healNs);
        Assert.All(end.Nodes, n => Assert.True(n.Duplicates == 0 && n.Gaps == 0, n.ToString()));
        Match left = NodeExpiredLine().Match(b.Out);
        Assert.True(left.Success && left.Groups["node"].Value == "b", b.Out + b.Err);
        Assert.True(long.Parse(left.Groups["expired"].Value, CultureInfo.InvariantCulture) > 0, "b's lease never ran out while cut off: " + left.Value);
    }

    [Fact]
    public async Task After_the_engine_and_nats_both_restart_the_node_adopts_its_days_shares_and_numbers_its_fills_on()
    {
        // Everything restarts: the engine killed (SIGKILL), then NATS killed and started on its store, then the engine
        // started again with the same node name. It reads its fills back, so its numbering goes on without a gap or a
        // duplicate, and it adopts its share of the day less what its lease had used, so the day is not spent twice.
        using var nats = new NatsServer();
        using var folder = new TempFolder();
        string config = Config(folder, dayLimit: true);
        using (ChildProcess first = Engine(folder, "a", nats.Url, config, "120s", "--no-dashboard"))
        {
            await first.WaitStartedAsync();
            await using (ClusterBus watcher = await ClusterBus.ConnectAsync(nats.Url, "watcher"))
            {
                await Until(() => FillsAsync(watcher), f => f.Count >= 4, () => "a never filled: " + first.Out + first.Err);
            }

            first.Signal("KILL");
            Assert.NotEqual(0, await first.WaitExitAsync());
        }

        nats.Kill();
        nats.Start();
        List<Fill> before;
        double grantedBeforeUsd;
        double stateNotionalUsd;
        await using (ClusterBus watcher = await ClusterBus.ConnectAsync(nats.Url, "watcher"))
        {
            before = await FillsAsync(watcher);
            grantedBeforeUsd = (await NotionalSharesAsync(watcher)).Nodes["a"].Granted / ClusterLease.Scale;
            var state = await StreamReading.LastAsync(watcher.JetStream, ClusterBus.StateStream, "ll.state.a");
            Assert.True(state.HasValue, "a has no state in the stream");
            Assert.True(DayNotionalCount.TryReadMark(state.Value.Data, 0, out _, out stateNotionalUsd), "a's last state has no reading");
        }

        using ChildProcess again = Engine(folder, "a", nats.Url, config, "120s", "--no-dashboard");
        await again.WaitStartedAsync();
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        await Until(() => FillsAsync(observer), f => f.Count > before.Count, () => "a never filled after its restart: " + again.Out + again.Err);
        again.Signal("TERM");
        Assert.Equal(0, await again.WaitExitAsync());

        List<Fill> fills = await FillsAsync(observer);
        Assert.Equal(Enumerable.Range(1, fills.Count).Select(i => (long)i), fills.Select(f => f.Seq));
        LimitShares shares = await NotionalSharesAsync(observer);
        Assert.True(shares.TotalGranted() <= ClusterLease.ToMicros(DailyNotionalLimitUsd), $"granted {shares.TotalGranted() / ClusterLease.Scale} USD");

        // The restarted node counts as used what its lease had used at its last reading (each fill and state carries one),
        // so each pair once, not both its legs (which the fills' own notional sums). Counting fills by leg fails the first
        // two checks; adoption lost, the node would count only what it used since and fail the last.
        Match adopted = AdoptedLine().Match(again.Out);
        Assert.True(adopted.Success, "no adoption in the join line: " + again.Out);
        Assert.Equal("0", adopted.Groups["fills"].Value);
        double expectedUsd = Math.Max(stateNotionalUsd, before.Max(f => f.NotionalToday ?? 0));
        double adoptedLineUsd = double.Parse(adopted.Groups["usd"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(expectedUsd, adoptedLineUsd, 0.006);
        double usedUsd = shares.Nodes["a"].Used / ClusterLease.Scale;
        double adoptedUsd = Math.Min(grantedBeforeUsd, expectedUsd);
        Assert.True(usedUsd >= adoptedUsd - 0.01, $"the day's share used {usedUsd} USD, less than the {adoptedUsd} USD the node held used before the restart");
    }

    private static async Task<LimitShares> NotionalSharesAsync(ClusterBus bus)
    {
        string key = "notional." + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var entry = await bus.Limits.TryGetEntryAsync(key);
        Assert.True(entry.Success, key + " is not in the limits bucket");
        Assert.True(LimitShares.TryParse(entry.Value.Value, out LimitShares? shares, out string? error), error);
        return shares!;
    }

    private sealed record Fill(long Seq, double Notional, long TimeNs, double? NotionalToday);

    // The node's fills in the stream, in order.
    private static async Task<List<Fill>> FillsAsync(ClusterBus bus, string node = "a")
    {
        var fills = new List<Fill>();
        await StreamReading.ReadAllAsync(bus.JetStream, ClusterBus.FillsStream, "ll.fill." + node, (_, data) =>
        {
            using JsonDocument fill = JsonDocument.Parse(data.ToArray());
            JsonElement f = fill.RootElement;
            fills.Add(new Fill(f.GetProperty("seq").GetInt64(), f.GetProperty("notional").GetDouble(), f.GetProperty("ts").GetInt64(),
                DayNotionalCount.TryReading(f, out double reading) ? reading : null));
        });
        return fills;
    }

    // Trades of at most 2,000 USD, and with dayLimit the cluster's day of 60,000 USD.
    private static string Config(TempFolder folder, bool dayLimit)
    {
        string config = folder.File("cluster.json");
        string cluster = dayLimit ? string.Create(CultureInfo.InvariantCulture, $$""" "cluster": { "dailyNotionalLimitUsd": {{DailyNotionalLimitUsd}} },""") : "";
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture,
            $$"""{{{cluster}} "execution": { "risk": { "maxTradeNotionalUsd": {{MaxTradeNotionalUsd}} } } }"""));
        return config;
    }

    private static ChildProcess Engine(TempFolder folder, string node, string url, string config, string duration, params string[] dashboard) =>
        ChildProcess.StartDll(folder.Path, "cluster: node " + node + " joined",
        [
            "run", "--mode", "paper", "--cluster", url, "--node", node, "--duration", duration, "--config", config,
            "--log", folder.File(node + ".log"), "--no-db", .. dashboard,
        ]);

    // The engine's dashboard (started with --dashboard-url http://127.0.0.1:0), once it has said where it listens.
    private static async Task<HttpClient> DashboardAsync(ChildProcess engine)
    {
        Match dashboard = await Until(() => DashboardLine().Match(engine.Out), m => m.Success, () => "no dashboard line: " + engine.Out + engine.Err);
        return new HttpClient { BaseAddress = new Uri(dashboard.Groups["url"].Value), Timeout = TimeSpan.FromSeconds(10) };
    }

    private static async Task<Cluster> ClusterAsync(HttpClient http)
    {
        using JsonDocument body = JsonDocument.Parse(await http.GetStringAsync("/api/cluster"));
        var nodes = new List<ClusterNodeRow>();
        foreach (JsonElement n in body.RootElement.GetProperty("nodes").EnumerateArray())
        {
            nodes.Add(new ClusterNodeRow(n.GetProperty("name").GetString()!, n.GetProperty("state").GetString()!, n.GetProperty("fills").GetInt64(),
                n.GetProperty("duplicates").GetInt64(), n.GetProperty("gaps").GetInt64()));
        }

        return new Cluster(nodes);
    }

    private static ClusterNodeRow? Node(Cluster cluster, string name) => cluster.Nodes.FirstOrDefault(n => n.Name == name);

    private static async Task<T> Until<T>(Func<T> read, Func<T, bool> done, Func<string> why) => await Until(() => Task.FromResult(read()), done, why);

    private static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, Func<string> why)
    {
        DateTime giveUp = DateTime.UtcNow + ChildProcess.HangGuard;
        while (true)
        {
            T value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < giveUp, why());
            await Task.Delay(200);
        }
    }

    private sealed record Cluster(IReadOnlyList<ClusterNodeRow> Nodes);

    private sealed record ClusterNodeRow(string Name, string State, long Fills, long Duplicates, long Gaps);
}
