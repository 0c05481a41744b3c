namespace LowLatency.Fuzz.Tests.Engine;

internal enum JsonTokenKind : byte
{
    String,
    Number,
    Literal,
    Open,
    Close,
    Colon,
    Comma,
    Other,
}

/// <summary>One lexical token of (possibly broken) JSON text: where it is and what it looks like.</summary>
internal readonly record struct JsonToken(JsonTokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// A forgiving JSON lexer for the mutator: it never fails, so it works on inputs earlier mutations already broke, and
/// finds the spans (values, object members, array elements) that structure-aware mutations edit.
/// </summary>
internal static class JsonTokens
{
    public static List<JsonToken> Scan(ReadOnlySpan<byte> text)
    {
        var tokens = new List<JsonToken>();
        int i = 0;
        while (i < text.Length)
        {
            byte c = text[i];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
                continue;
            }

            int start = i;
            JsonTokenKind kind;
            if (c == (byte)'"')
            {
                i++;
                while (i < text.Length && text[i] != (byte)'"')
                {
                    i += text[i] == (byte)'\\' ? 2 : 1;
                }

                i = Math.Min(i + 1, text.Length);
                kind = JsonTokenKind.String;
            }
            else if (c is (byte)'-' or (>= (byte)'0' and <= (byte)'9'))
            {
                i++;
                while (i < text.Length && text[i] is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-')
                {
                    i++;
                }

                kind = JsonTokenKind.Number;
            }
            else if (c is >= (byte)'a' and <= (byte)'z')
            {
                while (i < text.Length && text[i] is >= (byte)'a' and <= (byte)'z')
                {
                    i++;
                }

                kind = JsonTokenKind.Literal;
            }
            else
            {
                i++;
                kind = c switch
                {
                    (byte)'{' or (byte)'[' => JsonTokenKind.Open,
                    (byte)'}' or (byte)']' => JsonTokenKind.Close,
                    (byte)':' => JsonTokenKind.Colon,
                    (byte)',' => JsonTokenKind.Comma,
                    _ => JsonTokenKind.Other,
                };
            }

            tokens.Add(new JsonToken(kind, start, i - start));
        }

        return tokens;
    }

    /// <summary>True when the token is a value (not a key, not punctuation).</summary>
    public static bool IsValueStart(List<JsonToken> tokens, int index)
    {
        JsonToken t = tokens[index];
        if (t.Kind is JsonTokenKind.Number or JsonTokenKind.Literal or JsonTokenKind.Open)
        {
            return true;
        }

        return t.Kind == JsonTokenKind.String && !IsKey(tokens, index);
    }

    /// <summary>True for a string followed by ':'.</summary>
    public static bool IsKey(List<JsonToken> tokens, int index) =>
        tokens[index].Kind == JsonTokenKind.String && index + 1 < tokens.Count && tokens[index + 1].Kind == JsonTokenKind.Colon;

    /// <summary>Index of the last token of the value starting at <paramref name="index"/> (its matching close for containers).</summary>
    public static int ValueEnd(List<JsonToken> tokens, int index)
    {
        if (tokens[index].Kind != JsonTokenKind.Open)
        {
            return index;
        }

        int depth = 0;
        for (int i = index; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == JsonTokenKind.Open)
            {
                depth++;
            }
            else if (tokens[i].Kind == JsonTokenKind.Close && --depth == 0)
            {
                return i;
            }
        }

        return tokens.Count - 1;
    }
}
