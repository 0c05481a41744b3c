namespace LowLatency.Adapters.Ethereum.Rlp;

/// <summary>
/// Strict, allocation-free RLP reader over a span: every header is checked for canonical form (no wrapped single
/// bytes, no long form under 56 bytes, no leading zeros in lengths, no length past the input). Read methods return
/// false and set <see cref="Error"/> instead of throwing; after a failure the reader's position is unchanged.
/// Single-threaded (a ref struct on the caller's stack).
/// </summary>
public ref struct RlpReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public RlpReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        Error = RlpError.None;
    }

    /// <summary>The reason the last failed read failed.</summary>
    public RlpError Error { get; private set; }

    /// <summary>True when every item has been read.</summary>
    public readonly bool IsEnd => _position >= _data.Length;

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>True if the next item is a list (false at the end).</summary>
    public readonly bool NextIsList => _position < _data.Length && _data[_position] >= 0xc0;

    /// <summary>Reads and validates the next header without consuming it.</summary>
    public readonly RlpError PeekHeader(out bool isList, out int headerLength, out int payloadLength) =>
        ReadHeader(_data[_position..], out isList, out headerLength, out payloadLength);

    /// <summary>Validates one item header at the start of <paramref name="data"/> (payload bounds included).</summary>
    public static RlpError ReadHeader(ReadOnlySpan<byte> data, out bool isList, out int headerLength, out int payloadLength)
    {
        isList = false;
        headerLength = 0;
        payloadLength = 0;
        if (data.IsEmpty)
        {
            return RlpError.UnexpectedEnd;
        }

        byte prefix = data[0];
        if (prefix < 0x80)
        {
            payloadLength = 1;
            return RlpError.None;
        }

        isList = prefix >= 0xc0;
        int shortBase = isList ? 0xc0 : 0x80;
        int shortMax = shortBase + 55;
        if (prefix <= shortMax)
        {
            headerLength = 1;
            payloadLength = prefix - shortBase;
            if (data.Length < 1 + payloadLength)
            {
                return RlpError.UnexpectedEnd;
            }

            if (!isList && payloadLength == 1 && data[1] < 0x80)
            {
                return RlpError.NonCanonicalSingleByte;
            }

            return RlpError.None;
        }

        int lengthOfLength = prefix - shortMax;
        if (data.Length < 1 + lengthOfLength)
        {
            return RlpError.UnexpectedEnd;
        }

        ReadOnlySpan<byte> lengthBytes = data.Slice(1, lengthOfLength);
        if (lengthBytes[0] == 0)
        {
            return RlpError.LeadingZeroInLength;
        }

        if (lengthOfLength > 4)
        {
            return RlpError.LengthOverflow;
        }

        uint length = 0;
        foreach (byte b in lengthBytes)
        {
            length = (length << 8) | b;
        }

        if (length < 56)
        {
            return RlpError.NonCanonicalLongLength;
        }

        if (length > int.MaxValue - 8)
        {
            return RlpError.LengthOverflow;
        }

        headerLength = 1 + lengthOfLength;
        payloadLength = (int)length;
        if ((long)data.Length < (long)headerLength + payloadLength)
        {
            return RlpError.UnexpectedEnd;
        }

        return RlpError.None;
    }

    /// <summary>Reads a string item's payload.</summary>
    public bool TryReadBytes(out ReadOnlySpan<byte> value)
    {
        value = default;
        RlpError error = ReadHeader(_data[_position..], out bool isList, out int header, out int payload);
        if (error == RlpError.None && isList)
        {
            error = RlpError.ExpectedString;
        }

        if (error != RlpError.None)
        {
            return Fail(error);
        }

        value = _data.Slice(_position + header, payload);
        _position += header + payload;
        return true;
    }

    /// <summary>Reads a list and returns a reader over its payload (the caller checks the inner reader reaches its end).</summary>
    public bool TryReadList(out RlpReader list)
    {
        list = default;
        RlpError error = ReadHeader(_data[_position..], out bool isList, out int header, out int payload);
        if (error == RlpError.None && !isList)
        {
            error = RlpError.ExpectedList;
        }

        if (error != RlpError.None)
        {
            return Fail(error);
        }

        list = new RlpReader(_data.Slice(_position + header, payload));
        _position += header + payload;
        return true;
    }

    /// <summary>Reads the next item (string or list) as its full encoding, header included.</summary>
    public bool TryReadEncodedItem(out ReadOnlySpan<byte> encoded)
    {
        encoded = default;
        RlpError error = ReadHeader(_data[_position..], out _, out int header, out int payload);
        if (error != RlpError.None)
        {
            return Fail(error);
        }

        encoded = _data.Slice(_position, header + payload);
        _position += header + payload;
        return true;
    }

    /// <summary>Reads a canonical unsigned integer (no leading zeros; zero is the empty string) of at most 8 bytes.</summary>
    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryReadIntegerBytes(8, out ReadOnlySpan<byte> bytes))
        {
            return false;
        }

        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return true;
    }

    /// <summary>Reads a canonical unsigned integer of at most 32 bytes.</summary>
    public bool TryReadUInt256(out UInt256 value)
    {
        value = default;
        if (!TryReadIntegerBytes(32, out ReadOnlySpan<byte> bytes))
        {
            return false;
        }

        value = UInt256.FromBigEndian(bytes);
        return true;
    }

    /// <summary>Reads a canonical integer's big-endian bytes (no leading zero), at most <paramref name="maxBytes"/> long.</summary>
    public bool TryReadIntegerBytes(int maxBytes, out ReadOnlySpan<byte> bytes)
    {
        int start = _position;
        if (!TryReadBytes(out bytes))
        {
            return false;
        }

        if (bytes.Length > 0 && bytes[0] == 0)
        {
            _position = start;
            return Fail(RlpError.LeadingZeroInInteger);
        }

        if (bytes.Length > maxBytes)
        {
            _position = start;
            return Fail(RlpError.IntegerTooLarge);
        }

        return true;
    }

    /// <summary>Reads a string of exactly 20 bytes as an address.</summary>
    public bool TryReadAddress(out Address address)
    {
        address = default;
        int start = _position;
        if (!TryReadBytes(out ReadOnlySpan<byte> bytes))
        {
            return false;
        }

        if (bytes.Length != Address.Size)
        {
            _position = start;
            return Fail(RlpError.WrongLength);
        }

        address = new Address(bytes);
        return true;
    }

    /// <summary>Reads a fixed-length string (e.g. a 32-byte storage key).</summary>
    public bool TryReadFixed(int length, out ReadOnlySpan<byte> bytes)
    {
        int start = _position;
        if (!TryReadBytes(out bytes))
        {
            return false;
        }

        if (bytes.Length != length)
        {
            _position = start;
            return Fail(RlpError.WrongLength);
        }

        return true;
    }

    /// <summary>Succeeds only if nothing is left; otherwise sets <see cref="RlpError.TrailingBytes"/>.</summary>
    public bool TryReadEnd() => IsEnd || Fail(RlpError.TrailingBytes);

    private bool Fail(RlpError error)
    {
        Error = error;
        return false;
    }
}
