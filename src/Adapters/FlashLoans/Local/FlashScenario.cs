using System.Numerics;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.FlashLoans.Local;

/// <summary>
/// The flash-loan scene on a local chain, shared by the demo and the tests: WETH and a token (TKN), an Aave V3 market
/// lending both, a Uniswap V2 WETH/TKN pair and a V3 0.05 % WETH/TKN pool quoting different prices, and the executor
/// owned by the trading account. <see cref="ReadPoolsAsync"/> reads the pools' state back into our exact maths.
/// </summary>
public sealed class FlashScenario
{
    public const uint V3Fee = 500;
    public const int V3TickSpacing = 10;
    public const int V3TickLower = -887270;
    public const int V3TickUpper = 887270;
    public static readonly UInt256 Ether = 1_000_000_000_000_000_000UL;
    private static readonly AbiFunction s_ticks = AbiFunction.Parse("ticks(int24)(uint128,int128,uint256,uint256,int56,uint160,uint32,bool)");

    private FlashScenario(LocalChain chain, LocalDex dex, AaveV3Market aave, Address weth, Address token, Address pair, Address pool, Address executor, uint premiumBps)
    {
        Chain = chain;
        Dex = dex;
        Aave = aave;
        Weth = weth;
        Token = token;
        V2Pair = pair;
        V3Pool = pool;
        Executor = executor;
        PremiumBps = premiumBps;
    }

    public LocalChain Chain { get; }

    public LocalDex Dex { get; }

    public AaveV3Market Aave { get; }

    public Address Weth { get; }

    public Address Token { get; }

    public Address V2Pair { get; }

    public Address V3Pool { get; }

    public Address Executor { get; }

    /// <summary>FLASHLOAN_PREMIUM_TOTAL as read back from the pool (basis points).</summary>
    public uint PremiumBps { get; }

    /// <summary>
    /// Deploys the scene. The V2 pair prices TKN at <paramref name="v2Price"/> per WETH, the V3 pool at
    /// <paramref name="v3Price"/>; equal prices make a scene with nothing to capture. <paramref name="tokenDecimals"/>: the
    /// token's unit (6 makes it a USDC: its amounts are in millionths; the ERC20's own <c>decimals()</c> says 18, and no
    /// pool, Aave or our engine reads it).
    /// </summary>
    public static async Task<FlashScenario> DeployAsync(LocalChain chain, ulong v2Price = 3000, ulong v3Price = 3150, uint premiumBps = 5, int tokenDecimals = 18)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenDecimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tokenDecimals, 18);
        BigInteger unit = BigInteger.Pow(10, tokenDecimals);
        UInt256 tokenUnit = UInt256.FromBigInteger(unit);
        var dex = new LocalDex(chain);
        Address weth = await dex.DeployWethAsync(Ether * 3000UL);
        Address token = await dex.DeployTokenAsync(tokenUnit * 100_000_000UL);
        AaveV3Market aave = await AaveV3Market.DeployAsync(chain,
            [new AaveReserveSpec(weth, 18, 3000UL * 100_000_000UL, Ether * 1000UL), new AaveReserveSpec(token, (byte)tokenDecimals, 100_000_000UL, tokenUnit * 1_000_000UL)],
            premiumBps);
        Address pair = await dex.CreateV2PairAsync(weth, Ether * 200UL, token, tokenUnit * (200UL * v2Price));

        // Full-range liquidity worth about 200 WETH at the V3 price: L = sqrt(x·y), the price in raw units (token per wei).
        bool wethIsToken0 = weth.ToArray().AsSpan().SequenceCompareTo(token.ToArray()) < 0;
        BigInteger q192 = BigInteger.One << 192;
        BigInteger ether = Ether.ToBigInteger();
        BigInteger ratioX192 = wethIsToken0 ? q192 * v3Price * unit / ether : q192 * ether / (v3Price * unit);
        UInt256 sqrtPrice = UInt256.FromBigInteger(Sqrt(ratioX192));
        BigInteger l = Sqrt(200 * ether * (200 * unit * v3Price));
        Address pool = await dex.CreateV3PoolAsync(weth, token, V3Fee, sqrtPrice, V3TickLower, V3TickUpper, (UInt128)l,
            Ether * 250UL, tokenUnit * (250UL * v3Price));

        Address executor = await chain.DeployAsync("FlashArbExecutor", ExecutorArtifact.Executor.CreationCode,
            LocalChain.Arguments("(address,address)", AbiValue.FromAddress(aave.Pool), AbiValue.FromAddress(weth)));
        uint premium = (uint)(ulong)await chain.ReadUIntAsync(aave.Pool, AaveV3Market.FlashLoanPremiumTotal);
        return new FlashScenario(chain, dex, aave, weth, token, pair, pool, executor, premium);
    }

    /// <summary>Both pools' on-chain state as our maths' pools (V2 reserves; V3 slot0, liquidity and the position's ticks).</summary>
    public async Task<(DexPool V2, DexPool V3)> ReadPoolsAsync()
    {
        Address token0 = (await Chain.ReadAsync(V2Pair, LocalDex.Token0))[0].AddressValue;
        Address token1 = token0 == Weth ? Token : Weth;
        V2PoolState reserves = await Dex.ReadV2Async(V2Pair);
        var v3 = new V3Pool(V3Fee, V3TickSpacing);
        IReadOnlyList<AbiValue> slot0 = await Chain.ReadAsync(V3Pool, LocalDex.Slot0);
        UInt256 liquidity = await Chain.ReadUIntAsync(V3Pool, LocalDex.Liquidity);
        ref V3PoolState state = ref v3.State;
        state.SqrtPriceX96 = slot0[0].Word;
        state.Tick = (int)(long)Int256.FromBits(slot0[1].Word);
        state.Liquidity = (UInt128)liquidity.ToBigInteger();
        foreach (int tick in new[] { V3TickLower, V3TickUpper })
        {
            IReadOnlyList<AbiValue> info = await Chain.ReadAsync(V3Pool, s_ticks, AbiValue.Int(tick));
            V3Status status = v3.Ticks.SetTick(tick, new V3TickInfo((UInt128)info[0].Word.ToBigInteger(), (Int128)info[1].Integer));
            if (status != V3Status.Ok)
            {
                throw new LocalChainException("tick " + tick + ": " + status);
            }
        }

        return (DexPool.UniswapV2(V2Pair, token0, token1, reserves), DexPool.UniswapV3(V3Pool, token0, token1, v3));
    }

    private static BigInteger Sqrt(BigInteger n)
    {
        if (n < 2)
        {
            return n;
        }

        // Newton's method from above: x only falls until it is floor(sqrt(n)).
        BigInteger x = BigInteger.One << (int)((n.GetBitLength() / 2) + 1);
        while (true)
        {
            BigInteger next = (x + (n / x)) / 2;
            if (next >= x)
            {
                break;
            }

            x = next;
        }

        return x;
    }
}
