using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Strategy;
using LowLatency.Testing.Chain;
using LowLatency.Testing.Relay;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Flashbots.Tests.Pipeline;

/// <summary>
/// The hand-off from the strategy thread to the relays: the scene's two dislocated pools, read from anvil, go through
/// the engine's strategy step (graph evaluation, sizing, the bundler's exact re-quote and signature); the
/// <see cref="BundleExecutor"/> sends the bytes signed there through the loopback relay's simulation, send and
/// inclusion. Each test starts from the same chain (snapshot / revert) and fault-free relays.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BundleExecutorTests : RelayChainTest<RelayChainFixture>, IClassFixture<RelayChainFixture>
{
    private static readonly EthSigner FlashbotsSigner = new(PrivateKey.FromHex("0x" + new string('7', 64)));
    private static readonly TimeSpan EndWait = TimeSpan.FromSeconds(60);
    private readonly List<string> _log = [];
    private readonly List<RelayClient> _clients = [];

    public BundleExecutorTests(RelayChainFixture fixture, ITestOutputHelper output)
        : base(fixture, output)
    {
    }

    protected override async Task CleanUpAsync()
    {
        foreach (RelayClient client in _clients)
        {
            await client.DisposeAsync();
        }

        lock (_log)
        {
            foreach (string line in _log)
            {
                Output.WriteLine(line);
            }
        }
    }

    [Fact]
    public async Task A_bundle_signed_on_the_strategy_thread_is_simulated_sent_and_included_with_the_nonce_it_was_signed_with()
    {
        (ChainStrategy engine, BundleExecutor executor, _) = await ComposeAsync(new BundleOptions { TargetBlocks = 3 });
        await using (executor)
        {
            ulong firstNonce = engine.Signer.Nonces.Next;
            UInt256 ownerBefore = await S.Dex.BalanceAsync(S.Weth, S.Chain.From);

            Assert.NotEmpty(await StepAsync(engine));
            Assert.Equal(1, engine.Bundler.Built);
            Assert.True(engine.Signer.InFlight);
            Assert.Equal(1, engine.DrainBundles(executor.Submit));
            EndedBundle ended = await EndAsync(executor);

            Assert.True(ended.Outcome.State == BundleState.Included, ended.Outcome.State + ": " + ended.Outcome.Reason);
            Assert.Equal(firstNonce, ended.Bundle.Nonce);
            Assert.Equal(firstNonce, ended.Outcome.Nonce);
            Assert.Equal(firstNonce + 1, engine.Signer.Nonces.Next);
            Assert.False(engine.Signer.InFlight);
            Assert.Equal(firstNonce + 1, (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);
            BuiltBundle signed = ended.Bundle;
            Assert.Equal(Hex.Encode(signed.TransactionHash), ended.Outcome.TxHash);

            // The owner's WETH grew by the strategy's exact gross profit, less the builder's share the executor paid.
            UInt256 gained = await S.Dex.BalanceAsync(S.Weth, S.Chain.From) - ownerBefore;
            Assert.Equal(ended.Bundle.GrossProfitRaw - ended.Outcome.BuilderPaymentWei, gained);
            Assert.True(ended.Outcome.BuilderPaymentWei > UInt256.Zero);
            Assert.Equal(1, executor.Ended(BundleState.Included));
            Output.WriteLine($"borrowed {ended.Bundle.Amount} WETH, gross {ended.Bundle.GrossProfitRaw} wei, included in {ended.Outcome.IncludedBlock}, gas {ended.Outcome.GasUsed}");
        }
    }

    [Fact]
    public async Task While_a_bundle_is_out_nothing_more_is_signed_and_a_missed_bundle_hands_its_nonce_to_the_next()
    {
        Fixture.Alpha.MissNextTargets = 2;
        (ChainStrategy engine, BundleExecutor executor, _) = await ComposeAsync(new BundleOptions { TargetBlocks = 2 });
        await using (executor)
        {
            ulong nonce = engine.Signer.Nonces.Next;
            await StepAsync(engine);
            Assert.Equal(1, engine.DrainBundles(executor.Submit));

            // The pair moves by a millionth of a token while the first is out: the route is reported again, and the account signs nothing
            // and reserves no nonce.
            Assert.NotEmpty(await StepAsync(engine, nudgeV2: true));
            Assert.Equal(1, engine.Bundler.Built);
            Assert.True(engine.Bundler.Busy >= 1, "the second step was not held back");
            Assert.Equal(nonce + 1, engine.Signer.Nonces.Next);

            EndedBundle missed = await EndAsync(executor);
            Assert.Equal(BundleState.Missed, missed.Outcome.State);
            Assert.True(missed.Outcome.NonceUnused);
            Assert.Equal(nonce, engine.Signer.Nonces.Next);
            Assert.False(engine.Signer.InFlight);
            Assert.Equal(1, executor.MissedSettled); // the host may try the standing route again at this head

            // The next bundle is signed with the nonce the miss handed back, and lands: a landing is no miss.
            await SecondBundleLandsWithAsync(engine, executor, nonce);
            Assert.Equal(1, executor.MissedSettled);
        }
    }

    [Fact]
    public async Task A_bundle_below_the_threshold_after_simulation_is_never_sent_and_its_nonce_is_signed_again_by_the_next()
    {
        // A threshold above what the route can make: the simulation answers, and the profit after its gas is too small.
        (ChainStrategy engine, BundleExecutor executor, _) = await ComposeAsync(new BundleOptions(), minProfitAboveRoute: true);
        await using (executor)
        {
            ulong nonce = engine.Signer.Nonces.Next;
            int sent = Fixture.Alpha.SentBundles.Count;
            await StepAsync(engine);
            engine.DrainBundles(executor.Submit);
            EndedBundle ended = await EndAsync(executor);

            Assert.Equal(BundleState.NotSent, ended.Outcome.State);
            Assert.Contains("below the threshold", ended.Outcome.Reason, StringComparison.Ordinal);
            Assert.Equal(sent, Fixture.Alpha.SentBundles.Count);
            Assert.Equal(nonce, engine.Signer.Nonces.Next);
            Assert.False(engine.Signer.InFlight);
            Assert.Equal(0, executor.MissedSettled); // the same route at the same head would end the same way
            await StepAsync(engine);
            Assert.Equal(2, engine.Bundler.Built);
            engine.DrainBundles(executor.Submit);
            Assert.Equal(nonce, (await EndAsync(executor)).Bundle.Nonce);
        }
    }

    [Fact]
    public async Task A_route_whose_profit_is_not_in_wei_is_refused_before_any_relay_and_its_nonce_handed_back()
    {
        // No WETH known to the signer: nothing is rotated to borrow it, so no route's profit is in wei.
        (ChainStrategy engine, BundleExecutor executor, _) = await ComposeAsync(new BundleOptions(), wethKnown: false);
        await using (executor)
        {
            ulong nonce = engine.Signer.Nonces.Next;
            int simulations = Fixture.Alpha.Simulations;
            await StepAsync(engine);
            Assert.Equal(1, engine.Bundler.Built);
            Assert.True(engine.Signer.InFlight);

            AssertRefusedBeforeAnyRelay(engine, executor, nonce, simulations);
            Assert.Contains(_log.ToArray(), l => l.Contains("does not borrow the chain's WETH", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_budget_that_refuses_a_bundle_keeps_it_from_every_relay_and_each_bundle_it_approved_settles_as_landed_only_when_it_landed()
    {
        Fixture.Alpha.MissNextTargets = 2;
        (ChainStrategy engine, BundleExecutor executor, _) = await ComposeAsync(new BundleOptions { TargetBlocks = 2 });
        var settled = new System.Collections.Concurrent.ConcurrentQueue<(ulong Nonce, bool Landed)>();
        string? refusal = "over this node's share of the day";
        executor.Reserve = (in BuiltBundle _) => refusal;
        executor.Settle = (bundle, landed) => settled.Enqueue((bundle.Nonce, landed));
        await using (executor)
        {
            ulong nonce = engine.Signer.Nonces.Next;
            int simulations = Fixture.Alpha.Simulations;
            await StepAsync(engine);
            AssertRefusedBeforeAnyRelay(engine, executor, nonce, simulations);
            Assert.Contains(_log.ToArray(), l => l == $"bundle nonce {nonce}: over this node's share of the day; not sent");
            Assert.Empty(settled);

            // Approved: the first misses both targets (the chain never counts its nonce), the next lands.
            refusal = null;
            Assert.NotEmpty(await StepAsync(engine));
            Assert.Equal(1, engine.DrainBundles(executor.Submit));
            Assert.Equal(BundleState.Missed, (await EndAsync(executor)).Outcome.State);
            Assert.Equal([(nonce, false)], settled.ToArray());

            Assert.NotEmpty(await StepAsync(engine));
            Assert.Equal(1, engine.DrainBundles(executor.Submit));
            EndedBundle included = await EndAsync(executor);
            Assert.Equal(BundleState.Included, included.Outcome.State);
            Assert.Equal([(nonce, false), (nonce, true)], settled.ToArray());
        }
    }

    [Fact]
    public async Task A_bundle_whose_node_went_dark_is_abandoned_and_its_nonce_comes_back_only_once_the_node_shows_it_unused()
    {
        // The executor's node goes dark after the simulation (the relay and the test still reach anvil), and the relay
        // misses: the bundle's fate is unknown, so its nonce may not be handed back until the node can say.
        await using SwitchableNode node = await SwitchableNode.StartAsync(Fixture.Chain.Anvil.HttpUrl);
        await using var client = JsonRpcClient.ForHttp(node.Url, new JsonRpcOptions { MaxAttempts = 1, RequestTimeout = TimeSpan.FromSeconds(5) });
        Fixture.Alpha.MissNextTargets = 10;
        (ChainStrategy engine, BundleExecutor executor, BundlePipeline pipeline) = await ComposeAsync(new BundleOptions { TargetBlocks = 2 }, node: client);
        pipeline.OnSimulated = _ => node.Answering = false;
        var settled = new System.Collections.Concurrent.ConcurrentQueue<bool>();
        executor.Settle = (_, landed) => settled.Enqueue(landed);
        await using (executor)
        {
            ulong nonce = engine.Signer.Nonces.Next;
            await StepAsync(engine);
            Assert.Equal(1, engine.DrainBundles(executor.Submit));

            EndedBundle abandoned = await NextEndedAsync(executor);
            Assert.Equal(BundleState.Abandoned, abandoned.Outcome.State);
            Assert.StartsWith("the node stopped answering while tracking block ", abandoned.Outcome.Reason, StringComparison.Ordinal);
            Assert.False(abandoned.Outcome.NonceUnused);

            // Settling: while the node is dark the account signs nothing and its nonce stays taken.
            await Task.Delay(500);
            Assert.True(engine.Signer.InFlight);
            Assert.NotEmpty(await StepAsync(engine, nudgeV2: true));
            Assert.Equal(1, engine.Bundler.Built);
            Assert.True(engine.Bundler.Busy >= 1, "a step while settling was not held back");
            Assert.Equal(nonce + 1, engine.Signer.Nonces.Next);
            Assert.True(node.Refused > 0);
            Assert.Empty(settled); // a reservation is not given back while the bundle may still land

            // The node answers again; once its head is past every block the bundle could land in, the count (unchanged)
            // shows the nonce unused, and it is handed back.
            node.Answering = true;
            for (int i = 0; i < 3; i++)
            {
                Fixture.Chain.Anvil.RawCall("evm_mine");
            }

            DateTime deadline = DateTime.UtcNow + EndWait;
            while (engine.Signer.InFlight && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.False(engine.Signer.InFlight);
            Assert.Equal(nonce, engine.Signer.Nonces.Next);
            Assert.Contains(_log.ToArray(), l => l.Contains($"bundle nonce {nonce}: the node answers again; the account's count is {nonce}, so the nonce is unused and handed back; signing resumes", StringComparison.Ordinal));
            Assert.Equal([false], settled.ToArray());

            // The next bundle takes that nonce and lands with it.
            Fixture.Alpha.MissNextTargets = 0;
            pipeline.OnSimulated = null;
            await SecondBundleLandsWithAsync(engine, executor, nonce);
        }
    }

    private async Task<(ChainStrategy Engine, BundleExecutor Executor, BundlePipeline Pipeline)> ComposeAsync(BundleOptions options, bool minProfitAboveRoute = false, bool wethKnown = true, JsonRpcClient? node = null)
    {
        node ??= Fixture.Chain.Client;
        (DexPool v2, DexPool v3) = await S.ReadPoolsAsync();
        RpcResult<Block?> head = await Fixture.Chain.Client.GetBlockByNumberAsync(BlockTag.Latest);
        double baseFee = Amounts.ToDouble(head.Value!.Header.BaseFeePerGas ?? UInt256.Zero);
        ChainGas gas = ChainStrategy.MeasuredGas(Math.Max(baseFee, 1), 1e9, S.PremiumBps, 0);
        var factory = new BundleFactory(Fixture.Chain.Owner, S.Executor, S.Chain.ChainId);
        NonceManager nonces = NonceManager.ForClient(node, Fixture.Chain.Owner.Address);
        Assert.True((await nonces.InitialiseAsync()).IsOk);
        var engine = new ChainStrategy(
            [v2, v3],
            new Dictionary<Address, int> { [S.Weth] = 18, [S.Token] = 18 },
            new Dictionary<Address, double> { [S.Weth] = 3_000, [S.Token] = 1 },
            in gas, factory, nonces, wethKnown ? S.Weth : default, 1_000);
        var relay = new RelayClient(new RelayEndpoint("alpha", Fixture.Alpha.Url), FlashbotsSigner, TimeSpan.FromSeconds(30));
        _clients.Add(relay);
        BundleOptions pipelineOptions = minProfitAboveRoute ? options with { MinProfitWei = FlashScenario.Ether * 1_000UL } : options;
        var pipeline = new BundlePipeline([relay], node, nonces, factory, pipelineOptions, Log);
        var executor = new BundleExecutor(engine.Bundler, [new BundleExecutorChain(engine.Signer, pipeline)], Log, engine.Stage.RequestRearm);
        return (engine, executor, pipeline);
    }

    /// <summary>
    /// The pools' state on chain now, through the strategy step (a block number above the last one). Read between the
    /// relay's simulations: a bundle out is simulated again between its targets, on a block mined and then reverted.
    /// </summary>
    private async Task<IReadOnlyList<Opportunity>> StepAsync(ChainStrategy engine, bool nudgeV2 = false)
    {
        (DexPool v2, DexPool v3, long block) = await Fixture.Alpha.ReadChainAsync(async () =>
        {
            (DexPool pair, DexPool pool) = await S.ReadPoolsAsync();
            return (pair, pool, (long)(await Fixture.Chain.Client.BlockNumberAsync()).Value);
        });
        if (nudgeV2)
        {
            v2.V2.Reserve0 += new UInt256(1_000_000_000_000UL);
        }

        return engine.Publish([v2, v3], Math.Max(block, engine.Pools.LastBlock(0) + 1));
    }

    /// <summary>The next strategy step signs the second bundle of the test with <paramref name="nonce"/>, and it lands with it.</summary>
    private async Task SecondBundleLandsWithAsync(ChainStrategy engine, BundleExecutor executor, ulong nonce)
    {
        await StepAsync(engine);
        Assert.Equal(2, engine.Bundler.Built);
        Assert.Equal(1, engine.DrainBundles(executor.Submit));
        EndedBundle included = await EndAsync(executor);
        Assert.Equal(BundleState.Included, included.Outcome.State);
        Assert.Equal(nonce, included.Bundle.Nonce);
        Assert.Equal(nonce + 1, (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);
    }

    /// <summary>The bundle just signed was refused at the hand-off: no relay simulated it, its nonce went back, the account may sign again.</summary>
    private void AssertRefusedBeforeAnyRelay(ChainStrategy engine, BundleExecutor executor, ulong nonce, int simulations)
    {
        Assert.Equal(1, engine.DrainBundles(executor.Submit));
        Assert.Equal(1, executor.Refused);
        Assert.Equal(0, executor.Started);
        Assert.Equal(nonce, engine.Signer.Nonces.Next);
        Assert.False(engine.Signer.InFlight);
        Assert.Equal(simulations, Fixture.Alpha.Simulations);
    }

    private static async Task<EndedBundle> EndAsync(BundleExecutor executor)
    {
        DateTime deadline = DateTime.UtcNow + EndWait;
        EndedBundle ended = await NextEndedAsync(executor);

        // The flag is cleared just after the outcome is queued.
        while (executor.Busy && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        return ended;
    }

    private static async Task<EndedBundle> NextEndedAsync(BundleExecutor executor)
    {
        DateTime deadline = DateTime.UtcNow + EndWait;
        EndedBundle? ended = null;
        while (ended is null && DateTime.UtcNow < deadline)
        {
            executor.Poll(e => ended = e);
            if (ended is null)
            {
                await Task.Delay(20);
            }
        }

        Assert.NotNull(ended);
        return ended;
    }

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }
}
