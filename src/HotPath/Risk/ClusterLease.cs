using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Risk;

/// <summary>Why the local cluster lease refused an action (the node's share of a global limit ran out).</summary>
public enum LeaseDenial : byte
{
    None = 0,

    /// <summary>The lease was not refilled in time (NATS unreachable or this node fenced): the node stops trading.</summary>
    Expired,

    /// <summary>Trading paused by the node itself (its stream publisher is backed up).</summary>
    Paused,

    /// <summary>The node's share of the exposure limit for the action's asset on one of its venues is used up.</summary>
    Exposure,

    /// <summary>The node's share of the daily notional limit is used up.</summary>
    DailyNotional,

    /// <summary>The node's share of the daily loss limit is used up.</summary>
    DailyLoss,
}

/// <summary>
/// This node's share of the cluster's global limits, checked on the strategy thread with no network: exposure per
/// (asset, venue), daily notional and daily loss. Each slot holds what is left of the share in micro-USD; a check takes
/// from it with one <see cref="Interlocked"/> add per slot (rolled back if any slot would go negative), so the refiller
/// can grow a share after the cluster granted it and shrink one before it gives it back, without a lock. The lease has
/// a validity (Unix ns): past it every check is refused, never unlimited.
/// </summary>
/// <remarks>
/// Strategy thread: <see cref="TryReserve"/>, <see cref="Release"/>, <see cref="OnTradeClosed"/>. Any thread (the
/// on-chain executor): <see cref="TryReserveAtomic"/>, <see cref="CancelAtomic"/>. One refiller thread:
/// <see cref="Grant"/>, <see cref="TryRevoke"/>, <see cref="Extend"/>, <see cref="ResetDay"/>. Any thread: <see cref="Pause"/>
/// and the readers. Only construction allocates.
/// </remarks>
public sealed class ClusterLease
{
    /// <summary>Fixed-point scale of the slots (micro-USD): integer arithmetic keeps Interlocked exact.</summary>
    public const double Scale = 1_000_000;

    private readonly int _assets;
    private readonly int _venues;
    private readonly long[] _left;
    private readonly long[] _denied = new long[(int)LeaseDenial.DailyLoss + 1];
    private long _validUntilNs;
    private int _paused;
    private long _lossUsed;
    private long _approved;
    private long _atomicApproved;
    private readonly long[] _atomicDenied = new long[(int)LeaseDenial.DailyLoss + 1];

    public ClusterLease(int assets, int venues)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(assets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(venues, 1);
        _assets = assets;
        _venues = venues;
        _left = new long[(assets * venues) + 2];
    }

    public int Assets => _assets;

    public int Venues => _venues;

    /// <summary>Slots: one per (asset, venue), then daily notional, then daily loss.</summary>
    public int SlotCount => _left.Length;

    public int NotionalSlot => _left.Length - 2;

    public int LossSlot => _left.Length - 1;

    /// <summary>Unix ns until which the lease may be used.</summary>
    public long ValidUntilNs => Volatile.Read(ref _validUntilNs);

    public bool IsPaused => Volatile.Read(ref _paused) != 0;

    /// <summary>Approvals so far.</summary>
    public long Approved => Volatile.Read(ref _approved);

    /// <summary>Refusals for <paramref name="reason"/>.</summary>
    public long Denied(LeaseDenial reason) => (uint)reason < (uint)_denied.Length ? Volatile.Read(ref _denied[(int)reason]) : 0;

    /// <summary>Atomic actions approved so far (<see cref="TryReserveAtomic"/>).</summary>
    public long AtomicApproved => Interlocked.Read(ref _atomicApproved);

    /// <summary>Atomic actions refused for <paramref name="reason"/>.</summary>
    public long AtomicDenied(LeaseDenial reason) => (uint)reason < (uint)_atomicDenied.Length ? Interlocked.Read(ref _atomicDenied[(int)reason]) : 0;

    /// <summary>The exposure slot of (asset, venue), or −1 outside the tables.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ExposureSlot(int asset, int venue) =>
        (uint)asset < (uint)_assets && (uint)venue < (uint)_venues ? (asset * _venues) + venue : -1;

    /// <summary>What is left of a slot's share, micro-USD.</summary>
    public long Left(int slot) => Volatile.Read(ref _left[slot]);

    /// <summary>Loss realised today against the loss share, micro-USD (strategy thread writes, others read).</summary>
    public long LossUsed => Volatile.Read(ref _lossUsed);

    /// <summary>
    /// Strategy thread, per action that the gate approved; allocation-free, no waiting. Takes the action's notional from
    /// the exposure slots of its buy and sell venue (once for a one-venue action) and from the daily notional share.
    /// </summary>
    public LeaseDenial TryReserve(in RiskAction action, long nowNs)
    {
        LeaseDenial reason = Evaluate(in action, nowNs);
        // The counters have one writer, this thread: a plain add published by a volatile write, not a locked instruction.
        if (reason != LeaseDenial.None)
        {
            Volatile.Write(ref _denied[(int)reason], _denied[(int)reason] + 1);
            return reason;
        }

        Volatile.Write(ref _approved, _approved + 1);
        return LeaseDenial.None;
    }

    /// <summary>Strategy thread: an approved action finished; its exposure comes back (daily notional stays spent).</summary>
    public void Release(in RiskAction action)
    {
        long amount = ToMicros(action.NotionalUsd);
        if (amount <= 0)
        {
            return;
        }

        int buy = ExposureSlot(action.Asset.Value, action.BuyVenue.Value);
        int sell = ExposureSlot(action.Asset.Value, action.SellVenue.Value);
        if (buy >= 0)
        {
            Interlocked.Add(ref _left[buy], amount);
        }

        if (sell >= 0 && sell != buy)
        {
            Interlocked.Add(ref _left[sell], amount);
        }
    }

    /// <summary>
    /// Strategy thread: an approved action that never traded (a dry run's decision, an unfunded pair): its exposure and
    /// its daily notional both come back, so decisions that send nothing never use up the day.
    /// </summary>
    public void Cancel(in RiskAction action)
    {
        Release(in action);
        CancelAtomic(action.NotionalUsd);
    }

    /// <summary>Strategy thread: a trade closed; a net loss for the day takes from the loss share (profits give it back).</summary>
    public void OnTradeClosed(double pnlUsd)
    {
        if (!double.IsFinite(pnlUsd))
        {
            return;
        }

        long delta = -ToMicros(Math.Abs(pnlUsd)) * Math.Sign(pnlUsd);
        long before = Volatile.Read(ref _lossUsed);
        long after = before + delta;
        Volatile.Write(ref _lossUsed, after);

        // Only the day's net loss counts: the slot moves by the change of max(0, loss).
        long charged = Math.Max(0, after) - Math.Max(0, before);
        if (charged != 0)
        {
            Interlocked.Add(ref _left[LossSlot], -charged);
        }
    }

    /// <summary>
    /// Any thread (the on-chain executor's), per atomic action: a flash-loan bundle borrows and repays in one transaction,
    /// so it holds no exposure while it is out nor after it ends, and takes only its notional from the daily notional share. Refused as <see cref="TryReserve"/> refuses: the lease expired or paused,
    /// the loss share used up (the bundles' losses reach it through <see cref="OnTradeClosed"/>), the day's notional share
    /// too small. Counted apart from <see cref="TryReserve"/>'s counters, which have one writer.
    /// </summary>
    public LeaseDenial TryReserveAtomic(double notionalUsd, long nowNs)
    {
        LeaseDenial reason = EvaluateAtomic(ToMicros(notionalUsd), nowNs);
        if (reason != LeaseDenial.None)
        {
            Interlocked.Increment(ref _atomicDenied[(int)reason]);
            return reason;
        }

        Interlocked.Increment(ref _atomicApproved);
        return LeaseDenial.None;
    }

    /// <summary>
    /// Any thread: an action that never traded gives its day's notional back (an atomic one <see cref="TryReserveAtomic"/>
    /// approved whose bundle never landed; <see cref="Cancel"/>'s part for a pair).
    /// </summary>
    public void CancelAtomic(double notionalUsd)
    {
        long amount = ToMicros(notionalUsd);
        if (amount > 0 && amount != long.MaxValue)
        {
            Interlocked.Add(ref _left[NotionalSlot], amount);
        }
    }

    /// <summary>Refiller: the cluster granted <paramref name="amountMicros"/> more to <paramref name="slot"/> (after the KV write succeeded).</summary>
    public void Grant(int slot, long amountMicros)
    {
        if (amountMicros > 0)
        {
            Interlocked.Add(ref _left[slot], amountMicros);
        }
    }

    /// <summary>
    /// Refiller: takes back up to what is left of <paramref name="slot"/> before the share is returned to the cluster (the
    /// hot path can no longer spend it). Returns what was taken.
    /// </summary>
    public long TryRevoke(int slot, long amountMicros)
    {
        while (true)
        {
            long left = Volatile.Read(ref _left[slot]);
            long take = Math.Min(Math.Max(left, 0), amountMicros);
            if (take <= 0)
            {
                return 0;
            }

            if (Interlocked.CompareExchange(ref _left[slot], left - take, left) == left)
            {
                return take;
            }
        }
    }

    /// <summary>Refiller: the UTC day rolled; the day shares start from zero (the new day's grants refill them).</summary>
    public void ResetDay()
    {
        Interlocked.Exchange(ref _left[NotionalSlot], 0);
        Interlocked.Exchange(ref _left[LossSlot], 0);
        Volatile.Write(ref _lossUsed, 0);
    }

    /// <summary>Refiller: every slot was confirmed with the cluster; the lease may be used until <paramref name="untilNs"/>.</summary>
    public void Extend(long untilNs) => Volatile.Write(ref _validUntilNs, untilNs);

    /// <summary>Refiller or host: the lease ends now (fenced, shutting down).</summary>
    public void Expire() => Volatile.Write(ref _validUntilNs, long.MinValue);

    /// <summary>Any thread: pauses or resumes trading (the publisher's back-pressure).</summary>
    public void Pause(bool paused) => Volatile.Write(ref _paused, paused ? 1 : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ToMicros(double usd) => double.IsFinite(usd) ? (long)Math.Ceiling(usd * Scale) : long.MaxValue;

    // What refuses every action alike: the lease past its validity, trading paused, the loss share used up.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LeaseDenial Standing(long nowNs) =>
        nowNs >= Volatile.Read(ref _validUntilNs) ? LeaseDenial.Expired
        : Volatile.Read(ref _paused) != 0 ? LeaseDenial.Paused
        : Volatile.Read(ref _left[LossSlot]) <= 0 ? LeaseDenial.DailyLoss
        : LeaseDenial.None;

    private LeaseDenial Evaluate(in RiskAction action, long nowNs)
    {
        if (Standing(nowNs) is var standing and not LeaseDenial.None)
        {
            return standing;
        }

        long amount = ToMicros(action.NotionalUsd);
        int buy = ExposureSlot(action.Asset.Value, action.BuyVenue.Value);
        int sell = ExposureSlot(action.Asset.Value, action.SellVenue.Value);
        if (amount <= 0 || amount == long.MaxValue || buy < 0 || sell < 0)
        {
            // The gate refuses these first; a lease never approves what it cannot account for.
            return LeaseDenial.Exposure;
        }

        if (!Take(NotionalSlot, amount))
        {
            return LeaseDenial.DailyNotional;
        }

        if (!Take(buy, amount))
        {
            Interlocked.Add(ref _left[NotionalSlot], amount);
            return LeaseDenial.Exposure;
        }

        if (sell != buy && !Take(sell, amount))
        {
            Interlocked.Add(ref _left[buy], amount);
            Interlocked.Add(ref _left[NotionalSlot], amount);
            return LeaseDenial.Exposure;
        }

        return LeaseDenial.None;
    }

    private LeaseDenial EvaluateAtomic(long amount, long nowNs)
    {
        if (Standing(nowNs) is var standing and not LeaseDenial.None)
        {
            return standing;
        }

        // A size that is not a positive finite number is not accounted for: refused as the day's notional.
        return amount > 0 && amount != long.MaxValue && Take(NotionalSlot, amount) ? LeaseDenial.None : LeaseDenial.DailyNotional;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Take(int slot, long amount)
    {
        if (Interlocked.Add(ref _left[slot], -amount) >= 0)
        {
            return true;
        }

        Interlocked.Add(ref _left[slot], amount);
        return false;
    }
}
