using System.Globalization;
using LowLatency.Adapters.Ethereum;

namespace LowLatency.Host.Configuration;

/// <summary>
/// One chain the engine follows: its id, the environment variable that holds its RPC URL (never the URL itself: it
/// usually carries an API key), block time, native token, tokens with decimals, pools and the Aave V3 pool. Gas is not
/// configured: it is read on-chain (<see cref="GasModel"/> says how).
/// </summary>
public sealed record ChainOptions
{
    public ulong ChainId { get; init; }

    /// <summary>Name of the environment variable with the node's URL (ws://, wss://, http:// or https://).</summary>
    public string RpcUrlVariable { get; init; } = "";

    public int BlockTimeMs { get; init; }

    public string NativeToken { get; init; } = "";

    /// <summary><c>eip1559</c>, <c>arbitrum</c> (ArbGasInfo L1 component) or <c>op-stack</c> (GasPriceOracle L1 data fee).</summary>
    public string GasModel { get; init; } = "eip1559";

    public IReadOnlyDictionary<string, TokenOptions> Tokens { get; init; } = new Dictionary<string, TokenOptions>();

    public IReadOnlyList<PoolOptions> Pools { get; init; } = [];

    /// <summary>Aave V3 Pool (flash loans; its FLASHLOAN_PREMIUM_TOTAL is read on-chain).</summary>
    public string AavePool { get; init; } = "";

    /// <summary>
    /// Our deployed executor contract (contracts/, owned by the trading key); empty: nothing is executed on this chain.
    /// Where set, <c>run --live --execute</c> follows this chain's pools over the node's WebSocket and sends its
    /// flash-loan bundles to the relays of <c>flashbots.relays</c>.
    /// </summary>
    public string Executor { get; init; } = "";

    /// <summary>
    /// The safety guard's gas price cap, in gwei: while the head's base fee is above it, nothing is signed on this chain
    /// (a spike means the cost model and the relays' simulation race the block). Left out: the chain's default
    /// (<see cref="DefaultMaxBaseFeeGwei"/>).
    /// </summary>
    public double? MaxBaseFeeGwei { get; init; }

    /// <summary>The cap in force: <see cref="MaxBaseFeeGwei"/> or the chain's default.</summary>
    public double EffectiveMaxBaseFeeGwei => MaxBaseFeeGwei ?? DefaultMaxBaseFeeGwei(ChainId);

    /// <summary>
    /// Caps far above a normal day and well under a runaway: Ethereum 200 gwei (its base fee sits at 1–30 and spiked past
    /// 200 only in mint frenzies), Polygon PoS 1,000 (POL gwei; its normal range is 30–300), the rollups 2 (their base fee
    /// is 0.001–0.1 gwei; the L1 data fee is costed apart), any other chain 200.
    /// </summary>
    public static double DefaultMaxBaseFeeGwei(ulong chainId) => chainId switch
    {
        137 => 1_000,
        10 or 8453 or 42161 => 2,
        _ => 200,
    };

    /// <summary>The wrapped native token's symbol in <see cref="Tokens"/> (WETH for ETH): the asset flash loans borrow.</summary>
    public string WrappedNativeSymbol => "W" + NativeToken;

    /// <summary>True when this chain executes on-chain (an executor is configured).</summary>
    public bool Executes => !string.IsNullOrEmpty(Executor);

    /// <summary>The standard tick spacing of a V3 fee tier (factory's feeAmountTickSpacing).</summary>
    public static int TickSpacingOf(int feePips) => feePips switch { 100 => 1, 500 => 10, 3000 => 60, _ => 200 };

    /// <summary>The five chains of the seed, with their public mainnet deployments.</summary>
    public static Dictionary<string, ChainOptions> Defaults() => new(StringComparer.Ordinal)
    {
        ["ethereum"] = new ChainOptions
        {
            ChainId = 1, RpcUrlVariable = "ETH_RPC_URL", BlockTimeMs = 12_000, NativeToken = "ETH", GasModel = "eip1559",
            Tokens = TokenMap(("WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18), ("USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6), ("USDT", "0xdAC17F958D2ee523a2206206994597C13D831ec7", 6)),
            Pools =
            [
                new PoolOptions { Kind = "v3", Address = "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640", Token0 = "USDC", Token1 = "WETH", Fee = 500 },
                new PoolOptions { Kind = "v2", Address = "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", Token0 = "USDC", Token1 = "WETH", Fee = 30 },
            ],
            AavePool = "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2",
        },
        ["polygon"] = new ChainOptions
        {
            ChainId = 137, RpcUrlVariable = "POLYGON_RPC_URL", BlockTimeMs = 2_000, NativeToken = "POL", GasModel = "eip1559",
            Tokens = TokenMap(("WETH", "0x7ceB23fD6bC0adD59E62ac25578270cFf1b9f619", 18), ("USDC", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", 6), ("WPOL", "0x0d500B1d8E8eF31E21C99d1Db9A6444d3ADf1270", 18)),
            AavePool = "0x794a61358D6845594F94dc1DB02A252b5b4814aD",
        },
        ["arbitrum"] = new ChainOptions
        {
            ChainId = 42161, RpcUrlVariable = "ARBITRUM_RPC_URL", BlockTimeMs = 250, NativeToken = "ETH", GasModel = "arbitrum",
            Tokens = TokenMap(("WETH", "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1", 18), ("USDC", "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", 6)),
            AavePool = "0x794a61358D6845594F94dc1DB02A252b5b4814aD",
        },
        ["optimism"] = new ChainOptions
        {
            ChainId = 10, RpcUrlVariable = "OPTIMISM_RPC_URL", BlockTimeMs = 2_000, NativeToken = "ETH", GasModel = "op-stack",
            Tokens = TokenMap(("WETH", "0x4200000000000000000000000000000000000006", 18), ("USDC", "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85", 6)),
            AavePool = "0x794a61358D6845594F94dc1DB02A252b5b4814aD",
        },
        ["base"] = new ChainOptions
        {
            ChainId = 8453, RpcUrlVariable = "BASE_RPC_URL", BlockTimeMs = 2_000, NativeToken = "ETH", GasModel = "op-stack",
            Tokens = TokenMap(("WETH", "0x4200000000000000000000000000000000000006", 18), ("USDC", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", 6)),
            AavePool = "0xA238Dd80C259a72e81d7e4664a9801593F98d1c5",
        },
    };

    /// <summary>Every problem of every chain, each naming its path (<c>chains.base.pools[0].token1</c>).</summary>
    public static IEnumerable<string> ValidateAll(IReadOnlyDictionary<string, ChainOptions>? chains, string path)
    {
        if (chains is null)
        {
            yield return $"{path}: must not be null (leave it out for the five default chains)";
            yield break;
        }

        var ids = new Dictionary<ulong, string>();
        foreach ((string name, ChainOptions? chain) in chains)
        {
            string at = $"{path}.{name}";
            if (chain is null)
            {
                yield return $"{at}: must not be null";
                continue;
            }

            if (chain.ChainId == 0)
            {
                yield return $"{at}.chainId: must be a positive chain id";
            }
            else if (!ids.TryAdd(chain.ChainId, name))
            {
                yield return $"{at}.chainId: {chain.ChainId} is also the id of {ids[chain.ChainId]}";
            }

            foreach (string e in chain.Validate(at))
            {
                yield return e;
            }
        }
    }

    /// <summary>The RPC URL variables that are set must hold a URL; their values are never echoed (they carry keys).</summary>
    public static IEnumerable<string> ValidateRpcUrls(IReadOnlyDictionary<string, ChainOptions>? chains, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (chains is null)
        {
            yield break;
        }

        foreach ((string _, ChainOptions? chain) in chains)
        {
            if (chain is null || string.IsNullOrEmpty(chain.RpcUrlVariable) || environment(chain.RpcUrlVariable) is not { Length: > 0 } url)
            {
                continue;
            }

            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("ws" or "wss" or "http" or "https"))
            {
                yield return $"{chain.RpcUrlVariable}: is not a ws://, wss://, http:// or https:// URL (its value is not shown: it may hold a key)";
            }
        }
    }

    private IEnumerable<string> Validate(string at)
    {
        if (RpcUrlVariable is null || !IsVariableName(RpcUrlVariable))
        {
            yield return $"{at}.rpcUrlVariable: must name an environment variable (letters, digits, _), such as ETH_RPC_URL; the URL itself belongs in the environment";
        }

        if (BlockTimeMs is < 1 or > 600_000)
        {
            yield return $"{at}.blockTimeMs: {BlockTimeMs} must be between 1 and 600000";
        }

        if (string.IsNullOrWhiteSpace(NativeToken))
        {
            yield return $"{at}.nativeToken: must not be empty";
        }

        if (GasModel is not ("eip1559" or "arbitrum" or "op-stack"))
        {
            yield return GasModel is null ? $"{at}.gasModel: must not be null" : $"{at}.gasModel: '{GasModel}' must be eip1559, arbitrum or op-stack";
        }

        if (AavePool is null || (AavePool.Length > 0 && !Address.TryParse(AavePool, out _)))
        {
            yield return $"{at}.aavePool: must be a 0x address (or empty where Aave V3 is not used)";
        }

        if (Executor is null || (Executor.Length > 0 && !Address.TryParse(Executor, out _)))
        {
            yield return $"{at}.executor: must be a 0x address (or empty where nothing is executed on this chain)";
        }

        if (MaxBaseFeeGwei is { } cap && !(cap > 0 && cap <= 1e6))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{at}.maxBaseFeeGwei: {cap} must be a positive number of gwei, at most 1000000 (or left out: the chain's default)");
        }

        if (Tokens is null)
        {
            yield return $"{at}.tokens: must not be null";
            yield break;
        }

        if (Executes)
        {
            if (string.IsNullOrEmpty(AavePool))
            {
                yield return $"{at}.aavePool: the executor borrows from Aave V3; give its Pool address";
            }

            if (!Tokens.ContainsKey(WrappedNativeSymbol))
            {
                yield return $"{at}.tokens: the executor borrows {WrappedNativeSymbol} (the wrapped {NativeToken}), which is not among this chain's tokens";
            }

            if (Pools is { Count: < 2 })
            {
                yield return $"{at}.pools: an executing chain needs at least two pools to trade between";
            }
        }

        foreach ((string symbol, TokenOptions? token) in Tokens)
        {
            if (token is null)
            {
                yield return $"{at}.tokens.{symbol}: must not be null";
            }
            else if (token.Address is null || !Address.TryParse(token.Address, out _))
            {
                yield return $"{at}.tokens.{symbol}.address: must be a 0x address";
            }
            else if (token.Decimals is < 0 or > 36)
            {
                yield return $"{at}.tokens.{symbol}.decimals: {token.Decimals} must be between 0 and 36";
            }
            else if (token.UsdPrice is { } usd && !(usd > 0 && double.IsFinite(usd)))
            {
                yield return $"{at}.tokens.{symbol}.usdPrice: {usd.ToString(CultureInfo.InvariantCulture)} must be a positive price (or left out: priced from the pools)";
            }
        }

        if (Pools is null)
        {
            yield return $"{at}.pools: must not be null";
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < Pools.Count; i++)
        {
            PoolOptions? pool = Pools[i];
            string p = $"{at}.pools[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (pool is null)
            {
                yield return $"{p}: must not be null";
                continue;
            }

            if (pool.Address is null || !Address.TryParse(pool.Address, out _))
            {
                yield return $"{p}.address: must be a 0x address";
            }
            else if (!seen.Add(pool.Address))
            {
                yield return $"{p}.address: listed twice";
            }

            foreach ((string field, string? symbol) in new[] { ("token0", pool.Token0), ("token1", pool.Token1) })
            {
                if (symbol is null || !Tokens.ContainsKey(symbol))
                {
                    yield return $"{p}.{field}: '{symbol}' is not one of this chain's tokens";
                }
            }

            if (pool.Kind == "v3" && pool.Fee is not (100 or 500 or 3000 or 10000))
            {
                yield return $"{p}.fee: {pool.Fee} must be a V3 fee tier in hundredths of a bip (100, 500, 3000, 10000)";
            }
            else if (pool.Kind == "v2" && pool.Fee is < 1 or > 1000)
            {
                yield return $"{p}.fee: {pool.Fee} must be the pair's fee in bps (1 to 1000; Uniswap V2 is 30)";
            }
            else if (pool.Kind is not ("v2" or "v3"))
            {
                yield return $"{p}.kind: '{pool.Kind}' must be v2 or v3";
            }
        }
    }

    private static bool IsVariableName(string name) =>
        name.Length is > 0 and <= 64 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static Dictionary<string, TokenOptions> TokenMap(params (string Symbol, string Address, int Decimals)[] tokens)
    {
        var map = new Dictionary<string, TokenOptions>(StringComparer.Ordinal);
        foreach ((string symbol, string address, int decimals) in tokens)
        {
            map[symbol] = new TokenOptions { Address = address, Decimals = decimals, UsdPrice = symbol is "USDC" or "USDT" ? 1 : null };
        }

        return map;
    }
}

public sealed record TokenOptions
{
    public string Address { get; init; } = "";

    public int Decimals { get; init; }

    /// <summary>A fixed price in USD (stablecoins: 1); left out: priced each block from a pool with a priced token.</summary>
    public double? UsdPrice { get; init; }
}

public sealed record PoolOptions
{
    /// <summary><c>v2</c> or <c>v3</c>.</summary>
    public string Kind { get; init; } = "";

    public string Address { get; init; } = "";

    public string Token0 { get; init; } = "";

    public string Token1 { get; init; } = "";

    /// <summary>V3: fee tier in hundredths of a bip (500 = 0.05 %); V2: fee in bps (30).</summary>
    public int Fee { get; init; }
}
