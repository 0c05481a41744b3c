using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Strategy;

public sealed class EdgeStageTests
{
    private struct ListSink : IOpportunitySink
    {
        public List<Opportunity> Items;

        public readonly void OnOpportunity(in Opportunity opportunity) => Items.Add(opportunity);
    }

    private struct CountingSink : IOpportunitySink
    {
        public int Count;

        public void OnOpportunity(in Opportunity opportunity) => Count++;
    }

    private static BookLevel Level(long price, long qty) => new(new Price(price), new Quantity(qty));

    private static EdgeStage NewStage(double thresholdBps = 5) =>
        new(instruments: 2, venues: 3, priceDecimals: [2, 2], takerFee: [0.001, 0.001, 0.0], thresholdBps);

    [Fact]
    public void Reports_a_net_edge_above_the_threshold_with_the_formula_and_sizes()
    {
        EdgeStage stage = NewStage();
        var sink = new ListSink { Items = [] };

        // venue 0 asks 100.00 (size 3), venue 1 bids 101.00 (size 2): net = (101·0.999 − 100·1.001)/100·1e4 = 79.9 bps
        stage.UpdateQuote(new InstrumentId(0), new VenueId(0), Level(9_990, 5), Level(10_000, 3), tradeable: true, 111, 1);
        stage.UpdateQuote(new InstrumentId(0), new VenueId(1), Level(10_100, 2), Level(10_110, 9), tradeable: true, 222, 2);
        int emitted = stage.EvaluateTouched(ref sink, decisionTimeNs: 333);

        Assert.Equal(1, emitted);
        Opportunity o = Assert.Single(sink.Items);
        Assert.Equal(0, o.BuyVenue.Value);
        Assert.Equal(1, o.SellVenue.Value);
        Assert.Equal(10_000, o.BuyPrice.Raw);
        Assert.Equal(10_100, o.SellPrice.Raw);
        Assert.Equal(2, o.Quantity.Raw);
        Assert.Equal(100.0, o.GrossEdgeBps, 9);
        Assert.Equal(79.9, o.NetEdgeBps, 9);
        Assert.Equal(111, o.BuyTickReceiveTimeNs);
        Assert.Equal(222, o.SellTickReceiveTimeNs);
        Assert.Equal(333, o.DecisionTimeNs);
        Assert.Equal(2, o.TriggerTimestamp);
    }

    [Fact]
    public void Fees_can_eat_the_gross_edge()
    {
        EdgeStage stage = NewStage(thresholdBps: 0);
        var sink = new ListSink { Items = [] };

        // 15 bps gross, 20 bps of fees: no opportunity.
        stage.UpdateQuote(new InstrumentId(1), new VenueId(0), Level(9_900, 1), Level(10_000, 1), true, 0, 0);
        stage.UpdateQuote(new InstrumentId(1), new VenueId(1), Level(10_015, 1), Level(10_030, 1), true, 0, 0);
        Assert.Equal(0, stage.EvaluateTouched(ref sink, 0));

        // Through the zero-fee venue 2 selling at 10,015 only venue 0's 10 bps fee applies: 15 − ~10 bps > 0.
        stage.UpdateQuote(new InstrumentId(1), new VenueId(2), Level(10_015, 1), Level(10_030, 1), true, 0, 0);
        Assert.Equal(1, stage.EvaluateTouched(ref sink, 0));
        Assert.Equal(2, sink.Items[0].SellVenue.Value);
    }

    [Fact]
    public void An_untradeable_quote_never_forms_an_edge()
    {
        EdgeStage stage = NewStage();
        var sink = new ListSink { Items = [] };
        stage.UpdateQuote(new InstrumentId(0), new VenueId(0), Level(9_990, 5), Level(10_000, 3), tradeable: true, 0, 0);
        stage.UpdateQuote(new InstrumentId(0), new VenueId(1), Level(10_100, 2), Level(10_110, 9), tradeable: false, 0, 0);
        Assert.Equal(0, stage.EvaluateTouched(ref sink, 0));
        Assert.Equal(EdgeMath.NoEdge, stage.NetBps[(0 * 3 + 0) * 3 + 1]);
    }

    [Fact]
    public void A_standing_edge_is_reported_once_and_again_when_its_quotes_change()
    {
        EdgeStage stage = NewStage();
        var sink = new ListSink { Items = [] };
        stage.UpdateQuote(new InstrumentId(0), new VenueId(0), Level(9_990, 5), Level(10_000, 3), true, 0, 0);
        stage.UpdateQuote(new InstrumentId(0), new VenueId(1), Level(10_100, 2), Level(10_110, 9), true, 0, 0);
        Assert.Equal(1, stage.EvaluateTouched(ref sink, 0));

        // Same quotes again (a size change elsewhere): nothing new.
        stage.UpdateQuote(new InstrumentId(0), new VenueId(0), Level(9_990, 7), Level(10_000, 3), true, 0, 0);
        Assert.Equal(0, stage.EvaluateTouched(ref sink, 0));

        // A better sell price: a new opportunity.
        stage.UpdateQuote(new InstrumentId(0), new VenueId(1), Level(10_120, 2), Level(10_130, 9), true, 0, 0);
        Assert.Equal(1, stage.EvaluateTouched(ref sink, 0));
    }

    [Fact]
    public void Full_sweep_and_incremental_evaluation_agree()
    {
        var random = new Random(5);
        EdgeStage incremental = new(8, 4, [2, 2, 2, 2, 2, 2, 2, 2], [0.001, 0.0005, 0.002, 0], 1);
        EdgeStage swept = new(8, 4, [2, 2, 2, 2, 2, 2, 2, 2], [0.001, 0.0005, 0.002, 0], 1);
        var a = new CountingSink();
        var b = new CountingSink();
        for (int round = 0; round < 200; round++)
        {
            for (int k = 0; k < 10; k++)
            {
                var i = new InstrumentId((ushort)random.Next(8));
                var v = new VenueId((byte)random.Next(4));
                long mid = 10_000 + random.Next(-60, 60);
                bool ok = random.Next(10) != 0;
                incremental.UpdateQuote(i, v, Level(mid - 3, 1), Level(mid + 3, 1), ok, 0, 0);
                swept.UpdateQuote(i, v, Level(mid - 3, 1), Level(mid + 3, 1), ok, 0, 0);
            }

            incremental.EvaluateTouched(ref a, 0);
            swept.EvaluateAll(new ScalarSweeper(), ref b, 0);
            Assert.Equal(a.Count, b.Count);
        }

        Assert.True(a.Count > 0, "the random market should produce some edges");
    }

    [Fact]
    public void A_refused_full_sweep_is_counted_and_evaluated_per_instrument_without_allocating()
    {
        EdgeStage incremental = NewStage();
        EdgeStage swept = NewStage();
        var refusing = new RefusingSweeper();
        var a = new ListSink { Items = [] };
        var b = new ListSink { Items = [] };
        foreach (EdgeStage stage in new[] { incremental, swept })
        {
            stage.UpdateQuote(new InstrumentId(1), new VenueId(0), Level(9_990, 5), Level(10_000, 3), true, 0, 0);
            stage.UpdateQuote(new InstrumentId(1), new VenueId(2), Level(10_100, 2), Level(10_110, 9), true, 0, 0);
        }

        incremental.EvaluateTouched(ref a, 0);
        Assert.Equal(1, swept.EvaluateAll(refusing, ref b, 0));
        Assert.Equal(1, refusing.Calls);
        Assert.Equal(1, swept.SweepFallbacks);
        Assert.Equal(0, incremental.SweepFallbacks);
        Opportunity expected = Assert.Single(a.Items);
        Opportunity actual = Assert.Single(b.Items);
        Assert.Equal((expected.Instrument, expected.BuyVenue, expected.SellVenue, expected.BuyPrice, expected.SellPrice, expected.NetEdgeBps),
            (actual.Instrument, actual.BuyVenue, actual.SellVenue, actual.BuyPrice, actual.SellPrice, actual.NetEdgeBps));
        Assert.Equal(incremental.NetBps.Slice(9, 9).ToArray(), swept.NetBps.Slice(9, 9).ToArray()); // instrument 1's 3 × 3 block
        Assert.All(swept.NetBps.Slice(0, 9).ToArray(), net => Assert.Equal(EdgeMath.NoEdge, net)); // instrument 0 has no quotes

        var counting = new CountingSink();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            swept.UpdateQuote(new InstrumentId(0), new VenueId((byte)(i % 3)), Level(10_000 + (i % 17), 1), Level(10_020 + (i % 13), 1), true, i, i);
            swept.EvaluateAll(refusing, ref counting, i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_001, swept.SweepFallbacks);
    }

    [Fact]
    public void Evaluation_allocates_nothing()
    {
        EdgeStage stage = NewStage(thresholdBps: -1_000);
        var sink = new CountingSink();
        long before = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (i == 1_000)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            stage.UpdateQuote(new InstrumentId((ushort)(i & 1)), new VenueId((byte)(i % 3)), Level(10_000 + (i % 17), 1), Level(10_020 + (i % 13), 1), true, i, i);
            stage.EvaluateTouched(ref sink, i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sink.Count > 0);
    }

    [Fact]
    public void Rejects_bad_configuration_at_start_up()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EdgeStage(1, 2, [2], [0.001, 0.5], 5));
        Assert.Throws<ArgumentException>(() => new EdgeStage(2, 2, [2], [0.001, 0.001], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EdgeStage(1, 2, [2], [0.001, 0.001], double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EdgeStage(1, 1, [2], [0.001], 5));
    }

    /// <summary>A plain sweeper over the documented layout, independent of EdgeStage's own loop.</summary>
    private sealed class ScalarSweeper : IEdgeSweeper
    {
        public bool Sweep(int instruments, int venues, ReadOnlySpan<double> bid, ReadOnlySpan<double> ask, ReadOnlySpan<byte> tradeable,
            ReadOnlySpan<double> takerFee, Span<double> netBps, Span<double> grossBps)
        {
            for (int i = 0; i < instruments; i++)
            {
                for (int b = 0; b < venues; b++)
                {
                    for (int s = 0; s < venues; s++)
                    {
                        int p = (((i * venues) + b) * venues) + s;
                        int qb = (i * venues) + b;
                        int qs = (i * venues) + s;
                        bool ok = b != s && tradeable[qb] != 0 && tradeable[qs] != 0 && ask[qb] > 0 && bid[qs] > 0;
                        netBps[p] = ok ? ((bid[qs] * (1 - takerFee[s])) - (ask[qb] * (1 + takerFee[b]))) / ask[qb] * 1e4 : double.NegativeInfinity;
                        grossBps[p] = ok ? (bid[qs] - ask[qb]) / ask[qb] * 1e4 : double.NegativeInfinity;
                    }
                }
            }

            return true;
        }
    }

    /// <summary>Refuses every call the way KernelHost refuses a shape over its capacity: all "no edge", false.</summary>
    private sealed class RefusingSweeper : IEdgeSweeper
    {
        public int Calls;

        public bool Sweep(int instruments, int venues, ReadOnlySpan<double> bid, ReadOnlySpan<double> ask, ReadOnlySpan<byte> tradeable,
            ReadOnlySpan<double> takerFee, Span<double> netBps, Span<double> grossBps)
        {
            Calls++;
            netBps.Fill(EdgeMath.NoEdge);
            grossBps.Fill(EdgeMath.NoEdge);
            return false;
        }
    }
}
