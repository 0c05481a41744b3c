using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Benchmarks.Ethereum;

/// <summary>
/// Build an EIP-1559 transaction (196 B calldata: a swap-sized call, one access-list entry), sign it and serialise it into
/// a preallocated buffer: native libsecp256k1 vs the BouncyCastle backend through the same code path.
/// </summary>
[MemoryDiagnoser]
public class Eip1559SignBenchmarks
{
    private readonly byte[] _calldata = new byte[196];
    private readonly byte[] _buffer = new byte[1024];
    private PrivateKey _key = null!;
    private EthSigner _native = null!;
    private EthSigner _bouncy = null!;
    private Address _router;
    private AccessListEntry[] _accessList = null!;
    private ulong _nonce;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1559).NextBytes(_calldata);
        _key = PrivateKey.FromHex(TestKeys.PublicExampleKeyHex);
        _native = new EthSigner(_key, Secp256k1.TryCreateNative(out ISecp256k1? native) ? native : throw new InvalidOperationException("libsecp256k1 missing"));
        _bouncy = new EthSigner(_key, Secp256k1.CreateBouncyCastle());
        _router = Address.Parse("0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D");
        _accessList = [new AccessListEntry(_router, [UInt256.One, new UInt256(8)])];
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    private int BuildSignEncode(EthSigner signer)
    {
        var tx = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = UInt256.One,
            Nonce = _nonce++,
            MaxPriorityFeePerGas = 1_500_000_000,
            MaxFeePerGas = 42_000_000_000,
            GasLimit = 250_000,
            To = _router,
            Value = UInt256.Zero,
            Data = _calldata,
            AccessList = _accessList,
        };
        return TransactionSigner.SignAndEncode(tx, signer, _buffer, out _);
    }

    [Benchmark(Baseline = true)]
    public int BouncyCastle() => BuildSignEncode(_bouncy);

    [Benchmark]
    public int Native() => BuildSignEncode(_native);
}
