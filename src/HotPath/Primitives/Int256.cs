using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace LowLatency.HotPath.Primitives;

/// <summary>
/// Signed 256-bit integer in two's complement over a <see cref="UInt256"/> (the EVM's <c>int256</c>). Unmanaged,
/// immutable, thread-safe. The operators wrap modulo 2^256 like Solidity before 0.8; <see cref="TryAdd"/> and
/// <see cref="TrySubtract"/> detect signed overflow the way Uniswap's <c>LowGasSafeMath</c> does, and
/// <see cref="TryFromUInt256"/> is <c>SafeCast.toInt256</c>. Nothing allocates except string formatting and the
/// <see cref="BigInteger"/> conversions.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Int256 : IEquatable<Int256>, IComparable<Int256>, IComparable
{
    private readonly UInt256 _bits;

    private Int256(UInt256 bits) => _bits = bits;

    public static Int256 Zero => default;

    public static Int256 One => new(UInt256.One);

    public static Int256 MinusOne => new(UInt256.MaxValue);

    /// <summary>2^255 - 1.</summary>
    public static Int256 MaxValue => new(new UInt256(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, long.MaxValue));

    /// <summary>-2^255.</summary>
    public static Int256 MinValue => new(new UInt256(0, 0, 0, 1UL << 63));

    /// <summary>The two's complement bits (what <c>uint256(x)</c> gives in Solidity).</summary>
    public UInt256 Bits => _bits;

    public bool IsNegative => (_bits.U3 >> 63) != 0;

    public bool IsZero => _bits.IsZero;

    /// <summary>-1, 0 or 1.</summary>
    public int Sign => IsNegative ? -1 : _bits.IsZero ? 0 : 1;

    /// <summary>Reinterprets two's complement bits (Solidity's <c>int256(uint256)</c>, no check).</summary>
    public static Int256 FromBits(UInt256 bits) => new(bits);

    /// <summary>The magnitude as an unsigned value (|MinValue| = 2^255 fits).</summary>
    public UInt256 UnsignedAbs => IsNegative ? UInt256.Zero - _bits : _bits;

    // ---------------------------------------------------------------- conversions

    public static implicit operator Int256(long value)
    {
        ulong extension = value < 0 ? ulong.MaxValue : 0;
        return new(new UInt256((ulong)value, extension, extension, extension));
    }

    public static implicit operator Int256(Int128 value)
    {
        ulong extension = value < 0 ? ulong.MaxValue : 0;
        return new(new UInt256((ulong)value, (ulong)(value >> 64), extension, extension));
    }

    /// <summary>Keeps the low 64 bits (Solidity's narrowing cast, no check).</summary>
    public static explicit operator long(Int256 value) => (long)value._bits.U0;

    /// <summary>Keeps the low 128 bits (Solidity's <c>int128(x)</c>, no check).</summary>
    public static explicit operator Int128(Int256 value) => (Int128)(UInt128)value._bits;

    /// <summary>SafeCast.toInt128: false if the value is outside the int128 range.</summary>
    public static bool TryToInt128(Int256 value, out Int128 result)
    {
        result = (Int128)value;
        return (Int256)result == value;
    }

    /// <summary>SafeCast.toInt256: false if <paramref name="value"/> is 2^255 or more.</summary>
    public static bool TryFromUInt256(UInt256 value, out Int256 result)
    {
        result = new Int256(value);
        return (value.U3 >> 63) == 0;
    }

    /// <summary>Converts to <see cref="BigInteger"/>. Allocates.</summary>
    public BigInteger ToBigInteger() => IsNegative ? -UnsignedAbs.ToBigInteger() : _bits.ToBigInteger();

    /// <summary>Converts; false if outside [-2^255, 2^255). Allocates temporarily.</summary>
    public static bool TryFromBigInteger(BigInteger value, out Int256 result)
    {
        result = default;
        if (value.Sign >= 0)
        {
            return UInt256.TryFromBigInteger(value, out UInt256 bits) && TryFromUInt256(bits, out result);
        }

        if (!UInt256.TryFromBigInteger(-value, out UInt256 magnitude) || magnitude > MinValue._bits)
        {
            return false;
        }

        result = new Int256(UInt256.Zero - magnitude);
        return true;
    }

    public static implicit operator BigInteger(Int256 value) => value.ToBigInteger();

    // ---------------------------------------------------------------- arithmetic

    /// <summary>Wrapping addition (Solidity 0.7 <c>+</c> on int256).</summary>
    public static Int256 operator +(Int256 a, Int256 b) => new(a._bits + b._bits);

    /// <summary>Wrapping subtraction.</summary>
    public static Int256 operator -(Int256 a, Int256 b) => new(a._bits - b._bits);

    /// <summary>Wrapping negation (-MinValue is MinValue).</summary>
    public static Int256 operator -(Int256 a) => new(UInt256.Zero - a._bits);

    /// <summary>Wrapping multiplication (the low 256 bits of the product).</summary>
    public static Int256 operator *(Int256 a, Int256 b) => new(a._bits * b._bits);

    /// <summary>Arithmetic (sign-filling) right shift, as the EVM's SAR.</summary>
    public static Int256 operator >>(Int256 value, int shift)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shift);
        if (!value.IsNegative)
        {
            return new Int256(value._bits >> shift);
        }

        if (shift >= 256)
        {
            return MinusOne;
        }

        // Shift the complement and complement back: ~((~x) >> s) fills with ones.
        return new Int256(~(~value._bits >> shift));
    }

    /// <summary>Left shift (wrapping).</summary>
    public static Int256 operator <<(Int256 value, int shift) => new(value._bits << shift);

    public static Int256 operator |(Int256 a, Int256 b) => new(a._bits | b._bits);

    /// <summary>LowGasSafeMath.add(int256, int256): false (and the wrapped sum) on signed overflow.</summary>
    public static bool TryAdd(Int256 a, Int256 b, out Int256 sum)
    {
        sum = a + b;
        return (sum >= a) == !b.IsNegative;
    }

    /// <summary>LowGasSafeMath.sub(int256, int256): false (and the wrapped difference) on signed overflow.</summary>
    public static bool TrySubtract(Int256 a, Int256 b, out Int256 difference)
    {
        difference = a - b;
        return (difference <= a) == !b.IsNegative;
    }

    // ---------------------------------------------------------------- comparison

    public int CompareTo(Int256 other)
    {
        bool negative = IsNegative;
        if (negative != other.IsNegative)
        {
            return negative ? -1 : 1;
        }

        // Same sign: two's complement bits order like the values.
        return _bits.CompareTo(other._bits);
    }

    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Int256 other => CompareTo(other),
        _ => throw new ArgumentException("Object is not an Int256.", nameof(obj)),
    };

    public bool Equals(Int256 other) => _bits == other._bits;

    public override bool Equals(object? obj) => obj is Int256 other && Equals(other);

    public override int GetHashCode() => _bits.GetHashCode();

    public static bool operator ==(Int256 a, Int256 b) => a._bits == b._bits;

    public static bool operator !=(Int256 a, Int256 b) => a._bits != b._bits;

    public static bool operator <(Int256 a, Int256 b) => a.CompareTo(b) < 0;

    public static bool operator >(Int256 a, Int256 b) => a.CompareTo(b) > 0;

    public static bool operator <=(Int256 a, Int256 b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Int256 a, Int256 b) => a.CompareTo(b) >= 0;

    // ---------------------------------------------------------------- parse / format

    /// <summary>Parses an optional '-' and decimal digits (no '+', no spaces, at least one digit). Allocation-free.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Int256 value)
    {
        value = default;
        bool negative = text.Length > 0 && text[0] == '-';
        ReadOnlySpan<char> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || HasNonDigit(digits) || !UInt256.TryParse(digits, out UInt256 magnitude))
        {
            return false;
        }

        if (negative)
        {
            if (magnitude > MinValue._bits)
            {
                return false;
            }

            value = new Int256(UInt256.Zero - magnitude);
            return true;
        }

        return TryFromUInt256(magnitude, out value);
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out Int256)"/>
    public static bool TryParse([NotNullWhen(true)] string? text, out Int256 value)
    {
        if (text is null)
        {
            value = default;
            return false;
        }

        return TryParse(text.AsSpan(), out value);
    }

    /// <summary>Parses like <see cref="TryParse(string?, out Int256)"/>; throws <see cref="FormatException"/>.</summary>
    public static Int256 Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out Int256 value) ? value : throw new FormatException("Not a decimal int256 in range.");
    }

    private static bool HasNonDigit(ReadOnlySpan<char> digits)
    {
        foreach (char c in digits)
        {
            if ((uint)(c - '0') > 9)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes the decimal form with a leading '-' when negative; false if <paramref name="dest"/> is too small (79 chars suffice).</summary>
    public bool TryFormat(Span<char> dest, out int written)
    {
        written = 0;
        if (!IsNegative)
        {
            return _bits.TryFormat(dest, out written);
        }

        if (dest.Length < 2 || !UnsignedAbs.TryFormat(dest[1..], out int digits))
        {
            return false;
        }

        dest[0] = '-';
        written = digits + 1;
        return true;
    }

    /// <summary>Decimal form. Allocates the string.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[80];
        TryFormat(buffer, out int written);
        return new string(buffer[..written]);
    }
}
