using System.Text;

namespace LowLatency.Fuzz.Tests.Engine;

/// <summary>
/// Seeded mutations of a corpus input: byte-level (bit and byte flips, insert, delete, duplicate, truncate, splice,
/// invalid UTF-8) and, for JSON, structure-aware ones (numeric boundary values, type swaps, hostile string contents,
/// deep nesting, very long strings, duplicate keys, unknown fields, removed or repeated members and elements, swapped
/// values). Each case stacks one to four of them; <paramref name="log"/> names them for the failure report.
/// Deterministic for a given <see cref="FuzzRandom"/> state.
/// </summary>
internal static class Mutator
{
    /// <summary>Inputs never grow past this (a hostile frame is large, not unbounded).</summary>
    public const int MaxLength = 1 << 20;

    private static readonly string[] s_numbers =
    [
        "0", "-0", "1", "-1", "00", "007", "0.0", "1.", ".", ".5", "-0.5", "1e3", "1E+2", "1e-7", "-1e308", "1e309", "NaN", "nan",
        "Infinity", "-Infinity", "0x1f", "1_0", "1,5", " 1", "1 ", "+1", "2147483647", "2147483648", "-2147483649", "4294967295",
        "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "99999999999999999999999999999999999999", "0.000000000000000001",
        "0.0000000000000000001", "1.0000000000000000000000000000000001", "123456789.123456789123456789",
        "1" + new string('0', 400), "0." + new string('0', 300) + "1", "1." + new string('0', 50), "1." + new string('0', 130),
        "", "0.00000000", "1e", "--1", "1..2", "١",
    ];

    private static readonly string[] s_values =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e400", "\"\"", "\"x\"", "\"0\"", "{}", "[]", "[[]]", "[null]", "{\"\":0}",
        "[\"0\",\"0\"]", "[\"1\",\"1\",\"1\"]", "{\"a\":{\"b\":[]}}",
    ];

    private static readonly byte[][] s_stringContents =
    [
        [],
        "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), "\\udfff"u8.ToArray(), "a\\ud800b"u8.ToArray(), "\\ud83d\\ude80"u8.ToArray(),
        "\\u00e9"u8.ToArray(), "é🚀"u8.ToArray(), "\\\""u8.ToArray(), "\\\\"u8.ToArray(), "\\n"u8.ToArray(), "\\x41"u8.ToArray(),
        "\\u12"u8.ToArray(), [0x01], [0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf4, 0x90, 0x80, 0x80],
        "0x"u8.ToArray(), "0x0"u8.ToArray(), "0x00"u8.ToArray(), "0xzz"u8.ToArray(), Encoding.ASCII.GetBytes("0x" + new string('f', 65)),
        Encoding.ASCII.GetBytes("0x" + new string('0', 64)), "-"u8.ToArray(), " "u8.ToArray(), "book-"u8.ToArray(), "books"u8.ToArray(),
        "error"u8.ToArray(), "snapshot"u8.ToArray(), "update"u8.ToArray(), "depthUpdate"u8.ToArray(), "bookTicker"u8.ToArray(), "r"u8.ToArray(),
    ];

    private static readonly byte[] s_interestingBytes =
        [0x00, 0xff, 0x7f, 0x80, 0x81, 0xb7, 0xb8, 0xbf, 0xc0, 0xc1, 0xf7, 0xf8, 0xfb, 0x01, 0x02, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\n', (byte)'\r', (byte)' ', (byte)'-', (byte)'.', (byte)'0', (byte)'9', (byte)'e'];

    private static readonly byte[][] s_invalidUtf8 = [[0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xef, 0xbb, 0xbf]];

    private static readonly int[] s_nestDepths = [2, 10, 63, 64, 65, 200, 1000, 10_000];

    private delegate byte[]? Mutation(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus);

    private static readonly (string Name, Mutation Apply, int Weight)[] s_byteOps =
    [
        ("bit-flip", BitFlip, 4),
        ("byte-set", ByteSet, 4),
        ("insert-bytes", InsertBytes, 2),
        ("delete-range", DeleteRange, 3),
        ("duplicate-range", DuplicateRange, 2),
        ("truncate", Truncate, 3),
        ("splice", Splice, 2),
        ("invalid-utf8", InvalidUtf8, 2),
        ("case-flip", CaseFlip, 1),
    ];

    private static readonly (string Name, Mutation Apply, int Weight)[] s_jsonOps =
    [
        ("number-boundary", NumberBoundary, 6),
        ("string-content", StringContent, 3),
        ("type-swap", TypeSwap, 4),
        ("deep-nest", DeepNest, 1),
        ("long-string", LongString, 1),
        ("duplicate-key", DuplicateKey, 2),
        ("unknown-field", UnknownField, 2),
        ("remove-item", RemoveItem, 3),
        ("repeat-item", RepeatItem, 2),
        ("swap-values", SwapValues, 2),
        ("graft-value", GraftValue, 1),
        ("whitespace", Whitespace, 1),
    ];

    /// <summary>One mutated copy of <paramref name="seed"/>, at most <paramref name="maxLength"/> bytes.</summary>
    public static byte[] Mutate(FuzzRandom rng, byte[] seed, IReadOnlyList<byte[]> corpus, bool json, List<string>? log = null, int maxLength = MaxLength)
    {
        byte[] current = seed;
        int stack = 1 + (rng.OneIn(2) ? rng.Next(1, 4) : 0);
        for (int m = 0; m < stack; m++)
        {
            for (int attempt = 0; attempt < 8; attempt++)
            {
                (string name, Mutation apply, _) = json && rng.Next(10) < 7 ? PickWeighted(rng, s_jsonOps) : PickWeighted(rng, s_byteOps);
                byte[]? next = apply(rng, current, corpus);
                if (next is not null && next.Length <= maxLength)
                {
                    log?.Add(name);
                    current = next;
                    break;
                }
            }
        }

        return ReferenceEquals(current, seed) ? (byte[])seed.Clone() : current;
    }

    private static (string, Mutation, int) PickWeighted(FuzzRandom rng, (string, Mutation, int)[] ops)
    {
        int total = 0;
        foreach ((_, _, int w) in ops)
        {
            total += w;
        }

        int roll = rng.Next(total);
        foreach ((string, Mutation, int) op in ops)
        {
            roll -= op.Item3;
            if (roll < 0)
            {
                return op;
            }
        }

        return ops[^1];
    }

    // ------------------------------------------------------------------ byte level

    private static byte[]? BitFlip(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        if (input.Length == 0)
        {
            return null;
        }

        byte[] copy = (byte[])input.Clone();
        copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
        return copy;
    }

    private static byte[]? ByteSet(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        if (input.Length == 0)
        {
            return null;
        }

        byte[] copy = (byte[])input.Clone();
        copy[rng.Next(copy.Length)] = rng.OneIn(2) ? rng.Pick(s_interestingBytes) : rng.NextByte();
        return copy;
    }

    private static byte[]? InsertBytes(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var bytes = new byte[rng.Next(1, 9)];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = rng.OneIn(2) ? rng.Pick(s_interestingBytes) : rng.NextByte();
        }

        return Replace(input, rng.Next(input.Length + 1), 0, bytes);
    }

    private static byte[]? DeleteRange(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        if (input.Length == 0)
        {
            return null;
        }

        int start = rng.Next(input.Length);
        int length = 1 + rng.Skewed(input.Length - start - 1);
        return Replace(input, start, length, []);
    }

    private static byte[]? DuplicateRange(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        if (input.Length == 0)
        {
            return null;
        }

        int start = rng.Next(input.Length);
        int length = 1 + rng.Skewed(Math.Min(4096, input.Length - start - 1));
        byte[] chunk = input.AsSpan(start, length).ToArray();
        int times = rng.OneIn(8) ? rng.Next(2, 64) : 1;
        var repeated = new byte[chunk.Length * times];
        for (int t = 0; t < times; t++)
        {
            chunk.CopyTo(repeated, t * chunk.Length);
        }

        return Replace(input, rng.Next(input.Length + 1), 0, repeated);
    }

    private static byte[]? Truncate(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus) =>
        input.Length == 0 ? null : input.AsSpan(0, rng.Next(input.Length)).ToArray();

    private static byte[]? Splice(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        byte[] other = rng.Pick(corpus);
        int cutA = rng.Next(input.Length + 1);
        int cutB = rng.Next(other.Length + 1);
        var result = new byte[cutA + (other.Length - cutB)];
        input.AsSpan(0, cutA).CopyTo(result);
        other.AsSpan(cutB).CopyTo(result.AsSpan(cutA));
        return result;
    }

    private static byte[]? InvalidUtf8(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        int at = rng.Next(input.Length + 1);
        return Replace(input, at, at < input.Length && rng.OneIn(2) ? 1 : 0, rng.Pick(s_invalidUtf8));
    }

    private static byte[]? CaseFlip(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        for (int attempt = 0; attempt < 16 && input.Length > 0; attempt++)
        {
            int i = rng.Next(input.Length);
            if (char.IsAsciiLetter((char)input[i]))
            {
                byte[] copy = (byte[])input.Clone();
                copy[i] ^= 0x20;
                return copy;
            }
        }

        return null;
    }

    // ------------------------------------------------------------------ JSON structure

    private static byte[]? NumberBoundary(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        var candidates = new List<int>();
        for (int i = 0; i < tokens.Count; i++)
        {
            JsonToken t = tokens[i];
            if (t.Kind == JsonTokenKind.Number || (t.Kind == JsonTokenKind.String && LooksNumeric(input.AsSpan(t.Start, t.Length))))
            {
                candidates.Add(i);
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        JsonToken token = tokens[rng.Pick(candidates)];
        byte[] value = Encoding.ASCII.GetBytes(rng.Pick(s_numbers));
        return token.Kind == JsonTokenKind.String && token.Length >= 2
            ? Replace(input, token.Start + 1, token.Length - 2, value)
            : Replace(input, token.Start, token.Length, value);
    }

    private static bool LooksNumeric(ReadOnlySpan<byte> quoted)
    {
        if (quoted.Length < 3)
        {
            return false;
        }

        foreach (byte b in quoted[1..^1])
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[]? StringContent(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        JsonToken? token = PickToken(rng, input, JsonTokenKind.String, out _);
        if (token is not { Length: >= 2 } t)
        {
            return null;
        }

        byte[] content = rng.Pick(s_stringContents);
        return rng.OneIn(3)
            ? Replace(input, t.Start + 1 + rng.Next(t.Length - 1), 0, content) // inside the existing text
            : Replace(input, t.Start + 1, t.Length - 2, content);
    }

    private static byte[]? TypeSwap(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        if (!PickValue(rng, input, out int start, out int end))
        {
            return null;
        }

        return Replace(input, start, end - start, Encoding.ASCII.GetBytes(rng.Pick(s_values)));
    }

    private static byte[]? DeepNest(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        int depth = rng.Pick(s_nestDepths);
        bool objects = rng.OneIn(3);
        byte[] open = objects ? "{\"a\":"u8.ToArray() : "["u8.ToArray();
        byte[] close = objects ? "}"u8.ToArray() : "]"u8.ToArray();
        if (rng.OneIn(4) || !PickValue(rng, input, out int start, out int end))
        {
            // Unbalanced: openers only, somewhere.
            return Replace(input, rng.Next(input.Length + 1), 0, Repeat(open, depth));
        }

        byte[] inner = input.AsSpan(start, end - start).ToArray();
        byte[] wrapped = [.. Repeat(open, depth), .. inner, .. Repeat(close, depth)];
        return Replace(input, start, end - start, wrapped);
    }

    private static byte[]? LongString(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        int length = rng.Pick([300, 4096, 70_000]);
        byte fill = rng.Pick([(byte)'A', (byte)'9', (byte)'0', (byte)'f']);
        var text = new byte[length];
        text.AsSpan().Fill(fill);
        JsonToken? token = PickToken(rng, input, rng.OneIn(2) ? JsonTokenKind.String : JsonTokenKind.Number, out _);
        if (token is not { } t)
        {
            return null;
        }

        return t.Kind == JsonTokenKind.String && t.Length >= 2 ? Replace(input, t.Start + 1, t.Length - 2, text) : Replace(input, t.Start, t.Length, text);
    }

    private static byte[]? DuplicateKey(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        var keys = new List<int>();
        for (int i = 0; i + 2 < tokens.Count; i++)
        {
            if (JsonTokens.IsKey(tokens, i))
            {
                keys.Add(i);
            }
        }

        if (keys.Count == 0)
        {
            return null;
        }

        int key = rng.Pick(keys);
        int valueEnd = JsonTokens.ValueEnd(tokens, key + 2);
        int start = tokens[key].Start;
        int end = tokens[valueEnd].End;
        byte[] member = input.AsSpan(start, end - start).ToArray();
        if (rng.OneIn(2) && tokens[key + 2].Kind != JsonTokenKind.Open)
        {
            // Same key, other value.
            member = [.. input.AsSpan(tokens[key].Start, tokens[key].Length), (byte)':', .. Encoding.ASCII.GetBytes(rng.Pick(s_values))];
        }

        return Replace(input, end, 0, [(byte)',', .. member]);
    }

    private static byte[]? UnknownField(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        var objects = new List<int>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == JsonTokenKind.Open && input[tokens[i].Start] == (byte)'{')
            {
                objects.Add(i);
            }
        }

        if (objects.Count == 0)
        {
            return null;
        }

        int open = rng.Pick(objects);
        string name = rng.Pick(["zz", "e", "s", "u", "data", "arg", "action", "stream", "result", "id", "error", "x-unknown"]);
        bool empty = open + 1 < tokens.Count && tokens[open + 1].Kind == JsonTokenKind.Close;
        byte[] member = Encoding.UTF8.GetBytes("\"" + name + "\":" + rng.Pick(s_values) + (empty ? string.Empty : ","));
        return Replace(input, tokens[open].End, 0, member);
    }

    private static byte[]? RemoveItem(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        if (!PickItem(rng, tokens, out int first, out int last))
        {
            return null;
        }

        int start = tokens[first].Start;
        int end = tokens[last].End;
        if (last + 1 < tokens.Count && tokens[last + 1].Kind == JsonTokenKind.Comma)
        {
            end = tokens[last + 1].End;
        }
        else if (first > 0 && tokens[first - 1].Kind == JsonTokenKind.Comma)
        {
            start = tokens[first - 1].Start;
        }

        return Replace(input, start, end - start, []);
    }

    private static byte[]? RepeatItem(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        if (!PickItem(rng, tokens, out int first, out int last))
        {
            return null;
        }

        ReadOnlySpan<byte> item = input.AsSpan(tokens[first].Start, tokens[last].End - tokens[first].Start);
        int times = rng.OneIn(4) ? rng.Pick([20, 600, 1100, 5001]) : 1;
        long size = (long)(item.Length + 1) * times;
        if (input.Length + size > MaxLength)
        {
            return null;
        }

        var repeated = new byte[size];
        for (int t = 0; t < times; t++)
        {
            repeated[t * (item.Length + 1)] = (byte)',';
            item.CopyTo(repeated.AsSpan((t * (item.Length + 1)) + 1));
        }

        return Replace(input, tokens[last].End, 0, repeated);
    }

    private static byte[]? SwapValues(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        if (!PickValue(rng, input, out int aStart, out int aEnd) || !PickValue(rng, input, out int bStart, out int bEnd))
        {
            return null;
        }

        if (bStart < aStart)
        {
            (aStart, aEnd, bStart, bEnd) = (bStart, bEnd, aStart, aEnd);
        }

        if (aEnd > bStart)
        {
            return null; // nested or equal
        }

        return [.. input.AsSpan(0, aStart), .. input.AsSpan(bStart, bEnd - bStart), .. input.AsSpan(aEnd, bStart - aEnd), .. input.AsSpan(aStart, aEnd - aStart), .. input.AsSpan(bEnd)];
    }

    private static byte[]? GraftValue(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        byte[] donor = rng.Pick(corpus);
        if (!PickValue(rng, input, out int start, out int end) || !PickValue(rng, donor, out int dStart, out int dEnd))
        {
            return null;
        }

        return Replace(input, start, end - start, donor.AsSpan(dStart, dEnd - dStart).ToArray());
    }

    private static byte[]? Whitespace(FuzzRandom rng, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        if (tokens.Count == 0)
        {
            return null;
        }

        JsonToken t = tokens[rng.Next(tokens.Count)];
        return Replace(input, rng.OneIn(2) ? t.Start : t.End, 0, rng.Pick([" "u8.ToArray(), "\n"u8.ToArray(), "\t \r\n"u8.ToArray()]));
    }

    // ------------------------------------------------------------------ helpers

    private static JsonToken? PickToken(FuzzRandom rng, byte[] input, JsonTokenKind kind, out int index)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        var matches = new List<int>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == kind)
            {
                matches.Add(i);
            }
        }

        index = -1;
        if (matches.Count == 0)
        {
            return null;
        }

        index = rng.Pick(matches);
        return tokens[index];
    }

    /// <summary>A random value's byte range.</summary>
    private static bool PickValue(FuzzRandom rng, byte[] input, out int start, out int end)
    {
        List<JsonToken> tokens = JsonTokens.Scan(input);
        var values = new List<int>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (JsonTokens.IsValueStart(tokens, i))
            {
                values.Add(i);
            }
        }

        start = end = 0;
        if (values.Count == 0)
        {
            return false;
        }

        int first = rng.Pick(values);
        start = tokens[first].Start;
        end = tokens[JsonTokens.ValueEnd(tokens, first)].End;
        return true;
    }

    /// <summary>An object member (key through value) or an array element, as a token range.</summary>
    private static bool PickItem(FuzzRandom rng, List<JsonToken> tokens, out int first, out int last)
    {
        var starts = new List<int>();
        for (int i = 1; i < tokens.Count; i++)
        {
            bool afterSeparator = tokens[i - 1].Kind is JsonTokenKind.Comma || tokens[i - 1].Kind == JsonTokenKind.Open;
            if (afterSeparator && (JsonTokens.IsKey(tokens, i) || JsonTokens.IsValueStart(tokens, i)))
            {
                starts.Add(i);
            }
        }

        first = last = 0;
        if (starts.Count == 0)
        {
            return false;
        }

        first = rng.Pick(starts);
        int valueStart = JsonTokens.IsKey(tokens, first) && first + 2 < tokens.Count ? first + 2 : first;
        last = JsonTokens.ValueEnd(tokens, valueStart);
        return true;
    }

    private static byte[] Repeat(byte[] unit, int times)
    {
        var result = new byte[unit.Length * times];
        for (int t = 0; t < times; t++)
        {
            unit.CopyTo(result, t * unit.Length);
        }

        return result;
    }

    /// <summary><paramref name="input"/> with [start, start + length) replaced by <paramref name="with"/>.</summary>
    public static byte[] Replace(byte[] input, int start, int length, ReadOnlySpan<byte> with)
    {
        var result = new byte[input.Length - length + with.Length];
        input.AsSpan(0, start).CopyTo(result);
        with.CopyTo(result.AsSpan(start));
        input.AsSpan(start + length).CopyTo(result.AsSpan(start + with.Length));
        return result;
    }
}
