namespace LowLatency.HotPath.Chains;

/// <summary>
/// The length FastLZ (level 1) compresses a buffer to, exactly as the OP Stack prices it after Fjord: solady's
/// <c>LibZip.flzCompress</c>, which GasPriceOracle calls, and op-geth's <c>FlzCompressLen</c>. Only the length is
/// computed (no output is written). Allocates nothing: the 8,192-entry hash table lives on the stack.
/// </summary>
public static class FastLz
{
    private const int HashTableSize = 8192;

    public static int CompressedLength(ReadOnlySpan<byte> input)
    {
        Span<uint> table = stackalloc uint[HashTableSize];
        table.Clear();
        uint length = (uint)input.Length;
        uint ipLimit = length < 13 ? 0 : length - 13;
        uint n = 0;
        uint anchor = 0;
        uint ip = 2;
        while (ip < ipLimit)
        {
            uint reference;
            while (true)
            {
                uint seq = U24(input, ip);
                uint hash = Hash(seq);
                reference = table[(int)hash];
                table[(int)hash] = ip;
                uint distance = ip - reference;
                if (ip >= ipLimit)
                {
                    break;
                }

                ip++;
                if (distance <= 0x1fff && seq == U24(input, reference))
                {
                    break;
                }
            }

            if (ip >= ipLimit)
            {
                break;
            }

            ip--;
            if (ip > anchor)
            {
                n += Literals(ip - anchor);
            }

            uint matched = Compare(input, reference + 3, ip + 3, ipLimit + 9);
            n += Match(matched);
            ip += matched;
            table[(int)Hash(U24(input, ip))] = ip;
            ip++;
            table[(int)Hash(U24(input, ip))] = ip;
            ip++;
            anchor = ip;
        }

        return (int)(n + Literals(length - anchor));
    }

    private static uint U24(ReadOnlySpan<byte> b, uint i) => b[(int)i] | ((uint)b[(int)i + 1] << 8) | ((uint)b[(int)i + 2] << 16);

    // The product wraps at 32 bits; bits 19..31 are the same as the EVM's 256-bit product's.
    private static uint Hash(uint v) => ((2654435769u * v) >> 19) & 0x1fff;

    // As solady's cmp: the count stops one past the first differing byte (the compressor's own quirk, kept for parity).
    private static uint Compare(ReadOnlySpan<byte> b, uint p, uint q, uint end)
    {
        uint l = 0;
        for (uint e = end - q; l < e; l++)
        {
            if (b[(int)(p + l)] != b[(int)(q + l)])
            {
                e = 0;
            }
        }

        return l;
    }

    private static uint Literals(uint run)
    {
        uint n = 0x21 * (run / 0x20);
        run %= 0x20;
        return run != 0 ? n + run + 1 : n;
    }

    private static uint Match(uint l)
    {
        l--;
        return (3 * (l / 262)) + (l % 262 >= 6 ? 3u : 2u);
    }
}
