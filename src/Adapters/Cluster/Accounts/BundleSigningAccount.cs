using System.Globalization;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;

namespace LowLatency.Adapters.Cluster.Accounts;

/// <summary>How recording one bundle ended. Anything but <see cref="Recorded"/> means: send nothing.</summary>
public enum BundleRecordOutcome
{
    /// <summary>In the nonce stream: the bundle may go to the relays for blocks up to the recorded last target.</summary>
    Recorded,

    /// <summary>This node does not hold the account's lease (or took it again since its take-over): nothing recorded.</summary>
    NotOwner,

    /// <summary>Another node appended first: this node's nonces are stale; it takes the account over again before it signs.</summary>
    Fenced,

    /// <summary>NATS did not confirm the record (it may have landed): not sent. The next record first reads what landed.</summary>
    Unrecorded,
}

/// <summary>What a new owner of a bundle account found, waited for and starts at.</summary>
/// <param name="ChainCount">The account's mined transaction count when the take-over began.</param>
/// <param name="Recorded">Records in the nonce stream.</param>
/// <param name="Outstanding">Recorded bundles with a nonce the chain had not used: each could still land until its last target.</param>
/// <param name="WaitedPast">The last target block of those, which the head passed before this owner signs (0: none out).</param>
/// <param name="Next">The first nonce this owner signs: the chain's pending count once nothing recorded can land any more.</param>
public sealed record BundleTakeOver(ulong ChainCount, int Recorded, int Outstanding, ulong WaitedPast, ulong Next, NonceManager Nonces)
{
    /// <summary>"3 records, 1 bundle out until block 105 (passed), next nonce 7".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Recorded} records, {Outstanding} bundles the chain lacked{(WaitedPast > 0 ? $" (each could land up to block {WaitedPast}, now passed)" : "")}; next nonce {Next}");
}

/// <summary>
/// A trading account whose transactions go out only as Flashbots bundles, in cluster mode: one owner at a time
/// (<see cref="AccountLease"/>) and every bundle in the nonce stream, with its last target block, before any relay sees
/// it (<see cref="NonceLedger"/>). A bundle differs from a public transaction at take-over: nobody but the relays holds
/// its bytes, and it can land only in the blocks it targets. So the next owner never sends a recorded bundle anywhere
/// (a public rebroadcast would leak the route); it waits until the head has passed the last target of every recorded
/// bundle the chain lacks, then starts the engine's <see cref="NonceManager"/> at the chain's count, the start-up path of
/// DESIGN §10. A nonce is signed again only once its earlier signature can no longer land: at most one transaction per
/// nonce is ever mined, none is skipped, and an included bundle is on the chain for the next owner to count.
/// </summary>
public sealed class BundleSigningAccount
{
    private static readonly TimeSpan s_headPoll = TimeSpan.FromMilliseconds(200);

    private readonly AccountLease _lease;
    private readonly NonceLedger _ledger;
    private readonly JsonRpcClient _rpc;
    private long _takenEpoch = -1;
    private volatile bool _fenced;
    private volatile bool _resync;
    private long _recorded;
    private long _refused;

    public BundleSigningAccount(AccountLease lease, NonceLedger ledger, JsonRpcClient rpc)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(rpc);
        _lease = lease;
        _ledger = ledger;
        _rpc = rpc;
    }

    public Address Account => _lease.Account;

    public AccountLease Lease => _lease;

    /// <summary>Bundles recorded (and so allowed out).</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Bundles refused a record (not owner, fenced, unconfirmed): none of them reached a relay.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// True when this node must take the account over (again) before it signs: never taken, fenced by another node's
    /// append, the lease no longer held, or held under another epoch than the take-over's (lost and taken back meanwhile).
    /// </summary>
    public bool MustTakeOver => _fenced || !_lease.IsHeld || _lease.Epoch != Interlocked.Read(ref _takenEpoch);

    /// <summary>
    /// Reconciles with the stream and the chain; call once the lease is held and before the first signature. Waits, while
    /// the lease stays held, until every recorded bundle the chain lacks is past its last target block. Fails (an RPC
    /// error or the reason in words) when the chain cannot be read, the lease is lost meanwhile, or the stream records a
    /// public transaction the chain lacks (a bundle account does not send one: settle it first).
    /// </summary>
    public async Task<RpcResult<BundleTakeOver>> TakeOverAsync(CancellationToken cancellationToken = default)
    {
        long epoch = _lease.Epoch;
        if (!_lease.IsHeld)
        {
            return RpcError.Malformed("this node does not hold the account's lease");
        }

        IReadOnlyList<SignedTxRecord> records = await _ledger.LoadAsync(cancellationToken).ConfigureAwait(false);
        RpcResult<ulong> mined = await _rpc.GetTransactionCountAsync(Account, BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        if (!mined.IsOk)
        {
            return mined.Error!;
        }

        ulong mustPass = 0;
        int outstanding = 0;
        foreach (SignedTxRecord r in records)
        {
            if (r.Nonce < mined.Value)
            {
                continue; // that nonce is used on chain: nothing recorded under it can land any more
            }

            if (r.LastTargetBlock == 0)
            {
                return RpcError.Malformed(string.Create(CultureInfo.InvariantCulture,
                    $"the nonce stream records a public transaction at nonce {r.Nonce} (node {r.Node}) that the chain lacks; a bundle account never broadcasts it: settle it before this account signs bundles"));
            }

            outstanding++;
            mustPass = Math.Max(mustPass, r.LastTargetBlock);
        }

        while (mustPass > 0)
        {
            RpcResult<ulong> head = await _rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
            if (head.IsOk && head.Value > mustPass)
            {
                break;
            }

            if (!_lease.IsHeld || _lease.Epoch != epoch)
            {
                return RpcError.Malformed("the account's lease was lost while waiting for recorded bundles to pass their last target");
            }

            await Task.Delay(s_headPoll, cancellationToken).ConfigureAwait(false);
        }

        // Nothing recorded can land now: the chain's count is the whole truth, as at a single box's start.
        NonceManager nonces = NonceManager.ForClient(_rpc, Account);
        RpcResult<NonceReconciliation> started = await nonces.InitialiseAsync(cancellationToken).ConfigureAwait(false);
        if (!started.IsOk)
        {
            return started.Error!;
        }

        if (!_lease.IsHeld || _lease.Epoch != epoch)
        {
            return RpcError.Malformed("the account's lease was lost during the take-over");
        }

        Interlocked.Exchange(ref _takenEpoch, epoch);
        _resync = false;
        _fenced = false;
        return new BundleTakeOver(mined.Value, records.Count, outstanding, mustPass, nonces.Next, nonces);
    }

    /// <summary>
    /// Records a signed bundle that may land in blocks up to <paramref name="lastTargetBlock"/>; only on
    /// <see cref="BundleRecordOutcome.Recorded"/> may it reach a relay. Any thread, one bundle at a time per account.
    /// </summary>
    public async Task<BundleRecordOutcome> RecordAsync(ulong nonce, string hash, ReadOnlyMemory<byte> raw, ulong lastTargetBlock, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(lastTargetBlock);
        BundleRecordOutcome outcome = await TryRecordAsync(nonce, hash, raw, lastTargetBlock, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref outcome == BundleRecordOutcome.Recorded ? ref _recorded : ref _refused);
        return outcome;
    }

    private async Task<BundleRecordOutcome> TryRecordAsync(ulong nonce, string hash, ReadOnlyMemory<byte> raw, ulong lastTargetBlock, CancellationToken cancellationToken)
    {
        if (_fenced)
        {
            return BundleRecordOutcome.Fenced;
        }

        long epoch = _lease.Epoch;
        if (!_lease.IsHeld || epoch != Interlocked.Read(ref _takenEpoch))
        {
            return BundleRecordOutcome.NotOwner;
        }

        // Bounded: the bundle's first target is passing meanwhile; a record that slow is refused, not waited for.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(_lease.Ttl / 3);
        try
        {
            if (_resync)
            {
                if (!await _ledger.ResyncAsync(epoch, bound.Token).ConfigureAwait(false))
                {
                    _fenced = true;
                    return BundleRecordOutcome.Fenced;
                }

                _resync = false;
            }

            if (!await _ledger.AppendAsync(nonce, hash, raw, epoch, bound.Token, lastTargetBlock).ConfigureAwait(false))
            {
                _fenced = true;
                return BundleRecordOutcome.Fenced;
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Unreachable, refused or past the bound: the record may have landed: before the next append, read what did (the bundle itself is never sent).
            _resync = true;
            return BundleRecordOutcome.Unrecorded;
        }

        return BundleRecordOutcome.Recorded;
    }
}
