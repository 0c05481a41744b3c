using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// JSON-RPC over one WebSocket with subscriptions. A background loop owns the socket: it connects,
/// resubscribes every live subscription, reads messages through a <see cref="Pipe"/> (a pooled, segmented
/// buffer, so large answers need no contiguous array), dispatches answers by id and notifications by
/// subscription id, and on any failure fails the pending requests (retryable transport errors), backs off
/// with jitter and reconnects. Thread-safe; allocates per message (cold path).
/// </summary>
public sealed class WsJsonRpcTransport : IJsonRpcTransport
{
    private readonly Uri _endpoint;
    private readonly JsonRpcOptions _options;
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<string, WsSubscription> _byServerId = new(StringComparer.Ordinal);
    private readonly List<WsSubscription> _live = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _gate = new();
    private TaskCompletionSource _connected = NewSignal();
    private ClientWebSocket? _socket;
    private Task? _loop;
    private long _nextInternalId = -1;
    private long _reconnects;
    private long _unmatched;
    private int _rawSubscriptions;
    private byte[] _rawScratch = new byte[64 * 1024]; // read loop only: a frame split across pipe segments, made contiguous

    public WsJsonRpcTransport(Uri endpoint, JsonRpcOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _options = options ?? new JsonRpcOptions();
    }

    /// <summary>Times the connection was re-established after a failure.</summary>
    public long ReconnectCount => Interlocked.Read(ref _reconnects);

    /// <summary>Messages that matched no pending request or subscription (late answers, unknown ids).</summary>
    public long UnmatchedMessages => Interlocked.Read(ref _unmatched);

    /// <summary>True while a socket is open.</summary>
    public bool IsConnected => _connected.Task.IsCompletedSuccessfully;

    /// <summary>
    /// Starts the connection loop and waits for the first connection. Call once at start-up; later
    /// reconnects are automatic. Returns an error value when the first connection cannot be made in time.
    /// </summary>
    public async Task<RpcResult<bool>> ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(_disposed.Token));
        }

        return await WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ExchangeAsync(ReadOnlyMemory<byte> body, long[] ids, bool isBatch, RpcResult<JsonElement>[] results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(results);
        var pending = new PendingRequest[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            pending[i] = new PendingRequest(null);
        }

        await ExchangeCoreAsync(body, ids, pending, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < ids.Length; i++)
        {
            results[i] = pending[i].Completion.Task.IsCompletedSuccessfully
                ? pending[i].Completion.Task.Result
                : RpcError.CancelledError();
        }
    }

    /// <summary>
    /// Subscribes (eth_subscribe with <paramref name="subscribeParams"/>) and keeps the subscription alive
    /// across reconnects. <paramref name="onNotification"/> runs on the transport's read loop: it must be
    /// quick and must not block (push into a queue).
    /// </summary>
    public Task<RpcResult<WsSubscription>> SubscribeAsync(ReadOnlyMemory<byte> subscribeParams, Action<JsonElement> onNotification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onNotification);
        return SubscribeCoreAsync(new WsSubscription(this, subscribeParams, onNotification, null), cancellationToken);
    }

    /// <summary>
    /// As <see cref="SubscribeAsync"/>, but <paramref name="onFrame"/> gets the notification frame's own bytes (the whole
    /// <c>eth_subscription</c> message) to parse with <see cref="Utf8JsonReader"/>: no JsonDocument is built for it. The
    /// span is valid only during the call. Runs on the read loop: quick, no blocking.
    /// </summary>
    public Task<RpcResult<WsSubscription>> SubscribeRawAsync(ReadOnlyMemory<byte> subscribeParams, RawNotificationHandler onFrame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        Interlocked.Increment(ref _rawSubscriptions);
        return SubscribeCoreAsync(new WsSubscription(this, subscribeParams, null, onFrame), cancellationToken);
    }

    private async Task<RpcResult<WsSubscription>> SubscribeCoreAsync(WsSubscription subscription, CancellationToken cancellationToken)
    {
        var connected = await WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (!connected.IsOk)
        {
            return connected.Error;
        }

        lock (_gate)
        {
            _live.Add(subscription);
        }

        var result = await SendSubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            // A transport failure here is repaired by the reconnect loop's resubscribe; a node refusal is final.
            if (!result.Error.IsTransient)
            {
                lock (_gate)
                {
                    _live.Remove(subscription);
                }

                return result.Error;
            }
        }

        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _connected.TrySetCanceled();
        }

        var socket = _socket;
        socket?.Abort();
        if (_loop != null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected on shutdown.
            }
        }

        FailPending(RpcError.TransportError("transport disposed"));
        lock (_gate)
        {
            foreach (var s in _live)
            {
                s.MarkClosed();
            }

            _live.Clear();
        }

        socket?.Dispose();
        _sendLock.Dispose();
        _disposed.Dispose();
    }

    internal async Task<RpcResult<bool>> UnsubscribeAsync(WsSubscription subscription, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _live.Remove(subscription);
        }

        var serverId = subscription.ServerId;
        subscription.MarkClosed();
        if (serverId is null)
        {
            return true;
        }

        _byServerId.TryRemove(serverId, out _);
        var ids = new[] { Interlocked.Decrement(ref _nextInternalId) };
        var body = RpcParams.RequestBody([new RpcCall("eth_unsubscribe", RpcParams.Strings(serverId))], ids, asBatch: false);
        var pending = new[] { new PendingRequest(null) };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        await ExchangeCoreAsync(body, ids, pending, timeout.Token).ConfigureAwait(false);
        var task = pending[0].Completion.Task;
        if (!task.IsCompletedSuccessfully)
        {
            return cancellationToken.IsCancellationRequested ? RpcError.CancelledError() : RpcError.TimeoutError("eth_unsubscribe timed out");
        }

        var answer = task.Result;
        if (!answer.IsOk)
        {
            return answer.Error;
        }

        return answer.Value.ValueKind == JsonValueKind.True
            ? true
            : RpcError.Malformed("eth_unsubscribe did not answer true");
    }

    private async Task<RpcResult<bool>> SendSubscribeAsync(WsSubscription subscription, CancellationToken cancellationToken)
    {
        // One eth_subscribe in flight per subscription, so a reconnect cannot create a duplicate.
        if (!subscription.TryBeginSubscribe())
        {
            return RpcError.TransportError("eth_subscribe already in flight");
        }

        try
        {
            return await SendSubscribeCoreAsync(subscription, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            subscription.EndSubscribe();
        }
    }

    private async Task<RpcResult<bool>> SendSubscribeCoreAsync(WsSubscription subscription, CancellationToken cancellationToken)
    {
        var ids = new[] { Interlocked.Decrement(ref _nextInternalId) };
        var body = RpcParams.RequestBody([new RpcCall("eth_subscribe", subscription.SubscribeParams)], ids, asBatch: false);
        var pending = new[] { new PendingRequest(subscription) };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        await ExchangeCoreAsync(body, ids, pending, timeout.Token).ConfigureAwait(false);
        var task = pending[0].Completion.Task;
        if (!task.IsCompletedSuccessfully)
        {
            return cancellationToken.IsCancellationRequested ? RpcError.CancelledError() : RpcError.TimeoutError("eth_subscribe timed out");
        }

        var answer = task.Result;
        return answer.IsOk ? true : answer.Error;
    }

    // Registers the pending entries, sends, and waits until each is answered, failed or cancelled.
    private async Task ExchangeCoreAsync(ReadOnlyMemory<byte> body, long[] ids, PendingRequest[] pending, CancellationToken cancellationToken)
    {
        var connected = await WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (!connected.IsOk)
        {
            CompleteAll(pending, connected.Error);
            return;
        }

        for (var i = 0; i < ids.Length; i++)
        {
            if (!_pending.TryAdd(ids[i], pending[i]))
            {
                pending[i].Completion.TrySetResult(RpcError.Invalid("duplicate request id"));
            }
        }

        try
        {
            var sent = await SendAsync(body, cancellationToken).ConfigureAwait(false);
            if (!sent.IsOk)
            {
                CompleteAll(pending, sent.Error);
                return;
            }

            for (var i = 0; i < pending.Length; i++)
            {
                try
                {
                    await pending[i].Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    CompleteAll(pending, RpcError.CancelledError());
                    return;
                }
            }
        }
        finally
        {
            foreach (var id in ids)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    private async Task<RpcResult<bool>> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return RpcError.CancelledError();
        }

        try
        {
            var socket = _socket;
            if (socket is not { State: WebSocketState.Open })
            {
                return RpcError.TransportError("WebSocket not open");
            }

            await socket.SendAsync(body, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return RpcError.CancelledError();
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            return RpcError.TransportError("WebSocket send failed: " + ex.Message);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<RpcResult<bool>> WaitConnectedAsync(CancellationToken cancellationToken)
    {
        if (_disposed.IsCancellationRequested)
        {
            return RpcError.TransportError("transport disposed");
        }

        if (_loop is null)
        {
            return RpcError.Invalid("call ConnectAsync first");
        }

        Task signal;
        lock (_gate)
        {
            signal = _connected.Task;
        }

        if (signal.IsCompletedSuccessfully)
        {
            return true;
        }

        try
        {
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested
                ? RpcError.CancelledError()
                : RpcError.TransportError("transport disposed");
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        var everConnected = false;
        while (!stop.IsCancellationRequested)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = _options.WsKeepAlive;
            // Ping/pong with a deadline detects a node that vanished without closing the TCP connection.
            socket.Options.KeepAliveTimeout = _options.WsKeepAlive;
            try
            {
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    connectTimeout.CancelAfter(_options.ConnectTimeout);
                    await socket.ConnectAsync(_endpoint, connectTimeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or System.Net.Http.HttpRequestException)
            {
                socket.Dispose();
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                failures++;
                await DelayAsync(_options.Backoff(failures), stop).ConfigureAwait(false);
                continue;
            }

            if (everConnected)
            {
                Interlocked.Increment(ref _reconnects);
            }

            everConnected = true;
            failures = 0;
            _socket = socket;
            var receive = Task.Run(() => ReceiveLoopAsync(socket, stop), CancellationToken.None);
            _ = ResubscribeAllAsync(stop);
            lock (_gate)
            {
                _connected.TrySetResult();
            }

            await receive.ConfigureAwait(false);

            // Connection lost: later callers wait for the next connection; current ones fail (retryable).
            lock (_gate)
            {
                _connected = NewSignal();
            }

            _socket = null;
            socket.Abort();
            socket.Dispose();
            _byServerId.Clear();
            lock (_gate)
            {
                foreach (var s in _live)
                {
                    s.ServerId = null;
                }
            }

            FailPending(RpcError.TransportError("WebSocket connection lost"));
            if (stop.IsCancellationRequested)
            {
                break;
            }

            await DelayAsync(_options.Backoff(1), stop).ConfigureAwait(false);
        }
    }

    private async Task ResubscribeAllAsync(CancellationToken stop)
    {
        WsSubscription[] live;
        lock (_gate)
        {
            live = [.. _live];
        }

        foreach (var subscription in live)
        {
            if (subscription.ServerId != null || subscription.IsClosed)
            {
                continue;
            }

            // Counted by the read loop when the answer is mapped (OnSubscribed), so the count is current before the
            // first notification on the new id is delivered.
            _ = await SendSubscribeAsync(subscription, stop).ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, CancellationToken stop)
    {
        // No back-pressure: one message is written fully, then read and consumed, by this loop alone.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        try
        {
            while (!stop.IsCancellationRequested)
            {
                long size = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    var memory = pipe.Writer.GetMemory(8192);
                    received = await socket.ReceiveAsync(memory, stop).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    pipe.Writer.Advance(received.Count);
                    size += received.Count;
                    if (size > _options.MaxResponseBytes)
                    {
                        // A node sending unbounded messages gets disconnected; pending calls fail and are retried.
                        return;
                    }
                }
                while (!received.EndOfMessage);

                await pipe.Writer.FlushAsync(stop).ConfigureAwait(false);
                var read = await pipe.Reader.ReadAsync(stop).ConfigureAwait(false);
                Dispatch(read.Buffer);
                pipe.Reader.AdvanceTo(read.Buffer.End);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection failed; the run loop reconnects.
        }
        finally
        {
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Dispatch(ReadOnlySequence<byte> message)
    {
        if (Volatile.Read(ref _rawSubscriptions) > 0 && TryDispatchRaw(message))
        {
            return;
        }

        if (!JsonRpcResponse.TryParseDocument(message, out var document, out _))
        {
            Interlocked.Increment(ref _unmatched);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in root.EnumerateArray())
                {
                    DispatchOne(element);
                }
            }
            else
            {
                DispatchOne(root);
            }
        }
    }

    /// <summary>
    /// A notification for a raw subscription goes to its handler as bytes: the frame is scanned with
    /// <see cref="Utf8JsonReader"/> for <c>method</c> and <c>params.subscription</c> only. False for anything else
    /// (answers, batches, notifications of element subscriptions), which take the document path.
    /// </summary>
    private bool TryDispatchRaw(ReadOnlySequence<byte> message)
    {
        ReadOnlySpan<byte> frame;
        if (message.IsSingleSegment)
        {
            frame = message.FirstSpan;
        }
        else
        {
            if (message.Length > _rawScratch.Length)
            {
                if (message.Length > _options.MaxResponseBytes)
                {
                    return false;
                }

                _rawScratch = new byte[(int)message.Length];
            }

            message.CopyTo(_rawScratch);
            frame = _rawScratch.AsSpan(0, (int)message.Length);
        }

        Span<char> id = stackalloc char[96];
        int idLength = 0;
        bool isNotification = false;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("method"u8))
                {
                    if (!reader.Read() || !reader.ValueTextEquals("eth_subscription"u8))
                    {
                        return false;
                    }

                    isNotification = true;
                }
                else if (reader.ValueTextEquals("params"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    {
                        return false;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isId = reader.ValueTextEquals("subscription"u8);
                        if (!reader.Read())
                        {
                            return false;
                        }

                        if (isId)
                        {
                            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length > id.Length)
                            {
                                return false;
                            }

                            idLength = System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, id);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    if (!reader.Read())
                    {
                        return false;
                    }

                    reader.Skip();
                }

                if (isNotification && idLength > 0)
                {
                    break;
                }
            }
        }
        catch (JsonException)
        {
            return false; // broken JSON: the document path counts it
        }

        if (!isNotification || idLength == 0 ||
            !_byServerId.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(id[..idLength], out WsSubscription? subscription) ||
            !subscription.IsRaw)
        {
            return false;
        }

        subscription.DeliverRaw(frame);
        return true;
    }

    private void DispatchOne(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object &&
            element.TryGetProperty("method", out var method) && method.ValueEquals("eth_subscription"))
        {
            if (element.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object &&
                p.TryGetProperty("subscription", out var sid) && sid.ValueKind == JsonValueKind.String &&
                p.TryGetProperty("result", out var result) &&
                _byServerId.TryGetValue(sid.GetString()!, out var subscription))
            {
                subscription.Deliver(result);
            }
            else
            {
                Interlocked.Increment(ref _unmatched);
            }

            return;
        }

        var (id, answer) = JsonRpcResponse.ParseOne(element);
        if (id == JsonRpcResponse.NoId || !_pending.TryGetValue(id, out var pending))
        {
            Interlocked.Increment(ref _unmatched);
            return;
        }

        // Map the subscription before the next message is read, so no early notification is lost.
        if (pending.SubscribeFor is { } sub && answer.IsOk)
        {
            if (answer.Value.ValueKind == JsonValueKind.String)
            {
                var serverId = answer.Value.GetString()!;
                sub.OnSubscribed(serverId);
                _byServerId[serverId] = sub;
            }
            else
            {
                answer = RpcError.Malformed("eth_subscribe did not answer a subscription id");
            }
        }

        pending.Completion.TrySetResult(answer);
    }

    private void FailPending(RpcError error)
    {
        foreach (var entry in _pending)
        {
            entry.Value.Completion.TrySetResult(error);
        }
    }

    private static void CompleteAll(PendingRequest[] pending, RpcError error)
    {
        foreach (var p in pending)
        {
            p.Completion.TrySetResult(error);
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class PendingRequest(WsSubscription? subscribeFor)
    {
        public TaskCompletionSource<RpcResult<JsonElement>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WsSubscription? SubscribeFor { get; } = subscribeFor;
    }
}

/// <summary>
/// A live eth_subscribe subscription owned by a <see cref="WsJsonRpcTransport"/>; survives reconnects
/// (a new server id is obtained each time). Properties may be read from any thread.
/// </summary>
public sealed class WsSubscription
{
    private readonly WsJsonRpcTransport _transport;
    private readonly Action<JsonElement>? _onNotification;
    private readonly RawNotificationHandler? _onFrame;
    private volatile string? _serverId;
    private long _resubscribes;
    private long _notifications;
    private int _subscribing;
    private bool _everSubscribed; // read loop only
    private volatile bool _closed;

    internal WsSubscription(WsJsonRpcTransport transport, ReadOnlyMemory<byte> subscribeParams, Action<JsonElement>? onNotification, RawNotificationHandler? onFrame)
    {
        _transport = transport;
        SubscribeParams = subscribeParams;
        _onNotification = onNotification;
        _onFrame = onFrame;
    }

    /// <summary>True when notifications are delivered as frame bytes.</summary>
    public bool IsRaw => _onFrame is not null;

    /// <summary>The node's current subscription id (changes after a reconnect; null while disconnected).</summary>
    public string? ServerId
    {
        get => _serverId;
        internal set => _serverId = value;
    }

    /// <summary>Times the subscription was re-established after a reconnect.</summary>
    public long ResubscribeCount => Interlocked.Read(ref _resubscribes);

    /// <summary>Notifications delivered to the handler.</summary>
    public long NotificationCount => Interlocked.Read(ref _notifications);

    public bool IsClosed => _closed;

    internal ReadOnlyMemory<byte> SubscribeParams { get; }

    /// <summary>Sends eth_unsubscribe and stops delivery. Any thread; allocates.</summary>
    public Task<RpcResult<bool>> UnsubscribeAsync(CancellationToken cancellationToken = default) =>
        _transport.UnsubscribeAsync(this, cancellationToken);

    internal void Deliver(JsonElement result)
    {
        if (_closed)
        {
            return;
        }

        Interlocked.Increment(ref _notifications);
        if (_onNotification is not null)
        {
            _onNotification(result);
        }
        else
        {
            // A raw subscription's notification that reached the document path (a batch frame): hand over its text.
            _onFrame!(System.Text.Encoding.UTF8.GetBytes("{\"method\":\"eth_subscription\",\"params\":{\"result\":" + result.GetRawText() + "}}"));
        }
    }

    internal void DeliverRaw(ReadOnlySpan<byte> frame)
    {
        if (_closed)
        {
            return;
        }

        Interlocked.Increment(ref _notifications);
        _onFrame!(frame);
    }

    // Read loop: a server id for this subscription; every one after the first is a resubscribe.
    internal void OnSubscribed(string serverId)
    {
        if (_everSubscribed)
        {
            Interlocked.Increment(ref _resubscribes);
        }

        _everSubscribed = true;
        _serverId = serverId;
    }

    internal bool TryBeginSubscribe() => Interlocked.CompareExchange(ref _subscribing, 1, 0) == 0;

    internal void EndSubscribe() => Volatile.Write(ref _subscribing, 0);

    internal void MarkClosed() => _closed = true;
}

/// <summary>Receives one notification frame's bytes (valid only during the call).</summary>
public delegate void RawNotificationHandler(ReadOnlySpan<byte> frame);
