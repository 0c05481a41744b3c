namespace LowLatency.Adapters.Dex.Common;

/// <summary>Hex text as UTF-8 bytes (as it lands from the socket) to bytes and integers; allocation-free.</summary>
public static class HexUtf8
{
    /// <summary>Decodes "0x…" (even digit count) into <paramref name="dest"/>; false on a bad digit or a too-small destination.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> text, Span<byte> dest, out int written)
    {
        written = 0;
        if (text.Length < 2 || text[0] != (byte)'0' || (text[1] | 0x20) != (byte)'x')
        {
            return false;
        }

        text = text[2..];
        if ((text.Length & 1) != 0 || text.Length / 2 > dest.Length)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i += 2)
        {
            int hi = Nibble(text[i]);
            int lo = Nibble(text[i + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            dest[i / 2] = (byte)((hi << 4) | lo);
        }

        written = text.Length / 2;
        return true;
    }

    /// <summary>A JSON-RPC quantity ("0x0", "0x1a", no leading zeros required) that fits 64 bits.</summary>
    public static bool TryParseQuantity(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.Length < 3 || text.Length > 18 || text[0] != (byte)'0' || (text[1] | 0x20) != (byte)'x')
        {
            return false;
        }

        for (int i = 2; i < text.Length; i++)
        {
            int n = Nibble(text[i]);
            if (n < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)n;
        }

        return true;
    }

    /// <summary>A quantity up to 256 bits.</summary>
    public static bool TryParseQuantity(ReadOnlySpan<byte> text, out UInt256 value)
    {
        value = UInt256.Zero;
        if (text.Length < 3 || text.Length > 66 || text[0] != (byte)'0' || (text[1] | 0x20) != (byte)'x')
        {
            return false;
        }

        Span<byte> be = stackalloc byte[32];
        be.Clear();
        int digits = text.Length - 2;
        for (int k = 0; k < digits; k++)
        {
            int n = Nibble(text[text.Length - 1 - k]);
            if (n < 0)
            {
                return false;
            }

            int byteIndex = 31 - (k / 2);
            be[byteIndex] |= (byte)((k & 1) == 0 ? n : n << 4);
        }

        value = UInt256.FromBigEndian(be);
        return true;
    }

    private static int Nibble(byte c)
    {
        if ((uint)(c - '0') <= 9)
        {
            return c - '0';
        }

        int lower = c | 0x20;
        return (uint)(lower - 'a') <= 5 ? lower - 'a' + 10 : -1;
    }
}
