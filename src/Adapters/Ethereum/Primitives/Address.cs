using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// A 20-byte Ethereum account address (unmanaged, compared by value). <see cref="ToString"/> gives the EIP-55
/// checksummed form. Parsing accepts all-lowercase or all-uppercase hex, and mixed case only when the EIP-55
/// checksum is right (as ethers' getAddress). Immutable, thread-safe; span members allocate nothing.
/// </summary>
public readonly struct Address : IEquatable<Address>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 20;

    // Big-endian: bytes 0..7, 8..15, 16..19.
    private readonly ulong _hi;
    private readonly ulong _mid;
    private readonly uint _lo;

    /// <summary>The zero address.</summary>
    public static Address Zero => default;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    public Address(ReadOnlySpan<byte> bytes20)
    {
        if (bytes20.Length != Size)
        {
            throw new ArgumentException($"An address is 20 bytes, got {bytes20.Length}.", nameof(bytes20));
        }

        _hi = BinaryPrimitives.ReadUInt64BigEndian(bytes20);
        _mid = BinaryPrimitives.ReadUInt64BigEndian(bytes20[8..]);
        _lo = BinaryPrimitives.ReadUInt32BigEndian(bytes20[16..]);
    }

    /// <summary>True for the zero address.</summary>
    public bool IsZero => (_hi | _mid | _lo) == 0;

    /// <summary>Writes the 20 bytes into <paramref name="dest"/>. Allocation-free.</summary>
    public void CopyTo(Span<byte> dest)
    {
        if (dest.Length < Size)
        {
            throw new ArgumentException("Destination must be at least 20 bytes.", nameof(dest));
        }

        BinaryPrimitives.WriteUInt64BigEndian(dest, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(dest[8..], _mid);
        BinaryPrimitives.WriteUInt32BigEndian(dest[16..], _lo);
    }

    /// <summary>The 20 bytes as a new array. Allocates.</summary>
    public byte[] ToArray()
    {
        var result = new byte[Size];
        CopyTo(result);
        return result;
    }

    /// <summary>Address of an uncompressed public key (65 bytes starting 0x04, or the 64 raw bytes): keccak256(x||y)[12..].</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length == 65)
        {
            if (publicKey[0] != 0x04)
            {
                throw new ArgumentException("An uncompressed public key starts with 0x04.", nameof(publicKey));
            }

            publicKey = publicKey[1..];
        }

        if (publicKey.Length != 64)
        {
            throw new ArgumentException($"A public key is 64 or 65 bytes, got {publicKey.Length}.", nameof(publicKey));
        }

        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(publicKey, hash);
        return new Address(hash[12..]);
    }

    /// <summary>
    /// Parses "0x" + 40 hex digits (prefix optional). Mixed-case input must carry a valid EIP-55 checksum.
    /// Allocation-free.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Address address)
    {
        if (text is null)
        {
            address = default;
            return false;
        }

        return TryParse(text.AsSpan(), out address);
    }

    /// <inheritdoc cref="TryParse(string?, out Address)"/>
    public static bool TryParse(ReadOnlySpan<char> text, out Address address)
    {
        address = default;
        ReadOnlySpan<char> digits = Hex.TrimPrefix(text);
        if (digits.Length != 2 * Size)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (!Hex.TryDecode(digits, bytes, out _))
        {
            return false;
        }

        var candidate = new Address(bytes);
        bool hasLower = false, hasUpper = false;
        foreach (char c in digits)
        {
            hasLower |= c is >= 'a' and <= 'f';
            hasUpper |= c is >= 'A' and <= 'F';
        }

        if (hasLower && hasUpper && !candidate.MatchesChecksum(digits))
        {
            return false;
        }

        address = candidate;
        return true;
    }

    /// <summary>Parses like <see cref="TryParse(string?, out Address)"/>; throws <see cref="FormatException"/> with the reason.</summary>
    public static Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out Address address))
        {
            return address;
        }

        ReadOnlySpan<char> digits = Hex.TrimPrefix(text);
        if (digits.Length != 2 * Size)
        {
            throw new FormatException($"An address has 40 hex digits, got {digits.Length}.");
        }

        throw new FormatException("Address is not hex, or its mixed-case EIP-55 checksum is wrong.");
    }

    /// <summary>True only if <paramref name="text"/> (0x optional) is exactly the EIP-55 checksummed form.</summary>
    public static bool IsValidChecksum(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> digits = Hex.TrimPrefix(text);
        if (digits.Length != 2 * Size)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        return Hex.TryDecode(digits, bytes, out _) && new Address(bytes).MatchesChecksum(digits);
    }

    /// <summary>Writes "0x" + 40 EIP-55 checksummed digits (42 chars). Allocation-free.</summary>
    public int FormatChecksum(Span<char> dest42)
    {
        if (dest42.Length < 42)
        {
            throw new ArgumentException("Destination must be at least 42 chars.", nameof(dest42));
        }

        dest42[0] = '0';
        dest42[1] = 'x';
        Span<char> digits = dest42.Slice(2, 40);
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        Hex.EncodeTo(bytes, digits);

        // EIP-55: uppercase a letter when the matching nibble of keccak256(lowercase hex) is >= 8.
        Span<byte> asciiLower = stackalloc byte[40];
        for (int i = 0; i < 40; i++)
        {
            asciiLower[i] = (byte)digits[i];
        }

        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(asciiLower, hash);
        for (int i = 0; i < 40; i++)
        {
            int nibble = (i & 1) == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0xF;
            if (nibble >= 8 && digits[i] >= 'a')
            {
                digits[i] = (char)(digits[i] - 32);
            }
        }

        return 42;
    }

    /// <summary>EIP-55 checksummed "0x…" string. Allocates the string.</summary>
    public string ToChecksumString()
    {
        Span<char> buffer = stackalloc char[42];
        FormatChecksum(buffer);
        return new string(buffer);
    }

    /// <summary>Lowercase "0x…" string. Allocates the string.</summary>
    public string ToLowerHexString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Hex.Encode(bytes);
    }

    /// <summary>The EIP-55 checksummed form.</summary>
    public override string ToString() => ToChecksumString();

    private bool MatchesChecksum(ReadOnlySpan<char> digits40)
    {
        Span<char> expected = stackalloc char[42];
        FormatChecksum(expected);
        return expected[2..].SequenceEqual(digits40);
    }

    public bool Equals(Address other) => _hi == other._hi && _mid == other._mid && _lo == other._lo;

    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_hi, _mid, _lo);

    public static bool operator ==(Address left, Address right) => left.Equals(right);

    public static bool operator !=(Address left, Address right) => !left.Equals(right);
}
