namespace LowLatency.Ml.Agents;

/// <summary>
/// Agent 5, risk manager and position sizer: acts last, after the on-chain agents (CEX-DEX, flash loan, whale copy) have
/// proposed on block t, and can only shrink or veto: its action scales every proposal by 0 (veto), ¼, ½ or 1. Its P&amp;L
/// is the book's: the three members' realised P&amp;L at that scale (a veto also flattens the whale position). The members
/// run <see cref="Members"/>' policies (their rule baselines unless replaced). The cross-chain agent's timeline shares no
/// time with this day, so it is not in this book.
/// </summary>
public sealed class RiskDesk : AgentDesk
{
    public const int BookWindow = 50;
    private static readonly double[] s_scales = [0, 0.25, 0.5, 1];
    private readonly OnchainDay _day;
    private readonly int[] _proposals = new int[3];
    private readonly double[] _history = new double[BookWindow];
    private int _proposedAt = -1;
    private double _equity;
    private double _peak;
    private double _rolling;
    private int _steps;

    public RiskDesk(OnchainDay day)
    {
        _day = day;
        Members = [new CexDexDesk(day), new FlashLoanDesk(day), new WhaleDesk(day)];
        MemberPolicies = [Members[0].Rule, Members[1].Rule, Members[2].Rule];
    }

    public AgentDesk[] Members { get; }

    /// <summary>How each member decides at a step (its rule by default; the ensemble puts the agents' policies here).</summary>
    public Func<int, int>[] MemberPolicies { get; }

    public override int Id => 5;

    public override string Name => "risk-manager";

    public override int Length => _day.Count - 1;

    /// <summary>Own features before the shared signals (the live builder sizes its observation by it too).</summary>
    public const int OwnFeatures = 9;

    public override int FeatureCount => OwnFeatures;

    public override int ActionCount => 4;

    public override double StepsPerYear => 365.0 * 7200;

    public override double RewardScale => CexDexDesk.UsdPerReward;

    public override string Description => "on-chain day 2024-01-05 per block; scales the CEX-DEX, flash-loan and whale-copy agents' proposals (their rule baselines) by 0, 1/4, 1/2 or 1; P&L is the book's after every cost";

    public override IReadOnlyList<string> DataFiles => _day.Files;

    public static double ScaleOf(int action) => s_scales[action];

    public override void ResetState()
    {
        foreach (AgentDesk m in Members)
        {
            m.ResetState();
        }

        Array.Clear(_history);
        _proposedAt = -1;
        _equity = 0;
        _peak = 0;
        _rolling = 0;
        _steps = 0;
        LastNotional = 0;
        LastActive = false;
    }

    /// <summary>The members' proposals at <paramref name="t"/> (once per step).</summary>
    public ReadOnlySpan<int> Proposals(int t)
    {
        if (_proposedAt != t)
        {
            for (int i = 0; i < 3; i++)
            {
                _proposals[i] = MemberPolicies[i](t);
            }

            _proposedAt = t;
        }

        return _proposals;
    }

    public override void Features(int t, Span<float> f)
    {
        ReadOnlySpan<int> p = Proposals(t);
        Span<float> signals = [Members[0].Signal(t, p[0]), Members[1].Signal(t, p[1]), Members[2].Signal(t, p[2])];
        double flashNet = p[1] == 0 ? 0 : FlashLoanDesk.ExpectedNet(_day, t, out _);
        Observe(_day.Blocks, t, signals, p, flashNet, _rolling, _equity - _peak, f);
    }

    /// <summary>
    /// The features at <paramref name="t"/> given the members' (CEX-DEX, flash loan, whale) proposals and their signals,
    /// the flash loan's expected net, and the book's rolling P&amp;L and drawdown: one builder for training and for
    /// <c>run</c> (<see cref="LiveAgents"/>).
    /// </summary>
    public static void Observe(ReadOnlySpan<BlockState> x, int t, ReadOnlySpan<float> memberSignals, ReadOnlySpan<int> proposals, double flashNet, double rolling, double drawdown, Span<float> f)
    {
        const double Scale = CexDexDesk.UsdPerReward;
        double vol = 0;
        for (int i = Math.Max(1, t - 19); i <= t; i++)
        {
            vol += Math.Abs(Math.Log(x[i].V3Mid / x[i - 1].V3Mid));
        }

        f[0] = memberSignals[0];
        f[1] = memberSignals[1];
        f[2] = memberSignals[2];
        f[3] = proposals[0] == 0 ? 0 : Clip(CexDexDesk.Edge(x[t], 2) / Scale);
        f[4] = proposals[1] == 0 ? 0 : Clip(flashNet / Scale);
        f[5] = Clip(rolling / (5 * Scale));
        f[6] = Clip(drawdown / (5 * Scale));
        f[7] = Clip(vol * 1e4 / 40);
        f[8] = Clip(x[t].GasGwei / 50);
    }

    /// <summary>Full size, halved while the book lost money over the last <see cref="BookWindow"/> blocks.</summary>
    public override int Rule(int t) => RuleOf(_rolling);

    /// <summary>The rule on the book's rolling P&amp;L.</summary>
    public static int RuleOf(double rolling) => rolling < 0 ? 2 : 3;

    public override double Act(int t, int action, double scale)
    {
        ReadOnlySpan<int> p = Proposals(t);
        double s = s_scales[action] * scale;
        double pnl = 0;
        double notional = 0;
        bool active = false;
        for (int i = 0; i < 3; i++)
        {
            pnl += Members[i].Act(t, p[i], s);
            notional += Members[i].LastNotional;
            active |= Members[i].LastActive;
        }

        LastNotional = notional;
        LastActive = active;
        Record(pnl);
        return pnl;
    }

    /// <summary>Books one step's P&amp;L into the figures the features read (rolling P&amp;L, drawdown).</summary>
    public void Record(double pnl)
    {
        _equity += pnl;
        _peak = Math.Max(_peak, _equity);
        int slot = _steps++ % BookWindow;
        _rolling += pnl - _history[slot];
        _history[slot] = pnl;
    }

    public override float Signal(int t, int action) => (float)s_scales[action];
}
