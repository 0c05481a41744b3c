using System.Text.Json;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Diagnostics;

/// <summary>
/// The arbitrage log end to end (ZLogger's JSON formatter, our queue, the real file): past its size limit it rotates
/// with no line lost, split or reordered; and a writer that cannot write makes posting drop and count, never wait.
/// </summary>
public sealed class LogRotationAndQueueTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static void LogOne(EngineLogs logs, int n) =>
        EngineLogs.Opportunity(logs.Opportunities, "BTC-USDT", "binance", "okx", "100.5", "101.25", "0.5", 74.6, 54.6, n, n, n, 1_000, 0, []);

    [Fact]
    public void Writing_past_the_size_limit_rotates_and_every_line_is_kept_whole_and_in_order()
    {
        using var folder = new TempFolder();
        const long maxBytes = 64 * 1024;
        const int lines = 3_000; // about 300 bytes a line: some 14 files of at most 64 KiB
        var options = new EngineOptions { LogPath = folder.File("logs/arbitrage.log"), LogMaxBytes = maxBytes, LogKeepFiles = 100 };
        Assert.True(EngineLogs.TryOpen(options, _ => { }, out EngineLogs? logs, out string? error), error);
        LogCounters counters;
        using (logs)
        {
            for (int i = 0; i < lines; i++)
            {
                LogOne(logs, i);
            }

            logs.Close(s_hangGuard);
            counters = logs.Writer.Counters;
        }

        Assert.Equal(new LogCounters(lines, lines, 0, 0, 0, counters.Rotations, 0), counters);
        Assert.True(counters.Rotations >= 5, $"{counters.Rotations} rotations: the test must cross the limit several times");

        // Oldest first: arbitrage.log.N … arbitrage.log.1, then arbitrage.log.
        string path = options.LogPath;
        var files = new List<string>();
        for (long n = counters.Rotations; n >= 1; n--)
        {
            files.Add($"{path}.{n}");
        }

        files.Add(path);
        Assert.False(File.Exists($"{path}.{counters.Rotations + 1}"));
        var seen = new List<long>(lines);
        foreach (string f in files)
        {
            byte[] bytes = File.ReadAllBytes(f);
            Assert.True(bytes.Length is > 0 and <= (int)maxBytes, $"{f}: {bytes.Length} bytes");
            Assert.Equal((byte)'\n', bytes[^1]); // no line split across files
            foreach (string line in File.ReadAllLines(f))
            {
                using JsonDocument json = JsonDocument.Parse(line); // every line whole JSON: `tail -F … | jq .` reads them
                seen.Add(json.RootElement.GetProperty("buyTickReceiveTimeNs").GetInt64());
            }
        }

        Assert.Equal(Enumerable.Range(0, lines).Select(i => (long)i), seen);
    }

    [Fact]
    public void Posting_never_waits_for_a_writer_that_cannot_write_it_drops_and_counts()
    {
        var output = new RecordingOutput(startBlocked: true);
        const int capacity = 1_024;
        const int posted = 100_000;
        using EngineLogs logs = EngineLogs.Create(output, "test", _ => { }, capacity);
        LogOne(logs, 0);
        Assert.True(output.Entered.Wait(s_hangGuard)); // the writer is stuck inside a write, as on a hung disk

        // A thread posting flat out while the writer is stuck: if posting ever waited, this thread would never finish.
        var poster = new Thread(() =>
        {
            for (int i = 1; i <= posted; i++)
            {
                LogOne(logs, i);
            }
        });
        poster.Start();
        bool finished = poster.Join(s_hangGuard);
        LogCounters stuck = logs.Writer.Counters;
        output.Release();
        Assert.True(finished, "posting waited for the stuck writer");
        Assert.Equal(posted + 1, stuck.Posted);
        Assert.Equal(posted - capacity, stuck.Dropped); // the queue took `capacity` lines, the rest were counted
        Assert.Equal(0, stuck.Written);

        logs.Close(s_hangGuard);
        LogCounters after = logs.Writer.Counters;
        Assert.Equal(1 + capacity, after.Written);
        Assert.Equal(after.Posted, after.Written + after.Dropped + after.Lost);
        Assert.Equal(1 + capacity, output.Lines.Length);
    }
}
