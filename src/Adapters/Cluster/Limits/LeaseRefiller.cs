using System.Globalization;
using LowLatency.HotPath.Risk;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;

namespace LowLatency.Adapters.Cluster.Limits;

/// <summary>
/// Keeps this node's <see cref="ClusterLease"/> topped up from the limits bucket, on its own task: per slot it reads the
/// key, asks for what it uses plus a chunk (never more than the limit minus every other node's share), and writes its
/// share back with a compare-and-set on the key's revision. A grant reaches the hot path only after the write succeeded;
/// a share is taken from the hot path before it is given back. A round that confirmed every slot extends the lease by
/// its TTL from the round's start; rounds that fail (NATS down, a conflicting configuration) do not, so the node trades
/// on what it has left until the lease runs out, then stops.
/// </summary>
public sealed class LeaseRefiller : IAsyncDisposable
{
    private readonly ClusterLease _lease;
    private readonly ClusterOptions _options;
    private readonly ClusterBucket _store;
    private readonly Func<CancellationToken, Task<bool>>? _confirm;
    private readonly string _node;
    private readonly long[] _granted;
    private readonly long[] _limit;
    private readonly long[] _chunk;
    private readonly string[] _exposureKeys;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private string _day = "";
    private long _rounds;
    private long _failedRounds;
    private long _conflicts;
    private volatile string _status = "starting";

    /// <param name="confirm">A round trip to the server after the round's reads (a round confirms the lease only if it
    /// succeeds): reads alone can come back from a client that has lost its server.</param>
    public LeaseRefiller(ClusterLease lease, ClusterOptions options, ClusterBucket store, Func<CancellationToken, Task<bool>>? confirm = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        if (lease.Assets != options.Assets.Count || lease.Venues != options.Venues.Count)
        {
            throw new ArgumentException("the lease's tables must match the cluster's assets and venues", nameof(lease));
        }

        _lease = lease;
        _options = options;
        _store = store;
        _confirm = confirm;
        _node = options.Node;
        _granted = new long[lease.SlotCount];
        _limit = new long[lease.SlotCount];
        _chunk = new long[lease.SlotCount];
        _exposureKeys = new string[lease.Assets * lease.Venues];
        for (int a = 0; a < lease.Assets; a++)
        {
            for (int v = 0; v < lease.Venues; v++)
            {
                int slot = lease.ExposureSlot(a, v);
                _exposureKeys[slot] = "exp." + options.Assets[a] + "." + options.Venues[v];
                SetLimit(slot, options.ExposureLimitUsd, options.MinChunkUsd);
            }
        }

        SetLimit(lease.NotionalSlot, options.DailyNotionalLimitUsd, Math.Max(options.MinChunkUsd, options.MinNotionalChunkUsd));
        SetLimit(lease.LossSlot, options.DailyLossLimitUsd, 0);
    }

    /// <summary>"ok", "starting", or why the last round failed (one line, no secrets).</summary>
    public string Status => _status;

    public long Rounds => Interlocked.Read(ref _rounds);

    public long FailedRounds => Interlocked.Read(ref _failedRounds);

    /// <summary>Compare-and-set writes that lost to another node's write (retried).</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>What the cluster holds as granted to this node for <paramref name="slot"/>, micro-USD.</summary>
    public long Granted(int slot) => Interlocked.Read(ref _granted[slot]);

    /// <summary>
    /// What this node's lease has used of <paramref name="slot"/>'s share (granted minus left), micro-USD; any thread. Left
    /// is read between two reads of granted that agree: a grant raises granted before left and a give-back lowers left
    /// before granted, so a reading taken across either change can only over-count.
    /// </summary>
    public long Used(int slot)
    {
        while (true)
        {
            long granted = Interlocked.Read(ref _granted[slot]);
            long left = _lease.Left(slot);
            if (Interlocked.Read(ref _granted[slot]) == granted)
            {
                return Math.Max(0, granted - left);
            }
        }
    }

    /// <summary>The bucket key of <paramref name="slot"/> today.</summary>
    public string KeyOf(int slot) => KeyOf(slot, DayOf(ClusterBus.NowMs()));

    /// <summary>
    /// Adopts this node's shares from before a restart: exposure shares come back whole (the old process's in-flight
    /// actions ended with it), the day's shares less what the node used of them before: <paramref name="notionalTodayUsd"/>
    /// as its lease's last reading in the streams says (<see cref="Streams.DayNotionalCount"/>), <paramref name="pnlTodayUsd"/>
    /// from its fills of the day.
    /// </summary>
    public async Task AdoptAsync(double notionalTodayUsd, double pnlTodayUsd, CancellationToken cancellationToken = default)
    {
        _day = DayOf(ClusterBus.NowMs());
        _lease.OnTradeClosed(pnlTodayUsd);
        for (int slot = 0; slot < _granted.Length; slot++)
        {
            var entry = await _store.TryGetEntryAsync(KeyOf(slot, _day), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!entry.Success || entry.Value.Value is not { } bytes || !LimitShares.TryParse(bytes, out var shares, out _) ||
                !shares!.Nodes.TryGetValue(_node, out var mine))
            {
                continue;
            }

            Interlocked.Exchange(ref _granted[slot], mine.Granted);
            long left = slot == _lease.NotionalSlot ? mine.Granted - ClusterLease.ToMicros(notionalTodayUsd) : mine.Granted;
            _lease.Grant(slot, left);
        }
    }

    /// <summary>Starts the background loop.</summary>
    public void Start()
    {
        _loop ??= Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>One refill round now (the loop calls it; tests and start-up may too). True when every slot was confirmed.</summary>
    public async Task<bool> RoundAsync(CancellationToken cancellationToken = default)
    {
        long startedNs = ClusterBus.NowNs();
        Interlocked.Increment(ref _rounds);
        try
        {
            string day = DayOf(ClusterBus.NowMs());
            if (!string.Equals(day, _day, StringComparison.Ordinal))
            {
                // A new UTC day: new keys; the old day's shares lapse with their keys.
                _lease.ResetDay();
                Interlocked.Exchange(ref _granted[_lease.NotionalSlot], 0);
                Interlocked.Exchange(ref _granted[_lease.LossSlot], 0);
                _day = day;
            }

            for (int slot = 0; slot < _granted.Length; slot++)
            {
                string? error = await RefillSlotAsync(slot, day, cancellationToken).ConfigureAwait(false);
                if (error != null)
                {
                    _status = error;
                    Interlocked.Increment(ref _failedRounds);
                    return false;
                }
            }

            if (_confirm != null && !await _confirm(cancellationToken).ConfigureAwait(false))
            {
                _status = "NATS unreachable";
                Interlocked.Increment(ref _failedRounds);
                return false;
            }

            _lease.Extend(startedNs + _options.LeaseTtl.Ticks * 100);
            _status = "ok";
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _status = "limits bucket unreachable: " + e.GetType().Name;
            Interlocked.Increment(ref _failedRounds);
            return false;
        }
    }

    /// <summary>Stops the loop, ends the lease and gives back every unused share (a clean shutdown).</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken = default)
    {
        await StopLoopAsync().ConfigureAwait(false);
        _lease.Expire();
        for (int slot = 0; slot < _granted.Length; slot++)
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                var entry = await _store.TryGetEntryAsync(KeyOf(slot, _day), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!entry.Success || entry.Value.Value is not { } bytes || !LimitShares.TryParse(bytes, out var shares, out _) ||
                    !shares!.Nodes.ContainsKey(_node))
                {
                    break;
                }

                long mine = Interlocked.Read(ref _granted[slot]);
                long taken = _lease.TryRevoke(slot, long.MaxValue);
                long used = Math.Max(0, mine - taken);
                shares.Nodes[_node] = new NodeShare(used, used, ClusterBus.NowMs());
                var write = await _store.TryUpdateAsync(KeyOf(slot, _day), shares.ToJson(), entry.Value.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (write.Success)
                {
                    Interlocked.Exchange(ref _granted[slot], used);
                    break;
                }

                _lease.Grant(slot, taken);
                Interlocked.Increment(ref _conflicts);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_loop != null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // A round longer than the TTL could not extend the lease anyway. It is cut there, so the next round starts at
            // once, on whichever server leads now, instead of waiting out a request to a leader that was cut off.
            using (var round = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                round.CancelAfter(_options.LeaseTtl);
                try
                {
                    await RoundAsync(round.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    _status = "limits round took longer than the lease TTL";
                    Interlocked.Increment(ref _failedRounds);
                }
            }

            await Task.Delay(_options.RefillInterval, ct).ConfigureAwait(false);
        }
    }

    private async Task<string?> RefillSlotAsync(int slot, string day, CancellationToken ct)
    {
        string key = KeyOf(slot, day);
        for (int attempt = 0; attempt < 4; attempt++)
        {
            var entry = await _store.TryGetEntryAsync(key, cancellationToken: ct).ConfigureAwait(false);
            LimitShares? shares;
            ulong revision;
            if (entry.Success)
            {
                if (entry.Value.Value is not { } bytes || !LimitShares.TryParse(bytes, out shares, out var parseError))
                {
                    return "limits bucket key '" + key + "' is damaged; trading stops until an operator fixes it";
                }

                revision = entry.Value.Revision;
            }
            else if (entry.Error is NatsKVKeyNotFoundException or NatsKVKeyDeletedException)
            {
                shares = new LimitShares(_limit[slot]);
                revision = 0;
            }
            else
            {
                return "limits bucket unreachable: " + entry.Error.GetType().Name;
            }

            if (shares!.Limit != _limit[slot])
            {
                return "limit '" + key + "' is " + (shares.Limit / ClusterLease.Scale).ToString("0.##", CultureInfo.InvariantCulture) +
                       " USD in the cluster but " + (_limit[slot] / ClusterLease.Scale).ToString("0.##", CultureInfo.InvariantCulture) +
                       " USD here; this node will not trade until they agree";
            }

            long mine = Interlocked.Read(ref _granted[slot]);
            long used = Used(slot);
            long available = Math.Max(0, _limit[slot] - shares.GrantedToOthers(_node));
            long target = Math.Min(used + _chunk[slot], available);
            long newGranted;
            long taken = 0;
            if (target > mine)
            {
                newGranted = target;
            }
            else if (mine - target > _chunk[slot] || mine > available)
            {
                // Holding much more than this node needs (or more than is free after a limit change): give it back.
                taken = _lease.TryRevoke(slot, mine - Math.Max(target, 0));
                if (taken == 0)
                {
                    return null;
                }

                newGranted = mine - taken;
            }
            else
            {
                return null;
            }

            shares.Nodes[_node] = new NodeShare(newGranted, used, ClusterBus.NowMs());
            byte[] value = shares.ToJson();
            NatsResult<ulong> write;
            try
            {
                write = revision == 0
                    ? await _store.TryCreateAsync(key, value, cancellationToken: ct).ConfigureAwait(false)
                    : await _store.TryUpdateAsync(key, value, revision, cancellationToken: ct).ConfigureAwait(false);
            }
            catch when (taken > 0)
            {
                // A give-back whose write may or may not have landed: what was taken stays out of the lease and counts as
                // given back. The bucket says so, or still counts it for this node (safe); the next round writes it again.
                Interlocked.Exchange(ref _granted[slot], newGranted);
                throw;
            }

            if (write.Success)
            {
                Interlocked.Exchange(ref _granted[slot], newGranted);
                if (newGranted > mine)
                {
                    _lease.Grant(slot, newGranted - mine);
                }

                return null;
            }

            // Not written: what was taken back for the give-back is this node's again (the bucket still says so).
            _lease.Grant(slot, taken);
            if (write.Error is not (NatsKVWrongLastRevisionException or NatsKVCreateException))
            {
                return "limits bucket unreachable: " + write.Error.GetType().Name;
            }

            Interlocked.Increment(ref _conflicts);
        }

        // Lost the race four times in a row: try again next round; the lease is still valid meanwhile.
        return null;
    }

    private string KeyOf(int slot, string day) =>
        slot == _lease.NotionalSlot ? "notional." + day : slot == _lease.LossSlot ? "loss." + day : _exposureKeys[slot];

    private static string DayOf(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    // A trade takes its whole notional from each slot at once: the chunk holds at least the largest one (never more than the limit).
    private void SetLimit(int slot, double usd, double minChunkUsd)
    {
        _limit[slot] = ClusterLease.ToMicros(usd);
        _chunk[slot] = Math.Max(1, ClusterLease.ToMicros(Math.Min(usd, Math.Max(usd * _options.LeaseChunkFraction, minChunkUsd))));
    }
}
