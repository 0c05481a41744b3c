using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

/// <summary>Hand-computed cases and the validity rules, for every implementation.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class EdgeSweepFormulaTests(IlgpuCpuHostFixture fixture)
{
    private const double NoEdge = EdgeSweepLimits.NoEdge;

    public static TheoryData<Impl> All => new(Enum.GetValues<Impl>());

    [Theory]
    [MemberData(nameof(All))]
    public void Hand_computed_two_venue_edges(Impl impl)
    {
        // Venue 0: bid 99.5 / ask 100; venue 1: bid 101 / ask 101.5; taker fee 10 bps on both.
        var c = TwoVenues(bid0: 99.5, ask0: 100, bid1: 101, ask1: 101.5, fee0: 0.001, fee1: 0.001);
        var (net, gross) = Sweepers.RunOk(impl, c, fixture.Host);

        // Buy 0 at 100, sell 1 at 101: gross (101 − 100)/100·1e4 = 100; net (101·0.999 − 100·1.001)/100·1e4 = 79.9.
        Assert.Equal(100, gross[c.Shape.PairIndex(0, 0, 1)], 9);
        Assert.Equal(79.9, net[c.Shape.PairIndex(0, 0, 1)], 9);

        // Buy 1 at 101.5, sell 0 at 99.5: gross −2/101.5·1e4; net (99.4005 − 101.6015)/101.5·1e4 = −2.201/101.5·1e4.
        Assert.Equal(-197.044334975369, gross[c.Shape.PairIndex(0, 1, 0)], 9);
        Assert.Equal(-216.847290640394, net[c.Shape.PairIndex(0, 1, 0)], 9);

        Assert.Equal(NoEdge, net[c.Shape.PairIndex(0, 0, 0)]);
        Assert.Equal(NoEdge, gross[c.Shape.PairIndex(0, 1, 1)]);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Fees_are_per_venue_and_may_be_rebates(Impl impl)
    {
        // Buy venue 0 pays 20 bps, sell venue 1 gets a 1 bp rebate: net = (101·1.0001 − 100·1.002)/100·1e4 = 81.01.
        var c = TwoVenues(bid0: 99, ask0: 100, bid1: 101, ask1: 102, fee0: 0.002, fee1: -0.0001);
        var (net, _) = Sweepers.RunOk(impl, c, fixture.Host);
        Assert.Equal(81.01, net[c.Shape.PairIndex(0, 0, 1)], 9);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Untradeable_book_gives_no_edge_in_either_direction(Impl impl)
    {
        var c = ThreeVenues();
        c.Tradeable[c.Shape.QuoteIndex(0, 1)] = 0;
        var (net, gross) = Sweepers.RunOk(impl, c, fixture.Host);
        for (int other = 0; other < 3; other++)
        {
            Assert.Equal(NoEdge, net[c.Shape.PairIndex(0, 1, other)]);
            Assert.Equal(NoEdge, net[c.Shape.PairIndex(0, other, 1)]);
            Assert.Equal(NoEdge, gross[c.Shape.PairIndex(0, 1, other)]);
            Assert.Equal(NoEdge, gross[c.Shape.PairIndex(0, other, 1)]);
        }

        Assert.True(double.IsFinite(net[c.Shape.PairIndex(0, 0, 2)]));
        Assert.True(double.IsFinite(net[c.Shape.PairIndex(0, 2, 0)]));
        Assert.Equal(2, CountValid(net));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Bad_price_invalidates_only_its_side(Impl impl)
    {
        foreach (double bad in new[] { 0, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.9e-15, 1.1e15 })
        {
            // Venue 1's bid is bad: it can still be bought (its ask is fine) but not sold to.
            var c = ThreeVenues();
            c.Bid[c.Shape.QuoteIndex(0, 1)] = bad;
            var (net, gross) = Sweepers.RunOk(impl, c, fixture.Host);
            Assert.Equal(NoEdge, net[c.Shape.PairIndex(0, 0, 1)]);
            Assert.Equal(NoEdge, gross[c.Shape.PairIndex(0, 2, 1)]);
            Assert.True(double.IsFinite(net[c.Shape.PairIndex(0, 1, 0)]), $"bid {bad}");
            Assert.Equal(4, CountValid(net));

            // Venue 2's ask is bad: it can still be sold to but not bought.
            c = ThreeVenues();
            c.Ask[c.Shape.QuoteIndex(0, 2)] = bad;
            (net, gross) = Sweepers.RunOk(impl, c, fixture.Host);
            Assert.Equal(NoEdge, net[c.Shape.PairIndex(0, 2, 0)]);
            Assert.Equal(NoEdge, gross[c.Shape.PairIndex(0, 2, 1)]);
            Assert.True(double.IsFinite(gross[c.Shape.PairIndex(0, 0, 2)]), $"ask {bad}");
            Assert.Equal(4, CountValid(gross));
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Extreme_usable_prices_give_finite_edges(Impl impl)
    {
        // The usable range [1e-15, 1e15] with fees in (−1, 1) bounds every edge below 1e35 bps, which is
        // why no implementation tests results for overflow. Six venues so the SIMD twin vectorises.
        var c = new SweepCase(new EdgeSweepShape(1, 6), "extreme prices");
        double[] prices = [1e-15, 1e15, 1e-15, 1e15, 1, 1e-15];
        for (int v = 0; v < 6; v++)
        {
            c.Bid[v] = prices[v];
            c.Ask[v] = prices[5 - v];
            c.Tradeable[v] = 1;
            c.TakerFee[v] = v % 2 == 0 ? 0.999 : -0.999;
        }

        var (net, gross) = Sweepers.RunOk(impl, c, fixture.Host);
        for (int b = 0; b < 6; b++)
        {
            for (int s = 0; s < 6; s++)
            {
                int p = c.Shape.PairIndex(0, b, s);
                if (b == s)
                {
                    Assert.Equal(NoEdge, net[p]);
                    continue;
                }

                double a = c.Ask[b];
                double expectedNet = ((c.Bid[s] * (1 - c.TakerFee[s])) - (a * (1 + c.TakerFee[b]))) / a * 1e4;
                double expectedGross = (c.Bid[s] - a) / a * 1e4;
                Assert.True(double.IsFinite(net[p]) && double.IsFinite(gross[p]), $"{b}->{s}");
                Assert.Equal(expectedNet, net[p], Math.Max(1e-9, Math.Abs(expectedNet) * 1e-12));
                Assert.Equal(expectedGross, gross[p], Math.Max(1e-9, Math.Abs(expectedGross) * 1e-12));
            }
        }

        Assert.Contains(net, x => x > 1e34);
        Assert.Contains(net, x => x < -9_999);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Bad_arguments_return_a_status_and_clear_outputs(Impl impl)
    {
        var c = ThreeVenues();
        Expect(EdgeSweepStatus.InvalidShape, new EdgeSweepShape(-1, 3));
        Expect(EdgeSweepStatus.InvalidShape, new EdgeSweepShape(1, -3));
        Expect(EdgeSweepStatus.InvalidShape, new EdgeSweepShape(1, EdgeSweepLimits.MaxVenues + 1));
        Expect(EdgeSweepStatus.InvalidShape, new EdgeSweepShape(int.MaxValue / 2, 3));
        Expect(EdgeSweepStatus.InputTooShort, new EdgeSweepShape(2, 3));

        c.TakerFee[1] = double.NaN;
        Expect(EdgeSweepStatus.InvalidFee, c.Shape);
        c.TakerFee[1] = 1;
        Expect(EdgeSweepStatus.InvalidFee, c.Shape);
        c.TakerFee[1] = -1;
        Expect(EdgeSweepStatus.InvalidFee, c.Shape);
        c.TakerFee[1] = 0.001;

        var shortNet = new double[c.Shape.PairSlotCount - 1];
        var gross = new double[c.Shape.PairSlotCount];
        var status = Sweepers.Run(impl, c, shortNet, gross, fixture.Host);
        Assert.Equal(EdgeSweepStatus.OutputTooShort, status);
        Assert.All(shortNet, x => Assert.Equal(NoEdge, x));
        Assert.All(gross, x => Assert.Equal(NoEdge, x));

        void Expect(EdgeSweepStatus expected, EdgeSweepShape shape)
        {
            var (net, gross) = c.NewOutputs();
            var actual = Sweepers.Run(impl, c, net, gross, fixture.Host, shape);
            if (impl is Impl.HostSimd or Impl.IlgpuCpu && expected == EdgeSweepStatus.InvalidShape)
            {
                // The host checks its capacity first; an oversized shape is refused either way.
                Assert.True(actual is EdgeSweepStatus.InvalidShape or EdgeSweepStatus.ExceedsCapacity, $"{shape}: {actual}");
            }
            else
            {
                Assert.Equal(expected, actual);
            }

            Assert.All(net, x => Assert.Equal(NoEdge, x));
            Assert.All(gross, x => Assert.Equal(NoEdge, x));
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Empty_shapes_are_ok(Impl impl)
    {
        var c = new SweepCase(new EdgeSweepShape(0, 5), "empty");
        Assert.Equal(EdgeSweepStatus.Ok, Sweepers.Run(impl, c, [], [], fixture.Host));
        var oneVenue = new SweepCase(new EdgeSweepShape(3, 1), "one venue");
        var (net, _) = Sweepers.RunOk(impl, oneVenue, fixture.Host);
        Assert.All(net, x => Assert.Equal(NoEdge, x));
    }

    [Fact]
    public void Host_refuses_shapes_beyond_its_capacity()
    {
        using var host = new KernelHost(new EdgeSweepShape(10, 4), KernelBackendPreference.Simd);
        var c = SweepCase.Random(new EdgeSweepShape(11, 4), 7);
        var (net, gross) = c.NewOutputs();
        Assert.Equal(EdgeSweepStatus.ExceedsCapacity, host.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross));
        Assert.All(net, x => Assert.Equal(NoEdge, x));
        c = SweepCase.Random(new EdgeSweepShape(2, 5), 7);
        (net, gross) = c.NewOutputs();
        Assert.Equal(EdgeSweepStatus.ExceedsCapacity, host.Sweep(c.Shape, c.Bid, c.Ask, c.Tradeable, c.TakerFee, net, gross));
        Assert.Throws<ArgumentException>(() => new KernelHost(new EdgeSweepShape(1, EdgeSweepLimits.MaxVenues + 1)));
    }

    private static SweepCase TwoVenues(double bid0, double ask0, double bid1, double ask1, double fee0, double fee1)
    {
        var c = new SweepCase(new EdgeSweepShape(1, 2), "two venues");
        (c.Bid[0], c.Ask[0], c.Bid[1], c.Ask[1]) = (bid0, ask0, bid1, ask1);
        (c.TakerFee[0], c.TakerFee[1]) = (fee0, fee1);
        c.Tradeable.AsSpan().Fill(1);
        return c;
    }

    private static SweepCase ThreeVenues()
    {
        var c = new SweepCase(new EdgeSweepShape(1, 3), "three venues");
        for (int v = 0; v < 3; v++)
        {
            c.Bid[v] = 100 + v;
            c.Ask[v] = 100.5 + v;
            c.Tradeable[v] = 1;
            c.TakerFee[v] = 0.0005 * v;
        }

        return c;
    }

    private static int CountValid(double[] values)
    {
        int n = 0;
        foreach (double x in values)
        {
            n += x == NoEdge ? 0 : 1;
        }

        return n;
    }
}
