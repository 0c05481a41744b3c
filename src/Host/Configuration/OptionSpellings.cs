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
}

/// <summary>Reads and writes <see cref="WaitStrategyKind"/> in the flag's spellings; a null, a number or another word is a JSON error naming the rule.</summary>
internal sealed class WaitStrategyJsonConverter : JsonConverter<WaitStrategyKind>
{
    public override WaitStrategyKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException("waitStrategy must be a string: busy-spin, yielding or blocking"),
        };
        return OptionSpellings.TryParseWaitStrategy(text, out WaitStrategyKind kind) ? kind : throw new JsonException(OptionSpellings.WaitStrategyError(text));
    }

    public override void Write(Utf8JsonWriter writer, WaitStrategyKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(OptionSpellings.FormatWaitStrategy(value));
    }
}

/// <summary>Reads and writes <see cref="ReplaySpeedKind"/> as max | recorded.</summary>
internal sealed class ReplaySpeedJsonConverter : JsonConverter<ReplaySpeedKind>
{
    public override ReplaySpeedKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException("replaySpeed must be a string: max or recorded"),
        };
        return OptionSpellings.TryParseReplaySpeed(text, out ReplaySpeedKind speed) ? speed : throw new JsonException(OptionSpellings.ReplaySpeedError(text));
    }

    public override void Write(Utf8JsonWriter writer, ReplaySpeedKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(OptionSpellings.FormatReplaySpeed(value));
    }
}
