using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Ethereum.Nonces;

/// <summary>What a reconciliation with the node found.</summary>
/// <param name="NodePending">The node's eth_getTransactionCount(pending).</param>
/// <param name="LocalNext">Our next nonce after reconciling (never lower than before).</param>
/// <param name="Gap">How many nonces we issued that the node has not seen (LocalNext - NodePending when positive).</param>
public readonly record struct NonceReconciliation(ulong NodePending, ulong LocalNext, ulong Gap);

/// <summary>
/// Hands out nonces for one account. Starts from the node's pending transaction count and then counts
/// locally. Every nonce handed out is treated as signed: it is never handed out again, whatever the node
/// says later — reconciliation only moves the counter forward (max of local and node). After "nonce too
/// low", "replacement transaction underpriced" or "already known" the caller reports the error and the
/// manager re-reads the node's pending count. Thread-safe (a lock: warm path, not hot path).
/// </summary>
public sealed class NonceManager
{
    private readonly Func<CancellationToken, Task<RpcResult<ulong>>> _fetchPending;
    private readonly object _gate = new();
    private ulong _next;
    private bool _initialised;
    private long _reconciliations;

    /// <param name="account">The account whose nonces this manages.</param>
    /// <param name="fetchPending">Reads the node's pending transaction count for the account.</param>
    public NonceManager(Address account, Func<CancellationToken, Task<RpcResult<ulong>>> fetchPending)
    {
        ArgumentNullException.ThrowIfNull(fetchPending);
        Account = account;
        _fetchPending = fetchPending;
    }

    public Address Account { get; }

    /// <summary>A manager reading eth_getTransactionCount(account, "pending") through <paramref name="client"/>.</summary>
    public static NonceManager ForClient(JsonRpcClient client, Address account)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new NonceManager(account, ct => client.GetTransactionCountAsync(account, BlockTag.Pending, ct));
    }

    /// <summary>The nonce <see cref="Reserve"/> would return next.</summary>
    public ulong Next
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <summary>True once the first node read succeeded.</summary>
    public bool IsInitialised
    {
        get
        {
            lock (_gate)
            {
                return _initialised;
            }
        }
    }

    /// <summary>Reconciliations done after node errors.</summary>
    public long ReconciliationCount => Interlocked.Read(ref _reconciliations);

    /// <summary>Reads the node's pending count and starts from it (call at start-up and after a crash). Allocates.</summary>
    public Task<RpcResult<NonceReconciliation>> InitialiseAsync(CancellationToken cancellationToken = default) =>
        ReconcileAsync(cancellationToken);

    /// <summary>Returns the next nonce and counts it as used. Any thread; no allocation.</summary>
    /// <exception cref="InvalidOperationException">Before a successful <see cref="InitialiseAsync"/> (a start-up bug).</exception>
    public ulong Reserve()
    {
        if (!TryReserve(out var nonce))
        {
            throw new InvalidOperationException("NonceManager used before InitialiseAsync succeeded");
        }

        return nonce;
    }

    /// <summary>Like <see cref="Reserve"/>, false before initialisation.</summary>
    public bool TryReserve(out ulong nonce)
    {
        lock (_gate)
        {
            if (!_initialised)
            {
                nonce = 0;
                return false;
            }

            nonce = _next++;
            return true;
        }
    }

    /// <summary>
    /// Reads the node's pending count and moves the local counter up to it when the node is ahead (another
    /// sender used the account). Never moves it down: nonces we issued stay issued; a positive gap means
    /// transactions we signed are not in the node's pool (yet). Allocates.
    /// </summary>
    public async Task<RpcResult<NonceReconciliation>> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var pending = await _fetchPending(cancellationToken).ConfigureAwait(false);
        if (!pending.IsOk)
        {
            return pending.Error;
        }

        lock (_gate)
        {
            if (!_initialised || pending.Value > _next)
            {
                _next = Math.Max(_next, pending.Value);
            }

            _initialised = true;
            return new NonceReconciliation(pending.Value, _next, _next > pending.Value ? _next - pending.Value : 0);
        }
    }

    /// <summary>
    /// Reports a failed eth_sendRawTransaction. For nonce errors ("nonce too low", "replacement transaction
    /// underpriced", "already known") it reconciles with the node and returns the result; for other errors
    /// it returns null (nothing to reconcile; the nonce stays used).
    /// </summary>
    public async Task<RpcResult<NonceReconciliation>?> OnSendErrorAsync(RpcError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!IsNonceError(error))
        {
            return null;
        }

        Interlocked.Increment(ref _reconciliations);
        return await ReconcileAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True for node errors that mean our idea of the account's nonce is stale.</summary>
    public static bool IsNonceError(RpcError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind == RpcErrorKind.Node &&
               (error.MessageContains("nonce too low") || error.MessageContains("replacement transaction underpriced") ||
                error.MessageContains("replacement underpriced") || JsonRpcClient.IsAlreadyKnown(error));
    }

    public override string ToString() => "NonceManager(" + Account + ", next " + Next + ")";
}
