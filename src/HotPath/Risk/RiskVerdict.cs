using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Risk;

/// <summary>
/// The gate's verdict as it travels with an action (an <see cref="Strategy.Opportunity"/> slot) from the strategy thread to
/// the host: whether the gate saw it, its answer and what an approval reserved (released by the host once executed).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct RiskVerdict
{
    /// <summary>False: no gate on this run's strategy thread (the action was never checked).</summary>
    public bool Checked;

    public bool Approved;

    /// <summary><see cref="RiskReason.None"/> when approved; otherwise the breaker or refusal.</summary>
    public RiskReason Reason;

    /// <summary>Legs the approval reserved (0 when denied).</summary>
    public int Legs;

    /// <summary>Notional the approval reserved, USD (0 when denied).</summary>
    public double NotionalUsd;

    /// <summary>Stopwatch timestamp of the verdict (tick → decision ends here).</summary>
    public long Timestamp;
}

/// <summary>
/// What an executor needs of the gate: <see cref="RiskGate"/> itself on its own thread, or the host's side of the
/// strategy-thread gate (<see cref="StrategyRiskGate"/>), whose verdicts are already made and whose feedback travels back.
/// </summary>
public interface IRiskLink
{
    RiskDecision Check(in RiskAction action, long nowNs);

    void OnMid(Primitives.InstrumentId asset, double mid, long nowNs);

    void OnTradeClosed(double pnlUsd, long nowNs);

    void Release(Primitives.InstrumentId asset, int legs, double notionalUsd);
}
