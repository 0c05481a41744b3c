using System.Globalization;

namespace LowLatency.Ml.Agents;

/// <summary>An agent's out-of-sample figures from its manifest (<c>metrics.test</c>): what its live reward is held to.</summary>
public readonly record struct AgentEvaluation(double Pnl, double WinRate, double MaxDrawdown, int ActiveSteps, int Steps);

/// <summary>
/// Returns an active agent to shadow when its live reward leaves what its evaluation showed. Two tests, each on the
/// evaluation's own definitions (<see cref="TradingMetrics"/>): the drawdown of its cumulative P&amp;L going past
/// <see cref="DrawdownFactor"/> times the evaluation's maximum drawdown (or one average evaluated trade, if larger),
/// and, from <see cref="MinActiveSteps"/> active steps on, a win rate so far below the evaluation's that a binomial draw
/// at that rate would give as few wins less often than <see cref="Alpha"/>. An evaluation with a small sample makes a loose bar, not a false one: the test is one
/// sided and asks only whether the live wins are plausible at the evaluated rate. Once tripped it stays tripped (an
/// operator puts the agent back by retraining; nothing re-arms it silently). Allocation-free per step; one per agent.
/// </summary>
public sealed class DriftDetector
{
    private int _wins;
    private double _equity;
    private double _peak;

    public DriftDetector(AgentEvaluation evaluation, double alpha = 0.01, double drawdownFactor = 1.5, int minActiveSteps = 10)
    {
        if (!(evaluation.WinRate is >= 0 and <= 1) || !(evaluation.MaxDrawdown >= 0) || !double.IsFinite(evaluation.MaxDrawdown))
        {
            throw new ArgumentException("the evaluation's win rate must be in [0, 1] and its maximum drawdown finite and not negative", nameof(evaluation));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(alpha, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(drawdownFactor, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minActiveSteps);
        Evaluation = evaluation;
        Alpha = alpha;
        DrawdownFactor = drawdownFactor;
        MinActiveSteps = minActiveSteps;
    }

    public AgentEvaluation Evaluation { get; }

    public double Alpha { get; }

    public double DrawdownFactor { get; }

    public int MinActiveSteps { get; }

    /// <summary>Steps seen, and those that took or held risk.</summary>
    public int Steps { get; private set; }

    public int ActiveSteps { get; private set; }

    public double WinRate => ActiveSteps > 0 ? (double)_wins / ActiveSteps : 0;

    public double Pnl => _equity;

    public double Drawdown => _peak - _equity;

    public bool Tripped { get; private set; }

    /// <summary>The step (0-based, counted here) at which it tripped; −1 while not.</summary>
    public int TrippedAt { get; private set; } = -1;

    /// <summary>Why it tripped, in one line with both figures; null while not.</summary>
    public string? Reason { get; private set; }

    /// <summary>One step of the agent's live book: its P&amp;L and whether it took or held risk. True on the step it trips.</summary>
    public bool Observe(double pnl, bool active)
    {
        if (Tripped || !double.IsFinite(pnl))
        {
            return false;
        }

        Steps++;
        _equity += pnl;
        _peak = Math.Max(_peak, _equity);
        if (active)
        {
            ActiveSteps++;
            _wins += pnl > 0 ? 1 : 0;
        }

        // At least one average evaluated trade: an evaluation that never drew down must not trip on the first small loss.
        double averageTrade = Math.Abs(Evaluation.Pnl) / Math.Max(1, Evaluation.ActiveSteps);
        double limit = DrawdownFactor * Math.Max(Evaluation.MaxDrawdown, averageTrade);
        if (Drawdown > limit)
        {
            Trip(string.Create(CultureInfo.InvariantCulture,
                $"drawdown {Drawdown:F2} past its limit {limit:F2} ({DrawdownFactor:0.##} x the larger of the evaluation's max drawdown {Evaluation.MaxDrawdown:F2} and its average trade {averageTrade:F2})"));
            return true;
        }

        if (active && ActiveSteps >= MinActiveSteps)
        {
            double p = BinomialAtMost(_wins, ActiveSteps, Evaluation.WinRate);
            if (p < Alpha)
            {
                Trip(string.Create(CultureInfo.InvariantCulture,
                    $"win rate {WinRate:P1} over {ActiveSteps} active steps against the evaluation's {Evaluation.WinRate:P1} (P = {p:G3} < {Alpha:G3})"));
                return true;
            }
        }

        return false;
    }

    private void Trip(string reason)
    {
        Tripped = true;
        TrippedAt = Steps - 1;
        Reason = reason;
    }

    /// <summary>P(X ≤ k) for X ~ Binomial(n, p), summed in log space against its largest term (no overflow or underflow for any n).</summary>
    public static double BinomialAtMost(int k, int n, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, k);
        if (k == n || p <= 0)
        {
            return 1;
        }

        if (p >= 1)
        {
            return 0;
        }

        double logP = Math.Log(p), logQ = Math.Log(1 - p);

        // log C(n, i) built up from i = 0; the terms are summed against the largest for precision.
        double logC = 0, max = double.NegativeInfinity;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0)
            {
                logC += Math.Log(n - i + 1) - Math.Log(i);
            }

            max = Math.Max(max, logC + (i * logP) + ((n - i) * logQ));
        }

        double sum = 0;
        logC = 0;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0)
            {
                logC += Math.Log(n - i + 1) - Math.Log(i);
            }

            sum += Math.Exp(logC + (i * logP) + ((n - i) * logQ) - max);
        }

        return Math.Min(1, Math.Exp(max) * sum);
    }
}
