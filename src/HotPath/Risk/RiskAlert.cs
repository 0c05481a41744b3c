using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Risk;

/// <summary>A breaker changed state: it tripped, or it was reset (by its rule or by the operator).</summary>
public enum RiskAlertKind : byte
{
    Tripped = 1,
    ResetByRule,
    ResetByOperator,
}

/// <summary>
/// One breaker transition, published by the gate on the strategy thread into its alert ring for the host to log (and the
/// dashboard to show). <see cref="Subject"/> is the asset, venue or chain slot the breaker is about (−1: the whole engine).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct RiskAlert
{
    public RiskReason Breaker;
    public RiskAlertKind Kind;
    public int Subject;

    /// <summary>The measured value that tripped or released it (USD, losses, bps, wei, integrity score).</summary>
    public double Value;

    /// <summary>The configured limit it was compared with.</summary>
    public double Limit;

    /// <summary>Unix ns of the transition (the gate's clock: wall time live, recorded time in replay).</summary>
    public long TimeNs;
}
