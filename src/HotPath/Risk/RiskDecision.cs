using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Risk;

/// <summary>Why the gate refused an action, or which breaker an alert is about. Values, never exceptions.</summary>
public enum RiskReason : byte
{
    None = 0,
    KillSwitch,
    DailyLossLimit,
    ConsecutiveLosses,
    Volatility,
    GasPriceCap,
    TradeNotional,
    AssetNotional,
    OpenLegs,
    StaleData,
    VenueQuarantined,

    /// <summary>The action names an asset, venue or chain outside the configured id ranges (a bug upstream, refused).</summary>
    UnknownSubject,

    /// <summary>The action is malformed: a non-positive or non-finite notional, or no legs.</summary>
    InvalidAction,

    /// <summary>
    /// The gate approved, but this node's share of a cluster-wide limit refused (its <see cref="ClusterLease"/>: expired,
    /// paused, or the share of exposure, daily notional or daily loss used up). Never produced by the gate itself.
    /// </summary>
    ClusterLimit,
}

/// <summary>
/// The gate's answer for one action: approved, or denied with its <see cref="Reason"/>. A 2-byte value; allocation-free.
/// </summary>
public readonly record struct RiskDecision(bool IsApproved, RiskReason Reason)
{
    public static RiskDecision Approved => new(true, RiskReason.None);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RiskDecision Denied(RiskReason reason) => new(false, reason);
}
