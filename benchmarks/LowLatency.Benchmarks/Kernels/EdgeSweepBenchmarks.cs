using BenchmarkDotNet.Attributes;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Benchmarks.Kernels;

/// <summary>
/// One full cross-venue edge sweep: 500 instruments × 5 venues = 10,000 ordered venue pairs
/// (12,500 output slots with the diagonal), net and gross bps. Baseline: the scalar reference.
/// Budgets: budgets/kernels.json.
/// </summary>
[MemoryDiagnoser]
public class EdgeSweepBenchmarks
{
    private static readonly EdgeSweepShape s_shape = new(500, 5);
    private readonly double[] _bid = new double[s_shape.QuoteCount];
    private readonly double[] _ask = new double[s_shape.QuoteCount];
    private readonly byte[] _tradeable = new byte[s_shape.QuoteCount];
    private readonly double[] _takerFee = [0.001, 0.00075, 0.0004, 0.0002, 0.0005];
    private readonly double[] _netBps = new double[s_shape.PairSlotCount];
    private readonly double[] _grossBps = new double[s_shape.PairSlotCount];

    [GlobalSetup]
    public void Setup()
    {
        // Seeded market: mids over six orders of magnitude, ±20 bps venue skew, ~5 % books not tradeable.
        var rng = new Random(20_241_124);
        for (int i = 0; i < s_shape.InstrumentCount; i++)
        {
            double mid = Math.Pow(10, -2 + (6 * rng.NextDouble()));
            for (int v = 0; v < s_shape.VenueCount; v++)
            {
                int q = s_shape.QuoteIndex(i, v);
                double venueMid = mid * (1 + (0.004 * (rng.NextDouble() - 0.5)));
                double halfSpread = venueMid * 0.0005 * rng.NextDouble();
                _bid[q] = venueMid - halfSpread;
                _ask[q] = venueMid + halfSpread;
                _tradeable[q] = rng.NextDouble() < 0.05 ? (byte)0 : (byte)1;
            }
        }

        if (Scalar() != EdgeSweepStatus.Ok || Simd() != EdgeSweepStatus.Ok)
        {
            throw new InvalidOperationException("Benchmark inputs were rejected.");
        }
    }

    [Benchmark(Baseline = true)]
    public EdgeSweepStatus Scalar() =>
        EdgeSweepReference.Sweep(s_shape, _bid, _ask, _tradeable, _takerFee, _netBps, _grossBps);

    [Benchmark]
    public EdgeSweepStatus Simd() =>
        EdgeSweepSimd.Sweep(s_shape, _bid, _ask, _tradeable, _takerFee, _netBps, _grossBps);
}
