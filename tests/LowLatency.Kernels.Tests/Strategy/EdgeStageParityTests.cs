using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;
using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.Strategy;

/// <summary>Binds the strategy's incremental edge maths (EdgeMath via EdgeStage) to the kernels' scalar reference.</summary>
public sealed class EdgeStageParityTests
{
    private struct CountingSink : IOpportunitySink
    {
        public int Count;

        public void OnOpportunity(in Opportunity opportunity) => Count++;
    }

    [Fact]
    public void Incremental_edges_equal_the_reference_sweep_and_the_kernel_host_sweep()
    {
        const int instruments = 40;
        const int venues = 5;
        var random = new Random(2024);
        double[] fees = [0.001, 0.0005, 0.002, 0.0, 0.0026];
        int[] decimals = Enumerable.Repeat(4, instruments).ToArray();
        var incremental = new EdgeStage(instruments, venues, decimals, fees, thresholdBps: 3);
        var swept = new EdgeStage(instruments, venues, decimals, fees, thresholdBps: 3);
        var shape = new EdgeSweepShape(instruments, venues);
        using var host = new KernelHost(shape, KernelBackendPreference.Auto);
        var bid = new double[shape.QuoteCount];
        var ask = new double[shape.QuoteCount];
        var tradeable = new byte[shape.QuoteCount];
        var referenceNet = new double[shape.PairSlotCount];
        var referenceGross = new double[shape.PairSlotCount];
        var a = new CountingSink();
        var b = new CountingSink();

        for (int round = 0; round < 300; round++)
        {
            for (int k = 0; k < 25; k++)
            {
                int i = random.Next(instruments);
                int v = random.Next(venues);
                long mid = 1_000_000 + random.Next(-900, 900);
                long bidRaw = random.Next(20) == 0 ? 0 : mid - random.Next(1, 50);
                long askRaw = mid + random.Next(1, 50);
                bool ok = random.Next(8) != 0;
                var bidLevel = new BookLevel(new Price(bidRaw), new Quantity(1));
                var askLevel = new BookLevel(new Price(askRaw), new Quantity(1));
                incremental.UpdateQuote(new InstrumentId((ushort)i), new VenueId((byte)v), bidLevel, askLevel, ok, 0, 0);
                swept.UpdateQuote(new InstrumentId((ushort)i), new VenueId((byte)v), bidLevel, askLevel, ok, 0, 0);
                int q = shape.QuoteIndex(i, v);
                bid[q] = FixedPoint.ToDouble(bidRaw, 4);
                ask[q] = FixedPoint.ToDouble(askRaw, 4);
                tradeable[q] = (byte)(ok && bidRaw > 0 ? 1 : 0);
            }

            incremental.EvaluateTouched(ref a, 0);
            swept.EvaluateAll(host, ref b, 0);
            Assert.Equal(EdgeSweepStatus.Ok, EdgeSweepReference.Sweep(shape, bid, ask, tradeable, fees, referenceNet, referenceGross));

            for (int p = 0; p < referenceNet.Length; p++)
            {
                Assert.Equal(referenceNet[p], swept.NetBps[p], 9);
            }

            Assert.Equal(a.Count, b.Count);
        }

        // Every instrument has been touched by now, so the incremental stage holds every pair too.
        for (int p = 0; p < referenceNet.Length; p++)
        {
            Assert.Equal(referenceNet[p], incremental.NetBps[p], 9);
        }

        Assert.True(a.Count > 50, $"the random market should produce opportunities ({a.Count})");
    }
}
