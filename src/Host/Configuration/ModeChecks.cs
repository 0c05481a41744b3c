namespace LowLatency.Host.Configuration;

/// <summary>
/// The start-up rules of the three modes: dry-run (the default) sends nothing; paper trades on the paper exchange;
/// live needs <c>--execute</c> and every key it will use, and refuses otherwise, naming each missing variable (never a
/// value).
/// </summary>
public static class ModeChecks
{
    /// <summary>
    /// Whether live mode sends anything on-chain. Not in this build: the live engine trades CEX pairs only (its venue
    /// graph is not wired to the bundle pipeline), so it asks for no chain keys; the day it does, it needs them all.
    /// </summary>
    public const bool LiveExecutesOnChain = false;

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
        IReadOnlyList<string> missing = Credentials.MissingForLive(environment, venues, LiveExecutesOnChain);
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
