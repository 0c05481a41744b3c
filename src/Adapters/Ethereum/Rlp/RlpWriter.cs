using System.Buffers;
using System.Buffers.Binary;

namespace LowLatency.Adapters.Ethereum.Rlp;

/// <summary>
/// Allocation-free RLP writer into a caller-provided span. Size the span first with the <see cref="RlpCodec"/>
/// length helpers (two passes: measure, then write); writing past the end throws (a sizing bug, not bad input).
/// Single-threaded (a ref struct).
/// </summary>
public ref struct RlpWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public RlpWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>Writes a string item.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < 0x80)
        {
            _buffer[_position++] = value[0];
            return;
        }

        WriteHeader(0x80, value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>Writes an unsigned integer in canonical form (minimal big-endian; zero is the empty string 0x80).</summary>
    public void WriteUInt64(ulong value)
    {
        if (value == 0)
        {
            _buffer[_position++] = 0x80;
            return;
        }

        if (value < 0x80)
        {
            _buffer[_position++] = (byte)value;
            return;
        }

        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        int skip = System.Numerics.BitOperations.LeadingZeroCount(value) / 8;
        WriteBytes(bytes[skip..]);
    }

    /// <summary>Writes a 256-bit unsigned integer in canonical form.</summary>
    public void WriteUInt256(UInt256 value)
    {
        if (value.FitsInUInt64)
        {
            WriteUInt64(value.U0);
            return;
        }

        Span<byte> bytes = stackalloc byte[32];
        int n = value.WriteBigEndianMinimal(bytes);
        WriteBytes(bytes[..n]);
    }

    /// <summary>Writes a 20-byte address string.</summary>
    public void WriteAddress(Address address)
    {
        _buffer[_position++] = 0x80 + Address.Size;
        address.CopyTo(_buffer.Slice(_position, Address.Size));
        _position += Address.Size;
    }

    /// <summary>Writes a list header; the caller then writes exactly <paramref name="payloadLength"/> bytes of items.</summary>
    public void WriteListHeader(int payloadLength) => WriteHeader(0xc0, payloadLength);

    /// <summary>Copies already-encoded RLP.</summary>
    public void WriteEncoded(scoped ReadOnlySpan<byte> encoded)
    {
        encoded.CopyTo(_buffer[_position..]);
        _position += encoded.Length;
    }

    /// <summary>Writes one raw byte (e.g. an EIP-2718 type prefix).</summary>
    public void WriteRawByte(byte value) => _buffer[_position++] = value;

    private void WriteHeader(int shortBase, int length)
    {
        if (length < 56)
        {
            _buffer[_position++] = (byte)(shortBase + length);
            return;
        }

        int lengthOfLength = RlpCodec.ByteCount((uint)length);
        _buffer[_position++] = (byte)(shortBase + 55 + lengthOfLength);
        for (int i = lengthOfLength - 1; i >= 0; i--)
        {
            _buffer[_position++] = (byte)(length >> (8 * i));
        }
    }
}

/// <summary>RLP length helpers and generic encode/decode. Thread-safe; span helpers allocate nothing.</summary>
public static class RlpCodec
{
    /// <summary>Max list nesting the generic decoder accepts.</summary>
    public const int MaxDepth = 1024;

    /// <summary>Encoded length of a string item with this payload.</summary>
    public static int LengthOfBytes(ReadOnlySpan<byte> value) =>
        value.Length == 1 && value[0] < 0x80 ? 1 : HeaderLength(value.Length) + value.Length;

    /// <summary>Encoded length of a string item of <paramref name="length"/> bytes whose first byte is ≥ 0x80 or length ≠ 1.</summary>
    public static int LengthOfBytes(int length) => HeaderLength(length) + length;

    /// <summary>Encoded length of an unsigned integer.</summary>
    public static int LengthOfUInt64(ulong value) => value < 0x80 ? 1 : 1 + ByteCount(value);

    /// <summary>Encoded length of a 256-bit unsigned integer.</summary>
    public static int LengthOfUInt256(UInt256 value) => value.FitsInUInt64 ? LengthOfUInt64(value.U0) : 1 + value.ByteLength;

    /// <summary>Encoded length of an address (always 21).</summary>
    public const int LengthOfAddress = 21;

    /// <summary>Header length for a string or list payload of this size.</summary>
    public static int HeaderLength(int payloadLength) => payloadLength < 56 ? 1 : 1 + ByteCount((uint)payloadLength);

    /// <summary>Encoded length of a list with this payload length.</summary>
    public static int LengthOfList(int payloadLength) => HeaderLength(payloadLength) + payloadLength;

    internal static int ByteCount(ulong value) => value == 0 ? 0 : 8 - (System.Numerics.BitOperations.LeadingZeroCount(value) / 8);

    /// <summary>Encodes an <see cref="RlpItem"/> tree. Allocates the result (off the hot path).</summary>
    public static byte[] Encode(RlpItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var result = new byte[item.EncodedLength];
        var writer = new RlpWriter(result);
        item.WriteTo(ref writer);
        return result;
    }

    /// <summary>Encodes an <see cref="RlpItem"/> tree into a buffer writer.</summary>
    public static void Encode(IBufferWriter<byte> output, RlpItem item)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(item);
        int length = item.EncodedLength;
        var writer = new RlpWriter(output.GetSpan(length)[..length]);
        item.WriteTo(ref writer);
        output.Advance(length);
    }

    /// <summary>Strictly decodes exactly one item spanning all of <paramref name="encoded"/> into a tree. Allocates the tree.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out RlpItem? item, out RlpError error)
    {
        var reader = new RlpReader(encoded);
        item = null;
        if (!TryDecodeItem(ref reader, 0, out item, out error))
        {
            return false;
        }

        if (!reader.TryReadEnd())
        {
            item = null;
            error = reader.Error;
            return false;
        }

        return true;
    }

    private static bool TryDecodeItem(ref RlpReader reader, int depth, out RlpItem? item, out RlpError error)
    {
        item = null;
        if (depth > MaxDepth)
        {
            error = RlpError.TooDeep;
            return false;
        }

        if (reader.NextIsList)
        {
            if (!reader.TryReadList(out RlpReader inner))
            {
                error = reader.Error;
                return false;
            }

            var children = new List<RlpItem>();
            while (!inner.IsEnd)
            {
                if (!TryDecodeItem(ref inner, depth + 1, out RlpItem? child, out error))
                {
                    return false;
                }

                children.Add(child!);
            }

            item = RlpItem.List(children);
            error = RlpError.None;
            return true;
        }

        if (!reader.TryReadBytes(out ReadOnlySpan<byte> bytes))
        {
            error = reader.Error;
            return false;
        }

        item = RlpItem.String(bytes.ToArray());
        error = RlpError.None;
        return true;
    }
}
