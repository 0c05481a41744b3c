using System.IO.Compression;
using LowLatency.Adapters.Cex.Live;
using LowLatency.Host.Cli;
using LowLatency.Testing;
using LowLatency.Testing.Exchanges;

namespace LowLatency.Host.Tests.Cli;

public sealed class RecordCliTests
{
    [Fact]
    public async Task Record_writes_every_frame_and_snapshot_of_a_loopback_session()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"ll-record-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            await using LoopbackBinanceExchange exchange = await LoopbackBinanceExchange.StartAsync(
                SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"), SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0"));
            string config = Path.Combine(dir, "live.json");
            await File.WriteAllTextAsync(config, "{\"venues\":{\"binance\":{\"wsUrl\":\"" + exchange.WsUrl + "\",\"restUrl\":\"" + exchange.RestUrl + "\"}}}");
            string output = Path.Combine(dir, "out");
            using var stop = new CancellationTokenSource();
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            LiveMarket? market = null;
            Task<int> run = Task.Run(() => RecordVerb.Execute("binance", "NKNUSDT,BLZETH,LRCBTC,RUNEEUR", output, "10m", config, null,
                TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), _ => null, m => Volatile.Write(ref market, m), stop.Token));

            await exchange.WaitForSubscriptionsAsync(1);
            await Wait.UntilAsync(() => Volatile.Read(ref market) is { } m && m.Clients[0].Counters.SnapshotsPublished == 4, "the four snapshots");
            await exchange.SendRestAsync();
            long marker = await exchange.SyncAsync();
            long expected = exchange.Frames.Count + 2; // the frames, the subscription ack, the marker
            await Wait.UntilAsync(() => market!.Clients[0].Counters.Frames >= expected, $"{expected} frames received");
            await stop.CancelAsync();
            Assert.Equal(0, await run);

            string ws = Assert.Single(Directory.GetFiles(output, "BINANCE.ws.*.gz"));
            string http = Assert.Single(Directory.GetFiles(output, "BINANCE.http.*.gz"));
            string[] wsLines = ReadGzipLines(ws);
            string[] httpLines = ReadGzipLines(http);
            Assert.StartsWith($"{exchange.WsUrl} <-> ", wsLines[0], StringComparison.Ordinal);
            Assert.Contains("\"method\":\"SUBSCRIBE\"", wsLines[1], StringComparison.Ordinal);
            string[] frames = [.. wsLines.Where(l => l.Contains(": {\"stream\":", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..])];
            Assert.Equal(exchange.Frames.Select(f => System.Text.Encoding.UTF8.GetString(f.Bytes)), frames);
            Assert.Contains(wsLines, l => l.EndsWith($"{{\"result\":null,\"id\":{marker}}}", StringComparison.Ordinal));
            Assert.Equal(4, httpLines.Length);
            Assert.All(httpLines, l => Assert.Contains("/api/v3/depth?symbol=", l, StringComparison.Ordinal));
            Assert.Contains("record: binance=", stdout.ToString(), StringComparison.Ordinal);
            Assert.Contains("done: ", stdout.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Record_without_venues_or_with_an_unknown_one_is_a_usage_error()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, RecordVerb.Execute("gemini", "", null, "abc", null, "0", TextWriter.Null, stderr, _ => null));
        string text = stderr.ToString();
        Assert.Contains("--symbols: give at least one symbol", text, StringComparison.Ordinal);
        Assert.Contains("--out: give the output folder", text, StringComparison.Ordinal);
        Assert.Contains("--duration: 'abc' is not a duration", text, StringComparison.Ordinal);
        Assert.Contains("--rotate-mb: '0'", text, StringComparison.Ordinal);
    }

    private static string[] ReadGzipLines(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
