using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Flashbots;
using LowLatency.Adapters.Ethereum.Transactions;

namespace LowLatency.Benchmarks.Ethereum;

/// <summary>
/// The submission-side unit of work: build + sign + serialise an EIP-1559 transaction (196 B calldata, one
/// access-list entry) AND make the X-Flashbots-Signature header for a 1 KB body, native libsecp256k1 vs the
/// BouncyCastle backend through the same code. ethers v6 does the same in ethers/bench.mjs (see
/// <see cref="EthersComparison"/>); the inputs are identical and <see cref="FlashbotsSignInputs"/> builds them.
/// </summary>
[MemoryDiagnoser]
public class FlashbotsSignBenchmarks
{
    private readonly byte[] _txBuffer = new byte[1024];
    private readonly char[] _header = new char[FlashbotsAuth.HeaderLength];
    private PrivateKey _key = null!;
    private EthSigner _native = null!;
    private EthSigner _bouncy = null!;
    private FlashbotsSignInputs _inputs = null!;
    private ulong _nonce;

    [GlobalSetup]
    public void Setup()
    {
        _inputs = new FlashbotsSignInputs();
        _key = PrivateKey.FromHex(FlashbotsSignInputs.Key);
        _native = new EthSigner(_key, Secp256k1.TryCreateNative(out ISecp256k1? native) ? native : throw new InvalidOperationException("libsecp256k1 missing"));
        _bouncy = new EthSigner(_key, Secp256k1.CreateBouncyCastle());
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true)]
    public int BouncyCastle() => SignBundle(_bouncy);

    [Benchmark]
    public int Native() => SignBundle(_native);

    private int SignBundle(EthSigner signer)
    {
        var written = _inputs.SignTransaction(signer, _nonce++, _txBuffer);
        return written + FlashbotsAuth.WriteHeader(signer, _inputs.Body, _header);
    }
}

/// <summary>The fixed inputs shared by <see cref="FlashbotsSignBenchmarks"/> and ethers/bench.mjs.</summary>
public sealed class FlashbotsSignInputs
{
    public const string Key = TestKeys.PublicExampleKeyHex;

    public FlashbotsSignInputs()
    {
        for (var i = 0; i < Calldata.Length; i++)
        {
            Calldata[i] = (byte)((i * 7) + 3);
        }

        for (var i = 0; i < Body.Length; i++)
        {
            Body[i] = (byte)('a' + (i % 26));
        }

        Router = Address.Parse("0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D");
        AccessList = [new AccessListEntry(Router, [UInt256.One, new UInt256(8)])];
    }

    /// <summary>196 B of calldata: byte i = (i * 7 + 3) mod 256.</summary>
    public byte[] Calldata { get; } = new byte[196];

    /// <summary>1 KB body: byte i = 'a' + i mod 26.</summary>
    public byte[] Body { get; } = new byte[1024];

    public Address Router { get; }

    public AccessListEntry[] AccessList { get; }

    /// <summary>Builds, signs and encodes the EIP-1559 transaction into <paramref name="dest"/>; returns its length.</summary>
    public int SignTransaction(EthSigner signer, ulong nonce, Span<byte> dest)
    {
        var tx = new Transaction
        {
            Type = TxType.DynamicFee,
            ChainId = UInt256.One,
            Nonce = nonce,
            MaxPriorityFeePerGas = 1_500_000_000,
            MaxFeePerGas = 42_000_000_000,
            GasLimit = 250_000,
            To = Router,
            Value = UInt256.Zero,
            Data = Calldata,
            AccessList = AccessList,
        };
        return TransactionSigner.SignAndEncode(tx, signer, dest, out _);
    }
}
