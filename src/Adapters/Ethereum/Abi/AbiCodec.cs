using System.Buffers;
using System.Globalization;
using System.Text;

namespace LowLatency.Adapters.Ethereum.Abi;

/// <summary>
/// Contract ABI encoding and strict decoding (Solidity's abi.encode / abi.decode): head/tail layout,
/// 32-byte words, values range-checked against their types on encode; on decode, offsets and lengths are
/// bounds-checked, integers must be correctly sign/zero-extended, bool 0/1, address and bytesN clean,
/// strings valid UTF-8. Errors are values (<c>false</c> + a message). Thread-safe; allocates (cold path).
/// </summary>
public static class AbiCodec
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>abi.encode of one value of <paramref name="type"/>; throws <see cref="ArgumentException"/> on a type mismatch.</summary>
    public static byte[] Encode(AbiType type, AbiValue value)
    {
        if (!TryEncode(type, value, out var encoded, out var error))
        {
            throw new ArgumentException(error, nameof(value));
        }

        return encoded;
    }

    /// <summary>Encodes; false with a message when the value does not fit the type.</summary>
    public static bool TryEncode(AbiType type, AbiValue value, out byte[] encoded, out string? error)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        // abi.encode(x): a one-element tuple, so a dynamic value starts with its offset.
        var buffer = new ArrayBufferWriter<byte>(256);
        error = EncodeSequence([type], [value], buffer, "value");
        encoded = error is null ? buffer.WrittenSpan.ToArray() : [];
        return error is null;
    }

    /// <summary>Decodes a value of <paramref name="type"/> from exactly its encoding (trailing bytes are allowed, as Solidity).</summary>
    public static bool TryDecode(AbiType type, ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiValue? value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(type);

        // abi.encode of a single dynamic value starts with its offset, as a one-element tuple.
        var wrapped = AbiType.Tuple(type);
        value = null;
        var budget = ValueBudget(data.Length);
        error = DecodeValue(wrapped, data, 0, ref budget, out var tuple);
        if (error is null)
        {
            value = tuple!.Items[0];
        }

        return error is null;
    }

    /// <summary>Decodes a tuple body (function arguments/outputs, event data) without the one-element wrapping.</summary>
    public static bool TryDecodeSequence(AbiType tuple, ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiValue? value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(tuple);
        if (tuple.Kind != AbiKind.Tuple)
        {
            throw new ArgumentException("expected a tuple type", nameof(tuple));
        }

        var budget = ValueBudget(data.Length);
        error = DecodeValue(tuple, data, 0, ref budget, out value);
        return error is null;
    }

    // ---------------------------------------------------------------- encode

    private static string? EncodeValue(AbiType type, AbiValue value, ArrayBufferWriter<byte> output, string path)
    {
        switch (type.Kind)
        {
            case AbiKind.UInt:
                if (value.Kind != AbiKind.UInt && !(value.Kind == AbiKind.Int && (value.Word.U3 >> 63) == 0))
                {
                    return Mismatch(path, type, value);
                }

                if (type.Size < 256 && value.Word.BitLength > type.Size)
                {
                    return path + ": value does not fit in " + type.CanonicalName;
                }

                AbiWord.WriteUInt256(output.GetSpan(32), value.Word);
                output.Advance(32);
                return null;

            case AbiKind.Int:
                if (value.Kind is not (AbiKind.Int or AbiKind.UInt))
                {
                    return Mismatch(path, type, value);
                }

                var integer = value.Integer;
                var limit = System.Numerics.BigInteger.One << (type.Size - 1);
                if (integer < -limit || integer >= limit)
                {
                    return path + ": value does not fit in " + type.CanonicalName;
                }

                AbiWord.WriteInt(output.GetSpan(32), integer);
                output.Advance(32);
                return null;

            case AbiKind.Address:
                if (value.Kind != AbiKind.Address)
                {
                    return Mismatch(path, type, value);
                }

                AbiWord.WriteAddress(output.GetSpan(32), value.AddressValue);
                output.Advance(32);
                return null;

            case AbiKind.Bool:
                if (value.Kind != AbiKind.Bool)
                {
                    return Mismatch(path, type, value);
                }

                AbiWord.WriteUInt256(output.GetSpan(32), value.BoolValue ? UInt256.One : default);
                output.Advance(32);
                return null;

            case AbiKind.FixedBytes:
                if (value.Kind is not (AbiKind.FixedBytes or AbiKind.Bytes) || value.BytesValue.Length != type.Size)
                {
                    return path + ": expected exactly " + type.Size.ToString(CultureInfo.InvariantCulture) + " bytes for " + type.CanonicalName;
                }

                WritePadded(output, value.BytesValue);
                return null;

            case AbiKind.Bytes:
                if (value.Kind is not (AbiKind.Bytes or AbiKind.FixedBytes))
                {
                    return Mismatch(path, type, value);
                }

                WriteLength(output, value.BytesValue.Length);
                WritePadded(output, value.BytesValue);
                return null;

            case AbiKind.String:
                if (value.Kind != AbiKind.String)
                {
                    return Mismatch(path, type, value);
                }

                var utf8 = Encoding.UTF8.GetBytes(value.StringValue);
                WriteLength(output, utf8.Length);
                WritePadded(output, utf8);
                return null;

            case AbiKind.FixedArray:
                if (value.Kind != AbiKind.Array || value.Items.Count != type.Size)
                {
                    return path + ": expected an array of " + type.Size.ToString(CultureInfo.InvariantCulture) + " for " + type.CanonicalName;
                }

                return EncodeSequence(Repeat(type.Element!, value.Items.Count), value.Items, output, path);

            case AbiKind.Array:
                if (value.Kind != AbiKind.Array)
                {
                    return Mismatch(path, type, value);
                }

                WriteLength(output, value.Items.Count);
                return EncodeSequence(Repeat(type.Element!, value.Items.Count), value.Items, output, path);

            default:
                if (value.Kind != AbiKind.Tuple || value.Items.Count != type.Components.Count)
                {
                    return path + ": expected a tuple of " + type.Components.Count.ToString(CultureInfo.InvariantCulture) + " for " + type.CanonicalName;
                }

                return EncodeSequence(type.Components, value.Items, output, path);
        }
    }

    /// <summary>Encodes values as a tuple body (function arguments use this after the selector).</summary>
    internal static string? EncodeSequence(IReadOnlyList<AbiType> types, IReadOnlyList<AbiValue> values, ArrayBufferWriter<byte> output, string path)
    {
        var headSize = 0;
        foreach (var t in types)
        {
            headSize += t.HeadSize;
        }

        var head = new ArrayBufferWriter<byte>(Math.Max(headSize, 1));
        var tail = new ArrayBufferWriter<byte>(64);
        for (var i = 0; i < types.Count; i++)
        {
            var itemPath = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (types[i].IsDynamic)
            {
                AbiWord.WriteUInt256(head.GetSpan(32), (ulong)(headSize + tail.WrittenCount));
                head.Advance(32);
                var error = EncodeValue(types[i], values[i], tail, itemPath);
                if (error != null)
                {
                    return error;
                }
            }
            else
            {
                var error = EncodeValue(types[i], values[i], head, itemPath);
                if (error != null)
                {
                    return error;
                }
            }
        }

        output.Write(head.WrittenSpan);
        output.Write(tail.WrittenSpan);
        return null;
    }

    private static void WriteLength(ArrayBufferWriter<byte> output, int length)
    {
        AbiWord.WriteUInt256(output.GetSpan(32), (ulong)length);
        output.Advance(32);
    }

    private static void WritePadded(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        var padded = (data.Length + 31) / 32 * 32;
        var span = output.GetSpan(padded)[..padded];
        data.CopyTo(span);
        span[data.Length..].Clear();
        output.Advance(padded);
    }

    private static AbiType[] Repeat(AbiType type, int count)
    {
        var types = new AbiType[count];
        System.Array.Fill(types, type);
        return types;
    }

    private static string Mismatch(string path, AbiType type, AbiValue value) =>
        path + ": a " + value.Kind + " value cannot be encoded as " + type.CanonicalName;

    // ---------------------------------------------------------------- decode

    // Offsets may point anywhere, so the same tail can be decoded many times: nested arrays whose element offsets
    // all point at one inner array decode count^depth values from a few kilobytes (a decoding bomb in a hostile
    // eth_call answer). An honest encoding holds a word per value, times at most the nesting of word-less tuples.
    private static long ValueBudget(int dataLength) => (long)AbiType.MaxDepth * ((dataLength / 32) + 2);

    // Decodes the value of `type` whose encoding starts at data[at..]; for a dynamic child the caller
    // passes the frame (data) and the absolute start.
    private static string? DecodeValue(AbiType type, ReadOnlySpan<byte> data, int at, ref long budget, out AbiValue? value)
    {
        value = null;
        if (--budget < 0)
        {
            return "data decodes to more values than it has words (offsets reused)";
        }

        if (at < 0 || at > data.Length)
        {
            return "offset out of range";
        }

        var span = data[at..];
        switch (type.Kind)
        {
            case AbiKind.UInt:
            {
                if (!TryWord(span, out var word))
                {
                    return "data too short for " + type.CanonicalName;
                }

                if (word.BitLength > type.Size)
                {
                    return "dirty high bits in " + type.CanonicalName;
                }

                value = AbiValue.UInt(word);
                return null;
            }

            case AbiKind.Int:
            {
                if (!TryWord(span, out var word))
                {
                    return "data too short for " + type.CanonicalName;
                }

                if (type.Size < 256)
                {
                    // The top 256 - N + 1 bits must all equal the sign bit.
                    var shifted = word >> (type.Size - 1);
                    var allOnes = UInt256.MaxValue >> (type.Size - 1);
                    if (!shifted.IsZero && shifted != allOnes)
                    {
                        return "bad sign extension in " + type.CanonicalName;
                    }
                }

                value = AbiValue.IntFromWord(word);
                return null;
            }

            case AbiKind.Address:
                if (span.Length < 32)
                {
                    return "data too short for address";
                }

                if (span[..12].ContainsAnyExcept((byte)0))
                {
                    return "dirty high bytes in address";
                }

                value = AbiValue.FromAddress(new Address(span.Slice(12, 20)));
                return null;

            case AbiKind.Bool:
            {
                if (!TryWord(span, out var word))
                {
                    return "data too short for bool";
                }

                if (word.BitLength > 1)
                {
                    return "bool is not 0 or 1";
                }

                value = AbiValue.FromBool(!word.IsZero);
                return null;
            }

            case AbiKind.FixedBytes:
                if (span.Length < 32)
                {
                    return "data too short for " + type.CanonicalName;
                }

                if (span[type.Size..32].ContainsAnyExcept((byte)0))
                {
                    return "dirty padding in " + type.CanonicalName;
                }

                value = AbiValue.FixedBytes(span[..type.Size]);
                return null;

            case AbiKind.Bytes or AbiKind.String:
            {
                if (!TryLength(span, span.Length - 32, out var length, out var error))
                {
                    return error + " (" + type.CanonicalName + ")";
                }

                var payload = span.Slice(32, length);
                if (type.Kind == AbiKind.Bytes)
                {
                    value = AbiValue.FromBytes(payload);
                    return null;
                }

                try
                {
                    value = AbiValue.FromString(s_strictUtf8.GetString(payload));
                    return null;
                }
                catch (DecoderFallbackException)
                {
                    return "string is not valid UTF-8";
                }
            }

            case AbiKind.FixedArray:
                return DecodeSequence(Repeat(type.Element!, type.Size), data, at, isArray: true, ref budget, out value);

            case AbiKind.Array:
            {
                // Each element needs at least its head in the remaining data: bounds the allocation.
                var maxCount = type.Element!.HeadSize == 0 ? 0 : (span.Length - 32) / type.Element.HeadSize;
                if (!TryLength(span, Math.Max(maxCount, 0), out var count, out var error))
                {
                    return error + " (" + type.CanonicalName + ")";
                }

                return DecodeSequence(Repeat(type.Element, count), data, at + 32, isArray: true, ref budget, out value);
            }

            default:
                return DecodeSequence(type.Components, data, at, isArray: false, ref budget, out value);
        }
    }

    // Decodes a head/tail sequence that starts at data[start..]; dynamic offsets are relative to start.
    private static string? DecodeSequence(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start, bool isArray, ref long budget, out AbiValue? value)
    {
        value = null;
        var frame = data[start..];
        var items = new AbiValue[types.Count];
        var pos = 0;
        for (var i = 0; i < types.Count; i++)
        {
            var t = types[i];
            string? error;
            AbiValue? item;
            if (t.IsDynamic)
            {
                if (!TryWord(frame[Math.Min(pos, frame.Length)..], out var offsetWord))
                {
                    return "data too short for an offset";
                }

                if (!offsetWord.FitsInUInt64 || (ulong)offsetWord + 32 > (ulong)frame.Length)
                {
                    return "offset points outside the data";
                }

                error = DecodeValue(t, frame, (int)(ulong)offsetWord, ref budget, out item);
            }
            else
            {
                if (pos > frame.Length)
                {
                    return "data too short";
                }

                error = DecodeValue(t, frame, pos, ref budget, out item);
            }

            if (error != null)
            {
                return error;
            }

            items[i] = item!;
            pos += t.HeadSize;
        }

        value = isArray ? AbiValue.Array(items) : AbiValue.Tuple(items);
        return null;
    }

    private static bool TryWord(ReadOnlySpan<byte> span, out UInt256 word)
    {
        if (span.Length < 32)
        {
            word = default;
            return false;
        }

        word = UInt256.FromBigEndian(span[..32]);
        return true;
    }

    private static bool TryLength(ReadOnlySpan<byte> span, int max, out int length, out string? error)
    {
        length = 0;
        if (!TryWord(span, out var word))
        {
            error = "data too short for a length";
            return false;
        }

        if (!word.FitsInUInt64 || (ulong)word > (ulong)Math.Max(max, 0))
        {
            error = "length points outside the data";
            return false;
        }

        length = (int)(ulong)word;
        error = null;
        return true;
    }
}

/// <summary>
/// Allocation-free 32-byte word writers for hot-path calldata (selector + static arguments). Any thread.
/// </summary>
public static class AbiWord
{
    public const int Size = 32;

    public static void WriteUInt256(Span<byte> dest32, UInt256 value) => value.ToBigEndian(dest32[..32]);

    public static void WriteAddress(Span<byte> dest32, Address address)
    {
        dest32[..12].Clear();
        address.CopyTo(dest32.Slice(12, 20));
    }

    public static void WriteBool(Span<byte> dest32, bool value) => WriteUInt256(dest32, value ? UInt256.One : default);

    /// <summary>Writes a signed integer as a two's complement word (allocates a BigInteger; cold path).</summary>
    public static void WriteInt(Span<byte> dest32, System.Numerics.BigInteger value)
    {
        var word = value.Sign < 0 ? (System.Numerics.BigInteger.One << 256) + value : value;
        UInt256.FromBigInteger(word).ToBigEndian(dest32[..32]);
    }
}
