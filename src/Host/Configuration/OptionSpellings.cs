using System.Text.Json;
using System.Text.Json.Serialization;
using LowLatency.HotPath.Ring;

namespace LowLatency.Host.Configuration;

/// <summary>How a replay is paced: as fast as the hot path goes, or at the captures' recorded gaps.</summary>
public enum ReplaySpeedKind
{
    Max,
    Recorded,
}

/// <summary>
/// The one parser and formatter of the typed options' spellings, used by the JSON converters, the environment and the
/// flags alike: case-insensitive, surrounding spaces ignored; formatted back in lower case.
/// </summary>
public static class OptionSpellings
{
    /// <summary>busy-spin | yielding | blocking.</summary>
    public static bool TryParseWaitStrategy(string? text, out WaitStrategyKind kind)
    {
        kind = default;
        return text is not null && WaitStrategies.TryParse(text, out kind);
    }

    public static string FormatWaitStrategy(WaitStrategyKind kind) => kind switch
    {
        WaitStrategyKind.BusySpin => "busy-spin",
        WaitStrategyKind.Yielding => "yielding",
        WaitStrategyKind.Blocking => "blocking",
        _ => ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The message for a wait strategy that does not parse (the setting's JSON name first, as validation writes it).</summary>
    public static string WaitStrategyError(string? text) =>
        text is null ? "waitStrategy: must not be null" : $"waitStrategy: '{text}' must be busy-spin, yielding or blocking";

    /// <summary>max | recorded.</summary>
    public static bool TryParseReplaySpeed(string? text, out ReplaySpeedKind speed)
    {
        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        if (text is not null && trimmed.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            speed = ReplaySpeedKind.Max;
            return true;
        }

        if (text is not null && trimmed.Equals("recorded", StringComparison.OrdinalIgnoreCase))
        {
            speed = ReplaySpeedKind.Recorded;
            return true;
        }

        speed = default;
        return false;
    }

    public static string FormatReplaySpeed(ReplaySpeedKind speed) => speed switch
    {
        ReplaySpeedKind.Max => "max",
        ReplaySpeedKind.Recorded => "recorded",
        _ => ((int)speed).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string ReplaySpeedError(string? text) =>
        text is null ? "replaySpeed: must not be null" : $"replaySpeed: '{text}' must be max or recorded";

    /// <summary>Shortest replay gap cap.</summary>
    public static TimeSpan MinReplayMaxGap => TimeSpan.FromMilliseconds(1);

    /// <summary>Longest replay gap cap (the pacer's own limit).</summary>
    public static TimeSpan MaxReplayMaxGap => LowLatency.Adapters.Cex.Replay.ReplayPacer.MaxAllowedGap;

    /// <summary>A replay gap cap: a duration ("5s", "500ms") or a TimeSpan ("00:00:00.100"), from 1ms to 1h.</summary>
    public static bool TryParseReplayMaxGap(string? text, out TimeSpan gap) =>
        (Lifecycle.Duration.TryParse(text, out gap) || TimeSpan.TryParseExact(text, "c", System.Globalization.CultureInfo.InvariantCulture, out gap))
        && IsReplayMaxGap(gap);

    public static bool IsReplayMaxGap(TimeSpan gap) => gap >= MinReplayMaxGap && gap <= MaxReplayMaxGap;

    /// <summary>"5s", "500ms", "1.5ms": what <see cref="TryParseReplayMaxGap"/> reads back.</summary>
    public static string FormatReplayMaxGap(TimeSpan gap) => gap.Ticks % TimeSpan.TicksPerSecond == 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(long)gap.TotalSeconds}s")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{gap.TotalMilliseconds}ms");

    public static string ReplayMaxGapError(string? text) => text is null
        ? "replayMaxGap: must not be null"
        : $"replayMaxGap: '{text}' must be a duration from 1ms to 1h (e.g. 5s, 500ms, 00:00:05)";
}

/// <summary>
/// A typed option read from and written as its spelling: a string parsed by <see cref="OptionSpellings"/>; a null, a
/// number or another word is a JSON error naming the rule (the loader turns it into the setting's line).
/// </summary>
internal abstract class SpelledOptionJsonConverter<T> : JsonConverter<T>
{
    /// <summary>The message for a token that is not a string.</summary>
    protected abstract string NotAString { get; }

    protected abstract bool TryParse(string? text, out T value);

    protected abstract string Format(T value);

    protected abstract string Error(string? text);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException(NotAString),
        };
        return TryParse(text, out T value) ? value : throw new JsonException(Error(text));
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }
}

/// <summary><see cref="WaitStrategyKind"/> as busy-spin | yielding | blocking.</summary>
internal sealed class WaitStrategyJsonConverter : SpelledOptionJsonConverter<WaitStrategyKind>
{
    protected override string NotAString => "waitStrategy must be a string: busy-spin, yielding or blocking";

    protected override bool TryParse(string? text, out WaitStrategyKind value) => OptionSpellings.TryParseWaitStrategy(text, out value);

    protected override string Format(WaitStrategyKind value) => OptionSpellings.FormatWaitStrategy(value);

    protected override string Error(string? text) => OptionSpellings.WaitStrategyError(text);
}

/// <summary><see cref="ReplaySpeedKind"/> as max | recorded.</summary>
internal sealed class ReplaySpeedJsonConverter : SpelledOptionJsonConverter<ReplaySpeedKind>
{
    protected override string NotAString => "replaySpeed must be a string: max or recorded";

    protected override bool TryParse(string? text, out ReplaySpeedKind value) => OptionSpellings.TryParseReplaySpeed(text, out value);

    protected override string Format(ReplaySpeedKind value) => OptionSpellings.FormatReplaySpeed(value);

    protected override string Error(string? text) => OptionSpellings.ReplaySpeedError(text);
}

/// <summary>A replay gap cap as a duration ("5s", "500ms", "00:00:05"), written back as "5s" or "500ms".</summary>
internal sealed class ReplayMaxGapJsonConverter : SpelledOptionJsonConverter<TimeSpan>
{
    protected override string NotAString => "replayMaxGap must be a string: a duration such as 5s, 500ms or 00:00:05";

    protected override bool TryParse(string? text, out TimeSpan value) => OptionSpellings.TryParseReplayMaxGap(text, out value);

    protected override string Format(TimeSpan value) => OptionSpellings.FormatReplayMaxGap(value);

    protected override string Error(string? text) => OptionSpellings.ReplayMaxGapError(text);
}
