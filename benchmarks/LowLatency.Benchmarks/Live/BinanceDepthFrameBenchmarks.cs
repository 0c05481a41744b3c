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
    private static readonly VenueId s_venue = new(0);
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
        (string ws, string http) = CcxtComparison.Captures();
        CaptureTape tape = CaptureTape.Load([ws, http]);
        var symbols = new SymbolTable();
        var specs = new List<BookSpec>();
        var instruments = new List<InstrumentSpec>();
        var lastIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            if (record.Kind == CaptureRecordKind.HttpResponse && tape.Url(record).IndexOf("/depth?"u8) >= 0)
            {
                string url = System.Text.Encoding.UTF8.GetString(tape.Url(record));
                string symbol = url[(url.IndexOf("symbol=", StringComparison.Ordinal) + 7)..].Split('&')[0];
                var id = InstrumentId.FromIndex(instruments.Count);
                instruments.Add(new InstrumentSpec(id, symbol, 8, 8));
                symbols.Add(symbol, id);
                specs.Add(new BookSpec(s_venue, id, SequenceRule.BinanceSpot, 8, 8, Capacity: 4096));
                _snapshots.Add((tape.Url(record).ToArray(), tape.Payload(record).ToArray()));
                using JsonDocument doc = JsonDocument.Parse(_snapshots[^1].Body);
                lastIds[symbol] = doc.RootElement.GetProperty("lastUpdateId").GetInt64();
            }
        }

        foreach (ref readonly CaptureRecord record in tape.Records)
        {
            ReadOnlySpan<byte> payload = tape.Payload(record);
            if (record.Kind == CaptureRecordKind.Received && payload.IndexOf("@depth"u8) >= 0)
            {
                using JsonDocument doc = JsonDocument.Parse(payload.ToArray());
                JsonElement data = doc.RootElement.GetProperty("data");
                if (lastIds.TryGetValue(data.GetProperty("s").GetString()!, out long last) && data.GetProperty("u").GetInt64() > last)
                {
                    _frames.Add(payload.ToArray());
                }
            }
        }

        _parser = new BinanceParser(BinanceMarket.Spot, s_venue, symbols, instruments);
        _books = new BookSet(specs);
        _handler = _books.CreateHandler();
        if (_snapshots.Count + _frames.Count != Messages || Ours() != Messages || _books.Integrity(s_venue).Errors != 0 || _books.Integrity(s_venue).Gaps != 0)
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
