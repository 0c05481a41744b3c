namespace LowLatency.Ml.Agents;

/// <summary>
/// Figures of one sequential run over a segment: P&amp;L after every cost (USD), Sharpe (mean / standard deviation of
/// the per-step P&amp;L, annualised with the timeline's steps per year: a short window annualised, not a forecast), maximum
/// drawdown of the cumulative P&amp;L (USD), win rate (share of steps that took or held risk and made money), turnover
/// (USD notional traded) and the number of active steps.
/// </summary>
public sealed record TradingMetrics(double Pnl, double Sharpe, double MaxDrawdown, double WinRate, double Turnover, int ActiveSteps, int Steps)
{
    public static TradingMetrics From(ReadOnlySpan<double> pnl, ReadOnlySpan<bool> active, double turnover, double stepsPerYear)
    {
        double sum = 0, sq = 0, equity = 0, peak = 0, drawdown = 0;
        int activeSteps = 0, wins = 0;
        for (int i = 0; i < pnl.Length; i++)
        {
            sum += pnl[i];
            equity += pnl[i];
            peak = Math.Max(peak, equity);
            drawdown = Math.Max(drawdown, peak - equity);
            if (active[i])
            {
                activeSteps++;
                wins += pnl[i] > 0 ? 1 : 0;
            }
        }

        double mean = pnl.Length > 0 ? sum / pnl.Length : 0;
        for (int i = 0; i < pnl.Length; i++)
        {
            sq += (pnl[i] - mean) * (pnl[i] - mean);
        }

        double sd = pnl.Length > 1 ? Math.Sqrt(sq / (pnl.Length - 1)) : 0;
        double sharpe = sd > 0 ? mean / sd * Math.Sqrt(stepsPerYear) : 0;
        return new TradingMetrics(sum, sharpe, drawdown, activeSteps > 0 ? (double)wins / activeSteps : 0, turnover, activeSteps, pnl.Length);
    }

    /// <summary>Runs <paramref name="policy"/> ((step, observation) → action) over [from, to) of <paramref name="desk"/> in order, from a fresh state, with the shared signals of <paramref name="board"/>.</summary>
    public static TradingMetrics Run(AgentDesk desk, SignalBoard board, int from, int to, Func<int, float[], int> policy, List<double>? curve = null)
    {
        ArgumentNullException.ThrowIfNull(desk);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(policy);
        from = Math.Max(from, desk.Warmup);
        to = Math.Min(to, desk.Length);
        int n = Math.Max(0, to - from);
        var pnl = new double[n];
        var active = new bool[n];
        var obs = new float[desk.FeatureCount + AgentDesk.Agents];
        double turnover = 0;
        float own = 0;
        desk.ResetState();
        for (int i = 0; i < n; i++)
        {
            int t = from + i;
            desk.Features(t, obs.AsSpan(0, desk.FeatureCount));
            board.Read(t, desk.Id, own, obs.AsSpan(desk.FeatureCount));
            int a = Math.Clamp(policy(t, obs), 0, desk.ActionCount - 1);
            pnl[i] = desk.Act(t, a, 1);
            active[i] = desk.LastActive;
            turnover += desk.LastNotional;
            own = desk.Signal(t, a);
            curve?.Add(pnl[i]);
        }

        desk.ResetState();
        return From(pnl, active, turnover, desk.StepsPerYear);
    }
}
