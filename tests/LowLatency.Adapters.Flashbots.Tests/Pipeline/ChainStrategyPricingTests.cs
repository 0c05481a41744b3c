using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;

namespace LowLatency.Adapters.Flashbots.Tests.Pipeline;

/// <summary>Tokens without a given price are priced by the graph from the pools that pair them with a priced one.</summary>
public sealed class ChainStrategyPricingTests
{
    private static readonly UInt256 s_e18 = 1_000_000_000_000_000_000UL;
    private static readonly Address Usdc = Address.Parse("0x1000000000000000000000000000000000000001");
    private static readonly Address Weth = Address.Parse("0x2000000000000000000000000000000000000002");
    private static readonly Address Tkn = Address.Parse("0x3000000000000000000000000000000000000003");
    private static readonly Address Lone0 = Address.Parse("0x4000000000000000000000000000000000000004");
    private static readonly Address Lone1 = Address.Parse("0x5000000000000000000000000000000000000005");

    [Fact]
    public void Each_token_is_priced_through_the_pools_from_the_given_prices_and_one_no_pool_reaches_is_named()
    {
        DexPool usdcWeth = V2(0xA1, Usdc, Weth, new UInt256(2_000_000UL * 1_000_000UL), s_e18 * 1_000UL); // 2,000 USDC per WETH
        DexPool wethTkn = V2(0xA2, Weth, Tkn, s_e18 * 10UL, s_e18 * 40UL); // 4 TKN per WETH
        DexPool lone = V2(0xA3, Lone0, Lone1, s_e18, s_e18);
        ChainStrategy strategy = Compose([wethTkn, usdcWeth, lone]);

        Assert.Equal([Lone0, Lone1], strategy.Unpriced);
        Assert.Equal(1, strategy.Price(Usdc));
        Assert.Equal(0, strategy.Price(Weth));

        // The first step: WETH from the USDC pair, TKN from WETH's pool (listed first: it follows at the next block).
        strategy.Publish([wethTkn, usdcWeth, lone], 1);
        Assert.Equal(2_000, strategy.Price(Weth), 6);
        Assert.Equal(0, strategy.Price(Tkn));
        strategy.Publish([wethTkn, usdcWeth, lone], 2);
        Assert.Equal(500, strategy.Price(Tkn), 6);

        // WETH moves to 2,500 USDC: both follow.
        usdcWeth.V2.Reserve0 = new UInt256(2_500_000UL * 1_000_000UL);
        strategy.Publish([wethTkn, usdcWeth, lone], 3);
        strategy.Publish([wethTkn, usdcWeth, lone], 4);
        Assert.Equal(2_500, strategy.Price(Weth), 6);
        Assert.Equal(625, strategy.Price(Tkn), 6);
        Assert.Equal(0, strategy.Price(Lone0));
    }

    private static DexPool V2(byte tag, Address token0, Address token1, UInt256 reserve0, UInt256 reserve1)
    {
        var address = new byte[20];
        address[19] = tag;
        return DexPool.UniswapV2(new Address(address), token0, token1, new V2PoolState { Reserve0 = reserve0, Reserve1 = reserve1, FeeBps = 30 });
    }

    private static ChainStrategy Compose(DexPool[] pools)
    {
        var signer = new EthSigner(PrivateKey.FromHex("0x" + new string('4', 64)));
        var nonces = new NonceManager(signer.Address, _ => Task.FromResult(RpcResult<ulong>.Ok(0)));
        Assert.True(nonces.InitialiseAsync().GetAwaiter().GetResult().IsOk);
        var factory = new BundleFactory(signer, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), 1);
        var decimals = new Dictionary<Address, int> { [Usdc] = 6, [Weth] = 18, [Tkn] = 18, [Lone0] = 18, [Lone1] = 18 };
        var price = new Dictionary<Address, double> { [Usdc] = 1 };
        ChainGas gas = ChainStrategy.MeasuredGas(1e9, 1e9, 5, 0);
        return new ChainStrategy(pools, decimals, price, in gas, factory, nonces, Weth, 1_000);
    }
}
