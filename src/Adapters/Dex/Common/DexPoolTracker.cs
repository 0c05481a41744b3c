using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.Dex.Common;

/// <summary>What the tracker did with one log.</summary>
public enum LogOutcome : byte
{
    /// <summary>The pool's state moved to the log's.</summary>
    Applied,

    /// <summary>A <c>removed: true</c> log: the pool went back to its state before that log.</summary>
    RolledBack,

    /// <summary>A known event that changes nothing we keep (Collect, Flash, V2 Swap, …).</summary>
    NoState,

    /// <summary>The same log again (same block, index and block hash): dropped.</summary>
    Duplicate,

    /// <summary>A log at or before the pool's snapshot block: already in the snapshot.</summary>
    BeforeSnapshot,

    /// <summary>No pool at that address is followed.</summary>
    UnknownPool,

    /// <summary>A V2 event for a V3 pool or the other way round.</summary>
    WrongPoolKind,

    /// <summary>The pool has no state yet (no snapshot, no seeding event).</summary>
    NotSeeded,

    /// <summary>The pool waits for a snapshot; its logs are dropped until it is loaded.</summary>
    Stale,

    /// <summary>A removed log the pool never applied (or already undid): nothing to undo.</summary>
    RemovedNotApplied,

    /// <summary>A log older than the pool's last one and not a duplicate: a gap; the pool re-snapshots.</summary>
    OutOfOrder,

    /// <summary>
    /// The log contradicts our state (amounts that do not match, a price outside the ticks' range, liquidity that
    /// would overflow or underflow, a removal we cannot undo): the pool is unchanged and re-snapshots.
    /// </summary>
    Rejected,
}

/// <summary>What a new head told the tracker.</summary>
public enum HeadOutcome : byte
{
    /// <summary>The first head, or the child of the last one.</summary>
    Next,

    /// <summary>Blocks were skipped: every pool re-snapshots.</summary>
    Gap,

    /// <summary>The head does not extend the last one (a reorg, or a chain reverted): every pool re-snapshots.</summary>
    Reorg,

    /// <summary>The same head again.</summary>
    Duplicate,
}

/// <summary>Counts of every outcome; nothing is dropped without a count.</summary>
public struct TrackerCounters
{
    public long Applied;
    public long RolledBack;
    public long NoState;
    public long Duplicates;
    public long BeforeSnapshot;
    public long UnknownPool;
    public long UnknownTopic;
    public long Malformed;
    public long WrongPoolKind;
    public long NotSeeded;
    public long Stale;
    public long RemovedNotApplied;
    public long OutOfOrder;
    public long Rejected;
    public long Seeded;
    public long Heads;
    public long HeadGaps;
    public long Reorgs;
    public long NotificationGaps;
    public long SnapshotsLoaded;

    /// <summary>Logs that changed nothing because they were refused (as opposed to applied, undone or known no-ops).</summary>
    public readonly long Dropped => Duplicates + UnknownPool + UnknownTopic + Malformed + WrongPoolKind + NotSeeded + Stale + OutOfOrder + Rejected;
}

/// <summary>
/// The state of followed Uniswap V2/V3 pools, driven by decoded logs in chain order: snapshots load it, logs move it,
/// removed logs roll it back (from a bounded journal per pool), and anything that does not fit (a gap in heads, a log
/// out of order, a contradiction) marks the pool stale for a re-snapshot. Every check runs before any write, so a
/// refused log never changes a pool. Single-threaded (the feed's owner thread); applying a log allocates nothing.
/// </summary>
public sealed class DexPoolTracker
{
    private readonly Dictionary<Address, int> _byAddress = [];
    private readonly List<PoolEntry> _pools = [];
    private readonly int _journalDepth;
    private readonly bool _seedFromLogs;
    private TrackerCounters _counters;
    private HeadInfo _head;
    private bool _hasHead;

    /// <param name="journalDepth">Applied logs kept per pool for rollback.</param>
    /// <param name="seedFromLogs">
    /// Replay mode: a pool with no snapshot takes its state from its first Swap (V3) and keeps following Swaps after a
    /// refusal; its tick map stays unknown (Mint/Burn change only the in-range liquidity).
    /// </param>
    public DexPoolTracker(int journalDepth = 256, bool seedFromLogs = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(journalDepth, 1);
        _journalDepth = journalDepth;
        _seedFromLogs = seedFromLogs;
    }

    public ref readonly TrackerCounters Counters => ref _counters;

    public int PoolCount => _pools.Count;

    /// <summary>The last head accepted (its base fee feeds the chain's gas quote).</summary>
    public bool TryGetHead(out HeadInfo head)
    {
        head = _head;
        return _hasHead;
    }

    /// <summary>True while some pool waits for a snapshot.</summary>
    public bool NeedsSnapshot { get; private set; }

    public int AddV3Pool(Address address, uint feePips, int tickSpacing)
    {
        var entry = new PoolEntry(address, new V3Pool(feePips, tickSpacing, tickCapacity: 256), _journalDepth);
        return Add(entry);
    }

    public int AddV2Pool(Address address, uint feeBps)
    {
        var entry = new PoolEntry(address, null, _journalDepth);
        entry.V2.FeeBps = feeBps;
        return Add(entry);
    }

    public bool TryGetIndex(Address address, out int index) => _byAddress.TryGetValue(address, out index);

    public Address AddressOf(int index) => _pools[index].Address;

    public bool IsV3(int index) => _pools[index].V3 is not null;

    /// <summary>The V3 pool (quote it; do not mutate it outside the tracker).</summary>
    public V3Pool V3(int index) => _pools[index].V3 ?? throw new InvalidOperationException("not a V3 pool");

    public V2PoolState V2(int index) => _pools[index].V2;

    public bool HasState(int index) => _pools[index].HasState;

    public bool IsStale(int index) => _pools[index].Stale;

    /// <summary>The pool's last applied log (or its snapshot block with log index uint.MaxValue).</summary>
    public LogPosition LastPosition(int index) => _pools[index].Last;

    /// <summary>Counts a log the decoder refused.</summary>
    public void CountRefused(DecodeStatus status)
    {
        if (status == DecodeStatus.UnknownTopic)
        {
            _counters.UnknownTopic++;
        }
        else
        {
            _counters.Malformed++;
        }
    }

    /// <summary>A notification was lost (dropped in a full queue, a resubscription after a reconnect): every pool re-snapshots.</summary>
    public void MarkNotificationGap()
    {
        _counters.NotificationGaps++;
        MarkAllStale();
    }

    /// <summary>Marks one pool for a re-snapshot.</summary>
    public void MarkStale(int index)
    {
        _pools[index].Stale = true;
        NeedsSnapshot = true;
    }

    public HeadOutcome OnHead(in HeadInfo head)
    {
        _counters.Heads++;
        if (!_hasHead)
        {
            _head = head;
            _hasHead = true;
            return HeadOutcome.Next;
        }

        if (head.Number == _head.Number && head.Hash == _head.Hash)
        {
            return HeadOutcome.Duplicate;
        }

        HeadOutcome outcome;
        if (head.Number == _head.Number + 1 && head.ParentHash == _head.Hash)
        {
            outcome = HeadOutcome.Next;
        }
        else if (head.Number > _head.Number + 1)
        {
            _counters.HeadGaps++;
            outcome = HeadOutcome.Gap;
            MarkAllStale();
        }
        else
        {
            _counters.Reorgs++;
            outcome = HeadOutcome.Reorg;
            MarkAllStale();
        }

        _head = head;
        return outcome;
    }

    /// <summary>Loads a V3 pool's state and the ticks of bitmap words [fromWord, toWord] as read at <paramref name="block"/>.</summary>
    public V3Status LoadV3Snapshot(int index, ulong block, in V3PoolState state, ReadOnlySpan<int> ticks, ReadOnlySpan<V3TickInfo> infos, short fromWord, short toWord)
    {
        PoolEntry pool = _pools[index];
        V3Pool v3 = pool.V3 ?? throw new InvalidOperationException("not a V3 pool");
        V3Status valid = V3Pool.ValidateState(state);
        if (valid != V3Status.Ok || ticks.Length != infos.Length)
        {
            return valid != V3Status.Ok ? valid : V3Status.TickDataMissing;
        }

        v3.Ticks.Clear();
        for (int i = 0; i < ticks.Length; i++)
        {
            V3Status set = v3.Ticks.SetTick(ticks[i], infos[i]);
            if (set != V3Status.Ok)
            {
                v3.Ticks.Clear();
                return set;
            }
        }

        v3.Ticks.SetKnownWords(fromWord, toWord);
        v3.State = state;
        pool.TicksKnown = true;
        pool.KnownFrom = fromWord;
        pool.KnownTo = toWord;
        Loaded(pool, block);
        return V3Status.Ok;
    }

    public void LoadV2Snapshot(int index, ulong block, UInt256 reserve0, UInt256 reserve1)
    {
        PoolEntry pool = _pools[index];
        if (pool.V3 is not null)
        {
            throw new InvalidOperationException("not a V2 pool");
        }

        pool.V2.Reserve0 = reserve0;
        pool.V2.Reserve1 = reserve1;
        Loaded(pool, block);
    }

    /// <summary>Applies one decoded log (removed or not) to its pool.</summary>
    public LogOutcome Apply(in DexLog log)
    {
        LogOutcome outcome = ApplyCore(log);
        Count(outcome);
        return outcome;
    }

    private LogOutcome ApplyCore(in DexLog log)
    {
        if (!_byAddress.TryGetValue(log.Pool, out int index))
        {
            return LogOutcome.UnknownPool;
        }

        PoolEntry pool = _pools[index];
        if (log.Kind == DexEventKind.NoState)
        {
            return LogOutcome.NoState;
        }

        bool v3Event = log.Kind is DexEventKind.V3Swap or DexEventKind.V3Mint or DexEventKind.V3Burn or DexEventKind.V3Initialize;
        if (v3Event != (pool.V3 is not null) || log.Kind == DexEventKind.None)
        {
            return LogOutcome.WrongPoolKind;
        }

        if (log.Removed)
        {
            return Rollback(pool, log);
        }

        if (pool.Stale && !(_seedFromLogs && log.Kind is DexEventKind.V3Swap or DexEventKind.V2Sync))
        {
            return LogOutcome.Stale;
        }

        if (pool.HasSnapshot && log.BlockNumber <= pool.SnapshotBlock)
        {
            return LogOutcome.BeforeSnapshot;
        }

        if (pool.HasLast && log.Position <= pool.Last)
        {
            if (pool.JournalContains(log.Position, log.BlockHash))
            {
                return LogOutcome.Duplicate;
            }

            MarkStale(index);
            return LogOutcome.OutOfOrder;
        }

        bool seeding = !pool.HasState || pool.Stale;
        if (seeding)
        {
            bool canSeed = log.Kind == DexEventKind.V2Sync || log.Kind == DexEventKind.V3Initialize ||
                           (_seedFromLogs && log.Kind == DexEventKind.V3Swap);
            if (!canSeed)
            {
                return LogOutcome.NotSeeded;
            }
        }

        var entry = new JournalEntry
        {
            Position = log.Position,
            BlockHash = log.BlockHash,
            PrevLast = pool.Last,
            PrevHasLast = pool.HasLast,
            PrevHasState = pool.HasState,
            PrevStale = pool.Stale,
        };
        if (pool.V3 is { } v3)
        {
            entry.PrevV3 = v3.State;
            LogOutcome applied = log.Kind switch
            {
                DexEventKind.V3Swap => ApplySwap(v3, log),
                DexEventKind.V3Initialize => seeding ? ApplySwap(v3, log) : LogOutcome.Rejected,
                _ => ApplyPosition(pool, v3, log, ref entry),
            };
            if (applied != LogOutcome.Applied)
            {
                if (!_seedFromLogs)
                {
                    MarkStale(index);
                }

                return applied;
            }
        }
        else
        {
            entry.PrevV2 = pool.V2;
            pool.V2.Reserve0 = log.Reserve0;
            pool.V2.Reserve1 = log.Reserve1;
        }

        if (seeding)
        {
            _counters.Seeded++;
        }

        pool.HasState = true;
        pool.Stale = false;
        pool.Last = log.Position;
        pool.HasLast = true;
        pool.Push(entry);
        RecomputeNeedsSnapshot();
        return LogOutcome.Applied;
    }

    private static LogOutcome ApplySwap(V3Pool v3, in DexLog log)
    {
        V3PoolState next = v3.State;
        next.SqrtPriceX96 = log.SqrtPriceX96;
        next.Tick = log.Tick;
        if (log.Kind == DexEventKind.V3Swap)
        {
            next.Liquidity = log.Liquidity;
        }

        if (V3Pool.ValidateState(next) != V3Status.Ok)
        {
            return LogOutcome.Rejected;
        }

        v3.State = next;
        return LogOutcome.Applied;
    }

    /// <summary>Mint/Burn: recomputes the token amounts at the current price (they must equal the log's), then moves the in-range liquidity and the known ticks.</summary>
    private static LogOutcome ApplyPosition(PoolEntry pool, V3Pool v3, in DexLog log, ref JournalEntry entry)
    {
        int lower = log.TickLower, upper = log.TickUpper, spacing = v3.TickSpacing;
        if (lower >= upper || lower < TickMath.MinTick || upper > TickMath.MaxTick || lower % spacing != 0 || upper % spacing != 0 ||
            log.Liquidity > (UInt128)Int128.MaxValue)
        {
            return LogOutcome.Rejected;
        }

        bool mint = log.Kind == DexEventKind.V3Mint;
        Int128 delta = mint ? (Int128)log.Liquidity : -(Int128)log.Liquidity;
        ref readonly V3PoolState state = ref v3.State;
        if (!TickMath.TryGetSqrtRatioAtTick(lower, out UInt256 sqrtA) || !TickMath.TryGetSqrtRatioAtTick(upper, out UInt256 sqrtB))
        {
            return LogOutcome.Rejected;
        }

        Int256 amount0 = Int256.Zero, amount1 = Int256.Zero;
        UInt128 liquidity = state.Liquidity;
        bool ok = true;
        if (delta != 0)
        {
            if (state.Tick < lower)
            {
                ok = SqrtPriceMath.TryGetAmount0Delta(sqrtA, sqrtB, delta, out amount0);
            }
            else if (state.Tick < upper)
            {
                ok = SqrtPriceMath.TryGetAmount0Delta(state.SqrtPriceX96, sqrtB, delta, out amount0) &&
                     SqrtPriceMath.TryGetAmount1Delta(sqrtA, state.SqrtPriceX96, delta, out amount1) &&
                     LiquidityMath.AddDelta(liquidity, delta, out liquidity) == V3Status.Ok;
            }
            else
            {
                ok = SqrtPriceMath.TryGetAmount1Delta(sqrtA, sqrtB, delta, out amount1);
            }
        }

        // The event logs what the position owes (mint, rounded up) or is owed (burn, rounded down), unsigned.
        if (!ok || (mint ? amount0 : -amount0) != log.Amount0 || (mint ? amount1 : -amount1) != log.Amount1)
        {
            return LogOutcome.Rejected;
        }

        bool lowerKnown = pool.IsKnown(lower, spacing), upperKnown = pool.IsKnown(upper, spacing);
        V3TickInfo lowerBefore = default, upperBefore = default, lowerAfter = default, upperAfter = default;
        if (delta != 0 && lowerKnown && !NextTick(v3.Ticks, lower, delta, isUpper: false, out lowerBefore, out lowerAfter))
        {
            return LogOutcome.Rejected;
        }

        if (delta != 0 && upperKnown && !NextTick(v3.Ticks, upper, delta, isUpper: true, out upperBefore, out upperAfter))
        {
            return LogOutcome.Rejected;
        }

        // Every check passed: write.
        if (delta != 0)
        {
            if (lowerKnown)
            {
                _ = v3.Ticks.SetTick(lower, lowerAfter);
            }

            if (upperKnown)
            {
                _ = v3.Ticks.SetTick(upper, upperAfter);
            }

            v3.State.Liquidity = liquidity;
        }

        entry.TickLower = lower;
        entry.TickUpper = upper;
        entry.LowerTouched = delta != 0 && lowerKnown;
        entry.UpperTouched = delta != 0 && upperKnown;
        entry.PrevLowerInfo = lowerBefore;
        entry.PrevUpperInfo = upperBefore;
        return LogOutcome.Applied;
    }

    private static bool NextTick(V3TickTable ticks, int tick, Int128 delta, bool isUpper, out V3TickInfo before, out V3TickInfo after)
    {
        _ = ticks.TryGetTick(tick, out before);
        after = default;
        if (LiquidityMath.AddDelta(before.LiquidityGross, delta, out UInt128 gross) != V3Status.Ok)
        {
            return false;
        }

        Int128 a = before.LiquidityNet;
        Int128 net = isUpper ? a - delta : a + delta;
        bool overflow = isUpper ? ((a ^ delta) & (a ^ net)) < 0 : ((a ^ net) & (delta ^ net)) < 0;
        if (overflow)
        {
            return false; // the contract reverts here too; a log claiming it is refused
        }

        after = new V3TickInfo(gross, gross == UInt128.Zero ? Int128.Zero : net);
        return true;
    }

    private LogOutcome Rollback(PoolEntry pool, in DexLog log)
    {
        int index = _byAddress[pool.Address];
        int found = pool.FindInJournal(log.Position, log.BlockHash);
        if (found < 0)
        {
            if (!pool.HasLast || log.Position > pool.Last)
            {
                return LogOutcome.RemovedNotApplied;
            }

            if (pool.HasSnapshot && log.BlockNumber <= pool.SnapshotBlock || pool.JournalCount == 0 || log.Position < pool.OldestPosition)
            {
                MarkStale(index); // the removed log is inside state we cannot unwind
                return LogOutcome.Rejected;
            }

            return LogOutcome.RemovedNotApplied;
        }

        // Undo the newest entries down to and including the removed one.
        while (pool.JournalCount > found)
        {
            ref JournalEntry e = ref pool.Newest();
            if (pool.V3 is { } v3)
            {
                if (e.UpperTouched)
                {
                    _ = v3.Ticks.SetTick(e.TickUpper, e.PrevUpperInfo);
                }

                if (e.LowerTouched)
                {
                    _ = v3.Ticks.SetTick(e.TickLower, e.PrevLowerInfo);
                }

                v3.State = e.PrevV3;
            }
            else
            {
                pool.V2 = e.PrevV2;
            }

            pool.Last = e.PrevLast;
            pool.HasLast = e.PrevHasLast;
            pool.HasState = e.PrevHasState;
            pool.Stale = e.PrevStale;
            pool.Pop();
        }

        RecomputeNeedsSnapshot();
        return LogOutcome.RolledBack;
    }

    private int Add(PoolEntry entry)
    {
        if (!_byAddress.TryAdd(entry.Address, _pools.Count))
        {
            throw new ArgumentException($"pool {entry.Address} is already followed");
        }

        _pools.Add(entry);
        return _pools.Count - 1;
    }

    private void Loaded(PoolEntry pool, ulong block)
    {
        pool.HasState = true;
        pool.HasSnapshot = true;
        pool.SnapshotBlock = block;
        pool.Last = new LogPosition(block, uint.MaxValue);
        pool.HasLast = true;
        pool.Stale = false;
        pool.ClearJournal();
        _counters.SnapshotsLoaded++;
        RecomputeNeedsSnapshot();
    }

    private void MarkAllStale()
    {
        foreach (PoolEntry p in _pools)
        {
            p.Stale = true;
        }

        NeedsSnapshot = _pools.Count > 0;
    }

    private void RecomputeNeedsSnapshot()
    {
        bool any = false;
        foreach (PoolEntry p in _pools)
        {
            any |= p.Stale && !_seedFromLogs;
        }

        NeedsSnapshot = any;
    }

    private void Count(LogOutcome outcome)
    {
        switch (outcome)
        {
            case LogOutcome.Applied: _counters.Applied++; break;
            case LogOutcome.RolledBack: _counters.RolledBack++; break;
            case LogOutcome.NoState: _counters.NoState++; break;
            case LogOutcome.Duplicate: _counters.Duplicates++; break;
            case LogOutcome.BeforeSnapshot: _counters.BeforeSnapshot++; break;
            case LogOutcome.UnknownPool: _counters.UnknownPool++; break;
            case LogOutcome.WrongPoolKind: _counters.WrongPoolKind++; break;
            case LogOutcome.NotSeeded: _counters.NotSeeded++; break;
            case LogOutcome.Stale: _counters.Stale++; break;
            case LogOutcome.RemovedNotApplied: _counters.RemovedNotApplied++; break;
            case LogOutcome.OutOfOrder: _counters.OutOfOrder++; break;
            default: _counters.Rejected++; break;
        }
    }

    private struct JournalEntry
    {
        public LogPosition Position;
        public Hash32 BlockHash;
        public LogPosition PrevLast;
        public bool PrevHasLast;
        public bool PrevHasState;
        public bool PrevStale;
        public V3PoolState PrevV3;
        public V2PoolState PrevV2;
        public int TickLower;
        public int TickUpper;
        public bool LowerTouched;
        public bool UpperTouched;
        public V3TickInfo PrevLowerInfo;
        public V3TickInfo PrevUpperInfo;
    }

    private sealed class PoolEntry(Address address, V3Pool? v3, int journalDepth)
    {
        private readonly JournalEntry[] _journal = new JournalEntry[journalDepth];
        private int _oldest;

        public Address Address { get; } = address;

        public V3Pool? V3 { get; } = v3;

        public V2PoolState V2;

        public bool HasState { get; set; }

        public bool HasSnapshot { get; set; }

        public ulong SnapshotBlock { get; set; }

        public bool Stale { get; set; }

        public LogPosition Last { get; set; }

        public bool HasLast { get; set; }

        public bool TicksKnown { get; set; }

        public short KnownFrom { get; set; }

        public short KnownTo { get; set; }

        public int JournalCount { get; private set; }

        public LogPosition OldestPosition => _journal[_oldest].Position;

        public bool IsKnown(int tick, int spacing)
        {
            if (!TicksKnown)
            {
                return false;
            }

            int compressed = tick / spacing;
            if (tick < 0 && tick % spacing != 0)
            {
                compressed--;
            }

            int word = compressed >> 8;
            return word >= KnownFrom && word <= KnownTo;
        }

        public void Push(in JournalEntry entry)
        {
            if (JournalCount == _journal.Length)
            {
                _oldest = (_oldest + 1) % _journal.Length; // the oldest falls off: a removal that deep re-snapshots
                JournalCount--;
            }

            _journal[(_oldest + JournalCount) % _journal.Length] = entry;
            JournalCount++;
        }

        public ref JournalEntry Newest() => ref _journal[(_oldest + JournalCount - 1) % _journal.Length];

        public void Pop() => JournalCount--;

        public void ClearJournal()
        {
            JournalCount = 0;
            _oldest = 0;
        }

        /// <summary>Relative index (0 = oldest) of the entry at <paramref name="position"/> with that block hash, or -1.</summary>
        public int FindInJournal(LogPosition position, Hash32 blockHash)
        {
            for (int k = JournalCount - 1; k >= 0; k--)
            {
                ref JournalEntry e = ref _journal[(_oldest + k) % _journal.Length];
                if (e.Position == position)
                {
                    return e.BlockHash == blockHash ? k : -1;
                }

                if (e.Position < position)
                {
                    return -1;
                }
            }

            return -1;
        }

        public bool JournalContains(LogPosition position, Hash32 blockHash) => FindInJournal(position, blockHash) >= 0;
    }
}
