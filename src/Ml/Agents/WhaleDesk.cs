namespace LowLatency.Ml.Agents;

/// <summary>
/// Agent 4, whale copy trader on the on-chain day: the signals are the V3 pool's swaps of at least
/// <see cref="OnchainDay.WhaleUsdc"/> (signed: USDC into the pool = WETH bought). Actions set a target position of
/// 0, +10 or −10 WETH, traded on the V3 pool at block t's state (exact quote: 5 bps fee and price impact) plus gas of one
/// V3 swap; the position is marked to the V3 mid of block t + 1. A short is borrowed WETH; its borrow cost over minutes
/// is left out. The decoded CEX trade tape shares no time with this day and is not used here.
/// </summary>
public sealed class WhaleDesk : AgentDesk
{
    public const double Size = 10;
    public const double SwapGas = 21_000 + 100_000;
    public const int HoldBlocks = 10;
    private readonly OnchainDay _day;
    private readonly int[] _lastWhale;
    private double _weth;
    private double _cash;
    private int _target;

    public WhaleDesk(OnchainDay day)
    {
        _day = day;
        _lastWhale = new int[day.Count];
        int last = -1_000_000;
        for (int i = 0; i < day.Count; i++)
        {
            if (day.Blocks[i].WhaleFlowUsdc != 0)
            {
                last = i;
            }

            _lastWhale[i] = last;
        }
    }

    public override int Id => 4;

    public override string Name => "whale-copy";

    public override int Length => _day.Count - 1;

    /// <summary>Own features before the shared signals (the live builder sizes its observation by it too).</summary>
    public const int OwnFeatures = 8;

    public override int FeatureCount => OwnFeatures;

    public override int ActionCount => 3;

    public override double StepsPerYear => 365.0 * 7200;

    public override double RewardScale => CexDexDesk.UsdPerReward;

    public override string Description => "on-chain day 2024-01-05 per block; V3 swaps >= 250,000 USDC as whale signals; target 0/+10/-10 WETH traded on V3 (exact quote, 5 bps) at block t plus gas of one V3 swap, marked at t+1";

    public override IReadOnlyList<string> DataFiles => _day.Files;

    public override void ResetState()
    {
        _weth = 0;
        _cash = 0;
        _target = 0;
        LastNotional = 0;
        LastActive = false;
    }

    /// <summary>The action that keeps the current position (a denied change holds it).</summary>
    public int HoldAction => _target switch { 1 => 1, -1 => 2, _ => 0 };

    /// <summary>Notional (USD) that moving to <paramref name="action"/> at <paramref name="scale"/> would trade at block <paramref name="t"/>.</summary>
    public double ChangeNotional(int t, int action, double scale) => Math.Abs((Direction(action) * Size * scale) - _weth) * _day.Blocks[t].V3Mid;

    /// <summary>The target (−1, 0, +1) an action sets.</summary>
    public static int Direction(int action) => action switch { 1 => 1, 2 => -1, _ => 0 };

    public override void Features(int t, Span<float> f) => Observe(_day.Blocks, t, t - _lastWhale[t], _target, f);

    /// <summary>
    /// The features at <paramref name="t"/> given the blocks since the last whale swap and the current target
    /// (−1, 0, +1): one builder for training and for <c>run</c> (<see cref="LiveAgents"/>).
    /// </summary>
    public static void Observe(ReadOnlySpan<BlockState> x, int t, int blocksSinceWhale, int target, Span<float> f)
    {
        double recent = 0;
        for (int i = Math.Max(0, t - 9); i <= t; i++)
        {
            recent += x[i].WhaleFlowUsdc;
        }

        double vol = 0;
        for (int i = Math.Max(1, t - 19); i <= t; i++)
        {
            vol += Math.Abs(Math.Log(x[i].V3Mid / x[i - 1].V3Mid));
        }

        f[0] = Clip(x[t].WhaleFlowUsdc / 1e6);
        f[1] = Clip(recent / 1e6);
        f[2] = Clip(Math.Min(blocksSinceWhale, 100) / 50.0);
        f[3] = Clip(Math.Log(x[t].V3Mid / x[Math.Max(0, t - 1)].V3Mid) * 1e4 / 5);
        f[4] = Clip(Math.Log(x[t].V3Mid / x[Math.Max(0, t - 10)].V3Mid) * 1e4 / 20);
        f[5] = target;
        f[6] = Clip(vol * 1e4 / 40);
        f[7] = Clip(x[t].GasGwei / 50);
    }

    /// <summary>Take the last whale's side for <see cref="HoldBlocks"/> blocks, then go flat.</summary>
    public override int Rule(int t)
    {
        int w = _lastWhale[t];
        return w < 0 ? 0 : RuleOf(t - w, _day.Blocks[w].WhaleFlowUsdc);
    }

    /// <summary>The rule given the blocks since the last whale swap and that swap's signed flow.</summary>
    public static int RuleOf(int blocksSinceWhale, double lastWhaleFlowUsdc) =>
        blocksSinceWhale >= HoldBlocks ? 0 : lastWhaleFlowUsdc > 0 ? 1 : 2;

    public override double Act(int t, int action, double scale)
    {
        ref readonly BlockState now = ref _day.Blocks[t];
        double before = _cash + (_weth * now.V3Mid);
        double want = Direction(action) * Size * scale;
        double delta = want - _weth;
        LastNotional = 0;
        if (Math.Abs(delta) > 1e-9)
        {
            if (delta > 0)
            {
                double usdc = delta * now.V3Mid;
                _weth += AmmQuotes.V3UsdcToWeth(now, usdc);
                _cash -= usdc;
            }
            else
            {
                _cash += AmmQuotes.V3WethToUsdc(now, -delta);
                _weth += delta;
            }

            _cash -= CexDexDesk.GasUsd(now, SwapGas);
            LastNotional = Math.Abs(delta) * now.V3Mid;
        }

        _target = Direction(action);
        LastActive = Math.Abs(_weth) > 1e-9 || LastNotional > 0;
        return _cash + (_weth * _day.Blocks[t + 1].V3Mid) - before;
    }

    public override float Signal(int t, int action) => Direction(action);
}
