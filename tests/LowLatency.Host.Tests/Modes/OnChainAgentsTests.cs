using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Host.Tests.Support;
using LowLatency.Testing;
using LowLatency.Testing.Relay;
using Xunit.Abstractions;

namespace LowLatency.Host.Tests.Modes;

/// <summary>
/// The agent ensemble in live mode, on real bytecode: anvil holds a USDC/WETH V2 pair and V3 0.05 % pool at one price
/// (the agents' market), the engine follows them as its on-chain strategy step, the agents decide on each completed
/// block, and when the test moves the V2 pair the bundle signed for the dislocation carries their votes. Shadow: the
/// votes change nothing, the rule's bundle is signed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OnChainAgentsTests : RelayChainTest<UsdcRelayChainFixture>, IClassFixture<UsdcRelayChainFixture>
{
    private static readonly AbiFunction s_sync = AbiFunction.Parse("sync()");
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();

    public OnChainAgentsTests(UsdcRelayChainFixture fixture, ITestOutputHelper output)
        : base(fixture, output)
    {
    }

    protected override Task CleanUpAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task In_live_mode_the_agents_decide_on_each_block_of_the_chains_USDC_WETH_pools_and_the_bundle_carries_their_votes()
    {
        // Automine is off and the dry run sends nothing: the test makes the blocks, one every 250 ms. The run's 30 s leave a
        // slow box room for the start-up, the four blocks, the move and the bundle signed for it.
        using var mining = new CancellationTokenSource();
        Task miner = Task.Run(async () =>
        {
            while (!mining.IsCancellationRequested)
            {
                await Fixture.Alpha.MineAsync();
                await Task.Delay(250);
            }
        });
        string log = Path.Combine(_folder.Path, "chain.log");
        Task<(int Exit, string Out, string Err, string Log)> run = OnChainRun.RunAsync(Fixture, _folder, Output, S.Executor, "30s",
            new OnChainRun.Options { DryRun = true, Token = "USDC", Models = Path.Combine(SharedData.RepoRoot, "models") });

        // Once the engine follows the pools and the agents have seen blocks complete, the V2 pair moves: 10 WETH given to it
        // and sync() make its reserves 210 WETH against 600,000 USDC (2,857 per WETH against the V3 pool's 3,000).
        await WaitAsync(() => File.Exists(log) && ReadShared(log).Contains("anvil: following 2 pools", StringComparison.Ordinal), run, "the engine followed the pools");
        ulong followedAt = (await Fixture.Chain.Client.BlockNumberAsync()).Value;
        await WaitAsync(() => Fixture.Chain.Client.BlockNumberAsync().GetAwaiter().GetResult().Value >= followedAt + 4, run, "four blocks after the start");
        await S.Chain.SendAsync("WETH to the pair", S.Weth, LocalDex.Transfer.EncodeCall(AbiValue.FromAddress(S.V2Pair), AbiValue.UInt(FlashScenario.Ether * 10UL)));
        await S.Chain.SendAsync("sync", S.V2Pair, s_sync.EncodeCall());

        (int exit, string output, string error, string text) = await run.WaitAsync(s_guard);
        await mining.CancelAsync();
        await miner;

        Assert.True(exit == 0, error + output);
        Assert.Contains("agents: cex-dex shadow, cross-chain off (", output, StringComparison.Ordinal);
        Assert.Contains("flash-loan shadow, whale-copy shadow, risk-manager shadow; on anvil's USDC/WETH pools, one decision per block before its bundles are signed (shadow: the rule acts)", output, StringComparison.Ordinal);
        string done = output.Split('\n').Last(l => l.StartsWith("done: agents:", StringComparison.Ordinal));
        long decided = long.Parse(done["done: agents: ".Length..done.IndexOf(" blocks decided", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(decided >= 4, done);

        // The dislocation's bundle was signed as the rule has it (shadow changed nothing), with the votes of the block before.
        JsonElement bundle = OnChainRun.Lines(text).First(l => l.TryGetProperty("simulation", out _));
        Assert.True(bundle.GetProperty("agentStep").GetInt64() > (long)followedAt, bundle.ToString());
        JsonElement[] votes = [.. bundle.GetProperty("agentVotes").EnumerateArray()];
        Assert.Equal([1, 3, 4, 5], votes.Select(v => v.GetProperty("id").GetInt32()));
        Assert.All(votes, v =>
        {
            Assert.Equal("shadow", v.GetProperty("mode").GetString());
            Assert.Equal(v.GetProperty("ruleAction").GetInt32(), v.GetProperty("acted").GetInt32());
        });
        Assert.Equal("flash-loan", votes[1].GetProperty("agent").GetString());
        OnChainRun.AssertNoSecret(output + error + text);
    }

    /// <summary>The log as the engine is writing it (it holds the file open).</summary>
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task WaitAsync(Func<bool> done, Task run, string what)
    {
        DateTime deadline = DateTime.UtcNow + s_guard;
        while (!done())
        {
            Assert.False(run.IsCompleted, "the run ended before " + what);
            Assert.True(DateTime.UtcNow < deadline, "not within " + s_guard.TotalSeconds + " s: " + what);
            await Task.Delay(100);
        }
    }
}
