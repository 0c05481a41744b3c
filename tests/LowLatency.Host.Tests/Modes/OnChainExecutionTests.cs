using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.FlashLoans.Local;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing.Aave;
using LowLatency.Testing.Exchanges;
using LowLatency.Testing.Relay;
using LowLatency.Testing.Venues;
using Xunit.Abstractions;

namespace LowLatency.Host.Tests.Modes;

/// <summary>
/// <c>run --live --execute</c> with a chain naming our executor, end to end on real bytecode: anvil holds the flash-loan
/// scene (Aave V3 market, a WETH/TKN V2 pair and V3 pool at different prices, the executor owned by the trading key);
/// the engine follows both pools over anvil's WebSocket, its strategy step signs the bundle, the loopback relay
/// simulates and includes it, and the run logs its end and reports its P&amp;L. The CEX side runs beside it on
/// loopback venues whose books do not cross. No key is printed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OnChainExecutionTests : RelayChainTest<RelayChainFixture>, IClassFixture<RelayChainFixture>
{
    private readonly TempFolder _folder = new();

    public OnChainExecutionTests(RelayChainFixture fixture, ITestOutputHelper output)
        : base(fixture, output)
    {
    }

    protected override Task CleanUpAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_dislocation_between_the_pools_is_signed_sent_included_logged_and_its_profit_reported()
    {
        UInt256 ownerBefore = await S.Dex.BalanceAsync(S.Weth, S.Chain.From);
        ulong nonceBefore = (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value;

        (int exit, string output, string error, string log) = await RunAsync(S.Executor, "12s");

        Assert.True(exit == 0, error + output);
        Assert.Contains("on-chain execution on anvil (executor " + S.Executor, output, StringComparison.Ordinal);
        string done = output.Split('\n').Last(l => l.StartsWith("done: on-chain:", StringComparison.Ordinal));
        Assert.Contains("included 1, not included 0", done, StringComparison.Ordinal);

        JsonElement[] lines = Lines(log);
        JsonElement ended = Assert.Single(lines, l => l.TryGetProperty("state", out _));
        Assert.Equal("Included", ended.GetProperty("state").GetString());
        Assert.Equal(nonceBefore, ended.GetProperty("nonce").GetUInt64());
        Assert.Contains(ended.GetProperty("block").GetUInt64(), Fixture.Alpha.IncludedBlocks);
        Assert.True(ended.GetProperty("pnlUsd").GetDouble() > 0, ended.ToString());
        Assert.Contains(lines, l => l.TryGetProperty("notice", out JsonElement n) && n.GetString()!.Contains("anvil: following 2 pools", StringComparison.Ordinal));

        // The chain agrees: one transaction from the trading account, and the owner's WETH grew by the logged gross less the builder's share.
        Assert.Equal(nonceBefore + 1, (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);
        UInt256 gained = await S.Dex.BalanceAsync(S.Weth, S.Chain.From) - ownerBefore;
        Assert.True(UInt256.TryParse(ended.GetProperty("grossProfitWei").GetString(), out UInt256 gross));
        Assert.True(UInt256.TryParse(ended.GetProperty("builderPaymentWei").GetString(), out UInt256 builder));
        Assert.True(builder > UInt256.Zero);
        // The owner pays the gas in ETH, not WETH: the WETH gain is the gross less the builder only, and it is what the
        // receipt's transfer to the owner shows (the P&L's source).
        Assert.Equal(gross - builder, gained);
        Assert.True(UInt256.TryParse(ended.GetProperty("sweptWei").GetString(), out UInt256 swept));
        Assert.Equal(gained, swept);
        AssertNoSecret(output + error + log);
        Output.WriteLine(done);
    }

    [Fact]
    public async Task An_executor_not_owned_by_the_trading_key_is_never_sent_to_and_says_why()
    {
        // The Aave pool is a contract, but it has no owner() of ours: the start-up check refuses the chain before any bundle.
        (int sentBefore, int simulationsBefore) = (Fixture.Alpha.SentBundles.Count, Fixture.Alpha.Simulations);
        // 8 s: the start is retried every 5 s, and the problem is logged once, not at each retry.
        (int exit, string output, string error, string log) = await RunAsync(S.Aave.Pool, "8s");

        Assert.True(exit == 0, error + output);
        Assert.Contains("anvil not started", output, StringComparison.Ordinal);
        Assert.Single(Lines(log), l => l.TryGetProperty("notice", out JsonElement n) && n.GetString()!.Contains("anvil: not started:", StringComparison.Ordinal));
        Assert.Equal(sentBefore, Fixture.Alpha.SentBundles.Count);
        Assert.Equal(simulationsBefore, Fixture.Alpha.Simulations);
        AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task With_the_kill_switch_engaged_the_signed_bundle_is_refused_before_any_relay_and_its_nonce_handed_back()
    {
        Untouched before = await UntouchedAsync();
        string killFile = _folder.Write("KILL", "");

        (int exit, string output, string error, string log) = await RunAsync(S.Executor, "6s", killFile);

        Assert.True(exit == 0, error + output);
        string done = output.Split('\n').Last(l => l.StartsWith("done: on-chain:", StringComparison.Ordinal));
        Assert.Contains("1 bundles signed", done, StringComparison.Ordinal);
        Assert.Contains("sent to the relays 0:", done, StringComparison.Ordinal);
        Assert.Contains("refused 1", done, StringComparison.Ordinal);
        Assert.Contains(Lines(log), l => l.TryGetProperty("notice", out JsonElement n)
            && n.GetString()!.Contains($"bundle nonce {before.Nonce}: the kill switch is engaged; not sent", StringComparison.Ordinal));
        await AssertUntouchedAsync(before);
        AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task Above_the_gas_price_cap_nothing_is_signed_and_the_breaker_shows_tripped()
    {
        Untouched before = await UntouchedAsync();
        // Only the relay mines here: the head's base fee holds for the run. The cap is half of it.
        Block head = (await Fixture.Chain.Client.GetBlockByNumberAsync(BlockTag.Latest)).Value!;
        double baseFeeWei = Amounts.ToDouble(head.Header.BaseFeePerGas!.Value);
        Assert.True(baseFeeWei > 2, "anvil's head has a base fee");
        double capGwei = baseFeeWei / 2 / 1e9;

        (int exit, string output, string error, string log) = await RunAsync(S.Executor, "6s", maxBaseFeeGwei: capGwei);

        Assert.True(exit == 0, error + output);
        string done = output.Split('\n').Last(l => l.StartsWith("done: on-chain:", StringComparison.Ordinal));
        Assert.Contains("0 bundles signed", done, StringComparison.Ordinal);
        Assert.Contains("holding: base fee above", done, StringComparison.Ordinal);
        JsonElement[] lines = Lines(log);
        JsonElement trip = Assert.Single(lines, l => l.TryGetProperty("breaker", out JsonElement b) && b.GetString() == "GasPriceCap");
        Assert.Equal("Tripped", trip.GetProperty("kind").GetString());
        Assert.Equal("anvil", trip.GetProperty("subject").GetString());
        Assert.Equal(baseFeeWei, trip.GetProperty("value").GetDouble());
        Assert.Contains(lines, l => l.TryGetProperty("notice", out JsonElement n) && n.GetString()!.Contains("is above the cap", StringComparison.Ordinal));
        await AssertUntouchedAsync(before);
        AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task A_chain_whose_node_never_answers_does_not_hold_up_another_chains_bundle()
    {
        // A listener that accepts and never answers the WebSocket handshake: the connect waits. "abyss" sorts before
        // "anvil", so a start-up on the on-chain thread itself would keep anvil from ever starting.
        using var dark = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        dark.Start();
        var held = new List<System.Net.Sockets.Socket>();
        using var accepting = new CancellationTokenSource();
        Task accept = Task.Run(async () =>
        {
            while (!accepting.IsCancellationRequested)
            {
                held.Add(await dark.AcceptSocketAsync(accepting.Token));
            }
        });
        var darkUrl = new Uri($"ws://127.0.0.1:{((System.Net.IPEndPoint)dark.LocalEndpoint).Port}");

        (int exit, string output, string error, string log) = await RunAsync(S.Executor, "12s", darkNode: darkUrl);

        await accepting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept);
        Assert.NotEmpty(held);
        held.ForEach(h => h.Dispose());
        Assert.True(exit == 0, error + output);
        string done = output.Split('\n').Last(l => l.StartsWith("done: on-chain:", StringComparison.Ordinal));
        // Still connecting, or past its connect timeout on a slow box: either way it never started, and never held anvil up.
        Assert.Contains("abyss not started (", done, StringComparison.Ordinal);
        Assert.Contains("included 1, not included 0", done, StringComparison.Ordinal);
        Assert.Single(Lines(log), l => l.TryGetProperty("state", out JsonElement st) && st.GetString() == "Included");
        AssertNoSecret(output + error + log);
    }

    [Fact]
    public async Task The_dry_run_follows_the_chain_signs_and_simulates_the_bundle_as_the_owner_and_sends_nothing()
    {
        Untouched before = await UntouchedAsync();

        // No --live, no --execute, no key: the default mode on live data.
        (int exit, string output, string error, string log) = await RunAsync(S.Executor, "8s", dryRun: true);

        Assert.True(exit == 0, error + output);
        Assert.Contains("on-chain dry run on anvil (executor " + S.Executor, output, StringComparison.Ordinal);
        string done = output.Split('\n').Last(l => l.StartsWith("done: on-chain (dry run):", StringComparison.Ordinal));
        Assert.Contains("would send 1: simulated ok 1, would revert 0, not simulated 0; nothing sent", done, StringComparison.Ordinal);
        JsonElement wouldSend = Assert.Single(Lines(log), l => l.TryGetProperty("simulation", out _));
        Assert.Equal("ok", wouldSend.GetProperty("simulation").GetString());
        Assert.Equal("anvil", wouldSend.GetProperty("chain").GetString());
        // A flash loan through both pools: the node's estimate is the executor's real cost, well above a plain transfer.
        Assert.InRange(wouldSend.GetProperty("gasEstimate").GetUInt64(), 250_000UL, 600_000UL);
        Assert.True(wouldSend.GetProperty("netProfitUsd").GetDouble() > 0);
        Assert.True(UInt256.TryParse(wouldSend.GetProperty("grossProfitWei").GetString(), out UInt256 gross) && gross > UInt256.Zero);

        // Nothing reached a relay or the chain.
        await AssertUntouchedAsync(before);
    }

    private Task<(int Exit, string Out, string Err, string Log)> RunAsync(Address executor, string duration, string? killFile = null, double? maxBaseFeeGwei = null, Uri? darkNode = null, bool dryRun = false) =>
        OnChainRun.RunAsync(Fixture, _folder, Output, executor, duration, new OnChainRun.Options { KillFile = killFile, MaxBaseFeeGwei = maxBaseFeeGwei, DarkNode = darkNode, DryRun = dryRun });

    /// <summary>The relay's bundles and simulations and the trading account's nonce on chain: what a test that sends nothing must leave as it was.</summary>
    private async Task<Untouched> UntouchedAsync() =>
        new(Fixture.Alpha.SentBundles.Count, Fixture.Alpha.Simulations, (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);

    private async Task AssertUntouchedAsync(Untouched before)
    {
        Assert.Equal(before.Sent, Fixture.Alpha.SentBundles.Count);
        Assert.Equal(before.Simulations, Fixture.Alpha.Simulations);
        Assert.Equal(before.Nonce, (await Fixture.Chain.Client.GetTransactionCountAsync(S.Chain.From, BlockTag.Latest)).Value);
    }

    private static JsonElement[] Lines(string log) => OnChainRun.Lines(log);

    private static void AssertNoSecret(string text) => OnChainRun.AssertNoSecret(text);

    private readonly record struct Untouched(int Sent, int Simulations, ulong Nonce);
}
