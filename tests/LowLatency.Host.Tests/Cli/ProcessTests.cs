using System.Text.RegularExpressions;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Cli;

/// <summary>The built CLI as a child process: signals, stdout on a full or closed descriptor, the launcher.</summary>
[Trait("Category", "Slow")]
public sealed partial class ProcessTests
{
    private const string Started = "dry-run on the simulated market";

    [GeneratedRegex("done: (?<ticks>[0-9]+) ticks, (?<opportunities>[0-9]+) opportunities.*; log (?<written>[0-9]+) lines written")]
    private static partial Regex DoneLine();

    private static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM", false)]
    [InlineData("INT", false)]
    [InlineData("INT", true)] // a shell's background job starts with SIGINT ignored: the engine restores it
    public async Task A_stop_signal_shuts_down_cleanly_and_every_logged_line_is_in_the_file(string signal, bool startedIgnoringIt)
    {
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        using var child = ChildProcess.StartDll(folder.Path, Started, startedIgnoringIt, "run", "--no-dashboard", "--no-db", "--config", "certain.json", "--log", "arbitrage.log");
        await child.WaitStartedAsync();
        child.Signal(signal);
        int exit = await child.WaitExitAsync();
        Assert.True(exit == 0, child.Err);
        Match done = DoneLine().Match(child.Out);
        Assert.True(done.Success, child.Out);
        Assert.Contains($"run: stopped on SIG{signal}", child.Err, StringComparison.Ordinal);
        Assert.Equal(int.Parse(done.Groups["written"].Value, System.Globalization.CultureInfo.InvariantCulture), File.ReadAllLines(folder.File("arbitrage.log")).Length);
        AssertNoStackTrace(child.Err);
    }

    [Fact]
    public async Task SIGHUP_reopens_the_log_after_it_was_moved()
    {
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        using var child = ChildProcess.StartDll(folder.Path, Started, "run", "--no-dashboard", "--no-db", "--config", "certain.json", "--log", "arbitrage.log");
        await child.WaitStartedAsync();
        var recreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(folder.Path, "arbitrage.log") { NotifyFilter = NotifyFilters.FileName };
        watcher.Created += (_, _) => recreated.TrySetResult();
        watcher.EnableRaisingEvents = true;
        File.Move(folder.File("arbitrage.log"), folder.File("arbitrage.log.old"));
        child.Signal("HUP");

        // The run logs opportunities without pause, so the reopened file appears; then stop it.
        await recreated.Task.WaitAsync(ChildProcess.HangGuard);
        child.Signal("TERM");
        Assert.Equal(0, await child.WaitExitAsync());
        Match done = DoneLine().Match(child.Out);
        Assert.True(done.Success, child.Out);
        int inFiles = File.ReadAllLines(folder.File("arbitrage.log")).Length + File.ReadAllLines(folder.File("arbitrage.log.old")).Length;
        Assert.Equal(int.Parse(done.Groups["written"].Value, System.Globalization.CultureInfo.InvariantCulture), inFiles);
        Assert.Matches("[1-9][0-9]* reopens", child.Out);
    }

    [Theory]
    [InlineData("run --no-dashboard --no-db --ticks 100000 --config certain.json --log a.log > /dev/full", "run: stopped: cannot write to stdout: No space left on device")]
    [InlineData("run --no-dashboard --no-db --ticks 100000 --config certain.json --log a.log >&-", "run: stopped: cannot write to stdout: it is closed")]
    [InlineData("eth keccak --text hello > /dev/full", "eth: cannot write to stdout: No space left on device")]
    [InlineData("eth keccak --text hello >&-", "eth: cannot write to stdout: it is closed")]
    public async Task Stdout_full_or_closed_is_an_error_and_exit_1_not_a_crash(string command, string expected)
    {
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        using var child = ChildProcess.StartShell(folder.Path, "exec $LL " + command);
        Assert.Equal(1, await child.WaitExitAsync());
        Assert.Contains(expected, child.Err, StringComparison.Ordinal);
        AssertNoStackTrace(child.Err);
    }

    [Fact]
    public async Task A_reader_that_goes_away_stops_the_run_with_exit_1_instead_of_running_on_into_nothing()
    {
        // head exits after the first line; the run's next summary line meets a broken pipe. Without that being noticed
        // the run would go on for its whole duration (the hang guard would fail the test long before 10 minutes).
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        using var child = ChildProcess.StartShell(folder.Path, "set -o pipefail; $LL run --no-dashboard --no-db --duration 600s --config certain.json --log a.log | head -n 1 > /dev/null");
        Assert.Equal(1, await child.WaitExitAsync());
        Assert.Contains("run: stopped: cannot write to stdout: ", child.Err, StringComparison.Ordinal);
        AssertNoStackTrace(child.Err);
    }

    [Fact]
    public async Task Closed_stdout_never_lands_console_lines_in_the_log()
    {
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        using var child = ChildProcess.StartShell(folder.Path, "exec $LL run --no-dashboard --no-db --ticks 3000 --config certain.json --log a.log >&-");
        await child.WaitExitAsync();
        foreach (string path in Directory.GetFiles(folder.Path, "a.log*"))
        {
            Assert.DoesNotContain("dry-run on", File.ReadAllText(path), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("$LAUNCHER " + ProgramTests.Key)]
    [InlineData("$LAUNCHER run --duration " + ProgramTests.Key)]
    [InlineData("TRADING_MODE=" + ProgramTests.Key + " $LAUNCHER run --ticks 10")]
    [InlineData("$LAUNCHER eth abi-encode 'f(address)' 0x" + ProgramTests.Key)]
    public async Task A_key_pasted_into_the_wrong_place_is_never_echoed_by_the_launcher(string command)
    {
        using var folder = new TempFolder();
        using var child = ChildProcess.StartShell(folder.Path, command);
        int exit = await child.WaitExitAsync();
        Assert.NotEqual(0, exit);
        Assert.DoesNotContain(ProgramTests.Key, child.Out + child.Err, StringComparison.OrdinalIgnoreCase);
        AssertNoStackTrace(child.Err);
    }

    [Fact]
    public async Task The_launcher_resolves_relative_paths_where_the_caller_stands()
    {
        using var folder = new TempFolder();
        folder.Write("certain.json", CertainMarket.Json);
        using var child = ChildProcess.StartShell(folder.Path, "$LAUNCHER run --no-dashboard --no-db --ticks 1000 --config certain.json --log logs/here.log");
        Assert.True(await child.WaitExitAsync() == 0, child.Err);
        Assert.True(File.Exists(folder.File("logs/here.log")), child.Out + child.Err);
        Assert.Contains(folder.File("logs/here.log"), child.Out, StringComparison.Ordinal);
    }
}
