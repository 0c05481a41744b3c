using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.Host.Lifecycle;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Host.Tests.Dashboard;

/// <summary>A dashboard on an ephemeral loopback port over a feed the test fills; the trainer is the test's.</summary>
internal sealed class DashboardFixture : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private DashboardFixture(DashboardServer server, DashboardFeed feed, TrainingJobs jobs)
    {
        Server = server;
        Feed = feed;
        Jobs = jobs;
        Http = new HttpClient { BaseAddress = new Uri(server.Url) };
    }

    public DashboardServer Server { get; }

    public DashboardFeed Feed { get; }

    public TrainingJobs Jobs { get; }

    public HttpClient Http { get; }

    public static DashboardFixture Start(string? token = Token, string modelsFolder = "no-models-here", Func<string, TextWriter, CancellationToken, int>? trainer = null)
    {
        var feed = new DashboardFeed("dry-run", ["alpha", "beta"], ["BTC-USDT"], [2], [4], null, null);
        Assert.True(DashboardOptions.TryParse("http://127.0.0.1:0", false, token, modelsFolder, "no-data", out DashboardOptions? options, out string? error), error);
        var jobs = new TrainingJobs(trainer ?? ((_, progress, _) =>
        {
            progress.WriteLine("epoch 1/1");
            return 0;
        }));
        Assert.True(DashboardServer.TryStart(options, feed, jobs, out DashboardServer? server, out error), error);
        return new DashboardFixture(server, feed, jobs);
    }

    /// <summary>An opportunity as the strategy thread would publish it (buy alpha at 100.00, sell beta at 100.50).</summary>
    public static Opportunity Opportunity(long decisionTimeNs) => new()
    {
        Instrument = InstrumentId.FromIndex(0),
        BuyVenue = VenueId.FromIndex(0),
        SellVenue = VenueId.FromIndex(1),
        BuyPrice = new Price(10_000),
        SellPrice = new Price(10_050),
        Quantity = new Quantity(12_345),
        GrossEdgeBps = 50,
        NetEdgeBps = 30,
        TriggerTimestamp = 1_000,
        DecisionTimestamp = 1_000 + (long)(20_000 / StrategyState.NanosecondsPerTick),
        DecisionTimeNs = decisionTimeNs,
    };

    /// <summary>What the strategy thread does for one opportunity: a batch (feedback, rules), then the check in the slot.</summary>
    public static Opportunity Decide(RiskSession risk, long nowNs)
    {
        Opportunity o = Opportunity(nowNs);
        o.BuyTickReceiveTimeNs = nowNs;
        o.SellTickReceiveTimeNs = nowNs;
        risk.StrategyGate.OnBatch(nowNs);
        risk.StrategyGate.Stamp(ref o);
        return o;
    }

    public void Publish() => Feed.Publish(new HostFigures(1234, 0, "logs/arbitrage.log", new LogCounters(5, 5, 0, 0, 0, 0, 0)));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Server.Stop(TimeSpan.FromMilliseconds(200));
        await Server.DisposeAsync();
    }
}
