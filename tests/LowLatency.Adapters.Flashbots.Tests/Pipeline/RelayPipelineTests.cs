using System.Globalization;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Adapters.Flashbots.Loopback;
using LowLatency.Testing.Chain;
using LowLatency.Testing.Relay;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Flashbots.Tests.Pipeline;

/// <summary>
/// The bundle pipeline against two loopback relays over anvil: simulate → decide → send per target block → track.
/// Each test starts from the same chain (snapshot / revert) and fault-free relays.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RelayPipelineTests : RelayChainTest<RelayChainFixture>, IClassFixture<RelayChainFixture>
{
    /// <summary>Signs relay headers only; holds no funds (a key of its own, as FLASHBOTS_SIGNER_KEY must be).</summary>
    private static readonly EthSigner FlashbotsSigner = new(PrivateKey.FromHex("0x" + new string('7', 64)));
    private readonly List<string> _log = [];

    public RelayPipelineTests(RelayChainFixture fixture, ITestOutputHelper output)
        : base(fixture, output)
    {
    }

    protected override Task CleanUpAsync()
    {
        foreach (string line in _log)
        {
            Output.WriteLine(line);
        }

        return Task.CompletedTask;
    }

    private (BundlePipeline Pipeline, RelayClient[] Relays) Pipeline(BundleOptions options, TimeSpan? timeout = null, params LoopbackRelay[] relays)
    {
        EthSigner flashbots = FlashbotsSigner;
        RelayClient[] clients = [.. relays.Select((r, i) => new RelayClient(new RelayEndpoint(i == 0 ? "alpha" : "beta", r.Url), flashbots, timeout ?? TimeSpan.FromSeconds(60)))];
        var factory = new BundleFactory(Fixture.Chain.Owner, S.Executor, S.Chain.ChainId);
        var nonces = NonceManager.ForClient(Fixture.Chain.Client, Fixture.Chain.Owner.Address);
        return (new BundlePipeline(clients, Fixture.Chain.Client, nonces, factory, options, _log.Add), clients);
    }

    private async Task<(FlashRoute Route, Dislocation Found)> DetectAsync()
    {
        (DexPool v2, DexPool v3) = await S.ReadPoolsAsync();
        var route = new FlashRoute();
        Dislocation found = TwoPoolArbitrage.Find(S.Weth, v2, v3, S.PremiumBps, FlashScenario.Ether * 500UL, route);
        Assert.True(found.Found);
        return (route, found);
    }

    [Fact]
    public async Task A_profitable_bundle_is_simulated_on_both_relays_sent_for_the_next_block_and_included()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        (BundlePipeline pipeline, RelayClient[] relays) = Pipeline(new BundleOptions { TargetBlocks = 3 }, null, Fixture.Alpha, Fixture.Beta);
        UInt256 ownerBefore = await S.Dex.BalanceAsync(S.Weth, S.Chain.From);
        ulong head = (await Fixture.Chain.Client.BlockNumberAsync()).Value;

        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit);

        Assert.Equal(BundleState.Included, outcome.State);
        Assert.Equal([head + 1], outcome.TargetBlocks);
        Assert.Equal(head + 1, outcome.IncludedBlock);
        Assert.True(outcome.SimulatedProfitWei > UInt256.Zero);
        Assert.Equal(found.Profit * 1_000UL / 10_000UL, outcome.BuilderPaymentWei);
        Assert.Equal(ownerBefore + found.Profit - outcome.BuilderPaymentWei, await S.Dex.BalanceAsync(S.Weth, S.Chain.From));
        Assert.All(relays, r => Assert.Equal(1, r.Stats.SimulatedOk));
        Assert.All(relays, r => Assert.Equal(1, r.Stats.Included));
        Output.WriteLine($"included in {outcome.IncludedBlock}, gas {outcome.GasUsed}, net {outcome.SimulatedProfitWei}; alpha: {relays[0].Stats}");
    }

    [Fact]
    public async Task A_bundle_whose_simulation_fails_is_never_sent()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        int sentBefore = Fixture.Alpha.SentBundles.Count + Fixture.Beta.SentBundles.Count;
        (BundlePipeline pipeline, RelayClient[] relays) = Pipeline(new BundleOptions { MinProfitWei = found.Profit + 1UL }, null, Fixture.Alpha, Fixture.Beta);

        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit);

        Assert.Equal(BundleState.NotSent, outcome.State);
        Assert.Contains("simulation failed", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("execution reverted", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(sentBefore, Fixture.Alpha.SentBundles.Count + Fixture.Beta.SentBundles.Count);
        Assert.All(relays, r => Assert.Equal(0, r.Stats.Sent));
    }

    [Fact]
    public async Task Missed_blocks_are_resubmitted_to_N_plus_1_to_N_plus_k_then_counted_missed_and_the_nonce_is_not_burnt()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Alpha.MissNextTargets = 3;
        (BundlePipeline pipeline, RelayClient[] relays) = Pipeline(new BundleOptions { TargetBlocks = 3 }, null, Fixture.Alpha);
        ulong head = (await Fixture.Chain.Client.BlockNumberAsync()).Value;
        int before = Fixture.Alpha.SentBundles.Count;

        BundleOutcome missed = await pipeline.RunAsync(route, found.Profit);

        Assert.Equal(BundleState.Missed, missed.State);
        Assert.Equal([head + 1, head + 2, head + 3], missed.TargetBlocks);
        Assert.Equal([head + 1, head + 2, head + 3], Fixture.Alpha.SentBundles.Skip(before).Select(b => b.Block));
        Assert.Equal(3, relays[0].Stats.Sent);
        Assert.Equal(0, relays[0].Stats.Included);

        // The next bundle may take the missed one's nonce only because the chain shows it unused; once one lands, its
        // nonce is never signed again.
        BundleOutcome included = await pipeline.RunAsync(route, found.Profit);
        Assert.Equal(BundleState.Included, included.State);
        Assert.Equal(missed.Nonce, included.Nonce);
        ulong onChain = (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, Ethereum.JsonRpc.BlockTag.Latest)).Value;
        Assert.Equal(included.Nonce + 1, onChain);

        Assert.Equal(1.0 / 4, relays[0].Stats.InclusionRate, 3);

        // The same route again: the dislocation is gone, so it fails simulation, on a fresh nonce.
        BundleOutcome third = await pipeline.RunAsync(route, found.Profit);
        Assert.Equal(BundleState.NotSent, third.State);
        Assert.True(third.Nonce > included.Nonce, "a landed nonce was signed again");
    }

    [Fact]
    public async Task A_competing_bundle_that_takes_the_block_is_a_miss()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Alpha.Competitor = AnvilTestKit.Signer(2);
        (BundlePipeline pipeline, _) = Pipeline(new BundleOptions { TargetBlocks = 1 }, null, Fixture.Alpha);
        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit);
        Assert.Equal(BundleState.Missed, outcome.State);
    }

    [Fact]
    public async Task A_gone_opportunity_stops_resubmission_and_cancels_the_bundle()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Alpha.MissNextTargets = 1;
        int cancelled = Fixture.Alpha.CancelledBundles;
        (BundlePipeline pipeline, _) = Pipeline(new BundleOptions { TargetBlocks = 5 }, null, Fixture.Alpha);
        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit, () => Task.FromResult(false));
        Assert.Equal(BundleState.Gone, outcome.State);
        Assert.Single(outcome.TargetBlocks);
        Assert.Equal(cancelled + 1, Fixture.Alpha.CancelledBundles);
    }

    [Fact]
    public async Task An_inclusion_a_reorg_removes_is_not_counted_and_the_same_signed_bundle_is_resubmitted()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Alpha.ReorgableNextInclusion = true;
        (BundlePipeline pipeline, RelayClient[] relays) = Pipeline(new BundleOptions { TargetBlocks = 4, ConfirmBlocks = 1 }, null, Fixture.Alpha);
        ulong head = (await Fixture.Chain.Client.BlockNumberAsync()).Value;
        var landedIn = new List<ulong>();
        pipeline.OnLanded = async block =>
        {
            landedIn.Add(block);
            // First landing: reorged out (head + 1 and a new head + 2 replace it); later: one block confirms it.
            if (landedIn.Count == 1)
            {
                Assert.True(await Fixture.Alpha.ReorgAsync());
            }
            else
            {
                await Fixture.Alpha.MineAsync();
            }
        };

        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit, () => Task.FromResult(true));

        Assert.Equal([head + 1, head + 3], landedIn);
        Assert.Equal(1, pipeline.Reorged);
        Assert.Contains(_log, l => l.Contains("disappeared (reorg)", StringComparison.Ordinal));
        Assert.Equal(BundleState.Included, outcome.State);
        Assert.Equal([head + 1, head + 3], outcome.TargetBlocks);
        Assert.Equal(head + 3, outcome.IncludedBlock);
        Assert.Equal(1, relays[0].Stats.Included);
        Assert.Equal(2, relays[0].Stats.Sent);
        // One signature for the whole life: the resubmission carried the same signed bytes, the nonce landed once.
        Assert.Equal([outcome.Nonce], pipeline.SignedNonces);
        ulong onChain = (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, Ethereum.JsonRpc.BlockTag.Latest)).Value;
        Assert.Equal(outcome.Nonce + 1, onChain);
        Assert.True((await Fixture.Chain.Client.GetTransactionReceiptAsync(Hex.Decode(outcome.TxHash!))).Value!.Succeeded);
    }

    [Fact]
    public async Task A_reorged_inclusion_with_no_block_left_ends_missed_and_hands_the_unused_nonce_on()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Alpha.ReorgableNextInclusion = true;
        (BundlePipeline pipeline, RelayClient[] relays) = Pipeline(new BundleOptions { TargetBlocks = 1, ConfirmBlocks = 1 }, null, Fixture.Alpha);
        pipeline.OnLanded = async _ => Assert.True(await Fixture.Alpha.ReorgAsync());

        BundleOutcome missed = await pipeline.RunAsync(route, found.Profit);

        Assert.Equal(BundleState.Missed, missed.State);
        Assert.Equal(0, relays[0].Stats.Included);
        Assert.Null((await Fixture.Chain.Client.GetTransactionReceiptAsync(Hex.Decode(missed.TxHash!))).Value);
        pipeline.OnLanded = _ => Fixture.Alpha.MineAsync();
        BundleOutcome next = await pipeline.RunAsync(route, found.Profit);
        Assert.Equal(BundleState.Included, next.State);
        Assert.Equal(missed.Nonce, next.Nonce);
    }

    [Theory]
    [InlineData(RelayFault.ServerError, "503")]
    [InlineData(RelayFault.Html, "502")]
    [InlineData(RelayFault.Truncated, "")]
    [InlineData(RelayFault.WrongId, "does not match")]
    [InlineData(RelayFault.HugeBody, "")]
    [InlineData(RelayFault.Slow, "")]
    public async Task A_relay_that_answers_badly_is_logged_with_the_reason_and_left_out_while_the_other_relay_carries_the_bundle(RelayFault fault, string reason)
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Beta.Fault = fault;
        Fixture.Beta.FaultCount = 1;
        Fixture.Beta.SlowDelay = TimeSpan.FromSeconds(30);
        int betaSent = Fixture.Beta.SentBundles.Count;
        (BundlePipeline pipeline, RelayClient[] relays) = Pipeline(new BundleOptions { TargetBlocks = 2 }, TimeSpan.FromSeconds(fault == RelayFault.Slow ? 2 : 60), Fixture.Alpha, Fixture.Beta);

        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit);

        Assert.Equal(BundleState.Included, outcome.State);
        string error = Assert.Single(outcome.RelayErrors);
        Assert.StartsWith("beta: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(SecretRedaction.ContainsSecret(string.Join("\n", _log)));
        Assert.Equal(betaSent, Fixture.Beta.SentBundles.Count);
        Assert.Equal(1, relays[1].Stats.Errors);
        Output.WriteLine(fault + ": " + error);
    }

    [Fact]
    public async Task A_relay_error_object_on_simulation_counts_as_a_failed_simulation_and_nothing_is_sent()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        Fixture.Beta.Fault = RelayFault.ErrorObject;
        Fixture.Beta.FaultCount = 1;
        int sent = Fixture.Alpha.SentBundles.Count + Fixture.Beta.SentBundles.Count;
        (BundlePipeline pipeline, _) = Pipeline(new BundleOptions(), null, Fixture.Alpha, Fixture.Beta);
        BundleOutcome outcome = await pipeline.RunAsync(route, found.Profit);
        Assert.Equal(BundleState.NotSent, outcome.State);
        Assert.Contains("nonce too low", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(sent, Fixture.Alpha.SentBundles.Count + Fixture.Beta.SentBundles.Count);
    }

    [Fact]
    public async Task The_relay_refuses_a_request_without_a_valid_signature()
    {
        int before = Fixture.Alpha.SignatureRejections;
        using var http = new HttpClient();
        using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_callBundle\",\"params\":[{}]}");
        using HttpResponseMessage response = await http.PostAsync(Fixture.Alpha.Url, content);
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(before + 1, Fixture.Alpha.SignatureRejections);
    }

    [Fact]
    public async Task A_private_transaction_is_cancelled_while_held_and_lands_when_not()
    {
        (FlashRoute route, Dislocation found) = await DetectAsync();
        var relay = new RelayClient(new RelayEndpoint("alpha", Fixture.Alpha.Url), FlashbotsSigner, TimeSpan.FromSeconds(60));
        var factory = new BundleFactory(Fixture.Chain.Owner, S.Executor, S.Chain.ChainId);
        ulong nonce = (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, Ethereum.JsonRpc.BlockTag.Latest)).Value;
        ulong head = (await Fixture.Chain.Client.BlockNumberAsync()).Value;
        Assert.True(factory.Build(route, UInt256.One, 0, nonce, 600_000, 100_000_000_000UL, 1_000_000_000UL));
        string raw = Hex.Encode(factory.RawTransaction);
        string hash = Hex.Encode(factory.TransactionHash);

        Fixture.Alpha.HoldPrivate = true;
        Assert.Equal(hash, (await relay.SendPrivateTransactionAsync(raw, head + 5)).Value);
        Assert.True((await relay.CancelPrivateTransactionAsync(hash)).Value);
        await Fixture.Alpha.MineAsync();
        Assert.Null((await Fixture.Chain.Client.GetTransactionReceiptAsync(Hex.Decode(hash))).Value);

        Fixture.Alpha.HoldPrivate = false;
        Assert.Equal(hash, (await relay.SendPrivateTransactionAsync(raw, head + 5)).Value);
        Assert.False((await relay.CancelPrivateTransactionAsync(hash)).Value);
        Assert.True((await Fixture.Chain.Client.GetTransactionReceiptAsync(Hex.Decode(hash))).Value!.Succeeded);
        Assert.True((await relay.GetBundleStatsV2Async("0x" + new string('1', 64), head + 1)).Value.IsSimulated);
        await relay.DisposeAsync();
        _ = found;
        _ = CultureInfo.InvariantCulture;
    }
}
