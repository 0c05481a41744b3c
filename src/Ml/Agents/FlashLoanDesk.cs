namespace LowLatency.Ml.Agents;

/// <summary>
/// Agent 3, flash-loan opportunist: the atomic V2 ↔ V3 USDC/WETH arbitrage funded by a flash loan of USDC, costed by
/// simulation through the engine's pool maths: both legs quoted exactly, Aave V3's 5 bps premium, gas of the measured
/// two-hop flash-loan path (351,922, the executor on anvil) at the block's gas price. Sized on block t by a golden-section
/// search (profit is unimodal, as in GraphSizer), the transaction lands in block t + 1: if the gap has gone, the
/// executor's profit check reverts it and the gas of a revert (100,000, an estimate) is lost. Half or full size.
/// </summary>
public sealed class FlashLoanDesk(OnchainDay day) : AgentDesk
{
    public const double PremiumBps = 5;
    public const double PathGas = 351_922;
    public const double RevertGas = 100_000;
    public const double MaxBorrowUsdc = 5_000_000;
    private static readonly double[] s_fractions = [0, 0.5, 1];
    private double _recentReverts;

    public override int Id => 3;

    public override string Name => "flash-loan";

    public override int Length => day.Count - 1;

    /// <summary>Own features before the shared signals (the live builder sizes its observation by it too).</summary>
    public const int OwnFeatures = 7;

    public override int FeatureCount => OwnFeatures;

    public override int ActionCount => 3;

    public override double StepsPerYear => 365.0 * 7200;

    public override double RewardScale => CexDexDesk.UsdPerReward;

    public override string Description => "on-chain day 2024-01-05 per block; flash-loaned USDC through V3 0.05% and V2 (exact quotes), Aave 5 bps premium, 351,922 gas, sized on block t and landing in t+1 (a revert costs 100,000 gas)";

    public override IReadOnlyList<string> DataFiles => day.Files;

    public override void ResetState()
    {
        LastNotional = 0;
        LastActive = false;
        _recentReverts = 0;
    }

    /// <summary>USDC out of the round trip for <paramref name="usdcIn"/>: through the cheaper pool's WETH and back through the dearer.</summary>
    public static double RoundTrip(in BlockState b, bool v2Rich, double usdcIn) => v2Rich
        ? AmmQuotes.V2WethToUsdc(b, AmmQuotes.V3UsdcToWeth(b, usdcIn))
        : AmmQuotes.V3WethToUsdc(b, AmmQuotes.V2UsdcToWeth(b, usdcIn));

    /// <summary>The size in [0, max] that maximises output − input·(1 + premium), and that profit before gas.</summary>
    public static double OptimalSize(in BlockState b, bool v2Rich, out double grossProfit)
    {
        double lo = 0, hi = MaxBorrowUsdc;
        const double InverseGolden = 0.6180339887498949;
        double premium = 1 + (PremiumBps / 1e4);
        double c = hi - (InverseGolden * (hi - lo));
        double d = lo + (InverseGolden * (hi - lo));
        double fc = RoundTrip(b, v2Rich, c) - (c * premium);
        double fd = RoundTrip(b, v2Rich, d) - (d * premium);
        for (int i = 0; i < 48; i++)
        {
            if (fc > fd)
            {
                hi = d;
                d = c;
                fd = fc;
                c = hi - (InverseGolden * (hi - lo));
                fc = RoundTrip(b, v2Rich, c) - (c * premium);
            }
            else
            {
                lo = c;
                c = d;
                fc = fd;
                d = lo + (InverseGolden * (hi - lo));
                fd = RoundTrip(b, v2Rich, d) - (d * premium);
            }
        }

        double x = (lo + hi) / 2;
        grossProfit = RoundTrip(b, v2Rich, x) - (x * premium);
        if (!(grossProfit > 0))
        {
            grossProfit = 0;
            return 0;
        }

        return x;
    }

    /// <summary>Expected net USD of going at full size on block <paramref name="t"/> (computed once per block: a pure function of its state).</summary>
    public static double ExpectedNet(OnchainDay day, int t, out double size)
    {
        ArgumentNullException.ThrowIfNull(day);
        (double[] net, double[] sizes) = day.FlashCache ??= Precompute(day);
        size = sizes[t];
        return net[t];
    }

    private static (double[] Net, double[] Size) Precompute(OnchainDay day)
    {
        var net = new double[day.Count];
        var sizes = new double[day.Count];
        for (int t = 0; t < day.Count; t++)
        {
            net[t] = ExpectedNet(day.Blocks[t], out sizes[t]);
        }

        return (net, sizes);
    }

    /// <summary>Expected net USD of going at full size on block <paramref name="b"/>'s state.</summary>
    public static double ExpectedNet(in BlockState b, out double size)
    {
        size = OptimalSize(b, b.V2Mid > b.V3Mid, out double gross);
        return size > 0 ? gross - CexDexDesk.GasUsd(b, PathGas) : -CexDexDesk.GasUsd(b, PathGas);
    }

    public override void Features(int t, Span<float> f)
    {
        double net = ExpectedNet(day, t, out double size);
        Observe(day.Blocks, t, net, size, _recentReverts, f);
    }

    /// <summary>
    /// The features at <paramref name="t"/> given block t's expected net and size (<see cref="ExpectedNet(in BlockState, out double)"/>)
    /// and the decayed revert count: one builder for training and for <c>run</c> (<see cref="LiveAgents"/>).
    /// </summary>
    public static void Observe(ReadOnlySpan<BlockState> x, int t, double net, double size, double recentReverts, Span<float> f)
    {
        f[0] = Clip(net / CexDexDesk.UsdPerReward);
        f[1] = Clip(size / 1e6);
        f[2] = Clip(CexDexDesk.SpreadBps(x[t]) / 20);
        f[3] = Clip(x[t].GasGwei / 50);
        f[4] = Clip(x[t].VolumeUsdc / 1e6);
        f[5] = Clip(recentReverts);
        f[6] = Clip((CexDexDesk.SpreadBps(x[t]) - CexDexDesk.SpreadBps(x[Math.Max(0, t - 1)])) / 10);
    }

    public override int Rule(int t) => RuleOf(ExpectedNet(day, t, out _));

    /// <summary>The rule on a block's expected net: full size when it is positive.</summary>
    public static int RuleOf(double expectedNet) => expectedNet > 0 ? 2 : 0;

    public override double Act(int t, int action, double scale)
    {
        _recentReverts *= 0.95;
        double fraction = s_fractions[action] * scale;
        LastActive = fraction > 0;
        LastNotional = 0;
        if (!(fraction > 0))
        {
            return 0;
        }

        ref readonly BlockState now = ref day.Blocks[t];
        ref readonly BlockState next = ref day.Blocks[t + 1];
        bool v2Rich = now.V2Mid > now.V3Mid;
        ExpectedNet(day, t, out double full);
        double size = full * fraction;
        if (!(size > 0))
        {
            // Nothing to send: the search found no profitable size on block t.
            LastActive = false;
            return 0;
        }

        double net = RoundTrip(next, v2Rich, size) - (size * (1 + (PremiumBps / 1e4))) - CexDexDesk.GasUsd(next, PathGas);
        if (net > 0)
        {
            LastNotional = 2 * size;
            return net;
        }

        _recentReverts += 1;
        return -CexDexDesk.GasUsd(next, RevertGas);
    }

    public override float Signal(int t, int action) => SignalOf(day.Blocks[t], action);

    public static float SignalOf(in BlockState b, int action) =>
        action == 0 ? 0f : (float)(Math.Sign(b.V2Mid - b.V3Mid) * s_fractions[action]);
}
