using LowLatency.HotPath.Features;

namespace LowLatency.Ml.Data;

/// <summary>
/// How rows and labels are made. The label of a row at time t is 1 when the same candidate, observed at the first instant
/// at or after t + <see cref="HorizonMs"/> (our latency: the earliest we can be filled), still has a net edge (after both
/// taker fees) minus <see cref="ExtraCostBps"/> (slippage, transfer, gas) of at least <see cref="MinProfitBps"/>. The
/// realised value of acting on a row is that same net edge minus costs, in bps of the notional. Immutable.
/// </summary>
public sealed record DatasetOptions
{
    /// <summary>Δ: the time from decision to fill (5 min on 5-minute candles means "the next candle").</summary>
    public double HorizonMs { get; init; } = 300_000;

    /// <summary>Costs beyond the taker fees, bps of notional.</summary>
    public double ExtraCostBps { get; init; } = 2;

    /// <summary>Profit (bps, after every cost) a row must still show at t + Δ to be labelled 1.</summary>
    public double MinProfitBps { get; init; }

    /// <summary>Net edge (bps) at or above which the rule-based baseline acts.</summary>
    public double BaselineThresholdBps { get; init; } = 2;

    /// <summary>Trade size for P&amp;L (quote currency).</summary>
    public double NotionalQuote { get; init; } = 1_000;

    /// <summary>Taker fee per venue (fraction), by the venue word of the file names; unknown venues use <see cref="DefaultTakerFee"/>.</summary>
    public IReadOnlyDictionary<string, double> TakerFees { get; init; } = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        ["binance"] = 0.001,
        ["binanceus"] = 0.001,
        ["binance-us"] = 0.001,
        ["kraken"] = 0.0026,
        ["gemini"] = 0.0025,
        ["okx"] = 0.001,
        ["binance-futures"] = 0.0005,
    };

    public double DefaultTakerFee { get; init; } = 0.002;

    /// <summary>The feature settings rows are built with.</summary>
    public FeatureOptions Features { get; init; } = new() { LatencyMs = 300_000 };

    public double FeeOf(string venue) => TakerFees.TryGetValue(venue, out double fee) ? fee : DefaultTakerFee;

    /// <summary>Every problem with the values, one line each (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(HorizonMs > 0 && double.IsFinite(HorizonMs)))
        {
            errors.Add($"horizon {HorizonMs} ms must be positive");
        }

        if (!double.IsFinite(ExtraCostBps) || ExtraCostBps < 0)
        {
            errors.Add($"extra cost {ExtraCostBps} bps must be ≥ 0");
        }

        if (!double.IsFinite(MinProfitBps) || !double.IsFinite(BaselineThresholdBps))
        {
            errors.Add("profit and baseline thresholds must be finite");
        }

        if (!(NotionalQuote > 0))
        {
            errors.Add($"notional {NotionalQuote} must be positive");
        }

        foreach ((string venue, double fee) in TakerFees)
        {
            if (!(fee >= 0 && fee < 0.1))
            {
                errors.Add($"taker fee of {venue}: {fee} is not a fraction in [0, 0.1)");
            }
        }

        try
        {
            Features.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            errors.Add($"features: {e.ParamName} {e.Message.Split(" (", StringSplitOptions.None)[0]}");
        }

        return errors;
    }
}
