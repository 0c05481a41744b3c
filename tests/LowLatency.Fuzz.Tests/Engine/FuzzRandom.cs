namespace LowLatency.Fuzz.Tests.Engine;

/// <summary>
/// xorshift64* seeded through splitmix64: small, fast and the same on every platform, so a (seed, target, case) triple
/// always produces the same input. Not thread-safe; one per case.
/// </summary>
internal sealed class FuzzRandom
{
    private ulong _state;

    public FuzzRandom(ulong seed)
    {
        _state = SplitMix(seed);
        if (_state == 0)
        {
            _state = 0x9E3779B97F4A7C15UL;
        }
    }

    /// <summary>The generator of one case: depends only on the run seed, the target's name and the case index.</summary>
    public static FuzzRandom ForCase(ulong runSeed, string target, long caseIndex) =>
        new(SplitMix(runSeed ^ SplitMix(StableHash(target) ^ SplitMix((ulong)caseIndex))));

    public ulong NextUInt64()
    {
        ulong x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>Uniform in [0, maxExclusive); 0 when maxExclusive ≤ 1.</summary>
    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>Uniform in [minInclusive, maxExclusive).</summary>
    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>True with probability 1/<paramref name="oneIn"/>.</summary>
    public bool OneIn(int oneIn) => Next(oneIn) == 0;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public byte NextByte() => (byte)NextUInt64();

    /// <summary>Small numbers are much likelier than large ones (lengths, repeat counts).</summary>
    public int Skewed(int max)
    {
        int bits = Next(1, 1 + (int)Math.Log2(Math.Max(2, max)) + 1);
        return Math.Min(max, Next(1 << Math.Min(bits, 30)));
    }

    /// <summary>FNV-1a over the name: stable across processes (string.GetHashCode is randomised).</summary>
    public static ulong StableHash(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
