using System.Text.RegularExpressions;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Cli;

/// <summary>SIGQUIT engages the kill switch of a running engine: every action after it is denied, the run goes on.</summary>
[Trait("Category", "Slow")]
public sealed partial class KillSignalTests
{
    private const string Started = "paper trading on the simulated market";

    [GeneratedRegex(@"^done: paper: .*denied=(?<denied>\d+) \(.*KillSwitch=(?<kill>\d+)", RegexOptions.Multiline)]
    private static partial Regex PaperDone();

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // started as a shell's background job, with SIGQUIT ignored: the kill switch must still answer
    public async Task Sigquit_engages_the_kill_switch_and_the_trip_is_an_alert_while_the_run_goes_on(bool startedIgnoringIt)
    {
        using var folder = new TempFolder();
        folder.Write("paper.json", CertainMarket.Json.Replace("\"thresholdBps\": -10000,", "\"thresholdBps\": -10000, \"mode\": \"paper\",", StringComparison.Ordinal));
        using var child = ChildProcess.StartDll(folder.Path, Started, startedIgnoringIt, "run", "--no-dashboard", "--no-db", "--config", "paper.json", "--log", "arbitrage.log");
        await child.WaitStartedAsync();
        child.Signal("QUIT");

        // The trip is logged by the host once the strategy thread has seen it; wait for the line and for a summary line
        // that counts a denial by it (on a loaded box the strategy may stamp nothing between the two), then stop the run.
        string log = folder.File("arbitrage.log");
        using var guard = new CancellationTokenSource(ChildProcess.HangGuard);
        while (!(File.Exists(log) && File.ReadAllText(log).Contains("\"breaker\":\"KillSwitch\",\"kind\":\"Tripped\",\"subject\":\"signal\"", StringComparison.Ordinal)
            && child.Out.Contains("KillSwitch=", StringComparison.Ordinal)))
        {
            await Task.Delay(50, guard.Token);
        }

        child.Signal("TERM");
        int exit = await child.WaitExitAsync();
        Assert.True(exit == 0, child.Err);
        Assert.Contains("run: stopped on SIGTERM", child.Err, StringComparison.Ordinal);
        Match done = PaperDone().Match(child.Out);
        Assert.True(done.Success, child.Out);
        Assert.True(long.Parse(done.Groups["kill"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, child.Out);
    }
}
