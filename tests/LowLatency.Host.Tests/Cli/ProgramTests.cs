using LowLatency.Host.Cli;
using LowLatency.Host.Persistence;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Cli;

/// <summary>The command line in-process, exactly as Main runs it (exit codes, messages, redaction, broken stdout).</summary>
public sealed class ProgramTests
{
    /// <summary>A value shaped like a private key (32 bytes of hex).</summary>
    internal const string Key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    private static (int Exit, string Out, string Err) Invoke(Dictionary<string, string>? environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(args), stdout, stderr, name => environment?.GetValueOrDefault(name));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static (int Exit, string Out, string Err) Invoke(params string[] args) => Invoke(null, args);

    private static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "--threshold-bps", "abc")]
    [InlineData("run", "--ticks", "0")]
    [InlineData("run", "--duration", "soon")]
    [InlineData("run", "--bogus")]
    [InlineData("run", "--mode", "yolo")]
    [InlineData("replay", "--depth", "abc", "x")]
    [InlineData("nonsense")]
    public void Every_usage_error_exits_2_with_one_clear_line_per_problem(params string[] args)
    {
        (int exit, string output, string error) = Invoke(args);
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, output);
        AssertNoStackTrace(error);
        string verb = args[0] is "run" or "replay" ? args[0] : "lowlatency";
        Assert.All(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line =>
            Assert.True(line.StartsWith(verb + ":", StringComparison.Ordinal) || line.StartsWith("  - ", StringComparison.Ordinal), line));
    }

    [Fact]
    public void A_bad_flag_value_says_what_was_expected_not_a_dotnet_type()
    {
        (_, _, string error) = Invoke("run", "--threshold-bps", "abc");
        Assert.Contains("--threshold-bps: 'abc' is not a number", error, StringComparison.Ordinal);
        (_, _, error) = Invoke("replay", "--depth", "abc", "x");
        Assert.Contains("--depth: 'abc' is not a whole number", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_verb_is_a_usage_error()
    {
        (int exit, _, string error) = Invoke();
        Assert.Equal(2, exit);
        Assert.Contains("lowlatency: a verb is needed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pasted_as_the_verb_is_not_echoed()
    {
        (int exit, string output, string error) = Invoke(Key);
        Assert.Equal(2, exit);
        Assert.DoesNotContain(Key, output + error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<redacted>", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pasted_into_duration_is_not_echoed()
    {
        (int exit, string output, string error) = Invoke("run", "--duration", "0x" + Key);
        Assert.Equal(2, exit);
        Assert.DoesNotContain(Key, output + error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--duration: '<redacted>'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pasted_into_TRADING_MODE_is_not_echoed()
    {
        (int exit, string output, string error) = Invoke(new Dictionary<string, string> { ["TRADING_MODE"] = Key }, "run", "--ticks", "10");
        Assert.Equal(2, exit);
        Assert.DoesNotContain(Key, output + error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("TRADING_MODE: '<redacted>'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pasted_into_the_log_path_or_a_venue_name_is_not_echoed_or_logged()
    {
        using var folder = new TempFolder();
        string config = folder.Write("key.json", CertainMarket.Json.Replace("sim-b", Key, StringComparison.Ordinal));
        string log = folder.File(Key + ".log");
        (int exit, string output, string error) = Invoke("run", "--ticks", "2000", "--config", config, "--log", log);
        Assert.True(exit == 0, error);
        Assert.DoesNotContain(Key, output + error, StringComparison.OrdinalIgnoreCase);
        string logged = File.ReadAllText(log);
        Assert.NotEmpty(logged);
        Assert.DoesNotContain(Key, logged, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_eth_tools_data_on_stdout_is_not_redacted()
    {
        (int exit, string output, _) = Invoke("eth", "keccak", "--text", "hello");
        Assert.Equal(0, exit);
        Assert.Equal("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8", output.Trim());
    }

    [Theory]
    [InlineData("""{ "takerFees": null }""", "takerFees: must not be null")]
    [InlineData("""{ "mode": 99 }""", "$.mode")]
    [InlineData("""{ "market": { "venues": [null, { "name": "b" }], "instruments": [{ "symbol": "X" }] } }""", "market.venues[0]: must not be null")]
    public void A_bad_settings_file_exits_2_naming_the_setting(string json, string expected)
    {
        using var folder = new TempFolder();
        (int exit, _, string error) = Invoke("run", "--ticks", "10", "--config", folder.Write("bad.json", json));
        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }

    [Fact]
    public void A_device_as_the_settings_file_exits_2_at_once()
    {
        (int exit, _, string error) = Invoke("run", "--config", "/dev/zero");
        Assert.Equal(2, exit);
        Assert.Contains("config: '/dev/zero' is a character device", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_paths_that_cannot_work_exit_2_with_what_is_wrong()
    {
        using var folder = new TempFolder();
        (int exit, _, string error) = Invoke("run", "--ticks", "10", "--log", folder.Path);
        Assert.Equal(2, exit);
        Assert.Contains("run: log: ", error, StringComparison.Ordinal);
        Assert.Contains("is a directory", error, StringComparison.Ordinal);

        (exit, _, error) = Invoke("run", "--ticks", "10", "--log", folder.File(new string('n', 300)));
        Assert.Equal(2, exit);
        Assert.Contains("the file name is 300 bytes", error, StringComparison.Ordinal);

        (exit, _, error) = Invoke("run", "--ticks", "10", "--log", "/proc/lowlatency-test/arbitrage.log");
        Assert.Equal(2, exit);
        Assert.Contains("run: log: cannot create", error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }

    [Fact]
    public void A_second_run_on_a_held_log_is_refused_naming_the_holder()
    {
        using var folder = new TempFolder();
        string log = folder.File("arbitrage.log");
        Assert.True(LogFile.TryOpen(new LogFileSettings(log, 1 << 20, 3), out LogFile? holder, out string? openError), openError);
        using (holder)
        {
            (int exit, _, string error) = Invoke("run", "--ticks", "10", "--log", log);
            Assert.Equal(2, exit);
            Assert.Contains($"is in use by another run (pid {Environment.ProcessId}", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_with_stdout_on_a_full_disk_stops_with_exit_1_and_says_why()
    {
        using var folder = new TempFolder();
        var stdout = new FullDiskWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(["run", "--no-dashboard", "--no-db", "--config", folder.Write("c.json", CertainMarket.Json), "--log", folder.File("a.log")], stdout, stderr, _ => null);
        Assert.Equal(1, exit);
        Assert.Contains("run: stopped: cannot write to stdout: No space left on device", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, stdout.Attempts); // the first failure ends writing to it
    }

    [Fact]
    public void Eth_with_stdout_on_a_full_disk_exits_1_and_says_why()
    {
        var stderr = new StringWriter();
        int exit = Program.Invoke(["eth", "keccak", "--text", "hello"], new FullDiskWriter(), stderr, _ => null);
        Assert.Equal(1, exit);
        Assert.Equal("eth: cannot write to stdout: No space left on device", stderr.ToString().Trim());
    }

    [Fact]
    public void Friendly_parse_messages_cover_the_system_commandline_shapes()
    {
        Assert.Equal("--depth: 'x' is not a whole number", Program.DescribeParseError("Cannot parse argument 'x' for option '--depth' as expected type 'System.Int32'."));
        Assert.Equal("--t: 'x' is not a number", Program.DescribeParseError("Cannot parse argument 'x' for option '--t' as expected type 'System.Nullable`1[System.Double]'."));
        Assert.Equal("unrecognized command or argument 'q'", Program.DescribeParseError("Unrecognized command or argument 'q'."));
    }
}
