using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Abi;

namespace LowLatency.Adapters.FlashLoans.Local;

/// <summary>One reserve to list: the token, its decimals, its oracle price (base currency, 8 decimals) and how much to supply.</summary>
public readonly record struct AaveReserveSpec(Address Asset, byte Decimals, UInt256 Price, UInt256 Supply);

/// <summary>
/// A real Aave V3 market on a local chain, deployed from the <c>@aave/core-v3</c> artifacts: PoolAddressesProvider,
/// ACLManager, the seven logic libraries linked into Pool and ConfiguratorLogic into PoolConfigurator (both behind the
/// provider's proxies), AToken / stable / variable debt-token implementations, an interest-rate strategy, AaveOracle
/// over one mock aggregator per asset; each reserve initialised, flash loans enabled and supplied.
/// </summary>
public sealed class AaveV3Market
{
    private const string Root = "@aave/core-v3/artifacts/contracts/";

    public static readonly AbiFunction FlashLoanPremiumTotal = AbiFunction.Parse("FLASHLOAN_PREMIUM_TOTAL()(uint128)");
    public static readonly AbiFunction GetReserveData = AbiFunction.Parse(
        "getReserveData(address)((uint256),uint128,uint128,uint128,uint128,uint128,uint40,uint16,address,address,address,address,uint128,uint128,uint128)");

    /// <summary>Aave's FlashLoan event; flashLoanSimple emits it with interestRateMode 0 (there is no FlashLoanSimple event).</summary>
    public static readonly AbiEvent FlashLoanEvent = AbiEvent.Parse(
        "FlashLoan(address indexed target,address initiator,address indexed asset,uint256 amount,uint8 interestRateMode,uint256 premium,uint16 indexed referralCode)");

    private static readonly AbiFunction s_setAclAdmin = AbiFunction.Parse("setACLAdmin(address)");
    private static readonly AbiFunction s_setAclManager = AbiFunction.Parse("setACLManager(address)");
    private static readonly AbiFunction s_addPoolAdmin = AbiFunction.Parse("addPoolAdmin(address)");
    private static readonly AbiFunction s_setPoolImpl = AbiFunction.Parse("setPoolImpl(address)");
    private static readonly AbiFunction s_getPool = AbiFunction.Parse("getPool()(address)");
    private static readonly AbiFunction s_setConfiguratorImpl = AbiFunction.Parse("setPoolConfiguratorImpl(address)");
    private static readonly AbiFunction s_getConfigurator = AbiFunction.Parse("getPoolConfigurator()(address)");
    private static readonly AbiFunction s_setPriceOracle = AbiFunction.Parse("setPriceOracle(address)");
    private static readonly AbiFunction s_initReserves = AbiFunction.Parse(
        "initReserves((address,address,address,uint8,address,address,address,address,string,string,string,string,string,string,bytes)[])");
    private static readonly AbiFunction s_setFlashLoaning = AbiFunction.Parse("setReserveFlashLoaning(address,bool)");
    private static readonly AbiFunction s_updatePremium = AbiFunction.Parse("updateFlashloanPremiumTotal(uint128)");
    private static readonly AbiFunction s_approve = AbiFunction.Parse("approve(address,uint256)(bool)");
    private static readonly AbiFunction s_supply = AbiFunction.Parse("supply(address,uint256,address,uint16)");

    private AaveV3Market(Address provider, Address pool, Address configurator, Address oracle, Address aclManager, IReadOnlyDictionary<Address, Address> aTokens)
    {
        AddressesProvider = provider;
        Pool = pool;
        Configurator = configurator;
        Oracle = oracle;
        AclManager = aclManager;
        ATokens = aTokens;
    }

    public Address AddressesProvider { get; }

    public Address Pool { get; }

    public Address Configurator { get; }

    public Address Oracle { get; }

    public Address AclManager { get; }

    /// <summary>The aToken of each listed asset (it holds the reserve's liquidity).</summary>
    public IReadOnlyDictionary<Address, Address> ATokens { get; }

    /// <summary>Deploys the market with <paramref name="premiumBps"/> as FLASHLOAN_PREMIUM_TOTAL and lists the reserves.</summary>
    public static async Task<AaveV3Market> DeployAsync(LocalChain chain, IReadOnlyList<AaveReserveSpec> reserves, uint premiumBps)
    {
        AbiValue me = AbiValue.FromAddress(chain.From);
        Address provider = await chain.DeployAsync("PoolAddressesProvider", chain.Artifact(Root + "protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json"),
            LocalChain.Arguments("(string,address)", AbiValue.FromString("LowLatency local"), me));
        await chain.SendAsync("setACLAdmin", provider, s_setAclAdmin.EncodeCall(me));
        Address acl = await chain.DeployAsync("ACLManager", chain.Artifact(Root + "protocol/configuration/ACLManager.sol/ACLManager.json"),
            LocalChain.Arguments("(address)", AbiValue.FromAddress(provider)));
        await chain.SendAsync("setACLManager", provider, s_setAclManager.EncodeCall(AbiValue.FromAddress(acl)));
        await chain.SendAsync("addPoolAdmin", acl, s_addPoolAdmin.EncodeCall(me));

        var libraries = new Dictionary<string, Address>(StringComparer.Ordinal);
        foreach (string name in new[] { "BorrowLogic", "SupplyLogic", "LiquidationLogic", "EModeLogic", "BridgeLogic", "PoolLogic", "ConfiguratorLogic" })
        {
            libraries[name] = await chain.DeployAsync(name, chain.Artifact(Root + $"protocol/libraries/logic/{name}.sol/{name}.json"));
        }

        libraries["FlashLoanLogic"] = await chain.DeployAsync("FlashLoanLogic", chain.Artifact(Root + "protocol/libraries/logic/FlashLoanLogic.sol/FlashLoanLogic.json", libraries));
        byte[] providerArgument = LocalChain.Arguments("(address)", AbiValue.FromAddress(provider));
        Address poolImpl = await chain.DeployAsync("Pool", chain.Artifact(Root + "protocol/pool/Pool.sol/Pool.json", libraries), providerArgument);
        await chain.SendAsync("setPoolImpl", provider, s_setPoolImpl.EncodeCall(AbiValue.FromAddress(poolImpl)));
        Address pool = (await chain.ReadAsync(provider, s_getPool))[0].AddressValue;
        Address configuratorImpl = await chain.DeployAsync("PoolConfigurator", chain.Artifact(Root + "protocol/pool/PoolConfigurator.sol/PoolConfigurator.json", libraries));
        await chain.SendAsync("setPoolConfiguratorImpl", provider, s_setConfiguratorImpl.EncodeCall(AbiValue.FromAddress(configuratorImpl)));
        Address configurator = (await chain.ReadAsync(provider, s_getConfigurator))[0].AddressValue;

        byte[] poolArgument = LocalChain.Arguments("(address)", AbiValue.FromAddress(pool));
        Address aTokenImpl = await chain.DeployAsync("AToken", chain.Artifact(Root + "protocol/tokenization/AToken.sol/AToken.json"), poolArgument);
        Address stableImpl = await chain.DeployAsync("StableDebtToken", chain.Artifact(Root + "protocol/tokenization/StableDebtToken.sol/StableDebtToken.json"), poolArgument);
        Address variableImpl = await chain.DeployAsync("VariableDebtToken", chain.Artifact(Root + "protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json"), poolArgument);
        UInt256 ray = UInt256.Parse("1000000000000000000000000000");
        UInt256 Percent(ulong p) => ray / 100UL * p;
        Address strategy = await chain.DeployAsync("DefaultReserveInterestRateStrategy", chain.Artifact(Root + "protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json"),
            LocalChain.Arguments("(address,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256)", AbiValue.FromAddress(provider),
                AbiValue.UInt(Percent(80)), AbiValue.UInt(UInt256.Zero), AbiValue.UInt(Percent(4)), AbiValue.UInt(Percent(75)),
                AbiValue.UInt(Percent(2)), AbiValue.UInt(Percent(75)), AbiValue.UInt(Percent(2)), AbiValue.UInt(Percent(5)), AbiValue.UInt(Percent(20))));

        var assets = new AbiValue[reserves.Count];
        var sources = new AbiValue[reserves.Count];
        var inputs = new AbiValue[reserves.Count];
        for (int i = 0; i < reserves.Count; i++)
        {
            AaveReserveSpec r = reserves[i];
            assets[i] = AbiValue.FromAddress(r.Asset);
            Address aggregator = await chain.DeployAsync("MockAggregator", chain.Artifact(Root + "mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator.json"),
                LocalChain.Arguments("(int256)", AbiValue.IntFromWord(r.Price)));
            sources[i] = AbiValue.FromAddress(aggregator);
            string n = "R" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            inputs[i] = AbiValue.Tuple(
                AbiValue.FromAddress(aTokenImpl), AbiValue.FromAddress(stableImpl), AbiValue.FromAddress(variableImpl), AbiValue.UInt(r.Decimals),
                AbiValue.FromAddress(strategy), AbiValue.FromAddress(r.Asset), me, AbiValue.FromAddress(default),
                AbiValue.FromString("Aave " + n), AbiValue.FromString("a" + n), AbiValue.FromString("Variable debt " + n), AbiValue.FromString("vd" + n),
                AbiValue.FromString("Stable debt " + n), AbiValue.FromString("sd" + n), AbiValue.FromBytes([]));
        }

        Address oracle = await chain.DeployAsync("AaveOracle", chain.Artifact(Root + "misc/AaveOracle.sol/AaveOracle.json"),
            LocalChain.Arguments("(address,address[],address[],address,address,uint256)", AbiValue.FromAddress(provider), AbiValue.Array(assets), AbiValue.Array(sources),
                AbiValue.FromAddress(default), AbiValue.FromAddress(default), AbiValue.UInt(100_000_000UL)));
        await chain.SendAsync("setPriceOracle", provider, s_setPriceOracle.EncodeCall(AbiValue.FromAddress(oracle)));
        await chain.SendAsync("initReserves", configurator, s_initReserves.EncodeCall(AbiValue.Array(inputs)), 15_000_000);
        await chain.SendAsync("updateFlashloanPremiumTotal", configurator, s_updatePremium.EncodeCall(AbiValue.UInt(premiumBps)));

        var aTokens = new Dictionary<Address, Address>();
        foreach (AaveReserveSpec r in reserves)
        {
            await chain.SendAsync("setReserveFlashLoaning", configurator, s_setFlashLoaning.EncodeCall(AbiValue.FromAddress(r.Asset), AbiValue.FromBool(true)));
            IReadOnlyList<AbiValue> data = await chain.ReadAsync(pool, GetReserveData, AbiValue.FromAddress(r.Asset));
            aTokens[r.Asset] = data[8].AddressValue;
            if (!r.Supply.IsZero)
            {
                await chain.SendAsync("approve the pool", r.Asset, s_approve.EncodeCall(AbiValue.FromAddress(pool), AbiValue.UInt(r.Supply)));
                await chain.SendAsync("supply", pool, s_supply.EncodeCall(AbiValue.FromAddress(r.Asset), AbiValue.UInt(r.Supply), me, AbiValue.UInt(0)));
            }
        }

        return new AaveV3Market(provider, pool, configurator, oracle, acl, aTokens);
    }
}
