using System.Globalization;
using LowLatency.Host.Dashboard;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;
using LowLatency.Ml.Agents;

namespace LowLatency.Host.Lifecycle;

/// <summary>
/// The agent ensemble on <c>run</c>'s strategy thread (<see cref="StrategyState.Agents"/>): at every batch end it keeps
/// <see cref="LiveAgents"/>' window of blocks from the venue graph's USDC/WETH pools and gas on the agents' chain and,
/// when a new block starts, lets the agents decide on the one just completed (as trained: decided on block t's final
/// state); every opportunity then carries the votes, before the risk gate. Strategy thread only after construction;
/// allocation-free.
/// </summary>
internal sealed class RunAgents : IOpportunityAgents
{
    private static readonly UInt256 s_q192 = UInt256.One << 192;

    private readonly LiveAgents _live;
    private readonly VenueGraph _graph;
    private readonly PoolEventApplier _pools;
    private readonly UsdcWethPools _at;
    private BlockState _state;
    private long _block = -1;
    private long _pushed = -1;
    private long _applied = -1;

    private RunAgents(LiveAgents live, VenueGraph graph, PoolEventApplier pools, UsdcWethPools at)
    {
        _live = live;
        _graph = graph;
        _pools = pools;
        _at = at;
    }

    public LiveAgents Live => _live;

    /// <summary>
    /// The ensemble for this run, or null (agents off) with the reason; <paramref name="line"/> says which agents are on,
    /// in which mode, and why any is off (printed and logged once at start-up).
    /// </summary>
    public static RunAgents? TryCreate(AgentEnsemble? ensemble, string? loadProblem, GraphWiring? graph, out string line)
    {
        UsdcWethPools? at = graph?.UsdcWeth;
        LiveAgents? live = Prepare(ensemble, loadProblem,
            at is null ? "the market has no USDC/WETH V2 pair and V3 0.05% pool on a chain: the on-chain agents' inputs" : null,
            at is null ? "" : $"on {graph!.ChainNames[at.Value.Chain]}'s USDC/WETH pools, one decision per block before the risk gate", out line);
        return live is null ? null : new RunAgents(live, graph!.Graph, graph.Pools, at!.Value);
    }

    /// <summary>
    /// The agents' window for a run whose pools come later (live mode's chains start, and may restart, after start-up):
    /// null (agents off) with the reason in <paramref name="line"/>, as <see cref="TryCreate"/> says it;
    /// <paramref name="noInputs"/>: why the run has no pools for them (null: it has, <paramref name="where"/> says which).
    /// </summary>
    public static LiveAgents? Prepare(AgentEnsemble? ensemble, string? loadProblem, string? noInputs, string where, out string line)
    {
        if (ensemble is null)
        {
            line = $"agents: off ({loadProblem ?? "no models"}): rules only";
            return null;
        }

        if (ensemble.Modes[0] == AgentMode.Off)
        {
            line = "agents: off (--no-ai or ENABLE_RL_AGENTS=false): rules only, no forward pass";
            return null;
        }

        if (noInputs is not null)
        {
            Array.Fill(ensemble.Modes, AgentMode.Off);
            line = $"agents: off ({noInputs}): rules only";
            return null;
        }

        var live = new LiveAgents(ensemble);
        LiveAgents.WarmUp(ensemble);
        var parts = new List<string>();
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            string mode = ensemble.Modes[i].ToString().ToLowerInvariant();
            parts.Add(live.OffReasons[i] is { } why ? $"{AgentSet.Names[i]} {mode} ({why})" : $"{AgentSet.Names[i]} {mode}");
        }

        line = $"agents: {string.Join(", ", parts)}; {where} (shadow: the rule acts)";
        return live;
    }

    /// <summary>
    /// The agents over one chain's pools as they are now followed (a live chain's strategy step, built at each start):
    /// the window starts empty, since the pools were read afresh. Start-up of that chain; the strategy thread after.
    /// </summary>
    public static RunAgents Over(LiveAgents live, VenueGraph graph, PoolEventApplier pools, UsdcWethPools at)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(pools);
        live.Clear();
        return new RunAgents(live, graph, pools, at);
    }

    /// <inheritdoc />
    public void OnBatch(long decisionTimeNs)
    {
        long applied = _pools.AppliedOn(_at.Chain);
        if (applied == _applied)
        {
            return;
        }

        _applied = applied;
        long block = _pools.LastBlock(_at.Chain);
        if (block != _block)
        {
            // A new block: the one before it is complete, and the agents decide on it.
            if (_pushed == _block && _block >= 0)
            {
                _live.Step();
            }

            _block = block;
        }

        Read(_graph, in _at, block, decisionTimeNs, ref _state);
        if (!LiveAgents.Usable(in _state))
        {
            return;
        }

        if (_pushed == block)
        {
            _live.Update(in _state);
        }
        else
        {
            _live.Push(in _state);
            _pushed = block;
        }
    }

    /// <inheritdoc />
    public bool Decide(ref Opportunity opportunity)
    {
        if (_live.LastStepBlock == 0)
        {
            return true; // no block decided yet: no votes, the rule acts
        }

        _live.WriteVotes(ref opportunity.Agents);
        double scale = _live.ActedScale(opportunity.Kind);
        if (scale >= 1)
        {
            return true;
        }

        if (!(scale > 0))
        {
            return false;
        }

        opportunity.Size *= scale;
        opportunity.SizeQuote *= scale;
        opportunity.Quantity = new HotPath.Primitives.Quantity((long)(opportunity.Quantity.Raw * scale));
        return true;
    }

    /// <summary>Host thread: the manifests' views with this run's modes and live counts (approximate reads of the strategy thread's counters).</summary>
    public IReadOnlyList<AgentView> Views(IReadOnlyList<AgentView> manifests)
    {
        var views = new List<AgentView>(manifests.Count);
        AgentEnsemble e = _live.Ensemble;
        for (int i = 0; i < manifests.Count; i++)
        {
            AgentView m = manifests[i];
            views.Add(i >= AgentEnsemble.Count || m.PolicyVersion is null ? m : m with
            {
                State = e.Modes[i].ToString().ToLowerInvariant(),
                Decisions = e.Decisions(i),
                Disagreements = e.Disagreements(i),
                Reason = _live.OffReasons[i],
            });
        }

        return views;
    }

    /// <summary>"done: agents: 41 blocks decided; cex-dex shadow 41 decisions (0 against its rule), …".</summary>
    public string DescribeDone() => DescribeDone(_live);

    /// <inheritdoc cref="DescribeDone()"/>
    public static string DescribeDone(LiveAgents live)
    {
        ArgumentNullException.ThrowIfNull(live);
        AgentEnsemble e = live.Ensemble;
        var parts = new List<string>();
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            parts.Add(e.Modes[i] == AgentMode.Off
                ? $"{AgentSet.Names[i]} off"
                : string.Create(CultureInfo.InvariantCulture, $"{AgentSet.Names[i]} {e.Modes[i].ToString().ToLowerInvariant()} {e.Decisions(i)} decisions ({e.Disagreements(i)} against its rule)"));
        }

        return string.Create(CultureInfo.InvariantCulture, $"done: agents: {live.Steps} blocks decided; {string.Join(", ", parts)}");
    }

    // The block's state as the desks read it, as on Ethereum: USDC token0 (6 decimals), WETH token1 (18). Where WETH is
    // token0 (Arbitrum, Base) the reserves swap and the price inverts: 2^192 / sqrtP, the liquidity is the same. Gas =
    // base fee + tip. The pool feed carries state, not swaps: no whale flow or volume is seen (0, not invented).
    internal static void Read(VenueGraph graph, in UsdcWethPools at, long block, long nowNs, ref BlockState s)
    {
        ref readonly V2PoolState v2 = ref graph.V2(at.V2);
        ref readonly V3PoolState v3 = ref graph.V3(at.V3).State;
        ref readonly ChainGas gas = ref graph.Gas(at.Chain);
        bool inverted = at.WethIsToken0;
        s.Block = block;
        s.TimeNs = nowNs;
        s.V2Usdc = Amounts.ToDouble(inverted ? v2.Reserve1 : v2.Reserve0) / AmmQuotes.UsdcUnit;
        s.V2Weth = Amounts.ToDouble(inverted ? v2.Reserve0 : v2.Reserve1) / AmmQuotes.WethUnit;
        s.SqrtPriceX96 = !inverted || v3.SqrtPriceX96.IsZero ? v3.SqrtPriceX96 : s_q192 / v3.SqrtPriceX96;
        s.Liquidity = v3.Liquidity;
        s.WhaleFlowUsdc = 0;
        s.VolumeUsdc = 0;
        s.GasGwei = (gas.BaseFeeWei + gas.PriorityFeeWei) / 1e9;
    }
}
