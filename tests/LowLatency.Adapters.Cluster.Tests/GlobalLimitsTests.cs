using System.Globalization;
using LowLatency.Adapters.Cluster.Limits;
using LowLatency.Adapters.Cluster.Tests.Fixtures;
using LowLatency.Testing.Nats;
using LowLatency.HotPath.Risk;
using NATS.Client.KeyValueStore;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>
/// Three in-process nodes, each behind its own loopback proxy to one real nats-server, trade random actions on worker
/// threads (the strategy threads' stand-in) while a referee counts what is really open across all of them. Faults: the
/// server killed and restarted, one node partitioned and healed. The referee's sums must never pass a global limit.
/// </summary>
[Trait("Category", "Slow")]
public sealed class GlobalLimitsTests(ITestOutputHelper output)
{
    private const double ExposureLimit = 2_000;

    private static ClusterOptions Options(string url, string node, double notional = 1e12, double loss = 1e9) => new()
    {
        Url = url,
        Node = node,
        Assets = ["BTC", "ETH"],
        Venues = ["binance", "okx", "kraken"],
        ExposureLimitUsd = ExposureLimit,
        DailyNotionalLimitUsd = notional,
        DailyLossLimitUsd = loss,
        LeaseChunkFraction = 0.1,
        RefillInterval = TimeSpan.FromMilliseconds(50),
        LeaseTtl = TimeSpan.FromMilliseconds(600),
        StateInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>What is really open across the cluster, kept by the workers; a limit is broken iff these pass it.</summary>
    private sealed class Referee
    {
        public readonly long[] Open = new long[6];
        public long Notional;
        public long Loss;
        public long Violations;
        public long MaxOpen;

        public void Check(int slot, long limitMicros)
        {
            long open = Interlocked.Read(ref Open[slot]);
            if (open > limitMicros)
            {
                Interlocked.Increment(ref Violations);
            }

            long max;
            while (open > (max = Interlocked.Read(ref MaxOpen)) && Interlocked.CompareExchange(ref MaxOpen, open, max) != max)
            {
            }
        }
    }

    private sealed class Worker
    {
        private readonly ClusterNode _node;
        private readonly Referee _referee;
        private readonly Thread _thread;
        private readonly int _seed;
        private readonly double _lossPerTrade;
        private volatile bool _stop;
        public long Approved;
        public long Expired;

        /// <summary>Set by the test: an approval evaluated at or after this Unix ns is a lease used past its validity.</summary>
        public long DeadlineNs = long.MaxValue;
        public long LateApprovals;

        /// <summary>Set with <see cref="DeadlineNs"/>: only approvals while the node's client is still on this server are
        /// late (a server it failed over to can confirm a new lease).</summary>
        public volatile string? CutServer;
        public volatile string LateDetail = "";

        public Worker(ClusterNode node, Referee referee, int seed, double lossPerTrade = 0)
        {
            _node = node;
            _referee = referee;
            _seed = seed;
            _lossPerTrade = lossPerTrade;
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        public void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        private void Run()
        {
            var rng = new Random(_seed);
            var lease = _node.Lease;
            while (!_stop)
            {
                int asset = rng.Next(2);
                int buy = rng.Next(3);
                int sell = rng.Next(3);
                double usd = 50 + rng.Next(250);
                var action = new RiskAction
                {
                    Asset = new InstrumentId((ushort)asset), BuyVenue = new VenueId((byte)buy), SellVenue = new VenueId((byte)sell),
                    ChainSlot = -1, Legs = 2, NotionalUsd = usd, OldestQuoteNs = ClusterBus.NowNs(),
                };
                long now = ClusterBus.NowNs();
                var verdict = lease.TryReserve(action, now);
                if (verdict == LeaseDenial.None && now >= Interlocked.Read(ref DeadlineNs) &&
                    (CutServer is not { } cut || string.Equals(_node.Bus.Connection.ServerInfo?.Name, cut, StringComparison.Ordinal)))
                {
                    Interlocked.Increment(ref LateApprovals);
                    LateDetail = $"now-deadline {(now - DeadlineNs) / 1e6} ms, validUntil-deadline {(lease.ValidUntilNs - DeadlineNs) / 1e6} ms";
                }

                if (verdict == LeaseDenial.Expired)
                {
                    Interlocked.Increment(ref Expired);
                }

                if (verdict != LeaseDenial.None)
                {
                    Thread.Sleep(1);
                    continue;
                }

                Interlocked.Increment(ref Approved);
                long micros = ClusterLease.ToMicros(usd);
                int b = (asset * 3) + buy;
                int s = (asset * 3) + sell;
                Interlocked.Add(ref _referee.Open[b], micros);
                if (s != b)
                {
                    Interlocked.Add(ref _referee.Open[s], micros);
                }

                Interlocked.Add(ref _referee.Notional, micros);
                _referee.Check(b, ClusterLease.ToMicros(ExposureLimit));
                _referee.Check(s, ClusterLease.ToMicros(ExposureLimit));
                Thread.Sleep(rng.Next(3));

                // The position is closed before its exposure is handed back.
                Interlocked.Add(ref _referee.Open[b], -micros);
                if (s != b)
                {
                    Interlocked.Add(ref _referee.Open[s], -micros);
                }

                lease.Release(action);
                if (_lossPerTrade > 0)
                {
                    Interlocked.Add(ref _referee.Loss, ClusterLease.ToMicros(_lossPerTrade));
                    lease.OnTradeClosed(-_lossPerTrade);
                }
            }
        }
    }

    // What the workers really held never passed the limit, and neither did the shares written to the bucket.
    private static async Task AssertExposureNeverPastTheLimitAsync(Referee referee, ClusterNode node)
    {
        Assert.Equal(0, referee.Violations);
        Assert.True(referee.MaxOpen <= ClusterLease.ToMicros(ExposureLimit));
        foreach (var key in new[] { "exp.BTC.binance", "exp.BTC.okx", "exp.BTC.kraken", "exp.ETH.binance", "exp.ETH.okx", "exp.ETH.kraken" })
        {
            Assert.True(await SumGrantedAsync(node.Bus.Limits, key) <= ClusterLease.ToMicros(ExposureLimit), key);
        }
    }

    private static async Task<long> SumGrantedAsync(ClusterBucket store, string key)
    {
        var entry = await ReadAfterFaultsAsync(store, key);
        if (!entry.Success)
        {
            return 0;
        }

        Assert.True(LimitShares.TryParse(entry.Value.Value, out var shares, out var error), error);
        return shares!.TotalGranted();
    }

    // Right after a server of a cluster restarts, JetStream may answer "temporarily unavailable" (10008) while its
    // leaders settle: the read is asked again, as the refiller's next round would.
    private static async Task<NATS.Client.Core.NatsResult<NATS.Client.KeyValueStore.NatsKVEntry<byte[]>>> ReadAfterFaultsAsync(ClusterBucket store, string key)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await store.TryGetEntryAsync(key);
            }
            catch (NATS.Client.JetStream.NatsJSApiException e) when (e.Error.ErrCode == 10008 && attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }

    [Fact]
    public async Task Exposure_limits_hold_across_three_nodes_through_a_server_kill_a_restart_and_a_partition()
    {
        using var nats = new NatsServer();
        using var proxyA = new TcpProxy(() => nats.Port);
        using var proxyB = new TcpProxy(() => nats.Port);
        using var proxyC = new TcpProxy(() => nats.Port);
        await using var a = await ClusterNode.StartAsync(Options(proxyA.Url, "a"));
        await using var b = await ClusterNode.StartAsync(Options(proxyB.Url, "b"));
        await using var c = await ClusterNode.StartAsync(Options(proxyC.Url, "c"));
        var referee = new Referee();
        var workers = new[] { new Worker(a, referee, 1), new Worker(b, referee, 2), new Worker(c, referee, 3) };
        try
        {
            await Poll.UntilAsync(() => workers.All(w => Interlocked.Read(ref w.Approved) > 200), "every node trades");

            // Contention is real: the limit binds (some node was refused for exposure).
            await Poll.UntilAsync(() => a.Lease.Denied(LeaseDenial.Exposure) + b.Lease.Denied(LeaseDenial.Exposure) + c.Lease.Denied(LeaseDenial.Exposure) > 0,
                "the exposure limit binds");

            // NATS killed: every node trades on what it has left, then stops (never unlimited). No confirmation can come
            // after the kill, so no approval may be evaluated a TTL or more after it.
            long ttlNs = Options("x", "x").LeaseTtl.Ticks * 100;
            nats.Kill();

            // Taken once the server is dead (Kill waits for its exit): until then it may still answer.
            long killedNs = ClusterBus.NowNs();
            foreach (var w in workers)
            {
                Interlocked.Exchange(ref w.DeadlineNs, killedNs + ttlNs);
            }

            await Poll.UntilAsync(() => new[] { a, b, c }.All(n => n.TradingState == "lease-expired"), "every lease runs out with NATS down");
            await Poll.UntilAsync(() => workers.All(w => Interlocked.Read(ref w.Expired) > 50), "trading refused while down");
            Assert.True(workers.Sum(w => Interlocked.Read(ref w.LateApprovals)) == 0, "approved a TTL after NATS was killed: " + string.Join("; ", workers.Select(w => w.LateDetail)));
            foreach (var w in workers)
            {
                Interlocked.Exchange(ref w.DeadlineNs, long.MaxValue);
            }

            // Restarted (same port, same store): every node refills and trades again.
            nats.Start();
            long before = workers.Sum(w => Interlocked.Read(ref w.Approved));
            await Poll.UntilAsync(() => new[] { a, b, c }.All(n => n.TradingState == "trading"), "every node trades after the restart");
            await Poll.UntilAsync(() => workers.Sum(w => Interlocked.Read(ref w.Approved)) > before + 300, "approvals resume");

            // c partitioned: only c stops; a and b go on, and c's share stays held for it.
            proxyC.Cut();
            long cutNs = ClusterBus.NowNs();
            Interlocked.Exchange(ref workers[2].DeadlineNs, cutNs + ttlNs);
            await Poll.UntilAsync(() => c.TradingState == "lease-expired", "the partitioned node stops");
            long abBefore = Interlocked.Read(ref workers[0].Approved) + Interlocked.Read(ref workers[1].Approved);
            await Poll.UntilAsync(() => Interlocked.Read(ref workers[0].Approved) + Interlocked.Read(ref workers[1].Approved) > abBefore + 300, "a and b go on");
            await Poll.UntilAsync(() => Interlocked.Read(ref workers[2].Expired) > 50, "c refused while cut off");
            Assert.True(Interlocked.Read(ref workers[2].LateApprovals) == 0, "approved a TTL after the partition");
            long cApproved = Interlocked.Read(ref workers[2].Approved);
            Interlocked.Exchange(ref workers[2].DeadlineNs, long.MaxValue);

            proxyC.Heal();
            await Poll.UntilAsync(() => c.TradingState == "trading" && Interlocked.Read(ref workers[2].Approved) > cApproved + 50, "the healed node trades again");
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Stop();
            }
        }

        await AssertExposureNeverPastTheLimitAsync(referee, a);
    }

    [Fact]
    public async Task Limits_hold_on_a_three_server_nats_cluster_when_the_limits_leader_is_cut_off_and_when_a_server_is_killed()
    {
        // Three nats-server processes in one JetStream cluster, the streams and buckets on all three (R3); each node
        // talks to its own server. Freezing a server (SIGSTOP) cuts it off from its peers and its client at once, its
        // sockets open, as a partition looks. The frozen one is the limits bucket's leader: the worst case, an election.
        NatsServer[] servers = NatsServer.StartCluster(3);
        using NatsServer n1 = servers[0];
        using NatsServer n2 = servers[1];
        using NatsServer n3 = servers[2];
        await Poll.UntilAsync(() => servers.Any(s => s.Log.Contains("JetStream cluster new metadata leader", StringComparison.Ordinal)), "the JetStream cluster elects a leader");
        await using var a = await StartWithRetryAsync(Options(n1.Url, "a") with { Replicas = 3 });
        await using var b = await StartWithRetryAsync(Options(n2.Url, "b") with { Replicas = 3 });
        await using var c = await StartWithRetryAsync(Options(n3.Url, "c") with { Replicas = 3 });
        ClusterNode[] nodes = [a, b, c];
        var referee = new Referee();
        var workers = new[] { new Worker(a, referee, 11), new Worker(b, referee, 12), new Worker(c, referee, 13) };
        int cut = -1;
        try
        {
            await Poll.UntilAsync(() => workers.All(w => Interlocked.Read(ref w.Approved) > 200), "every node trades");
            await Poll.UntilAsync(() => nodes.Sum(n => n.Lease.Denied(LeaseDenial.Exposure)) > 0, "the exposure limit binds");

            // The leader's server cut off: the two others elect a new leader and their nodes go on. The cut-off node
            // cannot confirm its lease and stops a TTL after the cut at the latest (its shares stay counted for it);
            // its client leaves the silent server after three missed pings and it trades again through another one.
            cut = await LeaderOfAsync(a, "KV_" + ClusterBus.LimitsBucket);
            string cutName = "n" + (cut + 1).ToString(CultureInfo.InvariantCulture);
            int[] others = [.. Enumerable.Range(0, 3).Where(i => i != cut)];
            long ttlNs = Options("x", "x").LeaseTtl.Ticks * 100;
            long othersBefore = others.Sum(i => Interlocked.Read(ref workers[i].Approved));
            long[] confirmedAtCut = [.. others.Select(i => ConfirmedRounds(nodes[i]))];
            var sinceCut = System.Diagnostics.Stopwatch.StartNew();
            workers[cut].CutServer = cutName;
            servers[cut].Freeze();
            Interlocked.Exchange(ref workers[cut].DeadlineNs, ClusterBus.NowNs() + ttlNs);
            await Poll.UntilAsync(() => nodes[cut].TradingState == "lease-expired", "the node on the cut-off server stops");
            long cutApproved = Interlocked.Read(ref workers[cut].Approved);

            // Each of the two goes on: confirmed rounds after the cut (a new leader answers them), then approvals.
            await Poll.UntilAsync(() => others.Select((i, k) => ConfirmedRounds(nodes[i]) > confirmedAtCut[k] + 3).All(x => x), "a new leader confirms the two others' leases");
            long resumedMs = sinceCut.ElapsedMilliseconds;
            await Poll.UntilAsync(() => others.Sum(i => Interlocked.Read(ref workers[i].Approved)) > othersBefore + 300, "the two others trade on two of three servers");
            int newLeader = await LeaderOfAsync(nodes[others[0]], "KV_" + ClusterBus.LimitsBucket);
            Assert.NotEqual(cut, newLeader);
            await Poll.UntilAsync(() => nodes[cut].TradingState == "trading" && Interlocked.Read(ref workers[cut].Approved) > cutApproved + 50,
                "the cut-off node trades again through another server");
            long cutNodeBackMs = sinceCut.ElapsedMilliseconds;
            Assert.NotEqual(cutName, nodes[cut].Bus.Connection.ServerInfo?.Name);
            Assert.True(Interlocked.Read(ref workers[cut].Expired) > 0, "the cut-off node never refused");
            Assert.True(Interlocked.Read(ref workers[cut].LateApprovals) == 0, "the cut-off node approved on its silent server a TTL after the cut: " + workers[cut].LateDetail);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cluster.r3_leader_cut_off: the two others' leases confirmed again after {resumedMs} ms, the cut-off server's node trading through another server after {cutNodeBackMs} ms (leader {cutName} frozen, new leader n{newLeader + 1}, lease TTL {Options("x", "x").LeaseTtl.TotalMilliseconds} ms)"));
            Interlocked.Exchange(ref workers[cut].DeadlineNs, long.MaxValue);

            // Back: the thawed server catches up with the cluster.
            servers[cut].Thaw();
            cut = -1;
            await Poll.UntilAsync(async () => await AllReplicasCurrentAsync(a, "KV_" + ClusterBus.LimitsBucket), "the thawed server catches up with the limits bucket");

            // The current leader's server killed (SIGKILL): its sockets close, so its node's client fails over at once
            // to a server it learnt from the cluster (possibly before its lease runs out: a new server confirms it) and
            // trades on before the killed one is back. Restarted, the server catches up with the streams and buckets.
            int killed = await LeaderOfAsync(a, "KV_" + ClusterBus.LimitsBucket);
            others = [.. Enumerable.Range(0, 3).Where(i => i != killed)];
            string killedName = "n" + (killed + 1).ToString(CultureInfo.InvariantCulture);
            servers[killed].Kill();
            long killedApproved = Interlocked.Read(ref workers[killed].Approved);
            othersBefore = others.Sum(i => Interlocked.Read(ref workers[i].Approved));
            await Poll.UntilAsync(() => others.Sum(i => Interlocked.Read(ref workers[i].Approved)) > othersBefore + 300, "the two others trade with a server killed");
            await Poll.UntilAsync(() => nodes[killed].Bus.Connection.ServerInfo?.Name is { } on && on != killedName &&
                nodes[killed].TradingState == "trading" && Interlocked.Read(ref workers[killed].Approved) > killedApproved + 50,
                "the node on the killed server trades on through another server");
            servers[killed].Start();
            await Poll.UntilAsync(async () => await AllReplicasCurrentAsync(a, "KV_" + ClusterBus.LimitsBucket), "the restarted server catches up with the limits bucket");
        }
        finally
        {
            if (cut >= 0)
            {
                servers[cut].Thaw(); // never leave a frozen process behind a failed assertion
            }

            foreach (var w in workers)
            {
                w.Stop();
            }
        }

        await AssertExposureNeverPastTheLimitAsync(referee, a);
    }

    // The server ("n1".."n3") that leads a stream's group now, as an index into the cluster's servers.
    private static async Task<int> LeaderOfAsync(ClusterNode node, string stream)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var info = await node.Bus.JetStream.GetStreamAsync(stream);
                if (info.Info.Cluster?.Leader is ['n', var digit] && digit is >= '1' and <= '3')
                {
                    return digit - '1';
                }
            }
            catch (NATS.Client.JetStream.NatsJSException) when (attempt < 20)
            {
            }

            Assert.True(attempt < 20, stream + " has no leader");
            await Task.Delay(250);
        }
    }

    private static async Task<bool> AllReplicasCurrentAsync(ClusterNode node, string stream)
    {
        try
        {
            var cluster = (await node.Bus.JetStream.GetStreamAsync(stream)).Info.Cluster;
            return cluster?.Leader != null && cluster.Replicas is { Count: 2 } replicas && replicas.All(r => r.Current && !r.Offline);
        }
        catch (NATS.Client.Core.NatsException)
        {
            return false; // the cluster is still settling
        }
    }

    private static long ConfirmedRounds(ClusterNode node) => node.Refiller.Rounds - node.Refiller.FailedRounds;

    // A fresh JetStream cluster may still be placing its first streams' replicas: a start that meets that is tried again.
    private static async Task<ClusterNode> StartWithRetryAsync(ClusterOptions options)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await ClusterNode.StartAsync(options);
            }
            catch (NATS.Client.JetStream.NatsJSApiException) when (attempt < 20)
            {
                await Task.Delay(500);
            }
        }
    }

    [Fact]
    public async Task The_daily_notional_limit_is_shared_out_and_used_up_but_never_exceeded()
    {
        const double limit = 60_000;
        using var nats = new NatsServer();
        var nodes = new List<ClusterNode>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            nodes.Add(await ClusterNode.StartAsync(Options(nats.Url, name, notional: limit)));
        }

        var referee = new Referee();
        var workers = nodes.Select((n, i) => new Worker(n, referee, 10 + i)).ToArray();
        try
        {
            // Used up to within one action per node: headroom left in one node's share moves to whoever asks.
            await Poll.UntilAsync(() => Interlocked.Read(ref referee.Notional) >= ClusterLease.ToMicros(limit - (3 * 300)), "the limit is used up");

            // The refillers keep asking; the limit stays shut.
            long rounds = nodes.Sum(n => n.Refiller.Rounds);
            await Poll.UntilAsync(() => nodes.Sum(n => n.Refiller.Rounds) > rounds + 30, "more refill rounds");
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Stop();
            }
        }

        long total = Interlocked.Read(ref referee.Notional);
        Assert.True(total <= ClusterLease.ToMicros(limit), $"{total} > limit");

        string day = nodes[0].Refiller.KeyOf(nodes[0].Lease.NotionalSlot);
        Assert.True(await SumGrantedAsync(nodes[0].Bus.Limits, day) <= ClusterLease.ToMicros(limit));
        foreach (var n in nodes)
        {
            await n.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_daily_loss_limit_stops_every_node_once_their_shares_are_lost()
    {
        const double limit = 500;
        using var nats = new NatsServer();
        var nodes = new List<ClusterNode>();
        foreach (var name in new[] { "a", "b" })
        {
            nodes.Add(await ClusterNode.StartAsync(Options(nats.Url, name, loss: limit)));
        }

        var referee = new Referee();
        var workers = nodes.Select((n, i) => new Worker(n, referee, 20 + i, lossPerTrade: 7)).ToArray();
        try
        {
            await Poll.UntilAsync(() => nodes.All(n => n.Lease.Denied(LeaseDenial.DailyLoss) > 20), "every node runs out of loss share");
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Stop();
            }
        }

        // A node trades only while its loss share is not used up; each trade loses at most 7, one in flight per node.
        Assert.True(Interlocked.Read(ref referee.Loss) <= ClusterLease.ToMicros(limit + (2 * 7)), $"lost {referee.Loss / ClusterLease.Scale}");
        foreach (var n in nodes)
        {
            await n.DisposeAsync();
        }
    }

    [Fact]
    public async Task One_trade_larger_than_a_chunk_of_the_limit_fits_the_lease_once_the_least_chunk_holds_it()
    {
        // 500 USD against a 2,000 limit: a 10 % chunk (200) never holds it, however often the lease is refilled; a least
        // chunk of the engine's per-trade cap (500) does, and the limit still binds: four fit, a fifth never does.
        var action = new RiskAction
        {
            Asset = new InstrumentId(0), BuyVenue = new VenueId(0), SellVenue = new VenueId(1),
            ChainSlot = -1, Legs = 2, NotionalUsd = 500, OldestQuoteNs = ClusterBus.NowNs(),
        };
        using (var nats = new NatsServer())
        {
            await using var chunks = await ClusterNode.StartAsync(Options(nats.Url, "a"));
            await Poll.UntilAsync(() => chunks.TradingState == "trading", "the node trades");
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // several refill rounds
            LeaseDenial verdict = LeaseDenial.Expired;
            await Poll.UntilAsync(() => (verdict = chunks.Lease.TryReserve(action, ClusterBus.NowNs())) is not (LeaseDenial.Expired or LeaseDenial.Paused),
                "a confirmed lease (a loaded box may miss a confirmation)");
            Assert.Equal(LeaseDenial.Exposure, verdict);
        }

        using (var nats = new NatsServer())
        {
            await using var capped = await ClusterNode.StartAsync(Options(nats.Url, "a") with { MinChunkUsd = 500 });
            await Poll.UntilAsync(() => capped.TradingState == "trading", "the node trades");
            int approved = 0;
            await Poll.UntilAsync(() =>
            {
                approved += capped.Lease.TryReserve(action, ClusterBus.NowNs()) == LeaseDenial.None ? 1 : 0;
                return approved == 4;
            }, "four trades of 500 fit the 2,000 limit");
            DateTime until = DateTime.UtcNow + TimeSpan.FromMilliseconds(500); // ten refill rounds more
            while (DateTime.UtcNow < until)
            {
                Assert.NotEqual(LeaseDenial.None, capped.Lease.TryReserve(action, ClusterBus.NowNs()));
                await Task.Delay(10);
            }
        }
    }

    [Fact]
    public async Task A_bundle_larger_than_the_per_trade_cap_fits_the_days_notional_chunk_and_the_limit_still_binds()
    {
        // A flash-loan bundle takes only the day's notional. 3,000 USD against a 10,000 limit: the 10 % chunk (1,000) and
        // the per-trade cap (500) never hold it; the least notional chunk of the largest bundle (3,000) does, and three
        // fit, a fourth never. The exposure slots keep their own chunk.
        using (var nats = new NatsServer())
        {
            await using var chunks = await ClusterNode.StartAsync(Options(nats.Url, "a", notional: 10_000) with { MinChunkUsd = 500 });
            await Poll.UntilAsync(() => chunks.TradingState == "trading", "the node trades");
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // several refill rounds
            LeaseDenial verdict = LeaseDenial.Expired;
            await Poll.UntilAsync(() => (verdict = chunks.Lease.TryReserveAtomic(3_000, ClusterBus.NowNs())) is not (LeaseDenial.Expired or LeaseDenial.Paused),
                "a confirmed lease (a loaded box may miss a confirmation)");
            Assert.Equal(LeaseDenial.DailyNotional, verdict);
        }

        using var server = new NatsServer();
        await using var node = await ClusterNode.StartAsync(Options(server.Url, "a", notional: 10_000) with { MinChunkUsd = 500, MinNotionalChunkUsd = 3_000 });
        await Poll.UntilAsync(() => node.TradingState == "trading", "the node trades");
        int approved = 0;
        await Poll.UntilAsync(() =>
        {
            approved += node.Lease.TryReserveAtomic(3_000, ClusterBus.NowNs()) == LeaseDenial.None ? 1 : 0;
            return approved == 3;
        }, "three bundles of 3,000 fit the 10,000 limit");
        DateTime until = DateTime.UtcNow + TimeSpan.FromMilliseconds(500); // ten refill rounds more
        while (DateTime.UtcNow < until)
        {
            Assert.NotEqual(LeaseDenial.None, node.Lease.TryReserveAtomic(3_000, ClusterBus.NowNs()));
            await Task.Delay(10);
        }

        Assert.InRange(node.Refiller.Granted(node.Lease.NotionalSlot), ClusterLease.ToMicros(9_000), ClusterLease.ToMicros(10_000));
        Assert.Equal(ClusterLease.ToMicros(Math.Max(ExposureLimit * 0.1, 500)), node.Refiller.Granted(node.Lease.ExposureSlot(0, 0)));
    }

    [Fact]
    public async Task A_node_configured_with_other_limits_refuses_to_trade()
    {
        using var nats = new NatsServer();
        await using var a = await ClusterNode.StartAsync(Options(nats.Url, "a"));
        await using var b = await ClusterNode.StartAsync(Options(nats.Url, "b") with { ExposureLimitUsd = ExposureLimit * 2 });
        await Poll.UntilAsync(() => b.Refiller.Status.Contains("will not trade until they agree", StringComparison.Ordinal), "b sees the disagreement");
        Assert.Equal("lease-expired", b.TradingState);
        await Poll.UntilAsync(() => a.TradingState == "trading", "a, configured like the cluster, trades");
    }
}
