using LowLatency.Adapters.Cluster.Accounts;
using LowLatency.Adapters.Cluster.Tests.Fixtures;
using LowLatency.Testing.Nats;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>
/// One signing account, two nodes, a real anvil and a real nats-server. The owner dies in the middle of a bundle; the
/// next owner takes the account when its lease runs out, reconciles with the stream and the chain, and finishes.
/// Shown: every nonce is signed once (one hash per nonce in the stream), every recorded transaction is mined (none lost),
/// and the chain's count equals the bundle's length.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AccountFailoverTests
{
    private const int Bundle = 6;
    // Long enough that a starved renewal on a loaded box does not lose the account (the kill test waits it out once).
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(3);

    // Tests that need the owner to keep holding while other things happen.
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(120);

    private static Task<AccountNode<ClusterSigningAccount>> JoinAsync(string natsUrl, string node, AnvilFixture anvil, TimeSpan? ttl = null) =>
        AccountNode<ClusterSigningAccount>.JoinAsync(natsUrl, node, anvil, ttl ?? s_ttl, null, (lease, ledger, rpc) => new ClusterSigningAccount(lease, ledger, rpc, AnvilTestKit.Signer(0)));

    private static Transaction Transfer(ulong value) => new()
    {
        Type = TxType.DynamicFee, ChainId = (ulong)AnvilFixture.ChainId, GasLimit = 21_000,
        MaxFeePerGas = 50_000_000_000UL, MaxPriorityFeePerGas = 1_000_000_000UL, To = AnvilTestKit.DevAddress(1), Value = value,
    };

    [Theory]
    [InlineData(0, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(5, true)]
    public async Task The_owner_killed_mid_bundle_leaves_no_nonce_signed_twice_and_no_transaction_lost(int killAt, bool recordedButNotSent)
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        var from = AnvilTestKit.DevAddress(0);
        await using var a = await JoinAsync(nats.Url, "a", anvil);
        Assert.True(await a.Lease.AcquireAsync(Poll.Guard));
        a.Lease.StartRenewing();
        Assert.Equal(0UL, (await a.Account.TakeOverAsync()).Value.Next);
        for (int i = 0; i < killAt; i++)
        {
            Assert.Equal(SignOutcome.Sent, (await a.Account.SignAndSendAsync(Transfer((ulong)i + 1))).Outcome);
        }

        if (recordedButNotSent)
        {
            // Signed and in the stream, then the process dies before the bytes leave.
            var (tx, outcome) = await a.Account.PrepareAsync(Transfer((ulong)killAt + 1));
            Assert.Equal(SignOutcome.Sent, outcome);
            Assert.Equal((ulong)killAt, tx!.Nonce);
        }

        await a.DieAsync();

        await using var b = await JoinAsync(nats.Url, "b", anvil);
        Assert.True(await b.Lease.AcquireAsync(Poll.Guard), "b takes the account once a's lease ran out");
        b.Lease.StartRenewing();
        Assert.Equal(2, b.Lease.Epoch);
        var takeOver = (await b.Account.TakeOverAsync()).Value;
        Assert.Equal(recordedButNotSent ? 1 : 0, takeOver.Rebroadcast.Count);
        int done = killAt + (recordedButNotSent ? 1 : 0);
        Assert.Equal((ulong)done, takeOver.Next);
        for (int i = done; i < Bundle; i++)
        {
            var sent = await b.Account.SignAndSendAsync(Transfer((ulong)i + 1));
            Assert.Equal(SignOutcome.Sent, sent.Outcome);
            Assert.Equal((ulong)i, sent.Nonce);
        }

        // The stream: one record per nonce 0..Bundle-1.
        var records = await new NonceLedger(b.Bus.JetStream, "check", from).LoadAsync();
        Assert.Equal(Enumerable.Range(0, Bundle).Select(i => (ulong)i), records.Select(r => r.Nonce).Order());
        Assert.Equal(Bundle, records.Select(r => r.Hash).Distinct().Count());

        // The chain: every recorded transaction mined and successful; the account's count is the bundle's length.
        foreach (var r in records)
        {
            TransactionReceipt? receipt = null;
            await Poll.UntilAsync(async () => (receipt = (await b.Rpc.GetTransactionReceiptAsync(Hex.Decode(r.Hash))).Value) != null, "receipt " + r.Nonce);
            Assert.True(receipt!.Succeeded);
        }

        Assert.Equal((ulong)Bundle, (await b.Rpc.GetTransactionCountAsync(from, BlockTag.Latest)).Value);
    }

    [Fact]
    public async Task A_late_owner_whose_clock_still_says_it_holds_the_account_is_fenced_by_the_stream()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        var from = AnvilTestKit.DevAddress(0);
        await using var a = await JoinAsync(nats.Url, "a", anvil, s_long);
        Assert.True(await a.Lease.AcquireAsync(Poll.Guard));
        await a.Account.TakeOverAsync();
        Assert.Equal(SignOutcome.Sent, (await a.Account.SignAndSendAsync(Transfer(1))).Outcome);

        // b's clock runs ahead (or a stalled): b sees a's lease as expired while a still thinks it holds it.
        await using var b = await JoinAsync(nats.Url, "b", anvil, s_long);
        var key = "acct." + from.ToLowerHexString();
        var entry = await b.Bus.Accounts.TryGetEntryAsync(key);
        Assert.True((await b.Bus.Accounts.TryUpdateAsync(key, "{\"owner\":\"a\",\"until\":0,\"epoch\":1}"u8.ToArray(), entry.Value.Revision)).Success);
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.True(a.Lease.IsHeld);
        Assert.Equal(1UL, (await b.Account.TakeOverAsync()).Value.Next);
        Assert.Equal(SignOutcome.Sent, (await b.Account.SignAndSendAsync(Transfer(2))).Outcome);

        // a signs nonce 1 too, but its record is refused: it is never sent, and a stops signing.
        var late = await a.Account.SignAndSendAsync(Transfer(3));
        Assert.Equal(SignOutcome.Fenced, late.Outcome);
        Assert.True(a.Account.IsFenced);
        Assert.Equal(SignOutcome.Fenced, (await a.Account.SignAndSendAsync(Transfer(4))).Outcome);

        var records = await new NonceLedger(b.Bus.JetStream, "check", from).LoadAsync();
        Assert.Equal(new ulong[] { 0, 1 }, records.Select(r => r.Nonce).ToArray());
        Assert.Equal(new[] { "a", "b" }, records.Select(r => r.Node).ToArray());
        Assert.Equal(2UL, (await b.Rpc.GetTransactionCountAsync(from, BlockTag.Pending)).Value);
    }

    [Fact]
    public async Task Nobody_takes_an_account_while_its_owner_renews_it()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        await using var a = await JoinAsync(nats.Url, "a", anvil, TimeSpan.FromSeconds(20));
        await using var b = await JoinAsync(nats.Url, "b", anvil, TimeSpan.FromSeconds(20));
        Assert.True(await a.Lease.AcquireAsync(Poll.Guard));
        a.Lease.StartRenewing();

        // b keeps trying until a has renewed several times: every attempt is refused.
        while (a.Lease.Renewals < 3)
        {
            Assert.False(await b.Lease.TryAcquireAsync());
            await Task.Delay(200);
        }

        Assert.Equal(SignOutcome.NotOwner, (await b.Account.SignAndSendAsync(Transfer(1))).Outcome);
        await a.Lease.ReleaseAsync();
        Assert.True(await b.Lease.TryAcquireAsync());
    }
}
