using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Lifecycle;

public sealed class DryRunEngineTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static EngineOptions CertainOptions()
    {
        using var folder = new TempFolder();
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(folder.Write("certain.json", CertainMarket.Json), _ => null);
        Assert.Empty(errors);
        return options;
    }

    private static Task<DryRunEngine.Result> RunAsync(EngineOptions options, EngineLogs logs, RunLimits limits, CancellationToken token = default) =>
        Task.Run(() => new DryRunEngine(options, TextWriter.Null, logs).Run(limits, token)).WaitAsync(s_hangGuard);

    [Fact]
    public async Task A_tick_bounded_run_processes_every_tick_and_logs_every_opportunity()
    {
        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, EngineLogs.QueueCapacity);
        DryRunEngine.Result result = await RunAsync(CertainOptions(), logs, new RunLimits(MaxTicks: 5000));
        Assert.Equal(StopReason.Ticks, result.Reason);
        Assert.Equal(5000, result.Ticks);
        Assert.True(result.Opportunities > 0);
        Assert.Equal(result.Opportunities + result.EngineEvents, result.Log.Posted);
        Assert.Equal(result.Opportunities + result.EngineEvents, result.Log.Written);
        Assert.Equal(0, result.Log.NotWritten);
        Assert.Equal(result.Opportunities + result.EngineEvents, output.Lines.Length);
        Assert.True(output.Disposed, "the log is closed when the run ends");
    }

    [Fact]
    public async Task A_failed_log_write_stops_the_run_and_every_line_is_accounted_for()
    {
        var output = new FailingOutput(goodWrites: 2);
        var alerts = new List<string>();
        using EngineLogs logs = EngineLogs.Create(output, "test", m => { lock (alerts) { alerts.Add(m); } }, EngineLogs.QueueCapacity);

        // No limit: only the failure can end this run.
        DryRunEngine.Result result = await RunAsync(CertainOptions(), logs, default);
        Assert.Equal(StopReason.LogFailed, result.Reason);
        Assert.Equal(1, result.Log.FailedWrites);
        Assert.Equal(output.LinesStored, result.Log.Written);
        Assert.Equal(result.Opportunities + result.EngineEvents, result.Log.Written + result.Log.Lost + result.Log.Dropped);
        Assert.True(result.Log.Lost > 0);
        Assert.Contains(alerts, a => a.Contains("No space left on device", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancelled_run_stops_cleanly_and_reports()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, EngineLogs.QueueCapacity);
        var console = new StringWriter();
        DryRunEngine.Result result = await Task.Run(() => new DryRunEngine(CertainOptions(), console, logs).Run(default, cancel.Token)).WaitAsync(s_hangGuard);
        Assert.Equal(StopReason.Cancelled, result.Reason);
        Assert.Contains("done: ", console.ToString(), StringComparison.Ordinal);
        Assert.Equal(result.Opportunities + result.EngineEvents, result.Log.Written);
    }

    [Fact]
    public async Task Names_that_look_like_keys_never_reach_the_log()
    {
        string key = new('7', 64);
        string json = CertainMarket.Json.Replace("sim-a", "0x" + key, StringComparison.Ordinal).Replace("X-USD", key, StringComparison.Ordinal);
        using var folder = new TempFolder();
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(folder.Write("key.json", json), _ => null);
        Assert.Empty(errors);
        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, EngineLogs.QueueCapacity);
        DryRunEngine.Result result = await RunAsync(options, logs, new RunLimits(MaxTicks: 2000));
        Assert.True(result.Opportunities > 0);
        string all = string.Join('\n', output.Lines);
        Assert.DoesNotContain(key, all, StringComparison.Ordinal);
        Assert.Contains("<redacted>", all, StringComparison.Ordinal);
    }
}
