using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Book;

/// <summary>
/// All L2 books of the engine, indexed by (venue, instrument) through a small dense array. Created at start-up from a
/// list of <see cref="BookSpec"/> (allocates then, never after). Mutated only by <see cref="OrderBookHandler"/> on the
/// strategy thread; the query members below say which other threads may call them.
/// </summary>
public sealed class BookSet
{
    private readonly L2Book[] _books;
    private readonly BookSyncState[] _states;
    private readonly TopOfBook[] _tops;
    private readonly short[] _index; // [venue * _instrumentSlots + instrument] -> book, -1 none
    private readonly int _instrumentSlots;
    private readonly VenueIntegrity[] _integrity;
    private readonly int[] _needsSnapshot; // 0/1, read by adapter threads
    private readonly int[] _touchedBooks;
    private readonly InstrumentId[] _touchedInstruments;
    private readonly bool[] _bookTouched;
    private readonly bool[] _instrumentTouched;
    private int _touchedBookCount;
    private int _touchedInstrumentCount;

    // Cursor over the message being applied (its chunks arrive in consecutive OnEvent calls).
    internal bool CursorOpen;
    internal int CursorBook;
    internal CursorAction CursorAction;
    internal bool BatchEnded = true;

    /// <summary>The most books one set holds: the (venue, instrument) index stores book numbers as <c>short</c>.</summary>
    public const int MaxBooks = short.MaxValue;

    /// <summary>
    /// Builds the books. Start-up only: allocates. Throws <see cref="ArgumentException"/> for an empty list, more than
    /// <see cref="MaxBooks"/> books (worded as that limit) or two books of one (venue, instrument); callers that take
    /// their specs from input data check <see cref="MaxBooks"/> first and report it as a value.
    /// </summary>
    public BookSet(IReadOnlyList<BookSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.Count == 0)
        {
            throw new ArgumentException("no books: a book set needs at least one book", nameof(specs));
        }

        if (specs.Count > MaxBooks)
        {
            throw new ArgumentException(IdLimits.Message(specs.Count, MaxBooks, "books"), nameof(specs));
        }

        int maxVenue = 0;
        int maxInstrument = 0;
        for (int i = 0; i < specs.Count; i++)
        {
            maxVenue = Math.Max(maxVenue, specs[i].Venue.Value);
            maxInstrument = Math.Max(maxInstrument, specs[i].Instrument.Value);
        }

        _instrumentSlots = maxInstrument + 1;
        _index = new short[(maxVenue + 1) * _instrumentSlots];
        _index.AsSpan().Fill(-1);
        _integrity = new VenueIntegrity[maxVenue + 1];
        _books = new L2Book[specs.Count];
        _states = new BookSyncState[specs.Count];
        _tops = new TopOfBook[specs.Count];
        _needsSnapshot = new int[specs.Count];
        _touchedBooks = new int[specs.Count];
        _bookTouched = new bool[specs.Count];
        _touchedInstruments = new InstrumentId[_instrumentSlots];
        _instrumentTouched = new bool[_instrumentSlots];

        for (int i = 0; i < specs.Count; i++)
        {
            BookSpec spec = specs[i];
            if (!Enum.IsDefined(spec.Rule))
            {
                throw new ArgumentOutOfRangeException(nameof(specs), $"book {i}: unknown rule {spec.Rule}");
            }

            if ((uint)spec.PriceDecimals > FixedPoint.MaxDecimals || (uint)spec.QuantityDecimals > FixedPoint.MaxDecimals)
            {
                throw new ArgumentOutOfRangeException(nameof(specs), $"book {i}: decimals out of range");
            }

            int slot = (spec.Venue.Value * _instrumentSlots) + spec.Instrument.Value;
            if (_index[slot] >= 0)
            {
                throw new ArgumentException($"duplicate book for venue {spec.Venue}, instrument {spec.Instrument}", nameof(specs));
            }

            _index[slot] = (short)i;
            _books[i] = new L2Book(spec.Venue, spec.Instrument, spec.Capacity);
            bool needsSnapshot = spec.Rule != SequenceRule.None;
            _states[i] = new BookSyncState
            {
                Rule = spec.Rule,
                Status = needsSnapshot ? BookStatus.AwaitingSnapshot : BookStatus.Live,
                PriceDecimals = spec.PriceDecimals,
                QuantityDecimals = spec.QuantityDecimals,
                TruncateDepth = spec.TruncateDepth,
                Venue = spec.Venue,
                Instrument = spec.Instrument,
                Pending = new PendingBuffer(spec.PendingSlots),
            };
            _needsSnapshot[i] = needsSnapshot ? 1 : 0;
        }
    }

    /// <summary>Number of books.</summary>
    public int Count => _books.Length;

    /// <summary>Events whose (venue, instrument) has no book. Strategy thread writes.</summary>
    public long UnroutedEvents { get; internal set; }

    /// <summary>Chunks that broke the FirstChunk..LastChunk framing (a producer bug). Strategy thread writes.</summary>
    public long BrokenChunkSequences { get; internal set; }

    /// <summary>The book index of (venue, instrument), or -1. Any thread; allocation-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(VenueId venue, InstrumentId instrument)
    {
        uint v = venue.Value;
        uint i = instrument.Value;
        if (i >= (uint)_instrumentSlots)
        {
            return -1;
        }

        uint slot = (v * (uint)_instrumentSlots) + i;
        return slot < (uint)_index.Length ? _index[slot] : -1;
    }

    /// <summary>The L2 book at <paramref name="index"/>. Strategy thread (others read published snapshots).</summary>
    public L2Book Book(int index) => _books[index];

    /// <summary>The sync state of a book. Strategy thread.</summary>
    public ref readonly BookSyncState State(int index) => ref _states[index];

    /// <summary>The venue's own top of book (bookTicker) for a book. Strategy thread.</summary>
    public ref readonly TopOfBook Top(int index) => ref _tops[index];

    /// <summary>True when the book is live (synchronised) and not crossed: the only books edges may use. Strategy thread.</summary>
    public bool IsTradeable(int index) => _states[index].Status == BookStatus.Live && !_books[index].IsCrossed;

    /// <summary>
    /// True while a book needs a (new) snapshot: set at start and on every resync, cleared when a snapshot is applied.
    /// Any thread (adapters poll it to fetch a REST snapshot or resubscribe).
    /// </summary>
    public bool NeedsSnapshot(int index) => Volatile.Read(ref _needsSnapshot[index]) != 0;

    /// <summary>
    /// Writes the instruments of <paramref name="venue"/> whose books need a snapshot into <paramref name="destination"/>
    /// and returns how many (at most its length). Any thread; allocation-free.
    /// </summary>
    public int CollectSnapshotRequests(VenueId venue, Span<InstrumentId> destination)
    {
        int n = 0;
        for (int i = 0; i < _books.Length && n < destination.Length; i++)
        {
            if (_states[i].Venue == venue && Volatile.Read(ref _needsSnapshot[i]) != 0)
            {
                destination[n++] = _states[i].Instrument;
            }
        }

        return n;
    }

    /// <summary>A copy of a venue's integrity counters (zeros for an unknown venue). Any thread.</summary>
    public VenueIntegrity Integrity(VenueId venue) => venue.Value < _integrity.Length ? _integrity[venue.Value] : default;

    /// <summary>Books changed by the current batch (valid at and after <c>endOfBatch</c>, until the next batch starts). Strategy thread.</summary>
    public ReadOnlySpan<int> TouchedBooks => _touchedBooks.AsSpan(0, _touchedBookCount);

    /// <summary>Instruments whose book or top changed in the current batch, each once. Strategy thread.</summary>
    public ReadOnlySpan<InstrumentId> TouchedInstruments => _touchedInstruments.AsSpan(0, _touchedInstrumentCount);

    /// <summary>Whether the instrument was touched by the current batch. Strategy thread.</summary>
    public bool IsTouched(InstrumentId instrument) =>
        instrument.Value < _instrumentTouched.Length && _instrumentTouched[instrument.Value];

    /// <summary>
    /// Returns every book to its start-up state, as if the session began again: emptied, awaiting its snapshot (rule
    /// <see cref="SequenceRule.None"/>: live), no pending messages, no top, <see cref="NeedsSnapshot"/> raised. Counters
    /// and integrity are kept: they add up over the passes. Every book is marked touched for the next batch, so the edge
    /// stage sees them all become untradeable. For replaying a tape again into the same books (repeated passes,
    /// benchmarks): without it, the second pass is all stale data (older snapshots ignored, old diffs dropped).
    /// Strategy thread, between messages; allocation-free.
    /// </summary>
    public void Restart()
    {
        CursorOpen = false;
        ClearTouched();
        for (int i = 0; i < _books.Length; i++)
        {
            ref BookSyncState state = ref _states[i];
            bool needsSnapshot = state.Rule != SequenceRule.None;
            _books[i].Clear();
            state.Status = needsSnapshot ? BookStatus.AwaitingSnapshot : BookStatus.Live;
            state.LastUpdateId = 0;
            state.AwaitingFirstDelta = false;
            state.Pending.Clear();
            _tops[i] = default;
            SetNeedsSnapshot(i, needsSnapshot);
            Touch(i);
        }

        BatchEnded = false; // the next event continues this "batch": its end reports every book as touched
    }

    /// <summary>A handler applying ring events to these books. The handler holds no state of its own.</summary>
    public OrderBookHandler CreateHandler() => new(this);

    internal ref BookSyncState StateRef(int index) => ref _states[index];

    internal ref TopOfBook TopRef(int index) => ref _tops[index];

    internal ref VenueIntegrity IntegrityRef(VenueId venue) => ref _integrity[venue.Value];

    internal void SetNeedsSnapshot(int index, bool value) => Volatile.Write(ref _needsSnapshot[index], value ? 1 : 0);

    internal void Touch(int index)
    {
        if (!_bookTouched[index])
        {
            _bookTouched[index] = true;
            _touchedBooks[_touchedBookCount++] = index;
        }

        ushort instrument = _states[index].Instrument.Value;
        if (!_instrumentTouched[instrument])
        {
            _instrumentTouched[instrument] = true;
            _touchedInstruments[_touchedInstrumentCount++] = new InstrumentId(instrument);
        }
    }

    internal void ClearTouched()
    {
        for (int i = 0; i < _touchedBookCount; i++)
        {
            _bookTouched[_touchedBooks[i]] = false;
        }

        for (int i = 0; i < _touchedInstrumentCount; i++)
        {
            _instrumentTouched[_touchedInstruments[i].Value] = false;
        }

        _touchedBookCount = 0;
        _touchedInstrumentCount = 0;
    }
}

/// <summary>What the handler does with the chunks of the message under the cursor.</summary>
internal enum CursorAction : byte
{
    Skip = 0,
    ApplyDelta = 1,
    ApplySnapshot = 2,
    Buffer = 3,
    Top = 4,
}
