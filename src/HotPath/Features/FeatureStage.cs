using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Features;

/// <summary>
/// Builds a frame for every candidate whose books a batch touched: reads both legs from the books (top, depth walked to
/// the configured size, quote age, venue integrity), fills a <see cref="MarketObservation"/> and runs the candidate's
/// <see cref="FeatureBuilder"/>. The same stage serves live features (<see cref="FeatureStrategyHandler{TSink}"/>) and
/// training rows from captures (the dataset builder steps a replay and calls <see cref="OnBatchEnd{TSink}(long, ref TSink)"/>), so the two never
/// skew. Strategy thread only; allocates only in the constructor.
/// </summary>
public sealed class FeatureStage
{
    private const double DepthBandBps = 10;

    private readonly StrategyState _strategy;
    private readonly FeatureCandidate[] _candidates;
    private readonly FeatureBuilder[] _builders;
    private readonly double[] _fees; // per candidate: buy, sell
    private readonly int[] _candidatesOfBookStart; // CSR: book -> candidates using it
    private readonly int[] _candidatesOfBook;
    private readonly bool[] _pending;
    private readonly int[] _pendingList;
    private readonly FeatureOptions _options;
    private FeatureFrame _frame;
    private MarketObservation _observation;

    /// <param name="takerFeeOfVenue">Per venue id: taker fee as a fraction.</param>
    public FeatureStage(StrategyState strategy, IReadOnlyList<FeatureCandidate> candidates, ReadOnlySpan<double> takerFeeOfVenue, FeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _strategy = strategy;
        _options = options;
        BookSet books = strategy.Books;
        _candidates = [.. candidates];
        _builders = new FeatureBuilder[_candidates.Length];
        _fees = new double[_candidates.Length * 2];
        var perBook = new int[books.Count + 1];
        for (int c = 0; c < _candidates.Length; c++)
        {
            FeatureCandidate candidate = _candidates[c];
            if ((uint)candidate.BuyBook >= (uint)books.Count || (uint)candidate.SellBook >= (uint)books.Count || candidate.BuyBook == candidate.SellBook)
            {
                throw new ArgumentException($"candidate {c}: books {candidate.BuyBook}/{candidate.SellBook} are not two distinct books of the set", nameof(candidates));
            }

            _builders[c] = new FeatureBuilder(options);
            _fees[2 * c] = Fee(takerFeeOfVenue, books.State(candidate.BuyBook).Venue);
            _fees[(2 * c) + 1] = Fee(takerFeeOfVenue, books.State(candidate.SellBook).Venue);
            perBook[candidate.BuyBook + 1]++;
            perBook[candidate.SellBook + 1]++;
        }

        for (int b = 0; b < books.Count; b++)
        {
            perBook[b + 1] += perBook[b];
        }

        _candidatesOfBookStart = perBook;
        _candidatesOfBook = new int[perBook[books.Count]];
        var fill = (int[])perBook.Clone();
        for (int c = 0; c < _candidates.Length; c++)
        {
            _candidatesOfBook[fill[_candidates[c].BuyBook]++] = c;
            _candidatesOfBook[fill[_candidates[c].SellBook]++] = c;
        }

        _pending = new bool[_candidates.Length];
        _pendingList = new int[_candidates.Length];
    }

    /// <summary>Every ordered pair of distinct books holding the same instrument on different venues (what EdgeStage compares).</summary>
    public static IReadOnlyList<FeatureCandidate> SameInstrumentPairs(BookSet books)
    {
        ArgumentNullException.ThrowIfNull(books);
        var list = new List<FeatureCandidate>();
        for (int a = 0; a < books.Count; a++)
        {
            for (int b = 0; b < books.Count; b++)
            {
                if (a != b && books.State(a).Instrument == books.State(b).Instrument && books.State(a).Venue != books.State(b).Venue)
                {
                    list.Add(new FeatureCandidate(a, b));
                }
            }
        }

        return list;
    }

    public ReadOnlySpan<FeatureCandidate> Candidates => _candidates;

    public FeatureOptions Options => _options;

    /// <summary>Frames built since construction.</summary>
    public long Frames { get; private set; }

    /// <summary>As <see cref="OnBatchEnd{TSink}(long, ref TSink)"/> at the receive time of the batch's last event.</summary>
    public int OnBatchEnd<TSink>(ref TSink sink)
        where TSink : struct, IFeatureSink => OnBatchEnd(_strategy.LastReceiveTimeNs, ref sink);

    /// <summary>
    /// At a batch end (a message boundary): builds the frame of every candidate with a leg among the books the batch
    /// touched, in candidate order, and hands each to <paramref name="sink"/>. <paramref name="timeNs"/> is the
    /// observation time (the batch's last receive time). Allocation-free.
    /// </summary>
    public int OnBatchEnd<TSink>(long timeNs, ref TSink sink)
        where TSink : struct, IFeatureSink
    {
        BookSet books = _strategy.Books;
        ReadOnlySpan<int> touched = books.TouchedBooks;
        int pendingCount = 0;
        for (int t = 0; t < touched.Length; t++)
        {
            int book = touched[t];
            for (int k = _candidatesOfBookStart[book]; k < _candidatesOfBookStart[book + 1]; k++)
            {
                int c = _candidatesOfBook[k];
                if (!_pending[c])
                {
                    _pending[c] = true;
                    _pendingList[pendingCount++] = c;
                }
            }
        }

        // Candidate order, not touch order: the same batch gives the same sequence of frames however it was touched.
        _pendingList.AsSpan(0, pendingCount).Sort();
        for (int p = 0; p < pendingCount; p++)
        {
            int c = _pendingList[p];
            _pending[c] = false;
            Observe(c, timeNs, ref _observation);
            _builders[c].Update(in _observation, ref _frame);
            Frames++;
            sink.OnFrame(c, in _observation, in _frame);
        }

        return pendingCount;
    }

    /// <summary>Fills the observation of candidate <paramref name="c"/> from the books as they are now. Allocation-free.</summary>
    public void Observe(int c, long timeNs, ref MarketObservation o)
    {
        BookSet books = _strategy.Books;
        FeatureCandidate candidate = _candidates[c];
        ReadLeg(books, candidate.BuyBook, out double buyBid, out double buyAsk, out int buyDecimals);
        ReadLeg(books, candidate.SellBook, out double sellBid, out double sellAsk, out int sellDecimals);
        o.TimeNs = timeNs;
        o.BuyBid = buyBid;
        o.BuyAsk = buyAsk;
        o.SellBid = sellBid;
        o.SellAsk = sellAsk;
        o.BuyFee = _fees[2 * c];
        o.SellFee = _fees[(2 * c) + 1];
        L2Book buyBook = books.Book(candidate.BuyBook);
        L2Book sellBook = books.Book(candidate.SellBook);
        o.HasDepth = buyBook.AskCount > 0 && sellBook.BidCount > 0 && buyAsk > 0 && sellBid > 0;
        if (o.HasDepth)
        {
            double size = _options.NotionalQuote / buyAsk;
            ref readonly BookSyncState buyState = ref books.State(candidate.BuyBook);
            ref readonly BookSyncState sellState = ref books.State(candidate.SellBook);
            o.BuySlippageBps = WalkBps(buyBook.Asks, buyDecimals, buyState.QuantityDecimals, size, buyAsk, out double buyDepth);
            o.SellSlippageBps = WalkBps(sellBook.Bids, sellDecimals, sellState.QuantityDecimals, size, sellBid, out double sellDepth);
            o.BuyDepthAtSize = buyDepth / size;
            o.SellDepthAtSize = sellDepth / size;
        }
        else
        {
            o.BuySlippageBps = 0;
            o.SellSlippageBps = 0;
            o.BuyDepthAtSize = 0;
            o.SellDepthAtSize = 0;
        }

        o.BuyQuoteTimeNs = _strategy.BookReceiveTimeNs[candidate.BuyBook];
        o.SellQuoteTimeNs = _strategy.BookReceiveTimeNs[candidate.SellBook];
        o.BuyErrors = Errors(books.Integrity(books.State(candidate.BuyBook).Venue));
        o.SellErrors = Errors(books.Integrity(books.State(candidate.SellBook).Venue));
        o.Tradeable = books.IsTradeable(candidate.BuyBook) && books.IsTradeable(candidate.SellBook) && buyBid < buyAsk && sellBid < sellAsk;
        o.GasCostBps = 0; // CEX legs; DEX legs will add theirs when the DEX books land
        o.GasPriceGwei = double.NaN;
        o.Attempts = -1; // no execution reports exist yet
        o.Fills = 0;
    }

    /// <summary>
    /// Walks one side for <paramref name="size"/> (base units): returns the average fill's distance from the best price
    /// in bps (the whole side's when it is too thin, so thin books cost more, never less) and, in
    /// <paramref name="depthWithinBand"/>, the quantity within 10 bps of the best price.
    /// </summary>
    public static double WalkBps(ReadOnlySpan<BookLevel> levels, int priceDecimals, int quantityDecimals, double size, double best, out double depthWithinBand)
    {
        depthWithinBand = 0;
        if (levels.IsEmpty || !(size > 0) || !(best > 0))
        {
            return 0;
        }

        double remaining = size;
        double cost = 0;
        double filled = 0;
        double band = best * DepthBandBps / 10_000;
        for (int i = 0; i < levels.Length; i++)
        {
            double price = FixedPoint.ToDouble(levels[i].Price.Raw, priceDecimals);
            double quantity = FixedPoint.ToDouble(levels[i].Quantity.Raw, quantityDecimals);
            if (Math.Abs(price - best) <= band)
            {
                depthWithinBand += quantity;
            }

            if (remaining > 0)
            {
                double take = Math.Min(quantity, remaining);
                cost += take * price;
                filled += take;
                remaining -= take;
            }
            else if (Math.Abs(price - best) > band)
            {
                break;
            }
        }

        return filled > 0 ? Math.Abs((cost / filled) - best) / best * 10_000 : 0;
    }

    private static long Errors(in VenueIntegrity integrity) => integrity.Errors + integrity.Resyncs;

    private static double Fee(ReadOnlySpan<double> fees, VenueId venue) => venue.Value < fees.Length ? fees[venue.Value] : 0;

    private void ReadLeg(BookSet books, int index, out double bid, out double ask, out int decimals)
    {
        // As StrategyHandler: the venue's ticker when it is fresher than the depth book, else the book's best levels.
        L2Book book = books.Book(index);
        ref readonly TopOfBook top = ref books.Top(index);
        ref readonly BookSyncState sync = ref books.State(index);
        bool useTop = top.IsSet && (sync.Rule == SequenceRule.None || book.BidCount == 0 || top.ReceiveTimestamp >= _strategy.BookReceiveTimestamp[index]);
        BookLevel b = useTop ? top.Bid : book.BestBid;
        BookLevel a = useTop ? top.Ask : book.BestAsk;
        decimals = sync.PriceDecimals;
        bid = b.Price.IsSet ? FixedPoint.ToDouble(b.Price.Raw, decimals) : 0;
        ask = a.Price.IsSet ? FixedPoint.ToDouble(a.Price.Raw, decimals) : 0;
    }
}
