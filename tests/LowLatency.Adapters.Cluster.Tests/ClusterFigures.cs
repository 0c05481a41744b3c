using System.Diagnostics;
using System.Globalization;
using LowLatency.Adapters.Cluster.Accounts;
using LowLatency.Adapters.Cluster.Streams;
using LowLatency.Adapters.Cluster.Tests.Fixtures;
using LowLatency.Testing.Nats;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>
/// Prints the cluster figures (README): fills per second through the fills stream, and an account's failover time. They
/// are measurements, printed, never asserted against the clock. Run:
/// <c>dotnet test tests/LowLatency.Adapters.Cluster.Tests -c Release --filter FullyQualifiedName~ClusterFigures --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClusterFigures(ITestOutputHelper output)
{
    [Fact]
    public async Task Fills_per_second_through_the_stream()
    {
        const int n = 20_000;
        using var nats = new NatsServer();
        await using var a = await ClusterNode.StartAsync(new ClusterOptions { Url = nats.Url, Node = "a", PublishHighWater = n * 2 });
        await using var watcher = await ClusterNode.StartAsync(new ClusterOptions { Url = nats.Url, Node = "w" });
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            a.RecordFill(new FillRecord("BTC", "binance", "buy", 0.01, 60_000, 600, 0.3, 0.1, ClusterBus.NowNs()));
        }

        Assert.True(await a.Publisher.FlushAsync(Poll.Guard));
        double published = sw.Elapsed.TotalSeconds;
        await Poll.UntilAsync(() => watcher.View.Snapshot().Nodes.Any(x => x.Name == "a" && x.Fills == n), "the view has every fill");
        double viewed = sw.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster.fills_per_second published (acknowledged, one at a time, in order) {n / published:F0}/s; seen by another node's view {n / viewed:F0}/s ({n} fills)"));
    }

    [Fact]
    public async Task Account_failover_time()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        var ttl = TimeSpan.FromSeconds(3);
        var signer = AnvilTestKit.Signer(0);
        var busA = await ClusterBus.ConnectAsync(nats.Url, "a");
        var leaseA = new AccountLease(busA.Accounts, "a", signer.Address, ttl);
        await using var rpc = JsonRpcClient.ForHttp(anvil.HttpUrl, AnvilTestKit.Options);
        var accountA = new ClusterSigningAccount(leaseA, new NonceLedger(busA.JetStream, "a", signer.Address), rpc, signer);
        Assert.True(await leaseA.AcquireAsync(Poll.Guard));
        leaseA.StartRenewing();
        await accountA.TakeOverAsync();
        var tx = new Transaction
        {
            Type = TxType.DynamicFee, ChainId = (ulong)AnvilFixture.ChainId, GasLimit = 21_000, MaxFeePerGas = 50_000_000_000UL,
            MaxPriorityFeePerGas = 1_000_000_000UL, To = AnvilTestKit.DevAddress(1), Value = 1,
        };
        Assert.Equal(SignOutcome.Sent, (await accountA.SignAndSendAsync(tx)).Outcome);

        await using var busB = await ClusterBus.ConnectAsync(nats.Url, "b");
        await using var leaseB = new AccountLease(busB.Accounts, "b", signer.Address, ttl);
        var accountB = new ClusterSigningAccount(leaseB, new NonceLedger(busB.JetStream, "b", signer.Address), rpc, signer);

        // a dies (no hand-back); b polls for the account.
        var sw = Stopwatch.StartNew();
        await leaseA.StopAsync();
        await busA.DisposeAsync();
        Assert.True(await leaseB.AcquireAsync(Poll.Guard));
        double acquired = sw.Elapsed.TotalMilliseconds;
        await accountB.TakeOverAsync();
        double reconciled = sw.Elapsed.TotalMilliseconds;
        Assert.Equal(SignOutcome.Sent, (await accountB.SignAndSendAsync(tx)).Outcome);
        double firstSend = sw.Elapsed.TotalMilliseconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster.failover lease TTL {ttl.TotalMilliseconds:F0} ms: owner gone -> account acquired {acquired:F0} ms, reconciled with stream and chain {reconciled:F0} ms, first transaction sent {firstSend:F0} ms"));
        await leaseA.DisposeAsync();
    }
}
