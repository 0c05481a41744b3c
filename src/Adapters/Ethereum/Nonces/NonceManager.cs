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
/// manager re-reads the node's pending count. Lock-free: the strategy thread reserves on its hot path (one
/// interlocked add, no allocation, never blocks), and a reconciliation on another thread only raises the counter with a
/// compare-and-swap, so the two can never hand out the same nonce.
/// </summary>
public sealed class NonceManager
{
    private readonly Func<CancellationToken, Task<RpcResult<ulong>>> _fetchPending;
    private ulong _next;
    private volatile bool _initialised;
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
    public ulong Next => Volatile.Read(ref _next);

    /// <summary>True once the first node read succeeded.</summary>
    public bool IsInitialised => _initialised;

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

    /// <summary>Like <see cref="Reserve"/>, false before initialisation. Lock-free and allocation-free (the strategy thread's path).</summary>
    public bool TryReserve(out ulong nonce)
    {
        // _initialised is written after the first counter value (volatile), so a true here sees that value.
        if (!_initialised)
        {
            nonce = 0;
            return false;
        }

        nonce = Interlocked.Increment(ref _next) - 1;
        return true;
    }

    /// <summary>
    /// Hands back <paramref name="nonce"/>, the last one reserved, when nothing signed with it can ever land (it was
    /// never sent, or every target block passed and the chain shows it unused): the next reservation gets it again, so
    /// no gap is left that every later transaction of the account would wait behind. Only the most recent reservation
    /// can be handed back (one compare-and-swap); false when a later one was taken, and then the nonce stays used.
    /// Any thread; no allocation.
    /// </summary>
    public bool TryGiveBack(ulong nonce) =>
        nonce != ulong.MaxValue && Interlocked.CompareExchange(ref _next, nonce, nonce + 1) == nonce + 1;

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

        // Raise to the node's count, never lower: a reservation racing this either took its nonce before the swap (and
        // the swap starts above it, or fails and retries on the new value) or takes one from the raised counter.
        ulong next = Volatile.Read(ref _next);
        while (pending.Value > next)
        {
            ulong seen = Interlocked.CompareExchange(ref _next, pending.Value, next);
            if (seen == next)
            {
                next = pending.Value;
                break;
            }

            next = seen;
        }

        _initialised = true;
        return new NonceReconciliation(pending.Value, next, next > pending.Value ? next - pending.Value : 0);
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
