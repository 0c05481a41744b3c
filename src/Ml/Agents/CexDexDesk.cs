namespace LowLatency.Ml.Agents;

/// <summary>
/// Agent 1, CEX-DEX arbitrage. No CEX capture overlaps the on-chain day, so the CEX leg is stood in for by the Uniswap V3
/// 0.05 % pool's mid (the deepest USDC/WETH venue) with a 10 bps taker fee; the DEX leg is the V2 pair quoted exactly
/// (30 bps, price impact). The trade is decided on block t and fills against block t + 1 (one block of latency: not
/// atomic, the gap may have closed), gas for one V2 swap at the block's gas price. Sizes 2 or 10 WETH.
/// </summary>
public sealed class CexDexDesk(OnchainDay day) : AgentDesk
{
    public const double CexFeeBps = 10;
    public const double SwapGas = 21_000 + 60_000;
    private static readonly double[] s_sizes = [0, 2, 10];

    public override int Id => 1;

    public override string Name => "cex-dex";

    public override int Length => day.Count - 1;

    /// <summary>Own features before the shared signals (the live builder sizes its observation by it too).</summary>
    public const int OwnFeatures = 7;

    public override int FeatureCount => OwnFeatures;

    public override int ActionCount => 3;

    public override double StepsPerYear => 365.0 * 7200;

    /// <summary>USD per unit of reward (the features are scaled by it too).</summary>
    public const double UsdPerReward = 20;

    public override double RewardScale => UsdPerReward;

    public override string Description => "on-chain day 2024-01-05 per block; V2 pair (exact quote) against the V3 0.05% mid as the CEX stand-in (10 bps taker), decided on block t, filled on t+1, gas of one V2 swap";

    public override IReadOnlyList<string> DataFiles => day.Files;

    public override void ResetState()
    {
        LastNotional = 0;
        LastActive = false;
    }

    public static double SpreadBps(in BlockState b) => ((b.V2Mid / b.V3Mid) - 1) * 1e4;

    public static double GasUsd(in BlockState b, double gas) => gas * b.GasGwei * 1e-9 * b.V3Mid;

    public override void Features(int t, Span<float> f) => Observe(day.Blocks, t, f);

    /// <summary>
    /// The features at <paramref name="t"/> of a block sequence (data up to t only): one builder for training (the day)
    /// and for <c>run</c> (<see cref="LiveAgents"/>' window of live blocks), so both see the same layout and scaling.
    /// </summary>
    public static void Observe(ReadOnlySpan<BlockState> x, int t, Span<float> f)
    {
        double s = SpreadBps(x[t]);
        f[0] = Clip(s / 20);
        f[1] = Clip((s - SpreadBps(x[Math.Max(0, t - 1)])) / 10);
        f[2] = Clip((s - SpreadBps(x[Math.Max(0, t - 5)])) / 10);
        f[3] = Clip(GasUsd(x[t], SwapGas) / (2 * x[t].V3Mid) * 1e4 / 20);
        f[4] = Clip(Math.Log(x[t].V3Mid / x[Math.Max(0, t - 1)].V3Mid) * 1e4 / 5);
        f[5] = Clip(Math.Log(x[t].V3Mid / x[Math.Max(0, t - 10)].V3Mid) * 1e4 / 20);
        f[6] = Clip(Edge(x[t], 2) / UsdPerReward);
    }

    /// <summary>Net USD of trading <paramref name="size"/> WETH across the gap in block <paramref name="b"/>'s state.</summary>
    public static double Edge(in BlockState b, double size)
    {
        double mid = b.V3Mid;
        double gas = GasUsd(b, SwapGas);
        if (b.V2Mid > mid)
        {
            // V2 rich: sell WETH on V2, buy it back on the CEX.
            return AmmQuotes.V2WethToUsdc(b, size) - (size * mid * (1 + (CexFeeBps / 1e4))) - gas;
        }

        // V2 cheap: buy WETH on V2 with the USDC of `size` at the CEX mid, sell it on the CEX.
        double usdc = size * mid;
        return (AmmQuotes.V2UsdcToWeth(b, usdc) * mid * (1 - (CexFeeBps / 1e4))) - usdc - gas;
    }

    public override int Rule(int t) => RuleOf(day.Blocks[t]);

    /// <summary>The rule on one block's state: trade the small size when its net edge is positive.</summary>
    public static int RuleOf(in BlockState b) => Edge(b, s_sizes[1]) > 0 ? 1 : 0;

    public override double Act(int t, int action, double scale)
    {
        double size = s_sizes[action] * scale;
        LastActive = size > 0;
        if (!(size > 0))
        {
            LastNotional = 0;
            return 0;
        }

        // Direction from block t, filled in block t + 1's state.
        ref readonly BlockState now = ref day.Blocks[t];
        ref readonly BlockState next = ref day.Blocks[t + 1];
        double mid = next.V3Mid;
        double gas = GasUsd(next, SwapGas);
        LastNotional = 2 * size * mid;
        if (now.V2Mid > now.V3Mid)
        {
            return AmmQuotes.V2WethToUsdc(next, size) - (size * mid * (1 + (CexFeeBps / 1e4))) - gas;
        }

        double usdc = size * mid;
        return (AmmQuotes.V2UsdcToWeth(next, usdc) * mid * (1 - (CexFeeBps / 1e4))) - usdc - gas;
    }

    public override float Signal(int t, int action) => SignalOf(day.Blocks[t], action);

    public static float SignalOf(in BlockState b, int action) =>
        action == 0 ? 0f : (float)(Math.Sign(b.V2Mid - b.V3Mid) * s_sizes[action] / s_sizes[^1]);
}
