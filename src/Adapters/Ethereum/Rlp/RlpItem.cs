using System.Numerics;

namespace LowLatency.Adapters.Ethereum.Rlp;

/// <summary>
/// A decoded RLP tree node: a byte string or a list. For tools, tests and the CLI; the hot path uses
/// <see cref="RlpReader"/>/<see cref="RlpWriter"/> directly. Immutable once built.
/// </summary>
public sealed class RlpItem : IEquatable<RlpItem>
{
    private readonly byte[]? _bytes;
    private readonly RlpItem[]? _items;
    private int _encodedLength = -1;

    private RlpItem(byte[]? bytes, RlpItem[]? items)
    {
        _bytes = bytes;
        _items = items;
    }

    public bool IsList => _items is not null;

    /// <summary>The string payload (empty for a list).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes ?? [];

    /// <summary>The list items (empty for a string).</summary>
    public IReadOnlyList<RlpItem> Items => _items ?? [];

    public static RlpItem String(byte[] bytes) => new(bytes ?? throw new ArgumentNullException(nameof(bytes)), null);

    public static RlpItem List(IEnumerable<RlpItem> items) => new(null, (items ?? throw new ArgumentNullException(nameof(items))).ToArray());

    /// <summary>A canonical integer string (minimal big-endian; empty for zero).</summary>
    public static RlpItem Integer(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are unsigned.");
        }

        return String(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>Interprets the string as a canonical unsigned integer; false for lists or leading zeros.</summary>
    public bool TryGetInteger(out BigInteger value)
    {
        value = default;
        if (_bytes is null || (_bytes.Length > 0 && _bytes[0] == 0))
        {
            return false;
        }

        value = new BigInteger(_bytes, isUnsigned: true, isBigEndian: true);
        return true;
    }

    internal int EncodedLength
    {
        get
        {
            if (_encodedLength < 0)
            {
                if (_items is null)
                {
                    _encodedLength = RlpCodec.LengthOfBytes(_bytes);
                }
                else
                {
                    int payload = 0;
                    foreach (RlpItem child in _items)
                    {
                        payload += child.EncodedLength;
                    }

                    _encodedLength = RlpCodec.LengthOfList(payload);
                }
            }

            return _encodedLength;
        }
    }

    internal void WriteTo(ref RlpWriter writer)
    {
        if (_items is null)
        {
            writer.WriteBytes(_bytes);
            return;
        }

        int payload = 0;
        foreach (RlpItem child in _items)
        {
            payload += child.EncodedLength;
        }

        writer.WriteListHeader(payload);
        foreach (RlpItem child in _items)
        {
            child.WriteTo(ref writer);
        }
    }

    public bool Equals(RlpItem? other)
    {
        if (other is null || IsList != other.IsList)
        {
            return false;
        }

        if (_items is null)
        {
            return _bytes.AsSpan().SequenceEqual(other._bytes);
        }

        if (_items.Length != other._items!.Length)
        {
            return false;
        }

        for (int i = 0; i < _items.Length; i++)
        {
            if (!_items[i].Equals(other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is RlpItem other && Equals(other);

    public override int GetHashCode() => IsList ? _items!.Length : HashCode.Combine(_bytes!.Length, _bytes.Length > 0 ? _bytes[0] : 0);

    /// <summary>JSON-like text: strings as 0x-hex, lists in brackets.</summary>
    public override string ToString() => _items is null ? Hex.Encode(_bytes) : "[" + string.Join(",", _items.Select(i => i.ToString())) + "]";
}
