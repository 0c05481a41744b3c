namespace LowLatency.Adapters.Ethereum.Tests.Primitives;

/// <summary>
/// The UInt256 tests moved with the type to LowLatency.HotPath.Tests; this random generator stays here for the RLP and
/// transaction property tests that draw values from it.
/// </summary>
internal static class UInt256Tests
{
    /// <summary>Random values biased to edge cases: zero/max limbs, small values, single limbs.</summary>
    internal static UInt256 RandomValue(Random rng)
    {
        ulong Limb() => rng.Next(6) switch
        {
            0 => 0,
            1 => ulong.MaxValue,
            2 => (ulong)rng.Next(1, 1000),
            3 => 1UL << rng.Next(64),
            _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40),
        };

        return rng.Next(8) switch
        {
            0 => new UInt256(Limb()),
            1 => new UInt256(Limb(), Limb()),
            2 => new UInt256(Limb(), Limb(), Limb()),
            _ => new UInt256(Limb(), Limb(), Limb(), Limb()),
        };
    }
}
