using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Flashbots.Loopback;
using LowLatency.Testing.Aave;
using LowLatency.Testing.Chain;

namespace LowLatency.Testing.Relay;

/// <summary>
/// The flash-loan scene on anvil with two loopback relays over it ("alpha" and "beta"); from here on the relays
/// produce the blocks (automine is off). Tests snapshot and revert the chain and reset the relays' faults.
/// </summary>
public class RelayChainFixture : IAsyncLifetime
{
    public RelayChainFixture()
        : this(new FlashChainFixture())
    {
    }

    /// <summary>Another scene under the relays (its token and prices).</summary>
    protected RelayChainFixture(FlashChainFixture chain) => Chain = chain;

    public FlashChainFixture Chain { get; }

    public LoopbackRelay Alpha { get; private set; } = null!;

    public LoopbackRelay Beta { get; private set; } = null!;

    /// <summary>The block builder's address (anvil's coinbase while the relays mine).</summary>
    public static Address Builder { get; } = Address.Parse("0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5");

    public async Task InitializeAsync()
    {
        await Chain.InitializeAsync();
        try
        {
            Alpha = await LoopbackRelay.StartAsync(Chain.Client, Builder);
            Beta = await LoopbackRelay.StartAsync(Chain.Client, Builder);
        }
        catch
        {
            await Chain.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A test's start: fault-free relays and a snapshot of the chain. Disposing the scope, at the test's end, resets the
    /// relays again and reverts the chain to the snapshot, so every test of a class starts from the same scene.
    /// </summary>
    public TestScope BeginTest()
    {
        ResetRelays();
        return new TestScope(this, Chain.Snapshot());
    }

    public void ResetRelays()
    {
        foreach (LoopbackRelay relay in new[] { Alpha, Beta })
        {
            relay.Fault = RelayFault.None;
            relay.FaultCount = 0;
            relay.MissNextTargets = 0;
            relay.MissedAnswerDelay = TimeSpan.Zero;
            relay.Competitor = null;
            relay.HoldPrivate = false;
            relay.ReorgableNextInclusion = false;
        }
    }

    public async Task DisposeAsync()
    {
        if (Alpha is not null)
        {
            await Alpha.DisposeAsync();
        }

        if (Beta is not null)
        {
            await Beta.DisposeAsync();
        }

        await Chain.DisposeAsync();
    }

    /// <summary>One test's hold on the scene (<see cref="BeginTest"/>).</summary>
    public sealed class TestScope(RelayChainFixture fixture, string snapshot) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            fixture.ResetRelays();
            await fixture.Chain.RevertAsync(snapshot);
        }
    }
}

/// <summary>
/// The relays over a USDC/WETH scene at one price on both pools (USDC: 6 decimals, 3,000 per WETH): the agents' market,
/// with nothing to capture until a test moves a pool.
/// </summary>
public sealed class UsdcRelayChainFixture : RelayChainFixture
{
    public UsdcRelayChainFixture()
        : base(new FlashChainFixture { TokenDecimals = 6, V2Price = 3000, V3Price = 3000 })
    {
    }
}
