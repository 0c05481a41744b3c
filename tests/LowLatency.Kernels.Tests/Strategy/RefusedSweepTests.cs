using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.Strategy;

/// <summary>A sweep the kernel host refuses (a shape over its capacity) must be counted and re-evaluated, never read as "no edge".</summary>
public sealed class RefusedSweepTests
{
    private struct ListSink : IOpportunitySink
    {
        public List<Opportunity> Items;

        public readonly void OnOpportunity(in Opportunity opportunity) => Items.Add(opportunity);
    }

    // DecisionTimestamp is the clock at emission, so compare what was decided.
    private static string[] Describe(List<Opportunity> items) =>
        items.Select(o => $"{o.Instrument.Value} {o.BuyVenue.Value}@{o.BuyPrice.Raw} -> {o.SellVenue.Value}@{o.SellPrice.Raw} {o.NetEdgeBps:R}").ToArray();

    private static BookLevel Level(long price) => new(new Price(price), new Quantity(1));

    private static EdgeStage NewStage() => new(instruments: 4, venues: 3, priceDecimals: [2, 2, 2, 2], takerFee: [0.001, 0.001, 0.0], thresholdBps: 5);

    private static void Quote(EdgeStage stage, int instrument, int venue, long bid, long ask) =>
        stage.UpdateQuote(new InstrumentId((ushort)instrument), new VenueId((byte)venue), Level(bid), Level(ask), tradeable: true, 0, 0);

    private static void FillMarket(EdgeStage stage)
    {
        for (int i = 0; i < 4; i++)
        {
            for (int v = 0; v < 3; v++)
            {
                Quote(stage, i, v, 9_900, 10_100);
            }
        }

        // Instrument 3 (beyond a 2-instrument host's capacity): buy venue 0 at 100.00, sell venue 1 at 101.00 = 79.9 bps net.
        Quote(stage, 3, 0, 9_990, 10_000);
        Quote(stage, 3, 1, 10_100, 10_110);
    }

    [Fact]
    public void A_sweep_over_the_hosts_capacity_is_counted_and_evaluated_per_instrument()
    {
        using var host = new KernelHost(new EdgeSweepShape(2, 3), KernelBackendPreference.Simd);
        EdgeStage swept = NewStage();
        EdgeStage incremental = NewStage();
        FillMarket(swept);
        FillMarket(incremental);
        var sweptSink = new ListSink { Items = [] };
        var incrementalSink = new ListSink { Items = [] };

        int emitted = swept.EvaluateAll(host, ref sweptSink, decisionTimeNs: 7);
        incremental.EvaluateTouched(ref incrementalSink, decisionTimeNs: 7);

        Opportunity o = Assert.Single(sweptSink.Items);
        Assert.Equal(1, emitted);
        Assert.Equal(3, o.Instrument.Value);
        Assert.Equal(79.9, o.NetEdgeBps, 9);
        Assert.Equal(Describe(incrementalSink.Items), Describe(sweptSink.Items));
        Assert.Equal(incremental.NetBps.ToArray(), swept.NetBps.ToArray());
        Assert.Equal(1, swept.SweepFallbacks);
        Assert.Equal(1, host.RefusedSweeps);
        Assert.Equal(EdgeSweepStatus.ExceedsCapacity, host.LastRefusal);
    }

    [Fact]
    public void A_sweep_within_capacity_is_not_a_fallback()
    {
        using var host = new KernelHost(new EdgeSweepShape(4, 3), KernelBackendPreference.Simd);
        EdgeStage swept = NewStage();
        FillMarket(swept);
        var sink = new ListSink { Items = [] };

        Assert.Equal(1, swept.EvaluateAll(host, ref sink, decisionTimeNs: 7));
        Assert.Equal(0, swept.SweepFallbacks);
        Assert.Equal(0, host.RefusedSweeps);
        Assert.Equal(EdgeSweepStatus.Ok, host.LastRefusal);
    }
}
