using System.Collections.Concurrent;
using System.Globalization;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;

namespace LowLatency.Adapters.Flashbots;

/// <summary>What sends one chain's bundles: the bundler's signer (nonces, one bundle in flight) and the chain's pipeline.</summary>
public sealed record BundleExecutorChain(GraphBundlerChain Signer, BundlePipeline Pipeline);

/// <summary>A budget's say on a bundle about to be handed on (the submitting thread): null when it fits, else why not.</summary>
public delegate string? BundleReservation(in BuiltBundle bundle);

/// <summary>A bundle the executor finished with: what the strategy signed and how it ended.</summary>
public sealed record EndedBundle(BuiltBundle Bundle, BundleOutcome Outcome);

/// <summary>
/// The hand-off from the strategy thread to the relays (<c>--execute</c>): each bundle <see cref="GraphBundler"/> signed
/// goes, as signed, to its chain's <see cref="BundlePipeline"/> on the thread pool (simulate on every relay, send for
/// N+1 … N+k only after a successful simulation, track to its end), never on the strategy or host thread. One bundle
/// per account is out at a time (<see cref="GraphBundlerChain.OneInFlight"/>): its nonce is the account's last, so a
/// bundle that ended unsent or missed hands it back before the next is signed, and no later bundle waits behind a gap.
/// A bundle whose fate is unknown (the node stopped answering) keeps its chain paused until the node shows whether
/// the nonce was used, after its last target block. Ended bundles are reported on the host thread by <see cref="Poll"/>.
/// </summary>
public sealed class BundleExecutor : IAsyncDisposable
{
    private static readonly TimeSpan s_settleRetry = TimeSpan.FromMilliseconds(250);

    private readonly GraphBundler _bundler;
    private readonly BundleExecutorChain?[] _chains;
    private readonly Action<string> _log;
    private readonly Action? _rearm;
    private readonly ConcurrentQueue<EndedBundle> _ended = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task?[] _running;
    private readonly long[] _byState = new long[Enum.GetValues<BundleState>().Length];
    private long _started;
    private long _refused;
    private long _missedSettled;

    /// <param name="chains">Per graph chain (the bundles' <see cref="BuiltBundle.Chain"/>); null where nothing is sent. Each signer must have <see cref="GraphBundlerChain.OneInFlight"/>.</param>
    /// <param name="log">One line per event worth an operator's eye (any thread; redacted).</param>
    /// <param name="rearm">Called (any thread) each time an account may sign again, so that routes still standing, which the
    /// strategy reported while the account was busy or whose bundle did not land, are reported again
    /// (<see cref="LowLatency.HotPath.Graph.GraphStage.RequestRearm"/>).</param>
    public BundleExecutor(GraphBundler bundler, BundleExecutorChain?[] chains, Action<string> log, Action? rearm = null)
    {
        _bundler = bundler ?? throw new ArgumentNullException(nameof(bundler));
        _chains = chains ?? throw new ArgumentNullException(nameof(chains));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _rearm = rearm;
        foreach (BundleExecutorChain? chain in chains)
        {
            if (chain is not null && !chain.Signer.OneInFlight)
            {
                throw new ArgumentException("a chain whose bundles are sent must sign one bundle at a time (OneInFlight)", nameof(chains));
            }
        }

        _running = new Task?[chains.Length];
    }

    /// <summary>
    /// Asked before each bundle is handed on (the submitting thread): a reason not to send now (the risk gate halted, the
    /// kill switch engaged), or null. A held bundle is refused as any other: its nonce goes back.
    /// </summary>
    public Func<string?>? Hold { get; set; }

    /// <summary>
    /// Asked after <see cref="Hold"/> (the submitting thread): what the bundle uses of a budget (cluster mode: the node's
    /// share of the cluster's daily notional) is reserved here, or a reason refuses it as any other (its nonce goes back).
    /// </summary>
    public BundleReservation? Reserve { get; set; }

    /// <summary>
    /// Called once for each bundle handed on (each <see cref="Reserve"/> approved), on the bundle's task once its end is
    /// known and before the account may sign again: true when it may have landed (the chain counts its nonce, or its fate
    /// is unknown), false when the chain shows it never did, so its reservation can be given back.
    /// </summary>
    public Action<BuiltBundle, bool>? Settle { get; set; }

    /// <summary>Bundles handed to a pipeline.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Bundles not handed on (no pipeline on the chain, a route whose profit is not in wei, or held by <see cref="Hold"/>); their nonce was handed back.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Bundles that every target block passed without (the chain as they found it), each counted once the account may sign
    /// again and the routes were re-armed: a caller that sees it move may try the routes still standing at once, as the
    /// next block's bundle, instead of a block later. Bundles that landed, or ended unsent, are not counted: the pools moved,
    /// or the same route would end the same way at the same head.
    /// </summary>
    public long MissedSettled => Interlocked.Read(ref _missedSettled);

    /// <summary>Ended bundles in <paramref name="state"/>.</summary>
    public long Ended(BundleState state) => Interlocked.Read(ref _byState[(int)state]);

    /// <summary>True while any chain has a bundle out.</summary>
    public bool Busy
    {
        get
        {
            foreach (Task? task in _running)
            {
                if (task is { IsCompleted: false })
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Host thread, from the bundle ring's drain: hands the bundle in ring slot <paramref name="sequence"/> on (its bytes
    /// are copied here, before the slot is released). False when it is refused; the reason is logged.
    /// </summary>
    public bool Submit(in BuiltBundle bundle, long sequence)
    {
        BundleExecutorChain? chain = (uint)bundle.Chain < (uint)_chains.Length ? _chains[bundle.Chain] : null;
        if (chain is null)
        {
            // The bundler marks a chain busy only where it signs one at a time; a chain without a pipeline has none.
            Interlocked.Increment(ref _refused);
            _log(string.Create(CultureInfo.InvariantCulture, $"bundle nonce {bundle.Nonce} on chain {bundle.Chain}: no relay pipeline on this chain; not sent"));
            return false;
        }

        if (!bundle.StartsInWrappedNative)
        {
            // The relays' simulation prices gas and the builder in wei; a route borrowing another asset cannot be checked against it.
            Refuse(chain, in bundle, "the route does not borrow the chain's WETH, so its profit cannot be checked against the simulated gas in wei");
            return false;
        }

        if (_stop.IsCancellationRequested)
        {
            Refuse(chain, in bundle, "the executor is stopping");
            return false;
        }

        if (Hold?.Invoke() is { } held)
        {
            Refuse(chain, in bundle, held);
            return false;
        }

        if (Reserve?.Invoke(in bundle) is { } over)
        {
            Refuse(chain, in bundle, over);
            return false;
        }

        // The bundler signed it, so the account's previous bundle has ended (its task clears the flag as its last step).

        var signed = new SignedBundle(
            Hex.Encode(_bundler.SignedTransaction(sequence)),
            Hex.Encode(bundle.TransactionHash),
            bundle.Nonce,
            bundle.GrossProfitRaw);
        Interlocked.Increment(ref _started);
        BuiltBundle copy = bundle;
        _running[bundle.Chain] = Task.Run(() => RunAsync(chain, copy, signed, _stop.Token));
        return true;
    }

    /// <summary>Host thread: reports every bundle that ended since the last call, in the order they ended.</summary>
    public int Poll(Action<EndedBundle> onEnded)
    {
        ArgumentNullException.ThrowIfNull(onEnded);
        int n = 0;
        while (_ended.TryDequeue(out EndedBundle? ended))
        {
            onEnded(ended);
            n++;
        }

        return n;
    }

    /// <summary>"out 3: included 2, missed 1, not sent 0, failed 0, gone 0, abandoned 0; refused 0".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"sent to the relays {Started}: included {Ended(BundleState.Included)}, missed {Ended(BundleState.Missed)}, not sent {Ended(BundleState.NotSent)}, landed and reverted {Ended(BundleState.Failed)}, gone {Ended(BundleState.Gone)}, abandoned {Ended(BundleState.Abandoned)}; refused {Refused}");

    /// <summary>Stops: bundles out are cancelled where they wait and their fate is logged as unknown; waits up to <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] running = [.. _running.OfType<Task>()];
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(timeout)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Refuse(BundleExecutorChain chain, in BuiltBundle bundle, string reason)
    {
        Interlocked.Increment(ref _refused);
        _log(string.Create(CultureInfo.InvariantCulture, $"bundle nonce {bundle.Nonce}: {reason}; not sent"));
        // Never left this process: the nonce goes back, and the account may sign again.
        if (!chain.Signer.Nonces.TryGiveBack(bundle.Nonce))
        {
            _log(string.Create(CultureInfo.InvariantCulture, $"bundle nonce {bundle.Nonce}: a later nonce was reserved meanwhile; this one stays used"));
        }

        chain.Signer.EndInFlight();
        _rearm?.Invoke();
    }

    private async Task RunAsync(BundleExecutorChain chain, BuiltBundle bundle, SignedBundle signed, CancellationToken cancellationToken)
    {
        BundlePipeline pipeline = chain.Pipeline;
        BundleOutcome outcome;
        try
        {
            outcome = await pipeline.RunSignedAsync(signed, () => pipeline.StillProfitableAsync(signed, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = new BundleOutcome { State = BundleState.Abandoned, Reason = "the run stopped while the bundle was out; its fate is unknown", Nonce = signed.Nonce, TxHash = signed.TxHash };
        }
        catch (Exception e)
        {
            // The task's boundary: whatever escaped the pipeline is an alert, never a silently paused chain.
            outcome = new BundleOutcome { State = BundleState.Abandoned, Reason = "the pipeline failed: " + SecretRedaction.Excerpt(e.GetType().Name + ": " + e.Message, 200), Nonce = signed.Nonce, TxHash = signed.TxHash };
        }

        if (outcome.NonceUnused && !chain.Signer.Nonces.TryGiveBack(signed.Nonce))
        {
            _log(string.Create(CultureInfo.InvariantCulture, $"bundle nonce {signed.Nonce}: a later nonce was reserved meanwhile; this one stays used"));
        }

        Interlocked.Increment(ref _byState[(int)outcome.State]);
        _ended.Enqueue(new EndedBundle(bundle, outcome));
        bool unused = outcome.NonceUnused;
        if (outcome.State == BundleState.Abandoned && !cancellationToken.IsCancellationRequested)
        {
            unused = await SettleAsync(chain, signed.Nonce, outcome.TargetBlocks.Count == 0 ? 0 : outcome.TargetBlocks[^1], cancellationToken).ConfigureAwait(false);
        }

        try
        {
            Settle?.Invoke(bundle, !unused);
        }
        catch (Exception e)
        {
            // Never a chain left paused by its budget's defect: said, and signing goes on.
            _log(string.Create(CultureInfo.InvariantCulture, $"bundle nonce {signed.Nonce}: its reservation was not settled: {SecretRedaction.Excerpt(e.GetType().Name + ": " + e.Message, 200)}"));
        }

        // Last: the strategy may sign the next bundle only once the nonce is settled; the count moves after the re-arm.
        chain.Signer.EndInFlight();
        _rearm?.Invoke();
        if (outcome.State == BundleState.Missed)
        {
            Interlocked.Increment(ref _missedSettled);
        }
    }

    /// <summary>
    /// A bundle whose fate is unknown: waits until the node answers with a head past every block the bundle could land in,
    /// then gives the nonce back if the account's count shows it unused. Until then the chain signs nothing. True when the
    /// count showed the nonce unused; false when it was used or the run stopped first.
    /// </summary>
    private async Task<bool> SettleAsync(BundleExecutorChain chain, ulong nonce, ulong lastTarget, CancellationToken cancellationToken)
    {
        JsonRpcClient node = chain.Pipeline.Node;
        ulong mustPass = lastTarget;
        try
        {
            while (true)
            {
                RpcResult<ulong> head = await node.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
                if (head.IsOk && mustPass == 0)
                {
                    mustPass = head.Value + (ulong)chain.Pipeline.Options.TargetBlocks;
                }

                if (head.IsOk && head.Value > mustPass)
                {
                    RpcResult<ulong> count = await node.GetTransactionCountAsync(chain.Pipeline.Nonces.Account, BlockTag.Latest, cancellationToken).ConfigureAwait(false);
                    if (count.IsOk)
                    {
                        bool unused = count.Value <= nonce && chain.Signer.Nonces.TryGiveBack(nonce);
                        _log(string.Create(CultureInfo.InvariantCulture,
                            $"bundle nonce {nonce}: the node answers again; the account's count is {count.Value}, so the nonce {(count.Value > nonce ? "was used" : unused ? "is unused and handed back" : "is unused but a later one was reserved")}; signing resumes"));
                        return count.Value <= nonce;
                    }
                }

                await Task.Delay(s_settleRetry, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: nothing more is signed anyway, and the bundle's fate stays unknown.
            return false;
        }
    }
}
