using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LowLatency.Host.Cli;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Modes;

/// <summary>
/// <c>run --mode paper</c> on the embedded market trades the venue graph's opportunities too: pool legs on the paper
/// DEX fed with the pools the strategy thread saw, flash-loan routes for atomic paths. Blocks are made fast (400 ms on
/// Ethereum, 200 ms on Base) so that trades land within a short run; every closed trade is a log line, and the lines,
/// the summary lines and the done line agree.
/// </summary>
public sealed partial class PaperGraphModeTests
{
    private const string FastChains = """
        { "chains": {
            "ethereum": { "chainId": 1, "rpcUrlVariable": "ETH_RPC_URL", "nativeToken": "ETH", "blockTimeMs": 400 },
            "base": { "chainId": 8453, "rpcUrlVariable": "BASE_RPC_URL", "nativeToken": "ETH", "blockTimeMs": 200 } } }
        """;

    [GeneratedRegex(@"(?<kind>cex-dex|dex-dex|cycle|cross-chain) trades=(?<trades>\d+) filled=(?<filled>\d+) leg-failed=(?<failed>\d+) unwound=(?<unwound>\d+) unwind-short=(?<short>\d+) reverted=(?<reverted>\d+) open=(?<open>\d+) .*? pnl=(?<pnl>[-0-9.]+)")]
    private static partial Regex KindTotals();

    [GeneratedRegex(@"^done: (?<ticks>\d+) ticks, (?<opportunities>\d+) opportunities, (?<events>\d+) engine events.*; log (?<written>\d+) lines written", RegexOptions.Multiline)]
    private static partial Regex RunDone();

    [Fact]
    public void Graph_opportunities_trade_on_the_paper_dex_and_every_closed_trade_is_logged_and_totalled()
    {
        using var folder = new TempFolder();
        string config = folder.Write("fast.json", FastChains);
        string log = folder.File("logs/arbitrage.log");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Invoke(QuietRun.Args(["run", "--mode", "paper", "--ticks", "6000", "--config", config, "--no-dashboard", "--no-db", "--log", log]), stdout, stderr, _ => null);
        string output = stdout.ToString();
        Assert.True(exit == 0, stderr.ToString());

        string doneLine = output.Split('\n').Single(l => l.StartsWith("done: paper graph:", StringComparison.Ordinal));
        var totals = KindTotals().Matches(doneLine).ToDictionary(m => m.Groups["kind"].Value, m => m);
        Assert.Equal(4, totals.Count);
        static long N(Match m, string g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        Assert.True(totals.Values.Sum(m => N(m, "trades")) >= 1, output);

        var closed = new Dictionary<string, (int Count, double Pnl)>();
        int summaries = 0;
        foreach (string line in File.ReadAllLines(log))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            JsonElement o = json.RootElement;
            if (o.TryGetProperty("tradeId", out _))
            {
                string kind = o.GetProperty("strategy").GetString()!;
                string outcome = o.GetProperty("outcome").GetString()!;
                Assert.Contains(outcome, new[] { "Filled", "Reverted", "LegFailed" });
                Assert.Equal(outcome == "Filled", o.GetProperty("failure").GetString() == "");
                string unwind = o.GetProperty("unwind").GetString()!;
                Assert.True(unwind == "" || (outcome == "LegFailed" && unwind.StartsWith("unwound ", StringComparison.Ordinal)), unwind); // only a failed leg is unwound
                Assert.True(o.GetProperty("closedTimeNs").GetInt64() >= o.GetProperty("decisionTimeNs").GetInt64());
                Assert.True(o.GetProperty("block").GetInt64() > 0);
                (int count, double pnl) = closed.GetValueOrDefault(kind);
                closed[kind] = (count + 1, pnl + o.GetProperty("pnl").GetDouble());
            }
            else if (o.TryGetProperty("legFailed", out _))
            {
                summaries++;
                Match m = totals[o.GetProperty("strategy").GetString()!];
                Assert.Equal(N(m, "trades"), o.GetProperty("trades").GetInt64());
                Assert.Equal(N(m, "filled"), o.GetProperty("filled").GetInt64());
                Assert.Equal(N(m, "unwound"), o.GetProperty("unwound").GetInt64());
                Assert.Equal(N(m, "short"), o.GetProperty("unwindShort").GetInt64());
            }
        }

        Assert.Equal(4, summaries);
        foreach ((string kind, Match m) in totals)
        {
            (int count, double pnl) = closed.GetValueOrDefault(kind);
            Assert.Equal(N(m, "filled") + N(m, "failed") + N(m, "reverted"), count);
            Assert.Equal(N(m, "trades"), count + N(m, "open"));
            Assert.True(N(m, "unwound") + N(m, "short") <= N(m, "failed"), kind);
            // The done line prints 2 decimals, each trade line 6: the sums agree within the done line's rounding.
            double printed = double.Parse(m.Groups["pnl"].Value, CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(printed - pnl) <= 0.0051, $"{kind}: done line pnl {printed}, trade lines sum to {pnl}");
        }

        // Every line of the log is accounted for: opportunities plus engine events (trade and summary lines among them).
        Match done = RunDone().Match(output);
        Assert.True(done.Success, output);
        Assert.Equal(N(done, "opportunities") + N(done, "events"), N(done, "written"));
        Assert.Equal(N(done, "written"), File.ReadAllLines(log).Length);
    }
}
