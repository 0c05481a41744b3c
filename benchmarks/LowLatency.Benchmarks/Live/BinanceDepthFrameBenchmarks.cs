using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Cex.Binance;
using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Tape;
using LowLatency.Benchmarks.Latency;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.Testing;

namespace LowLatency.Benchmarks.Live;

/// <summary>
/// Raw Binance frames → parsed → applied to the books, as the live client does per frame (minus the socket): the four
/// REST snapshots of BINANCE.ws.1.0's session, then every depth frame after each snapshot, from their bytes through
/// <see cref="BinanceParser"/>, <see cref="FramePublisher"/> slots and <see cref="OrderBookHandler"/>. One operation = one
/// message (snapshot or frame). The baseline is ccxt's <c>OrderBook</c> on node doing the same work
/// (<see cref="CcxtComparison"/>, budget <c>live.binance_frames_vs_ccxt</c>).
/// </summary>
[MemoryDiagnoser]
public class BinanceDepthFrameBenchmarks
{
    private readonly List<(byte[] Url, byte[] Body)> _snapshots = [];
    private readonly List<byte[]> _frames = [];
    private readonly BookMessage _message = new();
    private readonly TickEvent[] _chunk = new TickEvent[512];
    private BinanceParser _parser = null!;
    private BookSet _books = null!;
    private OrderBookHandler _handler;

    /// <summary>Messages per invocation (BenchmarkDotNet needs the constant: checked in setup).</summary>
    public const int Messages = 176;

    [GlobalSetup]
    public void Setup()
    {
        BinanceDepthSession session = BinanceDepthSession.Load();
        _snapshots.AddRange(session.Snapshots);
        _frames.AddRange(session.Frames);
        _parser = session.Parser;
        _books = new BookSet(session.Specs);
        _handler = _books.CreateHandler();
        if (_snapshots.Count + _frames.Count != Messages || Ours() != Messages || _books.Integrity(BinanceDepthSession.Venue).Errors != 0 || _books.Integrity(BinanceDepthSession.Venue).Gaps != 0)
        {
            throw new InvalidOperationException($"the session did not apply cleanly ({_snapshots.Count + _frames.Count} messages)");
        }

        for (int i = 0; i < _books.Count; i++)
        {
            if (!_books.IsTradeable(i))
            {
                throw new InvalidOperationException("a book is not live after the session");
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int Ours()
    {
        _books.Restart();
        int applied = 0;
        foreach ((byte[] url, byte[] body) in _snapshots)
        {
            if (_parser.ParseDepthSnapshot(url, body, 0, 0, _message) == ParseResult.Message)
            {
                Apply();
                applied++;
            }
        }

        foreach (byte[] frame in _frames)
        {
            if (_parser.ParseFrame(frame, 0, 0, _message) == ParseResult.Message)
            {
                Apply();
                applied++;
            }
        }

        return applied;
    }

    private void Apply()
    {
        int n = FramePublisher.Write(_message, _chunk);
        for (int k = 0; k < n; k++)
        {
            _handler.OnEvent(ref _chunk[k], k, k == n - 1);
        }
    }
}

/// <summary>
/// Runs Live/ccxt/bench.mjs under node (ccxt from tools/node_modules) over the same session and returns its median ns
/// per message. The external baseline <c>ccxt</c>.
/// </summary>
public static class CcxtComparison
{
    public const string Name = "ccxt";

    public static (string Ws, string Http) Captures() =>
        (SharedData.File("cex_ws", "cryptofeed", "BINANCE.ws.1.0"), SharedData.File("cex_ws", "cryptofeed", "BINANCE.http.0.0"));

    public static bool TryMeasureMedianNs(bool quick, out double medianNs, out string? failure)
    {
        medianNs = double.NaN;
        string tools = Path.Combine(SharedData.RepoRoot, "tools");
        if (!Directory.Exists(Path.Combine(tools, "node_modules", "ccxt")))
        {
            failure = ExternalBaselines.NotSetUp($"ccxt is not installed ({Path.Combine(tools, "node_modules", "ccxt")} is missing)");
            return false;
        }

        try
        {
            (string ws, string http) = Captures();
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Path.Combine(SharedData.RepoRoot, "benchmarks", "LowLatency.Benchmarks", "Live", "ccxt", "bench.mjs"));
            psi.ArgumentList.Add(ws);
            psi.ArgumentList.Add(http);
            if (quick)
            {
                psi.ArgumentList.Add("--quick");
            }

            psi.Environment["LL_TOOLS_DIR"] = tools;
            using Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the ccxt benchmark did not finish in 5 minutes");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"node exited {process.ExitCode}: {stderr.Result.Trim().Split('\n')[0]}"));
            }

            using JsonDocument doc = JsonDocument.Parse(stdout.Trim());
            if (doc.RootElement.GetProperty("framesPerPass").GetInt32() != BinanceDepthFrameBenchmarks.Messages)
            {
                throw new InvalidOperationException("ccxt applied a different number of messages than ours");
            }

            medianNs = doc.RootElement.GetProperty("medianNs").GetDouble();
            failure = null;
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            failure = ExternalBaselines.NotSetUp("node is not on PATH (install Node.js 20 or later)");
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or KeyNotFoundException or TimeoutException)
        {
            failure = "node Live/ccxt/bench.mjs: " + ex.Message;
        }

        return false;
    }
}
