using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LowLatency.Adapters.Ethereum;
using LowLatency.Host.Persistence;
using LowLatency.HotPath.Ring;

namespace LowLatency.Host.Configuration;

/// <summary>Builds <see cref="EngineOptions"/> from defaults, a JSON file, the environment and flags; collects every error.</summary>
public static class EngineOptionsLoader
{
    /// <summary>The file read when no --config is given and it exists in the working directory.</summary>
    public const string DefaultFileName = "appsettings.json";

    // Long enough for any message of ours with a path in it; a longer one is quoting far too much of the input.
    private const int MaxErrorChars = 400;

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
            if (TryReadSettingsFile(path, out byte[] json, out string? readError))
            {
                try
                {
                    // Read as written first, so an error names the file's own line; then completed with the
                    // defaults the init-only records would otherwise lose (SettingsDefaults says why).
                    JsonTypeInfo<EngineOptions> contract = EngineOptionsJsonContext.Default.EngineOptions;
                    options = JsonSerializer.Deserialize(json, contract) is null
                        ? new EngineOptions()
                        : JsonSerializer.Deserialize(SettingsDefaults.Complete(json, contract), contract) ?? new EngineOptions();
                }
                catch (JsonException e)
                {
                    errors.Add($"config: '{path}' {DescribeJsonError(e)}");
                }
            }
            else
            {
                errors.Add($"config: {readError}");
            }
        }

        options = ApplyEnvironment(options, getEnvironment, errors);
        if (applyFlags is not null)
        {
            options = applyFlags(options);
        }

        errors.AddRange(options.Validate());
        errors.AddRange(ChainOptions.ValidateRpcUrls(options.Chains, getEnvironment));
        // Messages quote settings' values: each is made one redacted line here, whichever check wrote it.
        for (int i = 0; i < errors.Count; i++)
        {
            errors[i] = SecretRedaction.Excerpt(errors[i], MaxErrorChars);
        }

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

        if (env("ENABLE_PREDICTIVE_ARBITRAGE") is { Length: > 0 } predictive)
        {
            if (TryParseSwitch(predictive, out bool enabled))
            {
                options = options with { EnablePredictiveArbitrage = enabled };
            }
            else
            {
                errors.Add($"ENABLE_PREDICTIVE_ARBITRAGE: '{predictive}' must be true or false (or 1 or 0)");
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
            if (OptionSpellings.TryParseWaitStrategy(wait, out WaitStrategyKind kind))
            {
                options = options with { WaitStrategy = kind };
            }
            else
            {
                errors.Add(OptionSpellings.WaitStrategyError(wait));
            }
        }

        options = ExecutionOptions.ApplyEnvironment(options, env, errors);
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

    /// <summary>Largest settings file read: settings are a few kilobytes; anything bigger is a wrong path (or /dev/zero).</summary>
    public const int MaxSettingsBytes = 1 << 20;

    /// <summary>
    /// Reads a settings file: only a regular file of at most <see cref="MaxSettingsBytes"/>. A FIFO, device or
    /// directory is refused before it is opened, so nothing blocks or reads forever.
    /// </summary>
    internal static bool TryReadSettingsFile(string path, out byte[] bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = [];
        FileKind kind = FileProbe.KindOf(path, out _);
        if (kind == FileKind.Missing)
        {
            error = $"file '{path}' does not exist";
            return false;
        }

        if (kind is not (FileKind.Regular or FileKind.Unknown))
        {
            error = $"'{path}' is {FileProbe.Describe(kind)}; settings are read only from a regular file";
            return false;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            byte[] buffer = new byte[Math.Min(MaxSettingsBytes + 1, Math.Max(4096, stream.CanSeek ? stream.Length + 1 : 4096))];
            int total = 0;
            int read;
            while ((read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
                if (total == buffer.Length)
                {
                    if (buffer.Length > MaxSettingsBytes)
                    {
                        error = $"'{path}' is larger than {MaxSettingsBytes / 1024} KiB; settings files are small";
                        return false;
                    }

                    Array.Resize(ref buffer, Math.Min(MaxSettingsBytes + 1, buffer.Length * 2));
                }
            }

            // Editors may save a UTF-8 byte-order mark; the JSON reader does not expect one.
            int start = total >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            bytes = buffer.AsSpan(start, total - start).ToArray();
            error = null;
            return true;
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            error = $"cannot read '{path}': {IoErrors.Describe(e)}";
            return false;
        }
    }

    /// <summary>"at $.takerFees.x (line 1, byte 20): expected a number": where and what, without .NET type names.</summary>
    internal static string DescribeJsonError(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        int pathInfo = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathInfo >= 0)
        {
            message = message[..pathInfo];
        }

        const string cannotConvert = "The JSON value could not be converted to ";
        if (message.StartsWith(cannotConvert, StringComparison.Ordinal))
        {
            string type = message[cannotConvert.Length..].TrimEnd('.');
            message = "expected " + type switch
            {
                "System.Double" or "System.Single" or "System.Decimal" => "a number",
                "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
                "System.String" => "a string",
                "System.Boolean" => "true or false",
                _ when type.StartsWith("System.Collections", StringComparison.Ordinal) => "an object or array",
                _ => "a value of another shape",
            };
        }

        const string duplicate = "Duplicate property '";
        if (message.StartsWith(duplicate, StringComparison.Ordinal) && message.IndexOf('\'', duplicate.Length) is int end and > 0)
        {
            message = $"setting '{message[duplicate.Length..end]}' appears twice";
        }

        const string unmapped = "The JSON property '";
        if (message.StartsWith(unmapped, StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            message = "unknown setting";
        }

        // The path quotes the file's own text (a key name can be anything, a pasted key included): one redacted line.
        string where = e.Path is { Length: > 0 } p ? $"at {SecretRedaction.Excerpt(p, 120)} " : string.Empty;
        string position = e.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $"(line {line + 1}, byte {e.BytePositionInLine ?? 0}): ")
            : string.Empty;
        return $"is not valid: {where}{position}{SecretRedaction.Excerpt(message.TrimEnd('.'), 200)}";
    }

    /// <summary>The spelling <see cref="TryParseMode"/> reads back.</summary>
    public static string FormatMode(TradingMode mode) => mode switch
    {
        TradingMode.DryRun => "dry-run",
        TradingMode.Paper => "paper",
        TradingMode.Live => "live",
        _ => ((int)mode).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A switch from the environment: true/false, 1/0, yes/no, on/off, any case (the seed writes ENABLE_...=true).</summary>
    public static bool TryParseSwitch(string text, out bool value)
    {
        ArgumentNullException.ThrowIfNull(text);
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

    /// <summary>dry-run (also dryrun, dry_run), paper or live, any case: the spellings of --mode, TRADING_MODE and "mode".</summary>
    public static bool TryParseMode(string text, out TradingMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
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
