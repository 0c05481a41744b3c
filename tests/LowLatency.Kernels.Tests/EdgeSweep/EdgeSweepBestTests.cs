using LowLatency.Kernels.EdgeSweep;

namespace LowLatency.Kernels.Tests.EdgeSweep;

public sealed class EdgeSweepBestTests
{
    [Fact]
    public void Picks_the_highest_net_edge_per_instrument()
    {
        var c = SweepCase.Random(new EdgeSweepShape(200, 6), 61);
        for (int v = 0; v < 6; v++)
        {
            c.Tradeable[c.Shape.QuoteIndex(17, v)] = 0; // instrument 17 has no usable book
        }

        var (net, _) = Sweepers.RunOk(Impl.Simd, c);
        var slot = new int[200];
        var best = new double[200];
        Assert.Equal(EdgeSweepStatus.Ok, EdgeSweepBest.Reduce(c.Shape, net, slot, best));
        for (int i = 0; i < 200; i++)
        {
            int block = c.Shape.PairIndex(i, 0, 0);
            double max = EdgeSweepLimits.NoEdge;
            for (int p = block; p < block + 36; p++)
            {
                max = Math.Max(max, net[p]);
            }

            Assert.Equal(max, best[i]);
            if (max == EdgeSweepLimits.NoEdge)
            {
                Assert.Equal(-1, slot[i]);
            }
            else
            {
                Assert.Equal(max, net[slot[i]]);
                Assert.Equal(net.AsSpan(block, 36).IndexOf(max) + block, slot[i]);
            }
        }

        Assert.Equal(-1, slot[17]);
        Assert.Contains(best, x => x > 0);
    }

    [Fact]
    public void Rejects_short_spans()
    {
        var shape = new EdgeSweepShape(3, 4);
        Assert.Equal(EdgeSweepStatus.InputTooShort, EdgeSweepBest.Reduce(shape, new double[47], new int[3], new double[3]));
        Assert.Equal(EdgeSweepStatus.OutputTooShort, EdgeSweepBest.Reduce(shape, new double[48], new int[2], new double[3]));
        Assert.Equal(EdgeSweepStatus.InvalidShape, EdgeSweepBest.Reduce(new EdgeSweepShape(-1, 4), new double[48], new int[3], new double[3]));
    }
}
