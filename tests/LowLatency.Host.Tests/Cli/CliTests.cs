using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Cli;

public sealed partial class CliTests
{
    private static (int Exit, string Out, string Err) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(args), stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    [GeneratedRegex("^(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?$")]
    private static partial Regex DecimalWithoutTrailingZeros();

    [Fact]
    public void Replay_prints_every_book_with_venue_symbols_and_exact_decimal_strings()
    {
        (int exit, string output, string error) = Invoke("replay", Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0"), "--print", "books", "--depth", "5");
        Assert.Equal(0, exit);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var symbols = new HashSet<string>();
        foreach (string line in lines)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            JsonElement root = json.RootElement;
            Assert.Equal("binance", root.GetProperty("venue").GetString());
            symbols.Add(root.GetProperty("symbol").GetString()!);
            Assert.Equal("live", root.GetProperty("status").GetString());
            decimal? previous = null;
            foreach (JsonElement level in root.GetProperty("bids").EnumerateArray())
            {
                string price = level[0].GetString()!;
                Assert.Matches(DecimalWithoutTrailingZeros(), price);
                Assert.Matches(DecimalWithoutTrailingZeros(), level[1].GetString()!);
                decimal p = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(previous is null || p < previous, "bids descend");
                previous = p;
            }

            Assert.Equal(5, root.GetProperty("bids").GetArrayLength());
            Assert.Equal(5, root.GetProperty("asks").GetArrayLength());
            decimal bestBid = decimal.Parse(root.GetProperty("bids")[0][0].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            decimal bestAsk = decimal.Parse(root.GetProperty("asks")[0][0].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(bestBid < bestAsk);
        }

        Assert.Equal(new HashSet<string> { "NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR" }, symbols);
        Assert.Contains("gaps 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_prints_top_changes_as_json_lines()
    {
        (int exit, string output, _) = Invoke("replay", Capture("OKX.ws.1.0"), "--print", "tops");
        Assert.Equal(0, exit);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 10);
        foreach (string line in lines)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            Assert.Equal("okx", json.RootElement.GetProperty("venue").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("bid").GetArrayLength());
        }
    }

    [Fact]
    public void Replay_rejects_bad_arguments_with_clear_messages()
    {
        (int exit, _, string error) = Invoke("replay", "/nonexistent/capture", "--speed", "warp", "--print", "everything", "--depth", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--speed", error, StringComparison.Ordinal);
        Assert.Contains("--print", error, StringComparison.Ordinal);
        Assert.Contains("--depth", error, StringComparison.Ordinal);
        Assert.Contains("no such file", error, StringComparison.Ordinal);
    }

    [GeneratedRegex("done: (?<ticks>[0-9]+) ticks, (?<opportunities>[0-9]+) opportunities, (?<events>[0-9]+) engine events.*; log (?<written>[0-9]+) lines written, (?<dropped>[0-9]+) dropped \\(queue full\\), (?<lost>[0-9]+) lost")]
    private static partial Regex DoneLine();

    [Fact]
    public void Run_bounded_by_ticks_logs_every_opportunity_as_a_json_line()
    {
        using var folder = new TempFolder();
        string config = folder.Write("certain.json", CertainMarket.Json);
        string log = folder.File("logs/arbitrage.log");
        (int exit, string output, string error) = Invoke("run", "--ticks", "3000", "--config", config, "--log", log);
        Assert.True(exit == 0, error);
        Match done = DoneLine().Match(output);
        Assert.True(done.Success, output);
        Assert.Equal("3000", done.Groups["ticks"].Value);
        long opportunities = long.Parse(done.Groups["opportunities"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(opportunities > 0, output);

        // Nothing lost in silence: every opportunity is a line, the engine's own events (the scorer and agents choices)
        // too, and the done line says so.
        long events = long.Parse(done.Groups["events"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, events);
        Assert.Equal((opportunities + events).ToString(System.Globalization.CultureInfo.InvariantCulture), done.Groups["written"].Value);
        Assert.Equal("0", done.Groups["dropped"].Value);
        Assert.Equal("0", done.Groups["lost"].Value);
        string[] lines = File.ReadAllLines(log);
        Assert.Equal(opportunities + events, lines.Length);
        Assert.Contains("ENABLE_PREDICTIVE_ARBITRAGE is off", lines[0], StringComparison.Ordinal);
        Assert.Contains("agents: off", lines[1], StringComparison.Ordinal); // the certain market has no DEX side
        foreach (string line in lines.Skip(2))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            JsonElement o = json.RootElement;
            Assert.Equal("X-USD", o.GetProperty("instrument").GetString());
            Assert.NotEqual(o.GetProperty("buyVenue").GetString(), o.GetProperty("sellVenue").GetString());
            double buy = double.Parse(o.GetProperty("buyPrice").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            double sell = double.Parse(o.GetProperty("sellPrice").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

            // The logged edge is the edge of the logged prices (fee-free venues: net equals gross).
            Assert.Equal((sell - buy) / buy * 10_000, o.GetProperty("grossBps").GetDouble(), 3);
            Assert.Equal(o.GetProperty("grossBps").GetDouble(), o.GetProperty("netBps").GetDouble(), 3);
        }
    }

    [Fact]
    public void Run_refuses_an_invalid_configuration_and_names_every_problem()
    {
        (int exit, _, string error) = Invoke("run", "--duration", "1s", "--mode", "live", "--wait-strategy", "spin");
        Assert.Equal(2, exit);
        Assert.Contains("mode: live", error, StringComparison.Ordinal);
        Assert.Contains("waitStrategy", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eth_arguments_pass_through_to_the_ethereum_tools()
    {
        (int exit, string output, _) = Invoke("eth", "keccak", "--text", "hello");
        Assert.Equal(0, exit);
        Assert.Equal("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8", output.Trim());

        (int badExit, _, string error) = Invoke("eth", "decode-tx", "0xdeadbeef");
        Assert.Equal(1, badExit);
        Assert.Contains("rejected", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_a_damaged_capture_counts_and_names_every_dropped_frame()
    {
        string[] lines = File.ReadAllLines(Capture("BINANCE_FUTURES.ws.1.0"));
        var damaged = new List<string>(lines);
        int ticker = damaged.FindIndex(l => char.IsAsciiDigit(l[0]) && l.Contains("@bookTicker", StringComparison.Ordinal));
        int depth = damaged.FindIndex(l => char.IsAsciiDigit(l[0]) && l.Contains("@depth", StringComparison.Ordinal));
        damaged[ticker] = damaged[ticker].Replace("\"b\":\"", "\"b\":\"-", StringComparison.Ordinal); // negative price
        damaged[depth] = damaged[depth][..(damaged[depth].Length / 2)]; // truncated frame
        damaged.Insert(depth + 1, "1626992741.5: {not json");
        string path = Path.Combine(Path.GetTempPath(), $"lowlatency-{Guid.NewGuid():N}-BINANCE_FUTURES.ws.1.0");
        File.WriteAllLines(path, damaged);

        (int exit, _, string error) = Invoke("replay", path, Capture("BINANCE_FUTURES.http.0.0"));
        Assert.Equal(0, exit);
        Assert.Contains("3 rejected", error, StringComparison.Ordinal);
        Assert.Contains(": Negative", error, StringComparison.Ordinal);
        Assert.Contains("Json", error, StringComparison.Ordinal);
    }
}
