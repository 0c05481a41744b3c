namespace LowLatency.Host.Configuration;

/// <summary>
/// The start-up rules of the three modes: dry-run (the default) sends nothing; paper trades on the paper exchange;
/// live needs <c>--execute</c> and every key it will use, and refuses otherwise, naming each missing variable (never a
/// value).
/// </summary>
public static class ModeChecks
{
    /// <summary>
    /// Whether live mode sends anything on-chain: only where a chain names our executor (<c>chains.NAME.executor</c>).
    /// Then it needs that chain's node, the trading key and the Flashbots signer key; otherwise it asks for none of them.
    /// </summary>
    public static bool ExecutesOnChain(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (ChainOptions? chain in options.Chains.Values)
        {
            if (chain is { Executes: true })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The RPC URL variables of the chains that execute on-chain, in name order.</summary>
    public static IReadOnlyList<string> NodeVariables(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // A chain without a variable name is refused by its own check (chains.NAME.rpcUrlVariable): no blank name here.
        return [.. options.Chains.Where(c => c.Value is { Executes: true } && !string.IsNullOrWhiteSpace(c.Value.RpcUrlVariable)).OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => c.Value.RpcUrlVariable).Distinct(StringComparer.Ordinal)];
    }

    public static void Check(EngineOptions options, bool execute, Func<string, string?> environment, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.Mode == TradingMode.DryRun)
        {
            if (execute)
            {
                errors.Add("--execute: the mode is dry-run, which sends nothing; set TRADING_MODE=paper (or --mode paper) or use --live");
            }

            return;
        }

        if (options.Mode != TradingMode.Live)
        {
            return;
        }

        if (!execute)
        {
            errors.Add("mode: live needs --execute as well (./lowlatency run --live --execute); without it use dry-run");
        }

        IReadOnlyList<string> venues = Credentials.LiveVenues(environment, errors);
        IReadOnlyList<string> missing = Credentials.MissingForLive(environment, venues, NodeVariables(options));
        string? tradingKey = environment("TRADING_PRIVATE_KEY")?.Trim();
        if (missing.Count > 0)
        {
            errors.Add("mode: live needs these variables, which are not set: " + string.Join(", ", missing));
        }
        else if (!string.IsNullOrEmpty(tradingKey) && string.Equals(tradingKey, environment("FLASHBOTS_SIGNER_KEY")?.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("mode: FLASHBOTS_SIGNER_KEY must be a different key from TRADING_PRIVATE_KEY (the signer only identifies us to the relay)");
        }
        else if (options.MarketData != "live")
        {
            // Real orders only against the books they are priced on: never the simulated market.
            errors.Add("mode: live trades on live market data: configure venues.<name> and run with --feeds live (or marketData: live)");
        }
    }
}
