using System.Runtime.CompilerServices;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// Hex encoding/decoding for Ethereum data. Decoding accepts an optional "0x"/"0X" prefix and either case;
/// encoding is lowercase. All members are thread-safe; the span overloads allocate nothing.
/// </summary>
public static class Hex
{
    private const string Digits = "0123456789abcdef";

    /// <summary>True if <paramref name="hex"/> starts with "0x" or "0X".</summary>
    public static bool HasPrefix(ReadOnlySpan<char> hex) => hex.Length >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X');

    /// <summary>Returns <paramref name="hex"/> without its "0x" prefix, if any.</summary>
    public static ReadOnlySpan<char> TrimPrefix(ReadOnlySpan<char> hex) => HasPrefix(hex) ? hex[2..] : hex;

    /// <summary>Number of bytes <paramref name="hex"/> decodes to, or -1 if its digit count is odd.</summary>
    public static int GetDecodedLength(ReadOnlySpan<char> hex)
    {
        int digits = TrimPrefix(hex).Length;
        return (digits & 1) != 0 ? -1 : digits / 2;
    }

    /// <summary>
    /// Decodes hex (optional 0x, either case, even digit count) into <paramref name="dest"/>. Returns false on an
    /// odd digit count, a non-hex character, or a destination that is too small. Allocation-free.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> hex, Span<byte> dest, out int written)
    {
        written = 0;
        hex = TrimPrefix(hex);
        if ((hex.Length & 1) != 0 || dest.Length < hex.Length / 2)
        {
            return false;
        }

        int n = hex.Length / 2;
        for (int i = 0; i < n; i++)
        {
            int hi = Nibble(hex[2 * i]);
            int lo = Nibble(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            dest[i] = (byte)((hi << 4) | lo);
        }

        written = n;
        return true;
    }

    /// <summary>Decodes hex (optional 0x). Throws <see cref="FormatException"/> naming the problem. Allocates.</summary>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        ReadOnlySpan<char> digits = TrimPrefix(hex);
        if ((digits.Length & 1) != 0)
        {
            throw new FormatException($"Hex string has an odd number of digits ({digits.Length}).");
        }

        var result = new byte[digits.Length / 2];
        for (int i = 0; i < digits.Length; i++)
        {
            if (Nibble(digits[i]) < 0)
            {
                throw new FormatException($"Hex string has a non-hex character at digit {i}.");
            }
        }

        TryDecode(digits, result, out _);
        return result;
    }

    /// <summary>Encodes bytes as lowercase hex, with a "0x" prefix unless <paramref name="prefix"/> is false. Allocates the string.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
    {
        int len = (bytes.Length * 2) + (prefix ? 2 : 0);
        char[]? rented = null;
        Span<char> buffer = len <= 512 ? stackalloc char[len] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(len)).AsSpan(0, len);
        int offset = 0;
        if (prefix)
        {
            buffer[0] = '0';
            buffer[1] = 'x';
            offset = 2;
        }

        EncodeTo(bytes, buffer[offset..]);
        string result = new(buffer);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }

        return result;
    }

    /// <summary>Writes lowercase hex (no prefix) into <paramref name="dest"/>; returns the number of chars written. Allocation-free.</summary>
    public static int EncodeTo(ReadOnlySpan<byte> bytes, Span<char> dest)
    {
        if (dest.Length < bytes.Length * 2)
        {
            throw new ArgumentException("Destination is too small for the hex digits.", nameof(dest));
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            dest[2 * i] = Digits[b >> 4];
            dest[(2 * i) + 1] = Digits[b & 0xF];
        }

        return bytes.Length * 2;
    }

    /// <summary>Value of one hex digit, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Nibble(char c)
    {
        if ((uint)(c - '0') <= 9)
        {
            return c - '0';
        }

        int lower = c | 0x20;
        if ((uint)(lower - 'a') <= 5)
        {
            return lower - 'a' + 10;
        }

        return -1;
    }
}
