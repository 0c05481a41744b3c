using System.Text;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// Removes anything that looks like a 32-byte secret from text meant for people (errors, usage messages, logs):
/// every run of 64 or more hex digits, with or without <c>0x</c>, becomes <see cref="Marker"/>. A private key pasted
/// into the wrong argument, variable or field is then never echoed back. Hashes and calldata in error text are
/// redacted too; that is the price of never guessing which 64 hex digits were a key. Allocates only when it
/// redacts; any thread.
/// </summary>
public static class SecretRedaction
{
    /// <summary>What a redacted run is replaced with.</summary>
    public const string Marker = "<redacted>";

    /// <summary>The shortest hex run treated as a secret: 32 bytes.</summary>
    public const int MinimumHexDigits = 64;

    /// <summary>True when <paramref name="text"/> holds a run that <see cref="Redact(string)"/> would replace.</summary>
    public static bool ContainsSecret(ReadOnlySpan<char> text) => NextRun(text, 0, out _, out _);

    /// <summary>The text with every secret-looking run replaced; the same instance when there is none.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NextRun(text, 0, out int start, out int end))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        int copied = 0;
        do
        {
            builder.Append(text, copied, start - copied).Append(Marker);
            copied = end;
        }
        while (NextRun(text, end, out start, out end));

        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// <paramref name="text"/> made fit to quote inside a one-line message: secrets redacted first (so a cut can never
    /// leave most of a key behind), control characters (newlines included) shown as <c>?</c>, and anything past
    /// <paramref name="maxChars"/> cut and marked with an ellipsis. Allocates when it changes the text; any thread.
    /// </summary>
    public static string Excerpt(string text, int maxChars = 64)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        string redacted = Redact(text);
        bool cut = redacted.Length > maxChars;
        ReadOnlySpan<char> kept = cut ? redacted.AsSpan(0, maxChars) : redacted;
        if (!cut && !kept.ContainsAnyInRange('\0', '\u001f') && !kept.ContainsAnyInRange('\u007f', '\u009f'))
        {
            return redacted;
        }

        var builder = new StringBuilder(kept.Length + 1);
        foreach (char c in kept)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return (cut ? builder.Append('…') : builder).ToString();
    }

    // Finds the next run of at least MinimumHexDigits hex digits at or after `from`; [start, end) includes a 0x prefix.
    private static bool NextRun(ReadOnlySpan<char> text, int from, out int start, out int end)
    {
        int i = from;
        while (i < text.Length)
        {
            if (!char.IsAsciiHexDigit(text[i]))
            {
                i++;
                continue;
            }

            int runStart = i;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }

            // "0x" + digits: the 0 of the prefix was read as a digit and the x ended the run; look past it.
            if (i - runStart == 1 && text[runStart] == '0' && i < text.Length && text[i] is 'x' or 'X')
            {
                int digits = i + 1;
                int j = digits;
                while (j < text.Length && char.IsAsciiHexDigit(text[j]))
                {
                    j++;
                }

                if (j - digits >= MinimumHexDigits)
                {
                    start = runStart;
                    end = j;
                    return true;
                }

                i = j;
                continue;
            }

            if (i - runStart >= MinimumHexDigits)
            {
                start = runStart;
                end = i;
                return true;
            }
        }

        start = end = 0;
        return false;
    }
}

/// <summary>
/// A <see cref="TextWriter"/> that redacts secrets (<see cref="SecretRedaction"/>) line by line before they reach
/// the inner writer: wrap stderr and stdout of a CLI once, and no message, usage text or parser error can echo a
/// pasted key. Buffers the current line; flushes the rest on <see cref="Flush"/> and dispose. Not thread-safe on its
/// own; wrap with <see cref="TextWriter.Synchronized"/> when shared.
/// </summary>
public sealed class RedactingTextWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly StringBuilder _line = new();

    public RedactingTextWriter(TextWriter inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value)
    {
        _line.Append(value);
        if (value == '\n')
        {
            EmitLine();
        }
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }

        int from = 0;
        int newline;
        while ((newline = value.IndexOf('\n', from)) >= 0)
        {
            _line.Append(value, from, newline + 1 - from);
            EmitLine();
            from = newline + 1;
        }

        _line.Append(value, from, value.Length - from);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine);
    }

    public override void Flush()
    {
        if (_line.Length > 0)
        {
            EmitLine();
        }

        _inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    private void EmitLine()
    {
        _inner.Write(SecretRedaction.Redact(_line.ToString()));
        _line.Clear();
    }
}
