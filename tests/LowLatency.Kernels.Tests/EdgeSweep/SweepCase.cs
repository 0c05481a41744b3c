using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

/// <summary>One sweep's inputs plus output buffers; outputs start as a poison value so unwritten slots show.</summary>
internal sealed class SweepCase
{
    public const double Poison = 123456.789;

    public SweepCase(EdgeSweepShape shape, string name)
    {
        Shape = shape;
        Name = name;
        Bid = new double[shape.QuoteCount];
        Ask = new double[shape.QuoteCount];
        Tradeable = new byte[shape.QuoteCount];
        TakerFee = new double[shape.VenueCount];
    }

    public EdgeSweepShape Shape { get; }

    public string Name { get; }

    public double[] Bid { get; }

    public double[] Ask { get; }

    public byte[] Tradeable { get; }

    public double[] TakerFee { get; }

    public (double[] Net, double[] Gross) NewOutputs()
    {
        var net = new double[Shape.PairSlotCount];
        var gross = new double[Shape.PairSlotCount];
        Array.Fill(net, Poison);
        Array.Fill(gross, Poison);
        return (net, gross);
    }

    public override string ToString() => $"{Name} {Shape}";

    /// <summary>
    /// Seeded random market: per-instrument mid over six orders of magnitude, per-venue skew so that
    /// real edges appear, and every kind of bad quote (flag off; zero, negative, NaN, infinite or out-of-range prices).
    /// </summary>
    public static SweepCase Random(EdgeSweepShape shape, int seed)
    {
        var c = new SweepCase(shape, $"random#{seed}");
        var rng = new Random(seed);
        for (int v = 0; v < shape.VenueCount; v++)
        {
            // Mostly 0-30 bps, some rebates.
            c.TakerFee[v] = rng.NextDouble() < 0.15 ? -0.0001 * rng.NextDouble() : 0.003 * rng.NextDouble();
        }

        for (int i = 0; i < shape.InstrumentCount; i++)
        {
            double mid = Math.Pow(10, -2 + (6 * rng.NextDouble()));
            for (int v = 0; v < shape.VenueCount; v++)
            {
                int q = shape.QuoteIndex(i, v);
                double skew = 1 + (0.004 * (rng.NextDouble() - 0.5));
                double halfSpread = mid * 0.0005 * rng.NextDouble();
                c.Bid[q] = (mid * skew) - halfSpread;
                c.Ask[q] = (mid * skew) + halfSpread;
                c.Tradeable[q] = rng.NextDouble() < 0.1 ? (byte)0 : (byte)(1 + rng.Next(255));
                double r = rng.NextDouble();
                if (r < 0.1)
                {
                    ref double side = ref (rng.Next(2) == 0 ? ref c.Bid[q] : ref c.Ask[q]);
                    side = (r * 10) switch
                    {
                        < 0.2 => 0,
                        < 0.4 => -side,
                        < 0.55 => double.NaN,
                        < 0.65 => double.PositiveInfinity,
                        < 0.7 => double.NegativeInfinity,
                        < 0.85 => 1e16 * (1 + r),     // beyond the usable range
                        _ => 1e-16 * (1 + r),
                    };
                }
            }
        }

        return c;
    }
}
