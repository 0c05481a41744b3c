using System.Globalization;
using LowLatency.HotPath.Risk;

namespace LowLatency.Host.Configuration;

/// <summary>
/// How decisions become trades: starting cash of the paper exchange, the AI switch, leg-risk policy and limits, and the
/// risk gate's breakers (<c>"execution": {...}</c> in the settings file).
/// </summary>
public sealed record ExecutionOptions
{
    /// <summary>Paper trading's starting value in quote units, shared by the venues (<c>INITIAL_CASH</c>).</summary>
    public double InitialCash { get; init; } = 100_000;

    /// <summary>The seed's switch (<c>ENABLE_AI_ORCHESTRATION</c>, <c>--no-ai</c>); off means rules only.</summary>
    public bool EnableAiOrchestration { get; init; } = true;

    /// <summary><c>unwind</c>: a residual left by a failed leg is always traded out; <c>hold</c>: kept while within the limits below.</summary>
    public string LegPolicy { get; init; } = "unwind";

    /// <summary>Unhedged notional that may be held per asset.</summary>
    public double MaxUnhedgedAssetUsd { get; init; } = 5_000;

    /// <summary>Unhedged notional that may be held per venue.</summary>
    public double MaxUnhedgedVenueUsd { get; init; } = 10_000;

    /// <summary>Paper DEX legs: how long one of our transactions takes to reach a block builder, ms (it lands in the first block after).</summary>
    public double PaperChainLatencyMs { get; init; } = 500;

    /// <summary>Paper DEX legs of a non-atomic trade revert when they would return more than this below their quote when sent, bps.</summary>
    public double PaperSlippageBps { get; init; } = 50;

    /// <summary>
    /// While a file exists at this path (relative to the working directory) the kill switch is engaged: every action is
    /// denied. Removing it is the operator's release. Checked at most every 100 ms.
    /// </summary>
    public string KillSwitchFile { get; init; } = "KILL_SWITCH";

    /// <summary>The risk gate's breakers and limits (assets and venues are sized from the market at start-up).</summary>
    public RiskOptions Risk { get; init; } = new();

    /// <summary>The parsed <see cref="LegPolicy"/> (valid options only).</summary>
    public HotPath.Risk.LegPolicy ParsedLegPolicy => LegPolicy == "hold" ? HotPath.Risk.LegPolicy.HoldWithinLimits : HotPath.Risk.LegPolicy.Unwind;

    /// <summary>Every problem, each naming its setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (!(double.IsFinite(InitialCash) && InitialCash > 0 && InitialCash <= 1e15))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"execution.initialCash: {InitialCash} must be a positive amount (at most 1e15)");
        }

        if (LegPolicy is not ("unwind" or "hold"))
        {
            yield return LegPolicy is null ? "execution.legPolicy: must not be null" : $"execution.legPolicy: '{LegPolicy}' must be unwind or hold";
        }

        if (!(double.IsFinite(MaxUnhedgedAssetUsd) && MaxUnhedgedAssetUsd >= 0))
        {
            yield return "execution.maxUnhedgedAssetUsd: must be a finite amount, at least 0";
        }

        if (!(PaperChainLatencyMs >= 0 && PaperChainLatencyMs <= 600_000))
        {
            yield return "execution.paperChainLatencyMs: must be in [0, 600000] ms";
        }

        if (!(PaperSlippageBps >= 0 && PaperSlippageBps < 10_000))
        {
            yield return "execution.paperSlippageBps: must be in [0, 10000) bps";
        }

        if (!(double.IsFinite(MaxUnhedgedVenueUsd) && MaxUnhedgedVenueUsd >= 0))
        {
            yield return "execution.maxUnhedgedVenueUsd: must be a finite amount, at least 0";
        }

        if (string.IsNullOrWhiteSpace(KillSwitchFile))
        {
            yield return "execution.killSwitchFile: must not be empty";
        }

        if (Risk is null)
        {
            yield return "execution.risk: must not be null";
            yield break;
        }

        foreach (string e in Risk.Validate())
        {
            yield return "execution." + e;
        }
    }

    /// <summary>The seed's variables: <c>INITIAL_CASH</c> and <c>ENABLE_AI_ORCHESTRATION</c>.</summary>
    internal static EngineOptions ApplyEnvironment(EngineOptions options, Func<string, string?> env, List<string> errors)
    {
        // "execution": null stays null, so validation names it instead of the defaults standing in silently.
        if (options.Execution is not { } execution)
        {
            return options;
        }

        if (env("INITIAL_CASH") is { Length: > 0 } cash)
        {
            if (double.TryParse(cash, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount))
            {
                execution = execution with { InitialCash = amount };
            }
            else
            {
                errors.Add($"INITIAL_CASH: '{cash}' is not a number");
            }
        }

        if (env("ENABLE_AI_ORCHESTRATION") is { Length: > 0 } ai)
        {
            if (TryParseBool(ai, out bool on))
            {
                execution = execution with { EnableAiOrchestration = on };
            }
            else
            {
                errors.Add($"ENABLE_AI_ORCHESTRATION: '{ai}' must be true or false");
            }
        }

        return options with { Execution = execution };
    }

    internal static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
