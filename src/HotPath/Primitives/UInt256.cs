using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace LowLatency.HotPath.Primitives;

/// <summary>
/// Unsigned 256-bit integer (four 64-bit limbs, least significant first). Unmanaged, immutable, thread-safe.
/// Arithmetic operators wrap modulo 2^256 like the EVM; the <c>checked</c> operators and the <c>Try*</c> methods detect
/// overflow. Division by zero throws <see cref="DivideByZeroException"/> (or returns false from the Try form).
/// Nothing allocates except string formatting and the <see cref="BigInteger"/> conversions.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct UInt256 : IEquatable<UInt256>, IComparable<UInt256>, IComparable
{
    private readonly ulong _u0;
    private readonly ulong _u1;
    private readonly ulong _u2;
    private readonly ulong _u3;

    /// <summary>Creates a value from limbs, <paramref name="u0"/> least significant.</summary>
    public UInt256(ulong u0, ulong u1 = 0, ulong u2 = 0, ulong u3 = 0)
    {
        _u0 = u0;
        _u1 = u1;
        _u2 = u2;
        _u3 = u3;
    }

    public static UInt256 Zero => default;

    public static UInt256 One => new(1);

    public static UInt256 MaxValue => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>Least significant limb.</summary>
    public ulong U0 => _u0;

    public ulong U1 => _u1;

    public ulong U2 => _u2;

    /// <summary>Most significant limb.</summary>
    public ulong U3 => _u3;

    public bool IsZero => (_u0 | _u1 | _u2 | _u3) == 0;

    /// <summary>True if the value fits in a <see cref="ulong"/>.</summary>
    public bool FitsInUInt64 => (_u1 | _u2 | _u3) == 0;

    /// <summary>Number of significant bits (0 for zero).</summary>
    public int BitLength =>
        _u3 != 0 ? 256 - BitOperations.LeadingZeroCount(_u3) :
        _u2 != 0 ? 192 - BitOperations.LeadingZeroCount(_u2) :
        _u1 != 0 ? 128 - BitOperations.LeadingZeroCount(_u1) :
        64 - BitOperations.LeadingZeroCount(_u0);

    /// <summary>Number of bytes of the minimal big-endian form (0 for zero), as RLP and JSON-RPC quantities use.</summary>
    public int ByteLength => (BitLength + 7) / 8;

    // ---------------------------------------------------------------- conversions

    public static implicit operator UInt256(ulong value) => new(value);

    public static implicit operator UInt256(UInt128 value) => new((ulong)value, (ulong)(value >> 64));

    /// <summary>Truncates to the low 128 bits (Solidity's <c>uint128(x)</c>).</summary>
    public static explicit operator UInt128(UInt256 value) => new(value._u1, value._u0);

    /// <summary>True if the value fits in a <see cref="UInt128"/>.</summary>
    public bool FitsInUInt128 => (_u2 | _u3) == 0;

    /// <summary>Truncates to the low 64 bits.</summary>
    public static explicit operator ulong(UInt256 value) => value._u0;

    /// <summary>Throws <see cref="OverflowException"/> if the value does not fit in 64 bits.</summary>
    public static explicit operator checked ulong(UInt256 value) =>
        value.FitsInUInt64 ? value._u0 : throw new OverflowException("UInt256 value does not fit in 64 bits.");

    /// <summary>Throws <see cref="OverflowException"/> for negative values or values of 2^256 and above.</summary>
    public static explicit operator UInt256(BigInteger value) => FromBigInteger(value);

    public static implicit operator BigInteger(UInt256 value) => value.ToBigInteger();

    /// <summary>Converts; throws <see cref="OverflowException"/> if out of range. Allocates temporarily.</summary>
    public static UInt256 FromBigInteger(BigInteger value)
    {
        if (!TryFromBigInteger(value, out UInt256 result))
        {
            throw new OverflowException("Value is negative or does not fit in 256 bits.");
        }

        return result;
    }

    public static bool TryFromBigInteger(BigInteger value, out UInt256 result)
    {
        result = default;
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[32];
        buffer.Clear();
        int count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(buffer[(32 - count)..], out _, isUnsigned: true, isBigEndian: true);
        result = FromBigEndian(buffer);
        return true;
    }

    /// <summary>Converts to <see cref="BigInteger"/>. Allocates.</summary>
    public BigInteger ToBigInteger()
    {
        Span<byte> buffer = stackalloc byte[32];
        ToBigEndian(buffer);
        return new BigInteger(buffer, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Reads up to 32 big-endian bytes (shorter input is left-padded with zeros). Throws if longer than 32.</summary>
    public static UInt256 FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        if (!TryFromBigEndian(bytes, out UInt256 value))
        {
            throw new ArgumentException($"A UInt256 is at most 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        return value;
    }

    /// <summary>Reads up to 32 big-endian bytes; false if longer. Allocation-free.</summary>
    public static bool TryFromBigEndian(ReadOnlySpan<byte> bytes, out UInt256 value)
    {
        if (bytes.Length > 32)
        {
            value = default;
            return false;
        }

        if (bytes.Length == 32)
        {
            value = new UInt256(
                BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]),
                BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
                BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(bytes));
            return true;
        }

        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        bytes.CopyTo(padded[(32 - bytes.Length)..]);
        value = FromBigEndian(padded);
        return true;
    }

    /// <summary>Writes the 32-byte big-endian form. Allocation-free.</summary>
    public void ToBigEndian(Span<byte> dest32)
    {
        if (dest32.Length < 32)
        {
            throw new ArgumentException("Destination must be at least 32 bytes.", nameof(dest32));
        }

        BinaryPrimitives.WriteUInt64BigEndian(dest32, _u3);
        BinaryPrimitives.WriteUInt64BigEndian(dest32[8..], _u2);
        BinaryPrimitives.WriteUInt64BigEndian(dest32[16..], _u1);
        BinaryPrimitives.WriteUInt64BigEndian(dest32[24..], _u0);
    }

    /// <summary>Writes the minimal big-endian form (no leading zeros; nothing for zero); returns the byte count.</summary>
    public int WriteBigEndianMinimal(Span<byte> dest)
    {
        int n = ByteLength;
        if (dest.Length < n)
        {
            throw new ArgumentException("Destination is too small.", nameof(dest));
        }

        Span<byte> full = stackalloc byte[32];
        ToBigEndian(full);
        full[(32 - n)..].CopyTo(dest);
        return n;
    }

    // ---------------------------------------------------------------- add / subtract

    /// <summary>Adds; false (and the wrapped sum) on overflow.</summary>
    public static bool TryAdd(UInt256 a, UInt256 b, out UInt256 sum)
    {
        ulong carry = AddWithCarry(a._u0, b._u0, 0, out ulong r0);
        carry = AddWithCarry(a._u1, b._u1, carry, out ulong r1);
        carry = AddWithCarry(a._u2, b._u2, carry, out ulong r2);
        carry = AddWithCarry(a._u3, b._u3, carry, out ulong r3);
        sum = new UInt256(r0, r1, r2, r3);
        return carry == 0;
    }

    /// <summary>Subtracts; false (and the wrapped difference) if b &gt; a.</summary>
    public static bool TrySubtract(UInt256 a, UInt256 b, out UInt256 difference)
    {
        ulong borrow = SubWithBorrow(a._u0, b._u0, 0, out ulong r0);
        borrow = SubWithBorrow(a._u1, b._u1, borrow, out ulong r1);
        borrow = SubWithBorrow(a._u2, b._u2, borrow, out ulong r2);
        borrow = SubWithBorrow(a._u3, b._u3, borrow, out ulong r3);
        difference = new UInt256(r0, r1, r2, r3);
        return borrow == 0;
    }

    /// <summary>Wrapping addition (mod 2^256).</summary>
    public static UInt256 operator +(UInt256 a, UInt256 b)
    {
        TryAdd(a, b, out UInt256 sum);
        return sum;
    }

    /// <summary>Checked addition: throws <see cref="OverflowException"/>.</summary>
    public static UInt256 operator checked +(UInt256 a, UInt256 b) =>
        TryAdd(a, b, out UInt256 sum) ? sum : throw new OverflowException("UInt256 addition overflowed.");

    /// <summary>Wrapping subtraction (mod 2^256).</summary>
    public static UInt256 operator -(UInt256 a, UInt256 b)
    {
        TrySubtract(a, b, out UInt256 difference);
        return difference;
    }

    /// <summary>Checked subtraction: throws <see cref="OverflowException"/> on underflow.</summary>
    public static UInt256 operator checked -(UInt256 a, UInt256 b) =>
        TrySubtract(a, b, out UInt256 difference) ? difference : throw new OverflowException("UInt256 subtraction underflowed.");

    public static UInt256 operator ++(UInt256 a) => a + One;

    public static UInt256 operator checked ++(UInt256 a) => checked(a + One);

    public static UInt256 operator --(UInt256 a) => a - One;

    public static UInt256 operator checked --(UInt256 a) => checked(a - One);

    // ---------------------------------------------------------------- multiply

    /// <summary>Multiplies; false (and the wrapped product) on overflow.</summary>
    [SkipLocalsInit]
    public static bool TryMultiply(UInt256 a, UInt256 b, out UInt256 product)
    {
        if ((a._u2 | a._u3 | b._u2 | b._u3) == 0)
        {
            // Two 128-bit factors cannot overflow (reserves, amounts, liquidity): four multiplies. See AmmBenchmarks.
            product = Multiply(new UInt128(a._u1, a._u0), new UInt128(b._u1, b._u0));
            return true;
        }

        Span<ulong> wide = stackalloc ulong[8];
        Multiply512(a, b, wide);
        product = new UInt256(wide[0], wide[1], wide[2], wide[3]);
        return (wide[4] | wide[5] | wide[6] | wide[7]) == 0;
    }

    /// <summary>Wrapping multiplication (mod 2^256).</summary>
    public static UInt256 operator *(UInt256 a, UInt256 b)
    {
        // Schoolbook, truncated to four limbs, unrolled into locals (the span loop cost 3x: AmmBenchmarks).
        ulong r1, r2, r3;
        ulong c = MulAdd(a._u0, b._u0, 0, 0, out ulong r0);
        c = MulAdd(a._u0, b._u1, c, 0, out r1);
        c = MulAdd(a._u0, b._u2, c, 0, out r2);
        r3 = (a._u0 * b._u3) + c;
        c = MulAdd(a._u1, b._u0, r1, 0, out r1);
        c = MulAdd(a._u1, b._u1, r2, c, out r2);
        r3 += (a._u1 * b._u2) + c;
        c = MulAdd(a._u2, b._u0, r2, 0, out r2);
        r3 += (a._u2 * b._u1) + c;
        r3 += a._u3 * b._u0;
        return new UInt256(r0, r1, r2, r3);
    }

    /// <summary>x × y + add + carry as (high, low); cannot overflow 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong x, ulong y, ulong add, ulong carry, out ulong low)
    {
        ulong high = Math.BigMul(x, y, out low);
        low += add;
        high += low < add ? 1UL : 0UL;
        low += carry;
        high += low < carry ? 1UL : 0UL;
        return high;
    }

    /// <summary>Checked multiplication: throws <see cref="OverflowException"/>.</summary>
    public static UInt256 operator checked *(UInt256 a, UInt256 b) =>
        TryMultiply(a, b, out UInt256 product) ? product : throw new OverflowException("UInt256 multiplication overflowed.");

    /// <summary>Full 256-bit product of two 128-bit values. Allocation-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Multiply(UInt128 a, UInt128 b)
    {
        ulong a0 = (ulong)a, a1 = (ulong)(a >> 64), b0 = (ulong)b, b1 = (ulong)(b >> 64);
        ulong h00 = Math.BigMul(a0, b0, out ulong l00);
        ulong h01 = Math.BigMul(a0, b1, out ulong l01);
        ulong h10 = Math.BigMul(a1, b0, out ulong l10);
        ulong h11 = Math.BigMul(a1, b1, out ulong l11);
        UInt128 mid = (UInt128)h00 + l01 + l10;
        UInt128 high = (UInt128)h11 << 64 | l11;
        high += (UInt128)h01 + h10 + (ulong)(mid >> 64);
        return new UInt256(l00, (ulong)mid, (ulong)high, (ulong)(high >> 64));
    }

    /// <summary>Full 512-bit product into 8 limbs (least significant first).</summary>
    public static void Multiply512(UInt256 a, UInt256 b, Span<ulong> product8)
    {
        if (product8.Length < 8)
        {
            throw new ArgumentException("Destination must hold 8 limbs.", nameof(product8));
        }

        // Row by row into locals (no span traffic in the inner loop).
        ulong p1, p2, p3, p4, p5, p6, p7;
        ulong c = MulAdd(a._u0, b._u0, 0, 0, out ulong p0);
        c = MulAdd(a._u0, b._u1, c, 0, out p1);
        c = MulAdd(a._u0, b._u2, c, 0, out p2);
        p4 = MulAdd(a._u0, b._u3, c, 0, out p3);

        c = MulAdd(a._u1, b._u0, p1, 0, out p1);
        c = MulAdd(a._u1, b._u1, p2, c, out p2);
        c = MulAdd(a._u1, b._u2, p3, c, out p3);
        p5 = MulAdd(a._u1, b._u3, p4, c, out p4);

        c = MulAdd(a._u2, b._u0, p2, 0, out p2);
        c = MulAdd(a._u2, b._u1, p3, c, out p3);
        c = MulAdd(a._u2, b._u2, p4, c, out p4);
        p6 = MulAdd(a._u2, b._u3, p5, c, out p5);

        c = MulAdd(a._u3, b._u0, p3, 0, out p3);
        c = MulAdd(a._u3, b._u1, p4, c, out p4);
        c = MulAdd(a._u3, b._u2, p5, c, out p5);
        p7 = MulAdd(a._u3, b._u3, p6, c, out p6);

        product8[7] = p7;
        product8[0] = p0;
        product8[1] = p1;
        product8[2] = p2;
        product8[3] = p3;
        product8[4] = p4;
        product8[5] = p5;
        product8[6] = p6;
    }

    // ---------------------------------------------------------------- divide

    /// <summary>Quotient and remainder. Throws <see cref="DivideByZeroException"/> for a zero divisor.</summary>
    [SkipLocalsInit]
    public static UInt256 DivRem(UInt256 dividend, UInt256 divisor, out UInt256 remainder)
    {
        if (divisor.IsZero)
        {
            throw new DivideByZeroException("UInt256 division by zero.");
        }

        if (dividend.FitsInUInt64 && divisor.FitsInUInt64)
        {
            (ulong q, ulong r) = Math.DivRem(dividend._u0, divisor._u0);
            remainder = r;
            return q;
        }

        if (dividend < divisor)
        {
            remainder = dividend;
            return Zero;
        }

        if (divisor.FitsInUInt64)
        {
            // One-limb divisor: limb by limb in locals, no spans (V2 quotes divide by a reserve). See AmmBenchmarks.
            ulong d = divisor._u0;
            ulong q3 = DivRem128By64(0, dividend._u3, d, out ulong r);
            ulong q2 = DivRem128By64(r, dividend._u2, d, out r);
            ulong q1 = DivRem128By64(r, dividend._u1, d, out r);
            ulong q0 = DivRem128By64(r, dividend._u0, d, out r);
            remainder = r;
            return new UInt256(q0, q1, q2, q3);
        }

        if ((divisor._u2 | divisor._u3) == 0)
        {
            return DivRemByTwoLimbs(in dividend, divisor._u1, divisor._u0, out remainder);
        }

        Span<ulong> q4 = stackalloc ulong[4];
        Span<ulong> r4 = stackalloc ulong[4];
        DivRemLimbs(dividend.Limbs, divisor.Limbs, q4, r4);
        remainder = new UInt256(r4[0], r4[1], r4[2], r4[3]);
        return new UInt256(q4[0], q4[1], q4[2], q4[3]);
    }

    /// <summary>Quotient and remainder; false for a zero divisor. Allocation-free.</summary>
    public static bool TryDivRem(UInt256 dividend, UInt256 divisor, out UInt256 quotient, out UInt256 remainder)
    {
        if (divisor.IsZero)
        {
            quotient = default;
            remainder = default;
            return false;
        }

        quotient = DivRem(dividend, divisor, out remainder);
        return true;
    }

    public static UInt256 operator /(UInt256 a, UInt256 b) => DivRem(a, b, out _);

    public static UInt256 operator %(UInt256 a, UInt256 b)
    {
        DivRem(a, b, out UInt256 remainder);
        return remainder;
    }

    /// <summary>
    /// floor(a × b / denominator) with a 512-bit intermediate, as Uniswap's FullMath.mulDiv: throws
    /// <see cref="DivideByZeroException"/> for a zero denominator and <see cref="OverflowException"/> if the result
    /// does not fit in 256 bits.
    /// </summary>
    public static UInt256 MulDiv(UInt256 a, UInt256 b, UInt256 denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("MulDiv denominator is zero.");
        }

        return TryMulDiv(a, b, denominator, out UInt256 result) ? result : throw new OverflowException("MulDiv result does not fit in 256 bits.");
    }

    /// <summary>ceil(a × b / denominator), as FullMath.mulDivRoundingUp. Same exceptions as <see cref="MulDiv"/>.</summary>
    public static UInt256 MulDivRoundingUp(UInt256 a, UInt256 b, UInt256 denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("MulDiv denominator is zero.");
        }

        return TryMulDivRoundingUp(a, b, denominator, out UInt256 result) ? result : throw new OverflowException("MulDivRoundingUp result does not fit in 256 bits.");
    }

    /// <summary>floor(a × b / denominator); false for a zero denominator or a result of 2^256 or more. Allocation-free.</summary>
    public static bool TryMulDiv(UInt256 a, UInt256 b, UInt256 denominator, out UInt256 result) =>
        TryMulDivCore(a, b, denominator, out result, out _);

    /// <summary>ceil(a × b / denominator); false for a zero denominator or a result of 2^256 or more. Allocation-free.</summary>
    public static bool TryMulDivRoundingUp(UInt256 a, UInt256 b, UInt256 denominator, out UInt256 result)
    {
        if (!TryMulDivCore(a, b, denominator, out result, out bool hasRemainder))
        {
            return false;
        }

        if (hasRemainder)
        {
            if (result == MaxValue)
            {
                result = default;
                return false;
            }

            result += One;
        }

        return true;
    }

    [SkipLocalsInit]
    private static bool TryMulDivCore(UInt256 a, UInt256 b, UInt256 denominator, out UInt256 result, out bool hasRemainder)
    {
        result = default;
        hasRemainder = false;
        if (denominator.IsZero)
        {
            return false;
        }

        Span<ulong> product = stackalloc ulong[8];
        Multiply512(a, b, product);
        if ((denominator & (denominator - One)).IsZero)
        {
            // A power of two (Q96, Q128): a shift. See AmmBenchmarks.
            return TryShiftDown512(product, denominator.BitLength - 1, out result, out hasRemainder);
        }

        Span<ulong> q = stackalloc ulong[8];
        Span<ulong> r = stackalloc ulong[4];
        DivRemLimbs(product, denominator.Limbs, q, r);
        if ((q[4] | q[5] | q[6] | q[7]) != 0)
        {
            return false;
        }

        result = new UInt256(q[0], q[1], q[2], q[3]);
        hasRemainder = (r[0] | r[1] | r[2] | r[3]) != 0;
        return true;
    }

    /// <summary>product8 &gt;&gt; shift (shift in [0, 255]); false if the result needs more than 256 bits.</summary>
    private static bool TryShiftDown512(ReadOnlySpan<ulong> product8, int shift, out UInt256 result, out bool hasRemainder)
    {
        int limbs = shift / 64, bits = shift % 64;
        result = default;
        hasRemainder = false;
        // The result fits when no bit at or above 256 + shift is set.
        int top = limbs + 4;
        if (top < 8 && (product8[top] >> bits) != 0)
        {
            return false;
        }

        for (int i = top + 1; i < 8; i++)
        {
            if (product8[i] != 0)
            {
                return false;
            }
        }

        Span<ulong> r = stackalloc ulong[4];
        for (int i = 0; i < 4; i++)
        {
            ulong low = product8[i + limbs];
            ulong high = i + limbs + 1 < 8 ? product8[i + limbs + 1] : 0;
            r[i] = bits == 0 ? low : (low >> bits) | (high << (64 - bits));
        }

        for (int i = 0; i < limbs; i++)
        {
            hasRemainder |= product8[i] != 0;
        }

        hasRemainder |= bits != 0 && (product8[limbs] & ((1UL << bits) - 1)) != 0;
        result = new UInt256(r[0], r[1], r[2], r[3]);
        return true;
    }

    /// <summary>
    /// Knuth algorithm D over 64-bit limbs (least significant first). <paramref name="quotient"/> must hold
    /// <paramref name="dividend"/>.Length limbs and <paramref name="remainder"/> <paramref name="divisor"/>.Length limbs.
    /// </summary>
    [SkipLocalsInit]
    private static void DivRemLimbs(ReadOnlySpan<ulong> dividend, ReadOnlySpan<ulong> divisor, Span<ulong> quotient, Span<ulong> remainder)
    {
        int m = Significant(dividend);
        int n = Significant(divisor);
        quotient.Clear();
        remainder.Clear();
        if (n == 0)
        {
            throw new DivideByZeroException("UInt256 division by zero.");
        }

        if (m < n)
        {
            dividend[..m].CopyTo(remainder);
            return;
        }

        if (n == 1)
        {
            // Divide the dividend shifted left by s by the normalised divisor, digit by digit (Div2By1).
            int shift = BitOperations.LeadingZeroCount(divisor[0]);
            ulong d = divisor[0] << shift;
            ulong inverse = Reciprocal(d);
            ulong rem = shift == 0 ? 0 : dividend[m - 1] >> (64 - shift);
            for (int i = m - 1; i >= 0; i--)
            {
                ulong digit = shift == 0 ? dividend[i] : (dividend[i] << shift) | (i > 0 ? dividend[i - 1] >> (64 - shift) : 0);
                quotient[i] = Div2By1(rem, digit, d, inverse, out rem);
            }

            remainder[0] = rem >> shift;
            return;
        }

        int s = BitOperations.LeadingZeroCount(divisor[n - 1]);
        Span<ulong> vn = stackalloc ulong[n];
        Span<ulong> un = stackalloc ulong[m + 1];
        for (int i = n - 1; i > 0; i--)
        {
            vn[i] = (divisor[i] << s) | (s == 0 ? 0 : divisor[i - 1] >> (64 - s));
        }

        vn[0] = divisor[0] << s;
        un[m] = s == 0 ? 0 : dividend[m - 1] >> (64 - s);
        for (int i = m - 1; i > 0; i--)
        {
            un[i] = (dividend[i] << s) | (s == 0 ? 0 : dividend[i - 1] >> (64 - s));
        }

        un[0] = dividend[0] << s;

        ulong vTop = vn[n - 1];
        ulong vNext = vn[n - 2];
        ulong reciprocal = Reciprocal(vTop);
        for (int j = m - n; j >= 0; j--)
        {
            // qhat = (un[j+n]:un[j+n-1]) / vTop, at most one too large after the correction (Knuth's step D3). The top
            // digit never exceeds vTop; when equal, qhat starts at b - 1. The digit is the CPU's divide, or without one
            // vTop's reciprocal (one multiply), never UInt128's general division: mulDiv dominates the V3 quote.
            ulong qh = EstimateDigit(un[j + n], un[j + n - 1], un[j + n - 2], vTop, vNext, reciprocal);

            ulong borrow = 0;
            ulong carry = 0;
            for (int i = 0; i < n; i++)
            {
                carry = MulAdd(qh, vn[i], carry, 0, out ulong plo);
                ulong x = un[i + j];
                ulong t = x - plo;
                ulong b1 = x < plo ? 1UL : 0UL;
                ulong t2 = t - borrow;
                ulong b2 = t < borrow ? 1UL : 0UL;
                un[i + j] = t2;
                borrow = b1 + b2;
            }

            ulong top = un[j + n];
            UInt128 sub = (UInt128)carry + borrow;
            bool negative = top < sub;
            un[j + n] = (ulong)((UInt128)top - sub);
            if (negative)
            {
                // qhat was one too large: add the divisor back.
                qh--;
                ulong c = 0;
                for (int i = 0; i < n; i++)
                {
                    UInt128 sum = (UInt128)un[i + j] + vn[i] + c;
                    un[i + j] = (ulong)sum;
                    c = (ulong)(sum >> 64);
                }

                un[j + n] += c;
            }

            quotient[j] = qh;
        }

        for (int i = 0; i < n; i++)
        {
            remainder[i] = (un[i] >> s) | (s == 0 ? 0 : un[i + 1] << (64 - s));
        }
    }

    /// <summary>
    /// (hi:lo) / d and its remainder for hi &lt; d: the CPU's 128-by-64 divide on x64, else
    /// <see cref="DivRem128By64Software"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DivRem128By64(ulong hi, ulong lo, ulong d, out ulong remainder)
    {
        if (X86Base.X64.IsSupported)
        {
            return HardwareDivRem(hi, lo, d, out remainder);
        }

        return DivRem128By64Software(hi, lo, d, out remainder);
    }

    /// <summary>
    /// x64's <c>div</c>: (hi:lo) / d for hi &lt; d, which keeps the quotient in 64 bits (the instruction faults
    /// otherwise). Its API is marked experimental (SYSLIB5004); on the 2-core Zen 4 box it took about a tenth off a V3
    /// quote and more off a multi-tick swap against the software digits (AmmBenchmarks' ratios, note 30).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HardwareDivRem(ulong hi, ulong lo, ulong d, out ulong remainder)
    {
#pragma warning disable SYSLIB5004
        (ulong quotient, remainder) = X86Base.X64.DivRem(lo, hi, d);
#pragma warning restore SYSLIB5004
        return quotient;
    }

    /// <summary>
    /// (hi:lo) / d and its remainder for hi &lt; d, with 64-bit divisions on 32-bit digits (Hacker's Delight divlu):
    /// several times faster than UInt128's general division. The path where the CPU has no 128-by-64 divide.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong DivRem128By64Software(ulong hi, ulong lo, ulong d, out ulong remainder)
    {
        const ulong Base = 1UL << 32;
        if (hi == 0)
        {
            (ulong q, remainder) = Math.DivRem(lo, d);
            return q;
        }

        int s = BitOperations.LeadingZeroCount(d);
        d <<= s;
        ulong dHigh = d >> 32, dLow = d & 0xFFFF_FFFFUL;
        ulong un32 = s == 0 ? hi : (hi << s) | (lo >> (64 - s));
        ulong un10 = lo << s;
        ulong un1 = un10 >> 32, un0 = un10 & 0xFFFF_FFFFUL;

        ulong q1 = un32 / dHigh;
        ulong rhat = un32 - (q1 * dHigh);
        while (q1 >= Base || q1 * dLow > (rhat << 32) + un1)
        {
            q1--;
            rhat += dHigh;
            if (rhat >= Base)
            {
                break;
            }
        }

        ulong un21 = (un32 << 32) + un1 - (q1 * d);
        ulong q0 = un21 / dHigh;
        rhat = un21 - (q0 * dHigh);
        while (q0 >= Base || q0 * dLow > (rhat << 32) + un0)
        {
            q0--;
            rhat += dHigh;
            if (rhat >= Base)
            {
                break;
            }
        }

        remainder = ((un21 << 32) + un0 - (q0 * d)) >> s;
        return (q1 << 32) + q0;
    }

    /// <summary>
    /// floor((2^128 − 1) / d) − 2^64 for a normalised d (top bit set): Möller and Granlund's reciprocal, which
    /// <see cref="Div2By1"/> uses where the CPU has no 128-by-64 divide (0 where it has one: not needed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Reciprocal(ulong d) => X86Base.X64.IsSupported ? 0 : ReciprocalSoftware(d);

    internal static ulong ReciprocalSoftware(ulong d) => DivRem128By64Software(~d, ulong.MaxValue, d, out _);

    /// <summary>
    /// (hi:lo) / d for a normalised d and hi &lt; d: the CPU's divide on x64, else with d's <paramref name="reciprocal"/>
    /// (<see cref="Div2By1Software"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Div2By1(ulong hi, ulong lo, ulong d, ulong reciprocal, out ulong remainder)
    {
        if (X86Base.X64.IsSupported)
        {
            return HardwareDivRem(hi, lo, d, out remainder);
        }

        return Div2By1Software(hi, lo, d, reciprocal, out remainder);
    }

    /// <summary>
    /// (hi:lo) / d for a normalised d and hi &lt; d, with d's <paramref name="reciprocal"/> (Möller and Granlund,
    /// "Improved division by invariant integers", 2011, algorithm 4): one 64×64 multiply and two corrections.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Div2By1Software(ulong hi, ulong lo, ulong d, ulong reciprocal, out ulong remainder)
    {
        ulong q1 = Math.BigMul(reciprocal, hi, out ulong q0);
        q0 += lo;
        q1 += hi + (q0 < lo ? 1UL : 0UL) + 1;
        ulong r = lo - (q1 * d);
        if (r > q0)
        {
            q1--;
            r += d;
        }

        if (r >= d)
        {
            q1++;
            r -= d;
        }

        remainder = r;
        return q1;
    }

    /// <summary>
    /// (u3:u2:u1:u0) / (d1:d0) for d1 != 0: Knuth's algorithm D with the divisor and the dividend in registers, three
    /// 3-by-2 digit steps instead of the general loop over spans (TickMath divides 2^256 by a 128-bit ratio). See
    /// AmmBenchmarks.
    /// </summary>
    private static UInt256 DivRemByTwoLimbs(in UInt256 u, ulong d1, ulong d0, out UInt256 remainder)
    {
        int s = BitOperations.LeadingZeroCount(d1);
        ulong v1 = d1, v0 = d0;
        ulong n4 = 0, n3 = u._u3, n2 = u._u2, n1 = u._u1, n0 = u._u0;
        if (s != 0)
        {
            int back = 64 - s;
            v1 = (d1 << s) | (d0 >> back);
            v0 = d0 << s;
            n4 = n3 >> back;
            n3 = (n3 << s) | (n2 >> back);
            n2 = (n2 << s) | (n1 >> back);
            n1 = (n1 << s) | (n0 >> back);
            n0 <<= s;
        }

        ulong reciprocal = Reciprocal(v1);
        ulong q2 = DivDigit3By2(n4, n3, n2, v1, v0, reciprocal, out ulong r1, out ulong r0);
        ulong q1 = DivDigit3By2(r1, r0, n1, v1, v0, reciprocal, out r1, out r0);
        ulong q0 = DivDigit3By2(r1, r0, n0, v1, v0, reciprocal, out r1, out r0);
        remainder = s == 0 ? new UInt256(r0, r1, 0, 0) : new UInt256((r0 >> s) | (r1 << (64 - s)), r1 >> s, 0, 0);
        return new UInt256(q0, q1, q2, 0);
    }

    /// <summary>
    /// One quotient digit by a normalised (v1:v0): (hi:mid:lo) / (v1:v0) for (hi:mid) &lt; (v1:v0), and its remainder
    /// (r1:r0). With two divisor limbs Knuth's test with v0 is the whole comparison, so the estimate is exact and no
    /// add-back step exists.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DivDigit3By2(ulong hi, ulong mid, ulong lo, ulong v1, ulong v0, ulong reciprocal, out ulong r1, out ulong r0)
    {
        ulong qh = EstimateDigit(hi, mid, lo, v1, v0, reciprocal);

        // The remainder is below v1:v0 < 2^128, so it is the difference's low 128 bits.
        UInt128 r = new UInt128(mid, lo) - (qh * new UInt128(v1, v0));
        r1 = (ulong)(r >> 64);
        r0 = (ulong)r;
        return qh;
    }

    /// <summary>
    /// Knuth's step D3: the quotient digit of (hi:mid:lo…) by a normalised divisor whose top limbs are (vTop:vNext),
    /// for hi ≤ vTop. It starts at (hi:mid) / vTop (b − 1 when hi == vTop) and is corrected against vNext, which leaves
    /// it at most one too large (exact for a two-limb divisor).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EstimateDigit(ulong hi, ulong mid, ulong lo, ulong vTop, ulong vNext, ulong reciprocal)
    {
        ulong qh;
        ulong rh;
        bool rhatOverflow = false;
        if (hi >= vTop)
        {
            // rhat = hi:mid − (b − 1) × vTop = mid + vTop (hi == vTop).
            qh = ulong.MaxValue;
            rh = mid + vTop;
            rhatOverflow = rh < vTop;
        }
        else
        {
            qh = Div2By1(hi, mid, vTop, reciprocal, out rh);
        }

        while (!rhatOverflow)
        {
            ulong productHigh = Math.BigMul(qh, vNext, out ulong productLow);
            if (productHigh < rh || (productHigh == rh && productLow <= lo))
            {
                break;
            }

            qh--;
            rh += vTop;
            rhatOverflow = rh < vTop;
        }

        return qh;
    }

    private static int Significant(ReadOnlySpan<ulong> limbs)
    {
        int n = limbs.Length;
        while (n > 0 && limbs[n - 1] == 0)
        {
            n--;
        }

        return n;
    }

    // ---------------------------------------------------------------- bitwise and shifts

    public static UInt256 operator &(UInt256 a, UInt256 b) => new(a._u0 & b._u0, a._u1 & b._u1, a._u2 & b._u2, a._u3 & b._u3);

    public static UInt256 operator |(UInt256 a, UInt256 b) => new(a._u0 | b._u0, a._u1 | b._u1, a._u2 | b._u2, a._u3 | b._u3);

    public static UInt256 operator ^(UInt256 a, UInt256 b) => new(a._u0 ^ b._u0, a._u1 ^ b._u1, a._u2 ^ b._u2, a._u3 ^ b._u3);

    public static UInt256 operator ~(UInt256 a) => new(~a._u0, ~a._u1, ~a._u2, ~a._u3);

    /// <summary>Left shift; shifts of 256 or more give zero (EVM SHL semantics). Negative shifts throw.</summary>
    public static UInt256 operator <<(UInt256 value, int shift)
    {
        if ((uint)shift >= 256)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(shift);
            return Zero;
        }

        // Whole limbs first, then the bits (straight-line: AmmBenchmarks).
        ulong a0 = value._u0, a1 = value._u1, a2 = value._u2, a3 = value._u3;
        switch (shift >> 6)
        {
            case 1: (a3, a2, a1, a0) = (a2, a1, a0, 0); break;
            case 2: (a3, a2, a1, a0) = (a1, a0, 0, 0); break;
            case 3: (a3, a2, a1, a0) = (a0, 0, 0, 0); break;
        }

        int bits = shift & 63;
        if (bits == 0)
        {
            return new UInt256(a0, a1, a2, a3);
        }

        int back = 64 - bits;
        return new UInt256(a0 << bits, (a1 << bits) | (a0 >> back), (a2 << bits) | (a1 >> back), (a3 << bits) | (a2 >> back));
    }

    /// <summary>Logical right shift; shifts of 256 or more give zero. Negative shifts throw.</summary>
    public static UInt256 operator >>(UInt256 value, int shift)
    {
        if ((uint)shift >= 256)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(shift);
            return Zero;
        }

        ulong a0 = value._u0, a1 = value._u1, a2 = value._u2, a3 = value._u3;
        switch (shift >> 6)
        {
            case 1: (a0, a1, a2, a3) = (a1, a2, a3, 0); break;
            case 2: (a0, a1, a2, a3) = (a2, a3, 0, 0); break;
            case 3: (a0, a1, a2, a3) = (a3, 0, 0, 0); break;
        }

        int bits = shift & 63;
        if (bits == 0)
        {
            return new UInt256(a0, a1, a2, a3);
        }

        int back = 64 - bits;
        return new UInt256((a0 >> bits) | (a1 << back), (a1 >> bits) | (a2 << back), (a2 >> bits) | (a3 << back), a3 >> bits);
    }

    // ---------------------------------------------------------------- comparison

    public int CompareTo(UInt256 other)
    {
        if (_u3 != other._u3)
        {
            return _u3 < other._u3 ? -1 : 1;
        }

        if (_u2 != other._u2)
        {
            return _u2 < other._u2 ? -1 : 1;
        }

        if (_u1 != other._u1)
        {
            return _u1 < other._u1 ? -1 : 1;
        }

        return _u0 == other._u0 ? 0 : (_u0 < other._u0 ? -1 : 1);
    }

    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        UInt256 other => CompareTo(other),
        _ => throw new ArgumentException("Object is not a UInt256.", nameof(obj)),
    };

    public bool Equals(UInt256 other) => _u0 == other._u0 && _u1 == other._u1 && _u2 == other._u2 && _u3 == other._u3;

    public override bool Equals(object? obj) => obj is UInt256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_u0, _u1, _u2, _u3);

    public static bool operator ==(UInt256 a, UInt256 b) => a.Equals(b);

    public static bool operator !=(UInt256 a, UInt256 b) => !a.Equals(b);

    public static bool operator <(UInt256 a, UInt256 b) => a.CompareTo(b) < 0;

    public static bool operator >(UInt256 a, UInt256 b) => a.CompareTo(b) > 0;

    public static bool operator <=(UInt256 a, UInt256 b) => a.CompareTo(b) <= 0;

    public static bool operator >=(UInt256 a, UInt256 b) => a.CompareTo(b) >= 0;

    public static UInt256 Min(UInt256 a, UInt256 b) => a <= b ? a : b;

    public static UInt256 Max(UInt256 a, UInt256 b) => a >= b ? a : b;

    // ---------------------------------------------------------------- parse / format

    /// <summary>
    /// Parses "0x"-prefixed hex (at most 64 significant digits; "0x" alone is zero, as ethers) or plain decimal
    /// (digits only). Allocation-free.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out UInt256 value)
    {
        value = default;
        if (text.IsEmpty)
        {
            return false;
        }

        if (HasHexPrefix(text))
        {
            return TryParseHexDigits(text[2..], out value);
        }

        return TryParseDecimal(text, out value);
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out UInt256)"/>
    public static bool TryParse([NotNullWhen(true)] string? text, out UInt256 value)
    {
        if (text is null)
        {
            value = default;
            return false;
        }

        return TryParse(text.AsSpan(), out value);
    }

    /// <summary>Parses like <see cref="TryParse(string?, out UInt256)"/>; throws <see cref="FormatException"/> or <see cref="OverflowException"/>.</summary>
    public static UInt256 Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out UInt256 value))
        {
            return value;
        }

        ReadOnlySpan<char> body = HasHexPrefix(text) ? text.AsSpan(2) : text.AsSpan();
        bool isHex = HasHexPrefix(text);
        foreach (char c in body)
        {
            if (isHex ? HexNibble(c) < 0 : (uint)(c - '0') > 9)
            {
                throw new FormatException($"'{Truncate(text)}' is not a valid {(isHex ? "hex" : "decimal")} UInt256.");
            }
        }

        if (body.IsEmpty)
        {
            throw new FormatException("Empty UInt256 string.");
        }

        throw new OverflowException($"'{Truncate(text)}' does not fit in 256 bits.");
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");

    /// <summary>Parses hex digits without a prefix (leading zeros allowed; empty is zero).</summary>
    public static bool TryParseHexDigits(ReadOnlySpan<char> digits, out UInt256 value)
    {
        value = default;
        while (digits.Length > 0 && digits[0] == '0')
        {
            digits = digits[1..];
        }

        if (digits.Length > 64)
        {
            return false;
        }

        ulong r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            int nibble = HexNibble(digits[digits.Length - 1 - i]);
            if (nibble < 0)
            {
                return false;
            }

            int limb = i / 16;
            ulong bits = (ulong)nibble << (4 * (i % 16));
            SetLimb(ref r0, ref r1, ref r2, ref r3, limb, GetLimb(r0, r1, r2, r3, limb) | bits);
        }

        value = new UInt256(r0, r1, r2, r3);
        return true;
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> digits, out UInt256 value)
    {
        value = default;
        ulong r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        foreach (char c in digits)
        {
            uint d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }

            // r = r * 10 + d, detecting overflow out of the top limb.
            UInt128 t = ((UInt128)r0 * 10) + d;
            r0 = (ulong)t;
            t = ((UInt128)r1 * 10) + (ulong)(t >> 64);
            r1 = (ulong)t;
            t = ((UInt128)r2 * 10) + (ulong)(t >> 64);
            r2 = (ulong)t;
            t = ((UInt128)r3 * 10) + (ulong)(t >> 64);
            r3 = (ulong)t;
            if ((t >> 64) != 0)
            {
                return false;
            }
        }

        value = new UInt256(r0, r1, r2, r3);
        return true;
    }

    /// <summary>Writes the decimal form; false if <paramref name="dest"/> is too small (78 chars always suffice). Allocation-free.</summary>
    [SkipLocalsInit]
    public bool TryFormat(Span<char> dest, out int written)
    {
        written = 0;
        Span<char> buffer = stackalloc char[80];
        int pos = buffer.Length;
        UInt256 v = this;
        const ulong Chunk = 10_000_000_000_000_000_000UL; // 10^19
        do
        {
            ulong rem = 0;
            ulong q3 = DivStep(v._u3, ref rem, Chunk);
            ulong q2 = DivStep(v._u2, ref rem, Chunk);
            ulong q1 = DivStep(v._u1, ref rem, Chunk);
            ulong q0 = DivStep(v._u0, ref rem, Chunk);
            v = new UInt256(q0, q1, q2, q3);
            for (int i = 0; i < 19 && (rem != 0 || !v.IsZero); i++)
            {
                buffer[--pos] = (char)('0' + (rem % 10));
                rem /= 10;
            }
        }
        while (!v.IsZero);

        if (pos == buffer.Length)
        {
            buffer[--pos] = '0';
        }

        int len = buffer.Length - pos;
        if (dest.Length < len)
        {
            return false;
        }

        buffer[pos..].CopyTo(dest);
        written = len;
        return true;
    }

    private static ulong DivStep(ulong limb, ref ulong rem, ulong divisor)
    {
        UInt128 cur = ((UInt128)rem << 64) | limb;
        ulong q = (ulong)(cur / divisor);
        rem = (ulong)(cur - ((UInt128)q * divisor));
        return q;
    }

    /// <summary>Decimal form. Allocates the string.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[80];
        TryFormat(buffer, out int written);
        return new string(buffer[..written]);
    }

    /// <summary>Writes minimal lowercase hex with "0x" ("0x0" for zero), as JSON-RPC quantities; false if too small (66 suffice).</summary>
    public bool TryFormatHex(Span<char> dest, out int written)
    {
        written = 0;
        int digits = Math.Max(1, (BitLength + 3) / 4);
        if (dest.Length < digits + 2)
        {
            return false;
        }

        dest[0] = '0';
        dest[1] = 'x';
        for (int i = 0; i < digits; i++)
        {
            int nibbleIndex = digits - 1 - i;
            ulong limb = GetLimb(_u0, _u1, _u2, _u3, nibbleIndex / 16);
            int nibble = (int)((limb >> (4 * (nibbleIndex % 16))) & 0xF);
            dest[2 + i] = "0123456789abcdef"[nibble];
        }

        written = digits + 2;
        return true;
    }

    /// <summary>Minimal "0x" hex ("0x0" for zero). Allocates the string.</summary>
    public string ToHexString()
    {
        Span<char> buffer = stackalloc char[66];
        TryFormatHex(buffer, out int written);
        return new string(buffer[..written]);
    }

    /// <summary>Formats with "x"/"X" for hex (no prefix) and anything else for decimal.</summary>
    public string ToString(string? format)
    {
        if (format is "x" or "X")
        {
            string hex = ToHexString()[2..];
            return format == "X" ? hex.ToUpperInvariant() : hex;
        }

        return ToString();
    }

    // ---------------------------------------------------------------- helpers

    private static bool HasHexPrefix(ReadOnlySpan<char> text) => text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');

    private static int HexNibble(char c)
    {
        if ((uint)(c - '0') <= 9)
        {
            return c - '0';
        }

        int lower = c | 0x20;
        return (uint)(lower - 'a') <= 5 ? lower - 'a' + 10 : -1;
    }

    private ReadOnlySpan<ulong> Limbs => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _u0), 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddWithCarry(ulong a, ulong b, ulong carry, out ulong sum)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        sum = s + carry;
        ulong c2 = sum < s ? 1UL : 0UL;
        return c1 | c2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubWithBorrow(ulong a, ulong b, ulong borrow, out ulong difference)
    {
        ulong d = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        difference = d - borrow;
        ulong b2 = d < borrow ? 1UL : 0UL;
        return b1 | b2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong GetLimb(ulong r0, ulong r1, ulong r2, ulong r3, int index) => index switch
    {
        0 => r0,
        1 => r1,
        2 => r2,
        _ => r3,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetLimb(ref ulong r0, ref ulong r1, ref ulong r2, ref ulong r3, int index, ulong value)
    {
        switch (index)
        {
            case 0: r0 = value; break;
            case 1: r1 = value; break;
            case 2: r2 = value; break;
            default: r3 = value; break;
        }
    }
}
