using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace LowLatency.Adapters.Cluster;

/// <summary>
/// One node's connection to the cluster: the NATS connection, its JetStream context and the streams and buckets the
/// cluster shares, created idempotently by whichever node comes first.
/// </summary>
/// <remarks>
/// Streams: <see cref="FillsStream"/> (<c>ll.fill.&lt;node&gt;</c>, every fill, deduplicated by message id),
/// <see cref="StateStream"/> (<c>ll.state.&lt;node&gt;</c> heartbeats with state, venues and P&amp;L; <c>ll.risk.&lt;node&gt;</c>
/// breaker trips), <see cref="NoncesStream"/> (<c>ll.nonce.&lt;account&gt;</c>, each signed transaction before it leaves).
/// Buckets: <see cref="LimitsBucket"/> (each global limit's shares per node), <see cref="AccountsBucket"/> (signing-account
/// leases). Replicas are 1 on a single server; a clustered NATS is given <c>replicas</c>.
/// </remarks>
public sealed class ClusterBus : IAsyncDisposable
{
    public const string FillsStream = "LL_FILLS";
    public const string StateStream = "LL_STATE";
    public const string NoncesStream = "LL_NONCES";
    public const string LimitsBucket = "ll_limits";
    public const string AccountsBucket = "ll_accounts";

    private readonly NatsConnection _connection;

    private ClusterBus(NatsConnection connection, string node, NatsJSContext js, ClusterBucket limits, ClusterBucket accounts)
    {
        _connection = connection;
        Node = node;
        JetStream = js;
        Limits = limits;
        Accounts = accounts;
    }

    public string Node { get; }

    public NatsJSContext JetStream { get; }

    public ClusterBucket Limits { get; }

    public ClusterBucket Accounts { get; }

    public INatsConnection Connection => _connection;

    /// <summary>True while the client is connected (it reconnects by itself).</summary>
    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>Connects and makes sure the streams and buckets exist. Fails with a one-line message (never the URL's credentials).</summary>
    public static async Task<ClusterBus> ConnectAsync(string url, string node, int replicas = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentException.ThrowIfNullOrEmpty(node);
        var opts = NatsOpts.Default with
        {
            Url = url,
            Name = "lowlatency-" + node,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(5),

            // Reconnect for ever: a node outlives its NATS server's restarts; its lease stops it from trading meanwhile.
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(1),

            // A server that stops answering with its socket open (frozen, or cut off from this box) is left after three
            // missed pings, about 3 s, for another server of the cluster; the client's default waits 4 minutes.
            PingInterval = TimeSpan.FromSeconds(1),
            MaxPingOut = 3,
        };
        var connection = new NatsConnection(opts);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            var js = new NatsJSContext(connection);
            await js.CreateOrUpdateStreamAsync(
                new StreamConfig(FillsStream, ["ll.fill.*"])
                {
                    Storage = StreamConfigStorage.File,
                    NumReplicas = replicas,
                    DuplicateWindow = TimeSpan.FromMinutes(10),
                    MaxAge = TimeSpan.FromDays(7),
                },
                cancellationToken).ConfigureAwait(false);
            await js.CreateOrUpdateStreamAsync(
                new StreamConfig(StateStream, ["ll.state.*", "ll.risk.*"])
                {
                    Storage = StreamConfigStorage.File,
                    NumReplicas = replicas,
                    MaxMsgsPerSubject = 64,
                    MaxAge = TimeSpan.FromDays(1),
                },
                cancellationToken).ConfigureAwait(false);
            await js.CreateOrUpdateStreamAsync(
                new StreamConfig(NoncesStream, ["ll.nonce.*"])
                {
                    Storage = StreamConfigStorage.File,
                    NumReplicas = replicas,
                    DuplicateWindow = TimeSpan.FromMinutes(10),
                },
                cancellationToken).ConfigureAwait(false);
            var kv = new NatsKVContext(js);
            var limits = await BucketAsync(js, kv, LimitsBucket, replicas, cancellationToken).ConfigureAwait(false);
            var accounts = await BucketAsync(js, kv, AccountsBucket, replicas, cancellationToken).ConfigureAwait(false);
            return new ClusterBus(connection, node, js, limits, accounts);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ClusterBucket> BucketAsync(NatsJSContext js, NatsKVContext kv, string bucket, int replicas, CancellationToken cancellationToken)
    {
        var store = await kv.CreateOrUpdateStoreAsync(
            new NatsKVConfig(bucket) { History = 1, Storage = NatsKVStorageType.File, NumberOfReplicas = replicas },
            cancellationToken).ConfigureAwait(false);
        var stream = await js.GetStreamAsync("KV_" + bucket, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ClusterBucket(store, stream);
    }

    /// <summary>A round trip to the server now; false when the connection is not open or the server does not answer.</summary>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            return false;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await _connection.PingAsync(timeout.Token).ConfigureAwait(false);
            return _connection.ConnectionState == NatsConnectionState.Open;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Unix milliseconds, wall clock: lease expiries are compared across nodes in these.</summary>
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Unix nanoseconds, wall clock (the hot path's clock in live and paper runs).</summary>
    public static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
