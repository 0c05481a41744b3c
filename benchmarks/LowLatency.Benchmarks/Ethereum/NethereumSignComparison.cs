using System.Numerics;
using BenchmarkDotNet.Attributes;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.FlashLoans;
using LowLatency.Adapters.Flashbots;
using Nethereum.Model;
using Nethereum.Signer;

namespace LowLatency.Benchmarks.Ethereum;

/// <summary>
/// The executor's EIP-1559 transaction (a two-hop route, 452 B of calldata), built and signed per call: our hot path
/// (<see cref="BundleFactory.Build"/>, native libsecp256k1, preallocated buffers) against Nethereum 6.1's
/// <c>Transaction1559Signer</c> on the same fields and calldata, in the same run. The bytes are the same
/// (NethereumOracleTests); this says what each costs. Nethereum gets its key object once, as a caller would keep it.
/// </summary>
[MemoryDiagnoser]
public class NethereumSignComparison
{
    private const ulong ChainId = 1, GasLimit = 600_000;
    private static readonly UInt256 MaxFee = 60_000_000_000UL, Tip = 1_000_000_000UL, MinProfit = 25_000UL;
    private const uint BuilderBps = 1_000;

    private readonly FlashRoute _route = new();
    private PrivateKey _key = null!;
    private BundleFactory _factory = null!;
    private EthECKey _nethereumKey = null!;
    private Transaction1559Signer _nethereum = null!;
    private string _executor = null!;
    private string _calldataHex = null!;
    private ulong _nonce;

    [GlobalSetup]
    public void Setup()
    {
        _key = PrivateKey.FromHex(TestKeys.PublicExampleKeyHex);
        var signer = new EthSigner(_key, Secp256k1.TryCreateNative(out ISecp256k1? native) ? native : throw new InvalidOperationException("libsecp256k1 missing"));
        Address executor = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
        _factory = new BundleFactory(signer, executor, ChainId);
        _route.Asset = Address.Parse("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
        _route.Amount = 2_213_817_057_449_086_601UL;
        _route.TryAdd(new RouteHop(Address.Parse("0x11b815efb8f581194ae79006d24e0d814b7697f6"), PoolKind.UniswapV3, false, _route.Asset, _route.Amount, 6_900_000_000_000_000_000UL));
        _route.TryAdd(new RouteHop(Address.Parse("0x0d4a11d5eeaac28ec3f61d100daf4d40471f1852"), PoolKind.UniswapV2, true, Address.Parse("0xdac17f958d2ee523a2206206994597c13d831ec7"), 6_900_000_000_000_000_000UL, 2_264_000_000_000_000_000UL));
        byte[] calldata = new byte[ExecutorCalldata.LengthFor(_route.HopCount)];
        ExecutorCalldata.Write(_route, MinProfit, BuilderBps, calldata);
        _calldataHex = Hex.Encode(calldata);
        _executor = executor.ToLowerHexString();
        _nethereumKey = new EthECKey(TestKeys.PublicExampleKeyHex);
        _nethereum = new Transaction1559Signer();
        if (Ours() == 0 || Nethereum().Length == 0)
        {
            throw new InvalidOperationException("the executor transaction did not build");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true)]
    public string Nethereum()
    {
        var tx = new Transaction1559(ChainId, _nonce++, (BigInteger)Tip, (BigInteger)MaxFee, GasLimit, _executor, BigInteger.Zero, _calldataHex, []);
        return _nethereum.SignTransaction(_nethereumKey, tx);
    }

    [Benchmark]
    public int Ours() => _factory.Build(_route, MinProfit, BuilderBps, _nonce++, GasLimit, MaxFee, Tip) ? _factory.RawTransaction.Length : 0;
}
