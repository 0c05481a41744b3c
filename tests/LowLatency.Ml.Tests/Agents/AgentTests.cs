using LowLatency.Ml.Agents;
using LowLatency.Ml.Cli;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Tests.Agents;

/// <summary>The five desks over the real data: costs, the risk manager's shrink-only rule, signal sharing, determinism, metrics, the CLI.</summary>
public sealed class AgentTests
{
    [Fact]
    public void The_onchain_day_has_every_block_and_both_pools_agree_within_a_percent()
    {
        OnchainDay day = AgentData.Set.Day;
        Assert.Equal(18_944_480 - 18_937_382 + 1, day.Count);
        int whales = 0;
        for (int i = 0; i < day.Count; i++)
        {
            BlockState b = day.Blocks[i];
            Assert.Equal(18_937_382 + i, b.Block);
            Assert.InRange(b.V2Mid / b.V3Mid, 0.99, 1.01);
            Assert.True(b.GasGwei > 0);
            whales += b.WhaleFlowUsdc != 0 ? 1 : 0;
        }

        Assert.InRange(whales, 100, 159); // 159 swaps of ≥ 250k USDC, some share a block
    }

    [Fact]
    public void Pool_quotes_are_the_constant_product_and_the_v3_mid_less_its_fee_for_a_small_trade()
    {
        BlockState b = AgentData.Set.Day.Blocks[100];
        double v2 = AmmQuotes.V2UsdcToWeth(b, 1000);
        double expected = 1000 * 0.997 * b.V2Weth / (b.V2Usdc + (1000 * 0.997));
        Assert.Equal(expected, v2, 9);
        double v3 = AmmQuotes.V3UsdcToWeth(b, 1000);
        Assert.InRange(v3 / (1000 / b.V3Mid * 0.9995), 0.9999, 1.0);
        Assert.Equal(0, AmmQuotes.V2UsdcToWeth(b, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Doing_nothing_costs_nothing_and_features_stay_finite(int id)
    {
        AgentSet set = AgentData.Set;
        AgentDesk d = set.Create(id);
        (int from, _, int to) = set.Segments(id);
        var board = set.BoardOf(id);
        TradingMetrics idle = TradingMetrics.Run(d, board, from, to, (_, _) => 0);
        Assert.Equal(0, idle.Pnl);
        Assert.Equal(0, idle.Turnover);
        var f = new float[d.FeatureCount];
        for (int t = from; t < to; t += 97)
        {
            d.Features(t, f);
            Assert.All(f, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 5));
        }
    }

    [Fact]
    public void A_cex_dex_trade_with_no_gap_loses_the_fees_and_the_gas()
    {
        AgentSet set = AgentData.Set;
        var d = new CexDexDesk(set.Day);
        int t = 0;
        while (Math.Abs(CexDexDesk.SpreadBps(set.Day.Blocks[t])) > 3)
        {
            t++;
        }

        BlockState next = set.Day.Blocks[t + 1];
        double pnl = d.Act(t, 1, 1);
        double notional = 2 * next.V3Mid;
        // At least the V2 fee (30 bps) and the CEX fee (10 bps) less the gap, and the gas.
        Assert.True(pnl < -((40 - 3 - Math.Abs(CexDexDesk.SpreadBps(next))) / 1e4 * notional), $"pnl {pnl}");
        Assert.True(pnl < -CexDexDesk.GasUsd(next, CexDexDesk.SwapGas) + 1e-9);
    }

    [Fact]
    public void A_flash_loan_either_makes_money_or_loses_exactly_the_gas_of_a_revert()
    {
        AgentSet set = AgentData.Set;
        var d = new FlashLoanDesk(set.Day);
        for (int t = 20; t < set.Day.Count - 1; t += 13)
        {
            double pnl = d.Act(t, 2, 1);
            double revert = -CexDexDesk.GasUsd(set.Day.Blocks[t + 1], FlashLoanDesk.RevertGas);
            Assert.True(pnl > 0 || pnl == 0 || Math.Abs(pnl - revert) < 1e-9, $"block {t}: {pnl}");
        }

        // The sizer maximises the profit: a tenth either side is never better.
        for (int t = 0; t < set.Day.Count; t += 7)
        {
            BlockState b = set.Day.Blocks[t];
            bool rich = b.V2Mid > b.V3Mid;
            double x = FlashLoanDesk.OptimalSize(b, rich, out double gross);
            if (x > 0)
            {
                double premium = 1 + (FlashLoanDesk.PremiumBps / 1e4);
                Assert.True(gross >= FlashLoanDesk.RoundTrip(b, rich, x * 0.9) - (x * 0.9 * premium) - 1e-6);
                Assert.True(gross >= FlashLoanDesk.RoundTrip(b, rich, x * 1.1) - (x * 1.1 * premium) - 1e-6);
            }
        }
    }

    [Fact]
    public void The_risk_manager_can_only_shrink_a_veto_trades_nothing_and_flattens_the_whale()
    {
        AgentSet set = AgentData.Set;
        var veto = new RiskDesk(set.Day);
        var full = new RiskDesk(set.Day);
        var half = new RiskDesk(set.Day);
        double fullTurnover = 0, halfTurnover = 0;
        for (int t = 20; t < 3000; t++)
        {
            Assert.Equal(0, veto.Act(t, 0, 1));
            Assert.Equal(0, veto.LastNotional);
            full.Act(t, 3, 1);
            half.Act(t, 2, 1);
            fullTurnover += full.LastNotional;
            halfTurnover += half.LastNotional;
        }

        Assert.True(fullTurnover > 0);
        Assert.InRange(halfTurnover, 0.45 * fullTurnover, 0.55 * fullTurnover);
        Assert.Equal([0, 0.25, 0.5, 1], new[] { RiskDesk.ScaleOf(0), RiskDesk.ScaleOf(1), RiskDesk.ScaleOf(2), RiskDesk.ScaleOf(3) });
    }

    [Fact]
    public void Agents_see_the_others_signals_of_the_step_before_and_the_risk_manager_those_of_its_step()
    {
        AgentSet set = AgentData.Set;
        SignalBoard board = set.OnchainBoard;
        int t = 0;
        while (board[t, 4] == 0)
        {
            t++; // the whale rule's first signal
        }

        Span<float> seen = stackalloc float[5];
        board.Read(t + 1, 1, 0.5f, seen);
        Assert.Equal(board[t, 4], seen[3]);
        Assert.Equal(0.5f, seen[0]);
        board.Read(t, 5, 0f, seen);
        Assert.Equal(board[t, 4], seen[3]);
        Assert.Equal(0, seen[1]); // the cross-chain agent has another timeline
        board.Read(t, 1, 0f, seen);
        Assert.Equal(board[t - 1, 4], seen[3]);
    }

    [Fact]
    public void An_environment_replays_the_same_episodes_for_the_same_seed()
    {
        AgentSet set = AgentData.Set;
        (int from, int split, _) = set.Segments(4);
        double Run(int seed)
        {
            var env = new AgentEnvironment(set.Create(4), set.OnchainBoard, from, split);
            var obs = new float[env.ObservationSize];
            var random = new Random(seed);
            env.Reset(random, obs);
            double sum = obs.Sum();
            float[] action = [0];
            for (int i = 0; i < 600; i++)
            {
                action[0] = i % 3;
                EnvStep s = env.Step(action, obs);
                sum += s.Reward + obs.Sum();
                if (s.Done)
                {
                    env.Reset(random, obs);
                }
            }

            return sum;
        }

        double first = Run(3);
        double again = Run(3);
        Assert.Equal(first, again);
        Assert.NotEqual(first, Run(4)); // the seed picks the episodes: another one replays others
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void Metrics_match_a_series_worked_by_hand()
    {
        double[] pnl = [10, -20, 5, 0];
        bool[] active = [true, true, true, false];
        TradingMetrics m = TradingMetrics.From(pnl, active, 123, 4);
        Assert.Equal(-5, m.Pnl);
        Assert.Equal(20, m.MaxDrawdown); // peak 10, trough -10
        Assert.Equal(2 / 3.0, m.WinRate, 12); // 10 and 5 of three active steps
        double mean = -1.25;
        double sd = Math.Sqrt(((11.25 * 11.25) + (18.75 * 18.75) + (6.25 * 6.25) + (1.25 * 1.25)) / 3);
        Assert.Equal(mean / sd * 2, m.Sharpe, 12);
        Assert.Equal(123, m.Turnover);
        Assert.Equal(3, m.ActiveSteps);
    }

    [Fact]
    public void Agent_lists_parse_and_bad_ones_are_refused_with_one_line()
    {
        Assert.Equal([1, 3], AgentsCommand.ParseIds("1,3", out _)!);
        Assert.Equal([1, 2, 3, 4, 5], AgentsCommand.ParseIds(string.Empty, out _)!);
        Assert.Equal([3], AgentsCommand.ParseIds(" 3,3", out _)!);
        Assert.Null(AgentsCommand.ParseIds("1,9", out string? p));
        Assert.Contains("'9' is not an agent", p, StringComparison.Ordinal);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = TrainCommand.Run(new TrainRequest { Rl = true, Agents = "x" }, stdout, stderr);
        Assert.Equal(2, rc);
        Assert.Equal("train: --agents: 'x' is not an agent (1 cex-dex, 2 cross-chain, 3 flash-loan, 4 whale-copy, 5 risk-manager)", stderr.ToString().Trim());
        rc = TrainCommand.Run(new TrainRequest { Rl = true, Agents = "1", DataRoot = "/no/such/folder" }, stdout, stderr = new StringWriter());
        Assert.Equal(2, rc);
        Assert.Contains("--data: no such folder", stderr.ToString(), StringComparison.Ordinal);
        rc = TrainCommand.Run(new TrainRequest { Agents = "1" }, stdout, stderr = new StringWriter());
        Assert.Equal(2, rc);
        Assert.Equal("train: --agents goes with --rl", stderr.ToString().Trim());
    }
}
