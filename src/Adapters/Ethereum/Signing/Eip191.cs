using System.Globalization;

namespace LowLatency.Adapters.Ethereum;

/// <summary>EIP-191 version 0x45 ("personal_sign") message hashing. Thread-safe.</summary>
public static class Eip191
{
    private static ReadOnlySpan<byte> Prefix => "\u0019Ethereum Signed Message:\n"u8;

    /// <summary>keccak256("\x19Ethereum Signed Message:\n" + decimal length + message) into <paramref name="dest32"/>. Allocation-free up to 4 KiB messages.</summary>
    public static void HashPersonalMessage(ReadOnlySpan<byte> message, Span<byte> dest32)
    {
        Span<byte> lengthDigits = stackalloc byte[11];
        message.Length.TryFormat(lengthDigits, out int digits, default, CultureInfo.InvariantCulture);
        int total = Prefix.Length + digits + message.Length;
        byte[]? rented = null;
        Span<byte> buffer = total <= 4096 ? stackalloc byte[total] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(total)).AsSpan(0, total);
        Prefix.CopyTo(buffer);
        lengthDigits[..digits].CopyTo(buffer[Prefix.Length..]);
        message.CopyTo(buffer[(Prefix.Length + digits)..]);
        Keccak256.Hash(buffer, dest32);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Convenience overload returning a new 32-byte array.</summary>
    public static byte[] HashPersonalMessage(ReadOnlySpan<byte> message)
    {
        var hash = new byte[32];
        HashPersonalMessage(message, hash);
        return hash;
    }
}
