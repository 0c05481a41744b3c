using System.Diagnostics;
using System.Text.RegularExpressions;
using LowLatency.Testing;
using LowLatency.Testing.Nats;
using Microsoft.Playwright;

namespace LowLatency.Dashboard.Browser.Tests;

/// <summary>
/// The dashboard page in a real headless Chromium, against a real dry run. Every wait has a hang guard; nothing asserts
/// on timing.
/// </summary>
public sealed partial class DashboardPageTests
{
    private const float HangGuardMs = 60_000;

    [GeneratedRegex(@"dashboard on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex DashboardLine();

    private static string Chromium()
    {
        string? configured = Environment.GetEnvironmentVariable("LL_CHROMIUM");
        foreach (string candidate in new[] { configured ?? "", "/usr/lib/chromium/chromium", "/usr/bin/chromium" })
        {
            if (candidate.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("chromium is not installed: scripts/setup.sh installs it (apt-get install -y chromium), or set LL_CHROMIUM");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public Task The_page_loads_clean_shows_live_numbers_and_draws_its_charts() => WithPageAsync([], async (page, address) =>
    {
        IResponse? response = await page.GotoAsync(address, new PageGotoOptions { Timeout = HangGuardMs });
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);

        // Live numbers: the tick count changes between two reads.
        await page.WaitForFunctionAsync("() => /^[0-9,]+$/.test(document.getElementById('ticks').textContent)", null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
        string first = await page.InnerTextAsync("#ticks");
        await page.WaitForFunctionAsync("t => document.getElementById('ticks').textContent !== t", first, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
        string second = await page.InnerTextAsync("#ticks");
        Assert.NotEqual(first, second);
        Assert.True(long.Parse(second.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) > long.Parse(first.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ok", await page.InnerTextAsync("#status"));

        // Charts: three uPlot canvases, each painted (axes at least; the opportunity and latency charts have data
        // once the engine has found opportunities).
        await page.WaitForFunctionAsync("() => document.getElementById('latency-samples') && document.getElementById('latency-samples').textContent !== '0'", null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
        int[] painted = await page.EvaluateAsync<int[]>("""
            () => ['chart-opportunities', 'chart-latency', 'chart-pnl'].map(id => {
              const c = document.querySelector('#' + id + ' canvas');
              if (!c || c.width === 0 || c.height === 0) return 0;
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
              return n;
            })
            """);
        Assert.All(painted, n => Assert.True(n > 100, $"painted pixels per chart: {string.Join(", ", painted)}"));
        Assert.True(await page.Locator("#opportunities tbody tr").CountAsync() > 0);
        Assert.Contains("scorer", await page.InnerTextAsync("#models"), StringComparison.Ordinal);

        // The training's learning curves, each image fetched and decoded (a broken one has no natural width).
        await page.WaitForFunctionAsync("() => { const i = [...document.querySelectorAll('#curves img')]; return i.length > 0 && i.every(x => x.complete && x.naturalWidth > 0); }",
            null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
        Assert.Contains("multi_agent_rl/agent_1", await page.InnerTextAsync("#curves"), StringComparison.Ordinal);

        // The risk panels: every breaker listed with its state, the three latency stages (tick → decision measured
        // on the strategy thread, tick → signed bundle from the graph's dry-run bundles), and paper trades in the P&L.
        Assert.Contains("killSwitch", await page.InnerTextAsync("#breakers"), StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => /tick to decision\\s+measured/.test(document.getElementById('latency-stages').innerText)", null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
        await page.WaitForFunctionAsync("() => /tick to signed bundle\\s+measured/.test(document.getElementById('latency-stages').innerText)", null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
        await page.WaitForFunctionAsync("() => /^[1-9][0-9,]*$/.test(document.getElementById('pnl-trades').textContent)", null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });

        string shots = Path.Combine(SharedData.RepoRoot, "artifacts", "test-results");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "dashboard.png"), FullPage = true });
        Assert.True(new FileInfo(Path.Combine(shots, "dashboard.png")).Length > 10_000);

        // A time chart with one point (the first second of a run) spans the minute before it, not the 1,000 days uPlot
        // stretches a lone time value to: the page's own range function in the page's uPlot.
        double span = await page.EvaluateAsync<double>("""
            async () => {
              const box = document.createElement('div');
              document.body.append(box);
              const u = new uPlot({ width: 300, height: 100, scales: { x: { range: timeRange } }, series: [{}, {}] }, [[1.8e9], [1]], box);
              await new Promise((done) => setTimeout(done, 100)); // uPlot sets its scales when it commits, after this task
              const s = u.scales.x.max - u.scales.x.min;
              u.destroy();
              box.remove();
              return s;
            }
            """);
        Assert.Equal(60, span);

        // One box: the cluster panel says so.
        Assert.Contains("one box: not in cluster mode", await page.InnerTextAsync("#cluster"), StringComparison.Ordinal);
    });

    [Fact]
    [Trait("Category", "Slow")]
    public async Task In_cluster_mode_the_cluster_panel_lists_the_node_from_the_streams()
    {
        using var nats = new NatsServer();
        await WithPageAsync(["--cluster", nats.Url, "--node", "a"], async (page, address) =>
        {
            Assert.Equal(200, (await page.GotoAsync(address, new PageGotoOptions { Timeout = HangGuardMs }))?.Status);

            // The node's row: trading, with fills the view read from the fills stream, none twice or missing.
            await page.WaitForFunctionAsync("""
                () => [...document.querySelectorAll('#cluster tbody tr')].some(r => r.cells.length === 10 && r.cells[0].textContent === 'a'
                  && r.cells[1].textContent === 'trading' && /^[1-9][0-9,]*$/.test(r.cells[3].textContent))
                """, null, new PageWaitForFunctionOptions { Timeout = HangGuardMs });
            string[] row = await page.EvaluateAsync<string[]>("() => [...[...document.querySelectorAll('#cluster tbody tr')].find(r => r.cells[0].textContent === 'a').cells].map(c => c.textContent)");
            Assert.Equal(("0", "0"), (row[4], row[5]));
            Assert.Matches(@"^\d+/\d+$", row[2]);
            Assert.Matches(@"^\d+\.\d{2}$", row[8]);
        });
    }

    /// <summary>
    /// A paper run with its dashboard on a free port (plus <paramref name="args"/>), a headless Chromium page, then
    /// <paramref name="body"/>; the page must log no console error or warning, page error or failed request.
    /// </summary>
    private static async Task WithPageAsync(string[] args, Func<IPage, string, Task> body)
    {
        string work = Path.Combine(Path.GetTempPath(), $"lowlatency-browser-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "lowlatency.dll"), "run", "--dashboard-url", "http://127.0.0.1:0", "--models", Path.Combine(SharedData.RepoRoot, "models"), "--threshold-bps", "1", "--mode", "paper", "--no-db" }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var engine = Process.Start(start)!;
        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && DashboardLine().Match(e.Data) is { Success: true } m)
            {
                url.TrySetResult(m.Groups["url"].Value);
            }
        };
        engine.ErrorDataReceived += (_, _) => { };
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        try
        {
            string address = await url.Task.WaitAsync(TimeSpan.FromMilliseconds(HangGuardMs));
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium(),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
            var problems = new List<string>();
            page.Console += (_, m) =>
            {
                if (m.Type is "error" or "warning")
                {
                    lock (problems)
                    {
                        problems.Add($"console {m.Type}: {m.Text} ({m.Location})");
                    }
                }
            };
            page.PageError += (_, e) =>
            {
                lock (problems)
                {
                    problems.Add($"page error: {e}");
                }
            };
            page.RequestFailed += (_, r) =>
            {
                lock (problems)
                {
                    problems.Add($"request failed: {r.Url}");
                }
            };

            await body(page, address);
            lock (problems)
            {
                Assert.Empty(problems);
            }
        }
        finally
        {
            if (!engine.HasExited)
            {
                engine.Kill(entireProcessTree: true);
            }

            await engine.WaitForExitAsync();
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // The OS cleans the temp folder.
            }
        }
    }
}
