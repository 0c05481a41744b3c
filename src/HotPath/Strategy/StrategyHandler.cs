using System.Diagnostics;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Snapshots;

namespace LowLatency.HotPath.Strategy;

/// <summary>
/// The strategy thread's handler chain over the market ring: books (venue sequence rules) → edges of the instruments
/// the batch touched (or a full kernel sweep when a batch touched many) → opportunities published to the opportunity
/// ring. Edges are evaluated at the end of a batch, and only at a message boundary: a batch that ends inside a
/// multi-slot message is carried on until the message's last chunk. A struct so the ring's processor devirtualises it;
/// all state lives in <see cref="StrategyState"/>. Strategy thread only; allocation-free per event.
/// </summary>
public readonly struct StrategyHandler : IEventHandler<TickEvent>
{
    private readonly StrategyState _state;
    private readonly OrderBookHandler _books;

    public StrategyHandler(StrategyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _books = state.Books.CreateHandler();
    }

    public StrategyState State => _state;

    /// <inheritdoc />
    public void OnEvent(ref TickEvent evt, long sequence, bool endOfBatch)
    {
        StrategyState state = _state;
        state.Events++;
        state.LastReceiveTimeNs = evt.ReceiveTimeNs;

        // A batch ends where the consumer's view ends, which on a multi-producer ring can be inside a multi-slot message
        // (its last chunks claimed but not yet published). The book is half-applied there, so the batch is carried on
        // until the message's last chunk; the book handler is told the same, so its touched lists carry on too.
        bool messageContinues = !evt.IsLastChunk && (evt.IsFirstChunk || state.Books.CursorOpen);
        bool batchEnds = endOfBatch && !messageContinues;
        _books.OnEvent(ref evt, sequence, batchEnds);

        // The book handler has already routed the event: reuse its lookup rather than doing it again.
        int book = state.Books.CursorBook;
        if (book >= 0)
        {
            state.BookReceiveTimeNs[book] = evt.ReceiveTimeNs;
            state.BookReceiveTimestamp[book] = evt.ReceiveTimestamp;
        }

        if (batchEnds)
        {
            EndBatch(state);
        }
    }

    private static void EndBatch(StrategyState state)
    {
        BookSet books = state.Books;
        EdgeStage edges = state.Edges;
        ReadOnlySpan<int> touched = books.TouchedBooks;
        for (int t = 0; t < touched.Length; t++)
        {
            int index = touched[t];
            L2Book book = books.Book(index);
            ref readonly TopOfBook top = ref books.Top(index);
            ref readonly BookSyncState sync = ref books.State(index);

            // A venue's bookTicker is fresher than its 100 ms depth stream; the depth book's sync state still gates
            // trading: a book in resync is never traded on, whatever its ticker says.
            bool useTop = top.IsSet && (sync.Rule == SequenceRule.None || book.BidCount == 0 || top.ReceiveTimestamp >= state.BookReceiveTimestamp[index]);
            BookLevel bid = useTop ? top.Bid : book.BestBid;
            BookLevel ask = useTop ? top.Ask : book.BestAsk;
            bool tradeable = books.IsTradeable(index) && bid.Price.Raw < ask.Price.Raw;
            edges.UpdateQuote(sync.Instrument, sync.Venue, in bid, in ask, tradeable, state.BookReceiveTimeNs[index], state.BookReceiveTimestamp[index]);
        }

        long decisionTimeNs = state.UseRecordedTime ? state.LastReceiveTimeNs : UnixNowNs();
        var sink = new RingOpportunitySink(state);
        if (state.Sweeper is not null && edges.TouchedCount >= state.FullSweepMinTouched)
        {
            edges.EvaluateAll(state.Sweeper, ref sink, decisionTimeNs);
            state.FullSweeps++;
        }
        else
        {
            edges.EvaluateTouched(ref sink, decisionTimeNs);
        }

        state.Batches++;
        state.SnapshotPublisher?.MaybePublish(state, Stopwatch.GetTimestamp());
    }

    private static long UnixNowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Publishes into the opportunity ring; when it is full the opportunity is dropped and counted — the strategy never waits on a consumer.</summary>
    private readonly struct RingOpportunitySink(StrategyState state) : IOpportunitySink
    {
        public void OnOpportunity(in Opportunity opportunity)
        {
            state.Opportunities++;
            RingBuffer<Opportunity>? ring = state.OpportunityRing;
            if (ring is null)
            {
                return;
            }

            if (ring.TryNext(out long sequence))
            {
                ring[sequence] = opportunity;
                ring.Publish(sequence);
            }
            else
            {
                state.OpportunitiesDropped++;
            }
        }
    }
}

/// <summary>
/// State of the strategy thread: its books, edges, optional kernel sweeper and output ring, and counters the host reads
/// (plain fields: written by the strategy thread, read as approximate snapshots by the host).
/// </summary>
public sealed class StrategyState
{
    public StrategyState(BookSet books, EdgeStage edges, RingBuffer<Opportunity>? opportunityRing, IEdgeSweeper? sweeper = null, int fullSweepMinTouched = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(books);
        ArgumentNullException.ThrowIfNull(edges);
        Books = books;
        Edges = edges;
        OpportunityRing = opportunityRing;
        Sweeper = sweeper;
        FullSweepMinTouched = fullSweepMinTouched;
        BookReceiveTimeNs = new long[books.Count];
        BookReceiveTimestamp = new long[books.Count];
    }

    public BookSet Books { get; }

    public EdgeStage Edges { get; }

    public RingBuffer<Opportunity>? OpportunityRing { get; }

    public IEdgeSweeper? Sweeper { get; }

    public int FullSweepMinTouched { get; }

    /// <summary>Optional: publishes the counters the host and dashboard read, at most once per its interval (seqlock, 0 B).</summary>
    public StrategySnapshotPublisher? SnapshotPublisher { get; set; }

    /// <summary>Replay: decision times are the recorded receive time of the batch's last tick, so output is reproducible.</summary>
    public bool UseRecordedTime { get; set; }

    internal long[] BookReceiveTimeNs { get; }

    internal long[] BookReceiveTimestamp { get; }

    internal long LastReceiveTimeNs { get; set; }

    public long Events { get; internal set; }

    public long Batches { get; internal set; }

    public long FullSweeps { get; internal set; }

    /// <summary>
    /// Full sweeps the <see cref="Sweeper"/> refused and the edge stage re-evaluated instrument by instrument (see
    /// <see cref="EdgeStage.SweepFallbacks"/>); non-zero is a configuration mismatch for the host to report.
    /// </summary>
    public long SweepFallbacks => Edges.SweepFallbacks;

    public long Opportunities { get; internal set; }

    public long OpportunitiesDropped { get; internal set; }

    /// <summary>Stopwatch frequency helper for consumers converting timestamps.</summary>
    public static double NanosecondsPerTick => 1e9 / Stopwatch.Frequency;
}
