using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;
using LowLatency.Testing;

namespace LowLatency.Host.Tests.Modes;

/// <summary>
/// <c>run --mode paper --replay FILES</c>: paper trading on the recorded Binance spot session, against a second venue
/// that is the same real session quoted 50 bps higher (hosts rewritten to Binance.US, every price × 1.005), so that real
/// depth makes real cross-venue edges. Fills, fees and P&amp;L reach the done line and the arbitrage log, and agree.
/// </summary>
public sealed partial class PaperReplayTests
{
    [GeneratedRegex(@"^done: paper: cross-venue fills=(?<fills>\d+) fees=(?<fees>[-0-9.]+) pnl=(?<pnl>[-0-9.]+) pairs=(?<pairs>\d+) hedged=(?<hedged>\d+)", RegexOptions.Multiline)]
    private static partial Regex PaperDone();

    [GeneratedRegex(@"(\[""|""[ab]"":"")(\d+\.\d+)("")")]
    private static partial Regex Prices();

    private static string Capture(string name) => SharedData.File("cex_ws", "cryptofeed", name);

    private static string[] Captures(TempFolder folder)
    {
        var paths = new List<string> { Capture("BINANCE.ws.1.0"), Capture("BINANCE.http.0.0") };
        foreach (string name in new[] { "BINANCE.ws.1.0", "BINANCE.http.0.0" })
        {
            string text = File.ReadAllText(Capture(name))
                .Replace("stream.binance.com", "stream.binance.us", StringComparison.Ordinal)
                .Replace("api.binance.com", "api.binance.us", StringComparison.Ordinal);
            // Depth levels ["p","q"] and bookTicker "b"/"a": the price only, same number of decimals.
            text = Prices().Replace(text, m =>
            {
                string p = m.Groups[2].Value;
                int decimals = p.Length - p.IndexOf('.', StringComparison.Ordinal) - 1;
                decimal shifted = Math.Round(decimal.Parse(p, CultureInfo.InvariantCulture) * 1.005m, decimals);
                return m.Groups[1].Value + shifted.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + m.Groups[3].Value;
            });
            paths.Add(folder.Write("US_" + name, text));
        }

        return [.. paths];
    }

    private static (int Exit, string Out, string Err) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(args), stdout, stderr, _ => null);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private const string Config = """
        { "mode": "paper", "takerFees": { "binance": 0.001, "binance-us": 0.001 },
          "execution": { "initialCash": 100000, "risk": { "maxConsecutiveLosses": 1000 } } }
        """;

    [Fact]
    public void A_paper_replay_fills_against_the_recorded_depth_and_accounts_for_fills_fees_and_pnl()
    {
        using var folder = new TempFolder();
        string config = folder.Write("paper.json", Config);
        string log = folder.File("logs/arbitrage.log");
        (int exit, string output, string error) = Invoke(["run", "--config", config, "--log", log, "--replay", .. Captures(folder)]);
        Assert.True(exit == 0, error + output);
        Assert.Contains("paper trading on a replay", output, StringComparison.Ordinal);
        Assert.Contains("agents: off (", output, StringComparison.Ordinal); // no pool state in a capture: said, not silent
        Match done = PaperDone().Match(output);
        Assert.True(done.Success, output);
        int fills = int.Parse(done.Groups["fills"].Value, CultureInfo.InvariantCulture);
        int pairs = int.Parse(done.Groups["pairs"].Value, CultureInfo.InvariantCulture);
        Assert.True(pairs >= 1 && fills >= 2 * int.Parse(done.Groups["hedged"].Value, CultureInfo.InvariantCulture), output);

        int fillLines = 0;
        double fees = 0;
        double cash = 0;
        foreach (string line in File.ReadAllLines(log))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            JsonElement o = json.RootElement;
            if (o.TryGetProperty("orderId", out JsonElement id))
            {
                fillLines++;
                double fee = o.GetProperty("fee").GetDouble();
                double notional = o.GetProperty("quantity").GetDouble() * o.GetProperty("price").GetDouble();
                bool buy = o.GetProperty("side").GetString() == "buy";
                fees += fee;
                cash += (buy ? -notional : notional) - fee;
                string venue = o.GetProperty("venue").GetString()!;
                Assert.True(venue is "binance" or "binance-us", venue);

                // The edge is buying the lower venue and selling the higher one; the other way round is only an unwind.
                if (id.GetString()!.EndsWith("-b", StringComparison.Ordinal))
                {
                    Assert.Equal("binance", venue);
                }
                else if (id.GetString()!.EndsWith("-s", StringComparison.Ordinal))
                {
                    Assert.Equal("binance-us", venue);
                }

                // Recorded time: orders arrive at the decision's recorded time plus the venue's 50 ms (2021-10-12).
                Assert.InRange(o.GetProperty("timeNs").GetInt64(), 1_633_998_511_000_000_000, 1_634_100_000_000_000_000);
            }
        }

        Assert.Equal(fills, fillLines);
        Assert.Equal(double.Parse(done.Groups["fees"].Value, CultureInfo.InvariantCulture), fees, 2);
        Assert.True(fees > 0);
        Assert.Contains("\"pnl\":", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.True(cash > -fees * 10, $"cash {cash}"); // an edge of ~50 bps less 20 bps of fees: not a rout
    }

    [Fact]
    public void The_same_captures_trade_the_same_way_every_time()
    {
        using var folder = new TempFolder();
        string config = folder.Write("paper.json", Config);
        string[] files = Captures(folder);
        string[] done = new string[2];
        for (int run = 0; run < 2; run++)
        {
            (int exit, string output, string error) = Invoke(["run", "--config", config, "--log", folder.File($"logs/{run}.log"), "--replay", .. files]);
            Assert.True(exit == 0, error);
            done[run] = PaperDone().Match(output).Value;
        }

        Assert.NotEqual("", done[0]);
        Assert.Equal(done[0], done[1]);
    }

    [Fact]
    public void Replay_is_refused_outside_paper_and_for_files_or_venues_it_cannot_trade()
    {
        using var folder = new TempFolder();
        string log = folder.File("logs/arbitrage.log");
        (int exit, string _, string error) = Invoke("run", "--log", log, "--replay", Capture("BINANCE.ws.1.0"));
        Assert.Equal(2, exit);
        Assert.Contains("--replay: trades on paper only", error, StringComparison.Ordinal);

        (exit, _, error) = Invoke("run", "--mode", "paper", "--log", log, "--replay", folder.File("nothing.here"));
        Assert.Equal(2, exit);
        Assert.Contains("nothing.here: no such file", error, StringComparison.Ordinal);

        string noFee = folder.Write("nofee.json", """{ "mode": "paper", "takerFees": { "binance": 0.001 } }""");
        (exit, _, error) = Invoke(["run", "--config", noFee, "--log", log, "--replay", .. Captures(folder)]);
        Assert.Equal(2, exit);
        Assert.Contains("no taker fee for venue 'binance-us'", error, StringComparison.Ordinal);
    }
}
