using System.Numerics;
using System.Text;

namespace LowLatency.Adapters.Ethereum.Abi;

/// <summary>
/// A decoded or to-be-encoded ABI value. Integers keep their 256-bit word (two's complement for intN).
/// Immutable; thread-safe; allocates (the generic codec is a cold-path tool — hot paths write words directly
/// with <see cref="AbiWord"/>).
/// </summary>
public sealed class AbiValue : IEquatable<AbiValue>
{
    private AbiValue(AbiKind kind, UInt256 word = default, Address address = default, bool flag = false, byte[]? bytes = null, string? text = null, AbiValue[]? items = null)
    {
        Kind = kind;
        Word = word;
        AddressValue = address;
        BoolValue = flag;
        BytesValue = bytes ?? [];
        StringValue = text ?? string.Empty;
        Items = items ?? [];
    }

    /// <summary>UInt, Int, Address, Bool, FixedBytes (any length), Bytes, String, Array (also fixed), Tuple.</summary>
    public AbiKind Kind { get; }

    /// <summary>The integer as a 256-bit word (two's complement for Int).</summary>
    public UInt256 Word { get; }

    public Address AddressValue { get; }

    public bool BoolValue { get; }

    /// <summary>Bytes of bytesN / bytes.</summary>
    public byte[] BytesValue { get; }

    public string StringValue { get; }

    /// <summary>Elements of arrays and tuples.</summary>
    public IReadOnlyList<AbiValue> Items { get; }

    /// <summary>The integer as a BigInteger (signed for Int).</summary>
    public BigInteger Integer => Kind == AbiKind.Int && (Word.U3 >> 63) != 0
        ? Word.ToBigInteger() - (BigInteger.One << 256)
        : Word.ToBigInteger();

    public static AbiValue UInt(UInt256 value) => new(AbiKind.UInt, word: value);

    /// <summary>A signed integer from its two's complement word.</summary>
    public static AbiValue IntFromWord(UInt256 word) => new(AbiKind.Int, word: word);

    /// <summary>A signed integer; throws when it does not fit in int256.</summary>
    public static AbiValue Int(BigInteger value)
    {
        if (value < -(BigInteger.One << 255) || value >= (BigInteger.One << 255))
        {
            throw new OverflowException("value does not fit in int256");
        }

        return new(AbiKind.Int, word: UInt256.FromBigInteger(value.Sign < 0 ? (BigInteger.One << 256) + value : value));
    }

    /// <summary>An unsigned integer from a BigInteger; throws when negative or over 256 bits.</summary>
    public static AbiValue UInt(BigInteger value) => new(AbiKind.UInt, word: UInt256.FromBigInteger(value));

    public static AbiValue FromAddress(Address address) => new(AbiKind.Address, address: address);

    public static AbiValue FromBool(bool value) => new(AbiKind.Bool, flag: value);

    /// <summary>bytesN (the length is checked against the type when encoding).</summary>
    public static AbiValue FixedBytes(ReadOnlySpan<byte> value) => new(AbiKind.FixedBytes, bytes: value.ToArray());

    public static AbiValue FromBytes(ReadOnlySpan<byte> value) => new(AbiKind.Bytes, bytes: value.ToArray());

    public static AbiValue FromString(string value) => new(AbiKind.String, text: value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>An array value (for T[] and T[k]).</summary>
    public static AbiValue Array(params AbiValue[] items) => new(AbiKind.Array, items: items ?? throw new ArgumentNullException(nameof(items)));

    public static AbiValue Tuple(params AbiValue[] items) => new(AbiKind.Tuple, items: items ?? throw new ArgumentNullException(nameof(items)));

    public bool Equals(AbiValue? other)
    {
        if (other is null || other.Kind != Kind)
        {
            return false;
        }

        return Kind switch
        {
            AbiKind.UInt or AbiKind.Int => Word == other.Word,
            AbiKind.Address => AddressValue == other.AddressValue,
            AbiKind.Bool => BoolValue == other.BoolValue,
            AbiKind.FixedBytes or AbiKind.Bytes => BytesValue.AsSpan().SequenceEqual(other.BytesValue),
            AbiKind.String => string.Equals(StringValue, other.StringValue, StringComparison.Ordinal),
            _ => Items.Count == other.Items.Count && Items.Zip(other.Items).All(p => p.First.Equals(p.Second)),
        };
    }

    public override bool Equals(object? obj) => obj is AbiValue v && Equals(v);

    public override int GetHashCode() => HashCode.Combine(Kind, Word, AddressValue, BoolValue, BytesValue.Length, StringValue, Items.Count);

    /// <summary>A readable form: decimal integers, checksummed addresses, 0x-hex bytes, JSON-like containers.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    private void Append(StringBuilder sb)
    {
        switch (Kind)
        {
            case AbiKind.UInt or AbiKind.Int:
                sb.Append(Integer.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case AbiKind.Address:
                sb.Append(AddressValue.ToChecksumString());
                break;
            case AbiKind.Bool:
                sb.Append(BoolValue ? "true" : "false");
                break;
            case AbiKind.FixedBytes or AbiKind.Bytes:
                sb.Append(Hex.Encode(BytesValue));
                break;
            case AbiKind.String:
                sb.Append('"').Append(StringValue).Append('"');
                break;
            default:
                sb.Append(Kind == AbiKind.Tuple ? '(' : '[');
                for (var i = 0; i < Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Items[i].Append(sb);
                }

                sb.Append(Kind == AbiKind.Tuple ? ')' : ']');
                break;
        }
    }
}
