using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Cli;

/// <summary>
/// <c>run --log-console</c>: stdout carries the arbitrage log's JSON lines and nothing else (so <c>| jq .</c> reads every
/// line), the file is unchanged, and the lines for people — start-up, the per-second summary, <c>done:</c> — go to stderr.
/// </summary>
public sealed partial class LogConsoleTests
{
    [GeneratedRegex(@"^log-console: (?<n>\d+) lines written to stdout, 0 dropped \(queue full\), 0 lost$", RegexOptions.Multiline)]
    private static partial Regex MirrorLine();

    [Fact]
    public void Stdout_is_the_logs_json_lines_and_the_summary_goes_to_stderr()
    {
        using var folder = new TempFolder();
        string config = folder.Write("certain.json", CertainMarket.Json);
        string log = folder.File("logs/arbitrage.log");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(["run", "--ticks", "3000", "--config", config, "--log", log, "--log-console"]), stdout, stderr, _ => null);
        string error = stderr.ToString();
        Assert.True(exit == 0, error);

        string[] console = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] file = File.ReadAllLines(log);
        Assert.True(file.Length > 1, "the certain market logs opportunities");
        // The same events in the same order; each processor stamps its own copy, so only the timestamps may differ.
        Assert.Equal(file.Select(WithoutTimestamp), console.Select(WithoutTimestamp));

        Assert.Contains("done: 3000 ticks", error, StringComparison.Ordinal);
        Assert.Contains("dry-run on the simulated market", error, StringComparison.Ordinal);
        Match mirror = MirrorLine().Match(error);
        Assert.True(mirror.Success, error);
        Assert.Equal(file.Length, int.Parse(mirror.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    // Every line must be a JSON object (what jq needs); its fields but the timestamp, as text.
    private static string WithoutTimestamp(string line)
    {
        using JsonDocument json = JsonDocument.Parse(line);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        Assert.True(json.RootElement.TryGetProperty("Timestamp", out _), line);
        return string.Join(",", json.RootElement.EnumerateObject().Where(p => p.Name != "Timestamp").Select(p => p.Name + "=" + p.Value.GetRawText()));
    }

    [Fact]
    public void Without_the_flag_stdout_stays_for_people_and_has_no_json()
    {
        using var folder = new TempFolder();
        string config = folder.Write("certain.json", CertainMarket.Json);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(["run", "--ticks", "500", "--config", config, "--log", folder.File("a.log")]), stdout, stderr, _ => null);
        Assert.True(exit == 0, stderr.ToString());
        string output = stdout.ToString();
        Assert.Contains("done: 500 ticks", output, StringComparison.Ordinal);
        Assert.DoesNotContain("log-console:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\n{", "\n" + output, StringComparison.Ordinal);
    }
}
