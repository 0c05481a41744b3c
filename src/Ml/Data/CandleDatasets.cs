using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Data;

/// <summary>
/// Rows from candle files: the files are grouped by folder (one data set, one period) and canonical symbol; every ordered pair of venues quoting the same
/// symbol is a candidate (buy at one close, sell at the other); the series are aligned on the coarsest candle length
/// (Binance.US 1m → 5m beside Kraken 5m) and only instants where both venues have a candle make rows. Candles have no
/// bid/ask or depth: spreads, slippage and depth are 0 with their flags off. Cold path.
/// </summary>
public static class CandleDatasets
{
    public static FeatureDataset Build(IReadOnlyList<CandleSeries> series, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        var dataset = new FeatureDataset();
        AddTo(dataset, series, options);
        return dataset;
    }

    public static void AddTo(FeatureDataset dataset, IReadOnlyList<CandleSeries> series, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        foreach (IGrouping<(string Folder, string Symbol), CandleSeries> group in series.GroupBy(s => (s.Folder, s.Symbol)).OrderBy(g => g.Key.Folder, StringComparer.Ordinal).ThenBy(g => g.Key.Symbol, StringComparer.Ordinal))
        {
            CandleSeries[] legs = [.. group.OrderBy(s => s.Venue, StringComparer.Ordinal)];
            long interval = legs.Max(s => s.IntervalNs);
            SortedDictionary<long, double>[] closes = [.. legs.Select(s => s.Resample(interval))];
            for (int b = 0; b < legs.Length; b++)
            {
                for (int s = 0; s < legs.Length; s++)
                {
                    if (b == s || legs[b].Venue == legs[s].Venue)
                    {
                        continue;
                    }

                    AddPair(dataset, legs[b], closes[b], legs[s], closes[s], interval, options);
                }
            }
        }
    }

    private static void AddPair(FeatureDataset dataset, CandleSeries buy, SortedDictionary<long, double> buyCloses, CandleSeries sell,
        SortedDictionary<long, double> sellCloses, long interval, DatasetOptions options)
    {
        int overlap = buyCloses.Keys.Count(sellCloses.ContainsKey);
        if (overlap < 2)
        {
            return; // the two series never meet (other years): no candidate
        }

        dataset.BeginStream($"{buy.Source}+{sell.Source}", $"buy {buy.Venue} sell {sell.Venue} {buy.Symbol}");
        var builder = new FeatureBuilder(options.Features);
        FeatureFrame frame = default;
        double buyFee = options.FeeOf(buy.Venue);
        double sellFee = options.FeeOf(sell.Venue);
        foreach ((long bucket, double buyClose) in buyCloses)
        {
            if (!sellCloses.TryGetValue(bucket, out double sellClose))
            {
                continue;
            }

            long t = bucket + interval; // known when the candle closes
            var o = new MarketObservation
            {
                TimeNs = t,
                BuyBid = buyClose,
                BuyAsk = buyClose,
                SellBid = sellClose,
                SellAsk = sellClose,
                BuyFee = buyFee,
                SellFee = sellFee,
                BuyQuoteTimeNs = t,
                SellQuoteTimeNs = t,
                Tradeable = true,
                GasPriceGwei = double.NaN,
                Attempts = -1,
            };
            builder.Update(in o, ref frame);
            dataset.Add(in frame, t, frame[FeatureIndex.NetEdgeBps]);
        }

        dataset.LabelStream(options);
    }
}
