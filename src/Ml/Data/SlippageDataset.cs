using LowLatency.Adapters.Cex.Common;
using LowLatency.Adapters.Cex.Replay;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Data;

/// <summary>
/// Rows for the slippage predictor from recorded captures replayed through the hot path's books. A row is one book after
/// one message: its shape now (depth-walk costs at three sizes, spread, depth within 10 bps, level counts, recent mid
/// moves, update pace); the target is the depth-walk cost of buying the book's trade size on the book as it is at
/// t + Δ — what a market order sent now actually pays when it lands. The baseline predicts the cost now. The trade size
/// of a book is fixed at its first live observation: half the quantity of its ten best asks. Cold path.
/// </summary>
public sealed class SlippageDataset
{
    public const int FeatureCount = 12;

    public static readonly string[] FeatureNames =
    [
        "walk_bps_size", "walk_bps_half", "walk_bps_double", "spread_bps", "ask_depth_10bps", "bid_depth_10bps",
        "ask_levels_log", "bid_levels_log", "mid_return_1_bps", "mid_volatility_16_bps", "update_gap_log_ms", "top5_ask_imbalance",
    ];

    private readonly List<double> _features = [];
    private readonly List<double> _target = [];
    private readonly List<long> _times = [];
    private readonly List<int> _stream = [];

    public int Count => _target.Count;

    public List<string> Streams { get; } = [];

    public ReadOnlySpan<double> Row(int row) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_features).Slice(row * FeatureCount, FeatureCount);

    /// <summary>Realised depth-walk cost at t + Δ, bps.</summary>
    public double Target(int row) => _target[row];

    /// <summary>The depth-walk baseline: the cost on the book now.</summary>
    public double Baseline(int row) => _features[row * FeatureCount];

    public long TimeNs(int row) => _times[row];

    public int StreamOf(int row) => _stream[row];

    /// <summary>All features row-major (for LightGBM).</summary>
    public double[] Matrix() => [.. _features];

    public static SlippageDataset FromCaptures(IReadOnlyList<string> paths, double horizonMs) => FromSession(ReplaySession.Load(paths), horizonMs);

    /// <inheritdoc cref="FromCaptures"/>
    public static SlippageDataset FromSession(ReplaySession session, double horizonMs)
    {
        ArgumentNullException.ThrowIfNull(session);
        var pipeline = new ReplayPipeline(session, _ => 0, thresholdBps: 1e9, opportunityRing: null);
        BookSet books = pipeline.Books;
        var perBook = new List<(long Time, double[] Features)>[books.Count];
        var size = new double[books.Count];
        var mids = new List<double>[books.Count];
        var lastTime = new long[books.Count];
        for (int b = 0; b < books.Count; b++)
        {
            perBook[b] = [];
            mids[b] = [];
        }

        for (int i = 0; i < session.Tape.Count; i++)
        {
            if (pipeline.Step(i) != ParseResult.Message)
            {
                continue;
            }

            long now = session.Tape[i].TimestampNs;
            foreach (int b in books.TouchedBooks)
            {
                L2Book book = books.Book(b);
                if (!books.IsTradeable(b) || book.AskCount < 2 || book.BidCount < 1)
                {
                    continue;
                }

                ref readonly BookSyncState state = ref books.State(b);
                if (size[b] == 0)
                {
                    double q = 0;
                    for (int k = 0; k < Math.Min(10, book.AskCount); k++)
                    {
                        q += HotPath.Primitives.FixedPoint.ToDouble(book.Asks[k].Quantity.Raw, state.QuantityDecimals);
                    }

                    size[b] = q / 2;
                }

                perBook[b].Add((now, Features(book, state, size[b], mids[b], lastTime[b] == 0 ? 0 : now - lastTime[b])));
                lastTime[b] = now;
            }
        }

        var data = new SlippageDataset();
        long horizon = (long)(horizonMs * 1e6);
        for (int b = 0; b < books.Count; b++)
        {
            List<(long Time, double[] Features)> rows = perBook[b];
            if (rows.Count < 2)
            {
                continue;
            }

            data.Streams.Add($"{pipeline.VenueNameOf(books.State(b).Venue)} {pipeline.SymbolOf(b)}");
            int j = 0;
            for (int i = 0; i < rows.Count; i++)
            {
                j = Math.Max(j, i + 1);
                while (j < rows.Count && rows[j].Time < rows[i].Time + horizon)
                {
                    j++;
                }

                if (j >= rows.Count)
                {
                    break;
                }

                data._features.AddRange(rows[i].Features);
                data._target.Add(rows[j].Features[0]);
                data._times.Add(rows[i].Time);
                data._stream.Add(data.Streams.Count - 1);
            }
        }

        return data;
    }

    private static double[] Features(L2Book book, in BookSyncState state, double size, List<double> mids, long gapNs)
    {
        int p = state.PriceDecimals;
        int q = state.QuantityDecimals;
        double bid = HotPath.Primitives.FixedPoint.ToDouble(book.BestBid.Price.Raw, p);
        double ask = HotPath.Primitives.FixedPoint.ToDouble(book.BestAsk.Price.Raw, p);
        double mid = 0.5 * (bid + ask);
        double walk = FeatureStage.WalkBps(book.Asks, p, q, size, ask, out double askDepth);
        double half = FeatureStage.WalkBps(book.Asks, p, q, size / 2, ask, out _);
        double twice = FeatureStage.WalkBps(book.Asks, p, q, size * 2, ask, out _);
        FeatureStage.WalkBps(book.Bids, p, q, size, bid, out double bidDepth);
        double top5Ask = 0, top5Bid = 0;
        for (int k = 0; k < Math.Min(5, book.AskCount); k++)
        {
            top5Ask += HotPath.Primitives.FixedPoint.ToDouble(book.Asks[k].Quantity.Raw, q);
        }

        for (int k = 0; k < Math.Min(5, book.BidCount); k++)
        {
            top5Bid += HotPath.Primitives.FixedPoint.ToDouble(book.Bids[k].Quantity.Raw, q);
        }

        double ret = mids.Count > 0 ? Math.Log(mid / mids[^1]) * 10_000 : 0;
        mids.Add(mid);
        double vol = 0;
        int n = Math.Min(16, mids.Count - 1);
        if (n >= 2)
        {
            double s = 0, s2 = 0;
            for (int k = mids.Count - n; k < mids.Count; k++)
            {
                double r = Math.Log(mids[k] / mids[k - 1]) * 10_000;
                s += r;
                s2 += r * r;
            }

            vol = Math.Sqrt(Math.Max(0, (s2 / n) - ((s / n) * (s / n))));
        }

        return
        [
            walk, half, twice, (ask - bid) / mid * 10_000, Math.Log(1 + (askDepth / size)), Math.Log(1 + (bidDepth / size)),
            Math.Log(book.AskCount), Math.Log(book.BidCount), ret, vol, Math.Log(1 + (gapNs / 1e6)), top5Ask / Math.Max(1e-12, top5Ask + top5Bid),
        ];
    }
}
