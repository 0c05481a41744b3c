using LowLatency.Host.Cli;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Host.Tests.Cli;

public sealed class RunLiveCliTests
{
    [Fact]
    public async Task Run_with_live_feeds_connects_to_the_configured_venue_and_prints_its_state_and_rate()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"ll-run-live-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            await using LoopbackBinanceExchange exchange = await LoopbackBinanceExchange.StartAsync(
                SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"), SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0"));
            string config = Path.Combine(dir, "live.json");
            await File.WriteAllTextAsync(config, "{\"venues\":{\"binance\":{\"wsUrl\":\"" + exchange.WsUrl + "\",\"restUrl\":\"" + exchange.RestUrl
                + "\",\"symbols\":[\"NKNUSDT\",\"BLZETH\",\"LRCBTC\",\"RUNEEUR\"]}}}");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Task<int> run = Task.Run(() => Program.Invoke(["run", "--no-dashboard", "--no-db", "--feeds", "live", "--config", config, "--log", Path.Combine(dir, "arb.log"), "--duration", "15s", "--models", Path.Combine(SharedData.RepoRoot, "models")], stdout, stderr));
            // The duration runs from the start: on a loaded box the client's start-up (JIT, connect) took more than 4 s.
            Task subscribed = exchange.WaitForSubscriptionsAsync(1);
            Assert.True(await Task.WhenAny(subscribed, run) == subscribed, "the run ended before it subscribed: " + stderr);
            await subscribed;
            await exchange.SendRestAsync();
            Assert.Equal(0, await run);

            string output = stdout.ToString();
            Assert.Contains("dry-run on live market data: binance (4 symbols, 127.0.0.1)", output, StringComparison.Ordinal);
            // The agents are loaded, and off: the CEX books alone are not the pools they decide on.
            Assert.Contains("agents: off (no chain is followed, none names an executor: the agents decide on a chain's USDC/WETH pools): rules only", output, StringComparison.Ordinal);
            Assert.Matches(@"binance=(connecting|live|resync|quarantined) \d+ msg/s score=\d\.\d\d", output);
            Assert.Matches($@"done: \d+ ticks, .*binance: {exchange.Frames.Count + 1} frames, 0 rejected", output);
            Assert.Equal(4, exchange.RestLog.Count(r => r.Status == 200));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Live_feeds_without_venues_and_a_bad_feeds_value_are_configuration_errors()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, Program.Invoke(["run", "--feeds", "live"], TextWriter.Null, stderr));
        Assert.Contains("marketData: live needs at least one entry under venues", stderr.ToString(), StringComparison.Ordinal);
        stderr = new StringWriter();
        Assert.Equal(2, Program.Invoke(["run", "--feeds", "socket"], TextWriter.Null, stderr));
        Assert.Contains("--feeds: 'socket' must be simulated or live", stderr.ToString(), StringComparison.Ordinal);
    }
}
