namespace LowLatency.Host.Configuration;

/// <summary>
/// The one place that names every credential variable. Values are read from the environment (or <c>.env</c>) only when
/// needed and never kept in a string that is printed: this type reports presence, never content.
/// </summary>
public static class Credentials
{
    /// <summary>Variables each CEX venue needs for order execution, by venue name.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Venues = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["binance"] = ["BINANCE_API_KEY", "BINANCE_API_SECRET"],
        ["coinbase"] = ["COINBASE_API_KEY_NAME", "COINBASE_API_PRIVATE_KEY"],
        ["kraken"] = ["KRAKEN_API_KEY", "KRAKEN_API_SECRET"],
        ["okx"] = ["OKX_API_KEY", "OKX_API_SECRET", "OKX_API_PASSPHRASE"],
        ["bybit"] = ["BYBIT_API_KEY", "BYBIT_API_SECRET"],
    };

    /// <summary>Aggregator keys (optional: an aggregator without its key is not queried).</summary>
    public static readonly string[] Aggregators = ["ZEROX_API_KEY", "ONEINCH_API_KEY"];

    /// <summary>On-chain execution: the trading key and the Flashbots signer key (a different key), besides each executing chain's node URL variable.</summary>
    public static readonly string[] Chain = ["TRADING_PRIVATE_KEY", "FLASHBOTS_SIGNER_KEY"];

    /// <summary>The CEX venues live trading uses: <c>LIVE_VENUES</c> (comma-separated), binance by default.</summary>
    public static IReadOnlyList<string> LiveVenues(Func<string, string?> environment, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(errors);
        string text = environment("LIVE_VENUES") is { Length: > 0 } v ? v : "binance";
        var venues = new List<string>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Venues.ContainsKey(part))
            {
                venues.Add(part.ToLowerInvariant());
            }
            else
            {
                errors.Add($"LIVE_VENUES: '{LowLatency.Adapters.Ethereum.SecretRedaction.Excerpt(part)}' is not a venue this build trades (binance, coinbase, kraken, okx, bybit)");
            }
        }

        return venues;
    }

    /// <summary>
    /// Every variable live trading needs that is unset or empty, by name: the venues' keys, then the chain's when it
    /// executes on-chain (<paramref name="nodeVariables"/>: the executing chains' RPC URL variables; empty: it does not).
    /// Empty when all are present. Never reads a value into anything but a length check.
    /// </summary>
    public static IReadOnlyList<string> MissingForLive(Func<string, string?> environment, IReadOnlyList<string> venues, IReadOnlyList<string> nodeVariables)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(venues);
        var missing = new List<string>();
        foreach (string venue in venues)
        {
            foreach (string name in Venues[venue])
            {
                if (string.IsNullOrWhiteSpace(environment(name)))
                {
                    missing.Add(name);
                }
            }
        }

        ArgumentNullException.ThrowIfNull(nodeVariables);
        foreach (string name in nodeVariables.Count > 0 ? [.. nodeVariables, .. Chain] : Array.Empty<string>())
        {
            if (string.IsNullOrWhiteSpace(environment(name)))
            {
                missing.Add(name);
            }
        }

        return missing;
    }
}
