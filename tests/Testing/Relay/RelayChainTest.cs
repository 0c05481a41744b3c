using LowLatency.Adapters.FlashLoans.Local;
using Xunit.Abstractions;

namespace LowLatency.Testing.Relay;

/// <summary>
/// A test class over a <see cref="RelayChainFixture"/>'s scene: each test starts from the scene's snapshot with fault-free
/// relays, and after its own clean-up (<see cref="CleanUpAsync"/>) the scene is put back as it was.
/// </summary>
public abstract class RelayChainTest<TFixture> : IAsyncLifetime
    where TFixture : RelayChainFixture
{
    private RelayChainFixture.TestScope? _scope;

    protected RelayChainTest(TFixture fixture, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Fixture = fixture;
        Output = output;
    }

    protected TFixture Fixture { get; }

    protected ITestOutputHelper Output { get; }

    protected FlashScenario S => Fixture.Chain.Scenario;

    public Task InitializeAsync()
    {
        _scope = Fixture.BeginTest();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await CleanUpAsync();
        await _scope!.DisposeAsync();
    }

    /// <summary>The class's own end of a test (clients, folders, the test's log), before the scene is restored.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;
}
