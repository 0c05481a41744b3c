using System.Globalization;
using System.Text.Json;

namespace LowLatency.Host.Configuration;

/// <summary>Builds <see cref="EngineOptions"/> from defaults, a JSON file, the environment and flags; collects every error.</summary>
public static class EngineOptionsLoader
{
    /// <summary>The file read when no --config is given and it exists in the working directory.</summary>
    public const string DefaultFileName = "appsettings.json";

    public static (EngineOptions Options, IReadOnlyList<string> Errors) Load(
        string? configPath,
        Func<string, string?> getEnvironment,
        Func<EngineOptions, EngineOptions>? applyFlags = null)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        var errors = new List<string>();
        var options = new EngineOptions();

        string? path = configPath ?? (File.Exists(DefaultFileName) ? DefaultFileName : null);
        if (path is not null)
        {
            if (!File.Exists(path))
            {
                errors.Add($"config: file '{path}' does not exist");
            }
            else
            {
                try
                {
                    options = JsonSerializer.Deserialize(File.ReadAllText(path), EngineOptionsJsonContext.Default.EngineOptions)
                        ?? new EngineOptions();
                }
                catch (JsonException e)
                {
                    errors.Add($"config: '{path}' is not valid: {e.Message}");
                }
            }
        }

        options = ApplyEnvironment(options, getEnvironment, errors);
        if (applyFlags is not null)
        {
            options = applyFlags(options);
        }

        errors.AddRange(options.Validate());
        return (options, errors);
    }

    private static EngineOptions ApplyEnvironment(EngineOptions options, Func<string, string?> env, List<string> errors)
    {
        // The seed's names keep working (TRADING_MODE); engine settings use the LL_ prefix.
        if (env("TRADING_MODE") is { Length: > 0 } mode)
        {
            if (TryParseMode(mode, out TradingMode parsed))
            {
                options = options with { Mode = parsed };
            }
            else
            {
                errors.Add($"TRADING_MODE: '{mode}' must be dry-run, paper or live");
            }
        }

        if (env("LL_THRESHOLD_BPS") is { Length: > 0 } threshold)
        {
            if (double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out double bps))
            {
                options = options with { ThresholdBps = bps };
            }
            else
            {
                errors.Add($"LL_THRESHOLD_BPS: '{threshold}' is not a number");
            }
        }

        if (env("LL_WAIT_STRATEGY") is { Length: > 0 } wait)
        {
            options = options with { WaitStrategy = wait };
        }

        if (env("LL_RING_SIZE") is { Length: > 0 } ring)
        {
            if (int.TryParse(ring, NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            {
                options = options with { RingSize = size };
            }
            else
            {
                errors.Add($"LL_RING_SIZE: '{ring}' is not a whole number");
            }
        }

        return options;
    }

    public static bool TryParseMode(string text, out TradingMode mode)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "dry-run" or "dryrun" or "dry_run":
                mode = TradingMode.DryRun;
                return true;
            case "paper":
                mode = TradingMode.Paper;
                return true;
            case "live":
                mode = TradingMode.Live;
                return true;
            default:
                mode = TradingMode.DryRun;
                return false;
        }
    }
}
