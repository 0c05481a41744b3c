using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Ethereum;
using Org.BouncyCastle.Crypto.Digests;

namespace LowLatency.Benchmarks.Ethereum;

/// <summary>keccak256 of 200 bytes (about a Flashbots body hash or a small calldata): ours (stack state, unrolled) vs BouncyCastle's KeccakDigest.</summary>
[MemoryDiagnoser]
public class Keccak256Benchmarks
{
    private readonly byte[] _data = new byte[200];
    private readonly byte[] _hash = new byte[32];

    [GlobalSetup]
    public void Setup() => new Random(200).NextBytes(_data);

    [Benchmark(Baseline = true)]
    public byte BouncyCastle()
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(_data, 0, _data.Length);
        digest.DoFinal(_hash, 0);
        return _hash[0];
    }

    [Benchmark]
    public byte Ours()
    {
        Keccak256.Hash(_data, _hash);
        return _hash[0];
    }
}
