namespace LowLatency.Host.Configuration;

/// <summary>
/// The <c>.env</c> file of the working directory: <c>KEY=VALUE</c> lines, <c>#</c> comments, an optional
/// <c>export </c>, values optionally in single or double quotes. The process environment wins over the file (a variable
/// set on the command line beats one written down). Errors name the line and the key, never a value: values are
/// often keys.
/// </summary>
public static class DotEnv
{
    /// <summary>The file read from the working directory.</summary>
    public const string FileName = ".env";

    /// <summary>Largest file read; a bigger one is a wrong file.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The environment layered over <paramref name="path"/>'s variables (when the file exists). Problems are added to
    /// <paramref name="errors"/>; a bad line is skipped, the rest still count.
    /// </summary>
    public static Func<string, string?> Layer(Func<string, string?> environment, string path, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(errors);
        Dictionary<string, string> values = Read(path, errors);
        return values.Count == 0 ? environment : name => environment(name) ?? values.GetValueOrDefault(name);
    }

    /// <summary>Parses the file; a missing file is no variables and no error.</summary>
    public static Dictionary<string, string> Read(string path, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxBytes)
            {
                errors.Add($"{FileName}: '{path}' is larger than {MaxBytes} bytes; not read");
                return values;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{FileName}: '{path}' cannot be read ({e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal)})");
            return values;
        }

        return Parse(text, errors);
    }

    /// <summary>Parses <c>.env</c> text.</summary>
    public static Dictionary<string, string> Parse(string text, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            string key = eq > 0 ? line[..eq].Trim() : "";
            if (eq <= 0 || !IsName(key))
            {
                errors.Add($"{FileName}: line {n + 1}: expected NAME=value");
                continue;
            }

            string value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else if (value.Length > 0 && (value[0] == '"' || value[0] == '\''))
            {
                errors.Add($"{FileName}: line {n + 1}: {key}: the quote is not closed");
                continue;
            }
            else
            {
                int comment = value.IndexOf(" #", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    value = value[..comment].TrimEnd();
                }
            }

            values[key] = value;
        }

        return values;
    }

    private static bool IsName(string key)
    {
        if (key.Length == 0 || char.IsAsciiDigit(key[0]))
        {
            return false;
        }

        foreach (char c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
