using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;

namespace LowLatency.HotPath.Book;

/// <summary>
/// Ring handler that applies market-data events to the books of a <see cref="BookSet"/> with each venue's sequence
/// rules. Consumer (strategy) thread only; allocation-free; never throws on bad sequences — gaps, checksum failures and
/// crossed books put the book in <see cref="BookStatus.Resync"/> and count against the venue.
/// <para>
/// A message spans contiguous slots (FirstChunk .. LastChunk); the decision (apply, buffer, drop) is taken on the
/// first chunk by the book's rule and finalised on the last. All state lives in the <see cref="BookSet"/>, so copies of
/// this struct are interchangeable.
/// </para>
/// </summary>
public readonly struct OrderBookHandler : IEventHandler<TickEvent>
{
    private readonly BookSet _set;

    public OrderBookHandler(BookSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        _set = set;
    }

    /// <summary>The books this handler writes.</summary>
    public BookSet Books => _set;

    /// <inheritdoc />
    public void OnEvent(ref TickEvent evt, long sequence, bool endOfBatch)
    {
        BookSet set = _set;
        if (set.BatchEnded)
        {
            set.ClearTouched();
            set.BatchEnded = false;
        }

        Process(set, ref evt);
        if (endOfBatch)
        {
            set.BatchEnded = true;
        }
    }

    private static void Process(BookSet set, ref TickEvent evt)
    {
        if (evt.IsFirstChunk)
        {
            if (set.CursorOpen)
            {
                set.BrokenChunkSequences++;
                AbandonOpenMessage(set);
            }

            Begin(set, in evt);
        }
        else if (!set.CursorOpen)
        {
            set.BrokenChunkSequences++;
            return;
        }

        int index = set.CursorBook;
        switch (set.CursorAction)
        {
            case CursorAction.ApplyDelta:
            case CursorAction.ApplySnapshot:
                ApplyLevels(set.Book(index), in evt);
                break;
            case CursorAction.Buffer:
                ref BookSyncState state = ref set.StateRef(index);
                int dropped = state.Pending.Add(in evt);
                if (dropped != 0)
                {
                    state.Counters.PendingOverflows += dropped;
                    set.IntegrityRef(state.Venue).PendingOverflows += dropped;
                }

                break;
        }

        if (evt.IsLastChunk)
        {
            set.CursorOpen = false;
            End(set, in evt);
        }
    }

    private static void Begin(BookSet set, in TickEvent first)
    {
        set.CursorOpen = true;
        set.CursorAction = CursorAction.Skip;
        int index = set.IndexOf(first.Venue, first.Instrument);
        set.CursorBook = index;
        if (index < 0)
        {
            set.UnroutedEvents++;
            return;
        }

        ref BookSyncState state = ref set.StateRef(index);
        switch (first.Kind)
        {
            case TickKind.Top:
                set.CursorAction = CursorAction.Top;
                break;
            case TickKind.Snapshot:
                if (IsStaleSnapshot(in state, in first))
                {
                    // Older than what the book already applied: the book keeps its state and stays live.
                    state.Counters.StaleSnapshots++;
                    set.IntegrityRef(state.Venue).StaleSnapshots++;
                    break;
                }

                set.Book(index).Clear();
                set.CursorAction = CursorAction.ApplySnapshot;
                break;
            case TickKind.Delta:
                if (state.Status != BookStatus.Live)
                {
                    if (SnapshotInBand(state.Rule) || (first.Flags & TickFlags.AfterLostMessage) != 0)
                    {
                        // The snapshot comes on this stream, after this update: it already contains it. (A lost mark:
                        // the book waits for a snapshot already, and the diffs after it must continue that.)
                        state.Counters.PreSnapshotDropped++;
                        break;
                    }

                    state.Pending.BeginMessage();
                    set.CursorAction = CursorAction.Buffer;
                    break;
                }

                bool bridging = state.AwaitingFirstDelta;
                switch (OnDelta(ref state, in first))
                {
                    case SequenceVerdict.Apply:
                        set.CursorAction = CursorAction.ApplyDelta;
                        break;
                    case SequenceVerdict.Stale when bridging:
                        // Older than a snapshot not yet bridged: the normal bootstrap overlap, not an error.
                        state.Counters.PreSnapshotDropped++;
                        break;
                    case SequenceVerdict.Stale:
                        state.Counters.StaleDropped++;
                        set.IntegrityRef(state.Venue).StaleDrops++;
                        break;
                    default:
                        EnterResync(set, index, ref set.IntegrityRef(state.Venue).Gaps, ref state.Counters.Gaps);
                        if (!SnapshotInBand(state.Rule) && (first.Flags & TickFlags.AfterLostMessage) == 0)
                        {
                            // Keep the message: the REST snapshot fetched for the resync may be bridged by it (a lost
                            // mark bridges nothing, and replayed after that snapshot it would be a gap again).
                            state.Pending.BeginMessage();
                            set.CursorAction = CursorAction.Buffer;
                        }

                        break;
                }

                break;
            default:
                set.UnroutedEvents++;
                break;
        }
    }

    /// <summary>
    /// OKX and Kraken send the snapshot on the update stream (after a resubscribe): any update seen before it is older
    /// than it, so it is dropped rather than buffered and replayed onto the fresh book.
    /// </summary>
    private static bool SnapshotInBand(SequenceRule rule) => rule is SequenceRule.Okx or SequenceRule.Kraken or SequenceRule.Coinbase or SequenceRule.Bybit;

    private static void End(BookSet set, in TickEvent last)
    {
        int index = set.CursorBook;
        switch (set.CursorAction)
        {
            case CursorAction.ApplyDelta:
                set.StateRef(index).Counters.DeltasApplied++;
                FinishApplied(set, index, in last);
                break;
            case CursorAction.ApplySnapshot:
                FinishSnapshot(set, index, in last);
                break;
            case CursorAction.Top:
                ApplyTop(set, index, in last);
                break;
        }
    }

    private static void AbandonOpenMessage(BookSet set)
    {
        // A message that never got its last chunk leaves the book in an unknown state.
        int index = set.CursorBook;
        if (index >= 0 && set.CursorAction is CursorAction.ApplyDelta or CursorAction.ApplySnapshot)
        {
            ref BookSyncState state = ref set.StateRef(index);
            EnterResync(set, index, ref set.IntegrityRef(state.Venue).Gaps, ref state.Counters.Gaps);
        }

        set.CursorOpen = false;
    }

    private static void FinishSnapshot(BookSet set, int index, in TickEvent last)
    {
        ref BookSyncState state = ref set.StateRef(index);
        OnSnapshot(ref state, in last);
        state.Status = BookStatus.Live;
        state.Counters.SnapshotsApplied++;
        set.IntegrityRef(state.Venue).Snapshots++;
        set.SetNeedsSnapshot(index, false);
        if (!FinishApplied(set, index, in last))
        {
            return;
        }

        DrainPending(set, index);
    }

    /// <summary>Post-message checks of an applied message; false when they sent the book to resync.</summary>
    private static bool FinishApplied(BookSet set, int index, in TickEvent last)
    {
        ref BookSyncState state = ref set.StateRef(index);
        L2Book book = set.Book(index);
        if (state.TruncateDepth > 0)
        {
            book.Truncate(state.TruncateDepth);
        }

        set.Touch(index);
        if ((last.Flags & TickFlags.HasChecksum) != 0 && !VerifyChecksum(book, in state, last.Checksum))
        {
            EnterResync(set, index, ref set.IntegrityRef(state.Venue).ChecksumFailures, ref state.Counters.ChecksumFailures);
            return false;
        }

        if (book.IsCrossed)
        {
            EnterResync(set, index, ref set.IntegrityRef(state.Venue).CrossedBooks, ref state.Counters.Crossed);
            return false;
        }

        return true;
    }

    /// <summary>Replays the deltas buffered before the snapshot, in order, until the buffer is empty or a gap stops it.</summary>
    private static void DrainPending(BookSet set, int index)
    {
        ref BookSyncState state = ref set.StateRef(index);
        PendingBuffer pending = state.Pending;
        L2Book book = set.Book(index);
        while (pending.Count > 0 && state.Status == BookStatus.Live)
        {
            ref TickEvent first = ref pending.Peek();
            if (!first.IsFirstChunk)
            {
                pending.Pop(); // remains of a message cut by overflow
                continue;
            }

            SequenceVerdict verdict = OnDelta(ref state, in first);
            if (verdict == SequenceVerdict.Gap)
            {
                // The gap message stays buffered: a later snapshot may bridge it.
                EnterResync(set, index, ref set.IntegrityRef(state.Venue).Gaps, ref state.Counters.Gaps);
                return;
            }

            while (pending.Count > 0)
            {
                ref TickEvent chunk = ref pending.Peek();
                if (verdict == SequenceVerdict.Apply)
                {
                    ApplyLevels(book, in chunk);
                }

                bool isLast = chunk.IsLastChunk;
                if (isLast)
                {
                    TickEvent lastChunk = chunk; // copied: Pop frees the slot
                    pending.Pop();
                    if (verdict == SequenceVerdict.Apply)
                    {
                        state.Counters.DeltasApplied++;
                        FinishApplied(set, index, in lastChunk);
                    }
                    else
                    {
                        state.Counters.PreSnapshotDropped++;
                    }

                    break;
                }

                pending.Pop();
            }
        }
    }

    private static void ApplyTop(BookSet set, int index, in TickEvent evt)
    {
        ref TopOfBook top = ref set.TopRef(index);
        ref BookSyncState state = ref set.StateRef(index);
        BookLevel bid = evt.BidCount > 0 ? evt.Levels[0] : default;
        BookLevel ask = evt.AskCount > 0 ? evt.Levels[evt.BidCount] : default;
        bool stale = top.IsSet && evt.LastUpdateId != 0 && evt.LastUpdateId <= top.LastUpdateId;
        bool crossed = bid.Price.IsSet && ask.Price.IsSet && bid.Price.Raw >= ask.Price.Raw;
        if (stale || crossed)
        {
            state.Counters.TopsDropped++;
            ref VenueIntegrity integrity = ref set.IntegrityRef(state.Venue);
            if (stale)
            {
                integrity.StaleDrops++;
            }
            else
            {
                integrity.CrossedBooks++;
            }

            return;
        }

        top.Bid = bid;
        top.Ask = ask;
        top.LastUpdateId = evt.LastUpdateId;
        top.ExchangeTimeNs = evt.ExchangeTimeNs;
        top.ReceiveTimeNs = evt.ReceiveTimeNs;
        top.ReceiveTimestamp = evt.ReceiveTimestamp;
        top.IsSet = true;
        state.Counters.TopsApplied++;
        set.Touch(index);
    }

    private static void EnterResync(BookSet set, int index, ref long venueCounter, ref long bookCounter)
    {
        ref BookSyncState state = ref set.StateRef(index);
        venueCounter++;
        bookCounter++;
        if (state.Status != BookStatus.Resync)
        {
            state.Status = BookStatus.Resync;
            state.Counters.Resyncs++;
            set.IntegrityRef(state.Venue).Resyncs++;
        }

        state.AwaitingFirstDelta = false;
        set.SetNeedsSnapshot(index, true);
        set.Touch(index); // tradeability changed: the edge stage must see it
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyLevels(L2Book book, in TickEvent evt)
    {
        int bids = evt.BidCount;
        int total = bids + evt.AskCount;
        for (int i = 0; i < bids; i++)
        {
            book.Set(Side.Bid, evt.Levels[i].Price, evt.Levels[i].Quantity);
        }

        for (int i = bids; i < total; i++)
        {
            book.Set(Side.Ask, evt.Levels[i].Price, evt.Levels[i].Quantity);
        }
    }

    // ---- rule dispatch: one arm per SequenceRule; rule classes are static, so each call is direct ----

    private static void OnSnapshot(ref BookSyncState state, in TickEvent last)
    {
        switch (state.Rule)
        {
            case SequenceRule.BinanceSpot:
                BinanceSpotBookRules.OnSnapshot(ref state, in last);
                break;
            case SequenceRule.BinanceFutures:
                BinanceFuturesBookRules.OnSnapshot(ref state, in last);
                break;
            case SequenceRule.Okx:
                OkxBookRules.OnSnapshot(ref state, in last);
                break;
            case SequenceRule.Kraken:
                KrakenBookRules.OnSnapshot(ref state, in last);
                break;
            case SequenceRule.Coinbase:
                CoinbaseBookRules.OnSnapshot(ref state, in last);
                break;
            case SequenceRule.Bybit:
                BybitBookRules.OnSnapshot(ref state, in last);
                break;
            default:
                state.LastUpdateId = last.LastUpdateId;
                state.AwaitingFirstDelta = false;
                break;
        }
    }

    private static bool IsStaleSnapshot(in BookSyncState state, in TickEvent first) => state.Rule switch
    {
        SequenceRule.BinanceSpot => BinanceSpotBookRules.IsStaleSnapshot(in state, in first),
        SequenceRule.BinanceFutures => BinanceFuturesBookRules.IsStaleSnapshot(in state, in first),
        _ => false, // OKX and Kraken snapshots come in band and always reset the book (OKX seqIds restart after maintenance)
    };

        private static SequenceVerdict OnDelta(ref BookSyncState state, in TickEvent first) => state.Rule switch
    {
        SequenceRule.BinanceSpot => BinanceSpotBookRules.OnDelta(ref state, in first),
        SequenceRule.BinanceFutures => BinanceFuturesBookRules.OnDelta(ref state, in first),
        SequenceRule.Okx => OkxBookRules.OnDelta(ref state, in first),
        SequenceRule.Kraken => KrakenBookRules.OnDelta(ref state, in first),
        SequenceRule.Coinbase => CoinbaseBookRules.OnDelta(ref state, in first),
        SequenceRule.Bybit => BybitBookRules.OnDelta(ref state, in first),
        _ => SequenceVerdict.Apply, // None: no venue ids to check
    };

    private static bool VerifyChecksum(L2Book book, in BookSyncState state, uint checksum) => state.Rule switch
    {
        SequenceRule.Okx => OkxBookRules.VerifyChecksum(book, in state, checksum),
        SequenceRule.Kraken => KrakenBookRules.VerifyChecksum(book, in state, checksum),
        _ => true, // Binance and simulated venues have no checksum and never set HasChecksum
    };
}
