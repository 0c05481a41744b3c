using System.Runtime.CompilerServices;

namespace LowLatency.HotPath.Book;

/// <summary>
/// CRC-32 (ISO 3309 / zlib: reflected polynomial 0xEDB88320), the checksum OKX and Kraken put on their books.
/// System.IO.Hashing is not in the BCL, so this is a plain 256-entry table, built once. Allocation-free; any thread.
/// Use <see cref="Begin"/>, <see cref="Append(uint, ReadOnlySpan{byte})"/>…, then <see cref="End"/>.
/// </summary>
public static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The running value before any byte.</summary>
    public const uint Begin = 0xFFFFFFFFu;

    /// <summary>Feeds bytes into a running value.</summary>
    public static uint Append(uint running, ReadOnlySpan<byte> bytes)
    {
        uint[] table = s_table;
        for (int i = 0; i < bytes.Length; i++)
        {
            running = table[(byte)(running ^ bytes[i])] ^ (running >> 8);
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
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
