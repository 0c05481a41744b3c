using System.Numerics;
using LowLatency.Ml.Agents;
using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Tests.Agents;

/// <summary>The drift detector: an active agent's live reward held to its evaluation, back to shadow when it leaves it.</summary>
public sealed class DriftDetectorTests
{
    private static readonly AgentEvaluation s_evaluation = new(Pnl: 1_000, WinRate: 0.85, MaxDrawdown: 100, ActiveSteps: 40, Steps: 1_000);

    /// <summary>P(X ≤ k) with exact integer binomial coefficients (the reference the log-space sum is checked against).</summary>
    private static double ExactAtMost(int k, int n, double p)
    {
        double sum = 0;
        BigInteger c = BigInteger.One;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0)
            {
                c = c * (n - i + 1) / i;
            }

            sum += (double)c * Math.Pow(p, i) * Math.Pow(1 - p, n - i);
        }

        return sum;
    }

    [Theory]
    [InlineData(10, 20, 0.5)]
    [InlineData(3, 13, 0.846)]
    [InlineData(25, 60, 0.85)]
    [InlineData(0, 30, 0.2)]
    [InlineData(140, 200, 0.78)]
    public void The_binomial_tail_matches_exact_coefficients(int k, int n, double p)
    {
        double exact = ExactAtMost(k, n, p);
        Assert.Equal(exact, DriftDetector.BinomialAtMost(k, n, p), exact * 1e-9);
    }

    [Fact]
    public void The_binomial_tail_is_exact_where_it_is_known_and_at_its_edges()
    {
        Assert.Equal(616_666.0 / 1_048_576.0, DriftDetector.BinomialAtMost(10, 20, 0.5), 1e-12); // Σ C(20, i) / 2^20, i ≤ 10
        Assert.Equal(1, DriftDetector.BinomialAtMost(7, 7, 0.9));
        Assert.Equal(1, DriftDetector.BinomialAtMost(0, 7, 0));
        Assert.Equal(0, DriftDetector.BinomialAtMost(6, 7, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftDetector.BinomialAtMost(8, 7, 0.5));
    }

    [Fact]
    public void A_live_book_at_the_evaluated_win_rate_never_trips()
    {
        var d = new DriftDetector(s_evaluation);
        for (int i = 0; i < 2_100; i++)
        {
            // 17 wins in every 20 active steps (85 %), one inactive step between, drawdown at most 3 losses of 10.
            int j = i % 21;
            Assert.False(d.Observe(j == 20 ? 0 : j < 17 ? 12 : -10, active: j != 20));
        }

        Assert.False(d.Tripped);
        Assert.Null(d.Reason);
        Assert.Equal(-1, d.TrippedAt);
        Assert.Equal(0.85, d.WinRate, 1e-12);
    }

    [Fact]
    public void A_win_rate_far_below_the_evaluation_trips_on_the_first_step_the_tail_falls_under_alpha()
    {
        var d = new DriftDetector(s_evaluation);
        int wins = 0, active = 0, expected = -1;
        for (int i = 0; i < 200 && expected < 0; i++)
        {
            // Half of the steps win: small amounts, so the drawdown stays far under its limit.
            bool win = i % 2 == 0;
            active++;
            wins += win ? 1 : 0;
            if (active >= d.MinActiveSteps && ExactAtMost(wins, active, 0.85) < d.Alpha)
            {
                expected = i;
            }

            Assert.Equal(expected == i, d.Observe(win ? 1 : -1, active: true));
        }

        Assert.True(expected >= d.MinActiveSteps - 1);
        Assert.True(d.Tripped);
        Assert.Equal(expected, d.TrippedAt);
        Assert.Contains("win rate", d.Reason, StringComparison.Ordinal);
        Assert.Contains("85.0 %", d.Reason, StringComparison.Ordinal);

        // Tripped stays tripped: nothing more is counted.
        int steps = d.Steps;
        Assert.False(d.Observe(-1_000_000, active: true));
        Assert.Equal(steps, d.Steps);
    }

    [Fact]
    public void A_drawdown_past_its_limit_trips_at_that_step_active_or_not()
    {
        var d = new DriftDetector(s_evaluation); // limit 1.5 × 100
        Assert.False(d.Observe(40, active: true)); // a peak first: the drawdown is measured from it
        for (int i = 1; i <= 15; i++)
        {
            Assert.False(d.Observe(-10, active: false));
        }

        Assert.Equal(150, d.Drawdown, 1e-9); // at the limit, not past it
        Assert.True(d.Observe(-0.5, active: false));
        Assert.Equal(16, d.TrippedAt);
        Assert.Equal("drawdown 150.50 past its limit 150.00 (1.5 x the larger of the evaluation's max drawdown 100.00 and its average trade 25.00)", d.Reason);
    }

    [Fact]
    public void An_evaluation_without_a_drawdown_allows_one_average_trade_before_it_trips()
    {
        var d = new DriftDetector(new AgentEvaluation(Pnl: 400, WinRate: 1, MaxDrawdown: 0, ActiveSteps: 20, Steps: 100)); // 20 a trade
        Assert.False(d.Observe(-29, active: false));
        Assert.True(d.Observe(-2, active: false)); // 31 > 1.5 × 20
    }

    [Fact]
    public void Inactive_steps_count_for_the_drawdown_only_and_bad_input_changes_nothing()
    {
        var d = new DriftDetector(s_evaluation);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.False(d.Observe(0, active: false));
        }

        Assert.False(d.Observe(double.NaN, active: true));
        Assert.False(d.Observe(double.NegativeInfinity, active: true));
        Assert.Equal(0, d.ActiveSteps);
        Assert.Equal(10_000, d.Steps);
        Assert.False(d.Tripped);
        Assert.Throws<ArgumentException>(() => new DriftDetector(s_evaluation with { WinRate = 1.2 }));
        Assert.Throws<ArgumentException>(() => new DriftDetector(s_evaluation with { MaxDrawdown = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftDetector(s_evaluation, alpha: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftDetector(s_evaluation, drawdownFactor: 0.5));
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var d = new DriftDetector(s_evaluation);
        d.Observe(1, active: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            d.Observe(i % 20 < 17 ? 1 : -1, active: true);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.False(d.Tripped);
    }

    [Fact]
    public void Only_an_active_agent_with_an_evaluation_is_held_to_it_and_a_drift_puts_it_back_in_shadow()
    {
        var e = new AgentEnsemble(Policies(), [true, true, false, false, false], enabled: true);
        e.Evaluations[1] = s_evaluation; // agent 2: active and held; agent 1: active, no evaluation; agent 3: shadow
        e.Evaluations[2] = s_evaluation;
        for (int i = 0; i < 100; i++)
        {
            Assert.False(e.OnLiveStep(0, -50, active: true));
            Assert.False(e.OnLiveStep(2, -50, active: true));
        }

        Assert.Null(e.Drift[0]);
        Assert.Null(e.Drift[2]);
        bool tripped = false;
        for (int i = 0; i < 100 && !tripped; i++)
        {
            tripped = e.OnLiveStep(1, -20, active: true);
        }

        Assert.True(tripped);
        Assert.Equal([AgentMode.Active, AgentMode.Shadow, AgentMode.Shadow, AgentMode.Shadow, AgentMode.Shadow], e.Modes);
        Assert.False(e.OnLiveStep(1, -20, active: true)); // in shadow now: not held any more
        Assert.Equal(8, e.Drift[1]!.Steps); // 7 × 20 = 140 is within 1.5 × 100; the eighth step makes 160
    }

    [Fact]
    public void On_the_held_out_replay_the_committed_active_agent_stays_within_its_evaluation_and_a_stricter_claim_returns_it_to_shadow()
    {
        AgentSet set = AgentData.Set;
        string folder = Path.Combine(LowLatency.Testing.SharedData.RepoRoot, "models", "multi_agent_rl");

        // The cross-chain agent (the one active) held to its own manifest's test figures: no drift on the same part.
        AgentEnsemble own = AgentEnsemble.Load(folder, enabled: true, out string? problem) ?? throw new InvalidOperationException(problem);
        Assert.Equal(AgentMode.Active, own.Modes[1]);
        Assert.NotNull(own.Evaluations[1]);
        EnsembleReplayResult kept = EnsembleReplay.Run(set, own);
        Assert.All(kept.DriftSteps, s => Assert.Equal(-1, s));
        Assert.Equal(AgentMode.Active, kept.Modes[1]);
        DriftDetector held = own.Drift[1]!;
        Assert.True(held.ActiveSteps > 0 && held.Steps > 1_000, $"{held.ActiveSteps} active of {held.Steps}");
        Assert.Null(own.Drift[0]); // the others are in shadow: not held

        // Held to a claim no book meets (every trade a win, never a drawdown), it is back in shadow at its first loss,
        // and from the next block its rule acts: the acted book is no longer the one the agent kept.
        AgentEnsemble strict = AgentEnsemble.Load(folder, enabled: true, out problem) ?? throw new InvalidOperationException(problem);
        strict.Evaluations[1] = new AgentEvaluation(Pnl: 1e-6, WinRate: 1, MaxDrawdown: 0, ActiveSteps: 1, Steps: 1);
        EnsembleReplayResult back = EnsembleReplay.Run(set, strict);
        Assert.True(back.DriftSteps[1] >= 0);
        Assert.Equal(AgentMode.Shadow, back.Modes[1]);
        Assert.StartsWith("drawdown ", back.DriftReasons[1], StringComparison.Ordinal);
        Assert.True(strict.Drift[1]!.Pnl < 0);
        Assert.NotEqual(kept.Acted, back.Acted);
    }

    [Fact]
    public void The_evaluation_is_read_from_the_manifest_and_a_manifest_without_one_holds_nobody()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ll-drift-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            PolicyWeights[] policies = Policies();
            for (int id = 1; id <= 5; id++)
            {
                PolicyFile.Write(policies[id - 1], Path.Combine(dir, $"agent_{id}.policy.bin"));
                string metrics = id switch
                {
                    2 => ",\"metrics\":{\"test\":{\"pnl\":3349.2,\"sharpe\":4.77,\"maxDrawdown\":191.45,\"winRate\":0.8462,\"turnover\":1,\"activeSteps\":13,\"steps\":1851}}",
                    3 => ",\"metrics\":{\"test\":{\"pnl\":\"3349\",\"maxDrawdown\":1,\"winRate\":0.5,\"activeSteps\":1,\"steps\":1}}", // mistyped
                    4 => ",\"metrics\":{\"test\":{\"pnl\":1,\"maxDrawdown\":1,\"winRate\":1.5,\"activeSteps\":1,\"steps\":1}}", // invalid
                    _ => "",
                };
                File.WriteAllText(Path.Combine(dir, $"agent_{id}.manifest.json"), "{\"beatsBaselineOutOfSample\": " + (id == 2 ? "true" : "false") + metrics + "}");
            }

            AgentEnsemble? e = AgentEnsemble.Load(dir, enabled: true, out string? problem);
            Assert.NotNull(e);
            Assert.Null(problem);
            Assert.Equal(new AgentEvaluation(3349.2, 0.8462, 191.45, 13, 1851), e.Evaluations[1]);
            Assert.Null(e.Evaluations[0]);
            Assert.Null(e.Evaluations[2]);
            Assert.Null(e.Evaluations[3]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static PolicyWeights[] Policies() => EnsembleTests.Policies();
}
