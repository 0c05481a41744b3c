using LowLatency.HotPath.Features;
using LowLatency.Ml.Data;
using LowLatency.Testing;

namespace LowLatency.Ml.Tests;

public sealed class DatasetTests
{
    [Fact]
    public void Every_shared_candle_format_loads_oldest_first_with_its_interval()
    {
        CandleSeries binanceUs = CandleSeries.Load(SharedData.File("market_history", "cross_venue_2023-03", "binanceus_BTCUSD_1m_2023-03-01_2023-03-21.csv.gz"));
        CandleSeries kraken = CandleSeries.Load(SharedData.File("market_history", "cross_venue_2023-03", "kraken_XBTUSD_5m_2023-03-01_2023-03-21.csv"));
        CandleSeries cdd = CandleSeries.Load(SharedData.File("market_history", "hourly_3venues_2017-2018", "kraken_BTCUSD_1h_2017-08-17_2018-04-30.csv"));
        CandleSeries gemini = CandleSeries.Load(SharedData.File("market_history", "hourly_3venues_2017-2018", "gemini_BTCUSD_1h_2017-08-17_2018-04-30.csv"));
        Assert.Equal(60_000_000_000, binanceUs.IntervalNs);
        Assert.Equal(300_000_000_000, kraken.IntervalNs);
        Assert.Equal(3_600_000_000_000, cdd.IntervalNs);
        Assert.Equal(3_600_000_000_000, gemini.IntervalNs);
        Assert.Equal("BTCUSD", kraken.Symbol);
        Assert.Equal("BTCUSD", binanceUs.Symbol);
        Assert.Equal(1_677_628_800L * 1_000_000_000, kraken.OpenTimeNs[0]); // 2023-03-01T00:00Z
        Assert.Equal(23_171.6, kraken.Close[0], 9);
        Assert.Equal(6047, kraken.Count);
        Assert.Equal(new DateTime(2017, 8, 17, 0, 0, 0, DateTimeKind.Utc), DateTime.UnixEpoch.AddTicks(gemini.OpenTimeNs[0] / 100));
        for (int i = 1; i < gemini.Count; i++)
        {
            Assert.True(gemini.OpenTimeNs[i] > gemini.OpenTimeNs[i - 1]);
        }
    }

    [Fact]
    public void A_bad_row_is_refused_naming_the_file_and_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kraken_XBTUSD_5m_{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, ["1677628800,1,1,1,23163.0,0.1,5", "1677629100,1,1,1,abc,0.1,5"]);
        var e = Assert.Throws<InvalidDataException>(() => CandleSeries.Load(path));
        Assert.Equal($"{Path.GetFileName(path)}:2: 'abc' is not a number", e.Message);
    }

    [Fact]
    public void Labels_look_at_the_candidate_at_t_plus_delta_net_of_every_cost()
    {
        FeatureDataset data = CandleDatasets.Build(
            [.. TrainingTests.CrossVenueFiles().Select(CandleSeries.Load)], new DatasetOptions { HorizonMs = 300_000, ExtraCostBps = 2, MinProfitBps = 0 });
        Assert.Equal(2, data.Streams.Count);
        StreamInfo s = data.Streams[0];
        int checkedRows = 0;
        for (int i = s.Start; i < s.Start + s.Count - 1; i++)
        {
            if (data.TimeNs(i + 1) - data.TimeNs(i) != 300_000_000_000)
            {
                continue;
            }

            Assert.Equal(data.TimeNs(i + 1), data.LabelTimeNs(i));
            Assert.Equal(data.NetEdgeBps(i + 1) - 2, data.RealisedBps(i), 9);
            Assert.Equal(data.RealisedBps(i) >= 0 ? 1 : 0, data.Label(i));
            checkedRows++;
        }

        Assert.True(checkedRows > 5_000);
        Assert.False(data.IsLabelled(s.Start + s.Count - 1)); // the last row has no future
        Assert.Equal(data.Row(s.Start)[FeatureIndex.NetEdgeBps], data.NetEdgeBps(s.Start), 3);
    }

    [Fact]
    public void Walk_forward_parts_are_in_time_order_and_no_label_crosses_into_a_later_part()
    {
        FeatureDataset data = CandleDatasets.Build([.. TrainingTests.CrossVenueFiles().Select(CandleSeries.Load)], new DatasetOptions { HorizonMs = 3_600_000 });
        var split = new WalkForward();
        SplitPart[] parts = split.Assign(data);
        for (int s = 0; s < data.Streams.Count; s++)
        {
            WalkForward.Boundaries b = split.BoundariesOf(data, s);
            StreamInfo info = data.Streams[s];
            int purged = 0;
            for (int i = info.Start; i < info.Start + info.Count; i++)
            {
                switch (parts[i])
                {
                    case SplitPart.Train:
                        Assert.True(data.LabelTimeNs(i) < b.ValidationStart);
                        break;
                    case SplitPart.Validation:
                        Assert.True(data.TimeNs(i) >= b.ValidationStart && data.LabelTimeNs(i) < b.TestStart);
                        break;
                    case SplitPart.Test:
                        Assert.True(data.TimeNs(i) >= b.TestStart);
                        break;
                    default:
                        purged += data.IsLabelled(i) ? 1 : 0;
                        break;
                }
            }

            Assert.InRange(purged, 2 * 11, 2 * 13); // a 1 h horizon on 5-minute rows purges ~12 rows before each boundary
        }
    }
}

public sealed class GasSeriesTests
{
    [Fact]
    public void The_real_gas_series_feeds_the_gas_features_with_no_look_ahead()
    {
        GasSeries gas = GasSeries.Load(SharedData.File("onchain", "gas", "gas_price_minute_2023-08-14_to_2023-08-16.csv"));
        Assert.Equal(4320, gas.Count);
        Assert.True(double.IsNaN(gas.At(gas.FirstNs - 1)));
        Assert.Equal(53.089213505000004, gas.At(gas.FirstNs + 59_999_999_999L), 12); // the 00:00 price until 00:01
        var builder = new FeatureBuilder(new FeatureOptions());
        FeatureFrame frame = default;
        double ewma = double.NaN;
        for (long t = gas.FirstNs; t < gas.FirstNs + (120L * 60_000_000_000); t += 60_000_000_000)
        {
            double g = gas.At(t);
            ewma = double.IsNaN(ewma) ? g : ewma + (2.0 / 33 * (g - ewma));
            var o = new MarketObservation { TimeNs = t, BuyBid = 100, BuyAsk = 100, SellBid = 100, SellAsk = 100, Tradeable = true, GasPriceGwei = g, Attempts = -1 };
            builder.Update(in o, ref frame);
            Assert.Equal(1f, frame[FeatureIndex.GasAvailable]);
            Assert.Equal((float)((g / ewma) - 1), frame[FeatureIndex.GasTrend], 5);
        }
    }
}
