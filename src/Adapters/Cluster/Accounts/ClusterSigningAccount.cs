using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Adapters.Cluster.Accounts;

/// <summary>What a new owner found when it took an account over.</summary>
/// <param name="ChainPending">The chain's pending transaction count.</param>
/// <param name="Recorded">Records in the nonce stream.</param>
/// <param name="Rebroadcast">Recorded transactions the chain did not have yet, sent again (same bytes, same nonce).</param>
/// <param name="Next">The first nonce this owner will sign.</param>
public sealed record TakeOver(ulong ChainPending, int Recorded, IReadOnlyList<SignedTxRecord> Rebroadcast, ulong Next);

/// <summary>How a signing attempt ended.</summary>
public enum SignOutcome
{
    Sent,

    /// <summary>This node does not hold the account's lease: nothing signed.</summary>
    NotOwner,

    /// <summary>Another node appended to the nonce stream first: signed but never sent; this node stops signing.</summary>
    Fenced,

    /// <summary>
    /// NATS did not confirm the record: not sent. The account needs <see cref="ClusterSigningAccount.TakeOverAsync"/> again
    /// (the record may have landed) before the next signature, so no nonce is skipped or reused.
    /// </summary>
    Unrecorded,

    /// <summary>The node refused the transaction (its error is in <see cref="SignResult.Error"/>).</summary>
    Rejected,
}

public sealed record SignResult(SignOutcome Outcome, ulong Nonce, string? Hash, RpcError? Error);

/// <summary>A signed transaction recorded in the nonce stream and not yet sent.</summary>
public sealed record PreparedTx(ulong Nonce, string Hash, byte[] Raw);

/// <summary>
/// A signing account in cluster mode: one owner at a time (<see cref="AccountLease"/>), every signed transaction in the
/// nonce stream before it leaves (<see cref="NonceLedger"/>), and on take-over one reconciliation with the chain (DESIGN
/// §10: the same path as start-up): recorded transactions the chain lacks are sent again as recorded, and the counter
/// starts after both the chain and the record. The counter itself is the engine's <see cref="NonceManager"/>.
/// </summary>
public sealed class ClusterSigningAccount
{
    private readonly AccountLease _lease;
    private readonly NonceLedger _ledger;
    private readonly JsonRpcClient _rpc;
    private readonly EthSigner _signer;
    private NonceManager? _nonces;
    private volatile bool _fenced;

    public ClusterSigningAccount(AccountLease lease, NonceLedger ledger, JsonRpcClient rpc, EthSigner signer)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(signer);
        if (signer.Address != lease.Account)
        {
            throw new ArgumentException("the signer's address is not the leased account", nameof(signer));
        }

        _lease = lease;
        _ledger = ledger;
        _rpc = rpc;
        _signer = signer;
    }

    public Address Account => _lease.Account;

    public bool IsFenced => _fenced;

    /// <summary>The next nonce this owner would sign (after <see cref="TakeOverAsync"/>).</summary>
    public ulong Next => _nonces?.Next ?? 0;

    /// <summary>
    /// Reconciles with the stream and the chain; call after the lease was acquired and before the first signature.
    /// Fails (an RPC error) when the chain cannot be read; then nothing may be signed.
    /// </summary>
    public async Task<RpcResult<TakeOver>> TakeOverAsync(CancellationToken cancellationToken = default)
    {
        if (!_lease.IsHeld)
        {
            return RpcError.Malformed("this node does not hold the account's lease");
        }

        var records = await _ledger.LoadAsync(cancellationToken).ConfigureAwait(false);
        var pending = await _rpc.GetTransactionCountAsync(Account, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
        if (!pending.IsOk)
        {
            return pending.Error!;
        }

        // Latest record per nonce (a fenced append never lands, so there is one per nonce).
        var byNonce = new SortedDictionary<ulong, SignedTxRecord>();
        foreach (var r in records)
        {
            byNonce[r.Nonce] = r;
        }

        var rebroadcast = new List<SignedTxRecord>();
        ulong next = pending.Value;
        foreach (var (nonce, record) in byNonce)
        {
            next = Math.Max(next, nonce + 1);
            if (nonce < pending.Value)
            {
                continue;
            }

            // Signed and recorded, perhaps never sent (the owner died in between): send the same bytes.
            var sent = await _rpc.SendRawTransactionAsync(record.Raw, cancellationToken).ConfigureAwait(false);
            if (sent.IsOk || (sent.Error is { } e && (JsonRpcClient.IsAlreadyKnown(e) || NonceManager.IsNonceError(e))))
            {
                rebroadcast.Add(record);
            }
            else
            {
                return sent.Error!;
            }
        }

        ulong start = next;
        _nonces = new NonceManager(Account, _ => Task.FromResult<RpcResult<ulong>>(start));
        var init = await _nonces.InitialiseAsync(cancellationToken).ConfigureAwait(false);
        if (!init.IsOk)
        {
            return init.Error!;
        }

        _fenced = false;
        return new TakeOver(pending.Value, records.Count, rebroadcast, start);
    }

    /// <summary>Takes the next nonce, signs, records it in the stream. Null with the reason when this node may not sign.</summary>
    public async Task<(PreparedTx? Tx, SignOutcome Outcome)> PrepareAsync(Transaction template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (_nonces == null || _fenced || !_lease.IsHeld)
        {
            return (null, _fenced ? SignOutcome.Fenced : SignOutcome.NotOwner);
        }

        ulong nonce = _nonces.Reserve();
        var signed = TransactionSigner.Sign(template with { Nonce = nonce }, _signer);
        byte[] raw = signed.EncodeSigned();
        string hash = signed.GetHashHex();
        bool recorded;
        try
        {
            recorded = await _ledger.AppendAsync(nonce, hash, raw, _lease.Epoch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _nonces = null;
            return (null, SignOutcome.Unrecorded);
        }

        if (!recorded)
        {
            _fenced = true;
            return (null, SignOutcome.Fenced);
        }

        return (new PreparedTx(nonce, hash, raw), SignOutcome.Sent);
    }

    /// <summary>Sends a prepared transaction.</summary>
    public async Task<SignResult> SendAsync(PreparedTx tx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var sent = await _rpc.SendRawTransactionAsync(tx.Raw, cancellationToken).ConfigureAwait(false);
        if (sent.IsOk)
        {
            return new SignResult(SignOutcome.Sent, tx.Nonce, tx.Hash, null);
        }

        if (NonceManager.IsNonceError(sent.Error!) && _nonces != null)
        {
            await _nonces.OnSendErrorAsync(sent.Error!, cancellationToken).ConfigureAwait(false);
        }

        return new SignResult(SignOutcome.Rejected, tx.Nonce, tx.Hash, sent.Error);
    }

    /// <summary><see cref="PrepareAsync"/> then <see cref="SendAsync"/>: the record is in the stream before the transaction leaves.</summary>
    public async Task<SignResult> SignAndSendAsync(Transaction template, CancellationToken cancellationToken = default)
    {
        var (tx, outcome) = await PrepareAsync(template, cancellationToken).ConfigureAwait(false);
        return tx == null ? new SignResult(outcome, 0, null, null) : await SendAsync(tx, cancellationToken).ConfigureAwait(false);
    }
}
