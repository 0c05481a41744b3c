using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Book;

/// <summary>
/// CRC-32 (ISO 3309 / zlib: reflected polynomial 0xEDB88320), the checksum OKX and Kraken put on their books.
/// System.IO.Hashing is not in the BCL, so this is a table implementation, slicing by 8 bytes (8 × 256 entries built
/// once). Allocation-free; any thread. One shot: <see cref="Compute"/>; incremental: <see cref="Begin"/>,
/// <see cref="Append(uint, ReadOnlySpan{byte})"/>…, <see cref="End"/>.
/// </summary>
public static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The running value before any byte.</summary>
    public const uint Begin = 0xFFFFFFFFu;

    /// <summary>Feeds bytes into a running value.</summary>
    public static uint Append(uint running, ReadOnlySpan<byte> bytes)
    {
        uint[] t = s_table;
        while (bytes.Length >= 8)
        {
            uint one = BinaryPrimitives.ReadUInt32LittleEndian(bytes) ^ running;
            uint two = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
            running = t[(7 * 256) + (one & 0xFF)] ^ t[(6 * 256) + ((one >> 8) & 0xFF)]
                    ^ t[(5 * 256) + ((one >> 16) & 0xFF)] ^ t[(4 * 256) + (one >> 24)]
                    ^ t[(3 * 256) + (two & 0xFF)] ^ t[(2 * 256) + ((two >> 8) & 0xFF)]
                    ^ t[256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
            bytes = bytes[8..];
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            running = t[(byte)(running ^ bytes[i])] ^ (running >> 8);
        }

        return running;
    }

    /// <summary>Feeds one byte into a running value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Append(uint running, byte value) => s_table[(byte)(running ^ value)] ^ (running >> 8);

    /// <summary>The final checksum of a running value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint End(uint running) => ~running;

    /// <summary>CRC-32 of a whole buffer.</summary>
    public static uint Compute(ReadOnlySpan<byte> bytes) => End(Append(Begin, bytes));

    private static uint[] BuildTable()
    {
        // Slice 0 is the classic byte table; slice k advances slice k-1 by one more zero byte.
        var table = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        for (int slice = 1; slice < 8; slice++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = table[((slice - 1) * 256) + n];
                table[(slice * 256) + n] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }

        return table;
    }
}
