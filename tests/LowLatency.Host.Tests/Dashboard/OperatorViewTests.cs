using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.Host.Tests.Support;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.HotPath.Strategy;
using Microsoft.Extensions.Logging.Abstractions;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary>
/// The operator's view of the risk gate and the paper P&amp;L: breakers in <c>/api/breakers</c> and <c>/metrics</c>, the
/// verdict in each decision trace, tick → decision, the kill switch by file and by the operator's reset, and a paper
/// run's fills in <c>/api/pnl</c> and <c>/api/execution/matrix</c>.
/// </summary>
public sealed class OperatorViewTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static ExecutionOptions Execution(string killFile) => new() { KillSwitchFile = killFile };

    private static RiskSession Session(string killFile) =>
        new(Execution(killFile), ["alpha", "beta"], ["BTC-USDT"], [2], [4], NullLogger.Instance);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpClient http, HttpMethod method, string path, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    private static JsonElement Breaker(JsonElement breakers, string name) =>
        breakers.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == name);

    [Fact]
    public async Task A_tripped_breaker_is_in_api_breakers_and_metrics_and_in_the_decision_trace()
    {
        using var folder = new TempFolder();
        using RiskSession risk = Session(folder.File("KILL"));
        await using var d = DashboardFixture.Start();
        d.Feed.ResetBreaker = risk.RequestReset;

        Opportunity approved = DashboardFixture.Decide(risk, 1_000_000_000);
        risk.Begin(in approved);
        d.Feed.OnOpportunity(in approved);
        risk.End();
        risk.KillSwitch.Engage(KillSwitchSource.Operator);
        Opportunity denied = DashboardFixture.Decide(risk, 1_001_000_000);
        d.Feed.OnOpportunity(in denied);
        risk.Poll();
        d.Feed.SetBreakers(risk.Breakers());
        d.Publish();

        (HttpStatusCode status, JsonElement breakers) = await Send(d.Http, HttpMethod.Get, "/api/breakers");
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement kill = Breaker(breakers, "killSwitch");
        Assert.Equal(["name", "state", "reason", "subject", "value", "limit", "sinceNs", "denied"], kill.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("tripped", kill.GetProperty("state").GetString());
        Assert.Equal("engaged by operator", kill.GetProperty("reason").GetString());
        Assert.Equal(1_001_000_000, kill.GetProperty("sinceNs").GetInt64());
        Assert.Equal(1, kill.GetProperty("denied").GetInt64());
        Assert.Equal("ok", Breaker(breakers, "dailyLossLimit").GetProperty("state").GetString());

        string metrics = await d.Http.GetStringAsync("/metrics");
        Assert.Contains("lowlatency_breaker_tripped{breaker=\"killSwitch\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("lowlatency_breaker_tripped{breaker=\"dailyLossLimit\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("lowlatency_risk_denied_total{breaker=\"killSwitch\"} 1", metrics, StringComparison.Ordinal);

        (_, JsonElement decisions) = await Send(d.Http, HttpMethod.Get, "/api/ai/decisions/recent?limit=5");
        JsonElement[] traces = [.. decisions.GetProperty("decisions").EnumerateArray()];
        Assert.Equal(2, traces.Length);
        Assert.Equal("denied", traces[0].GetProperty("riskVerdict").GetString()); // newest first
        Assert.Equal("killSwitch", traces[0].GetProperty("riskReason").GetString());
        Assert.Equal("approved", traces[1].GetProperty("riskVerdict").GetString());
        Assert.Equal(JsonValueKind.Null, traces[1].GetProperty("riskReason").ValueKind);
        Assert.Equal(123.45, traces[1].GetProperty("inputs").GetProperty("reservedNotionalUsd").GetDouble(), 6); // 1.2345 at the 100.00 ask
    }

    [Fact]
    public async Task Tick_to_decision_is_measured_and_tick_to_bundle_says_it_is_not_measured()
    {
        using var folder = new TempFolder();
        using RiskSession risk = Session(folder.File("KILL"));
        await using var d = DashboardFixture.Start();
        Opportunity o = DashboardFixture.Decide(risk, 1_000_000_000);
        o.TriggerTimestamp = o.Risk.Timestamp - 1_000;
        d.Feed.OnOpportunity(in o);
        d.Publish();
        (_, JsonElement latency) = await Send(d.Http, HttpMethod.Get, "/api/latency");
        JsonElement[] h = [.. latency.GetProperty("histograms").EnumerateArray()];
        Assert.Equal(["tick_to_opportunity", "tick_to_decision", "tick_to_signed_bundle"], h.Select(x => x.GetProperty("name").GetString() ?? "").ToArray());
        Assert.Equal(1, h[1].GetProperty("count").GetInt64());
        Assert.Equal("measured", h[1].GetProperty("state").GetString());
        JsonElement bundle = latency.GetProperty("tickToBundle");
        Assert.Equal(0, bundle.GetProperty("count").GetInt64());
        Assert.Equal("not measured in this run", bundle.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, bundle.GetProperty("p99Ns").ValueKind);
    }

    [Fact]
    public void The_kill_file_stops_trading_at_the_next_poll_and_its_removal_resumes_it()
    {
        using var folder = new TempFolder();
        string kill = folder.File("KILL");
        using RiskSession risk = Session(kill);
        Assert.True(DashboardFixture.Decide(risk, 1_000_000_000).Risk.Approved);

        File.WriteAllText(kill, "");
        Thread.Sleep(150); // past the 100 ms poll period: the next host loop iteration stats the file
        risk.Poll();
        Opportunity o = DashboardFixture.Decide(risk, 1_001_000_000);
        Assert.False(o.Risk.Approved);
        Assert.Equal(RiskReason.KillSwitch, o.Risk.Reason);
        Assert.Equal(KillSwitchSource.File, risk.KillSwitch.Source);
        Assert.Equal("the kill file is present: remove it first", risk.RequestReset(RiskReason.KillSwitch));

        File.Delete(kill);
        Thread.Sleep(150);
        risk.Poll();
        Assert.False(risk.KillSwitch.IsEngaged);
        Assert.True(DashboardFixture.Decide(risk, 1_002_000_000).Risk.Approved);
        risk.Poll();
        Assert.Equal(2, risk.Alerts); // tripped, then reset by the operator
    }

    [Fact]
    public async Task The_operators_reset_needs_the_token_names_a_breaker_and_releases_the_kill_switch()
    {
        using var folder = new TempFolder();
        using RiskSession risk = Session(folder.File("KILL"));
        await using var d = DashboardFixture.Start();
        d.Feed.ResetBreaker = risk.RequestReset;
        risk.KillSwitch.Engage(KillSwitchSource.Signal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(d.Http, HttpMethod.Post, "/api/breakers/reset?breaker=killSwitch")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(d.Http, HttpMethod.Post, "/api/breakers/reset?breaker=killSwitch", "wrong")).Status);
        Assert.True(risk.KillSwitch.IsEngaged);
        (HttpStatusCode bad, JsonElement badBody) = await Send(d.Http, HttpMethod.Post, "/api/breakers/reset?breaker=7", DashboardFixture.Token);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.StartsWith("breaker:", badBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(d.Http, HttpMethod.Post, "/api/breakers/reset?breaker=staleData", DashboardFixture.Token)).Status);

        (HttpStatusCode ok, JsonElement body) = await Send(d.Http, HttpMethod.Post, "/api/breakers/reset?breaker=killswitch", DashboardFixture.Token);
        Assert.Equal(HttpStatusCode.Accepted, ok);
        Assert.Equal("killSwitch", body.GetProperty("breaker").GetString());
        Assert.False(risk.KillSwitch.IsEngaged);
    }

    [Fact]
    public async Task A_paper_run_puts_its_fills_into_the_pnl_the_execution_matrix_and_the_metrics()
    {
        using var folder = new TempFolder();
        string json = CertainMarket.Json.Replace("\"thresholdBps\": -10000,", "\"thresholdBps\": -10000, \"mode\": \"paper\",", StringComparison.Ordinal);
        (EngineOptions options, IReadOnlyList<string> errors) = EngineOptionsLoader.Load(folder.Write("paper.json", json), _ => null);
        Assert.Empty(errors);
        Assert.Equal(TradingMode.Paper, options.Mode);
        DashboardFeed? feed = null;
        var services = new RunServices { StartDashboard = f => { feed = f; return null; } };
        using EngineLogs logs = EngineLogs.Create(new RecordingOutput(), "test", _ => { }, EngineLogs.QueueCapacity);
        DryRunEngine.Result result = await Task.Run(() => new DryRunEngine(options, TextWriter.Null, logs, services).Run(new RunLimits(MaxTicks: 5000), CancellationToken.None)).WaitAsync(s_hangGuard);
        Assert.Equal(StopReason.Ticks, result.Reason);
        Assert.NotNull(feed);

        DashboardSnapshot s = feed.Current;
        Assert.True(s.Pnl.Trades > 0, "paper pairs reached the ledger");
        Assert.NotEqual(0, s.Pnl.TotalUsd);
        Assert.True(s.Pnl.WinRateByStrategy.ContainsKey("cross-venue"));
        // A pair whose leg fails is an attempt without a trade: the P&L counts the pairs that filled.
        long attempts = s.Execution.Cells.Where(c => c.Path == "cex-cex").Sum(c => c.Attempts);
        long successes = s.Execution.Cells.Where(c => c.Path == "cex-cex").Sum(c => c.Successes);
        Assert.Equal(s.Pnl.Trades, s.Execution.Cells.Sum(c => c.Successes));
        Assert.True(successes > 0, "no cex-cex pair filled");
        Assert.True(attempts >= successes, $"{attempts} attempts, {successes} successes");
        Assert.Contains(s.Decisions.Decisions, x => x.RiskVerdict == "approved");
        Assert.Contains(s.Latency.Histograms, h => h.Name == "tick_to_decision" && h.Count > 0);
        Assert.Contains(s.Breakers.Breakers, b => b.Name == "killSwitch" && b.State == "ok");

        var metrics = new PrometheusMetrics(() => feed.Current);
        using var text = new MemoryStream();
        await metrics.WriteAsync(text, CancellationToken.None);
        string exposition = System.Text.Encoding.UTF8.GetString(text.ToArray());
        Assert.Contains("lowlatency_execution_attempts_total{path=\"cex-cex\"} " + attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), exposition, StringComparison.Ordinal);
        Assert.Contains("lowlatency_win_rate{strategy=\"cross-venue\"}", exposition, StringComparison.Ordinal);
    }
}
