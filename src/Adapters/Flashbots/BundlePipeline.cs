using System.Globalization;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;

namespace LowLatency.Adapters.Flashbots;

/// <summary>How a bundle ended.</summary>
public enum BundleState
{
    /// <summary>Not sent: a simulation failed, no relay simulated it, or the profit after costs was below the threshold.</summary>
    NotSent,

    /// <summary>Its transaction is in a target block and succeeded.</summary>
    Included,

    /// <summary>Every target block passed without it.</summary>
    Missed,

    /// <summary>Its transaction landed and reverted.</summary>
    Failed,

    /// <summary>The opportunity went away before it landed; the bundle was cancelled.</summary>
    Gone,

    /// <summary>The node stopped answering while the bundle was tracked: its fate is unknown, so it is neither counted
    /// included nor sent again.</summary>
    Abandoned,
}

/// <summary>Pipeline settings (from configuration).</summary>
public sealed record BundleOptions
{
    /// <summary>Target blocks N+1 … N+k.</summary>
    public int TargetBlocks { get; init; } = 3;

    /// <summary>Least profit after gas and the builder payment, in wei of the borrowed asset (WETH).</summary>
    public UInt256 MinProfitWei { get; init; } = 1UL;

    /// <summary>The builder's share of the gross profit, in basis points, paid by the executor to block.coinbase.</summary>
    public uint BuilderBps { get; init; } = 1_000;

    public ulong GasLimit { get; init; } = 600_000;

    public UInt256 MaxPriorityFeePerGas { get; init; } = 1_000_000_000UL;

    /// <summary>How long to wait for each target block before it counts as missed.</summary>
    public TimeSpan BlockWait { get; init; } = TimeSpan.FromSeconds(24);

    /// <summary>Blocks on top of the inclusion block before it counts (0: at once). The receipt is read again then, so a
    /// reorg that removed it makes the block a miss.</summary>
    public int ConfirmBlocks { get; init; }

    /// <summary>Consecutive failed node calls while tracking after which the bundle is abandoned.</summary>
    public int NodeErrorLimit { get; init; } = 5;
}

/// <summary>What happened to one bundle, for the log and the demo's lines.</summary>
public sealed record BundleOutcome
{
    public required BundleState State { get; init; }

    public required string Reason { get; init; }

    public ulong Nonce { get; init; }

    public string? TxHash { get; init; }

    public string? ReplacementUuid { get; init; }

    /// <summary>Profit the simulation implies after gas and the builder payment (gross − gasFees − ethSentToCoinbase).</summary>
    public UInt256 SimulatedProfitWei { get; init; }

    public UInt256 BuilderPaymentWei { get; init; }

    public ulong SimulatedGas { get; init; }

    public IReadOnlyList<ulong> TargetBlocks { get; init; } = [];

    public ulong IncludedBlock { get; init; }

    public ulong GasUsed { get; init; }

    public IReadOnlyList<string> RelayErrors { get; init; } = [];

    /// <summary>The receipt's effective gas price (wei) when it landed; what a reverted landing cost is GasUsed × this.</summary>
    public UInt256 EffectiveGasPriceWei { get; init; }

    /// <summary>
    /// Included: what the executor swept to the owner, read from the receipt's ERC-20 <c>Transfer</c> logs from the
    /// executor to the trading account (raw units of the borrowed token): the realised profit after Aave and the builder.
    /// </summary>
    public UInt256 SweptToOwner { get; init; }

    /// <summary>
    /// Nothing signed with <see cref="Nonce"/> can land: the bundle was never sent, or every target passed and the chain
    /// shows the nonce unused. The nonce may then be handed back to the account's nonce manager.
    /// </summary>
    public bool NonceUnused { get; init; }
}

/// <summary>A bundle's transaction signed elsewhere (the strategy thread, <see cref="GraphBundler"/>): its EIP-2718 bytes and hash as hex, its nonce, and the profit it expects before gas (wei).</summary>
public sealed record SignedBundle(string RawHex, string TxHash, ulong Nonce, UInt256 GrossProfitWei);

/// <summary>
/// The cold half of the bundle path: simulate on every relay, decide, send per target block, track inclusion.
/// A bundle whose simulation failed anywhere is never sent; a relay that did not answer (down, 5xx, malformed) is
/// left out of the send and its error logged. Resubmission: one target block at a time (N+1, then N+2 … N+k),
/// stopped when included, when it landed and reverted, or when <c>stillThere</c> says the opportunity is gone (the
/// bundle is then cancelled by its replacementUuid). Nonces: a fresh one per bundle from the nonce manager; after a
/// bundle that did not land, its nonce is handed back (<see cref="NonceManager.TryGiveBack"/>) only once the chain shows
/// it unused (otherwise every miss would leave a gap no later transaction could pass). <see cref="RunSignedAsync"/>
/// takes a transaction signed on the strategy thread; the caller hands its nonce back (<see cref="BundleOutcome.NonceUnused"/>).
/// </summary>
public sealed class BundlePipeline
{
    private readonly IReadOnlyList<RelayClient> _relays;
    private readonly JsonRpcClient _node;
    private readonly NonceManager _nonces;
    // keccak256("Transfer(address,address,uint256)")
    private static readonly byte[] s_transferTopic = Convert.FromHexString("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

    private readonly BundleFactory _factory;
    private readonly BundleOptions _options;
    private readonly Action<string> _log;

    public BundlePipeline(IReadOnlyList<RelayClient> relays, JsonRpcClient node, NonceManager nonces, BundleFactory factory, BundleOptions options, Action<string> log)
    {
        _relays = relays;
        _node = node;
        _nonces = nonces;
        _factory = factory;
        _options = options;
        _log = log;
    }

    public BundleOptions Options => _options;

    /// <summary>The account whose nonces the pipeline's bundles use.</summary>
    public NonceManager Nonces => _nonces;

    /// <summary>The chain's node (head, receipts, the account's count).</summary>
    public JsonRpcClient Node => _node;

    /// <summary>Nonces this pipeline signed, in order (tests check none is signed twice while it could land).</summary>
    public List<ulong> SignedNonces { get; } = [];

    /// <summary>Called when the simulation answered, before the send decision (the demo prints its line here).</summary>
    public Action<BundleOutcome>? OnSimulated { get; set; }

    /// <summary>Called for each target block the bundle is sent for.</summary>
    public Action<ulong>? OnSent { get; set; }

    /// <summary>Called when a receipt is first seen in a block, before it is confirmed (tests make a reorg here).</summary>
    public Func<ulong, Task>? OnLanded { get; set; }

    /// <summary>
    /// Called before the bundle's first relay call with the bundle and the last block it will target (the head + <see
    /// cref="BundleOptions.TargetBlocks"/>): cluster mode records it in the account's nonce stream here. A reason refuses
    /// the bundle: no relay sees it, and its nonce is unused.
    /// </summary>
    public Func<SignedBundle, ulong, CancellationToken, Task<string?>>? Record { get; set; }

    /// <summary>Inclusions whose receipt a reorg removed before they were confirmed.</summary>
    public int Reorged { get; private set; }

    /// <summary>Signs <paramref name="route"/> with the next nonce at the head's base fee, then as <see cref="RunSignedAsync"/>; an unused nonce is handed back.</summary>
    public async Task<BundleOutcome> RunAsync(FlashRoute route, UInt256 grossProfit, Func<Task<bool>>? stillThere = null, CancellationToken cancellationToken = default)
    {
        RpcResult<Block?> head = await _node.GetBlockByNumberAsync(BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        if (!head.IsOk || head.Value is null)
        {
            return NotSent("the node did not give its head block: " + (head.Error?.ToString() ?? "none"));
        }

        ulong n = head.Value.Header.Number;
        UInt256 baseFee = head.Value.Header.BaseFeePerGas ?? UInt256.Zero;
        UInt256 maxFee = (baseFee * 2UL) + _options.MaxPriorityFeePerGas;
        if (!_nonces.IsInitialised && await _nonces.InitialiseAsync(cancellationToken).ConfigureAwait(false) is { IsOk: false } init)
        {
            return NotSent("the node did not give the account's nonce: " + init.Error);
        }

        ulong nonce = _nonces.Reserve();
        if (!_factory.Build(route, _options.MinProfitWei, _options.BuilderBps, nonce, _options.GasLimit, maxFee, _options.MaxPriorityFeePerGas))
        {
            _nonces.TryGiveBack(nonce);
            return NotSent("the route could not be encoded");
        }

        var signed = new SignedBundle(Hex.Encode(_factory.RawTransaction), Hex.Encode(_factory.TransactionHash), nonce, grossProfit);
        BundleOutcome outcome = await SubmitAsync(signed, n, stillThere, cancellationToken).ConfigureAwait(false);
        if (outcome.NonceUnused)
        {
            _nonces.TryGiveBack(nonce);
        }

        return outcome;
    }

    /// <summary>
    /// A transaction already signed (with a nonce the caller reserved): simulate, send for the blocks after the node's
    /// head, track. The caller hands the nonce back when the outcome says <see cref="BundleOutcome.NonceUnused"/>.
    /// </summary>
    public async Task<BundleOutcome> RunSignedAsync(SignedBundle bundle, Func<Task<bool>>? stillThere = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        RpcResult<ulong> head = await _node.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        if (!head.IsOk)
        {
            return NotSent("the node did not give its head block: " + head.Error) with { Nonce = bundle.Nonce, TxHash = bundle.TxHash, NonceUnused = true };
        }

        return await SubmitAsync(bundle, head.Value, stillThere, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BundleOutcome> SubmitAsync(SignedBundle bundle, ulong n, Func<Task<bool>>? stillThere, CancellationToken cancellationToken)
    {
        ulong nonce = bundle.Nonce;
        UInt256 grossProfit = bundle.GrossProfitWei;
        string txHash = bundle.TxHash;
        SignedNonces.Add(nonce);
        if (Record is { } record && await record(bundle, n + (ulong)_options.TargetBlocks, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return NotSent("not recorded, so not sent: " + refused) with { Nonce = nonce, TxHash = txHash, NonceUnused = true };
        }

        string[] txs = [bundle.RawHex];
        string uuid = Guid.NewGuid().ToString();

        // Simulate everywhere at once.
        Task<RpcResult<CallBundleResult>>[] sims = new Task<RpcResult<CallBundleResult>>[_relays.Count];
        for (int i = 0; i < sims.Length; i++)
        {
            sims[i] = _relays[i].CallBundleAsync(txs, n + 1, cancellationToken);
        }

        await Task.WhenAll(sims).ConfigureAwait(false);
        var ok = new List<RelayClient>();
        var errors = new List<string>();
        CallBundleResult? simulation = null;
        string? failure = null;
        for (int i = 0; i < sims.Length; i++)
        {
            RpcResult<CallBundleResult> sim = sims[i].Result;
            if (sim.IsOk && sim.Value.Succeeded)
            {
                ok.Add(_relays[i]);
                simulation ??= sim.Value;
            }
            else if (sim.IsOk)
            {
                failure ??= _relays[i].Name + ": " + sim.Value.FailureReason();
            }
            else if (sim.Error!.Kind == RpcErrorKind.Node)
            {
                failure ??= _relays[i].Name + ": " + SecretRedaction.Excerpt(sim.Error.ToString(), 160);
            }
            else
            {
                string e = _relays[i].Name + ": " + SecretRedaction.Excerpt(sim.Error.ToString(), 160);
                errors.Add(e);
                _log("relay " + e + " (left out of this bundle)");
            }
        }

        BundleOutcome Base(BundleState state, string reason) => new()
        {
            State = state, Reason = reason, Nonce = nonce, TxHash = txHash, ReplacementUuid = uuid, RelayErrors = errors,
            SimulatedGas = simulation?.TotalGasUsed ?? 0,
            BuilderPaymentWei = simulation?.EthSentToCoinbase ?? UInt256.Zero,
            SimulatedProfitWei = simulation is null ? UInt256.Zero : Net(grossProfit, simulation),
        };

        if (failure is not null || simulation is null)
        {
            BundleOutcome notSent = Base(BundleState.NotSent, failure is not null ? "simulation failed on " + failure : "no relay simulated the bundle") with { NonceUnused = true };
            OnSimulated?.Invoke(notSent);
            return notSent;
        }

        UInt256 costs = simulation.GasFees + simulation.EthSentToCoinbase;
        BundleOutcome simulated = Base(BundleState.NotSent, "simulated");
        OnSimulated?.Invoke(simulated);
        if (grossProfit < costs || grossProfit - costs < _options.MinProfitWei)
        {
            return simulated with { Reason = "profit after gas and builder payment is below the threshold", NonceUnused = true };
        }

        var targets = new List<ulong>();
        ulong target = n;
        for (int k = 1; k <= _options.TargetBlocks; k++)
        {
            // After a reorg the head can be past the next block in line: target the next block still to come.
            target++;
            if (k > 1 && stillThere is not null && !await stillThere().ConfigureAwait(false))
            {
                await CancelAsync(ok, uuid, cancellationToken).ConfigureAwait(false);
                return await CloseUnusedAsync(simulated with { State = BundleState.Gone, Reason = "the opportunity is gone; bundle cancelled", TargetBlocks = targets }, nonce, cancellationToken).ConfigureAwait(false);
            }

            targets.Add(target);
            int accepted = 0;
            Task<RpcResult<string>>[] sends = new Task<RpcResult<string>>[ok.Count];
            for (int i = 0; i < ok.Count; i++)
            {
                sends[i] = ok[i].SendBundleAsync(txs, target, uuid, cancellationToken);
            }

            await Task.WhenAll(sends).ConfigureAwait(false);
            for (int i = 0; i < sends.Length; i++)
            {
                if (sends[i].Result.IsOk)
                {
                    accepted++;
                }
                else
                {
                    _log("relay " + ok[i].Name + ": eth_sendBundle for block " + target.ToString(CultureInfo.InvariantCulture) + ": " + SecretRedaction.Excerpt(sends[i].Result.Error!.ToString(), 160));
                }
            }

            if (accepted > 0)
            {
                OnSent?.Invoke(target);
            }

            Tracked tracked = await WaitForBlockAsync(target, txHash, cancellationToken).ConfigureAwait(false);
            if (tracked.NodeError is null && tracked.Receipt is { } landed)
            {
                if (OnLanded is not null)
                {
                    await OnLanded(landed.BlockNumber).ConfigureAwait(false);
                }

                if (_options.ConfirmBlocks > 0)
                {
                    tracked = await ConfirmAsync(landed, txHash, cancellationToken).ConfigureAwait(false);
                    if (tracked.NodeError is null && tracked.Receipt is null)
                    {
                        Reorged++;
                        _log("bundle " + uuid + ": its receipt in block " + landed.BlockNumber.ToString(CultureInfo.InvariantCulture) + " disappeared (reorg); not counted as included");
                    }
                }
            }

            if (tracked.NodeError is { } lost)
            {
                string reason = "the node stopped answering while tracking block " + target.ToString(CultureInfo.InvariantCulture) + ": " + SecretRedaction.Excerpt(lost, 160) + "; not sent again";
                _log("bundle " + uuid + ": " + reason);
                return simulated with { State = BundleState.Abandoned, Reason = reason, TargetBlocks = targets };
            }

            target = Math.Max(target, tracked.Head);
            TransactionReceipt? receipt = tracked.Receipt;
            if (receipt is not null)
            {
                foreach (RelayClient relay in ok)
                {
                    relay.Stats.IncludedOne();
                }

                BundleState state = receipt.Succeeded ? BundleState.Included : BundleState.Failed;
                return simulated with
                {
                    State = state, Reason = receipt.Succeeded ? "included" : "landed and reverted", TargetBlocks = targets,
                    IncludedBlock = receipt.BlockNumber, GasUsed = receipt.GasUsed, EffectiveGasPriceWei = receipt.EffectiveGasPrice ?? UInt256.Zero,
                    SweptToOwner = receipt.Succeeded ? SweptToOwnerIn(receipt) : UInt256.Zero,
                };
            }

            _log("bundle " + uuid + " missed block " + target.ToString(CultureInfo.InvariantCulture));
        }

        return await CloseUnusedAsync(simulated with { State = BundleState.Missed, Reason = "every target block passed without it", TargetBlocks = targets }, nonce, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sum of ERC-20 Transfer logs from the executor to the trading account in <paramref name="receipt"/>.</summary>
    private UInt256 SweptToOwnerIn(TransactionReceipt receipt)
    {
        UInt256 swept = UInt256.Zero;
        foreach (LogEntry log in receipt.Logs)
        {
            if (log.Topics.Length == 3 && log.Data.Length == 32 && log.Topics[0].AsSpan().SequenceEqual(s_transferTopic)
                && new Address(log.Topics[1].AsSpan(12, 20)) == _factory.Executor && new Address(log.Topics[2].AsSpan(12, 20)) == _factory.Sender)
            {
                swept += UInt256.FromBigEndian(log.Data);
            }
        }

        return swept;
    }

    /// <summary>
    /// The opportunity check between target blocks for a bundle signed elsewhere: true while the first relay that answers
    /// still simulates it successfully on top of the node's head; false once one says it reverts (gone: the pools moved).
    /// No answer from any relay is not a verdict: true, and the next block is tried.
    /// </summary>
    public async Task<bool> StillProfitableAsync(SignedBundle bundle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        RpcResult<ulong> head = await _node.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        if (!head.IsOk)
        {
            return true;
        }

        foreach (RelayClient relay in _relays)
        {
            RpcResult<CallBundleResult> sim = await relay.CallBundleAsync([bundle.RawHex], head.Value + 1, cancellationToken).ConfigureAwait(false);
            if (sim.IsOk)
            {
                return sim.Value.Succeeded;
            }

            if (sim.Error!.Kind == RpcErrorKind.Node)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Cancels a superseded bundle on every relay by its replacementUuid.</summary>
    public async Task CancelAsync(IReadOnlyList<RelayClient> relays, string replacementUuid, CancellationToken cancellationToken = default)
    {
        foreach (RelayClient relay in relays)
        {
            var result = await relay.CancelBundleAsync(replacementUuid, cancellationToken).ConfigureAwait(false);
            if (!result.IsOk)
            {
                _log("relay " + relay.Name + ": eth_cancelBundle: " + SecretRedaction.Excerpt(result.Error!.ToString(), 160));
            }
        }
    }

    private static UInt256 Net(UInt256 gross, CallBundleResult sim)
    {
        UInt256 costs = sim.GasFees + sim.EthSentToCoinbase;
        return gross > costs ? gross - costs : UInt256.Zero;
    }

    private BundleOutcome NotSent(string reason) => new() { State = BundleState.NotSent, Reason = reason };

    /// <summary>A bundle that did not land may give its nonce to the next one, once the chain shows the nonce unused.</summary>
    private async Task<BundleOutcome> CloseUnusedAsync(BundleOutcome outcome, ulong nonce, CancellationToken cancellationToken)
    {
        RpcResult<ulong> onChain = await _node.GetTransactionCountAsync(_nonces.Account, BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        return onChain.IsOk && onChain.Value <= nonce ? outcome with { NonceUnused = true } : outcome;
    }

    /// <summary>What tracking saw: the receipt (null: none by the target), the head, or why the node was lost.</summary>
    private readonly record struct Tracked(TransactionReceipt? Receipt, ulong Head, string? NodeError);

    private async Task<Tracked> WaitForBlockAsync(ulong target, string txHash, CancellationToken cancellationToken)
    {
        byte[] hash = Hex.Decode(txHash);
        DateTime deadline = DateTime.UtcNow + _options.BlockWait;
        int errors = 0;
        ulong head = 0;
        while (true)
        {
            RpcResult<ulong> number = await _node.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
            if (number.IsOk)
            {
                head = number.Value;
            }

            if (number.IsOk && number.Value >= target)
            {
                RpcResult<TransactionReceipt?> receipt = await _node.GetTransactionReceiptAsync(hash, cancellationToken).ConfigureAwait(false);
                if (receipt.IsOk)
                {
                    return new Tracked(receipt.Value is { } r && r.BlockNumber <= target ? r : null, head, null);
                }

                number = RpcResult<ulong>.Fail(receipt.Error!);
            }

            if (!number.IsOk && ++errors >= _options.NodeErrorLimit)
            {
                return new Tracked(null, head, number.Error!.ToString());
            }

            if (number.IsOk)
            {
                errors = 0;
            }

            if (DateTime.UtcNow > deadline)
            {
                return new Tracked(null, head, null);
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for <see cref="BundleOptions.ConfirmBlocks"/> blocks on top of the inclusion block (or the block
    /// wait), then reads the receipt again: gone, or moved to another block hash, means a reorg removed it.</summary>
    private async Task<Tracked> ConfirmAsync(TransactionReceipt landed, string txHash, CancellationToken cancellationToken)
    {
        Tracked depth = await WaitForBlockAsync(landed.BlockNumber + (ulong)_options.ConfirmBlocks, txHash, cancellationToken).ConfigureAwait(false);
        if (depth.NodeError is not null)
        {
            return depth;
        }

        RpcResult<TransactionReceipt?> again = await _node.GetTransactionReceiptAsync(Hex.Decode(txHash), cancellationToken).ConfigureAwait(false);
        if (!again.IsOk)
        {
            return new Tracked(null, depth.Head, again.Error!.ToString());
        }

        bool same = again.Value is { } r && r.BlockNumber == landed.BlockNumber && r.BlockHash.AsSpan().SequenceEqual(landed.BlockHash);
        return new Tracked(same ? again.Value : null, depth.Head, null);
    }
}
