using LowLatency.Adapters.Cluster.Accounts;
using LowLatency.Adapters.Cluster.Tests.Fixtures;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Testing.Anvil;
using LowLatency.Testing.Chain;
using LowLatency.Testing.Nats;

using Node = LowLatency.Adapters.Cluster.Tests.Fixtures.AccountNode<LowLatency.Adapters.Cluster.Accounts.BundleSigningAccount>;

namespace LowLatency.Adapters.Cluster.Tests;

/// <summary>
/// A trading account whose transactions go out only as bundles, two nodes, a real anvil and a real nats-server. The
/// test plays the relay: a bundle "lands" when the test sends its bytes, and blocks pass when it mines them. The owner
/// dies at each point of a bundle's life; the next owner never sends a recorded bundle anywhere, waits until every one
/// the chain lacks is past its last target, and starts at the chain's count. Shown: a nonce gets a second signature only
/// once the first can no longer land, no nonce is skipped, and the chain mines one transaction per nonce.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BundleAccountFailoverTests
{
    private const ulong ChainId = (ulong)AnvilFixture.ChainId;
    private const ulong Targets = 3;
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(120);

    public enum KillPoint
    {
        /// <summary>Recorded with its targets, then the process died before any relay saw it.</summary>
        RecordedNotSent,

        /// <summary>Recorded, sent, included in a target block; the owner died before it saw the receipt.</summary>
        IncludedUnseen,

        /// <summary>One bundle included, the next recorded and out at the relays when the owner died; it never lands.</summary>
        SecondOutAndMissed,
    }

    private static Task<Node> JoinAsync(string natsUrl, string name, AnvilFixture anvil, TimeSpan? ttl = null) =>
        Node.JoinAsync(natsUrl, name, anvil, ttl ?? s_ttl, ChainId, (lease, ledger, rpc) => new BundleSigningAccount(lease, ledger, rpc));

    /// <summary>A bundle's transaction as the strategy signs it: the nonce given, a value that tells the signatures apart.</summary>
    private static (string Hash, byte[] Raw) Sign(ulong nonce, ulong value)
    {
        var tx = new Transaction
        {
            Type = TxType.DynamicFee, ChainId = ChainId, Nonce = nonce, GasLimit = 21_000,
            MaxFeePerGas = 50_000_000_000UL, MaxPriorityFeePerGas = 1_000_000_000UL, To = AnvilTestKit.DevAddress(1), Value = value,
        };
        var signed = TransactionSigner.Sign(tx, AnvilTestKit.Signer(0));
        return (signed.GetHashHex(), signed.EncodeSigned());
    }

    private static async Task<ulong> HeadAsync(JsonRpcClient rpc) => (await rpc.BlockNumberAsync()).Value;

    /// <summary>Records a bundle for the blocks after the head, as the pipeline does before its first relay call.</summary>
    private static async Task<(string Hash, byte[] Raw, ulong LastTarget)> RecordAsync(Node node, ulong nonce, ulong value)
    {
        (string hash, byte[] raw) = Sign(nonce, value);
        ulong last = await HeadAsync(node.Rpc) + Targets;
        Assert.Equal(BundleRecordOutcome.Recorded, await node.Account.RecordAsync(nonce, hash, raw, last));
        return (hash, raw, last);
    }

    private static async Task LandAsync(Node node, byte[] raw) => await AnvilTestKit.WaitReceiptAsync(node.Rpc, (await node.Rpc.SendRawTransactionAsync(raw)).Value);

    private static async Task<bool> MinedAsync(JsonRpcClient rpc, string hash) => (await rpc.GetTransactionReceiptAsync(Hex.Decode(hash))).Value is not null;

    private static async Task<Node> TakeOverAsync(string natsUrl, string name, AnvilFixture anvil)
    {
        Node node = await JoinAsync(natsUrl, name, anvil);
        Assert.True(await node.Lease.AcquireAsync(Poll.Guard), name + " takes the account once the last owner's lease ran out");
        node.Lease.StartRenewing();
        return node;
    }

    [Theory]
    [InlineData(KillPoint.RecordedNotSent)]
    [InlineData(KillPoint.IncludedUnseen)]
    [InlineData(KillPoint.SecondOutAndMissed)]
    public async Task The_owner_killed_mid_bundle_leaves_one_transaction_per_nonce_and_the_next_owner_waits_out_what_could_still_land(KillPoint kill)
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        Address from = AnvilTestKit.DevAddress(0);
        await using Node a = await TakeOverAsync(nats.Url, "a", anvil);
        BundleTakeOver first = (await a.Account.TakeOverAsync()).Value;
        Assert.Equal(0UL, first.Next);
        Assert.Equal(0UL, first.WaitedPast);

        var aHashes = new List<string>();
        ulong outNonce = 0;
        (string Hash, byte[] Raw, ulong LastTarget) bundle = await RecordAsync(a, 0, 1);
        aHashes.Add(bundle.Hash);
        if (kill == KillPoint.IncludedUnseen)
        {
            await LandAsync(a, bundle.Raw);
        }
        else if (kill == KillPoint.SecondOutAndMissed)
        {
            await LandAsync(a, bundle.Raw);
            bundle = await RecordAsync(a, 1, 2);
            aHashes.Add(bundle.Hash);
            outNonce = 1;
        }

        await a.DieAsync();

        await using Node b = await TakeOverAsync(nats.Url, "b", anvil);
        Assert.Equal(2, b.Lease.Epoch);
        Task<RpcResult<BundleTakeOver>> taking = b.Account.TakeOverAsync();
        ulong next;
        if (kill == KillPoint.IncludedUnseen)
        {
            // The only recorded bundle is on chain: nothing can land any more, so b starts at once after it.
            BundleTakeOver t = (await taking).Value;
            Assert.Equal((0, 0UL), (t.Outstanding, t.WaitedPast));
            next = 1;
        }
        else
        {
            // The recorded bundle could still land up to its last target: b signs nothing before the head has passed it.
            while (await HeadAsync(b.Rpc) <= bundle.LastTarget)
            {
                await Task.Delay(300);
                Assert.False(taking.IsCompleted, "the take-over ended with the head at " + await HeadAsync(b.Rpc) + ", not past " + bundle.LastTarget);
                anvil.RawCall("evm_mine");
            }

            BundleTakeOver t = (await taking.WaitAsync(Poll.Guard)).Value;
            Assert.Equal((1, bundle.LastTarget), (t.Outstanding, t.WaitedPast));
            Assert.False(await MinedAsync(b.Rpc, bundle.Hash), "a's unsent bundle was broadcast");
            next = outNonce;
        }

        Assert.False(b.Account.MustTakeOver);
        Assert.Equal(next, (await taking).Value.Next);
        Assert.Equal(next, (await b.Rpc.GetTransactionCountAsync(from, BlockTag.Pending)).Value);

        // b signs the next nonce (again, where a's signature of it can no longer land) and lands it.
        ulong reserved = (await taking).Value.Nonces.Reserve();
        Assert.Equal(next, reserved);
        (string bHash, byte[] bRaw, ulong _) = await RecordAsync(b, reserved, 100);
        await LandAsync(b, bRaw);

        // The chain: one transaction per nonce, none skipped; a's missed signature never mined.
        Assert.Equal(next + 1, (await b.Rpc.GetTransactionCountAsync(from, BlockTag.Latest)).Value);
        Assert.True(await MinedAsync(b.Rpc, bHash));
        if (kill != KillPoint.IncludedUnseen)
        {
            Assert.False(await MinedAsync(b.Rpc, aHashes[^1]));
        }

        // The stream: every signature, in order, each a bundle with its last target.
        var records = await new NonceLedger(b.Bus.JetStream, "check", from, ChainId).LoadAsync();
        Assert.Equal([.. aHashes, bHash], records.Select(r => r.Hash).ToArray());
        Assert.All(records, r => Assert.True(r.LastTargetBlock > 0));
        Assert.Equal("b", records[^1].Node);
    }

    [Fact]
    public async Task A_late_owner_appending_after_the_new_owner_read_the_stream_fences_it_until_it_has_waited_out_the_late_bundle()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        Address from = AnvilTestKit.DevAddress(0);
        await using Node a = await JoinAsync(nats.Url, "a", anvil, s_long);
        Assert.True(await a.Lease.AcquireAsync(Poll.Guard));
        Assert.True((await a.Account.TakeOverAsync()).IsOk);

        // b's clock runs ahead (or a stalled): b takes the account while a still thinks it holds it.
        await using Node b = await JoinAsync(nats.Url, "b", anvil, s_long);
        string key = "acct." + ChainId + "." + from.ToLowerHexString();
        var entry = await b.Bus.Accounts.TryGetEntryAsync(key);
        Assert.True((await b.Bus.Accounts.TryUpdateAsync(key, "{\"owner\":\"a\",\"until\":0,\"epoch\":1}"u8.ToArray(), entry.Value.Revision)).Success);
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.True(a.Lease.IsHeld);
        Assert.Equal(0UL, (await b.Account.TakeOverAsync()).Value.Next);

        // a's late record lands after b read the stream; b's own record of nonce 0 is then refused by the server.
        (string aHash, _, ulong aLast) = await RecordAsync(a, 0, 1);
        (string bHash, byte[] bRaw) = Sign(0, 2);
        Assert.Equal(BundleRecordOutcome.Fenced, await b.Account.RecordAsync(0, bHash, bRaw, await HeadAsync(b.Rpc) + Targets));
        Assert.True(b.Account.MustTakeOver);
        Assert.Equal(BundleRecordOutcome.Fenced, await b.Account.RecordAsync(0, bHash, bRaw, await HeadAsync(b.Rpc) + Targets));

        // b takes it over again: a's bundle could land until its last target, so b waits that out first.
        Task<RpcResult<BundleTakeOver>> again = b.Account.TakeOverAsync();
        while (await HeadAsync(b.Rpc) <= aLast)
        {
            await Task.Delay(300);
            Assert.False(again.IsCompleted, "b took the account over again before a's late bundle was past its last target");
            anvil.RawCall("evm_mine");
        }

        BundleTakeOver t = (await again.WaitAsync(Poll.Guard)).Value;
        Assert.Equal((1, aLast, 0UL), (t.Outstanding, t.WaitedPast, t.Next));
        Assert.False(b.Account.MustTakeOver);
        (string bHash2, byte[] bRaw2, ulong _) = await RecordAsync(b, 0, 3);

        // a's next record comes after b's: a is fenced and sends nothing more.
        (string aHash2, byte[] aRaw2) = Sign(1, 4);
        Assert.Equal(BundleRecordOutcome.Fenced, await a.Account.RecordAsync(1, aHash2, aRaw2, await HeadAsync(a.Rpc) + Targets));

        await LandAsync(b, bRaw2);
        Assert.Equal(1UL, (await b.Rpc.GetTransactionCountAsync(from, BlockTag.Latest)).Value);
        var records = await new NonceLedger(b.Bus.JetStream, "check", from, ChainId).LoadAsync();
        Assert.Equal(new[] { ("a", aHash), ("b", bHash2) }, records.Select(r => (r.Node, r.Hash)).ToArray());
        ulong bFirstTarget = records[1].LastTargetBlock - Targets + 1;
        Assert.True(bFirstTarget > aLast, $"b's bundle targets block {bFirstTarget} on, after a's last {aLast}");
    }

    [Fact]
    public async Task The_same_signature_recorded_by_the_next_owner_for_later_blocks_is_its_own_record_so_the_stream_keeps_the_last_target()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        Address from = AnvilTestKit.DevAddress(0);
        await using Node a = await TakeOverAsync(nats.Url, "a", anvil);
        Assert.True((await a.Account.TakeOverAsync()).IsOk);
        (string hash, byte[] raw, ulong aLast) = await RecordAsync(a, 0, 1);
        await a.DieAsync();

        // b re-signs the same call at the same nonce and fees: deterministic signatures make it a's bytes exactly.
        await using Node b = await TakeOverAsync(nats.Url, "b", anvil);
        Task<RpcResult<BundleTakeOver>> taking = b.Account.TakeOverAsync();
        while (!taking.IsCompleted)
        {
            anvil.RawCall("evm_mine");
            await Task.Delay(100);
        }

        Assert.Equal(0UL, (await taking).Value.Next);
        (string again, _, ulong bLast) = await RecordAsync(b, 0, 1);
        Assert.Equal(hash, again);

        // Had the stream dropped b's append as a duplicate, a third owner would wait only for a's passed target.
        var records = await new NonceLedger(b.Bus.JetStream, "check", from, ChainId).LoadAsync();
        Assert.Equal(new[] { ("a", aLast), ("b", bLast) }, records.Select(r => (r.Node, r.LastTargetBlock)).ToArray());
        Assert.True(bLast > aLast);
        Assert.Equal(raw, records[1].Raw);
    }

    [Fact]
    public async Task A_record_nats_never_confirmed_sends_nothing_and_the_next_one_reads_what_landed_first()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        Address from = AnvilTestKit.DevAddress(0);
        await using Node a = await JoinAsync(nats.Url, "a", anvil, TimeSpan.FromSeconds(60));
        Assert.True(await a.Lease.AcquireAsync(Poll.Guard));
        Assert.True((await a.Account.TakeOverAsync()).IsOk);
        await RecordAsync(a, 0, 1);

        nats.Kill();
        (string hash, byte[] raw) = Sign(1, 2);
        Assert.Equal(BundleRecordOutcome.Unrecorded, await a.Account.RecordAsync(1, hash, raw, await HeadAsync(a.Rpc) + Targets));
        Assert.Equal(1, a.Account.Refused);
        nats.Start();

        // The lease is still a's and nothing else appended: the resync finds only a's own records and the next append goes on.
        await Poll.UntilAsync(async () => await a.Account.RecordAsync(1, hash, raw, await HeadAsync(a.Rpc) + Targets) == BundleRecordOutcome.Recorded, "the record after NATS came back");
        Assert.False(a.Account.MustTakeOver);
        var records = await new NonceLedger(a.Bus.JetStream, "check", from, ChainId).LoadAsync();
        Assert.Equal(new ulong[] { 0, 1 }, records.Select(r => r.Nonce).ToArray());
    }

    [Fact]
    public async Task A_node_that_does_not_hold_the_lease_records_nothing_and_a_public_transaction_the_chain_lacks_stops_the_take_over()
    {
        using var anvil = new AnvilFixture();
        using var nats = new NatsServer();
        Address from = AnvilTestKit.DevAddress(0);
        await using Node a = await JoinAsync(nats.Url, "a", anvil, s_long);
        (string hash, byte[] raw) = Sign(0, 1);
        Assert.True(a.Account.MustTakeOver);
        Assert.Equal(BundleRecordOutcome.NotOwner, await a.Account.RecordAsync(0, hash, raw, 10));
        Assert.False((await a.Account.TakeOverAsync()).IsOk);

        // A public transaction recorded (by a public signer of the same account) and never mined: a bundle owner may not
        // rebroadcast it, nor sign past it.
        Assert.True(await a.Lease.AcquireAsync(Poll.Guard));
        var ledger = new NonceLedger(a.Bus.JetStream, "public", from, ChainId);
        await ledger.LoadAsync();
        Assert.True(await ledger.AppendAsync(0, hash, raw, 1));
        RpcResult<BundleTakeOver> refused = await a.Account.TakeOverAsync();
        Assert.False(refused.IsOk);
        Assert.Contains("public transaction at nonce 0", refused.Error!.ToString(), StringComparison.Ordinal);
        Assert.True(a.Account.MustTakeOver);
        Assert.False(await MinedAsync(a.Rpc, hash));
    }
}
