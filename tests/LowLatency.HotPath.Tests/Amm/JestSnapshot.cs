using System.Globalization;
using System.Text.RegularExpressions;

namespace LowLatency.HotPath.Tests.Amm;

/// <summary>
/// Reads a Jest snapshot file: <c>exports[`KEY`] = `VALUE`;</c> entries whose value is a quoted string or a
/// JS-literal <c>Object { "k": "v" | number, }</c>.
/// </summary>
internal static partial class JestSnapshot
{
    [GeneratedRegex(@"^exports\[`(?<key>.*?)`\] = `(?<value>.*?)`;\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Entry();

    [GeneratedRegex(@"^\s*""(?<name>[^""]+)"": (?:""(?<text>[^""]*)""|(?<number>-?[0-9]+)),\s*$", RegexOptions.Multiline)]
    private static partial Regex Field();

    public static Dictionary<string, string> ReadEntries(string path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        string text = File.ReadAllText(path);
        foreach (Match m in Entry().Matches(text))
        {
            entries.Add(m.Groups["key"].Value, m.Groups["value"].Value);
        }

        return entries;
    }

    /// <summary>The fields of an <c>Object { ... }</c> value, numbers and strings both as text.</summary>
    public static Dictionary<string, string> Fields(string value)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Field().Matches(value))
        {
            string v = m.Groups["text"].Success ? m.Groups["text"].Value : m.Groups["number"].Value;
            fields.Add(m.Groups["name"].Value, v);
        }

        return fields;
    }

    /// <summary>A quoted-string value ("…") without its quotes; a bare value as is.</summary>
    public static string Scalar(string value) => value.Length >= 2 && value[0] == '"' ? value[1..^1] : value;

    public static int Int(string text) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
