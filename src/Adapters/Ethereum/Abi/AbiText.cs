using System.Globalization;
using System.Numerics;

namespace LowLatency.Adapters.Ethereum.Abi;

/// <summary>
/// Parses command-line text into ABI values, as foundry's cast does: integers in decimal or 0x-hex
/// (negative for intN), addresses, true/false, 0x-hex bytes, raw strings (optionally in double quotes),
/// arrays "[a,b]" and tuples "(a,b)". Any thread; allocates (operator tooling).
/// </summary>
public static class AbiText
{
    public static bool TryParse(AbiType type, string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiValue? value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(text);
        value = null;
        error = null;
        var t = text.Trim();
        switch (type.Kind)
        {
            case AbiKind.UInt:
            case AbiKind.Int:
                if (!TryInteger(t, out var integer))
                {
                    error = "'" + text + "' is not an integer";
                    return false;
                }

                var min = type.Kind == AbiKind.UInt ? BigInteger.Zero : -(BigInteger.One << (type.Size - 1));
                var max = type.Kind == AbiKind.UInt ? (BigInteger.One << type.Size) - 1 : (BigInteger.One << (type.Size - 1)) - 1;
                if (integer < min || integer > max)
                {
                    error = "'" + text + "' does not fit in " + type.CanonicalName;
                    return false;
                }

                value = type.Kind == AbiKind.UInt ? AbiValue.UInt(integer) : AbiValue.Int(integer);
                return true;

            case AbiKind.Address:
                if (!Address.TryParse(t, out var address))
                {
                    error = "'" + text + "' is not an address (or its EIP-55 checksum is wrong)";
                    return false;
                }

                value = AbiValue.FromAddress(address);
                return true;

            case AbiKind.Bool:
                if (t is not ("true" or "false"))
                {
                    error = "'" + text + "' is not true or false";
                    return false;
                }

                value = AbiValue.FromBool(t == "true");
                return true;

            case AbiKind.FixedBytes:
            case AbiKind.Bytes:
                if (!Hex.HasPrefix(t) || Hex.GetDecodedLength(t) < 0)
                {
                    error = "'" + text + "' is not 0x-hex bytes";
                    return false;
                }

                var bytes = new byte[Hex.GetDecodedLength(t)];
                if (!Hex.TryDecode(t, bytes, out _))
                {
                    error = "'" + text + "' is not 0x-hex bytes";
                    return false;
                }

                if (type.Kind == AbiKind.FixedBytes && bytes.Length != type.Size)
                {
                    error = type.CanonicalName + " needs exactly " + type.Size + " bytes, got " + bytes.Length;
                    return false;
                }

                value = type.Kind == AbiKind.Bytes ? AbiValue.FromBytes(bytes) : AbiValue.FixedBytes(bytes);
                return true;

            case AbiKind.String:
                value = AbiValue.FromString(t.Length >= 2 && t[0] == '"' && t[^1] == '"' ? t[1..^1] : text);
                return true;

            default:
                return TryContainer(type, t, out value, out error);
        }
    }

    private static bool TryContainer(AbiType type, string t, out AbiValue? value, out string? error)
    {
        value = null;
        var (open, close) = type.Kind == AbiKind.Tuple ? ('(', ')') : ('[', ']');
        if (t.Length < 2 || t[0] != open || t[^1] != close)
        {
            error = "'" + t + "' must be written " + open + "a,b,..." + close + " for " + type.CanonicalName;
            return false;
        }

        var parts = SplitTopLevel(t[1..^1]);
        if (parts is null)
        {
            error = "unbalanced brackets or quotes in '" + t + "'";
            return false;
        }

        var count = parts.Count;
        if (type.Kind == AbiKind.Tuple ? count != type.Components.Count : type.Kind == AbiKind.FixedArray && count != type.Size)
        {
            error = "'" + t + "' has " + count + " elements; " + type.CanonicalName + " needs " +
                    (type.Kind == AbiKind.Tuple ? type.Components.Count : type.Size);
            return false;
        }

        var items = new AbiValue[count];
        for (var i = 0; i < count; i++)
        {
            var elementType = type.Kind == AbiKind.Tuple ? type.Components[i] : type.Element!;
            if (!TryParse(elementType, parts[i], out var item, out error))
            {
                return false;
            }

            items[i] = item;
        }

        value = type.Kind == AbiKind.Tuple ? AbiValue.Tuple(items) : AbiValue.Array(items);
        error = null;
        return true;
    }

    // Splits on commas outside brackets, parentheses and double quotes; null when unbalanced.
    private static List<string>? SplitTopLevel(string inner)
    {
        var parts = new List<string>();
        if (inner.Trim().Length == 0)
        {
            return parts;
        }

        int depth = 0, start = 0;
        var quoted = false;
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '[' or '(')
            {
                depth++;
            }
            else if (!quoted && c is ']' or ')')
            {
                if (--depth < 0)
                {
                    return null;
                }
            }
            else if (!quoted && depth == 0 && c == ',')
            {
                parts.Add(inner[start..i]);
                start = i + 1;
            }
        }

        if (depth != 0 || quoted)
        {
            return null;
        }

        parts.Add(inner[start..]);
        return parts;
    }

    private static bool TryInteger(string t, out BigInteger value)
    {
        value = default;
        var negative = t.StartsWith('-');
        var digits = negative ? t[1..] : t;
        if (digits.Length == 0)
        {
            return false;
        }

        if (Hex.HasPrefix(digits))
        {
            if (digits.Length == 2 || !UInt256.TryParseHexDigits(digits.AsSpan(2), out var hex))
            {
                return false;
            }

            value = hex.ToBigInteger();
        }
        else if (!digits.All(char.IsAsciiDigit) ||
                 !BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }
}
