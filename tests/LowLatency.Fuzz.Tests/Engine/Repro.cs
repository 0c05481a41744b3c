using System.Globalization;
using System.Text;

namespace LowLatency.Fuzz.Tests.Engine;

/// <summary>Readable forms of a failing input for the report: escaped text or hex, truncated.</summary>
internal static class Repro
{
    public static string Escape(ReadOnlySpan<byte> input, int max = 400)
    {
        var sb = new StringBuilder(Math.Min(input.Length, max) + 32);
        int shown = Math.Min(input.Length, max);
        for (int i = 0; i < shown; i++)
        {
            byte b = input[i];
            switch (b)
            {
                case (byte)'\\':
                    sb.Append("\\\\");
                    break;
                case (byte)'\n':
                    sb.Append("\\n");
                    break;
                case (byte)'\r':
                    sb.Append("\\r");
                    break;
                case (byte)'\t':
                    sb.Append("\\t");
                    break;
                case >= 0x20 and < 0x7f:
                    sb.Append((char)b);
                    break;
                default:
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                    break;
            }
        }

        if (input.Length > shown)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({input.Length - shown} more bytes)");
        }

        return sb.ToString();
    }

    public static string HexOf(ReadOnlySpan<byte> input, int max = 200)
    {
        int shown = Math.Min(input.Length, max);
        string hex = Convert.ToHexStringLower(input[..shown]);
        return input.Length > shown ? hex + $"… ({(input.Length - shown).ToString(CultureInfo.InvariantCulture)} more bytes)" : hex;
    }

    /// <summary>The first frames of a stack trace that are not the fuzz suite's own (where the crash really is).</summary>
    public static string TopFrames(Exception ex, int count = 8)
    {
        string[] lines = (ex.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("\n      ", lines.Take(count));
    }

    /// <summary>A failure's kind: exception type and the first engine frame (or the invariant's name).</summary>
    public static string Signature(Exception ex)
    {
        if (ex is FuzzInvariantException)
        {
            string message = ex.Message;
            int colon = message.IndexOf(':', StringComparison.Ordinal);
            return "invariant: " + (colon > 0 ? message[..colon] : message);
        }

        string? frame = (ex.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => l.Contains("LowLatency.", StringComparison.Ordinal) && !l.Contains("LowLatency.Fuzz.", StringComparison.Ordinal));
        if (frame is not null)
        {
            int paren = frame.IndexOf('(', StringComparison.Ordinal);
            frame = paren > 0 ? frame[..paren] : frame;
        }

        return ex.GetType().Name + " " + (frame ?? "(no engine frame)");
    }
}
