using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Benchmarks.Ethereum;

/// <summary>secp256k1 sign with recovery id (RFC 6979, low-s) of a 32-byte hash: libsecp256k1 via P/Invoke vs the BouncyCastle fallback.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private readonly byte[] _key = Hex.Decode(TestKeys.PublicExampleKeyHex);
    private readonly byte[] _hash = Keccak256.Hash("benchmark payload"u8);
    private readonly byte[] _signature = new byte[64];
    private ISecp256k1 _native = null!;
    private ISecp256k1 _bouncy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _native = Secp256k1.TryCreateNative(out ISecp256k1? native) ? native : throw new InvalidOperationException("libsecp256k1.so.1 not found (apt-get install libsecp256k1-1).");
        _bouncy = Secp256k1.CreateBouncyCastle();
    }

    [Benchmark(Baseline = true)]
    public int BouncyCastle()
    {
        _bouncy.TrySign(_hash, _key, _signature, out int recoveryId);
        return recoveryId;
    }

    [Benchmark]
    public int Native()
    {
        _native.TrySign(_hash, _key, _signature, out int recoveryId);
        return recoveryId;
    }
}
