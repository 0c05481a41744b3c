using System.Globalization;

namespace LowLatency.HotPath.Risk;

/// <summary>
/// The gate's limits, set at start-up and frozen once the gate is built (the gate copies the arrays). Every limit is in
/// the quote currency (USD), nanoseconds, basis points or wei. <see cref="Validate"/> lists every problem together,
/// naming each setting as the settings file spells it (camelCase).
/// </summary>
public sealed record RiskOptions
{
    /// <summary>How many assets the per-asset tables hold (ids 0 … N−1).</summary>
    public int Assets { get; init; } = 64;

    /// <summary>How many venues the quarantine table holds (ids 0 … N−1).</summary>
    public int Venues { get; init; } = 16;

    /// <summary>Realised loss in one UTC day that stops trading until the next UTC day (or an operator reset).</summary>
    public double DailyLossLimitUsd { get; init; } = 1_000;

    /// <summary>Losing trades in a row that stop trading for <see cref="ConsecutiveLossCooldownNs"/>.</summary>
    public int MaxConsecutiveLosses { get; init; } = 5;

    /// <summary>How long the consecutive-loss breaker holds before its rule resets it.</summary>
    public long ConsecutiveLossCooldownNs { get; init; } = 15L * 60 * 1_000_000_000;

    /// <summary>Returns in the realised-volatility window (per asset).</summary>
    public int VolatilityWindow { get; init; } = 60;

    /// <summary>Spacing of the samples the returns are taken between, so the figure does not depend on the tick rate.</summary>
    public long VolatilitySampleNs { get; init; } = 1_000_000_000;

    /// <summary>Realised volatility (RMS of the window's log returns, in bps per sample) that trips an asset's breaker.</summary>
    public double MaxVolatilityBps { get; init; } = 50;

    /// <summary>The level it must fall back to before the rule resets it (hysteresis, below <see cref="MaxVolatilityBps"/>).</summary>
    public double VolatilityResumeBps { get; init; } = 35;

    /// <summary>Base-fee cap per chain slot, in wei; an on-chain leg on a chain above its cap is refused. Empty: no chains.</summary>
    public ulong[] GasCapWei { get; init; } = [];

    /// <summary>Largest notional of one action.</summary>
    public double MaxTradeNotionalUsd { get; init; } = 10_000;

    /// <summary>Largest open (unhedged plus in-flight) notional per asset, this action included.</summary>
    public double MaxAssetNotionalUsd { get; init; } = 25_000;

    /// <summary>Largest number of legs open at once, this action's included.</summary>
    public int MaxOpenLegs { get; init; } = 8;

    /// <summary>Oldest quote an action may be based on.</summary>
    public long MaxQuoteAgeNs { get; init; } = 500_000_000;

    /// <summary>A venue whose integrity score (0 … 1) falls below this is quarantined.</summary>
    public double QuarantineBelowScore { get; init; } = 0.5;

    /// <summary>The score it must reach again, and hold for <see cref="QuarantineReleaseNs"/>, before the rule releases it.</summary>
    public double QuarantineReleaseScore { get; init; } = 0.8;

    public long QuarantineReleaseNs { get; init; } = 30L * 1_000_000_000;

    /// <summary>Alert ring capacity (a power of two); an alert that finds it full is dropped and counted.</summary>
    public int AlertCapacity { get; init; } = 1024;

    /// <summary>Every problem, one line each (empty when valid). Start-up only; allocates.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string name, string what)
        {
            if (!ok)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"risk.{char.ToLowerInvariant(name[0])}{name[1..]}: {what}"));
            }
        }

        static bool Positive(double v) => double.IsFinite(v) && v > 0;
        Require(Assets is >= 1 and <= 65_536, nameof(Assets), "must be in [1, 65536]");
        Require(Venues is >= 1 and <= 256, nameof(Venues), "must be in [1, 256]");
        Require(Positive(DailyLossLimitUsd), nameof(DailyLossLimitUsd), "must be a positive number");
        Require(MaxConsecutiveLosses >= 1, nameof(MaxConsecutiveLosses), "must be at least 1");
        Require(ConsecutiveLossCooldownNs > 0, nameof(ConsecutiveLossCooldownNs), "must be positive");
        Require(VolatilityWindow is >= 2 and <= 100_000, nameof(VolatilityWindow), "must be in [2, 100000]");
        Require(VolatilitySampleNs > 0, nameof(VolatilitySampleNs), "must be positive");
        Require(Positive(MaxVolatilityBps), nameof(MaxVolatilityBps), "must be a positive number");
        Require(Positive(VolatilityResumeBps) && VolatilityResumeBps <= MaxVolatilityBps, nameof(VolatilityResumeBps), "must be positive and at most maxVolatilityBps");
        Require(GasCapWei is not null && GasCapWei.Length <= 64, nameof(GasCapWei), "at most 64 chains");
        if (GasCapWei is not null)
        {
            for (int i = 0; i < GasCapWei.Length; i++)
            {
                Require(GasCapWei[i] > 0, $"{nameof(GasCapWei)}[{i}]", "must be positive");
            }
        }

        Require(Positive(MaxTradeNotionalUsd), nameof(MaxTradeNotionalUsd), "must be a positive number");
        Require(Positive(MaxAssetNotionalUsd), nameof(MaxAssetNotionalUsd), "must be a positive number");
        Require(MaxOpenLegs >= 1, nameof(MaxOpenLegs), "must be at least 1");
        Require(MaxQuoteAgeNs > 0, nameof(MaxQuoteAgeNs), "must be positive");
        Require(QuarantineBelowScore is >= 0 and <= 1, nameof(QuarantineBelowScore), "must be in [0, 1]");
        Require(QuarantineReleaseScore is >= 0 and <= 1 && QuarantineReleaseScore >= QuarantineBelowScore, nameof(QuarantineReleaseScore), "must be in [quarantineBelowScore, 1]");
        Require(QuarantineReleaseNs >= 0, nameof(QuarantineReleaseNs), "must not be negative");
        Require(AlertCapacity >= 16 && (AlertCapacity & (AlertCapacity - 1)) == 0, nameof(AlertCapacity), "must be a power of two, at least 16");
        return errors;
    }
}
