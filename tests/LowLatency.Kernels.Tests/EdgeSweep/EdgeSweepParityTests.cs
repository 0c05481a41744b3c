using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

/// <summary>The SIMD twin and the host agree with the scalar reference on random and recorded markets.</summary>
public sealed class EdgeSweepParityTests
{
    // Venue counts below, at and above the vector width, non-multiples of it, and the maximum.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 2, 1 },
        { 3, 2, 2 },
        { 7, 3, 3 },
        { 13, 4, 4 },
        { 11, 5, 5 },
        { 500, 5, 6 },
        { 50, 7, 7 },
        { 33, 8, 8 },
        { 5, 9, 9 },
        { 4, 17, 10 },
        { 2, EdgeSweepLimits.MaxVenues, 11 },
        { 0, 5, 12 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Simd_matches_reference_on_random_markets(int instruments, int venues, int seed)
    {
        var c = SweepCase.Random(new EdgeSweepShape(instruments, venues), seed);
        var (refNet, refGross) = Sweepers.RunOk(Impl.Reference, c);
        var (net, gross) = Sweepers.RunOk(Impl.Simd, c);
        int valid = SweepAssert.Parity(c, refNet, net, "net");
        Assert.Equal(valid, SweepAssert.Parity(c, refGross, gross, "gross"));
        Assert.Equal(CountValidPairs(c), valid);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Host_matches_reference_on_random_markets(int instruments, int venues, int seed)
    {
        var c = SweepCase.Random(new EdgeSweepShape(instruments, venues), seed);
        var (refNet, refGross) = Sweepers.RunOk(Impl.Reference, c);
        var (net, gross) = Sweepers.RunOk(Impl.HostSimd, c);
        SweepAssert.Parity(c, refNet, net, "net");
        SweepAssert.Parity(c, refGross, gross, "gross");
    }

    [Fact]
    public void Random_markets_exercise_every_branch()
    {
        // Guards the generator: the parity tests above only mean something if the inputs mix valid
        // pairs, positive net edges and every kind of invalid quote.
        var c = SweepCase.Random(new EdgeSweepShape(500, 5), 6);
        var (net, _) = Sweepers.RunOk(Impl.Reference, c);
        int positive = 0;
        foreach (double x in net)
        {
            positive += x > 0 ? 1 : 0;
        }

        int valid = CountValidPairs(c);
        Assert.InRange(valid, c.Shape.PairCount / 2, c.Shape.PairCount - 1);
        Assert.InRange(positive, 10, valid - 1);
        Assert.Contains((byte)0, c.Tradeable);
        Assert.Contains(c.Bid, double.IsNaN);
        Assert.Contains(c.Ask, x => x <= 0);
        Assert.Contains(c.Bid, double.IsPositiveInfinity);
        Assert.Contains(c.Ask, x => x > 1e15 && double.IsFinite(x));
    }

    [Fact]
    public void Simd_matches_reference_on_recorded_binance_quotes()
    {
        var c = RecordedQuotes.Load(5, [0.001, 0.00075, 0.0004, 0.0002, 0]);
        Assert.True(c.Shape.InstrumentCount >= 8, $"only {c.Shape.InstrumentCount} symbols in the recordings");
        var (refNet, refGross) = Sweepers.RunOk(Impl.Reference, c);
        var (net, gross) = Sweepers.RunOk(Impl.Simd, c);
        int valid = SweepAssert.Parity(c, refNet, net, "net");
        SweepAssert.Parity(c, refGross, gross, "gross");

        // Some symbols are never (or rarely) quoted, so some books are missing; the rest produce real edges.
        Assert.Equal(CountValidPairs(c), valid);
        Assert.InRange(valid, 1, c.Shape.PairCount - 1);
        Assert.Contains(refGross, x => x > 0);
    }

    /// <summary>Independent count: ordered distinct pairs whose buy ask and sell bid are usable.</summary>
    internal static int CountValidPairs(SweepCase c)
    {
        var shape = c.Shape;
        int n = 0;
        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            for (int b = 0; b < shape.VenueCount; b++)
            {
                for (int s = 0; s < shape.VenueCount; s++)
                {
                    int qb = shape.QuoteIndex(i, b);
                    int qs = shape.QuoteIndex(i, s);
                    bool buyOk = c.Tradeable[qb] != 0 && c.Ask[qb] >= 1e-15 && c.Ask[qb] <= 1e15;
                    bool sellOk = c.Tradeable[qs] != 0 && c.Bid[qs] >= 1e-15 && c.Bid[qs] <= 1e15;
                    n += b != s && buyOk && sellOk ? 1 : 0;
                }
            }
        }

        return n;
    }
}
