using System.Collections.Concurrent;
using System.Text.Json;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Tests.Support;
using Microsoft.Extensions.Logging;
using ZLogger;

namespace LowLatency.Host.Tests.Diagnostics;

public sealed class LogWriterTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static void LogOne(EngineLogs logs, int n) =>
        EngineLogs.Opportunity(logs.Opportunities, "BTC-USDT", "a", "b", "100", "101", "1", 100, 80, n, n, n, 10, 0, []);

    [Fact]
    public void Every_line_posted_is_written_as_one_json_line()
    {
        var output = new RecordingOutput();
        var alerts = new ConcurrentQueue<string>();
        using (EngineLogs logs = EngineLogs.Create(output, "test", alerts.Enqueue, 1024))
        {
            for (int i = 0; i < 500; i++)
            {
                LogOne(logs, i);
            }

            logs.Close(s_wait);
            LogCounters counters = logs.Writer.Counters;
            Assert.Equal(new LogCounters(500, 500, 0, 0, 0, 0, 0), counters);
        }

        string[] lines = output.Lines;
        Assert.Equal(500, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument json = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, json.RootElement.GetProperty("buyTickReceiveTimeNs").GetInt64());
        }

        Assert.True(output.Disposed);
        Assert.Empty(alerts);
    }

    [Fact]
    public void A_failed_write_is_an_alert_counts_the_lost_lines_and_nothing_is_written_after_it()
    {
        var output = new FailingOutput(goodWrites: 1);
        var alerts = new ConcurrentQueue<string>();
        using EngineLogs logs = EngineLogs.Create(output, "test", alerts.Enqueue, 1024);
        LogOne(logs, 0);
        Assert.True(logs.Writer.WaitUntilWritten(s_wait));
        Assert.Null(logs.Writer.Failure);

        LogOne(logs, 1);
        Assert.True(logs.Writer.WaitUntilWritten(s_wait));
        Assert.Equal("writing the log failed: No space left on device", logs.Writer.Failure);
        for (int i = 2; i < 10; i++)
        {
            LogOne(logs, i);
        }

        logs.Close(s_wait);
        LogCounters counters = logs.Writer.Counters;
        Assert.Equal(10, counters.Posted);
        Assert.Equal(1, counters.Written);
        Assert.Equal(9, counters.Lost);
        Assert.Equal(1, counters.FailedWrites);
        Assert.Equal(1, output.LinesStored);
        Assert.Equal(1, output.FailedWrites); // nothing was tried after the failure
        string alert = Assert.Single(alerts);
        Assert.Contains("No space left on device", alert, StringComparison.Ordinal);
        Assert.Contains("stops the run", alert, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_queue_drops_counts_and_alerts_once()
    {
        var output = new RecordingOutput(startBlocked: true);
        var alerts = new ConcurrentQueue<string>();
        using EngineLogs logs = EngineLogs.Create(output, "test", alerts.Enqueue, 4);
        LogOne(logs, 0);
        Assert.True(output.Entered.Wait(s_wait)); // the writer holds line 0 inside the blocked write
        for (int i = 1; i <= 4; i++)
        {
            LogOne(logs, i); // fills the queue of 4
        }

        for (int i = 5; i < 8; i++)
        {
            LogOne(logs, i); // no room: dropped
        }

        output.Release();
        logs.Close(s_wait);
        LogCounters counters = logs.Writer.Counters;
        Assert.Equal(8, counters.Posted);
        Assert.Equal(5, counters.Written);
        Assert.Equal(3, counters.Dropped);
        Assert.Equal(3, counters.NotWritten);
        Assert.Equal(5, output.Lines.Length);
        Assert.Contains("queue is full", Assert.Single(alerts), StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_posted_after_close_is_counted_not_lost_in_silence()
    {
        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, 16);
        logs.Close(s_wait);
        LogOne(logs, 0);
        Assert.Equal(1, logs.Writer.Counters.Lost);
    }

    [Fact]
    public void A_reopen_request_reaches_the_output()
    {
        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, 16);
        logs.Writer.RequestReopen();
        Assert.Equal(1, output.ReopenRequests);
    }

    [Fact]
    public void Post_does_not_allocate()
    {
        // Entries as ZLogger makes them (the logger call itself allocates a little inside Microsoft.Extensions.Logging,
        // on the host thread; what is measured here is our queue).
        var captured = new CapturingProcessor();
        using (ILoggerFactory factory = LoggerFactory.Create(b => b.AddZLoggerLogProcessor(captured)))
        {
            ILogger logger = factory.CreateLogger("test");
            for (int i = 0; i < 2000; i++)
            {
                EngineLogs.Opportunity(logger, "BTC-USDT", "a", "b", "100", "101", "1", 100, 80, i, i, i, 10, 0, []);
            }
        }

        var output = new RecordingOutput();
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, 1 << 16);
        for (int i = 0; i < 1000; i++)
        {
            logs.Writer.Post(captured.Entries[i]); // warm up
        }

        Assert.True(logs.Writer.WaitUntilWritten(s_wait));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1000; i < 2000; i++)
        {
            logs.Writer.Post(captured.Entries[i]);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(logs.Writer.WaitUntilWritten(s_wait));
        Assert.Equal(0, allocated);
        Assert.Equal(2000, output.Lines.Length);
    }

    private sealed class CapturingProcessor : IAsyncLogProcessor
    {
        public List<IZLoggerEntry> Entries { get; } = [];

        public void Post(IZLoggerEntry log) => Entries.Add(log);

        public ValueTask DisposeAsync() => default;
    }
}
