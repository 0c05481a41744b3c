using System.Numerics;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.FlashLoans;
using Nethereum.Model;
using Nethereum.Signer;

namespace LowLatency.Adapters.Flashbots.Tests.Unit;

/// <summary>Nethereum 6.1 as an independent oracle: it signs the executor call we sign, and the bytes must be equal.</summary>
public sealed class NethereumOracleTests
{
    private const string KeyHex = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    [Theory]
    [InlineData(0UL, 1UL)]
    [InlineData(7UL, 31337UL)]
    [InlineData(123456UL, 1UL)]
    public void Nethereum_signs_the_same_executor_transaction_byte_for_byte(ulong nonce, ulong chainId)
    {
        var route = new FlashRoute { Asset = Address.Parse("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"), Amount = 2_213_817_057_449_086_601UL };
        route.TryAdd(new RouteHop(Address.Parse("0x11b815efb8f581194ae79006d24e0d814b7697f6"), PoolKind.UniswapV3, false, route.Asset, route.Amount, 6_900_000_000_000_000_000UL));
        route.TryAdd(new RouteHop(Address.Parse("0x0d4a11d5eeaac28ec3f61d100daf4d40471f1852"), PoolKind.UniswapV2, true, Address.Parse("0xdac17f958d2ee523a2206206994597c13d831ec7"), 6_900_000_000_000_000_000UL, 2_264_000_000_000_000_000UL));
        Address executor = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
        var factory = new BundleFactory(new EthSigner(PrivateKey.FromHex(KeyHex)), executor, chainId);
        Assert.True(factory.Build(route, 25_000UL, 1_000, nonce, 600_000, 60_000_000_000UL, 1_000_000_000UL));

        var data = new byte[ExecutorCalldata.LengthFor(2)];
        ExecutorCalldata.Write(route, 25_000UL, 1_000, data);
        var tx = new Transaction1559(new BigInteger(chainId), new BigInteger(nonce), new BigInteger(1_000_000_000UL), new BigInteger(60_000_000_000UL),
            new BigInteger(600_000), executor.ToString(), BigInteger.Zero, Hex.Encode(data), []);
        string theirs = new Transaction1559Signer().SignTransaction(KeyHex, tx);
        Assert.Equal(Hex.Encode(factory.RawTransaction), theirs.StartsWith("0x", StringComparison.Ordinal) ? theirs : "0x" + theirs);
    }
}
