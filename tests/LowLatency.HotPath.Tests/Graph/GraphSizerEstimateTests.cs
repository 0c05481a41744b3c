using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Graph;

/// <summary>The size search runs on <see cref="PathQuote.Estimate"/> and refines on the exact quotes.</summary>
public sealed class GraphSizerEstimateTests
{
    private static (GraphWorld World, OpportunityPath Path) DexDex(V3Pool pool)
    {
        var w = new GraphWorld();
        int a = w.Graph.AddNode(GraphWorld.A, GraphLocationKind.Chain, 0);
        int b = w.Graph.AddNode(GraphWorld.B, GraphLocationKind.Chain, 0);
        int pair = w.Graph.AddV2Pool(a, b, 30);
        int v3 = w.Graph.AddV3Pool(a, b, pool);
        w.Graph.Freeze();
        w.PriceAssets();
        w.Graph.UpdateV2Reserves(pair, GraphWorld.Tokens(1_000), GraphWorld.Tokens(1_010));
        w.Graph.OnV3Changed(v3);
        OpportunityPath path = default;
        path.TryAdd(0); // A → B on the pair, where B is cheap
        path.TryAdd(3); // B → A on the V3 pool
        return (w, path);
    }

    [Fact]
    public void Within_one_tick_range_the_estimate_is_the_exact_quote()
    {
        (GraphWorld w, OpportunityPath path) = DexDex(GraphWorld.PoolAtOne());
        foreach (double x in new[] { 0.001, 0.1, 1, 5, 20 })
        {
            double exact = PathQuote.Quote(w.Graph, path, x);
            Assert.True(exact > 0);
            Assert.Equal(exact, PathQuote.Estimate(w.Graph, path, x), exact * 1e-9);
        }
    }

    [Fact]
    public void When_the_swap_leaves_a_thin_range_the_estimate_is_off_and_the_size_is_still_the_exact_optimum()
    {
        // Thin liquidity in the current range, deep from 0.2 % on: the estimate (the current range going on) sees a
        // huge price impact and puts the optimum far too low; the exact quotes cross into the deep range.
        var pool = new V3Pool(500, 10);
        Assert.Equal(V3Status.Ok, pool.Initialize(FullMath.Q96));
        Assert.Equal(V3Status.Ok, pool.Mint(-20, 20, (UInt128)GraphWorld.E18 * 10, out _, out _));
        Assert.Equal(V3Status.Ok, pool.Mint(20, 6_000, (UInt128)GraphWorld.E18 * 1_000_000, out _, out _));
        Assert.Equal(V3Status.Ok, pool.Mint(-6_000, -20, (UInt128)GraphWorld.E18 * 1_000_000, out _, out _));
        (GraphWorld w, OpportunityPath path) = DexDex(pool);
        double size = GraphSizer.OptimalSize(w.Graph, path, 1_000, 0.0005, 48, out double output);
        double Profit(double x) => PathQuote.Quote(w.Graph, path, x) - (x * 1.0005);
        Assert.True(size > 0, "a size was found");
        OpportunityPath estimateSays = path;
        Assert.True(size > 10 * EstimatedOptimum(w, estimateSays), "the estimate alone would have sized it far too small");
        Assert.Equal(Profit(size), output - (size * 1.0005), 12);
        foreach (double f in new[] { 0.5, 0.9, 0.99, 1.01, 1.1, 2 })
        {
            Assert.True(Profit(size) >= Profit(size * f), $"profit at {f}x the size is higher");
        }
    }

    /// <summary>Where the estimate alone puts the optimum (a plain scan of its profit).</summary>
    private static double EstimatedOptimum(GraphWorld w, in OpportunityPath path)
    {
        double best = 0;
        double bestProfit = 0;
        for (double x = 1e-4; x < 1_000; x *= 1.05)
        {
            double profit = PathQuote.Estimate(w.Graph, path, x) - (x * 1.0005);
            if (profit > bestProfit)
            {
                best = x;
                bestProfit = profit;
            }
        }

        return best;
    }

    [Fact]
    public void Sizing_allocates_nothing()
    {
        (GraphWorld w, OpportunityPath path) = DexDex(GraphWorld.PoolAtOne());
        GraphSizer.OptimalSize(w.Graph, path, 1_000, 0.0005, 48, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            GraphSizer.OptimalSize(w.Graph, path, 1_000, 0.0005, 48, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
