using System.Diagnostics;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
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
        if (evt.Kind == TickKind.Pool)
        {
            OnPoolEvent(state, ref evt, endOfBatch);
            return;
        }

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

    /// <summary>
    /// A pool-state or gas event: applied to the venue graph here, on the strategy thread (or counted as dropped when no
    /// graph is attached or the event is refused). It never reaches the books; when it ends the batch, the batch ends as
    /// a book event's would (the books' touched lists are evaluated, then cleared by the next event).
    /// </summary>
    private static void OnPoolEvent(StrategyState state, ref TickEvent evt, bool endOfBatch)
    {
        if (state.Pools is { } pools)
        {
            if (pools.Apply(ref evt))
            {
                state.GraphTrigger = Math.Max(state.GraphTrigger, evt.ReceiveTimestamp);
                state.PoolRelay?.Publish(in evt);
            }
        }
        else
        {
            state.PoolEventsUnrouted++;
        }

        if (endOfBatch && !state.Books.CursorOpen)
        {
            state.Books.BatchEnded = true;
            EndBatch(state);
        }
    }

    private static void EndBatch(StrategyState state)
    {
        BookSet books = state.Books;
        EdgeStage edges = state.Edges;
        if (state.Quarantine is { } quarantine && quarantine.Version != state.QuarantineVersionSeen)
        {
            TouchQuarantineChanges(state, quarantine);
        }

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
            bool tradeable = books.IsTradeable(index) && bid.Price.Raw < ask.Price.Raw
                && !(state.Quarantine?.IsQuarantined(sync.Venue) ?? false);
            edges.UpdateQuote(sync.Instrument, sync.Venue, in bid, in ask, tradeable, state.BookReceiveTimeNs[index], state.BookReceiveTimestamp[index]);
            int graphBook = state.GraphBookOf(index);
            if (graphBook >= 0)
            {
                state.Graph!.Graph.UpdateBookTop(graphBook, in bid, in ask, tradeable);
                state.GraphTrigger = Math.Max(state.GraphTrigger, state.BookReceiveTimestamp[index]);
            }
        }

        long decisionTimeNs = state.UseRecordedTime ? state.LastReceiveTimeNs : UnixNowNs();
        state.Risk?.OnBatch(decisionTimeNs);
        state.Agents?.OnBatch(decisionTimeNs);
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

        // The venue graph (CEX-DEX, DEX-DEX, cycles, cross-chain) after the CEX-CEX edges: it evaluates only when a rate moved.
        if (state.Graph is not null)
        {
            state.GraphOpportunities += state.Graph.Evaluate(ref sink, decisionTimeNs, state.GraphTrigger);
            state.GraphTrigger = 0;
        }

        state.Batches++;
        state.SnapshotPublisher?.MaybePublish(state, Stopwatch.GetTimestamp());
        state.DepthPublisher?.Publish(Stopwatch.GetTimestamp(), state.LastReceiveTimeNs, state.BookReceiveTimestamp);
    }

    /// <summary>
    /// A venue entered or left quarantine: its books are marked touched so this batch re-evaluates their quotes (a
    /// quarantined venue may send nothing more, and its last quotes must stop counting at once). Rare; allocation-free.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void TouchQuarantineChanges(StrategyState state, Integrity.VenueQuarantine quarantine)
    {
        int seen = state.QuarantineVersionSeen;
        int version = quarantine.Version;
        BookSet books = state.Books;
        for (int i = 0; i < books.Count; i++)
        {
            if (quarantine.ChangedAt(books.State(i).Venue) > seen)
            {
                books.Touch(i);
            }
        }

        state.QuarantineVersionSeen = version;
    }

    private static long UnixNowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Publishes into the opportunity ring; when it is full the opportunity is dropped and counted — the strategy never waits on a consumer.</summary>
    private readonly struct RingOpportunitySink(StrategyState state) : IOpportunitySink
    {
        public void OnOpportunity(in Opportunity opportunity)
        {
            state.Opportunities++;
            RingBuffer<Opportunity>? ring = state.OpportunityRing;
            if (opportunity.Path.Count > 0)
            {
                state.CountByKind(opportunity.Kind);
            }

            // With a gate, a bundle is built only for an opportunity it approved (the bundle path passes the same guard).
            bool approved = state.Risk is null;
            bool atomic;
            int chain = -1;
            bool decided = false;
            if (ring is not null && ring.TryNext(out long sequence))
            {
                ref Opportunity slot = ref ring[sequence];
                slot = opportunity;

                // The agents vote before the gate; an active agent's veto keeps the slot unchecked (never approved).
                bool acted = state.Agents?.Decide(ref slot) ?? true;
                if (acted)
                {
                    state.Risk?.Stamp(ref slot);
                }

                approved = acted && (state.Risk is null || slot.Risk.Approved);

                // A bundle is built from what was decided (the votes, an active agent's shrink): copied before the slot is
                // published to its reader, and only for what becomes a bundle.
                atomic = approved && IsBundled(state, in opportunity.Path, out chain);
                if (atomic && state.Agents is not null)
                {
                    state.Decided = slot;
                    decided = true;
                }

                ring.Publish(sequence);
            }
            else
            {
                if (ring is not null)
                {
                    state.OpportunitiesDropped++;
                }

                atomic = approved && IsBundled(state, in opportunity.Path, out chain);
            }

            // An atomic graph opportunity (every leg a pool on one chain) becomes a signed bundle here, after it was published.
            if (atomic)
            {
                ref readonly Opportunity bundled = ref decided ? ref state.Decided : ref opportunity;
                state.Bundler!.OnAtomic(in bundled, chain);
            }
        }

        private static bool IsBundled(StrategyState state, in OpportunityPath path, out int chain)
        {
            chain = -1;
            return path.Count > 0 && state.Bundler is not null && state.Graph is { } graph && PathQuote.IsAtomic(graph.Graph, in path, out chain);
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

    /// <summary>
    /// Venues whose books may not make edges (the integrity monitor's verdict); null: none is ever quarantined. Set before
    /// the strategy thread starts.
    /// </summary>
    public Integrity.VenueQuarantine? Quarantine { get; set; }

    internal int QuarantineVersionSeen { get; set; }

    /// <summary>The risk gate every published opportunity passes on this thread (its verdict rides in the slot); null: none. Set before start.</summary>
    public Risk.StrategyRiskGate? Risk { get; set; }

    /// <summary>The agent ensemble (votes on every opportunity before the gate); null: agents off. Set before start.</summary>
    public IOpportunityAgents? Agents { get; set; }

    /// <summary>The last opportunity the agents and the gate passed for a bundle, as decided (strategy thread; a preallocated slot, no copy on the heap).</summary>
    internal Opportunity Decided;

    /// <summary>Optional: publishes the counters the host and dashboard read, at most once per its interval (seqlock, 0 B).</summary>
    public StrategySnapshotPublisher? SnapshotPublisher { get; set; }

    /// <summary>Optional: publishes the touched books' top levels at the end of each batch (paper fills read them; seqlock, 0 B).</summary>
    public DepthSnapshotPublisher? DepthPublisher { get; set; }

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

    /// <summary>The venue graph's stage, when one is attached (<see cref="AttachGraph"/>).</summary>
    public GraphStage? Graph { get; private set; }

    /// <summary>Opportunities the venue graph published (also counted in <see cref="Opportunities"/>).</summary>
    public long GraphOpportunities { get; internal set; }

    /// <summary>Latest receive timestamp of a book that moved the graph since its last evaluation (its latency origin).</summary>
    internal long GraphTrigger { get; set; }

    private int[] _graphBookOfBook = [];

    /// <summary>
    /// Attaches a venue graph: at every batch end the tops of touched books listed in <paramref name="graphBookOfBook"/>
    /// (indexed by <see cref="BookSet"/> book, the graph's book index or −1) update its edges, then it is evaluated and
    /// its opportunities go to the same ring. Pool state reaches it through <see cref="GraphStage.Graph"/> on this thread.
    /// Start-up thread, before the strategy thread runs.
    /// </summary>
    public void AttachGraph(GraphStage graph, ReadOnlySpan<int> graphBookOfBook)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graphBookOfBook.Length != Books.Count)
        {
            throw new ArgumentException($"graphBookOfBook has {graphBookOfBook.Length} entries for {Books.Count} books", nameof(graphBookOfBook));
        }

        Graph = graph;
        _graphBookOfBook = graphBookOfBook.ToArray();
    }

    internal int GraphBookOf(int book) => (uint)book < (uint)_graphBookOfBook.Length ? _graphBookOfBook[book] : -1;

    public long OpportunitiesDropped { get; internal set; }

    /// <summary>Applies pool and gas events to the attached graph (<see cref="AttachPools"/>); null: none routed.</summary>
    public PoolEventApplier? Pools { get; private set; }

    /// <summary>Where the applied pool and gas events go on to another thread (paper mode's DEX venue); null: nowhere.</summary>
    public PoolEventRelay? PoolRelay { get; set; }

    /// <summary>Pool events that arrived with no applier attached (counted drops).</summary>
    public long PoolEventsUnrouted { get; internal set; }

    /// <summary>Turns atomic graph opportunities into signed bundles on this thread; null: none are built.</summary>
    public IAtomicBundler? Bundler { get; set; }

    private readonly long[] _graphByKind = new long[5];

    /// <summary>Graph opportunities published, by kind (approximate reads from other threads).</summary>
    public long GraphOpportunitiesOf(OpportunityKind kind) => (uint)kind < (uint)_graphByKind.Length ? Volatile.Read(ref _graphByKind[(int)kind]) : 0;

    internal void CountByKind(OpportunityKind kind)
    {
        if ((uint)kind < (uint)_graphByKind.Length)
        {
            _graphByKind[(int)kind]++;
        }
    }

    /// <summary>Routes pool events to <paramref name="pools"/> (over the attached graph). Start-up thread, after <see cref="AttachGraph"/>.</summary>
    public void AttachPools(PoolEventApplier pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        if (Graph is null || !ReferenceEquals(pools.Graph, Graph.Graph))
        {
            throw new ArgumentException("attach the graph first; the applier must update that graph", nameof(pools));
        }

        Pools = pools;
    }

    /// <summary>Stopwatch frequency helper for consumers converting timestamps.</summary>
    public static double NanosecondsPerTick => 1e9 / Stopwatch.Frequency;
}
