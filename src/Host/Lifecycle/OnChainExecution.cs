using System.Collections.Concurrent;
using System.Globalization;
using LowLatency.Adapters.Cluster;
using LowLatency.Adapters.Cluster.Accounts;
using LowLatency.Adapters.Dex.Common;
using LowLatency.Adapters.Dex.Node;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.Ethereum.Transactions;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.Flashbots;
using LowLatency.Host.Configuration;
using LowLatency.Host.Dashboard;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Risk;
using LowLatency.Ml.Agents;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// <c>run --live --execute</c> on the chains that name our executor (<c>chains.NAME.executor</c>). One on-chain strategy
/// thread follows each chain's configured pools over its node's WebSocket (<see cref="DexNodeFeed"/>: snapshot, then
/// logs and heads) and, at each new block or pool event, publishes the pools' state, the head's base fee and Aave's
/// premium into that chain's strategy step (<see cref="ChainStrategy"/>: market ring → graph evaluation and sizing →
/// <see cref="GraphBundler"/>'s exact re-quote and signature). The bundles signed there go to the relays of
/// <c>flashbots.relays</c> through a <see cref="BundleExecutor"/> (simulate on every relay, send for N+1 … N+k, track to
/// its end), one bundle per account at a time. The host thread (<see cref="Poll"/>) logs each ended bundle, reports its
/// P&amp;L to the risk gate, and holds sending while the kill switch or a loss breaker is on.
/// </summary>
internal sealed class OnChainExecution : IDisposable
{
    private const string TradingKeyVariable = "TRADING_PRIVATE_KEY";

    /// <summary>The largest bundle's notional, USD (the strategy's size cap): cluster mode's day-notional chunk holds one.</summary>
    internal static readonly double MaxBundleUsd = new GraphStageOptions().MaxSizeQuote;

    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_holdRefresh = TimeSpan.FromMilliseconds(250);

    // A standby asks for the account this often: the failover is the lease's TTL plus at most this.
    private static readonly TimeSpan s_standbyRetry = TimeSpan.FromSeconds(1);

    private readonly EngineOptions _options;
    private readonly EthSigner _trading;
    private readonly EthSigner? _flashbots;
    private readonly List<ChainRun> _chains;
    private readonly List<string> _notFollowed = [];
    private string _keyNote = "";
    private readonly ConcurrentQueue<(ChainRun Chain, BuiltBundle Bundle, string TxHash, RpcResult<ulong> Estimate)> _simulated = new();
    private readonly List<Task> _simulations = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _notices = new();
    private readonly ConcurrentQueue<(ChainRun Chain, EndedBundle Ended)> _ended = new();
    private readonly ConcurrentQueue<(ChainRun Chain, bool Over, double BaseFeeWei)> _gasCap = new();
    private ILogger _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private RiskSession? _risk;
    private Thread? _thread;
    private volatile string? _hold;
    private DateTime _nextHoldRefresh;
    private double _realisedUsd;
    private LiveAgents? _agents;
    private (string Chain, (int V2, int V3, bool WethIsToken0) Pools)? _agentsAt;
    private ClusterNode? _cluster;

    private OnChainExecution(EngineOptions options, EthSigner trading, EthSigner? flashbots, List<ChainRun> chains)
    {
        _options = options;
        _trading = trading;
        _flashbots = flashbots;
        _chains = chains;
    }

    /// <summary>
    /// The dry run's side: the chains are followed and their bundles signed (the trading key where one is set, else a
    /// throw-away key) and simulated with <c>eth_estimateGas</c> from the executor's owner, and nothing is sent.
    /// </summary>
    public bool IsDryRun => _flashbots is null;

    /// <summary>Dry-run bundles simulated from the owner: the executor call would succeed; <see cref="WouldRevert"/>: it would revert; <see cref="NotSimulated"/>: the node did not answer.</summary>
    public long WouldSucceed { get; private set; }

    public long WouldRevert { get; private set; }

    public long NotSimulated { get; private set; }
    /// <summary>Bundles that ended included (their realised P&amp;L: swept to the owner less gas, at the block's WETH price).</summary>
    public long Included { get; private set; }

    /// <summary>Bundles that ended in another state (missed, not sent, landed and reverted, gone, abandoned).</summary>
    public long NotIncluded { get; private set; }

    /// <summary>
    /// The on-chain side of live mode, or null when no chain names an executor. Every problem (keys that do not load or
    /// are the same key, a node URL that is not a WebSocket, no relay) goes to <paramref name="errors"/>, never a value.
    /// </summary>
    public static OnChainExecution? TryCreate(EngineOptions options, Func<string, string?> environment, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(errors);
        if (!ModeChecks.ExecutesOnChain(options))
        {
            return null;
        }

        int before = errors.Count;
        if (!FlashbotsKeys.TryLoad(environment, TradingKeyVariable, out EthSigner? trading, out string? tradingProblem))
        {
            errors.Add("on-chain: " + tradingProblem);
        }

        if (!FlashbotsKeys.TryLoadSigner(environment, out EthSigner? flashbots, out string? signerProblem))
        {
            errors.Add("on-chain: " + signerProblem);
        }

        if (trading is not null && flashbots is not null && !FlashbotsKeys.TryValidate(trading, flashbots, out string? sameKey))
        {
            errors.Add("on-chain: " + sameKey);
        }

        if (options.Flashbots.Endpoints().Count == 0)
        {
            errors.Add("flashbots.relays: on-chain execution sends bundles to relays; configure at least one");
        }

        var chains = new List<ChainRun>();
        foreach ((string name, ChainOptions chain, Uri? node) in ExecutingChains(options, environment))
        {
            if (node is null)
            {
                errors.Add($"chains.{name}: on-chain execution follows the pools over the node's subscriptions; {chain.RpcUrlVariable} must be a ws:// or wss:// URL (its value is not shown)");
                continue;
            }

            chains.Add(new ChainRun(name, chain, node));
        }

        return errors.Count > before ? null : new OnChainExecution(options, trading!, flashbots!, chains);
    }

    /// <summary>
    /// The dry run on live data, for the chains that name our executor: null when none does; one whose node URL is not a
    /// WebSocket URL is not followed, and <see cref="DescribeStart"/> names it and why. Needs no key: TRADING_PRIVATE_KEY signs where it is
    /// set and loads, else a throw-away key for this run; nothing is ever sent to a relay.
    /// </summary>
    public static OnChainExecution? TryCreateDryRun(EngineOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (!ModeChecks.ExecutesOnChain(options))
        {
            return null;
        }

        var chains = new List<ChainRun>();
        var notFollowed = new List<string>();
        foreach ((string name, ChainOptions chain, Uri? node) in ExecutingChains(options, environment))
        {
            if (node is null)
            {
                notFollowed.Add($"{name} not followed ({chain.RpcUrlVariable} is not a ws:// or wss:// URL)");
                continue;
            }

            chains.Add(new ChainRun(name, chain, node));
        }

        // A key that is set but does not load is said (without its value): live mode would refuse it.
        bool loaded = FlashbotsKeys.TryLoad(environment, TradingKeyVariable, out EthSigner? configured, out string? keyProblem);
        EthSigner trading = loaded ? configured! : new EthSigner(ThrowAwayKey.Create());
        var dryRun = new OnChainExecution(options, trading, null, chains)
        {
            _keyNote = loaded ? "signed with " + TradingKeyVariable
                : string.IsNullOrWhiteSpace(environment(TradingKeyVariable)) ? "signed with a throw-away key (no " + TradingKeyVariable + ")"
                : "signed with a throw-away key: " + SecretRedaction.Redact(keyProblem!),
        };
        dryRun._notFollowed.AddRange(notFollowed);
        return dryRun;
    }

    /// <summary>Each chain that names our executor, in name order, with its node's URL when the variable holds a ws:// or wss:// one.</summary>
    private static IEnumerable<(string Name, ChainOptions Chain, Uri? Node)> ExecutingChains(EngineOptions options, Func<string, string?> environment)
    {
        foreach ((string name, ChainOptions chain) in options.Chains.Where(c => c.Value is { Executes: true }).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            bool webSocket = Uri.TryCreate(environment(chain.RpcUrlVariable)?.Trim(), UriKind.Absolute, out Uri? uri) && uri.Scheme is "ws" or "wss";
            yield return (name, chain, webSocket ? uri : null);
        }
    }

    /// <summary>Before <see cref="Start"/>: the run's log and (live trading) its risk session, whose kill switch and loss breakers hold sending.</summary>
    public void Bind(ILogger log, RiskSession? risk)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _risk = risk;
    }

    /// <summary>
    /// Cluster mode (host thread, before <see cref="Start"/>): each chain's trading account is signed for by one node at a
    /// time. A chain starts only once this node holds the account's lease (<see cref="AccountLease"/>, per chain id) and
    /// has taken it over (<see cref="BundleSigningAccount"/>: every recorded bundle the chain lacks past its last target,
    /// then the chain's count); each bundle is in the nonce stream before its first relay call. A node that does not hold
    /// the lease stands by and asks again every second. The dry run sends nothing and leases nothing.
    /// </summary>
    public void UseCluster(ClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!IsDryRun)
        {
            _cluster = node;
        }
    }

    /// <summary>
    /// Cluster mode: each landed bundle (included, or landed and reverted) as a fill on the node's stream, host thread:
    /// asset WETH, venue the chain, the borrowed amount at the price it was signed at (the notional its reservation of the
    /// cluster's day took), gas and builder as the fee, the realised P&amp;L.
    /// </summary>
    public Action<Adapters.Cluster.Streams.FillRecord>? ClusterFill { get; set; }

    /// <summary>"on-chain execution on ethereum (executor 0x…, 2 pools) to relays flashbots; trading account 0x…".</summary>
    public string DescribeStart() => IsDryRun
        ? string.Create(CultureInfo.InvariantCulture,
            $"on-chain dry run on {(_chains.Count == 0 ? "no chain" : string.Join(", ", _chains.Select(c => $"{c.Name} (executor {c.Options.Executor}, {c.Options.Pools.Count} pools)")))}{string.Concat(_notFollowed.Select(n => "; " + n))}: bundles are {_keyNote}, simulated from the executor's owner (eth_estimateGas), never sent")
        : string.Create(CultureInfo.InvariantCulture,
            $"on-chain execution on {string.Join(", ", _chains.Select(c => $"{c.Name} (executor {c.Options.Executor}, {c.Options.Pools.Count} pools)"))} to relays {string.Join(", ", _options.Flashbots.Endpoints().Select(e => SecretRedaction.Redact(e.Name)))}; trading account {_trading.Address}{(_cluster is null ? "" : $", signed by the node that holds its lease ({_options.Cluster.AccountLeaseSeconds.ToString(CultureInfo.InvariantCulture)} s) on each chain")}");

    /// <summary>Starts the on-chain strategy thread: each chain connects, checks its contracts and snapshots its pools, then follows them.</summary>
    public void Start()
    {
        // The hold holds from the first bundle: the gate's state now, not at the host's next refresh.
        if (_risk is { } risk)
        {
            _hold = HoldReason(risk);
        }

        _thread = new Thread(Loop) { IsBackground = true, Name = "onchain-strategy" };
        _thread.Start();
    }

    /// <summary>
    /// The agent ensemble on the first executing chain with a USDC/WETH V2 pair and V3 0.05 % pool (the market the agents
    /// were trained on): each start of that chain gives its strategy step the agents over those pools, so every bundle
    /// signed there carries their votes (shadow: the rule acts; an active agent may only shrink or veto). Returns the
    /// start-up line. Host thread, before <see cref="Start"/>.
    /// </summary>
    public string UseAgents(AgentEnsemble? ensemble, string? loadProblem)
    {
        (string Chain, (int, int, bool) Pools)? at = null;
        foreach (ChainRun c in _chains)
        {
            if (AgentPools(c.Options) is { } pools)
            {
                at = (c.Name, pools);
                break;
            }
        }

        _agents = RunAgents.Prepare(ensemble, loadProblem,
            at is null ? "no followed chain has a USDC/WETH V2 pair and V3 0.05% pool (tokens USDC, 6 decimals, and WETH): the on-chain agents' inputs" : null,
            at is null ? "" : $"on {SecretRedaction.Redact(at.Value.Chain)}'s USDC/WETH pools, one decision per block before its bundles are signed", out string line);
        _agentsAt = _agents is null ? null : at;
        return line;
    }

    /// <summary>"done: agents: 12 blocks decided; …", or null when no agent runs on a chain.</summary>
    public string? DescribeAgentsDone() => _agents is null ? null : RunAgents.DescribeDone(_agents);

    /// <summary>
    /// The indices in <c>chains.NAME.pools</c> of the chain's USDC/WETH V2 pair and V3 0.05 % pool, and whether WETH is
    /// their token0; null when the chain has not both (or its USDC is not 6 decimals, its WETH not 18).
    /// </summary>
    internal static (int V2, int V3, bool WethIsToken0)? AgentPools(ChainOptions chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (!chain.Tokens.TryGetValue("USDC", out TokenOptions? usdc) || usdc.Decimals != 6
            || !chain.Tokens.TryGetValue("WETH", out TokenOptions? weth) || weth.Decimals != 18)
        {
            return null;
        }

        int v2 = -1, v3 = -1;
        bool wethIsToken0 = false;
        for (int i = 0; i < chain.Pools.Count; i++)
        {
            PoolOptions p = chain.Pools[i];
            if ((p.Token0, p.Token1) is not (("USDC", "WETH") or ("WETH", "USDC")))
            {
                continue;
            }

            if (p.Kind == "v2" && v2 < 0)
            {
                v2 = i;
                wethIsToken0 = p.Token0 == "WETH";
            }
            else if (p.Kind == "v3" && p.Fee == 500 && v3 < 0)
            {
                v3 = i;
            }
        }

        return v2 >= 0 && v3 >= 0 ? (v2, v3, wethIsToken0) : null;
    }

    /// <summary>Host thread: logs every ended bundle and reports its P&amp;L to the gate; refreshes the hold from the gate's state.</summary>
    public void Poll()
    {
        while (_notices.TryDequeue(out string? notice))
        {
            EngineLogs.OnChainNotice(_log, notice);
        }

        while (_ended.TryDequeue(out (ChainRun Chain, EndedBundle Ended) e))
        {
            OnEnded(e.Chain, e.Ended);
        }

        while (_simulated.TryDequeue(out (ChainRun Chain, BuiltBundle Bundle, string TxHash, RpcResult<ulong> Estimate) d))
        {
            OnSimulated(d.Chain, in d.Bundle, d.TxHash, d.Estimate);
        }

        while (_gasCap.TryDequeue(out (ChainRun Chain, bool Over, double BaseFeeWei) g))
        {
            _risk?.OnChainGasCap(g.Chain.Name, g.Over, g.BaseFeeWei, g.Chain.CapWei);
        }

        if (_risk is { } risk && DateTime.UtcNow >= _nextHoldRefresh)
        {
            _nextHoldRefresh = DateTime.UtcNow + s_holdRefresh;
            _hold = HoldReason(risk);
        }
    }

    /// <summary>"on-chain: ethereum following block 123 (2 pools, 1 snapshot) bundles 3 (included 1, ...); pnl 12.3 usd".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        foreach (ChainRun c in _chains)
        {
            // Read once: the on-chain thread may be restarting the chain.
            (ChainStrategy? strategy, DexNodeFeed? feed, BundleExecutor? executor) = (c.Strategy, c.Feed, c.Executor);
            parts.Add(strategy is null || feed is null || (executor is null && !IsDryRun)
                ? $"{c.Name} not started ({c.Problem ?? "connecting"})"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name} at block {c.LastBlock} ({feed.Snapshots} snapshots, {feed.Tracker.Counters.Applied} pool events, {strategy.Bundler.Built} bundles signed, {strategy.Bundler.Busy} held while one was out, {c.BlocksOverCap} blocks over the gas cap{(c.OverCap ? ", holding: base fee above " + c.Options.EffectiveMaxBaseFeeGwei.ToString(CultureInfo.InvariantCulture) + " gwei" : "")}){(executor is null ? "" : " " + executor.Describe())}{(c.Account is { } account ? $"; account lease epoch {account.Lease.Epoch}: recorded {account.Recorded}, refused {account.Refused}" : "")}"));
        }

        return IsDryRun
            ? string.Create(CultureInfo.InvariantCulture,
                $"on-chain (dry run): {(parts.Count == 0 ? "no chain followed" : string.Join("; ", parts))}; would send {WouldSucceed + WouldRevert + NotSimulated}: simulated ok {WouldSucceed}, would revert {WouldRevert}, not simulated {NotSimulated}; nothing sent")
            : string.Create(CultureInfo.InvariantCulture,
                $"on-chain: {string.Join("; ", parts)}; included {Included}, not included {NotIncluded}, realised pnl {_realisedUsd:0.######} usd{(_hold is { } h ? "; holding: " + h : "")}");
    }

    /// <summary>Host thread: stops the thread and the bundles out (each logged with its fate); waits up to <paramref name="timeout"/> for each.</summary>
    public void Stop(TimeSpan timeout)
    {
        _stop.Cancel();
        _thread?.Join(timeout);
        foreach (ChainRun chain in _chains)
        {
            // A start still under way uses the chain's client: it ends (cancelled) before the chain is torn down.
            try
            {
                chain.Starting?.Wait(timeout);
            }
            catch (AggregateException)
            {
                // Cancelled or failed: the chain never started, and nothing of it needs stopping.
            }

            if (chain.Executor is { } executor)
            {
                executor.StopAsync(timeout).GetAwaiter().GetResult();
                DrainEnded(chain);
            }
        }

        foreach (ChainRun chain in _chains)
        {
            // Every bundle of this node is recorded with its last target, so the next owner may take the account at once.
            HandBack(chain, timeout, "the run stops");
        }

        // The dry run's simulations still out end (cancelled) before the clients go; what ended is logged.
        Task[] simulations;
        lock (_simulations)
        {
            simulations = [.. _simulations];
        }

        try
        {
            Task.WaitAll(simulations, timeout);
        }
        catch (AggregateException)
        {
            // Cancelled by the stop: each is logged as not simulated.
        }

        Poll();
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested)
        {
            Stop(TimeSpan.FromSeconds(5));
        }

        foreach (ChainRun chain in _chains)
        {
            chain.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _stop.Dispose();
    }

    private static string? HoldReason(RiskSession risk) =>
        risk.KillSwitch.IsEngaged ? "the kill switch is engaged"
        : risk.IsTripped(RiskReason.DailyLossLimit) ? "the " + RiskText.Reason(RiskReason.DailyLossLimit) + " breaker is tripped"
        : risk.IsTripped(RiskReason.ConsecutiveLosses) ? "the " + RiskText.Reason(RiskReason.ConsecutiveLosses) + " breaker is tripped"
        : null;

    private void OnEnded(ChainRun chain, EndedBundle ended)
    {
        BundleOutcome o = ended.Outcome;
        // Realised, in wei: an inclusion earns what the receipt shows swept to the owner (after Aave and the builder), and
        // any landed transaction pays its gas (ETH, valued as WETH).
        UInt256 gasPaid = o.EffectiveGasPriceWei * o.GasUsed;
        bool landed = o.State is BundleState.Included or BundleState.Failed;
        double pnlWei = o.State == BundleState.Included
            ? Amounts.ToDouble(o.SweptToOwner) - Amounts.ToDouble(gasPaid)
            : landed ? -Amounts.ToDouble(gasPaid) : 0;
        double pnlUsd = pnlWei / 1e18 * chain.WethUsd;
        if (o.State == BundleState.Included)
        {
            Included++;
        }
        else
        {
            NotIncluded++;
        }

        if (landed)
        {
            long nowNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            _realisedUsd += pnlUsd;
            _risk?.OnTradeClosed(pnlUsd, nowNs);
            double costsUsd = (Amounts.ToDouble(gasPaid) + Amounts.ToDouble(o.BuilderPaymentWei)) / 1e18 * chain.WethUsd;
            ClusterFill?.Invoke(new Adapters.Cluster.Streams.FillRecord(chain.Options.WrappedNativeSymbol, chain.Name, "bundle",
                ended.Bundle.Amount, ended.Bundle.Amount > 0 ? ended.Bundle.NotionalQuote / ended.Bundle.Amount : 0, ended.Bundle.NotionalQuote, Math.Round(costsUsd, 6), Math.Round(pnlUsd, 6), nowNs));
        }

        EngineLogs.BundleEnded(_log, chain.Name, o.State.ToString(), SecretRedaction.Excerpt(o.Reason, 300), o.Nonce, o.TxHash ?? "", o.IncludedBlock, Math.Round(ended.Bundle.NotionalQuote, 6), o.GasUsed,
            ended.Bundle.GrossProfitRaw.ToString(), o.BuilderPaymentWei.ToString(), o.SweptToOwner.ToString(), gasPaid.ToString(), Math.Round(pnlUsd, 6), o.TargetBlocks.Count,
            ended.Bundle.Agents.Step, DashboardFeed.Votes(ended.Bundle.Agents));
    }

    private void OnSimulated(ChainRun chain, in BuiltBundle bundle, string txHash, RpcResult<ulong> estimate)
    {
        // eth_estimateGas runs the executor call as its owner would send it: it fails where the call reverts (Aave not
        // repaid, below minProfit, a pool that moved) and otherwise gives the gas it would use.
        string outcome;
        string reason = "";
        if (estimate.IsOk)
        {
            WouldSucceed++;
            outcome = "ok";
        }
        else if (estimate.Error!.Kind == RpcErrorKind.Node)
        {
            WouldRevert++;
            outcome = "reverts";
            reason = SecretRedaction.Excerpt(estimate.Error.ToString(), 200);
        }
        else
        {
            NotSimulated++;
            outcome = "not simulated";
            reason = SecretRedaction.Excerpt(estimate.Error.ToString(), 200);
        }

        EngineLogs.BundleDryRunOnChain(_log, chain.Name, bundle.Nonce, txHash, bundle.TargetBlock, bundle.Amount, bundle.ExpectedReturn,
            bundle.GrossProfitRaw.ToString(), Math.Round(bundle.NetProfitQuote, 6), outcome, estimate.IsOk ? estimate.Value : 0, reason,
            bundle.Agents.Step, DashboardFeed.Votes(in bundle.Agents));
    }

    private void Notice(string line) => _notices.Enqueue(SecretRedaction.Redact(line));

    /// <summary>The on-chain thread (or the stop, after it): moves the chain's ended bundles to the host thread's queue.</summary>
    private void DrainEnded(ChainRun chain) => chain.Executor?.Poll(ended => _ended.Enqueue((chain, ended)));

    /// <summary>The chain starts again from its connection; bundles out are stopped first and their ends kept for the host.</summary>
    private void Reset(ChainRun chain, DateTime nextAttempt)
    {
        if (chain.Executor is { } executor)
        {
            executor.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            DrainEnded(chain);
            executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        chain.Reset(nextAttempt);
    }

    private void Loop()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            bool worked = false;
            foreach (ChainRun chain in _chains)
            {
                try
                {
                    worked |= chain.Starting is not null || chain.Strategy is null ? TryStart(chain, stop) : Step(chain, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // The thread's boundary: whatever escaped (a node failure its client did not turn into a value, or a
                    // defect) restarts this chain; an exception here would otherwise end the process.
                    string failure = SecretRedaction.Excerpt(e.GetType().Name + ": " + e.Message, 200);
                    Notice($"{chain.Name}: {failure}; the chain starts again in {s_retry.TotalSeconds:0} s");
                    chain.Problem = failure;
                    Reset(chain, DateTime.UtcNow + s_retry);
                }
            }

            if (!worked)
            {
                // Two cores: this thread waits on the node, never spins.
                stop.WaitHandle.WaitOne(1);
            }
        }
    }

    /// <summary>
    /// Starts the chain's start-up (connect, check the chain id and the contracts against the configuration, snapshot the
    /// pools, build the strategy step) off this thread, and takes its outcome once it is done: a node slow to connect or
    /// answer never holds up the other chains' blocks.
    /// </summary>
    private bool TryStart(ChainRun chain, CancellationToken stop)
    {
        if (chain.Starting is null)
        {
            if (DateTime.UtcNow >= chain.NextAttempt)
            {
                chain.NextAttempt = DateTime.UtcNow + s_retry;
                chain.Starting = Task.Run(() => StartAsync(chain, stop), stop);
            }

            return false;
        }

        if (!chain.Starting.IsCompleted)
        {
            return false;
        }

        Task<string?> started = chain.Starting;
        chain.Starting = null;
        // Whatever the start threw is rethrown here, where the loop restarts the chain.
        string? problem = started.GetAwaiter().GetResult();
        if (problem is not null)
        {
            // Said once per problem, not at every retry; the summary line carries it meanwhile.
            TimeSpan retry = chain.Standby ? s_standbyRetry : s_retry;
            if (problem != chain.Problem)
            {
                Notice($"{chain.Name}: not started: {problem}; trying again every {retry.TotalSeconds:0} s");
            }

            chain.Problem = problem;
            Reset(chain, DateTime.UtcNow + retry);
            if (!chain.Standby)
            {
                // Held but not started (its node dark, a contract check failed): another node may be able to sign.
                HandBack(chain, TimeSpan.FromSeconds(2), "this node could not start the chain");
            }

            return false;
        }

        Notice(string.Create(CultureInfo.InvariantCulture,
            $"{chain.Name}: following {chain.Pools.Length} pools from block {chain.StartHead.Number}; executor {chain.Options.Executor} checked (owner, Aave pool, WETH); Aave premium {chain.PremiumBps} bps; nonce {chain.Strategy!.Signer.Nonces.Next}"));

        // The first step at once, on this (the strategy) thread: the snapshot's head, not the next block's.
        Step(chain, stop);
        return true;
    }

    private async Task<string?> StartAsync(ChainRun chain, CancellationToken stop)
    {
        ChainOptions o = chain.Options;
        if (_cluster is { } cluster && await TryHoldAccountAsync(chain, cluster, stop).ConfigureAwait(false) is { } standby)
        {
            return standby;
        }

        var rpc = new JsonRpcOptions { RequestTimeout = TimeSpan.FromSeconds(10), MaxAttempts = 2 };
        RpcResult<JsonRpcClient> connected;
        using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            // The transport reconnects until it is connected or cancelled: bounded here, so a dark node is a problem said.
            connecting.CancelAfter(s_connectTimeout);
            connected = await JsonRpcClient.ConnectWsAsync(chain.Url, rpc, connecting.Token).ConfigureAwait(false);
        }

        stop.ThrowIfCancellationRequested();
        if (!connected.IsOk)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the node did not connect in {s_connectTimeout.TotalSeconds:0} s: {connected.Error}");
        }

        JsonRpcClient client = connected.Value;
        chain.Client = client;
        RpcResult<ulong> id = await client.ChainIdAsync(stop).ConfigureAwait(false);
        if (!id.IsOk)
        {
            return "eth_chainId: " + id.Error;
        }

        if (id.Value != o.ChainId)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the node serves chain {id.Value}, not the configured {o.ChainId}");
        }

        Address executor = Address.Parse(o.Executor);
        Address aave = Address.Parse(o.AavePool);
        Address weth = Address.Parse(o.Tokens[o.WrappedNativeSymbol].Address);
        // The dry run simulates as the executor's owner, whoever that is; execution must be that owner.
        (Address? owner, string? ownerError) = await ReadAddressAsync(client, executor, "owner()", stop).ConfigureAwait(false);
        if (owner is null || (!IsDryRun && owner.Value != _trading.Address))
        {
            return ownerError ?? "the executor's owner is not the trading key's address (" + owner + ")";
        }

        chain.Owner = owner.Value;
        var checks = new (Address Contract, string Function, Address Expected, string What)[]
        {
            (executor, "aavePool()", aave, "the executor borrows from another Aave pool than chains." + chain.Name + ".aavePool"),
            (executor, "weth()", weth, "the executor's WETH is not chains." + chain.Name + ".tokens." + o.WrappedNativeSymbol),
        };
        foreach ((Address contract, string function, Address expected, string what) in checks)
        {
            (Address? read, string? error) = await ReadAddressAsync(client, contract, function, stop).ConfigureAwait(false);
            if (read is null || read.Value != expected)
            {
                return error ?? what + " (" + read + ")";
            }
        }

        RpcResult<byte[]> premium = await client.EthCallAsync(new CallRequest { To = aave, Data = Selector("FLASHLOAN_PREMIUM_TOTAL()") }, BlockTag.Latest, stop).ConfigureAwait(false);
        if (!premium.IsOk || premium.Value.Length != 32)
        {
            return "FLASHLOAN_PREMIUM_TOTAL of the Aave pool: " + (premium.IsOk ? "not a uint" : premium.Error!.ToString());
        }

        chain.PremiumBps = (double)(ulong)UInt256.FromBigEndian(premium.Value);
        var tracker = new DexPoolTracker();
        var addresses = new Address[o.Pools.Count];
        for (int i = 0; i < o.Pools.Count; i++)
        {
            PoolOptions p = o.Pools[i];
            addresses[i] = Address.Parse(p.Address);
            foreach ((string function, string symbol) in new[] { ("token0()", p.Token0), ("token1()", p.Token1) })
            {
                (Address? token, string? error) = await ReadAddressAsync(client, addresses[i], function, stop).ConfigureAwait(false);
                if (token is null || token.Value != Address.Parse(o.Tokens[symbol].Address))
                {
                    return error ?? $"chains.{chain.Name}.pools[{i}]: the pool's {function} is {token}, not {symbol}";
                }
            }

            _ = p.Kind == "v2" ? tracker.AddV2Pool(addresses[i], (uint)p.Fee) : tracker.AddV3Pool(addresses[i], (uint)p.Fee, ChainOptions.TickSpacingOf(p.Fee));
        }

        var feed = new DexNodeFeed(client, tracker);
        RpcResult<ulong> snapshot = await feed.StartAsync(stop).ConfigureAwait(false);
        if (!snapshot.IsOk)
        {
            return "the pools' snapshot: " + snapshot.Error;
        }

        chain.Feed = feed;
        var pools = new DexPool[o.Pools.Count];
        var decimals = new Dictionary<Address, int>();
        var price = new Dictionary<Address, double>();
        foreach ((string _, TokenOptions t) in o.Tokens)
        {
            decimals[Address.Parse(t.Address)] = t.Decimals;
            price[Address.Parse(t.Address)] = t.UsdPrice ?? 0;
        }

        for (int i = 0; i < pools.Length; i++)
        {
            PoolOptions p = o.Pools[i];
            Address t0 = Address.Parse(o.Tokens[p.Token0].Address), t1 = Address.Parse(o.Tokens[p.Token1].Address);
            pools[i] = p.Kind == "v2" ? DexPool.UniswapV2(addresses[i], t0, t1, tracker.V2(i)) : DexPool.UniswapV3(addresses[i], t0, t1, tracker.V3(i));
        }

        chain.Pools = pools;
        chain.Weth = weth;
        NonceManager nonces;
        BundleSigningAccount? account = null;
        if (_cluster is { } node)
        {
            // The account was held above; its bundles recorded by any node must be past landing before this one signs.
            account = new BundleSigningAccount(chain.Lease!, new NonceLedger(node.Bus.JetStream, node.Options.Node, _trading.Address, o.ChainId), client);
            RpcResult<BundleTakeOver> taken = await account.TakeOverAsync(stop).ConfigureAwait(false);
            if (!taken.IsOk)
            {
                return "the trading account's take-over: " + taken.Error;
            }

            nonces = taken.Value.Nonces;
            Notice(string.Create(CultureInfo.InvariantCulture, $"{chain.Name}: took the trading account over (lease epoch {chain.Lease!.Epoch}): {taken.Value.Describe()}"));
        }
        else
        {
            nonces = NonceManager.ForClient(client, _trading.Address);
            RpcResult<NonceReconciliation> started = await nonces.InitialiseAsync(stop).ConfigureAwait(false);
            if (!started.IsOk)
            {
                return "the trading account's nonce: " + started.Error;
            }
        }

        // The first step runs at once on the head the snapshot was read at; later ones follow newHeads.
        RpcResult<Block?> latest = await client.GetBlockByNumberAsync(BlockTag.Latest, stop).ConfigureAwait(false);
        if (!latest.IsOk || latest.Value is null)
        {
            return "the head block: " + (latest.IsOk ? "none" : latest.Error!.ToString());
        }

        HeadInfo head = new() { Number = latest.Value.Header.Number, BaseFeePerGas = latest.Value.Header.BaseFeePerGas ?? UInt256.Zero, HasBaseFee = latest.Value.Header.BaseFeePerGas is not null };
        chain.StartHead = head;
        BundleOptions bundleOptions = _options.Flashbots.ToBundleOptions(o.ChainId);
        chain.Tip = bundleOptions.MaxPriorityFeePerGas;
        ChainGas gas = _options.FlashLoanGas.ApplyTo(new ChainGas
        {
            BaseFeeWei = Math.Max(1, Amounts.ToDouble(head.BaseFeePerGas)),
            PriorityFeeWei = Amounts.ToDouble(chain.Tip),
            FlashLoanPremiumBps = chain.PremiumBps,
        });
        var factory = new BundleFactory(_trading, executor, o.ChainId);
        var stage = new GraphStageOptions { ThresholdBps = _options.ThresholdBps, MinNetProfitQuote = 0.01, MaxSizeQuote = MaxBundleUsd };
        // Tokens without usdPrice are priced by the graph at each pool update, from a pool that pairs them with a priced one.
        var strategy = new ChainStrategy(pools, decimals, price, in gas, factory, nonces, weth, (uint)_options.Flashbots.BuilderBps, stage);
        if (strategy.Unpriced.Count > 0)
        {
            Address token = strategy.Unpriced[0];
            string symbol = o.Tokens.First(t => Address.Parse(t.Value.Address) == token).Key;
            return $"chains.{chain.Name}.tokens.{symbol}: no usdPrice, and no configured pool pairs it with a priced token";
        }

        if (_flashbots is null)
        {
            // The dry run: nothing goes to a relay, and the strategy signs on after each bundle (its nonce stays unused).
            chain.Simulate = (in BuiltBundle bundle, long sequence) => Simulate(chain, strategy, in bundle, sequence);
        }
        else
        {
            var relays = _options.Flashbots.Endpoints().Select(e => new RelayClient(e, _flashbots, TimeSpan.FromSeconds(10))).ToList();
            chain.Relays = relays;
            var pipeline = new BundlePipeline(relays, client, nonces, factory, bundleOptions, line => Notice(chain.Name + ": " + line));
            if (account is not null)
            {
                pipeline.Record = (bundle, lastTarget, ct) => RecordAsync(account, bundle, lastTarget, ct);
            }

            chain.Executor = new BundleExecutor(strategy.Bundler, [new BundleExecutorChain(strategy.Signer, pipeline)], line => Notice(chain.Name + ": " + line), strategy.Stage.RequestRearm)
            {
                // The kill switch is read at each bundle (a volatile read, any thread); the breakers as the host last saw them.
                Hold = () => _risk?.KillSwitch.IsEngaged == true ? "the kill switch is engaged" : _hold,
            };
            if (_cluster is { } limits)
            {
                // The cluster's day: each bundle's notional comes from this node's share before it is recorded or sent,
                // and goes back if the chain shows it never landed.
                ClusterLease lease = limits.Lease;
                chain.Executor.Reserve = (in BuiltBundle bundle) => ReserveDay(lease, in bundle);
                chain.Executor.Settle = (bundle, landed) =>
                {
                    if (!landed)
                    {
                        lease.CancelAtomic(bundle.NotionalQuote); // what its hand-off reserved
                    }
                };
            }
        }

        if (_agents is not null && _agentsAt is { } at && chain.Name == at.Chain)
        {
            // The pools were just read: the agents' window starts on them (the on-chain thread steps no strategy of this chain meanwhile).
            strategy.Pipeline.Strategy.Agents = RunAgents.Over(_agents, strategy.Graph, strategy.Pools,
                new UsdcWethPools(0, strategy.GraphIndexOf(at.Pools.V2), strategy.GraphIndexOf(at.Pools.V3), at.Pools.WethIsToken0));
        }

        chain.Strategy = strategy;
        chain.Account = account;
        chain.Problem = null;
        chain.LastBlock = -1;
        return null;
    }

    /// <summary>
    /// Cluster mode: hands the chain's account lease back, if this node ever held it, so another node need not wait for it
    /// to run out; the next start asks for a fresh one.
    /// </summary>
    private void HandBack(ChainRun chain, TimeSpan timeout, string why)
    {
        if (chain.Lease is not { } lease)
        {
            return;
        }

        chain.Lease = null;
        try
        {
            if (lease.Epoch > 0)
            {
                using var guard = new CancellationTokenSource(timeout);
                lease.ReleaseAsync(guard.Token).GetAwaiter().GetResult();
                Notice($"{chain.Name}: the trading account's lease is handed back ({why})");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or NATS.Client.Core.NatsException)
        {
            Notice($"{chain.Name}: the trading account's lease could not be handed back ({SecretRedaction.Excerpt(e.GetType().Name + ": " + e.Message, 160)}); it runs out by itself");
        }
        finally
        {
            lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Cluster mode: null once this node holds the chain's trading account, else why it stands by.</summary>
    private async Task<string?> TryHoldAccountAsync(ChainRun chain, ClusterNode cluster, CancellationToken stop)
    {
        chain.Lease ??= new AccountLease(cluster.Bus.Accounts, cluster.Options.Node, _trading.Address, TimeSpan.FromSeconds(_options.Cluster.AccountLeaseSeconds), chain.Options.ChainId);
        AccountLease lease = chain.Lease;
        chain.Standby = true;
        try
        {
            if (!lease.IsHeld && !await lease.TryAcquireAsync(stop).ConfigureAwait(false))
            {
                (string Owner, long UntilMs, long Epoch)? owner = await lease.ReadAsync(stop).ConfigureAwait(false);
                return owner is { } o
                    ? string.Create(CultureInfo.InvariantCulture, $"standing by: node {o.Owner} signs for the trading account on chain {chain.Options.ChainId} (lease epoch {o.Epoch}, until {DateTimeOffset.FromUnixTimeMilliseconds(o.UntilMs):HH:mm:ss.fff} UTC)")
                    : "standing by: the trading account's lease record is damaged; an operator must look at it";
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            return "standing by: NATS did not answer for the trading account's lease (" + SecretRedaction.Excerpt(e.GetType().Name + ": " + e.Message, 160) + ")";
        }

        chain.Standby = false;
        lease.StartRenewing();
        return null;
    }

    /// <summary>
    /// Cluster mode, at each bundle's hand-off (the on-chain thread): its notional (the borrowed WETH at the graph's price
    /// when it was signed, as its fill carries it) is taken from this node's share of the cluster's daily notional, and
    /// nothing is sent while the lease is unconfirmed or paused or the cluster's loss share is used up. A flash-loan bundle
    /// holds no exposure (it borrows and repays in one transaction), so no exposure slot is taken. Null when it fits, else
    /// why not.
    /// </summary>
    private static string? ReserveDay(ClusterLease lease, in BuiltBundle bundle)
    {
        double usd = bundle.NotionalQuote;
        return lease.TryReserveAtomic(usd, ClusterBus.NowNs()) switch
        {
            LeaseDenial.None => null,
            LeaseDenial.Expired => "the cluster lease is not confirmed (NATS unreachable, or the nodes' limits disagree): nothing trades without it",
            LeaseDenial.Paused => "the cluster's stream publisher is behind: trading is paused",
            LeaseDenial.DailyLoss => "this node's share of the cluster's daily loss limit is used up",
            _ => string.Create(CultureInfo.InvariantCulture,
                $"its notional, {usd:0.##} USD, does not fit this node's share of the cluster's daily notional limit ({lease.Left(lease.NotionalSlot) / ClusterLease.Scale:0.##} USD left)"),
        };
    }

    /// <summary>The pipeline's record step (thread pool): the bundle goes in the nonce stream, or nowhere.</summary>
    private static async Task<string?> RecordAsync(BundleSigningAccount account, SignedBundle bundle, ulong lastTarget, CancellationToken cancellationToken)
    {
        BundleRecordOutcome outcome = await account.RecordAsync(bundle.Nonce, bundle.TxHash, Hex.Decode(bundle.RawHex), lastTarget, cancellationToken).ConfigureAwait(false);
        return outcome switch
        {
            BundleRecordOutcome.Recorded => null,
            BundleRecordOutcome.NotOwner => "this node no longer holds the trading account's lease",
            BundleRecordOutcome.Fenced => "another node appended to the account's nonce stream (this node is fenced)",
            _ => "NATS did not confirm the nonce record",
        };
    }

    /// <summary>One pump of the chain's notifications; on a new block or pool event, the strategy step over the pools' state.</summary>
    private bool Step(ChainRun chain, CancellationToken stop)
    {
        if (chain.Account is { MustTakeOver: true } account)
        {
            // Fenced, or the lease lost or taken back under another epoch: the nonces are stale. The start takes it over again.
            string why = account.Lease.IsHeld ? "another node recorded bundles for the account" : "this node no longer holds the account's lease";
            Notice($"{chain.Name}: {why}; nothing is signed until this node holds it again and has taken it over");
            chain.Problem = why;
            Reset(chain, DateTime.UtcNow);
            return true;
        }

        DexNodeFeed feed = chain.Feed!;
        int applied = feed.PumpAsync(stop).GetAwaiter().GetResult();
        if (!feed.Tracker.TryGetHead(out HeadInfo head))
        {
            head = chain.StartHead;
        }

        // A bundle missed frees the account at this head: the routes still standing are tried again now, as the next
        // block's bundle, not a block later (the head its last target made was seen while it was out, and held them).
        long missed = chain.Executor?.MissedSettled ?? 0;
        if ((long)head.Number == chain.LastBlock && applied == 0 && (missed == chain.SeenMissed || chain.OverCap))
        {
            DrainEnded(chain);
            return false;
        }

        chain.SeenMissed = missed;

        long block = (long)head.Number;
        // A chain without a base fee still prices gas at its tip: the applier refuses a zero base fee as no reading.
        UInt256 baseFee = head.HasBaseFee && !head.BaseFeePerGas.IsZero ? head.BaseFeePerGas : UInt256.One;
        double baseFeeWei = Amounts.ToDouble(baseFee);
        bool over = baseFeeWei > chain.CapWei;
        if (over != chain.OverCap)
        {
            chain.OverCap = over;
            _gasCap.Enqueue((chain, over, baseFeeWei));
            string state = over ? "is above the cap" : "is back under the cap";
            string then = over ? "nothing is signed until it is back under" : "signing again";
            Notice(string.Create(CultureInfo.InvariantCulture,
                $"{chain.Name}: block {block} base fee {baseFeeWei / 1e9:0.####} gwei {state} {chain.Options.EffectiveMaxBaseFeeGwei} gwei; {then}"));
        }

        if (over)
        {
            // The gas price cap: the strategy does not run, so nothing is signed and no nonce is taken; the next block
            // under the cap publishes every pool's state afresh.
            chain.BlocksOverCap += block == chain.LastBlock ? 0 : 1;
            chain.LastBlock = block;
            DrainEnded(chain);
            return true;
        }

        ChainStrategy strategy = chain.Strategy!;
        for (int i = 0; i < chain.Pools.Length; i++)
        {
            if (chain.Pools[i].Kind == PoolKind.UniswapV2)
            {
                chain.Pools[i].V2 = feed.Tracker.V2(i);
            }
        }

        strategy.PublishGas(block, baseFee, chain.Tip, chain.PremiumBps);
        strategy.Publish(chain.Pools, block);
        chain.WethUsd = strategy.Price(chain.Weth);
        chain.LastBlock = block;
        strategy.DrainBundles(chain.Executor is { } sender ? sender.Submit : chain.Simulate!);
        DrainEnded(chain);
        return true;
    }

    /// <summary>
    /// The dry run's hand-off, on the on-chain thread: the signed call is simulated off this thread as the executor's
    /// owner would send it, and the bundle's nonce is handed back (nothing was sent); the host logs the outcome.
    /// </summary>
    private bool Simulate(ChainRun chain, ChainStrategy strategy, in BuiltBundle bundle, long sequence)
    {
        ReadOnlySpan<byte> raw = strategy.Bundler.SignedTransaction(sequence);
        BuiltBundle copy = bundle;
        ReadOnlySpan<byte> hash = copy.TransactionHash;
        string txHash = "0x" + Convert.ToHexStringLower(hash);
        bool decoded = TransactionDecoder.TryDecodeUnchecked(raw, out Transaction? tx, out TxError decodeError);
        strategy.Signer.Nonces.TryGiveBack(bundle.Nonce);
        strategy.Signer.EndInFlight();
        if (!decoded)
        {
            _simulated.Enqueue((chain, copy, txHash, RpcError.Invalid("the signed transaction did not decode: " + decodeError)));
            return true;
        }

        var call = new CallRequest { From = chain.Owner, To = tx!.To, Data = tx.Data, Gas = bundle.GasLimit };
        JsonRpcClient client = chain.Client!;
        CancellationToken stop = _stop.Token;
        Task simulation = Task.Run(async () =>
        {
            RpcResult<ulong> estimate;
            try
            {
                estimate = await client.EstimateGasAsync(call, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                estimate = RpcError.CancelledError();
            }

            _simulated.Enqueue((chain, copy, txHash, estimate));
        }, CancellationToken.None);
        lock (_simulations)
        {
            // The stop waits for those still out; the list holds only those.
            _simulations.RemoveAll(t => t.IsCompleted);
            _simulations.Add(simulation);
        }

        return true;
    }

    private static byte[] Selector(string signature) => LowLatency.Adapters.Ethereum.Abi.AbiFunction.Parse(signature).Selector.ToArray();

    private static async Task<(Address? Value, string? Error)> ReadAddressAsync(JsonRpcClient client, Address contract, string function, CancellationToken stop)
    {
        RpcResult<byte[]> r = await client.EthCallAsync(new CallRequest { To = contract, Data = Selector(function) }, BlockTag.Latest, stop).ConfigureAwait(false);
        if (!r.IsOk)
        {
            return (null, $"{function} of {contract}: {r.Error}");
        }

        return r.Value.Length == 32 ? (new Address(r.Value.AsSpan(12, 20)), null) : (null, $"{function} of {contract}: not an address (is the contract deployed there?)");
    }

    /// <summary>One executing chain: its configuration, and once started its node, pools, strategy step and executor.</summary>
    private sealed class ChainRun(string name, ChainOptions options, Uri url) : IAsyncDisposable
    {
        public string Name { get; } = name;

        public ChainOptions Options { get; } = options;

        public Uri Url { get; } = url;

        public DateTime NextAttempt { get; set; }

        /// <summary>The executor's owner, read at start-up (the dry run simulates as it).</summary>
        public Address Owner { get; set; }

        /// <summary>Cluster mode: this node's lease on the chain's trading account (kept across restarts of the chain).</summary>
        public AccountLease? Lease { get; set; }

        /// <summary>Cluster mode: the account as this start took it over; null until then.</summary>
        public BundleSigningAccount? Account { get; set; }

        /// <summary>The last start found the account held by another node.</summary>
        public bool Standby { get; set; }

        /// <summary>The dry run's hand-off of signed bundles (in place of the executor's).</summary>
        public ChainStrategy.BundleHandOff? Simulate { get; set; }

        /// <summary>The start-up under way off the on-chain thread (set and cleared by that thread only).</summary>
        public Task<string?>? Starting { get; set; }

        public string? Problem { get; set; }

        public JsonRpcClient? Client { get; set; }

        public DexNodeFeed? Feed { get; set; }

        public DexPool[] Pools { get; set; } = [];

        public Address Weth { get; set; }

        public double PremiumBps { get; set; }

        public ChainStrategy? Strategy { get; set; }

        public BundleExecutor? Executor { get; set; }

        public List<RelayClient> Relays { get; set; } = [];

        public long LastBlock { get; set; } = -1;

        /// <summary>The head at start-up, until the first newHeads notification.</summary>
        public HeadInfo StartHead { get; set; }

        /// <summary>WETH in USD at the last block, as the graph priced it (read by the host thread for the P&amp;L: a block-old price is what was meant).</summary>
        public double WethUsd { get => Volatile.Read(ref _wethUsd); set => Volatile.Write(ref _wethUsd, value); }

        private double _wethUsd;

        /// <summary>The tip we pay (flashbots settings, read once at start-up).</summary>
        public UInt256 Tip { get; set; }

        /// <summary>The gas price cap in wei (<see cref="ChainOptions.EffectiveMaxBaseFeeGwei"/>).</summary>
        public double CapWei { get; } = options.EffectiveMaxBaseFeeGwei * 1e9;

        /// <summary>The last head's base fee was above <see cref="CapWei"/> (on-chain thread; the host reads it for the summary).</summary>
        public bool OverCap { get => Volatile.Read(ref _overCap); set => Volatile.Write(ref _overCap, value); }

        /// <summary>Blocks the cap held signing over.</summary>
        public long BlocksOverCap { get; set; }

        /// <summary>The executor's <see cref="BundleExecutor.MissedSettled"/> as the last strategy step saw it.</summary>
        public long SeenMissed { get; set; }

        private bool _overCap;

        public void Reset(DateTime nextAttempt)
        {
            NextAttempt = nextAttempt;
            Strategy = null;
            Account = null;
            Feed = null;
            Executor = null;
            SeenMissed = 0;
            foreach (RelayClient relay in Relays)
            {
                relay.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            Relays = [];
            Client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Client = null;
        }

        public async ValueTask DisposeAsync()
        {
            if (Executor is not null)
            {
                await Executor.DisposeAsync().ConfigureAwait(false);
            }

            if (Lease is not null)
            {
                await Lease.DisposeAsync().ConfigureAwait(false);
                Lease = null;
            }

            foreach (RelayClient relay in Relays)
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }

            if (Client is not null)
            {
                await Client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
