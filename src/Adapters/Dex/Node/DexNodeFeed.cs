using System.Text.Json;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Dex.Node;

/// <summary>
/// Pool state from a node: subscribes to <c>logs</c> of the tracker's pools and to <c>newHeads</c> over WebSocket,
/// takes a start-up snapshot, then applies every notification in order. The transport's read loop parses each frame
/// straight from its bytes (<see cref="NotificationParser"/>) into a preallocated single-producer queue; the owner
/// thread drains it into the tracker with <see cref="PumpAsync"/>. A full queue, a resubscription after a reconnect,
/// a gap in heads, a reorg or a log that does not fit all end in a re-snapshot of the pools concerned, taken before any
/// later notification is applied.
/// </summary>
public sealed class DexNodeFeed
{
    private readonly JsonRpcClient _client;
    private readonly WsJsonRpcTransport _ws;
    private readonly DexPoolTracker _tracker;
    private readonly PoolSnapshotter _snapshotter;
    private readonly Item[] _queue;
    private readonly int _mask;
    private long _written; // producer (read loop)
    private long _read;    // consumer (owner)
    private long _overflowed;
    private long _lastResubscribes;
    private WsSubscription? _logs;
    private WsSubscription? _heads;
    private long _queueDrops;

    public DexNodeFeed(JsonRpcClient client, DexPoolTracker tracker, int queueCapacity = 8192, int wordsEachSide = 2)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tracker);
        if (client.Transport is not WsJsonRpcTransport ws)
        {
            throw new ArgumentException("the pool feed needs a WebSocket client (subscriptions)", nameof(client));
        }

        if (queueCapacity < 2 || (queueCapacity & (queueCapacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(queueCapacity), "a power of two");
        }

        _client = client;
        _ws = ws;
        _tracker = tracker;
        _snapshotter = new PoolSnapshotter(client, wordsEachSide);
        _queue = new Item[queueCapacity];
        _mask = queueCapacity - 1;
    }

    public DexPoolTracker Tracker => _tracker;

    /// <summary>Notifications lost because the queue was full (each one caused a re-snapshot).</summary>
    public long QueueDrops => Interlocked.Read(ref _queueDrops);

    /// <summary>Snapshots taken (start-up included).</summary>
    public long Snapshots { get; private set; }

    /// <summary>The last snapshot error, if the node refused or failed one (the next pump tries again).</summary>
    public RpcError? LastSnapshotError { get; private set; }

    /// <summary>Subscribes, then takes the start-up snapshot of every pool.</summary>
    public async Task<RpcResult<ulong>> StartAsync(CancellationToken cancellationToken = default)
    {
        byte[] logParams = RpcParams.Build(w =>
        {
            w.WriteStringValue("logs");
            w.WriteStartObject();
            w.WritePropertyName("address"u8);
            w.WriteStartArray();
            for (int i = 0; i < _tracker.PoolCount; i++)
            {
                w.WriteStringValue(_tracker.AddressOf(i).ToLowerHexString());
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        RpcResult<WsSubscription> logs = await _ws.SubscribeRawAsync(logParams, OnLogFrame, cancellationToken).ConfigureAwait(false);
        if (!logs.IsOk)
        {
            return logs.Error!;
        }

        RpcResult<WsSubscription> heads = await _ws.SubscribeRawAsync(RpcParams.Strings("newHeads"), OnHeadFrame, cancellationToken).ConfigureAwait(false);
        if (!heads.IsOk)
        {
            return heads.Error!;
        }

        _logs = logs.Value;
        _heads = heads.Value;
        RpcResult<ulong> snapshot = await _snapshotter.SnapshotAsync(_tracker, all: true, cancellationToken).ConfigureAwait(false);
        Snapshots++;
        return snapshot;
    }

    /// <summary>
    /// Applies every queued notification in order, re-snapshotting first whenever the tracker needs it. Returns how
    /// many notifications were applied. Owner thread only.
    /// </summary>
    public async Task<int> PumpAsync(CancellationToken cancellationToken = default)
    {
        int applied = 0;
        while (true)
        {
            long resubscribes = (_logs?.ResubscribeCount ?? 0) + (_heads?.ResubscribeCount ?? 0);
            if (resubscribes != _lastResubscribes || Interlocked.Exchange(ref _overflowed, 0) != 0)
            {
                _lastResubscribes = resubscribes;
                _tracker.MarkNotificationGap();
            }

            if (_tracker.NeedsSnapshot)
            {
                RpcResult<ulong> s = await _snapshotter.SnapshotAsync(_tracker, all: false, cancellationToken).ConfigureAwait(false);
                Snapshots++;
                LastSnapshotError = s.IsOk ? null : s.Error;
                if (!s.IsOk)
                {
                    return applied;
                }
            }

            long available = Volatile.Read(ref _written);
            if (_read == available)
            {
                return applied;
            }

            ref Item item = ref _queue[(int)(_read & _mask)];
            if (item.Status != DecodeStatus.Ok)
            {
                _tracker.CountRefused(item.Status);
            }
            else if (item.IsHead)
            {
                _ = _tracker.OnHead(item.Head);
            }
            else
            {
                _ = _tracker.Apply(item.Log);
            }

            Volatile.Write(ref _read, _read + 1);
            applied++;
        }
    }

    /// <summary>
    /// Pumps until the tracker's head is <paramref name="block"/> or later (and, when given, has hash
    /// <paramref name="hash"/>: after a reorg the number alone can be the old branch's) and needs no snapshot, or the token ends.
    /// </summary>
    public async Task<bool> PumpUntilHeadAsync(ulong block, CancellationToken cancellationToken, Hash32? hash = null)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            _ = await PumpAsync(cancellationToken).ConfigureAwait(false);
            if (_tracker.TryGetHead(out HeadInfo head) && head.Number >= block && (hash is null || head.Hash == hash.Value) && !_tracker.NeedsSnapshot && Volatile.Read(ref _written) == _read)
            {
                return true;
            }

            try
            {
                await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    public async Task UnsubscribeAsync()
    {
        if (_logs is not null)
        {
            _ = await _logs.UnsubscribeAsync().ConfigureAwait(false);
        }

        if (_heads is not null)
        {
            _ = await _heads.UnsubscribeAsync().ConfigureAwait(false);
        }
    }

    private void OnLogFrame(ReadOnlySpan<byte> frame)
    {
        if (TryClaim(out long slot))
        {
            ref Item item = ref _queue[(int)(slot & _mask)];
            item.IsHead = false;
            item.Status = NotificationParser.ParseLogNotification(frame, out item.Log);
            Volatile.Write(ref _written, slot + 1);
        }
    }

    private void OnHeadFrame(ReadOnlySpan<byte> frame)
    {
        if (TryClaim(out long slot))
        {
            ref Item item = ref _queue[(int)(slot & _mask)];
            item.IsHead = true;
            item.Status = NotificationParser.ParseHeadNotification(frame, out item.Head);
            Volatile.Write(ref _written, slot + 1);
        }
    }

    private bool TryClaim(out long slot)
    {
        slot = _written;
        if (slot - Volatile.Read(ref _read) >= _queue.Length)
        {
            // Full: the notification is lost, so the pools re-snapshot before anything later is applied.
            Interlocked.Increment(ref _queueDrops);
            Interlocked.Exchange(ref _overflowed, 1);
            return false;
        }

        return true;
    }

    private struct Item
    {
        public bool IsHead;
        public DecodeStatus Status;
        public DexLog Log;
        public HeadInfo Head;
    }
}
