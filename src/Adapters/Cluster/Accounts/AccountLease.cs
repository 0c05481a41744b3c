using System.Buffers;
using System.Text.Json;
using LowLatency.Adapters.Ethereum;
using NATS.Client.KeyValueStore;

namespace LowLatency.Adapters.Cluster.Accounts;

/// <summary>
/// Ownership of one signing account: a key in the accounts bucket (<c>acct.0x…</c> → owner, expiry, epoch) taken and
/// renewed with a compare-and-set on its revision. A node takes it when it is free, expired or already its own; each
/// change of owner bumps the epoch. The owner treats it as held until a third of the TTL before the expiry it wrote
/// (room for clock skew between nodes); the nonce stream's sequence check fences a late owner even if clocks lie.
/// </summary>
public sealed class AccountLease : IAsyncDisposable
{
    private readonly ClusterBucket _store;
    private readonly string _node;
    private readonly string _key;
    private readonly TimeSpan _ttl;
    private readonly CancellationTokenSource _stop = new();
    private Task? _renewal;
    private long _heldUntilMs;
    private long _epoch;
    private long _renewFailures;
    private long _renewals;

    /// <param name="chainId">The chain whose nonces the lease covers (<c>acct.&lt;chainId&gt;.0x…</c>): one address has a nonce
    /// sequence per chain, so each is owned on its own. Null: the account on its one chain (<c>acct.0x…</c>).</param>
    public AccountLease(ClusterBucket store, string node, Address account, TimeSpan ttl, ulong? chainId = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _store = store;
        _node = node;
        Account = account;
        _key = "acct." + (chainId is { } id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." : "") + account.ToLowerHexString();
        _ttl = ttl;
    }

    public Address Account { get; }

    /// <summary>This node's name in the cluster.</summary>
    public string Node => _node;

    /// <summary>How long one acquisition or renewal holds the account.</summary>
    public TimeSpan Ttl => _ttl;

    /// <summary>The owner epoch this node holds (0 before it first held the account).</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public long RenewFailures => Interlocked.Read(ref _renewFailures);

    /// <summary>Successful renewals by the background loop.</summary>
    public long Renewals => Interlocked.Read(ref _renewals);

    /// <summary>True while this node may sign for the account (local clock, with the skew margin).</summary>
    public bool IsHeld => ClusterBus.NowMs() < Interlocked.Read(ref _heldUntilMs) - (long)(_ttl.TotalMilliseconds / 3);

    /// <summary>Who the bucket says owns the account, and until when (Unix ms); null when nobody ever did.</summary>
    public async Task<(string Owner, long UntilMs, long Epoch)?> ReadAsync(CancellationToken cancellationToken = default)
    {
        var entry = await _store.TryGetEntryAsync(_key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entry.Success && entry.Value.Value is { } bytes && TryParse(bytes, out var o, out var u, out var e) ? (o!, u, e) : null;
    }

    /// <summary>One attempt to take or renew the account. True when this node holds it afterwards.</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken = default)
    {
        long startMs = ClusterBus.NowMs();
        var entry = await _store.TryGetEntryAsync(_key, cancellationToken: cancellationToken).ConfigureAwait(false);
        long epoch;
        ulong revision = 0;
        if (entry.Success)
        {
            if (entry.Value.Value is not { } bytes || !TryParse(bytes, out var owner, out long until, out long e))
            {
                // A damaged record is not a free account: an operator must look at it.
                return false;
            }

            bool mine = string.Equals(owner, _node, StringComparison.Ordinal);
            if (!mine && until > startMs)
            {
                return false;
            }

            epoch = mine ? e : e + 1;
            revision = entry.Value.Revision;
        }
        else if (entry.Error is NatsKVKeyNotFoundException or NatsKVKeyDeletedException)
        {
            epoch = 1;
        }
        else
        {
            return false;
        }

        long untilMs = startMs + (long)_ttl.TotalMilliseconds;
        byte[] value = Json(_node, untilMs, epoch);
        var write = revision == 0
            ? await _store.TryCreateAsync(_key, value, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _store.TryUpdateAsync(_key, value, revision, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!write.Success)
        {
            return false;
        }

        Interlocked.Exchange(ref _epoch, epoch);
        Interlocked.Exchange(ref _heldUntilMs, untilMs);
        return true;
    }

    /// <summary>Polls until this node holds the account (the current owner's lease must expire first) or the guard passes.</summary>
    public async Task<bool> AcquireAsync(TimeSpan guard, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + guard;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await TryAcquireAsync(cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // NATS away: keep trying until the guard.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(20, _ttl.TotalMilliseconds / 10)), cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Renews every third of the TTL in the background; a failed renewal leaves the lease to run out.</summary>
    public void StartRenewing()
    {
        _renewal ??= Task.Run(async () =>
        {
            var ct = _stop.Token;
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_ttl / 3, ct).ConfigureAwait(false);

                // A renewal is cut once it could no longer keep the account held (held until a third of the TTL before
                // the expiry it writes): one stuck on a server that was cut off would otherwise wait out the client's
                // whole request timeout.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(_ttl * 2 / 3);
                try
                {
                    Interlocked.Increment(ref await TryAcquireAsync(attempt.Token).ConfigureAwait(false) ? ref _renewals : ref _renewFailures);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _renewFailures);
                }
            }
        });
    }

    /// <summary>Stops renewing and hands the account back (expiry now) so the next owner need not wait.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _heldUntilMs, 0);
        var entry = await _store.TryGetEntryAsync(_key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entry.Success && entry.Value.Value is { } bytes && TryParse(bytes, out var owner, out _, out long epoch) &&
            string.Equals(owner, _node, StringComparison.Ordinal))
        {
            await _store.TryUpdateAsync(_key, Json(_node, 0, epoch), entry.Value.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops renewing without handing back (what a crash leaves: the lease runs out by itself).</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_renewal != null)
        {
            try
            {
                await _renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static byte[] Json(string owner, long untilMs, long epoch)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("owner", owner);
            w.WriteNumber("until", untilMs);
            w.WriteNumber("epoch", epoch);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryParse(byte[] json, out string? owner, out long untilMs, out long epoch)
    {
        owner = null;
        untilMs = 0;
        epoch = 0;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("owner", out var o) && o.ValueKind == JsonValueKind.String &&
                r.TryGetProperty("until", out var u) && u.TryGetInt64(out untilMs) && r.TryGetProperty("epoch", out var e) && e.TryGetInt64(out epoch))
            {
                owner = o.GetString();
                return owner != null;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
