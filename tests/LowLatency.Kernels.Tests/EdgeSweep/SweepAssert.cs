using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

internal static class SweepAssert
{
    /// <summary>1e-9 relative, and 1e-9 bps absolute for edges near zero.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>Same validity slot by slot, and values within <see cref="Tolerance"/>; returns the valid count.</summary>
    public static int Parity(SweepCase c, double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int valid = 0;
        for (int p = 0; p < expected.Length; p++)
        {
            double e = expected[p];
            double a = actual[p];
            bool eValid = e != EdgeSweepLimits.NoEdge;
            bool aValid = a != EdgeSweepLimits.NoEdge;
            if (eValid != aValid || (eValid && !double.IsFinite(a)))
            {
                Assert.Fail($"{c} {what}: slot {Describe(c.Shape, p)} expected {e} got {a}");
            }

            if (eValid)
            {
                valid++;
                double scale = Math.Max(1, Math.Max(Math.Abs(e), Math.Abs(a)));
                if (Math.Abs(e - a) > Tolerance * scale)
                {
                    Assert.Fail($"{c} {what}: slot {Describe(c.Shape, p)} expected {e:R} got {a:R}");
                }
            }
        }

        return valid;
    }

    public static string Describe(EdgeSweepShape shape, int p)
    {
        int v = shape.VenueCount;
        return $"{p} (instrument {p / (v * v)}, buy {(p / v) % v}, sell {p % v})";
    }
}
