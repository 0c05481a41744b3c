using LowLatency.HotPath.Strategy;

namespace LowLatency.Ml.Agents;

/// <summary>
/// The ensemble inside <c>run</c>: a window of the live chain's last blocks (USDC/WETH V2 reserves, the V3 0.05 % pool's
/// price and liquidity, gas), from which each step builds the observations with the desks' own builders
/// (<see cref="CexDexDesk.Observe"/>, <see cref="FlashLoanDesk.Observe"/>, <see cref="WhaleDesk.Observe"/>,
/// <see cref="RiskDesk.Observe"/>, <see cref="SignalBoard.Share"/>), so the layout and scaling are the training's. One
/// step per completed block, as trained: the specialists decide, the risk manager last on what is acted. Quantities
/// with no live source in <c>run</c>, said here and in the README rather than invented:
/// <list type="bullet">
/// <item>the cross-chain agent: trained on Kraken against Gemini BTC/USD hourly (2017-18) as two chains; <c>run</c> has
/// neither that pair of series nor a bridge feed, so it is off here (<see cref="OffReasons"/>), its slot 0 as in the
/// on-chain agents' training;</item>
/// <item>whale flow and swap volume: the live pool feed carries pool state, not swaps, so no whale swap is ever seen
/// (flow 0, volume 0);</item>
/// <item>the agents' own book: <c>run</c> executes none of the desks' proposals (the engine's opportunities are what is
/// acted), so the book is flat: rolling P&amp;L, drawdown and flash-loan reverts 0, the whale target the acted one.</item>
/// </list>
/// Strategy thread only after construction; allocation-free per step.
/// </summary>
public sealed class LiveAgents
{
    /// <summary>Blocks kept: the longest look-back of a feature is 20 blocks.</summary>
    public const int Window = 32;

    public const string CrossChainOff = "trained on Kraken vs Gemini BTC/USD hourly (2017-18) as two chains; run has no such pair of series nor a bridge feed to build its features from";

    private const int CexDex = 0;
    private const int CrossChain = 1;
    private const int Flash = 2;
    private const int Whale = 3;
    private const int Risk = AgentEnsemble.RiskManager;

    private readonly BlockState[] _blocks = new BlockState[Window];
    private readonly float[] _signals = new float[AgentDesk.Agents];
    private readonly float[] _own = new float[AgentDesk.Agents];
    private readonly float[] _memberSignals = new float[3];
    private readonly int[] _proposals = new int[3];
    private int _count;
    private int _sinceWhale = 1_000_000;
    private double _lastWhaleFlow;
    private int _target;
    private long _steps;

    public LiveAgents(AgentEnsemble ensemble)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        int[] features = [CexDexDesk.OwnFeatures, CrossChainDesk.OwnFeatures, FlashLoanDesk.OwnFeatures, WhaleDesk.OwnFeatures, RiskDesk.OwnFeatures];
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            if (ensemble.Observations[i].Length != features[i] + AgentDesk.Agents)
            {
                throw new ArgumentException($"agent {i + 1}: the policy takes {ensemble.Observations[i].Length} inputs, its desk builds {features[i] + AgentDesk.Agents}");
            }
        }

        Ensemble = ensemble;
        if (ensemble.Modes[CrossChain] != AgentMode.Off)
        {
            ensemble.Modes[CrossChain] = AgentMode.Off;
            OffReasons[CrossChain] = CrossChainOff;
        }
    }

    public AgentEnsemble Ensemble { get; }

    /// <summary>Per agent, why it is off in <c>run</c> though the switches and its model would have it on (null: not for a live-data reason).</summary>
    public string?[] OffReasons { get; } = new string?[AgentEnsemble.Count];

    /// <summary>Ensemble steps taken (one per completed block with a usable state).</summary>
    public long Steps => Volatile.Read(ref _steps);

    /// <summary>The block the last step decided on (0: none).</summary>
    public long LastStepBlock { get; private set; }

    /// <summary>Blocks in the window.</summary>
    public int Count => _count;

    /// <summary>The last step's published signals (the specialists' and the risk manager's).</summary>
    public ReadOnlySpan<float> Signals => _signals;

    /// <summary>Each agent's own last signal (its slot in its next observation).</summary>
    public ReadOnlySpan<float> OwnSignals => _own;

    /// <summary>Whether any agent decides (one on, in shadow or active).</summary>
    public bool AnyOn
    {
        get
        {
            for (int i = 0; i < AgentEnsemble.Count; i++)
            {
                if (Ensemble.Modes[i] != AgentMode.Off)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A new block: appended (the oldest leaves a full window).</summary>
    public void Push(in BlockState block)
    {
        if (_count == Window)
        {
            Array.Copy(_blocks, 1, _blocks, 0, Window - 1);
            _count--;
        }

        _blocks[_count++] = block;

        // Blocks since the last whale swap, as the desk's "t − last whale" (the block itself counts when it has one).
        if (block.WhaleFlowUsdc != 0)
        {
            _sinceWhale = 0;
            _lastWhaleFlow = block.WhaleFlowUsdc;
        }
        else if (_sinceWhale < 1_000_000)
        {
            _sinceWhale++;
        }
    }

    /// <summary>
    /// An empty window, as at construction: the pools are followed afresh (a chain restarted and re-read them), so the
    /// blocks before are no history of these. The counts and the modes stay.
    /// </summary>
    public void Clear()
    {
        Array.Clear(_blocks);
        Array.Clear(_signals);
        Array.Clear(_own);
        _count = 0;
        _sinceWhale = 1_000_000;
        _lastWhaleFlow = 0;
        _target = 0;
        LastStepBlock = 0;
    }

    /// <summary>The current block's state moved (a later pool event of the same block).</summary>
    public void Update(in BlockState block)
    {
        if (_count == 0)
        {
            Push(in block);
            return;
        }

        _blocks[_count - 1] = block;
    }

    /// <summary>Builds the specialists' observations and rule actions on the window's last block (the training's builders).</summary>
    public void ObserveSpecialists(double flashNet, double flashSize)
    {
        AgentEnsemble e = Ensemble;
        ReadOnlySpan<BlockState> x = _blocks.AsSpan(0, _count);
        int t = _count - 1;
        ref readonly BlockState b = ref x[t];
        Observe(CexDex, CexDexDesk.OwnFeatures);
        CexDexDesk.Observe(x, t, e.Observations[CexDex]);
        e.RuleActions[CexDex] = CexDexDesk.RuleOf(in b);
        Array.Clear(e.Observations[CrossChain]);
        e.RuleActions[CrossChain] = 0;
        Observe(Flash, FlashLoanDesk.OwnFeatures);
        FlashLoanDesk.Observe(x, t, flashNet, flashSize, recentReverts: 0, e.Observations[Flash]);
        e.RuleActions[Flash] = FlashLoanDesk.RuleOf(flashNet);
        Observe(Whale, WhaleDesk.OwnFeatures);
        WhaleDesk.Observe(x, t, _sinceWhale, _target, e.Observations[Whale]);
        e.RuleActions[Whale] = WhaleDesk.RuleOf(_sinceWhale, _lastWhaleFlow);
    }

    /// <summary>Builds the risk manager's observation on the acted proposals (it reads this step's signals, as trained).</summary>
    public void ObserveRisk(double flashNet)
    {
        AgentEnsemble e = Ensemble;
        ReadOnlySpan<BlockState> x = _blocks.AsSpan(0, _count);
        int t = _count - 1;
        ref readonly BlockState b = ref x[t];
        _proposals[0] = e.ActedActions[CexDex];
        _proposals[1] = e.ActedActions[Flash];
        _proposals[2] = e.ActedActions[Whale];
        _memberSignals[0] = CexDexDesk.SignalOf(in b, _proposals[0]);
        _memberSignals[1] = FlashLoanDesk.SignalOf(in b, _proposals[1]);
        _memberSignals[2] = WhaleDesk.Direction(_proposals[2]);
        float[] obs = e.Observations[Risk];
        RiskDesk.Observe(x, t, _memberSignals, _proposals, _proposals[1] == 0 ? 0 : flashNet, rolling: 0, drawdown: 0, obs);
        SignalBoard.Share(_signals, Risk + 1, _own[Risk], obs.AsSpan(RiskDesk.OwnFeatures));
        e.RuleActions[Risk] = RiskDesk.RuleOf(0);
    }

    /// <summary>
    /// One step on the window's last block (complete: the next one has started): specialists, then the risk manager;
    /// publishes the signals the next step reads. False (nothing decided) without a usable block.
    /// </summary>
    public bool Step()
    {
        if (_count == 0 || !Usable(in _blocks[_count - 1]))
        {
            return false;
        }

        AgentEnsemble e = Ensemble;
        ref readonly BlockState b = ref _blocks[_count - 1];
        double flashNet = FlashLoanDesk.ExpectedNet(in b, out double flashSize);
        ObserveSpecialists(flashNet, flashSize);
        e.DecideSpecialists();

        // Specialists' signals of this step (the agents' own decisions where on, as the replay publishes them).
        _signals[CexDex] = CexDexDesk.SignalOf(in b, Published(CexDex));
        _signals[CrossChain] = 0;
        _signals[Flash] = FlashLoanDesk.SignalOf(in b, Published(Flash));
        _signals[Whale] = WhaleDesk.Direction(Published(Whale));
        ObserveRisk(flashNet);
        e.DecideRisk();
        _signals[Risk] = (float)RiskDesk.ScaleOf(Published(Risk));
        _signals.CopyTo(_own, 0);
        _target = WhaleDesk.Direction(e.ActedActions[Whale]);
        LastStepBlock = b.Block;
        Volatile.Write(ref _steps, _steps + 1);
        return true;
    }

    /// <summary>
    /// The scale an opportunity of <paramref name="kind"/> is acted at: 1 unless an active agent shrinks it (the risk
    /// manager's scale) or vetoes it (0: its specialist for that kind acted "do nothing"). Shadow and off agents never
    /// change it: in shadow the engine's rule acts.
    /// </summary>
    public double ActedScale(OpportunityKind kind)
    {
        AgentEnsemble e = Ensemble;
        double scale = e.Modes[Risk] == AgentMode.Active ? RiskDesk.ScaleOf(e.ActedActions[Risk]) : 1;
        int k = kind switch { OpportunityKind.CexDex => CexDex, OpportunityKind.DexDex => Flash, OpportunityKind.CrossChain => CrossChain, _ => -1 };
        return k >= 0 && e.Modes[k] == AgentMode.Active && e.ActedActions[k] == 0 ? 0 : scale;
    }

    /// <summary>The last step's votes into an opportunity's slot (agents off: none).</summary>
    public void WriteVotes(ref AgentVotes votes)
    {
        AgentEnsemble e = Ensemble;
        votes.Step = LastStepBlock;
        for (int i = 0; i < AgentEnsemble.Count; i++)
        {
            ref AgentVote v = ref votes.Votes[i];
            v.Mode = (byte)e.Modes[i];
            v.Action = (sbyte)e.AgentActions[i];
            v.RuleAction = (sbyte)e.RuleActions[i];
            v.Acted = (sbyte)e.ActedActions[i];
        }
    }

    /// <summary>
    /// Start-up, before the strategy thread runs: a few steps of a throw-away window over the same ensemble, so the first
    /// live block does not pay the JIT of the forward passes and the quotes (the host compiles each method once, fully
    /// optimised). The block is a made-up but valid pool state, never decided on for real; the counts are cleared after.
    /// </summary>
    public static void WarmUp(AgentEnsemble ensemble)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        var copy = new LiveAgents(ensemble);
        var block = new BlockState
        {
            V2Usdc = 15_000_000,
            V2Weth = 6_500,
            SqrtPriceX96 = new LowLatency.HotPath.Primitives.UInt256(0, 90_000_000_000_000), // a V3 mid near 2,400 USDC/WETH
            Liquidity = (UInt128)3e19,
            GasGwei = 20,
        };
        for (int i = 0; i < 3; i++)
        {
            block.Block = i + 1;
            copy.Push(in block);
            copy.Step();
            _ = copy.ActedScale(OpportunityKind.CexDex);
        }

        ensemble.ResetCounts();
    }

    /// <summary>A block the quotes can run on: both pools have state.</summary>
    public static bool Usable(in BlockState b) => b.V2Usdc > 0 && b.V2Weth > 0 && b.Liquidity != 0 && !b.SqrtPriceX96.IsZero;

    private int Published(int i) => Ensemble.Modes[i] == AgentMode.Off ? Ensemble.ActedActions[i] : Math.Max(0, Ensemble.AgentActions[i]);

    private void Observe(int i, int features) =>
        SignalBoard.Share(_signals, i + 1, _own[i], Ensemble.Observations[i].AsSpan(features));
}
