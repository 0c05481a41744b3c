using System.Text.Json;
using System.Threading.Channels;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// Ethereum JSON-RPC client over HTTP or WebSocket. Every call returns an <see cref="RpcResult{T}"/>: the
/// value or an error value (node error with code/message/data, transport, timeout, malformed answer);
/// nothing is thrown for network or node faults and nothing waits longer than
/// <see cref="JsonRpcOptions.RequestTimeout"/> per attempt.
/// Retries (exponential back-off with full jitter) happen only after transport failures and timeouts,
/// never after a node's definite answer. Thread-safe: any thread, concurrently. Allocates (cold path:
/// start-up, reconciliation, submission side).
/// </summary>
public sealed class JsonRpcClient : IAsyncDisposable
{
    private readonly IJsonRpcTransport _transport;
    private readonly bool _ownsTransport;
    private long _nextId;
    private long _retries;

    public JsonRpcClient(IJsonRpcTransport transport, JsonRpcOptions? options = null, bool ownsTransport = true)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _ownsTransport = ownsTransport;
        Options = options ?? new JsonRpcOptions();
    }

    public JsonRpcOptions Options { get; }

    /// <summary>The transport (a <see cref="WsJsonRpcTransport"/> when subscriptions are available).</summary>
    public IJsonRpcTransport Transport => _transport;

    /// <summary>Attempts repeated after transport failures or timeouts.</summary>
    public long RetryCount => Interlocked.Read(ref _retries);

    /// <summary>A client over HTTP (pooled keep-alive connections).</summary>
    public static JsonRpcClient ForHttp(Uri endpoint, JsonRpcOptions? options = null, IJsonRpcRequestSigner? signer = null)
    {
        options ??= new JsonRpcOptions();
        return new JsonRpcClient(new HttpJsonRpcTransport(endpoint, options, signer), options);
    }

    /// <summary>A client over one WebSocket; waits for the first connection (later ones are automatic).</summary>
    public static async Task<RpcResult<JsonRpcClient>> ConnectWsAsync(Uri endpoint, JsonRpcOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new JsonRpcOptions();
        var transport = new WsJsonRpcTransport(endpoint, options);
        var connected = await transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (!connected.IsOk)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            return connected.Error;
        }

        return new JsonRpcClient(transport, options);
    }

    /// <summary>Calls <paramref name="method"/>; <paramref name="retry"/> false sends exactly once.</summary>
    public async Task<RpcResult<JsonElement>> CallAsync(string method, ReadOnlyMemory<byte> paramsJson, bool retry = true, CancellationToken cancellationToken = default)
    {
        var results = await BatchCoreAsync([new RpcCall(method, paramsJson)], asBatch: false, retry, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Calls and parses the result.</summary>
    public async Task<RpcResult<T>> CallAsync<T>(string method, ReadOnlyMemory<byte> paramsJson, Func<JsonElement, RpcResult<T>> parse, bool retry = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var result = await CallAsync(method, paramsJson, retry, cancellationToken).ConfigureAwait(false);
        return result.Then(parse);
    }

    /// <summary>
    /// Sends all calls in one JSON array and returns the answers in call order, matched by id. Calls whose
    /// attempt failed in transport are retried (all calls in a batch must be safe to repeat).
    /// </summary>
    public Task<RpcResult<JsonElement>[]> BatchAsync(IReadOnlyList<RpcCall> calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return calls.Count == 0
            ? Task.FromResult(System.Array.Empty<RpcResult<JsonElement>>())
            : BatchCoreAsync([.. calls], asBatch: true, retry: true, cancellationToken);
    }

    public Task<RpcResult<ulong>> ChainIdAsync(CancellationToken cancellationToken = default) =>
        CallAsync("eth_chainId", RpcParams.Empty, e => RpcJson.QuantityUInt64(e), true, cancellationToken);

    public Task<RpcResult<ulong>> BlockNumberAsync(CancellationToken cancellationToken = default) =>
        CallAsync("eth_blockNumber", RpcParams.Empty, e => RpcJson.QuantityUInt64(e), true, cancellationToken);

    public Task<RpcResult<UInt256>> GetBalanceAsync(Address account, BlockTag block, CancellationToken cancellationToken = default) =>
        CallAsync("eth_getBalance", RpcParams.Strings(account.ToLowerHexString(), block.Text), e => RpcJson.Quantity(e), true, cancellationToken);

    public Task<RpcResult<ulong>> GetTransactionCountAsync(Address account, BlockTag block, CancellationToken cancellationToken = default) =>
        CallAsync("eth_getTransactionCount", RpcParams.Strings(account.ToLowerHexString(), block.Text), e => RpcJson.QuantityUInt64(e), true, cancellationToken);

    /// <summary>eth_call: the returned bytes, or the node's error (a revert carries its data in <see cref="RpcError.Data"/>).</summary>
    public Task<RpcResult<byte[]>> EthCallAsync(CallRequest call, BlockTag block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var p = RpcParams.Build(w =>
        {
            call.Write(w);
            w.WriteStringValue(block.Text);
        });
        return CallAsync("eth_call", p, e => RpcJson.Data(e), true, cancellationToken);
    }

    public Task<RpcResult<ulong>> EstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return CallAsync("eth_estimateGas", RpcParams.Build(call.Write), e => RpcJson.QuantityUInt64(e), true, cancellationToken);
    }

    public Task<RpcResult<UInt256>> GasPriceAsync(CancellationToken cancellationToken = default) =>
        CallAsync("eth_gasPrice", RpcParams.Empty, e => RpcJson.Quantity(e), true, cancellationToken);

    public Task<RpcResult<UInt256>> MaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        CallAsync("eth_maxPriorityFeePerGas", RpcParams.Empty, e => RpcJson.Quantity(e), true, cancellationToken);

    public Task<RpcResult<FeeHistory>> FeeHistoryAsync(ulong blockCount, BlockTag newest, IReadOnlyList<double> rewardPercentiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewardPercentiles);
        var p = RpcParams.Build(w =>
        {
            w.WriteStringValue(RpcParams.Quantity(blockCount));
            w.WriteStringValue(newest.Text);
            w.WriteStartArray();
            foreach (var pct in rewardPercentiles)
            {
                w.WriteNumberValue(pct);
            }

            w.WriteEndArray();
        });
        return CallAsync("eth_feeHistory", p, FeeHistory.Parse, true, cancellationToken);
    }

    /// <summary>The block with transaction hashes; null when the node has no such block.</summary>
    public Task<RpcResult<Block?>> GetBlockByNumberAsync(BlockTag block, CancellationToken cancellationToken = default)
    {
        var p = RpcParams.Build(w =>
        {
            w.WriteStringValue(block.Text);
            w.WriteBooleanValue(false);
        });
        return CallAsync("eth_getBlockByNumber", p, e => e.ValueKind == JsonValueKind.Null ? RpcResult<Block?>.Ok(null) : Block.Parse(e).Then(b => RpcResult<Block?>.Ok(b)), true, cancellationToken);
    }

    /// <summary>
    /// eth_sendRawTransaction; returns the transaction hash. A transport failure or timeout re-sends the
    /// same bytes (same hash, so the node cannot execute it twice); if such a retry is answered "already
    /// known", the earlier attempt reached the node and the hash is returned. A node's definite error on the
    /// first answer is returned as is, never re-sent. The answered hash must equal keccak256(raw).
    /// </summary>
    public async Task<RpcResult<byte[]>> SendRawTransactionAsync(ReadOnlyMemory<byte> rawTransaction, CancellationToken cancellationToken = default)
    {
        var expected = Keccak256.Hash(rawTransaction.Span);
        var p = RpcParams.Strings(Hex.Encode(rawTransaction.Span));
        var call = new RpcCall("eth_sendRawTransaction", p);
        var hadTransientFailure = false;
        for (var attempt = 1; ; attempt++)
        {
            var result = (await BatchCoreAsync([call], asBatch: false, retry: false, cancellationToken).ConfigureAwait(false))[0];
            if (result.IsOk)
            {
                var hash = RpcJson.Hash(result.Value);
                if (!hash.IsOk)
                {
                    return hash.Error;
                }

                return hash.Value.AsSpan().SequenceEqual(expected)
                    ? hash
                    : RpcError.Malformed("node answered a hash that is not keccak256 of the sent transaction");
            }

            var error = result.Error;
            if (error.Kind == RpcErrorKind.Node && hadTransientFailure && IsAlreadyKnown(error))
            {
                return expected;
            }

            if (!error.IsTransient || attempt >= Options.MaxAttempts)
            {
                return error;
            }

            hadTransientFailure = true;
            Interlocked.Increment(ref _retries);
            if (!await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false))
            {
                return RpcError.CancelledError();
            }
        }
    }

    /// <summary>The receipt; null while the transaction is pending or unknown.</summary>
    public Task<RpcResult<TransactionReceipt?>> GetTransactionReceiptAsync(ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken = default) =>
        CallAsync("eth_getTransactionReceipt", RpcParams.Strings(Hex.Encode(transactionHash.Span)),
            e => e.ValueKind == JsonValueKind.Null ? RpcResult<TransactionReceipt?>.Ok(null) : TransactionReceipt.Parse(e).Then(r => RpcResult<TransactionReceipt?>.Ok(r)),
            true, cancellationToken);

    public Task<RpcResult<LogEntry[]>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return CallAsync("eth_getLogs", RpcParams.Build(w => filter.Write(w, forSubscription: false)),
            e => RpcJson.ArrayOf(e, "logs", (x, w) => LogEntry.Parse(x, w)), true, cancellationToken);
    }

    /// <summary>Follows new block headers (WebSocket only). Survives reconnects.</summary>
    public Task<RpcResult<RpcSubscription<BlockHeader>>> SubscribeNewHeadsAsync(CancellationToken cancellationToken = default) =>
        SubscribeAsync(RpcParams.Strings("newHeads"), e => BlockHeader.Parse(e), cancellationToken);

    /// <summary>Follows logs matching <paramref name="filter"/> (block range ignored; WebSocket only). Survives reconnects.</summary>
    public Task<RpcResult<RpcSubscription<LogEntry>>> SubscribeLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var p = RpcParams.Build(w =>
        {
            w.WriteStringValue("logs");
            filter.Write(w, forSubscription: true);
        });
        return SubscribeAsync(p, e => LogEntry.Parse(e), cancellationToken);
    }

    /// <summary>A raw eth_subscribe with a parser for notifications (WebSocket only).</summary>
    public async Task<RpcResult<RpcSubscription<T>>> SubscribeAsync<T>(ReadOnlyMemory<byte> subscribeParams, Func<JsonElement, RpcResult<T>> parse, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (_transport is not WsJsonRpcTransport ws)
        {
            return RpcError.Invalid("subscriptions need the WebSocket transport");
        }

        var subscription = new RpcSubscription<T>(parse, Options.SubscriptionCapacity);
        var inner = await ws.SubscribeAsync(subscribeParams, subscription.OnNotification, cancellationToken).ConfigureAwait(false);
        if (!inner.IsOk)
        {
            subscription.Complete();
            return inner.Error;
        }

        subscription.Attach(inner.Value);
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsTransport)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Messages nodes use for "this exact transaction is already in the pool".</summary>
    public static bool IsAlreadyKnown(RpcError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.MessageContains("already known") || error.MessageContains("known transaction") ||
               error.MessageContains("already imported") || error.MessageContains("already in pool");
    }

    private async Task<RpcResult<JsonElement>[]> BatchCoreAsync(RpcCall[] calls, bool asBatch, bool retry, CancellationToken cancellationToken)
    {
        var results = new RpcResult<JsonElement>[calls.Length];
        var todo = Enumerable.Range(0, calls.Length).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            var ids = new long[todo.Length];
            var subset = new RpcCall[todo.Length];
            for (var i = 0; i < todo.Length; i++)
            {
                ids[i] = Interlocked.Increment(ref _nextId);
                subset[i] = calls[todo[i]];
            }

            var body = RpcParams.RequestBody(subset, ids, asBatch);
            var answers = new RpcResult<JsonElement>[todo.Length];
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(Options.RequestTimeout);
                await _transport.ExchangeAsync(body, ids, asBatch, answers, timeout.Token).ConfigureAwait(false);
            }

            var again = new List<int>();
            for (var i = 0; i < todo.Length; i++)
            {
                var answer = answers[i];
                if (!answer.IsOk && answer.Error.Kind == RpcErrorKind.Cancelled && !cancellationToken.IsCancellationRequested)
                {
                    answer = RpcError.TimeoutError($"no answer within {Options.RequestTimeout.TotalMilliseconds} ms");
                }

                results[todo[i]] = answer;
                if (!answer.IsOk && answer.Error.IsTransient)
                {
                    again.Add(todo[i]);
                }
            }

            if (!retry || again.Count == 0 || attempt >= Options.MaxAttempts || cancellationToken.IsCancellationRequested)
            {
                return results;
            }

            Interlocked.Add(ref _retries, again.Count);
            if (!await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false))
            {
                foreach (var i in again)
                {
                    results[i] = RpcError.CancelledError();
                }

                return results;
            }

            todo = [.. again];
        }
    }

    private async Task<bool> BackoffAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Options.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>
/// A typed subscription: notifications are parsed and queued in a bounded channel; when full the oldest
/// is dropped and counted, malformed ones are counted. Read <see cref="Reader"/> from one consumer thread.
/// </summary>
public sealed class RpcSubscription<T>
{
    private readonly Func<JsonElement, RpcResult<T>> _parse;
    private readonly Channel<T> _channel;
    private WsSubscription? _inner;
    private long _dropped;
    private long _malformed;

    internal RpcSubscription(Func<JsonElement, RpcResult<T>> parse, int capacity)
    {
        _parse = parse;
        _channel = Channel.CreateBounded<T>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public ChannelReader<T> Reader => _channel.Reader;

    /// <summary>Notifications dropped because the consumer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Notifications that did not parse (counted, not delivered).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Times the subscription was re-established after a reconnect (there may be a gap).</summary>
    public long ResubscribeCount => _inner?.ResubscribeCount ?? 0;

    /// <summary>The node's current subscription id.</summary>
    public string? ServerId => _inner?.ServerId;

    /// <summary>eth_unsubscribe; completes <see cref="Reader"/>.</summary>
    public async Task<RpcResult<bool>> UnsubscribeAsync(CancellationToken cancellationToken = default)
    {
        var inner = _inner;
        Complete();
        return inner is null ? true : await inner.UnsubscribeAsync(cancellationToken).ConfigureAwait(false);
    }

    internal void Attach(WsSubscription inner) => _inner = inner;

    internal void Complete() => _channel.Writer.TryComplete();

    internal void OnNotification(JsonElement element)
    {
        var parsed = _parse(element);
        if (parsed.IsOk)
        {
            _channel.Writer.TryWrite(parsed.Value);
        }
        else
        {
            Interlocked.Increment(ref _malformed);
        }
    }
}
