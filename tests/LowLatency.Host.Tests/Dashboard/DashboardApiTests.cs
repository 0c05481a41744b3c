using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Tests.Support;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary>Contract tests: every endpoint's status, content type and exact JSON shape (README documents the same).</summary>
public sealed class DashboardApiTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static async Task<JsonElement> GetJson(HttpClient http, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static void AssertKeys(JsonElement e, params string[] keys)
    {
        Assert.Equal(JsonValueKind.Object, e.ValueKind);
        Assert.Equal(keys.Order(StringComparer.Ordinal), e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Health_reports_the_engine_counters_and_status()
    {
        await using var d = DashboardFixture.Start();
        d.Publish();
        JsonElement h = await GetJson(d.Http, "/api/health");
        AssertKeys(h, "status", "mode", "uptimeSeconds", "snapshotAgeMs", "strategy", "log", "persistence", "problems");
        Assert.Equal("ok", h.GetProperty("status").GetString());
        Assert.Equal("dry-run", h.GetProperty("mode").GetString());
        AssertKeys(h.GetProperty("strategy"), "ticks", "events", "batches", "opportunities", "opportunitiesDropped", "sweepFallbacks", "backPressured");
        Assert.Equal(1234, h.GetProperty("strategy").GetProperty("ticks").GetInt64());
        AssertKeys(h.GetProperty("log"), "path", "written", "dropped", "lost", "rotations", "reopens");
        AssertKeys(h.GetProperty("persistence"), "enabled", "path", "schemaVersion", "queued", "written", "dropped", "failed", "lastError");
        Assert.False(h.GetProperty("persistence").GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, h.GetProperty("snapshotAgeMs").ValueKind); // no strategy snapshot in this feed
    }

    [Fact]
    public async Task Opportunities_are_newest_first_exact_and_limited()
    {
        await using var d = DashboardFixture.Start();
        for (int i = 0; i < 5; i++)
        {
            d.Feed.OnOpportunity(DashboardFixture.Opportunity(1_000 + i));
        }

        d.Publish();
        JsonElement o = await GetJson(d.Http, "/api/opportunities/recent?limit=2");
        AssertKeys(o, "total", "byKind", "perHour", "opportunities");
        Assert.Equal(5, o.GetProperty("total").GetInt64());
        Assert.Equal(5, o.GetProperty("byKind").GetProperty("cex-cex").GetInt64());
        JsonElement[] list = [.. o.GetProperty("opportunities").EnumerateArray()];
        Assert.Equal(2, list.Length);
        AssertKeys(list[0], "kind", "instrument", "buyVenue", "sellVenue", "buyPrice", "sellPrice", "quantity", "grossEdgeBps", "netEdgeBps", "decisionTimeNs", "tickToOpportunityNs");
        Assert.Equal(1_004, list[0].GetProperty("decisionTimeNs").GetInt64());
        Assert.Equal("100", list[0].GetProperty("buyPrice").GetString());
        Assert.Equal("100.5", list[0].GetProperty("sellPrice").GetString());
        Assert.Equal("1.2345", list[0].GetProperty("quantity").GetString());
        Assert.Equal("alpha", list[0].GetProperty("buyVenue").GetString());
        Assert.InRange(list[0].GetProperty("tickToOpportunityNs").GetInt64(), 19_000, 21_000);
    }

    [Theory]
    [InlineData("/api/opportunities/recent?limit=0")]
    [InlineData("/api/opportunities/recent?limit=201")]
    [InlineData("/api/opportunities/recent?limit=abc")]
    [InlineData("/api/opportunities/recent?limit=1&limit=2")]
    [InlineData("/api/ai/decisions/recent?limit=-1")]
    [InlineData("/api/ml/predictions/recent?limit=1e3")]
    public async Task A_bad_limit_is_a_400_that_says_what_is_wrong(string path)
    {
        await using var d = DashboardFixture.Start();
        JsonElement e = await GetJson(d.Http, path, HttpStatusCode.BadRequest);
        AssertKeys(e, "error");
        Assert.Equal("limit: must be a whole number from 1 to 200", e.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Latency_has_the_tick_to_opportunity_histogram()
    {
        await using var d = DashboardFixture.Start();
        d.Publish();
        JsonElement empty = await GetJson(d.Http, "/api/latency");
        AssertKeys(empty, "histograms", "tickToBundle");
        JsonElement h0 = empty.GetProperty("histograms")[0];
        AssertKeys(h0, "name", "count", "p50Ns", "p90Ns", "p99Ns", "p999Ns", "maxNs", "buckets", "state");
        Assert.Equal(0, h0.GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Null, h0.GetProperty("p50Ns").ValueKind);

        d.Feed.OnOpportunity(DashboardFixture.Opportunity(1));
        d.Publish();
        JsonElement h = (await GetJson(d.Http, "/api/latency")).GetProperty("histograms")[0];
        Assert.Equal("tick_to_opportunity", h.GetProperty("name").GetString());
        Assert.Equal(1, h.GetProperty("count").GetInt64());
        JsonElement bucket = h.GetProperty("buckets")[0];
        AssertKeys(bucket, "upToNs", "count");
        Assert.Equal(32_768, bucket.GetProperty("upToNs").GetInt64()); // 20 µs falls in (16384, 32768]
    }

    [Fact]
    public async Task Parts_not_built_yet_answer_with_their_real_empty_state()
    {
        await using var d = DashboardFixture.Start();
        d.Publish();
        AssertKeys(await GetJson(d.Http, "/api/ai/decisions/recent?limit=20"), "decisions");
        Assert.Equal(0, (await GetJson(d.Http, "/api/ai/decisions/recent")).GetProperty("decisions").GetArrayLength());
        Assert.Equal(0, (await GetJson(d.Http, "/api/ml/predictions/recent")).GetProperty("predictions").GetArrayLength());
        Assert.Equal(0, (await GetJson(d.Http, "/api/rl/agents/status")).GetProperty("agents").GetArrayLength());
        Assert.Equal(0, (await GetJson(d.Http, "/api/breakers")).GetProperty("breakers").GetArrayLength());
        JsonElement cluster = await GetJson(d.Http, "/api/cluster"); // one box: a cluster of no nodes
        AssertKeys(cluster, "nodes");
        Assert.Equal(0, cluster.GetProperty("nodes").GetArrayLength());
        JsonElement matrix = await GetJson(d.Http, "/api/execution/matrix");
        AssertKeys(matrix, "paths", "cells");
        Assert.Equal(["cex-cex", "cex-dex", "dex-dex", "flash-loan", "cross-chain"], matrix.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(0, matrix.GetProperty("cells").GetArrayLength());
        JsonElement models = await GetJson(d.Http, "/api/ml/performance");
        AssertKeys(models, "models", "problems");
        Assert.Equal(0, models.GetProperty("models").GetArrayLength());
    }

    [Fact]
    public async Task Decisions_and_predictions_that_are_reported_are_served_newest_first()
    {
        await using var d = DashboardFixture.Start();
        d.Feed.OnDecision(new DecisionView(1, "BTC-USDT", "cex-cex", new Dictionary<string, double> { ["net_edge_bps"] = 6 }, new Dictionary<string, double> { ["scorer"] = 0.7 }, [new AgentVoteView(5, "risk-manager", "shadow", 0, 3, 3)], "approved", null));
        d.Feed.OnDecision(new DecisionView(2, "BTC-USDT", "cex-cex", new Dictionary<string, double>(), new Dictionary<string, double>(), [], "denied", "venue quarantined"));
        d.Feed.OnPrediction(new PredictionView(3, "scorer", "BTC-USDT", 0.7, null));
        d.Publish();
        JsonElement decisions = (await GetJson(d.Http, "/api/ai/decisions/recent?limit=20")).GetProperty("decisions");
        Assert.Equal(2, decisions.GetArrayLength());
        AssertKeys(decisions[0], "timeNs", "instrument", "path", "inputs", "modelScores", "agentVotes", "riskVerdict", "riskReason");
        Assert.Equal("venue quarantined", decisions[0].GetProperty("riskReason").GetString());
        AssertKeys(decisions[1].GetProperty("agentVotes")[0], "id", "agent", "mode", "action", "ruleAction", "acted");
        JsonElement p = (await GetJson(d.Http, "/api/ml/predictions/recent")).GetProperty("predictions")[0];
        AssertKeys(p, "timeNs", "model", "instrument", "predicted", "actual");
        Assert.Equal(JsonValueKind.Null, p.GetProperty("actual").ValueKind);
    }

    [Fact]
    public async Task Learning_curves_are_listed_from_the_models_folder_and_served_only_by_a_listed_name()
    {
        using var folder = new TempFolder();
        byte[] png = File.ReadAllBytes(Path.Combine(LowLatency.Testing.SharedData.RepoRoot, "models", "rl", "cartpole.seed1.png"));
        Directory.CreateDirectory(folder.File("rl"));
        File.WriteAllBytes(folder.File("rl/cartpole.seed1.png"), png);
        File.WriteAllBytes(folder.File("top.png"), png);
        File.WriteAllText(folder.File("secret.txt"), "not a curve");
        await using var d = DashboardFixture.Start(modelsFolder: folder.Path);

        JsonElement curves = (await GetJson(d.Http, "/api/ml/curves")).GetProperty("curves");
        Assert.Equal(["rl/cartpole.seed1", "top"], curves.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        string url = curves[0].GetProperty("url").GetString()!;
        Assert.Equal("/api/ml/curves/rl/cartpole.seed1.png", url);
        using HttpResponseMessage image = await d.Http.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await image.Content.ReadAsByteArrayAsync());

        foreach (string bad in new[] { "/api/ml/curves/secret.txt", "/api/ml/curves/secret.png", "/api/ml/curves/..%2Fsecret.txt", "/api/ml/curves/rl/cartpole.seed1" })
        {
            using HttpResponseMessage refused = await d.Http.GetAsync(bad);
            Assert.True(refused.StatusCode == System.Net.HttpStatusCode.NotFound, $"{bad}: {refused.StatusCode}");
        }

        await using var none = DashboardFixture.Start();
        Assert.Equal(0, (await GetJson(none.Http, "/api/ml/curves")).GetProperty("curves").GetArrayLength());
    }

    [Fact]
    public async Task Performance_shows_the_models_folder_manifests_with_their_baselines()
    {
        await using var d = DashboardFixture.Start(modelsFolder: Path.Combine(LowLatency.Testing.SharedData.RepoRoot, "models"));
        JsonElement models = (await GetJson(d.Http, "/api/ml/performance")).GetProperty("models");
        Assert.True(models.GetArrayLength() >= 2);
        JsonElement scorer = models.EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "scorer");
        AssertKeys(scorer, "file", "kind", "version", "trainedAt", "trainingSeconds", "beatsBaseline", "verdict", "inUse", "outOfSample", "live");
        Assert.False(scorer.GetProperty("beatsBaseline").GetBoolean());
        Assert.False(scorer.GetProperty("inUse").GetBoolean());
        Assert.True(scorer.GetProperty("outOfSample").GetProperty("baseline").GetProperty("auc").GetDouble() > 0);
        Assert.Equal(0, scorer.GetProperty("live").GetProperty("samples").GetInt64());
        JsonElement slippage = models.EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "slippage");
        Assert.True(slippage.GetProperty("outOfSample").GetProperty("model").GetProperty("rmse").GetDouble() > 0);
    }

    [Fact]
    public async Task A_damaged_manifest_is_a_listed_problem_not_a_failure()
    {
        using var folder = new TempFolder();
        folder.Write("broken.manifest.json", "{\"kind\": \"scorer\", ");
        folder.Write("odd.manifest.json", "{\"kind\": 7, \"version\": \"x\", \"unknown\": [1]}");
        await using var d = DashboardFixture.Start(modelsFolder: folder.Path);
        JsonElement r = await GetJson(d.Http, "/api/ml/performance");
        Assert.Single(r.GetProperty("problems").EnumerateArray());
        Assert.StartsWith("broken.manifest.json: ", r.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        JsonElement odd = r.GetProperty("models")[0];
        Assert.Equal("unknown", odd.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, odd.GetProperty("version").ValueKind);
    }

    [Fact]
    public async Task Pnl_has_every_financial_figure_and_no_invented_ones()
    {
        await using var d = DashboardFixture.Start();
        d.Publish();
        JsonElement empty = await GetJson(d.Http, "/api/pnl");
        AssertKeys(empty, "totalUsd", "totalEth", "trades", "winRateByStrategy", "sharpe", "maxDrawdownUsd", "dailyReturns", "hourlyReturns", "curve", "opportunitiesPerHour", "executionSuccessByPath", "slippageVsPredicted", "gasVsEstimated");
        Assert.Equal(0, empty.GetProperty("trades").GetInt64());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("sharpe").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("slippageVsPredicted").ValueKind);

        const long hour = 3_600_000_000_000L;
        d.Feed.OnTrade(new TradeOutcome(1 * hour, "cex-arb", "cex-cex", "alpha", true, 10, 0.004, 2, 3, null, null));
        d.Feed.OnTrade(new TradeOutcome(2 * hour, "cex-arb", "cex-cex", "alpha", true, -4, -0.001));
        d.Feed.OnTrade(new TradeOutcome(2 * hour + 1, "flash", "flash-loan", "mainnet", false, 0, 0, null, null, 200_000, 210_000));
        d.Publish();
        JsonElement p = await GetJson(d.Http, "/api/pnl");
        Assert.Equal(6, p.GetProperty("totalUsd").GetDouble(), 9);
        Assert.Equal(2, p.GetProperty("trades").GetInt64());
        Assert.Equal(4, p.GetProperty("maxDrawdownUsd").GetDouble(), 9);
        Assert.Equal(0.5, p.GetProperty("winRateByStrategy").GetProperty("cex-arb").GetProperty("rate").GetDouble(), 9);
        Assert.Equal(0, p.GetProperty("executionSuccessByPath").GetProperty("flash-loan").GetProperty("rate").GetDouble(), 9);
        Assert.Equal(1, p.GetProperty("slippageVsPredicted").GetProperty("meanErrorBps").GetDouble(), 9);
        Assert.Equal(1.05, p.GetProperty("gasVsEstimated").GetProperty("usedOverEstimated").GetDouble(), 9);
        Assert.Equal(2, p.GetProperty("hourlyReturns").GetArrayLength());
        Assert.True(p.GetProperty("sharpe").GetDouble() > 0);

        JsonElement cells = (await GetJson(d.Http, "/api/execution/matrix")).GetProperty("cells");
        Assert.Equal(2, cells.GetArrayLength());
        AssertKeys(cells[0], "path", "venue", "attempts", "successes", "successRate", "slippageVsPredictedBps", "gasVsEstimated");
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_the_engine_and_financial_series()
    {
        await using var d = DashboardFixture.Start();
        d.Feed.OnOpportunity(DashboardFixture.Opportunity(1));
        d.Feed.OnTrade(new TradeOutcome(1, "cex-arb", "cex-cex", "alpha", true, 10, 0.004));
        d.Publish();
        using HttpResponseMessage r = await d.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/plain", r.Content.Headers.ContentType?.MediaType);
        string text = await r.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE lowlatency_opportunities_total counter", text, StringComparison.Ordinal);
        Assert.Contains("lowlatency_opportunities_total{kind=\"cex-cex\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("lowlatency_ticks_total 1234", text, StringComparison.Ordinal);
        Assert.Contains("lowlatency_pnl_total{currency=\"usd\"} 10", text, StringComparison.Ordinal);
        Assert.Contains("lowlatency_win_rate{strategy=\"cex-arb\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("lowlatency_sharpe_ratio NaN", text, StringComparison.Ordinal);
        Assert.Contains("lowlatency_latency_samples_total{stage=\"tick_to_opportunity\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_needs_the_token()
    {
        await using var d = DashboardFixture.Start();
        using (HttpResponseMessage none = await d.Http.PostAsync("/api/ml/train?model_type=predictive", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train?model_type=predictive");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardFixture.Token + "x");
        using (HttpResponseMessage r = await d.Http.SendAsync(wrong))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        using var prefix = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train?model_type=predictive");
        prefix.Headers.Add("X-Dashboard-Token", DashboardFixture.Token[..^1]);
        using (HttpResponseMessage r = await d.Http.SendAsync(prefix))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        Assert.Empty(d.Jobs.All());
    }

    [Fact]
    public async Task Without_a_configured_token_training_is_off()
    {
        await using var d = DashboardFixture.Start(token: null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train?model_type=all");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "anything-at-all-really");
        using HttpResponseMessage r = await d.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Contains("DASHBOARD_TOKEN", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(d.Jobs.All());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?model_type=")]
    [InlineData("?model_type=PPO")]
    [InlineData("?model_type=all&model_type=rl")]
    public async Task A_bad_model_type_is_a_400(string query)
    {
        await using var d = DashboardFixture.Start();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardFixture.Token);
        using HttpResponseMessage r = await d.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("model_type: must be one of predictive, slippage, rl, all", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_training_job_is_accepted_runs_in_the_background_and_reports_its_progress()
    {
        using var release = new ManualResetEventSlim();
        string? trainedType = null;
        await using var d = DashboardFixture.Start(trainer: (type, progress, _) =>
        {
            trainedType = type;
            progress.WriteLine("loading data");
            release.Wait(s_hangGuard);
            progress.WriteLine("done");
            return 0;
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train?model_type=slippage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardFixture.Token);
        using HttpResponseMessage accepted = await d.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using JsonDocument job = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync());
        AssertKeys(job.RootElement, "jobId", "modelType", "status", "queuedAt", "startedAt", "finishedAt", "exitCode", "progressLines", "progress");
        string id = job.RootElement.GetProperty("jobId").GetString()!;

        // While it runs, a second job is refused.
        using var second = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train?model_type=predictive");
        second.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardFixture.Token);
        using (HttpResponseMessage conflict = await d.Http.SendAsync(second))
        {
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        }

        release.Set();
        JsonElement status;
        do
        {
            status = await GetJson(d.Http, $"/api/ml/train/{id}");
            await Task.Delay(20);
        }
        while (status.GetProperty("status").GetString() is "queued" or "running");

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("exitCode").GetInt32());
        Assert.Equal(["loading data", "done"], status.GetProperty("progress").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("slippage", trainedType);
        Assert.Single((await GetJson(d.Http, "/api/ml/train")).GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task Rl_training_reports_that_the_agents_do_not_exist_yet()
    {
        await using var d = DashboardFixture.Start(trainer: (_, _, _) => throw new InvalidOperationException("the trainer must not run for rl"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ml/train?model_type=rl");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardFixture.Token);
        using HttpResponseMessage accepted = await d.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        string id = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("jobId").GetString()!;
        JsonElement status;
        do
        {
            status = await GetJson(d.Http, $"/api/ml/train/{id}");
            await Task.Delay(20);
        }
        while (status.GetProperty("status").GetString() is "queued" or "running");

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("not built yet", status.GetProperty("progress")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_jobs_and_paths_are_404_json()
    {
        await using var d = DashboardFixture.Start();
        AssertKeys(await GetJson(d.Http, "/api/ml/train/nope", HttpStatusCode.NotFound), "error");
        AssertKeys(await GetJson(d.Http, "/api/nothing", HttpStatusCode.NotFound), "error");
    }

    [Fact]
    public async Task The_page_and_its_chart_library_are_served_from_the_engine()
    {
        await using var d = DashboardFixture.Start();
        using HttpResponseMessage page = await d.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("lib/uPlot.iife.min.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using HttpResponseMessage lib = await d.Http.GetAsync("/lib/uPlot.iife.min.js");
        Assert.Equal(HttpStatusCode.OK, lib.StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", "reachable beyond this machine")]
    [InlineData("http://192.168.1.10:8080", "reachable beyond this machine")]
    [InlineData("https://127.0.0.1:8080", "must be http://HOST:PORT")]
    [InlineData("http://127.0.0.1:8080/x", "must be http://HOST:PORT")]
    [InlineData("http://example.org:8080", "not an IP address or localhost")]
    [InlineData("8080", "must be http://HOST:PORT")]
    public void Binding_beyond_loopback_needs_the_flag_and_bad_urls_are_refused(string url, string message)
    {
        Assert.False(DashboardOptions.TryParse(url, false, null, "m", "d", out _, out string? error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Remote_binding_with_the_flag_and_localhost_are_accepted_and_a_short_token_is_refused()
    {
        Assert.True(DashboardOptions.TryParse("http://0.0.0.0:9000", true, null, "m", "d", out DashboardOptions? remote, out _));
        Assert.Equal(9000, remote.Port);
        Assert.True(DashboardOptions.TryParse("http://localhost:8080", false, null, "m", "d", out DashboardOptions? local, out _));
        Assert.True(System.Net.IPAddress.IsLoopback(local.Address));
        Assert.False(DashboardOptions.TryParse("http://127.0.0.1:8080", false, "short", "m", "d", out _, out string? error));
        Assert.Contains("at least 16", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_an_error_value()
    {
        await using var d = DashboardFixture.Start();
        int port = new Uri(d.Server.Url).Port;
        Assert.True(DashboardOptions.TryParse($"http://127.0.0.1:{port}", false, null, "m", "d", out DashboardOptions? options, out _));
        Assert.False(DashboardServer.TryStart(options, d.Feed, new TrainingJobs((_, _, _) => 0), out _, out string? error));
        Assert.Contains("in use", error, StringComparison.Ordinal);
    }
}
