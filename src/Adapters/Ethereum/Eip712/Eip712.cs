using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// EIP-712 typed structured data hashing (eth_signTypedData_v4 semantics, as ethers' TypedDataEncoder): encodeType
/// with referenced types sorted by name, atomic values as 32-byte words, bytes/string hashed, arrays hashed over their
/// encoded elements, nested structs hashed. The domain type is taken from <c>types.EIP712Domain</c> or derived from the
/// domain fields present. Off the hot path (allocates); thread-safe. Malformed input throws <see cref="FormatException"/>.
/// </summary>
public static class Eip712
{
    private const string DomainTypeName = "EIP712Domain";

    private static readonly (string Name, string Type)[] s_domainFields =
    [
        ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32"),
    ];

    /// <summary>
    /// keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(primaryType, message)) for a JSON object with <c>types</c>,
    /// <c>primaryType</c>, <c>domain</c> and <c>message</c> (or <c>data</c>).
    /// </summary>
    public static byte[] HashTypedData(JsonElement typedData)
    {
        RequireText(typedData);
        JsonElement types = Required(typedData, "types");
        string primaryType = Text(Required(typedData, "primaryType"), "primaryType");
        JsonElement domain = Required(typedData, "domain");
        JsonElement message = typedData.TryGetProperty("message", out JsonElement m) ? m : Required(typedData, "data");
        return HashTypedDataCore(domain, types, primaryType, message);
    }

    /// <summary>The digest from its parts.</summary>
    public static byte[] HashTypedData(JsonElement domain, JsonElement types, string primaryType, JsonElement message)
    {
        ArgumentNullException.ThrowIfNull(primaryType);
        RequireText(domain);
        RequireText(types);
        RequireText(message);
        return HashTypedDataCore(domain, types, primaryType, message);
    }

    private static byte[] HashTypedDataCore(JsonElement domain, JsonElement types, string primaryType, JsonElement message)
    {
        Dictionary<string, List<(string Name, string Type)>> typeMap = ParseTypes(types, domain);
        byte[] buffer = new byte[66];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        HashStruct(typeMap, DomainTypeName, domain).CopyTo(buffer, 2);
        HashStruct(typeMap, primaryType, message).CopyTo(buffer, 34);
        return Keccak256.Hash(buffer);
    }

    /// <summary>The domain separator: hashStruct("EIP712Domain", domain).</summary>
    public static byte[] HashDomain(JsonElement domain, JsonElement types)
    {
        RequireText(domain);
        RequireText(types);
        Dictionary<string, List<(string Name, string Type)>> typeMap = ParseTypes(types, domain);
        return HashStruct(typeMap, DomainTypeName, domain);
    }

    /// <summary>hashStruct(type, value) = keccak256(encodeData(type, value)).</summary>
    public static byte[] HashStruct(JsonElement types, string type, JsonElement value) =>
        Keccak256.Hash(EncodeData(types, type, value));

    /// <summary>encodeData: typeHash ‖ one 32-byte word per member.</summary>
    public static byte[] EncodeData(JsonElement types, string type, JsonElement value)
    {
        RequireText(types);
        RequireText(value);
        return EncodeData(ParseTypes(types, default), type, value);
    }

    /// <summary>encodeType, e.g. "Mail(Person from,Person to,string contents)Person(string name,address wallet)".</summary>
    public static string EncodeType(JsonElement types, string primaryType)
    {
        RequireText(types);
        return EncodeType(ParseTypes(types, default), primaryType);
    }

    private static Dictionary<string, List<(string Name, string Type)>> ParseTypes(JsonElement types, JsonElement domain)
    {
        if (types.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("types must be an object.");
        }

        var map = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        foreach (JsonProperty type in types.EnumerateObject())
        {
            var fields = new List<(string, string)>();
            if (type.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"Type {type.Name} must be a list of fields.");
            }

            foreach (JsonElement field in type.Value.EnumerateArray())
            {
                string name = Text(Required(field, "name"), $"The name of a field of {type.Name}");
                string fieldType = Text(Required(field, "type"), $"The type of field {name} of {type.Name}");
                fields.Add((name, fieldType));
            }

            map[type.Name] = fields;
        }

        if (!map.ContainsKey(DomainTypeName) && domain.ValueKind == JsonValueKind.Object)
        {
            var fields = new List<(string, string)>();
            foreach ((string name, string type) in s_domainFields)
            {
                if (domain.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null)
                {
                    fields.Add((name, type));
                }
            }

            map[DomainTypeName] = fields;
        }

        return map;
    }

    private static byte[] HashStruct(Dictionary<string, List<(string Name, string Type)>> types, string type, JsonElement value) =>
        Keccak256.Hash(EncodeData(types, type, value));

    private static byte[] EncodeData(Dictionary<string, List<(string Name, string Type)>> types, string type, JsonElement value)
    {
        if (!types.TryGetValue(type, out List<(string Name, string Type)>? fields))
        {
            throw new FormatException($"Unknown struct type '{type}'.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Value of struct type '{type}' must be an object.");
        }

        byte[] result = new byte[32 * (fields.Count + 1)];
        Keccak256.Hash(Encoding.UTF8.GetBytes(EncodeType(types, type)), result.AsSpan(0, 32));
        for (int i = 0; i < fields.Count; i++)
        {
            (string name, string fieldType) = fields[i];
            if (!value.TryGetProperty(name, out JsonElement fieldValue))
            {
                throw new FormatException($"Struct '{type}' is missing field '{name}'.");
            }

            EncodeValue(types, fieldType, fieldValue, result.AsSpan(32 * (i + 1), 32));
        }

        return result;
    }

    private static string EncodeType(Dictionary<string, List<(string Name, string Type)>> types, string primaryType)
    {
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(types, primaryType, referenced);
        referenced.Remove(primaryType);
        var sb = new StringBuilder();
        AppendType(sb, types, primaryType);
        foreach (string dependency in referenced)
        {
            AppendType(sb, types, dependency);
        }

        return sb.ToString();
    }

    private static void AppendType(StringBuilder sb, Dictionary<string, List<(string Name, string Type)>> types, string type)
    {
        sb.Append(type).Append('(');
        List<(string Name, string Type)> fields = types[type];
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(fields[i].Type).Append(' ').Append(fields[i].Name);
        }

        sb.Append(')');
    }

    private static void CollectDependencies(Dictionary<string, List<(string Name, string Type)>> types, string type, SortedSet<string> found)
    {
        string baseType = BaseType(type);
        if (!types.TryGetValue(baseType, out List<(string Name, string Type)>? fields) || !found.Add(baseType))
        {
            return;
        }

        foreach ((_, string fieldType) in fields)
        {
            CollectDependencies(types, fieldType, found);
        }
    }

    private static string BaseType(string type)
    {
        int bracket = type.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? type : type[..bracket];
    }

    private static void EncodeValue(Dictionary<string, List<(string Name, string Type)>> types, string type, JsonElement value, Span<byte> word)
    {
        if (type.EndsWith(']'))
        {
            int open = type.LastIndexOf('[');
            if (open < 0)
            {
                throw new FormatException($"Unsupported EIP-712 type '{type}'.");
            }

            string elementType = type[..open];
            string lengthText = type[(open + 1)..^1];
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"Value of array type '{type}' must be an array.");
            }

            int count = value.GetArrayLength();
            int length = 0;
            if (lengthText.Length > 0 && !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length))
            {
                throw new FormatException($"Array type '{type}' has no valid length.");
            }

            if (lengthText.Length > 0 && length != count)
            {
                throw new FormatException($"Array type '{type}' needs {lengthText} elements, got {count}.");
            }

            byte[] concatenated = new byte[32 * count];
            int i = 0;
            foreach (JsonElement element in value.EnumerateArray())
            {
                EncodeValue(types, elementType, element, concatenated.AsSpan(32 * i++, 32));
            }

            Keccak256.Hash(concatenated, word);
            return;
        }

        if (types.ContainsKey(type))
        {
            HashStruct(types, type, value).CopyTo(word);
            return;
        }

        word.Clear();
        switch (type)
        {
            case "string":
                Keccak256.Hash(Encoding.UTF8.GetBytes(Text(value, "A string value")), word);
                return;
            case "bytes":
                Keccak256.Hash(DecodeHex(value, type), word);
                return;
            case "bool":
                word[31] = value.ValueKind switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => throw new FormatException("bool value expected."),
                };
                return;
            case "address":
                if (value.ValueKind != JsonValueKind.String || !Address.TryParse(value.GetString(), out Address address))
                {
                    throw new FormatException("address value is not a valid address.");
                }

                address.CopyTo(word[12..]);
                return;
        }

        if (type.StartsWith("bytes", StringComparison.Ordinal) && int.TryParse(type.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size is >= 1 and <= 32)
        {
            byte[] bytes = DecodeHex(value, type);
            if (bytes.Length != size)
            {
                throw new FormatException($"{type} value must be {size} bytes, got {bytes.Length}.");
            }

            bytes.CopyTo(word);
            return;
        }

        bool signed = type.StartsWith("int", StringComparison.Ordinal);
        if ((signed || type.StartsWith("uint", StringComparison.Ordinal))
            && int.TryParse(type.AsSpan(signed ? 3 : 4), NumberStyles.None, CultureInfo.InvariantCulture, out int bits) && bits % 8 == 0 && bits is >= 8 and <= 256)
        {
            BigInteger n = ParseInteger(value, type);
            BigInteger min = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
            BigInteger max = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;
            if (n < min || n > max)
            {
                throw new FormatException($"Value {n} is out of range for {type}.");
            }

            BigInteger twos = n.Sign < 0 ? (BigInteger.One << 256) + n : n;
            byte[] be = twos.ToByteArray(isUnsigned: true, isBigEndian: true);
            be.CopyTo(word[(32 - be.Length)..]);
            return;
        }

        throw new FormatException($"Unsupported EIP-712 type '{type}'.");
    }

    private static byte[] DecodeHex(JsonElement value, string type)
    {
        string text = Text(value, $"A {type} value");
        int length = Hex.GetDecodedLength(text);
        byte[] bytes = new byte[Math.Max(length, 0)];
        if (length < 0 || !Hex.TryDecode(text, bytes, out _))
        {
            throw new FormatException($"{type} value is not valid hex.");
        }

        return bytes;
    }

    private static BigInteger ParseInteger(JsonElement value, string type)
    {
        string text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw new FormatException($"{type} value must be a number or a string."),
        };
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        BigInteger magnitude;
        if (Hex.HasPrefix(digits))
        {
            if (!BigInteger.TryParse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude))
            {
                throw new FormatException($"{type} value '{text}' is not a valid hex integer.");
            }
        }
        else if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || !BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude))
        {
            throw new FormatException($"{type} value '{text}' is not a valid integer.");
        }

        return negative ? -magnitude : magnitude;
    }

    /// <summary>A string member's text; <see cref="FormatException"/> for any other kind.</summary>
    private static string Text(JsonElement value, string what) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{what} must be a string.");

    /// <summary>
    /// Refuses text that cannot be read as strings (invalid UTF-8, an escaped lone surrogate such as <c>"\ud800"</c>):
    /// <see cref="JsonDocument"/> accepts it and <see cref="JsonElement.GetString"/> or a lookup meeting such a name would
    /// throw <see cref="InvalidOperationException"/> deep inside; checked once at each public entry instead.
    /// </summary>
    private static void RequireText(JsonElement element)
    {
        try
        {
            ReadAllText(element);
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException("Typed data holds text that is not valid UTF-8 or UTF-16: " + ex.Message, ex);
        }
    }

    private static void ReadAllText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    _ = property.Name;
                    ReadAllText(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    ReadAllText(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }

    private static JsonElement Required(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new FormatException($"Typed data is missing '{name}'.");
}
