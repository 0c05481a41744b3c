using System.Text.Json;
using System.Text.Json.Serialization;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.HotPath.Ring;

namespace LowLatency.Host.Configuration;

/// <summary>How the engine may act on what it finds: dry-run (the default) decides and logs, paper trades on the paper exchange, live sends orders.</summary>
public enum TradingMode
{
    DryRun,
    Paper,
    Live,
}

/// <summary>
/// Everything <c>run</c> and <c>replay</c> need, with defaults that give a working dry run on the embedded simulated
/// market. Layered: defaults ← appsettings.json (or --config) ← environment ← command-line flags; validated at start-up
/// with every problem reported together.
/// </summary>
public sealed partial record EngineOptions
{
    /// <summary>dry-run | paper | live, spelt as the --mode flag and TRADING_MODE spell it.</summary>
    [JsonConverter(typeof(TradingModeJsonConverter))]
    public TradingMode Mode { get; init; } = TradingMode.DryRun;

    /// <summary>Slots in the market-data ring; a power of two.</summary>
    public int RingSize { get; init; } = 1 << 16;

    /// <summary>busy-spin | yielding | blocking. On a 2-core box only one thread may busy-spin; yielding is the safe default.</summary>
    [JsonConverter(typeof(WaitStrategyJsonConverter))]
    public WaitStrategyKind WaitStrategy { get; init; } = WaitStrategyKind.Yielding;

    /// <summary>Net edge, in bps after both taker fees, at or above which an edge becomes an opportunity.</summary>
    public double ThresholdBps { get; init; } = 5;

    /// <summary>A batch touching at least this many instruments is evaluated with the full kernel sweep instead of per instrument.</summary>
    public int FullSweepMinTouched { get; init; } = 64;

    /// <summary>Where opportunities are written, one JSON line each.</summary>
    public string LogPath { get; init; } = "logs/arbitrage.log";

    /// <summary>Before a line would take the log past this many bytes it is rotated to logPath.1 (and .1 to .2, ...).</summary>
    public long LogMaxBytes { get; init; } = 64L << 20;

    /// <summary>Rotated files kept beside the live log (logPath.1 ... logPath.N); the oldest beyond N is deleted.</summary>
    public int LogKeepFiles { get; init; } = 5;

    /// <summary>Replay speed: max | recorded.</summary>
    [JsonConverter(typeof(ReplaySpeedJsonConverter))]
    public ReplaySpeedKind ReplaySpeed { get; init; } = ReplaySpeedKind.Max;

    /// <summary>The simulated market of <c>run</c> (the embedded default when absent).</summary>
    public SimulatedMarketOptions Market { get; init; } = SimulatedMarketOptions.Embedded;

    /// <summary>Replay at recorded speed waits at most this long per recorded gap ("5s", "500ms" or "00:00:05"; 1ms to 1h).</summary>
    [JsonConverter(typeof(ReplayMaxGapJsonConverter))]
    public TimeSpan ReplayMaxGap { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// ENABLE_PREDICTIVE_ARBITRAGE: use the Transformer+GRU scorer. It takes effect only with a model whose manifest
    /// shows it beat the rule-based baseline out of sample; otherwise the baseline decides and the start-up line says why.
    /// </summary>
    public bool EnablePredictiveArbitrage { get; init; }

    /// <summary>The scorer's model file (its manifest beside it), relative to the working directory.</summary>
    public string ScorerModel { get; init; } = "models/scorer.llm";

    /// <summary>Paper/live execution: starting cash, AI switch, leg risk and the risk gate (ExecutionOptions.cs).</summary>
    public ExecutionOptions Execution { get; init; } = new();

    /// <summary>
    /// Taker fees by venue name for recorded venues (fractions); sim venues carry their own. Venue names match in any
    /// case, however the map was given; two names that differ only in case are reported by <see cref="Validate"/>.
    /// </summary>
    public IReadOnlyDictionary<string, double> TakerFees
    {
        get;
        init => field = value is null ? null! : IgnoringCase(value, out _takerFeesGivenTwice); // a JSON null: Validate reports it
    } = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        ["binance"] = 0.001,
        ["binance-futures"] = 0.0004,
        ["okx"] = 0.001,
        ["kraken"] = 0.0026,
        ["kraken-v2"] = 0.0026, // the same venue and account as kraken, over WebSocket v2
        ["binance-coinm"] = 0.0005, // Binance's regular-tier COIN-M taker fee
    };

    private readonly string? _takerFeesGivenTwice;

    private static Dictionary<string, double> IgnoringCase(IReadOnlyDictionary<string, double> fees, out string? givenTwice)
    {
        givenTwice = null;
        var byName = new Dictionary<string, double>(fees.Count, StringComparer.OrdinalIgnoreCase);
        foreach ((string venue, double fee) in fees)
        {
            if (!byName.TryAdd(venue, fee))
            {
                givenTwice ??= venue;
            }
        }

        return byName;
    }

    /// <summary>The global limits of cluster mode (run --cluster); see ClusterSettings.</summary>
    public ClusterSettings Cluster { get; init; } = new();

    /// <summary>The chains followed (Ethereum, Polygon, Arbitrum, Optimism, Base by default); see ChainOptions.</summary>
    public IReadOnlyDictionary<string, ChainOptions> Chains { get; init; } = ChainOptions.Defaults();

    /// <summary>
    /// Every problem with these options, each naming the setting by its JSON path (empty when valid). A value may be
    /// null when the options came from JSON; that is reported, never dereferenced.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        ValidateLive(errors);
        // Live's keys are checked by the run command against the environment (it names what is missing).
        if (Mode is not (TradingMode.DryRun or TradingMode.Paper or TradingMode.Live))
        {
            errors.Add($"mode: {(int)Mode} must be dry-run, paper or live");
        }

        if (RingSize < 64 || (RingSize & (RingSize - 1)) != 0 || RingSize > (1 << 24))
        {
            errors.Add($"ringSize: {RingSize} must be a power of two between 64 and 16777216");
        }

        if (WaitStrategy is not (WaitStrategyKind.BusySpin or WaitStrategyKind.Yielding or WaitStrategyKind.Blocking))
        {
            errors.Add(OptionSpellings.WaitStrategyError(OptionSpellings.FormatWaitStrategy(WaitStrategy)));
        }

        if (!double.IsFinite(ThresholdBps) || ThresholdBps < -10_000 || ThresholdBps > 10_000)
        {
            errors.Add($"thresholdBps: {ThresholdBps} must be a finite number of basis points");
        }

        if (FullSweepMinTouched < 1)
        {
            errors.Add($"fullSweepMinTouched: {FullSweepMinTouched} must be at least 1");
        }

        if (!OptionSpellings.IsReplayMaxGap(ReplayMaxGap))
        {
            errors.Add(OptionSpellings.ReplayMaxGapError(OptionSpellings.FormatReplayMaxGap(ReplayMaxGap)));
        }

        if (string.IsNullOrWhiteSpace(LogPath))
        {
            errors.Add("logPath: must not be empty");
        }

        if (string.IsNullOrWhiteSpace(ScorerModel))
        {
            errors.Add("scorerModel: must not be empty");
        }

        if (LogMaxBytes < MinLogBytes || LogMaxBytes > MaxLogBytes)
        {
            errors.Add($"logMaxBytes: {LogMaxBytes} must be between {MinLogBytes} and {MaxLogBytes}");
        }

        if (LogKeepFiles < 1 || LogKeepFiles > MaxLogKeepFiles)
        {
            errors.Add($"logKeepFiles: {LogKeepFiles} must be between 1 and {MaxLogKeepFiles}");
        }

        if (ReplaySpeed is not (ReplaySpeedKind.Max or ReplaySpeedKind.Recorded))
        {
            errors.Add(OptionSpellings.ReplaySpeedError(OptionSpellings.FormatReplaySpeed(ReplaySpeed)));
        }

        if (TakerFees is null)
        {
            errors.Add("takerFees: must not be null (an object of venue name to fee fraction)");
        }
        else
        {
            if (_takerFeesGivenTwice is not null)
            {
                errors.Add($"takerFees.{_takerFeesGivenTwice}: is given twice (venue names match in any case)");
            }

            foreach ((string venue, double fee) in TakerFees)
            {
                if (!(fee >= 0 && fee < 0.1))
                {
                    errors.Add($"takerFees.{venue}: {fee} must be a fraction in [0, 0.1)");
                }
            }
        }

        if (Execution is null)
        {
            errors.Add("execution: must not be null (leave it out for the defaults)");
        }
        else
        {
            errors.AddRange(Execution.Validate());
        }

        if (Market is null)
        {
            errors.Add("market: must not be null (leave it out for the embedded market)");
        }
        else
        {
            errors.AddRange(Market.Validate("market"));
        }

        if (Cluster is null)
        {
            errors.Add("cluster: must not be null (leave it out for the defaults)");
        }
        else
        {
            errors.AddRange(Cluster.Validate("cluster"));
        }

        errors.AddRange(ChainOptions.ValidateAll(Chains, "chains"));
        ValidateFlashLoans(errors);
        ValidateAggregators(errors);

        return errors;
    }

    /// <summary>Smallest <see cref="LogMaxBytes"/>: a few opportunity lines.</summary>
    public const long MinLogBytes = 4096;

    /// <summary>Largest <see cref="LogMaxBytes"/>: 1 TiB.</summary>
    public const long MaxLogBytes = 1L << 40;

    /// <summary>Largest <see cref="LogKeepFiles"/>.</summary>
    public const int MaxLogKeepFiles = 1000;
}

/// <summary>Reads and writes <see cref="TradingMode"/> as dry-run | paper | live, the flag's spellings; numbers are refused.</summary>
internal sealed class TradingModeJsonConverter : JsonConverter<TradingMode>
{
    public override TradingMode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("mode must be a string: dry-run, paper or live");
        }

        string text = reader.GetString()!;
        return EngineOptionsLoader.TryParseMode(text, out TradingMode mode)
            ? mode
            : throw new JsonException($"mode '{text}' must be dry-run, paper or live");
    }

    public override void Write(Utf8JsonWriter writer, TradingMode value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(EngineOptionsLoader.FormatMode(value));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, UseStringEnumConverter = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(EngineOptions))]
internal sealed partial class EngineOptionsJsonContext : JsonSerializerContext;
