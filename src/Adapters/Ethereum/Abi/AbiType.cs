using System.Globalization;

namespace LowLatency.Adapters.Ethereum.Abi;

/// <summary>The kind of an ABI type.</summary>
public enum AbiKind
{
    UInt,
    Int,
    Address,
    Bool,

    /// <summary>bytes1..bytes32.</summary>
    FixedBytes,

    /// <summary>Dynamic bytes.</summary>
    Bytes,
    String,

    /// <summary>T[k].</summary>
    FixedArray,

    /// <summary>T[].</summary>
    Array,
    Tuple,
}

/// <summary>
/// A parsed ABI type tree ("uint256", "(address,uint256)[2][]", ...). Parse signatures at start-up and
/// keep the trees; they are immutable and thread-safe.
/// </summary>
public sealed class AbiType : IEquatable<AbiType>
{
    /// <summary>Deepest nesting of arrays/tuples accepted by the parser (bounds decoder recursion).</summary>
    public const int MaxDepth = 32;

    private AbiType(AbiKind kind, int size, AbiType? element, AbiType[] components, string[] names, bool[] indexed)
    {
        Kind = kind;
        Size = size;
        Element = element;
        Components = components;
        ComponentNames = names;
        ComponentIndexed = indexed;
        CanonicalName = BuildName();
        IsDynamic = kind switch
        {
            AbiKind.Bytes or AbiKind.String or AbiKind.Array => true,
            AbiKind.FixedArray => element!.IsDynamic,
            AbiKind.Tuple => components.Any(c => c.IsDynamic),
            _ => false,
        };
        HeadSize = IsDynamic ? 32 : kind switch
        {
            AbiKind.FixedArray => size * element!.HeadSize,
            AbiKind.Tuple => components.Sum(c => c.HeadSize),
            _ => 32,
        };
    }

    public AbiKind Kind { get; }

    /// <summary>Bits for uintN/intN, N for bytesN, k for T[k]; 0 otherwise.</summary>
    public int Size { get; }

    /// <summary>The element type of arrays.</summary>
    public AbiType? Element { get; }

    /// <summary>Tuple components (empty for other kinds).</summary>
    public IReadOnlyList<AbiType> Components { get; }

    /// <summary>Optional component names from the signature ("" when unnamed).</summary>
    public IReadOnlyList<string> ComponentNames { get; }

    /// <summary>Component "indexed" flags (event signatures).</summary>
    public IReadOnlyList<bool> ComponentIndexed { get; }

    /// <summary>The canonical name used for selectors ("uint" becomes "uint256", tuples "(a,b)").</summary>
    public string CanonicalName { get; }

    /// <summary>True for types encoded in the tail (bytes, string, T[], and containers of them).</summary>
    public bool IsDynamic { get; }

    /// <summary>Bytes this type takes in a head: 32 for dynamic types, the full static size otherwise.</summary>
    public int HeadSize { get; }

    public static AbiType UInt(int bits) => new(AbiKind.UInt, CheckBits(bits), null, [], [], []);

    public static AbiType Int(int bits) => new(AbiKind.Int, CheckBits(bits), null, [], [], []);

    public static AbiType Address { get; } = new(AbiKind.Address, 0, null, [], [], []);

    public static AbiType Bool { get; } = new(AbiKind.Bool, 0, null, [], [], []);

    public static AbiType Bytes { get; } = new(AbiKind.Bytes, 0, null, [], [], []);

    public static AbiType String { get; } = new(AbiKind.String, 0, null, [], [], []);

    public static AbiType FixedBytes(int length) =>
        length is >= 1 and <= 32 ? new(AbiKind.FixedBytes, length, null, [], [], []) : throw new ArgumentOutOfRangeException(nameof(length));

    public static AbiType ArrayOf(AbiType element) => new(AbiKind.Array, 0, element ?? throw new ArgumentNullException(nameof(element)), [], [], []);

    /// <summary>T[k] with k &gt;= 1 (Solidity has no zero-length fixed arrays).</summary>
    public static AbiType FixedArrayOf(AbiType element, int length) =>
        length >= 1 ? new(AbiKind.FixedArray, length, element ?? throw new ArgumentNullException(nameof(element)), [], [], []) : throw new ArgumentOutOfRangeException(nameof(length));

    public static AbiType Tuple(params AbiType[] components) =>
        new(AbiKind.Tuple, 0, null, components, new string[components.Length].Select(_ => string.Empty).ToArray(), new bool[components.Length]);

    internal static AbiType Tuple(AbiType[] components, string[] names, bool[] indexed) =>
        new(AbiKind.Tuple, 0, null, components, names, indexed);

    /// <summary>Parses a type; throws <see cref="FormatException"/> with the position of the problem.</summary>
    public static AbiType Parse(string text)
    {
        if (!TryParse(text, out var type, out var error))
        {
            throw new FormatException(error);
        }

        return type;
    }

    /// <summary>Parses a type ("uint256", "(bytes32,address)[]", "tuple(uint8 a,bool b)").</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiType? type, out string? error)
    {
        type = null;
        if (text is null)
        {
            error = "null type";
            return false;
        }

        var parser = new AbiSignatureParser(text);
        type = parser.ParseType(0);
        parser.SkipSpaces();
        if (type != null && !parser.AtEnd)
        {
            parser.Fail("unexpected text after the type");
            type = null;
        }

        error = parser.Error;
        return type != null;
    }

    public bool Equals(AbiType? other) => other is not null && CanonicalName == other.CanonicalName;

    public override bool Equals(object? obj) => obj is AbiType t && Equals(t);

    public override int GetHashCode() => CanonicalName.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => CanonicalName;

    private static int CheckBits(int bits) =>
        bits is >= 8 and <= 256 && bits % 8 == 0 ? bits : throw new ArgumentOutOfRangeException(nameof(bits), "bits must be a multiple of 8 in [8, 256]");

    private string BuildName() => Kind switch
    {
        AbiKind.UInt => "uint" + Size.ToString(CultureInfo.InvariantCulture),
        AbiKind.Int => "int" + Size.ToString(CultureInfo.InvariantCulture),
        AbiKind.Address => "address",
        AbiKind.Bool => "bool",
        AbiKind.FixedBytes => "bytes" + Size.ToString(CultureInfo.InvariantCulture),
        AbiKind.Bytes => "bytes",
        AbiKind.String => "string",
        AbiKind.FixedArray => Element!.CanonicalName + "[" + Size.ToString(CultureInfo.InvariantCulture) + "]",
        AbiKind.Array => Element!.CanonicalName + "[]",
        _ => "(" + string.Join(",", Components.Select(c => c.CanonicalName)) + ")",
    };
}

/// <summary>Recursive-descent parser for ABI types and signature parameter lists.</summary>
internal sealed class AbiSignatureParser
{
    private readonly string _text;
    private int _pos;

    public AbiSignatureParser(string text) => _text = text;

    public string? Error { get; private set; }

    public bool AtEnd => _pos >= _text.Length;

    public int Position => _pos;

    public void Fail(string message) =>
        Error ??= message + " at position " + _pos.ToString(CultureInfo.InvariantCulture) + " in '" + _text + "'";

    public void SkipSpaces()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    public bool TryConsume(char c)
    {
        SkipSpaces();
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    /// <summary>Steps back one character (after a successful <see cref="TryConsume"/>).</summary>
    public void Unread() => _pos--;

    public string ReadIdentifier()
    {
        SkipSpaces();
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_' || _text[_pos] == '$'))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    /// <summary>Parses "(T1 [indexed] [name], ...)" into a tuple type.</summary>
    public AbiType? ParseParameterList(int depth)
    {
        if (!TryConsume('('))
        {
            Fail("expected '('");
            return null;
        }

        var types = new List<AbiType>();
        var names = new List<string>();
        var indexed = new List<bool>();
        if (TryConsume(')'))
        {
            return AbiType.Tuple([.. types], [.. names], [.. indexed]);
        }

        while (true)
        {
            var t = ParseType(depth + 1);
            if (t is null)
            {
                return null;
            }

            var isIndexed = false;
            var name = ReadIdentifier();
            if (name is "indexed")
            {
                isIndexed = true;
                name = ReadIdentifier();
            }
            else if (name is "memory" or "calldata" or "storage")
            {
                name = ReadIdentifier();
            }

            types.Add(t);
            names.Add(name);
            indexed.Add(isIndexed);
            if (TryConsume(')'))
            {
                return AbiType.Tuple([.. types], [.. names], [.. indexed]);
            }

            if (!TryConsume(','))
            {
                Fail("expected ',' or ')'");
                return null;
            }
        }
    }

    public AbiType? ParseType(int depth)
    {
        if (depth > AbiType.MaxDepth)
        {
            Fail("type nested too deeply");
            return null;
        }

        SkipSpaces();
        AbiType? type;
        if (_pos < _text.Length && _text[_pos] == '(')
        {
            type = ParseParameterList(depth);
        }
        else
        {
            var start = _pos;
            var word = ReadIdentifier();
            if (word == "tuple" && _pos < _text.Length && _text[_pos] == '(')
            {
                type = ParseParameterList(depth);
            }
            else
            {
                type = Elementary(word);
                if (type is null)
                {
                    _pos = start;
                    Fail("unknown type '" + word + "'");
                    return null;
                }
            }
        }

        // Array suffixes: T[], T[k], applied left to right.
        while (type != null && _pos < _text.Length && _text[_pos] == '[')
        {
            if (++depth > AbiType.MaxDepth)
            {
                Fail("type nested too deeply");
                return null;
            }

            _pos++;
            var start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            if (_pos >= _text.Length || _text[_pos] != ']')
            {
                Fail("expected ']'");
                return null;
            }

            if (_pos == start)
            {
                type = AbiType.ArrayOf(type);
            }
            else
            {
                var digits = _text.AsSpan(start, _pos - start);
                if ((digits.Length > 1 && digits[0] == '0') ||
                    !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length is < 1 or > 1_000_000)
                {
                    Fail("invalid fixed array length");
                    return null;
                }

                type = AbiType.FixedArrayOf(type, length);
            }

            _pos++;
        }

        return type;
    }

    private static AbiType? Elementary(string word)
    {
        switch (word)
        {
            case "address":
                return AbiType.Address;
            case "bool":
                return AbiType.Bool;
            case "string":
                return AbiType.String;
            case "bytes":
                return AbiType.Bytes;
            case "uint":
                return AbiType.UInt(256);
            case "int":
                return AbiType.Int(256);
        }

        if (word.StartsWith("uint", StringComparison.Ordinal) && TryBits(word.AsSpan(4), out var ubits))
        {
            return AbiType.UInt(ubits);
        }

        if (word.StartsWith("int", StringComparison.Ordinal) && TryBits(word.AsSpan(3), out var ibits))
        {
            return AbiType.Int(ibits);
        }

        if (word.StartsWith("bytes", StringComparison.Ordinal) &&
            TryNumber(word.AsSpan(5), out var n) && n is >= 1 and <= 32)
        {
            return AbiType.FixedBytes(n);
        }

        return null;
    }

    private static bool TryBits(ReadOnlySpan<char> digits, out int bits) =>
        TryNumber(digits, out bits) && bits is >= 8 and <= 256 && bits % 8 == 0;

    private static bool TryNumber(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        return digits.Length is > 0 and <= 3 && digits[0] != '0' &&
               int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
