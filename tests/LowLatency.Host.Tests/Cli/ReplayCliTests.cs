using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LowLatency.Host.Cli;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Cli;

/// <summary>
/// <c>replay</c> as a hostile user and a careful operator use it, in-process. Exit codes: 0 clean, 1 the captures
/// cannot be replayed or are damaged, 2 usage or configuration. Errors are one line starting with "replay:", never a
/// stack trace. Nothing here depends on the wall clock: recorded speed runs with an injected sleep or a 1 ms cap.
/// </summary>
public sealed class ReplayCliTests
{
    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static (int Exit, string Out, string Err) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.BuildRoot(stdout, stderr).Parse(args).Invoke();
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string TempFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string TempFile(string name, string text) => TempFile(name, Encoding.UTF8.GetBytes(text));

    private static byte[] Gzip(byte[] text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(text);
        }

        return output.ToArray();
    }

    private static void AssertNoStackTrace(string error)
    {
        Assert.DoesNotContain("Unhandled", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private static string OneErrorLine(string error)
    {
        AssertNoStackTrace(error);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("replay: ", line, StringComparison.Ordinal);
        return line;
    }

    /// <summary>A Binance bookTicker capture with one top per given second offset.</summary>
    private static string TopsAt(params long[] seconds)
    {
        var text = new StringBuilder("wss://stream.binance.com:9443/stream?streams=nknusdt@bookTicker <-> 1633998512.0\n");
        for (int i = 0; i < seconds.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{1_633_998_512 + seconds[i]}.0: {{\"u\":{i + 1},\"s\":\"NKNUSDT\",\"b\":\"0.35\",\"B\":\"10\",\"a\":\"0.36\",\"A\":\"5\"}}\n");
        }

        return TempFile("BINANCE.ws.tops", text.ToString());
    }

    [Fact]
    public void Invalid_utf8_in_a_string_field_is_a_counted_drop_not_a_crash()
    {
        byte[] text = File.ReadAllBytes(Capture("BINANCE.ws.1.0"));
        byte[] needle = "\"s\":\"NKNUSDT\""u8.ToArray();
        int at = text.AsSpan().IndexOf(needle);
        byte[] bad = [.. text[..at], .. "\"s\":\"NKN"u8, 0xFF, .. "USDT\""u8, .. text[(at + needle.Length)..]];

        (int exit, _, string error) = Invoke("replay", TempFile("u.ws", bad), Capture("BINANCE.http.0.0"));

        Assert.Equal(0, exit);
        AssertNoStackTrace(error);
        Assert.Contains("dropped 1 frame(s): UnknownSymbol", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_venue_missing_from_the_fee_table_is_a_configuration_error_naming_it()
    {
        // The Binance spot session through Binance.US hosts: a venue the default fee table does not hold.
        string text = File.ReadAllText(Capture("BINANCE.ws.1.0")).Replace("stream.binance.com", "stream.binance.us", StringComparison.Ordinal);
        string ws = TempFile("US.ws", text);
        string noFee = TempFile("fees.json", "{\"takerFees\":{\"binance\":0.001}}");

        (int exit, string output, string error) = Invoke("replay", ws, "--config", noFee);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal("replay: takerFees: no taker fee for venue 'binance-us' (in the capture); add \"takerFees\": { \"binance-us\": <fraction> } to the --config file", OneErrorLine(error));

        string withFee = TempFile("fees.json", "{\"takerFees\":{\"binance-us\":0.006}}");
        (int ok, _, string summary) = Invoke("replay", ws, "--config", withFee);
        Assert.Equal(0, ok);
        Assert.Contains("binance-us: 4 instruments", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_logged_once_per_name_and_summed_in_the_summary()
    {
        string text = File.ReadAllText(Capture("BINANCE.ws.1.0")).Replace("\"s\":\"NKNUSDT\",", "\"s\":\"NKNUSDT\",\"ps\":\"NKNUSDT\",", StringComparison.Ordinal);
        (int exit, _, string error) = Invoke("replay", TempFile("PS.ws", text), Capture("BINANCE.http.0.0"));

        Assert.Equal(0, exit);
        AssertNoStackTrace(error);
        Assert.Single(error.Split('\n'), l => l.StartsWith("replay: unknown field \"ps\" skipped (binance)", StringComparison.Ordinal));
        Assert.Contains("skipped ", error, StringComparison.Ordinal);
        Assert.Matches(@"skipped \d+ unknown field\(s\): ps: \d+", error);
        Assert.Contains("binance: 4 instruments", error, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_without_book_frames_is_one_line_naming_file_and_venue_and_exit_1()
    {
        (int exit, string output, string error) = Invoke("replay", Capture("KRAKEN.0"));
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith($"replay: {Capture("KRAKEN.0")}: kraken: no order-book frames", OneErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_kraken_futures_capture_is_named_as_such_and_exit_1()
    {
        string path = TempFile("KRAKEN_FUTURES.ws.1.0",
            "wss://futures.kraken.com/ws/v1 <-> 1633998511.1\n" +
            "1633998512.0: {\"feed\":\"book_snapshot\",\"product_id\":\"PI_XBTUSD\",\"seq\":1,\"bids\":[{\"price\":50000.0,\"qty\":10.0}],\"asks\":[{\"price\":50001.0,\"qty\":5.0}]}\n");
        (int exit, _, string error) = Invoke("replay", path);
        Assert.Equal(1, exit);
        Assert.Contains($"{path}: Kraken Futures (futures.kraken.com) is not a venue the engine reads", OneErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void More_symbols_than_books_the_engine_holds_is_reported_as_the_limit()
    {
        var text = new StringBuilder("wss://stream.binance.com:9443/stream?streams=all@bookTicker <-> 1633998511.1\n");
        for (int i = 0; i < 33_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"1633998512.0: {{\"u\":1,\"s\":\"S{i}USDT\",\"b\":\"1.0\",\"B\":\"1\",\"a\":\"1.1\",\"A\":\"1\"}}\n");
        }

        (int exit, _, string error) = Invoke("replay", TempFile("BINANCE.ws.many", text.ToString()));
        Assert.Equal(1, exit);
        Assert.Contains("the capture has 33,000 symbols", OneErrorLine(error), StringComparison.Ordinal);
        Assert.Contains("the engine holds at most 32,767 books", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Recorded_speed_caps_idle_gaps_and_says_so()
    {
        string path = TopsAt(0, 31 * 86_400, 62 * 86_400 + 3_600, 62 * 86_400 + 3_600);
        var sleeps = new List<TimeSpan>();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var root = new RootCommand { ReplayCommand.Create(stdout, stderr, sleeps.Add) };

        int exit = root.Parse(["replay", path, "--speed", "recorded", "--max-gap", "2s"]).Invoke();

        Assert.Equal(0, exit);
        Assert.Contains("replay: capped 2 idle gaps longer than 2s (longest 31d 1h;", stderr.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(sleeps);
        Assert.All(sleeps, s => Assert.True(s <= TimeSpan.FromSeconds(2), $"slept {s}"));
    }

    [Fact]
    public void Recorded_speed_takes_the_cap_from_the_configuration_and_never_sleeps_a_recorded_month()
    {
        string config = TempFile("settings.json", """{ "replayMaxGap": "1ms" }""");
        (int exit, _, string error) = Invoke("replay", TopsAt(0, 31 * 86_400, 62 * 86_400), "--speed", "recorded", "--config", config);
        Assert.Equal(0, exit);
        Assert.Contains("replay: capped 2 idle gaps longer than 1ms (longest 31d 0h;", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.100", "100ms")]
    [InlineData("20ms", "20ms")]
    [InlineData("0.005s", "5ms")]
    public void The_gap_cap_reads_as_a_duration_or_a_time_span(string setting, string shown)
    {
        string config = TempFile("settings.json", $$"""{ "replayMaxGap": "{{setting}}" }""");
        (int exit, _, string error) = Invoke("replay", TopsAt(0, 30 * 86_400), "--speed", "recorded", "--config", config);
        Assert.Equal(0, exit);
        Assert.Contains($"replay: capped 1 idle gap longer than {shown} (longest 30d 0h;", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_gap_cap_in_the_configuration_is_named()
    {
        string config = TempFile("settings.json", """{ "replayMaxGap": null }""");
        (int exit, _, string error) = Invoke("replay", Capture("OKX.ws.1.0"), "--config", config);
        Assert.Equal(2, exit);
        Assert.Contains("replayMaxGap: must not be null", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-gap", "30d", "--max-gap")]
    [InlineData("--max-gap", "0s", "--max-gap")]
    [InlineData("--max-gap", "soon", "--max-gap")]
    public void A_bad_gap_cap_is_a_usage_error(string flag, string value, string named)
    {
        (int exit, _, string error) = Invoke("replay", Capture("OKX.ws.1.0"), flag, value);
        Assert.Equal(2, exit);
        Assert.Contains(named, OneErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_gap_cap_in_the_configuration_is_a_configuration_error()
    {
        string config = TempFile("settings.json", """{ "replayMaxGap": "2d" }""");
        (int exit, _, string error) = Invoke("replay", Capture("OKX.ws.1.0"), "--config", config);
        Assert.Equal(2, exit);
        Assert.Contains("replayMaxGap: '2d' must be a duration from 1ms to 1h", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_gzip_capture_is_damaged_its_books_are_not_shown_live_and_exit_1()
    {
        byte[] gzip = Gzip(File.ReadAllBytes(Capture("BINANCE.ws.1.0")));
        string path = TempFile("BINANCE.ws.1.0.gz", gzip[..(gzip.Length / 2)]);

        (int exit, string output, string error) = Invoke("replay", path, Capture("BINANCE.http.0.0"), "--print", "books", "--depth", "1");

        Assert.Equal(1, exit);
        AssertNoStackTrace(error);
        Assert.Contains($"replay: {path}: damaged capture: the gzip stream is cut short", error, StringComparison.Ordinal);
        Assert.Contains("the readable data ends after line ", error, StringComparison.Ordinal);
        Assert.Contains($"replay: damaged input: 1 of 2 file(s) damaged ({path})", error, StringComparison.Ordinal);
        string[] books = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, books.Length);
        foreach (string line in books)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            Assert.Equal("damaged", json.RootElement.GetProperty("status").GetString());
        }
    }

    [Fact]
    public void A_corrupt_gzip_capture_names_its_file_and_exit_1()
    {
        byte[] gzip = Gzip(File.ReadAllBytes(Capture("BINANCE.ws.1.0")));
        gzip[2] = 7; // no such compression method
        string path = TempFile("BINANCE.ws.1.0.gz", gzip);

        (int exit, _, string error) = Invoke("replay", path);

        Assert.Equal(1, exit);
        string line = OneErrorLine(error);
        Assert.StartsWith($"replay: {path}: damaged capture: the gzip data is corrupt", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_capture_cut_in_its_last_line_is_damaged_and_exit_1()
    {
        byte[] text = File.ReadAllBytes(Capture("OKX.ws.1.0"));
        string path = TempFile("OKX.ws.1.0", text[..^40]);
        int line = text.AsSpan(0, text.Length - 40).Count((byte)'\n') + 1;

        (int exit, _, string error) = Invoke("replay", path);

        Assert.Equal(1, exit);
        AssertNoStackTrace(error);
        Assert.Contains($"replay: {path}: damaged capture: the file is cut in the middle of line {line}", error, StringComparison.Ordinal);
        Assert.Contains("replay: damaged input: 1 of 1 file(s) damaged", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_snapshot_delivered_again_later_is_ignored_counted_and_leaves_the_books_as_they_were()
    {
        string[] lines = File.ReadAllLines(Capture("BINANCE.http.0.0"));
        string nkn = Array.Find(lines, l => l.Contains("symbol=NKNUSDT", StringComparison.Ordinal))!;
        int arrow = nkn.IndexOf(" -> ", StringComparison.Ordinal);
        string repeated = nkn[..(arrow + 4)] + "1633998541.0" + nkn[nkn.IndexOf(": ", arrow, StringComparison.Ordinal)..];
        string http = TempFile("BINANCE.http.0.0", string.Join('\n', [.. lines, repeated]) + "\n");

        (int cleanExit, string cleanBooks, _) = Invoke("replay", Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0"), "--print", "books");
        (int exit, string books, string error) = Invoke("replay", Capture("BINANCE.ws.1.0"), http, "--print", "books");

        Assert.Equal(0, cleanExit);
        Assert.Equal(0, exit);
        Assert.Equal(cleanBooks, books);
        Assert.Contains("gaps 0", error, StringComparison.Ordinal);
        Assert.Contains("stale 0", error, StringComparison.Ordinal);
        Assert.Contains("snapshots 4, stale snapshots 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_a_usage_error()
    {
        (int exit, _, string error) = Invoke("replay", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.Contains("is a directory, not a capture file", OneErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_clean_replay_says_nothing_about_damage_and_exits_0()
    {
        (int exit, _, string error) = Invoke("replay", Capture("OKX.ws.1.0"));
        Assert.Equal(0, exit);
        Assert.DoesNotContain("damaged", error, StringComparison.Ordinal);
        Assert.DoesNotContain("capped", error, StringComparison.Ordinal);
    }
}
