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

        // At least one average evaluated trade: an evaluation that never drew down must not trip on the first small loss.
        AverageTrade = Math.Abs(evaluation.Pnl) / Math.Max(1, evaluation.ActiveSteps);
        DrawdownLimit = drawdownFactor * Math.Max(evaluation.MaxDrawdown, AverageTrade);
    }

    public AgentEvaluation Evaluation { get; }

    public double Alpha { get; }

    public double DrawdownFactor { get; }

    public int MinActiveSteps { get; }

    /// <summary>The evaluation's P&amp;L per active step (absolute).</summary>
    public double AverageTrade { get; }

    /// <summary>The drawdown past which it trips.</summary>
    public double DrawdownLimit { get; }

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

        if (Drawdown > DrawdownLimit)
        {
            Trip(string.Create(CultureInfo.InvariantCulture,
                $"drawdown {Drawdown:F2} past its limit {DrawdownLimit:F2} ({DrawdownFactor:0.##} x the larger of the evaluation's max drawdown {Evaluation.MaxDrawdown:F2} and its average trade {AverageTrade:F2})"));
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

        // One pass: log C(n, i) built up from i = 0, the terms summed against the largest so far (rescaled when it rises).
        double logC = 0, max = double.NegativeInfinity, sum = 0;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0)
            {
                logC += Math.Log(n - i + 1) - Math.Log(i);
            }

            double term = logC + (i * logP) + ((n - i) * logQ);
            if (term > max)
            {
                sum = (sum * Math.Exp(max - term)) + 1;
                max = term;
            }
            else
            {
                sum += Math.Exp(term - max);
            }
        }

        return Math.Min(1, Math.Exp(max) * sum);
    }
}
