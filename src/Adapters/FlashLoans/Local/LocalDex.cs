using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;
using LowLatency.HotPath.Amm;

namespace LowLatency.Adapters.FlashLoans.Local;

/// <summary>
/// Tokens and real Uniswap pools on a local chain from the npm artifacts: WETH9 (v2-periphery), the v2-core ERC20,
/// UniswapV2Factory pairs and UniswapV3Factory pools (liquidity minted through contracts/DevLiquidity.sol).
/// </summary>
public sealed class LocalDex
{
    public static readonly AbiFunction Transfer = AbiFunction.Parse("transfer(address,uint256)(bool)");
    public static readonly AbiFunction BalanceOf = AbiFunction.Parse("balanceOf(address)(uint256)");
    public static readonly AbiFunction Allowance = AbiFunction.Parse("allowance(address,address)(uint256)");
    public static readonly AbiFunction Token0 = AbiFunction.Parse("token0()(address)");
    public static readonly AbiFunction GetReserves = AbiFunction.Parse("getReserves()(uint112,uint112,uint32)");
    public static readonly AbiFunction Slot0 = AbiFunction.Parse("slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)");
    public static readonly AbiFunction Liquidity = AbiFunction.Parse("liquidity()(uint128)");
    private static readonly AbiFunction s_deposit = AbiFunction.Parse("deposit()");
    private static readonly AbiFunction s_createPair = AbiFunction.Parse("createPair(address,address)(address)");
    private static readonly AbiFunction s_getPair = AbiFunction.Parse("getPair(address,address)(address)");
    private static readonly AbiFunction s_v2Mint = AbiFunction.Parse("mint(address)(uint256)");
    private static readonly AbiFunction s_createPool = AbiFunction.Parse("createPool(address,address,uint24)(address)");
    private static readonly AbiFunction s_getPool = AbiFunction.Parse("getPool(address,address,uint24)(address)");
    private static readonly AbiFunction s_initialize = AbiFunction.Parse("initialize(uint160)");
    private static readonly AbiFunction s_v3Mint = AbiFunction.Parse("mint(address,int24,int24,uint128)(uint256,uint256)");

    private readonly LocalChain _chain;
    private Address _v2Factory;
    private Address _v3Factory;
    private Address _liquidity;

    public LocalDex(LocalChain chain) => _chain = chain;

    public async Task<Address> DeployWethAsync(UInt256 wrap)
    {
        Address weth = await _chain.DeployAsync("WETH9", _chain.Artifact("@uniswap/v2-periphery/build/WETH9.json"));
        await _chain.SendAsync("WETH deposit", weth, s_deposit.EncodeCall(), 100_000, wrap);
        return weth;
    }

    public Task<Address> DeployTokenAsync(UInt256 supply) =>
        _chain.DeployAsync("ERC20", _chain.Artifact("@uniswap/v2-core/build/ERC20.json"), LocalChain.Arguments("(uint256)", AbiValue.UInt(supply)));

    /// <summary>A V2 pair of <paramref name="a"/> and <paramref name="b"/> holding the given reserves.</summary>
    public async Task<Address> CreateV2PairAsync(Address a, UInt256 amountA, Address b, UInt256 amountB)
    {
        if (_v2Factory == default)
        {
            _v2Factory = await _chain.DeployAsync("UniswapV2Factory", _chain.Artifact("@uniswap/v2-core/build/UniswapV2Factory.json"),
                LocalChain.Arguments("(address)", AbiValue.FromAddress(_chain.From)));
        }

        await _chain.SendAsync("createPair", _v2Factory, s_createPair.EncodeCall(AbiValue.FromAddress(a), AbiValue.FromAddress(b)), 5_000_000);
        Address pair = (await _chain.ReadAsync(_v2Factory, s_getPair, AbiValue.FromAddress(a), AbiValue.FromAddress(b)))[0].AddressValue;
        await _chain.SendAsync("fund pair", a, Transfer.EncodeCall(AbiValue.FromAddress(pair), AbiValue.UInt(amountA)));
        await _chain.SendAsync("fund pair", b, Transfer.EncodeCall(AbiValue.FromAddress(pair), AbiValue.UInt(amountB)));
        await _chain.SendAsync("pair mint", pair, s_v2Mint.EncodeCall(AbiValue.FromAddress(_chain.From)));
        return pair;
    }

    /// <summary>A V3 pool at <paramref name="sqrtPriceX96"/> with <paramref name="liquidity"/> over [lower, upper].</summary>
    public async Task<Address> CreateV3PoolAsync(Address a, Address b, uint fee, UInt256 sqrtPriceX96, int tickLower, int tickUpper, UInt128 liquidity, UInt256 fundA, UInt256 fundB)
    {
        if (_v3Factory == default)
        {
            _v3Factory = await _chain.DeployAsync("UniswapV3Factory", _chain.Artifact("@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json"));
            _liquidity = await _chain.DeployAsync("DevLiquidity", ExecutorArtifact.DevLiquidity.CreationCode);
        }

        await _chain.SendAsync("createPool", _v3Factory, s_createPool.EncodeCall(AbiValue.FromAddress(a), AbiValue.FromAddress(b), AbiValue.UInt(fee)), 7_000_000);
        Address pool = (await _chain.ReadAsync(_v3Factory, s_getPool, AbiValue.FromAddress(a), AbiValue.FromAddress(b), AbiValue.UInt(fee)))[0].AddressValue;
        await _chain.SendAsync("initialize", pool, s_initialize.EncodeCall(AbiValue.UInt(sqrtPriceX96)));
        await _chain.SendAsync("fund helper", a, Transfer.EncodeCall(AbiValue.FromAddress(_liquidity), AbiValue.UInt(fundA)));
        await _chain.SendAsync("fund helper", b, Transfer.EncodeCall(AbiValue.FromAddress(_liquidity), AbiValue.UInt(fundB)));
        await _chain.SendAsync("v3 mint", _liquidity, s_v3Mint.EncodeCall(AbiValue.FromAddress(pool), AbiValue.Int(tickLower), AbiValue.Int(tickUpper), AbiValue.UInt(new UInt256((ulong)liquidity, (ulong)(liquidity >> 64), 0, 0))));
        return pool;
    }

    /// <summary>A V2 pair's reserves as our maths' state (0.3 % fee).</summary>
    public async Task<V2PoolState> ReadV2Async(Address pair)
    {
        IReadOnlyList<AbiValue> r = await _chain.ReadAsync(pair, GetReserves);
        return new V2PoolState { Reserve0 = r[0].Word, Reserve1 = r[1].Word, FeeBps = 30 };
    }

    public Task<UInt256> BalanceAsync(Address token, Address owner) => _chain.ReadUIntAsync(token, BalanceOf, AbiValue.FromAddress(owner));
}
