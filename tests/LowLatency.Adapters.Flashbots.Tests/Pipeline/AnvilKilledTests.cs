using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Testing.Chain;
using LowLatency.Testing.Relay;
using Xunit.Abstractions;

namespace LowLatency.Adapters.Flashbots.Tests.Pipeline;

/// <summary>
/// anvil killed mid-run. Each test kills its own chain (a fixture of its own, not the shared one): the pipeline ends
/// with a logged reason, never throws, and never sends again.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AnvilKilledTests
{
    private static readonly EthSigner FlashbotsSigner = new(PrivateKey.FromHex("0x" + new string('7', 64)));
    private readonly ITestOutputHelper _output;
    private readonly List<string> _log = [];

    public AnvilKilledTests(ITestOutputHelper output) => _output = output;

    private async Task<(BundlePipeline Pipeline, RelayClient Relay, FlashRoute Route, UInt256 Profit)> StartAsync(RelayChainFixture f, BundleOptions options)
    {
        FlashScenario s = f.Chain.Scenario;
        (DexPool v2, DexPool v3) = await s.ReadPoolsAsync();
        var route = new FlashRoute();
        Dislocation found = TwoPoolArbitrage.Find(s.Weth, v2, v3, s.PremiumBps, FlashScenario.Ether * 500UL, route);
        Assert.True(found.Found);
        var relay = new RelayClient(new RelayEndpoint("alpha", f.Alpha.Url), FlashbotsSigner, TimeSpan.FromSeconds(60));
        var factory = new BundleFactory(f.Chain.Owner, s.Executor, s.Chain.ChainId);
        var nonces = NonceManager.ForClient(f.Chain.Client, f.Chain.Owner.Address);
        return (new BundlePipeline([relay], f.Chain.Client, nonces, factory, options, _log.Add), relay, route, found.Profit);
    }

    [Fact]
    public async Task Killed_between_simulation_and_send_the_bundle_is_abandoned_with_the_reason_and_never_sent_again()
    {
        var f = new RelayChainFixture();
        await f.InitializeAsync();
        try
        {
            (BundlePipeline pipeline, RelayClient relay, FlashRoute route, UInt256 profit) = await StartAsync(f, new BundleOptions { TargetBlocks = 3 });
            pipeline.OnSimulated = o =>
            {
                Assert.Equal("simulated", o.Reason);
                f.Chain.Anvil.Stop();
            };

            BundleOutcome outcome = await pipeline.RunAsync(route, profit, () => Task.FromResult(true));

            Assert.False(f.Chain.Anvil.IsRunning);
            Assert.Equal(BundleState.Abandoned, outcome.State);
            Assert.StartsWith("the node stopped answering while tracking block ", outcome.Reason, StringComparison.Ordinal);
            Assert.Contains(_log, l => l.Contains(outcome.Reason, StringComparison.Ordinal));
            Assert.Single(f.Alpha.SentBundles);
            Assert.Equal(1, relay.Stats.Sent);
            Assert.Equal(0, relay.Stats.Included);

            // With the node gone the next opportunity is not even signed or simulated.
            int simulations = f.Alpha.Simulations;
            BundleOutcome next = await pipeline.RunAsync(route, profit);
            Assert.Equal(BundleState.NotSent, next.State);
            Assert.StartsWith("the node did not give its head block", next.Reason, StringComparison.Ordinal);
            Assert.Equal(simulations, f.Alpha.Simulations);
            Assert.Single(f.Alpha.SentBundles);
            Assert.False(SecretRedaction.ContainsSecret(string.Join("\n", _log) + outcome.Reason + next.Reason));
            _output.WriteLine(outcome.Reason);
            _output.WriteLine(next.Reason);
            await relay.DisposeAsync();
        }
        finally
        {
            await f.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killed_while_an_inclusion_is_being_confirmed_it_is_not_counted_included_and_not_sent_again()
    {
        var f = new RelayChainFixture();
        await f.InitializeAsync();
        try
        {
            (BundlePipeline pipeline, RelayClient relay, FlashRoute route, UInt256 profit) = await StartAsync(f, new BundleOptions { TargetBlocks = 3, ConfirmBlocks = 1 });
            pipeline.OnLanded = _ =>
            {
                f.Chain.Anvil.Stop();
                return Task.CompletedTask;
            };

            BundleOutcome outcome = await pipeline.RunAsync(route, profit, () => Task.FromResult(true));

            Assert.Equal(BundleState.Abandoned, outcome.State);
            Assert.Contains("the node stopped answering", outcome.Reason, StringComparison.Ordinal);
            Assert.Single(outcome.TargetBlocks);
            Assert.Single(f.Alpha.SentBundles);
            Assert.Equal(0, relay.Stats.Included);
            _output.WriteLine(outcome.Reason);
            await relay.DisposeAsync();
        }
        finally
        {
            await f.DisposeAsync();
        }
    }
}
