using LowLatency.HotPath.Features;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Tests.Features;

public sealed class FeatureBuilderTests
{
    private static readonly FeatureOptions s_options = new() { OpportunityThresholdBps = 0, LatencyMs = 100, NotionalQuote = 1_000 };

    /// <summary>A random walk on two venues, one observation a minute, with depth, gas and execution reports.</summary>
    internal static MarketObservation[] Series(int count, int seed)
    {
        var random = new Random(seed);
        var series = new MarketObservation[count];
        double price = 20_000;
        double gas = 30;
        long t = 1_678_000_000L * 1_000_000_000;
        for (int i = 0; i < count; i++)
        {
            price *= Math.Exp((random.NextDouble() - 0.5) * 0.004);
            gas = Math.Max(1, gas + ((random.NextDouble() - 0.5) * 4));
            double skew = (random.NextDouble() - 0.5) * 0.003;
            t += 60_000_000_000L + random.Next(0, 1_000_000);
            series[i] = new MarketObservation
            {
                TimeNs = t,
                BuyBid = price - 1,
                BuyAsk = price + 1,
                SellBid = (price * (1 + skew)) - 1,
                SellAsk = (price * (1 + skew)) + 1,
                BuyFee = 0.001,
                SellFee = 0.0026,
                HasDepth = true,
                BuySlippageBps = random.NextDouble(),
                SellSlippageBps = random.NextDouble(),
                BuyDepthAtSize = random.NextDouble() * 5,
                SellDepthAtSize = random.NextDouble() * 5,
                BuyQuoteTimeNs = t - random.Next(0, 5_000_000),
                SellQuoteTimeNs = t - random.Next(0, 5_000_000),
                BuyErrors = i / 50,
                SellErrors = 0,
                Tradeable = true,
                GasPriceGwei = gas,
                Attempts = i % 3,
                Fills = i % 3 == 2 ? 1 : 0,
            };
        }

        return series;
    }

    private static float[][] Frames(ReadOnlySpan<MarketObservation> series)
    {
        var builder = new FeatureBuilder(s_options);
        var frames = new float[series.Length][];
        FeatureFrame frame = default;
        for (int i = 0; i < series.Length; i++)
        {
            builder.Update(in series[i], ref frame);
            frames[i] = ((ReadOnlySpan<float>)frame).ToArray();
        }

        return frames;
    }

    [Fact]
    public void The_schema_names_32_distinct_features()
    {
        Assert.Equal(32, FeatureIndex.Count);
        Assert.Equal(FeatureIndex.Count, FeatureIndex.Names.Length);
        Assert.Equal(FeatureIndex.Count, new HashSet<string>(FeatureIndex.Names.ToArray()).Count);
    }

    [Fact]
    public void Edges_fees_spreads_and_flags_are_what_the_observation_says()
    {
        MarketObservation o = Series(1, seed: 1)[0];
        var builder = new FeatureBuilder(s_options);
        FeatureFrame f = default;
        builder.Update(in o, ref f);
        Assert.Equal((float)EdgeMath.NetBps(o.BuyAsk, o.SellBid, o.BuyFee, o.SellFee), f[FeatureIndex.NetEdgeBps]);
        Assert.Equal((float)EdgeMath.GrossBps(o.BuyAsk, o.SellBid), f[FeatureIndex.GrossEdgeBps]);
        Assert.Equal(10f, f[FeatureIndex.BuyFeeBps], 4);
        Assert.Equal(26f, f[FeatureIndex.SellFeeBps], 4);
        Assert.Equal((float)((o.BuyAsk - o.BuyBid) / ((o.BuyAsk + o.BuyBid) / 2) * 10_000), f[FeatureIndex.BuySpreadBps], 3);
        Assert.Equal(1f, f[FeatureIndex.DepthAvailable]);
        Assert.Equal((float)Math.Log(1 + o.BuyDepthAtSize), f[FeatureIndex.BuyDepthAtSize], 5);
        Assert.Equal(1f, f[FeatureIndex.Tradeable]);
        Assert.Equal(1f, f[FeatureIndex.GasAvailable]);
        Assert.Equal(0f, f[FeatureIndex.GasTrend]); // first gas value is its own average
        Assert.Equal(1f, f[FeatureIndex.FillsAvailable]);
        double day = (o.TimeNs % (86_400L * 1_000_000_000)) / (86_400d * 1_000_000_000);
        Assert.Equal((float)Math.Sin(2 * Math.PI * day), f[FeatureIndex.TimeOfDaySin], 5);
    }

    [Fact]
    public void Returns_and_volatility_match_a_direct_computation_over_the_window()
    {
        MarketObservation[] series = Series(200, seed: 2);
        float[][] frames = Frames(series);
        double[] logMid = series.Select(o => Math.Log(0.5 * (((o.BuyBid + o.BuyAsk) / 2) + ((o.SellBid + o.SellAsk) / 2)))).ToArray();
        for (int i = 70; i < 200; i += 13)
        {
            Assert.Equal((logMid[i] - logMid[i - 1]) * 10_000, frames[i][FeatureIndex.Return1], 2);
            Assert.Equal((logMid[i] - logMid[i - 16]) * 10_000, frames[i][FeatureIndex.Return16], 2);
            double[] returns = Enumerable.Range(i - 62, 63).Select(k => logMid[k] - logMid[k - 1]).ToArray();
            double mean = returns.Average();
            double sd = Math.Sqrt(returns.Select(r => (r - mean) * (r - mean)).Average()) * 10_000;
            Assert.Equal(sd, frames[i][FeatureIndex.Volatility64], 2);
            double[] nets = Enumerable.Range(i - 15, 16).Select(k => EdgeMath.NetBps(series[k].BuyAsk, series[k].SellBid, 0.001, 0.0026)).ToArray();
            Assert.Equal(nets.Average(), frames[i][FeatureIndex.NetEdgeMean16], 2);
            double rate = Enumerable.Range(i - 63, 64).Count(k => EdgeMath.NetBps(series[k].BuyAsk, series[k].SellBid, 0.001, 0.0026) >= 0) / 64d;
            Assert.Equal(rate, frames[i][FeatureIndex.OpportunityRate64], 5);
        }
    }

    [Fact]
    public void Changing_the_future_of_a_series_moves_no_feature_of_the_past()
    {
        MarketObservation[] series = Series(300, seed: 3);
        float[][] original = Frames(series);
        const int cut = 150;
        var random = new Random(99);
        MarketObservation[] changed = (MarketObservation[])series.Clone();
        for (int i = cut + 1; i < changed.Length; i++)
        {
            changed[i].BuyAsk *= 1 + (random.NextDouble() * 0.05);
            changed[i].SellBid *= 1 - (random.NextDouble() * 0.05);
            changed[i].GasPriceGwei *= 3;
            changed[i].BuyErrors += 100;
            changed[i].Fills = changed[i].Attempts;
        }

        float[][] after = Frames(changed);
        for (int i = 0; i <= cut; i++)
        {
            Assert.Equal(original[i], after[i]);
        }

        Assert.NotEqual(original[cut + 1], after[cut + 1]); // the change is visible from where it starts
    }

    [Fact]
    public void An_unusable_price_gives_zero_edges_and_no_trade_and_leaves_the_price_history_alone()
    {
        MarketObservation[] series = Series(40, seed: 4);
        float[][] clean = Frames(series);
        MarketObservation[] withBad = [.. series[..20], series[20] with { BuyAsk = double.NaN }, .. series[20..]];
        float[][] frames = Frames(withBad);
        Assert.Equal(0f, frames[20][FeatureIndex.NetEdgeBps]);
        Assert.Equal(0f, frames[20][FeatureIndex.Tradeable]);
        Assert.Equal(clean[25][FeatureIndex.Return16], frames[26][FeatureIndex.Return16]);
        Assert.Equal(clean[25][FeatureIndex.Volatility16], frames[26][FeatureIndex.Volatility16]);
    }

    [Fact]
    public void Missing_sources_are_zero_with_their_flag_off()
    {
        MarketObservation o = Series(1, seed: 5)[0] with { GasPriceGwei = double.NaN, Attempts = -1, HasDepth = false, BuySlippageBps = 5 };
        var builder = new FeatureBuilder(s_options);
        FeatureFrame f = default;
        builder.Update(in o, ref f);
        Assert.Equal(0f, f[FeatureIndex.GasAvailable]);
        Assert.Equal(0f, f[FeatureIndex.GasTrend]);
        Assert.Equal(0f, f[FeatureIndex.FillsAvailable]);
        Assert.Equal(0f, f[FeatureIndex.FillRate]);
        Assert.Equal(0f, f[FeatureIndex.DepthAvailable]);
        Assert.Equal(0f, f[FeatureIndex.BuySlippageBps]);
    }

    [Fact]
    public void Every_value_is_finite_on_hostile_input()
    {
        var builder = new FeatureBuilder(s_options);
        FeatureFrame f = default;
        double[] hostile = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1, 0, 1e300, double.Epsilon];
        foreach (double x in hostile)
        {
            var o = new MarketObservation
            {
                TimeNs = -5, BuyBid = x, BuyAsk = x, SellBid = x, SellAsk = x, BuyFee = 0.001, SellFee = 0.001, HasDepth = true,
                BuySlippageBps = x, SellSlippageBps = x, BuyDepthAtSize = x, SellDepthAtSize = x, GasPriceGwei = x, GasCostBps = x,
                BuyErrors = -3, Attempts = 2, Fills = 5,
            };
            builder.Update(in o, ref f);
            foreach (float v in (ReadOnlySpan<float>)f)
            {
                Assert.True(float.IsFinite(v), $"input {x}: {string.Join(",", ((ReadOnlySpan<float>)f).ToArray())}");
            }
        }
    }

    [Fact]
    public void Update_allocates_nothing()
    {
        MarketObservation[] series = Series(2_000, seed: 6);
        var builder = new FeatureBuilder(s_options);
        FeatureFrame f = default;
        for (int i = 0; i < 200; i++)
        {
            builder.Update(in series[i], ref f);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 200; i < series.Length; i++)
        {
            builder.Update(in series[i], ref f);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(series.Length, builder.Steps);
    }
}
