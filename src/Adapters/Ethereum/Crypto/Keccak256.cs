using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LowLatency.Adapters.Ethereum;

/// <summary>
/// Ethereum keccak256 (original Keccak padding 0x01, not SHA3's 0x06). Thread-safe, stateless.
/// The span overload allocates nothing: the 25-lane state lives on the stack and the rounds are unrolled.
/// </summary>
public static class Keccak256
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSize = 32;

    private const int Rate = 136; // 1600 - 2 * 256 bits
    private const int RateLanes = Rate / 8;

    private static readonly ulong[] s_roundConstants =
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808aUL, 0x8000000080008000UL,
        0x000000000000808bUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008aUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000aUL,
        0x000000008000808bUL, 0x800000000000008bUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800aUL, 0x800000008000000aUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    /// <summary>Hashes <paramref name="data"/> into <paramref name="dest32"/> (at least 32 bytes). Allocation-free; any thread.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> dest32)
    {
        if (dest32.Length < HashSize)
        {
            throw new ArgumentException("Destination must be at least 32 bytes.", nameof(dest32));
        }

        Span<ulong> state = stackalloc ulong[25];
        state.Clear();
        while (data.Length >= Rate)
        {
            AbsorbBlock(state, data);
            Permute(state);
            data = data[Rate..];
        }

        // Final block: remaining bytes, then Keccak padding 0x01 ... 0x80.
        Span<byte> last = stackalloc byte[Rate];
        last.Clear();
        data.CopyTo(last);
        last[data.Length] ^= 0x01;
        last[Rate - 1] ^= 0x80;
        AbsorbBlock(state, last);
        Permute(state);

        BinaryPrimitives.WriteUInt64LittleEndian(dest32, state[0]);
        BinaryPrimitives.WriteUInt64LittleEndian(dest32[8..], state[1]);
        BinaryPrimitives.WriteUInt64LittleEndian(dest32[16..], state[2]);
        BinaryPrimitives.WriteUInt64LittleEndian(dest32[24..], state[3]);
    }

    /// <summary>Convenience overload that allocates the 32-byte result. Off the hot path.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var result = new byte[HashSize];
        Hash(data, result);
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AbsorbBlock(Span<ulong> state, ReadOnlySpan<byte> block)
    {
        for (int i = 0; i < RateLanes; i++)
        {
            state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(i * 8, 8));
        }
    }

    [SkipLocalsInit]
    private static void Permute(Span<ulong> s)
    {
        // 25 lanes in locals; theta, then rho+pi in place along pi's single 24-cycle, then chi row by row.
        // Fewer live temporaries than a separate B[25] set, so the JIT spills less.
        ulong a00 = s[0], a01 = s[1], a02 = s[2], a03 = s[3], a04 = s[4], a05 = s[5], a06 = s[6], a07 = s[7], a08 = s[8], a09 = s[9], a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
        ulong c0, c1, c2, c3, c4, d, t, u;
        ulong[] rc = s_roundConstants;
        for (int round = 0; round < 24; round++)
        {
            c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            d = c4 ^ BitOperations.RotateLeft(c1, 1);
            a00 ^= d; a05 ^= d; a10 ^= d; a15 ^= d; a20 ^= d;
            d = c0 ^ BitOperations.RotateLeft(c2, 1);
            a01 ^= d; a06 ^= d; a11 ^= d; a16 ^= d; a21 ^= d;
            d = c1 ^ BitOperations.RotateLeft(c3, 1);
            a02 ^= d; a07 ^= d; a12 ^= d; a17 ^= d; a22 ^= d;
            d = c2 ^ BitOperations.RotateLeft(c4, 1);
            a03 ^= d; a08 ^= d; a13 ^= d; a18 ^= d; a23 ^= d;
            d = c3 ^ BitOperations.RotateLeft(c0, 1);
            a04 ^= d; a09 ^= d; a14 ^= d; a19 ^= d; a24 ^= d;
            t = a01;
            u = a10; a10 = BitOperations.RotateLeft(t, 1); t = u;
            u = a07; a07 = BitOperations.RotateLeft(t, 3); t = u;
            u = a11; a11 = BitOperations.RotateLeft(t, 6); t = u;
            u = a17; a17 = BitOperations.RotateLeft(t, 10); t = u;
            u = a18; a18 = BitOperations.RotateLeft(t, 15); t = u;
            u = a03; a03 = BitOperations.RotateLeft(t, 21); t = u;
            u = a05; a05 = BitOperations.RotateLeft(t, 28); t = u;
            u = a16; a16 = BitOperations.RotateLeft(t, 36); t = u;
            u = a08; a08 = BitOperations.RotateLeft(t, 45); t = u;
            u = a21; a21 = BitOperations.RotateLeft(t, 55); t = u;
            u = a24; a24 = BitOperations.RotateLeft(t, 2); t = u;
            u = a04; a04 = BitOperations.RotateLeft(t, 14); t = u;
            u = a15; a15 = BitOperations.RotateLeft(t, 27); t = u;
            u = a23; a23 = BitOperations.RotateLeft(t, 41); t = u;
            u = a19; a19 = BitOperations.RotateLeft(t, 56); t = u;
            u = a13; a13 = BitOperations.RotateLeft(t, 8); t = u;
            u = a12; a12 = BitOperations.RotateLeft(t, 25); t = u;
            u = a02; a02 = BitOperations.RotateLeft(t, 43); t = u;
            u = a20; a20 = BitOperations.RotateLeft(t, 62); t = u;
            u = a14; a14 = BitOperations.RotateLeft(t, 18); t = u;
            u = a22; a22 = BitOperations.RotateLeft(t, 39); t = u;
            u = a09; a09 = BitOperations.RotateLeft(t, 61); t = u;
            u = a06; a06 = BitOperations.RotateLeft(t, 20); t = u;
            u = a01; a01 = BitOperations.RotateLeft(t, 44); t = u;
            c0 = a00; c1 = a01; c2 = a02; c3 = a03; c4 = a04;
            a00 = c0 ^ (~c1 & c2);
            a01 = c1 ^ (~c2 & c3);
            a02 = c2 ^ (~c3 & c4);
            a03 = c3 ^ (~c4 & c0);
            a04 = c4 ^ (~c0 & c1);
            c0 = a05; c1 = a06; c2 = a07; c3 = a08; c4 = a09;
            a05 = c0 ^ (~c1 & c2);
            a06 = c1 ^ (~c2 & c3);
            a07 = c2 ^ (~c3 & c4);
            a08 = c3 ^ (~c4 & c0);
            a09 = c4 ^ (~c0 & c1);
            c0 = a10; c1 = a11; c2 = a12; c3 = a13; c4 = a14;
            a10 = c0 ^ (~c1 & c2);
            a11 = c1 ^ (~c2 & c3);
            a12 = c2 ^ (~c3 & c4);
            a13 = c3 ^ (~c4 & c0);
            a14 = c4 ^ (~c0 & c1);
            c0 = a15; c1 = a16; c2 = a17; c3 = a18; c4 = a19;
            a15 = c0 ^ (~c1 & c2);
            a16 = c1 ^ (~c2 & c3);
            a17 = c2 ^ (~c3 & c4);
            a18 = c3 ^ (~c4 & c0);
            a19 = c4 ^ (~c0 & c1);
            c0 = a20; c1 = a21; c2 = a22; c3 = a23; c4 = a24;
            a20 = c0 ^ (~c1 & c2);
            a21 = c1 ^ (~c2 & c3);
            a22 = c2 ^ (~c3 & c4);
            a23 = c3 ^ (~c4 & c0);
            a24 = c4 ^ (~c0 & c1);
            a00 ^= rc[round];
        }

        s[0] = a00;
        s[1] = a01;
        s[2] = a02;
        s[3] = a03;
        s[4] = a04;
        s[5] = a05;
        s[6] = a06;
        s[7] = a07;
        s[8] = a08;
        s[9] = a09;
        s[10] = a10;
        s[11] = a11;
        s[12] = a12;
        s[13] = a13;
        s[14] = a14;
        s[15] = a15;
        s[16] = a16;
        s[17] = a17;
        s[18] = a18;
        s[19] = a19;
        s[20] = a20;
        s[21] = a21;
        s[22] = a22;
        s[23] = a23;
        s[24] = a24;
    }
}
