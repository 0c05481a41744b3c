using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Adapters.Cluster;
using LowLatency.Adapters.Cluster.Accounts;
using LowLatency.Adapters.Cluster.Limits;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.HotPath.Risk;
using LowLatency.Host.Tests.Support;
using LowLatency.Testing.Nats;
using LowLatency.Testing.Relay;
using Xunit.Abstractions;

namespace LowLatency.Host.Tests.Cli;

/// <summary>
/// Cluster mode on a chain naming our executor, with real processes: a <c>nats-server -js</c>, the flash-loan scene on
/// anvil under a loopback relay, and two <c>lowlatency run --live --execute --cluster</c> engines with one trading key.
/// Node a holds the account and signs bundles the relay keeps missing; b stands by. a is killed with SIGKILL with its
/// bundle out; b takes the account when a's lease ran out, waits until a's last recorded bundle is past its last target,
/// and lands the same route at the same nonce. Shown: the relay never saw a bundle before its record nor for a block past
/// the recorded last target; b's bundles target only blocks after a's could land; one transaction for the nonce is mined.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ClusterOnChainTests : RelayChainTest<RelayChainFixture>, IClassFixture<RelayChainFixture>
{
    private const string Settings = "\"cluster\": { \"accountLeaseSeconds\": 3 }";
    private const ulong TargetBlocks = 3; // OnChainRun's flashbots.targetBlocks
    private readonly TempFolder _folder = new();

    public ClusterOnChainTests(RelayChainFixture fixture, ITestOutputHelper output)
        : base(fixture, output)
    {
    }

    [GeneratedRegex(@"took the trading account over \(lease epoch (?<epoch>\d+)\): (?<records>\d+) records, (?<out>\d+) bundles the chain lacked \(each could land up to block (?<last>\d+), now passed\); next nonce (?<next>\d+)")]
    private static partial Regex TakeOverLine();

    [GeneratedRegex(@"bundle [0-9a-f-]+ missed block (?<block>\d+)")]
    private static partial Regex MissedBlockLine();

    protected override Task CleanUpAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_engine_killed_with_its_bundle_out_hands_the_account_to_the_standby_which_waits_out_that_bundle_and_lands_the_route_at_the_same_nonce()
    {
        using var nats = new NatsServer();
        JsonRpcClient chain = Fixture.Chain.Client;
        ulong before = (await chain.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value;
        int sentBefore = Fixture.Alpha.SentBundles.Count; // the relay keeps every bundle of the class's tests
        Fixture.Alpha.MissNextTargets = int.MaxValue;

        await using OnChainRun.Scene sceneA = await OnChainRun.PrepareAsync(Fixture, _folder, S.Executor, new OnChainRun.Options { Name = "a", MoreSettings = Settings });
        await using OnChainRun.Scene sceneB = await OnChainRun.PrepareAsync(Fixture, _folder, S.Executor, new OnChainRun.Options { Name = "b", MoreSettings = Settings });
        using ChildProcess a = Engine(sceneA, "a", nats.Url);
        await a.WaitStartedAsync();
        await Until(() => Fixture.Alpha.SentBundles.Count > sentBefore, () => "a never sent a bundle: " + a.Out + a.Err + Read(sceneA.Log));
        using ChildProcess b = Engine(sceneB, "b", nats.Url);
        await b.WaitStartedAsync();
        await Until(() => Read(sceneB.Log).Contains("standing by: node a signs for the trading account", StringComparison.Ordinal), () => "b never stood by: " + b.Out + b.Err + Read(sceneB.Log));

        DateTimeOffset killedAt = DateTimeOffset.UtcNow;
        a.Signal("KILL");
        Assert.NotEqual(0, await a.WaitExitAsync());

        // Nothing mines on its own here (the relay mines as it includes): blocks pass until b has taken the account over.
        Match taken = await MineUntil(() => TakeOverLine().Match(Read(sceneB.Log)), m => m.Success, () => "b never took the account over: " + b.Out + b.Err + Read(sceneB.Log));
        Fixture.Alpha.MissNextTargets = 0;
        DateTimeOffset tookOverAt = TakeOverTime(Read(sceneB.Log));
        await Until(() => Read(sceneB.Log).Contains("\"state\":\"Included\"", StringComparison.Ordinal), () => "b's bundle was never included: " + b.Out + b.Err + Read(sceneB.Log));
        b.Signal("TERM");
        Assert.Equal(0, await b.WaitExitAsync());
        string logB = Read(sceneB.Log);
        Output.WriteLine(a.Out + a.Err + Read(sceneA.Log));
        Output.WriteLine(b.Out + b.Err + logB);

        Assert.Equal("2", taken.Groups["epoch"].Value);
        Assert.Equal(before.ToString(CultureInfo.InvariantCulture), taken.Groups["next"].Value);
        ulong aLast = ulong.Parse(taken.Groups["last"].Value, CultureInfo.InvariantCulture);

        // The stream: a's records, then b's, every one for the same nonce (a's never landed), each a bundle with its targets.
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        IReadOnlyList<SignedTxRecord> records = await new NonceLedger(observer.JetStream, "observer", S.Chain.From, S.Chain.ChainId).LoadAsync();
        var stream = await observer.JetStream.GetStreamAsync(ClusterBus.NoncesStream);
        Assert.Equal((long)stream.Info.State.Messages, records.Count);
        Assert.All(records, r => Assert.Equal(before, r.Nonce));
        Assert.Equal(records.OrderBy(r => r.StreamSeq).Select(r => r.Node).ToArray(), records.Select(r => r.Node).Order().ToArray());
        SignedTxRecord[] byA = [.. records.Where(r => r.Node == "a")];
        SignedTxRecord[] byB = [.. records.Where(r => r.Node == "b")];
        Assert.NotEmpty(byA);
        Assert.NotEmpty(byB);
        Assert.Equal(aLast, byA.Max(r => r.LastTargetBlock));

        // b signs the same call at the same nonce and fees as a's last bundle, so its signature can be byte for byte a's
        // (RFC 6979): one transaction, not a second signature, and still b's own record, with b's targets.
        foreach (SignedTxRecord r in byB)
        {
            Assert.True(r.LastTargetBlock - TargetBlocks + 1 > aLast, $"b recorded a bundle for block {r.LastTargetBlock - TargetBlocks + 1} on, where a's could still land (up to {aLast})");
        }

        // The relay: every bundle it was sent is a recorded signature, for a block within that record's targets.
        foreach ((string _, ulong block, string[] txs) in Fixture.Alpha.SentBundles.Skip(sentBefore))
        {
            string hash = Hex.Encode(Keccak256.Hash(Hex.Decode(Assert.Single(txs))));
            Assert.True(records.Any(r => string.Equals(r.Hash, hash, StringComparison.OrdinalIgnoreCase) && block <= r.LastTargetBlock && block + TargetBlocks > r.LastTargetBlock),
                $"the relay got {hash} for block {block}, which no record covers");
        }

        // The chain: one transaction for the nonce, b's; no signature of a's mined unless it is b's too.
        JsonElement included = OnChainRun.Lines(logB).Single(l => l.TryGetProperty("state", out JsonElement s) && s.GetString() == "Included");
        Assert.Equal(before, included.GetProperty("nonce").GetUInt64());
        string txHash = included.GetProperty("txHash").GetString()!;
        Assert.Contains(byB, r => string.Equals(r.Hash, txHash, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before + 1, (await chain.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);
        foreach (SignedTxRecord r in byA.Where(r => !string.Equals(r.Hash, txHash, StringComparison.OrdinalIgnoreCase)))
        {
            Assert.Null((await chain.GetTransactionReceiptAsync(Hex.Decode(r.Hash))).Value);
        }

        // One view: the included bundle is b's fill on the cluster's stream, with the P&L the log gives.
        var fills = new List<JsonElement>();
        await StreamReading.ReadAllAsync(observer.JetStream, ClusterBus.FillsStream, "ll.fill.b", (_, data) => fills.Add(JsonDocument.Parse(data.ToArray()).RootElement.Clone()));
        JsonElement fill = Assert.Single(fills, f => f.GetProperty("venue").GetString() == "anvil");
        Assert.Equal("bundle", fill.GetProperty("side").GetString());
        Assert.Equal(included.GetProperty("pnlUsd").GetDouble(), fill.GetProperty("pnl").GetDouble(), 6);
        Assert.True(fill.GetProperty("fee").GetDouble() > 0);

        Assert.Contains("the trading account's lease is handed back", logB, StringComparison.Ordinal);
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster.bundle_account_failover: a killed → b took the account over {(tookOverAt - killedAt).TotalMilliseconds:0} ms later (lease 3 s; includes the wait for a's bundle past block {aLast})"));
        OnChainRun.AssertNoSecret(a.Out + a.Err + Read(sceneA.Log) + b.Out + b.Err + logB);
    }

    [Fact]
    public async Task A_node_that_holds_the_account_but_cannot_start_the_chain_hands_the_lease_back_so_another_may_sign()
    {
        using var nats = new NatsServer();
        // The Aave pool has no owner() of ours: the start's contract check fails after the lease was taken. A 60 s lease
        // would keep every other node out for a minute had it not been handed back.
        (int exit, string output, string error, string log) = await OnChainRun.RunAsync(Fixture, _folder, Output, S.Aave.Pool, "3s",
            new OnChainRun.Options { MoreSettings = "\"cluster\": { \"accountLeaseSeconds\": 60 }", MoreArgs = ["--cluster", nats.Url, "--node", "a", "--no-db"] });
        Assert.True(exit == 0, error + output);
        Assert.Contains("the trading account's lease is handed back (this node could not start the chain)", log, StringComparison.Ordinal);

        await using ClusterBus other = await ClusterBus.ConnectAsync(nats.Url, "b");
        var lease = new AccountLease(other.Accounts, "b", S.Chain.From, TimeSpan.FromSeconds(60), S.Chain.ChainId);
        Assert.True(await lease.TryAcquireAsync(), "b could not take the account a handed back");
        Assert.Equal(2, lease.Epoch);
        await lease.ReleaseAsync();
        OnChainRun.AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task A_bundle_larger_than_the_nodes_share_of_the_clusters_daily_notional_is_never_recorded_nor_sent()
    {
        using var nats = new NatsServer();
        JsonRpcClient chain = Fixture.Chain.Client;
        ulong before = (await chain.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value;
        int simulations = Fixture.Alpha.Simulations;
        int sent = Fixture.Alpha.SentBundles.Count;

        (int exit, string output, string error, string log) = await OnChainRun.RunAsync(Fixture, _folder, Output, S.Executor, "6s",
            new OnChainRun.Options { MoreSettings = "\"cluster\": { \"accountLeaseSeconds\": 3, \"dailyNotionalLimitUsd\": 1 }", MoreArgs = ["--cluster", nats.Url, "--node", "a", "--no-db"] });

        Assert.True(exit == 0, error + output);
        Assert.Matches(@"bundle nonce \d+: its notional, [0-9.]+ USD, does not fit this node's share of the cluster's daily notional limit \(1 USD left\); not sent", log);
        Assert.Matches(@"bundles approved 0, refused 0 expired, 0 paused, [1-9]\d* daily notional, 0 daily loss", output);
        Assert.Equal(simulations, Fixture.Alpha.Simulations);
        Assert.Equal(sent, Fixture.Alpha.SentBundles.Count);
        Assert.Equal(before, (await chain.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);

        // Refused before the record: the account's nonce stream holds nothing.
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        Assert.Empty(await new NonceLedger(observer.JetStream, "observer", S.Chain.From, S.Chain.ChainId).LoadAsync());
        OnChainRun.AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task Bundles_take_their_notional_from_the_clusters_day_and_those_that_never_landed_give_it_back()
    {
        using var nats = new NatsServer();
        Fixture.Alpha.MissNextTargets = 2 * (int)TargetBlocks; // the first two bundles miss every target
        // Nothing mines here but the relay: each missed bundle's last target block is seen while the bundle is still out
        // (it holds the route), so the next bundle must be signed at that same head once the miss is settled.
        Fixture.Alpha.MissedAnswerDelay = TimeSpan.FromMilliseconds(500);
        await using OnChainRun.Scene scene = await OnChainRun.PrepareAsync(Fixture, _folder, S.Executor, new OnChainRun.Options { Name = "a", MoreSettings = Settings });
        using ChildProcess a = Engine(scene, "a", nats.Url);
        await a.WaitStartedAsync();
        await Until(() => Read(scene.Log).Contains("\"state\":\"Included\"", StringComparison.Ordinal), () => "no bundle was included: " + a.Out + a.Err + Read(scene.Log));
        a.Signal("TERM");
        Assert.Equal(0, await a.WaitExitAsync());
        string log = Read(scene.Log);
        Output.WriteLine(a.Out + a.Err + log);

        JsonElement[] ended = [.. OnChainRun.Lines(log).Where(l => l.TryGetProperty("state", out _))];
        string[] states = [.. ended.Select(l => l.GetProperty("state").GetString()!)];
        Assert.True(states.Count(st => st == "Missed") >= 2, "the relay missed fewer than two bundles: " + string.Join(", ", states));
        Assert.Matches($@"bundles approved {states.Length}, refused 0 expired, 0 paused, 0 daily notional, 0 daily loss", a.Out);

        // After each miss the next bundle goes for the block right after the miss's last target: no block was waited for.
        long[] missedBlocks = [.. MissedBlockLine().Matches(log).Select(m => long.Parse(m.Groups["block"].Value, CultureInfo.InvariantCulture))];
        long includedBlock = ended.Single(l => l.GetProperty("state").GetString() == "Included").GetProperty("block").GetInt64();
        Assert.Equal([.. Enumerable.Range(0, missedBlocks.Length + 1).Select(i => missedBlocks[0] + i)], [.. missedBlocks, includedBlock]);

        // Landed bundles are fills on the stream, each with the notional its bundle reserved.
        await using ClusterBus observer = await ClusterBus.ConnectAsync(nats.Url, "observer");
        var fills = new List<JsonElement>();
        await StreamReading.ReadAllAsync(observer.JetStream, ClusterBus.FillsStream, "ll.fill.a", (_, data) => fills.Add(JsonDocument.Parse(data.ToArray()).RootElement.Clone()));
        JsonElement[] landed = [.. ended.Where(l => l.GetProperty("state").GetString() is "Included" or "Failed")];
        Assert.Equal(landed.Length, fills.Count);
        Assert.Equal(landed.Sum(l => l.GetProperty("notionalUsd").GetDouble()), fills.Sum(f => f.GetProperty("notional").GetDouble()), 4);

        // What the node used of the cluster's day (its share as it left, written back at the clean stop) is the notional of
        // the bundles that landed, plus any still out at the stop (their fate unknown): not of every bundle it sent.
        double keptUsd = ended.Where(l => l.GetProperty("state").GetString() is "Included" or "Failed" or "Abandoned").Sum(l => l.GetProperty("notionalUsd").GetDouble());
        double sentUsd = ended.Sum(l => l.GetProperty("notionalUsd").GetDouble());
        Assert.True(keptUsd > 0);
        string key = "notional." + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var entry = await observer.Limits.TryGetEntryAsync(key);
        Assert.True(entry.Success, key + " is not in the limits bucket");
        Assert.True(LimitShares.TryParse(entry.Value.Value, out LimitShares? shares, out string? parseError), parseError);
        double usedUsd = shares!.Nodes["a"].Used / ClusterLease.Scale;
        Assert.Equal(keptUsd, usedUsd, 0.0001 * ended.Length);
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{states.Length} bundles sent ({string.Join(", ", states)}), {sentUsd:0.####} USD in all; the node's share of the day used {usedUsd:0.####} USD, the landed bundles' notional {keptUsd:0.####} USD"));
        OnChainRun.AssertNoSecret(a.Out + a.Err + log);
    }

    private static DateTimeOffset TakeOverTime(string log)
    {
        string line = log.Split('\n').First(l => l.Contains("took the trading account over (lease epoch 2)", StringComparison.Ordinal));
        return JsonDocument.Parse(line).RootElement.GetProperty("Timestamp").GetDateTimeOffset();
    }

    private static ChildProcess Engine(OnChainRun.Scene scene, string node, string natsUrl) =>
        ChildProcess.StartShell(Path.GetDirectoryName(scene.Config)!,
            $"exec $LL run --live --execute --config '{scene.Config}' --log '{scene.Log}' --duration 120s --cluster {natsUrl} --node {node} --no-db --no-dashboard",
            scene.Environment, "cluster: node " + node + " joined");

    private static string Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    private async Task Until(Func<bool> done, Func<string> why) => await MineUntil(() => done(), d => d, why, mine: false);

    private async Task<T> MineUntil<T>(Func<T> read, Func<T, bool> done, Func<string> why, bool mine = true)
    {
        DateTime giveUp = DateTime.UtcNow + ChildProcess.HangGuard;
        while (true)
        {
            T value = read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < giveUp, why());
            if (mine)
            {
                Assert.True((await Fixture.Chain.Client.CallAsync("evm_mine", "[]"u8.ToArray())).IsOk);
            }

            await Task.Delay(250);
        }
    }
}
