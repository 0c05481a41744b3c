namespace LowLatency.Adapters.Cex.Simulated;

/// <summary>
/// A token on a simulated chain. <see cref="Asset"/> names the graph asset it is (WETH is the asset ETH, so it links to
/// the exchanges' ETH); its value follows <see cref="PriceInstrument"/>'s hidden true price (a market instrument such as
/// ETH-USDT), or is 1 quote unit when empty (a stablecoin).
/// </summary>
public sealed record SimulatedTokenOptions
{
    public required string Symbol { get; init; }

    public required string Asset { get; init; }

    public int Decimals { get; init; } = 18;

    /// <summary>The token's address on its chain (the executor's calldata names it).</summary>
    public required string Address { get; init; }

    public string PriceInstrument { get; init; } = "";
}

/// <summary>
/// A simulated pool: V2 pair (<see cref="Fee"/> in bps) or V3 pool (<see cref="Fee"/> in pips, <see cref="TickSpacing"/>),
/// priced at the true price of its tokens with its own noise and, now and then per block, a dislocation (a large swap
/// by someone else). Liquidity is spread over the whole price range (V3: no initialized ticks).
/// </summary>
public sealed record SimulatedPoolOptions
{
    /// <summary><c>v2</c> or <c>v3</c>.</summary>
    public required string Kind { get; init; }

    public required string Token0 { get; init; }

    public required string Token1 { get; init; }

    public uint Fee { get; init; }

    public int TickSpacing { get; init; } = 10;

    /// <summary>The pool's address (the executor calls it).</summary>
    public required string Address { get; init; }

    /// <summary>Value of each side in quote units at the start.</summary>
    public double DepthQuote { get; init; } = 10_000_000;

    /// <summary>Standard deviation of the pool's own mean-reverting price noise, bps (new draw each block).</summary>
    public double NoiseBps { get; init; } = 10;

    /// <summary>Chance per block that a dislocation of <see cref="DislocationBps"/> (sign random) hits the pool.</summary>
    public double DislocationProbability { get; init; } = 0.2;

    public double DislocationBps { get; init; } = 60;
}

/// <summary>
/// A simulated chain: its blocks (block time from the chain configuration when the host has it), its gas (base fee
/// random walk within EIP-1559's ±12.5 % per block, a tip, an L1 data fee on rollups), Aave's premium, tokens and pools.
/// </summary>
public sealed record SimulatedChainOptions
{
    /// <summary>Name matching the chain configuration (<c>ethereum</c>, <c>base</c>, ...).</summary>
    public required string Name { get; init; }

    public int BlockTimeMs { get; init; } = 2_000;

    public long StartBlock { get; init; } = 1_000_000;

    public double BaseFeeGwei { get; init; } = 10;

    public double PriorityFeeGwei { get; init; } = 1;

    /// <summary>L1 data fee of one of our transactions on a rollup, gwei of the native token (0 on an L1).</summary>
    public double L1DataFeeGwei { get; init; }

    public double FlashLoanPremiumBps { get; init; } = 5;

    /// <summary>Our executor contract on this chain (the bundles' target in dry-run).</summary>
    public string Executor { get; init; } = "0x000000000000000000000000000000000000e0e0";

    public required IReadOnlyList<SimulatedTokenOptions> Tokens { get; init; }

    public required IReadOnlyList<SimulatedPoolOptions> Pools { get; init; }
}

/// <summary>A bridge for one asset between two simulated chains: fee and latency from configuration.</summary>
public sealed record SimulatedBridgeOptions
{
    /// <summary>Token symbol, the same on both chains.</summary>
    public required string Token { get; init; }

    public required string ChainA { get; init; }

    public required string ChainB { get; init; }

    public double FeeBps { get; init; } = 5;

    public double FixedFee { get; init; }

    public double LatencySeconds { get; init; } = 600;
}

/// <summary>The DEX side of the simulated market: chains with pools, bridges, and which exchanges hold inventory on which chain.</summary>
public sealed record SimulatedDexOptions
{
    public required IReadOnlyList<SimulatedChainOptions> Chains { get; init; }

    public IReadOnlyList<SimulatedBridgeOptions> Bridges { get; init; } = [];

    /// <summary>Exchanges whose inventory links to the first chain's tokens of the same asset (CEX-DEX routes).</summary>
    public IReadOnlyList<string> InventoryVenues { get; init; } = [];

    /// <summary>Every problem, each naming its setting; <paramref name="market"/> gives the instrument and venue names.</summary>
    public void Validate(string path, SimulatedMarketOptions market, List<string> errors)
    {
        if (Chains is null || Chains.Count == 0)
        {
            errors.Add($"{path}.chains: at least one chain is needed");
            return;
        }

        var chainNames = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 0; c < Chains.Count; c++)
        {
            SimulatedChainOptions? chain = Chains[c];
            string at = $"{path}.chains[{c}]";
            if (chain is null || string.IsNullOrWhiteSpace(chain.Name) || !chainNames.Add(chain.Name))
            {
                errors.Add($"{at}: must be a chain with a unique name");
                continue;
            }

            if (chain.BlockTimeMs is < 1 or > 600_000 || !(chain.BaseFeeGwei > 0 && chain.BaseFeeGwei < 1e6) || !(chain.PriorityFeeGwei >= 0 && chain.PriorityFeeGwei < 1e6)
                || !(chain.L1DataFeeGwei >= 0 && chain.L1DataFeeGwei < 1e12) || !(chain.FlashLoanPremiumBps >= 0 && chain.FlashLoanPremiumBps < 10_000) || chain.StartBlock < 0)
            {
                errors.Add($"{at}: blockTimeMs [1, 600000], baseFeeGwei (0, 1e6), priorityFeeGwei [0, 1e6), l1DataFeeGwei [0, 1e12), flashLoanPremiumBps [0, 10000), startBlock ≥ 0");
            }

            var symbols = new HashSet<string>(StringComparer.Ordinal);
            for (int t = 0; t < (chain.Tokens?.Count ?? 0); t++)
            {
                SimulatedTokenOptions? token = chain.Tokens![t];
                string ta = $"{at}.tokens[{t}]";
                if (token is null || string.IsNullOrWhiteSpace(token.Symbol) || !symbols.Add(token.Symbol) || string.IsNullOrWhiteSpace(token.Asset))
                {
                    errors.Add($"{ta}: must have a unique symbol and an asset");
                    continue;
                }

                if (token.Decimals is < 0 or > 36 || !IsAddress(token.Address))
                {
                    errors.Add($"{ta}: decimals [0, 36] and a 0x address");
                }

                if (!string.IsNullOrEmpty(token.PriceInstrument) && !market.Instruments.Any(i => i?.Symbol == token.PriceInstrument))
                {
                    errors.Add($"{ta}.priceInstrument: '{token.PriceInstrument}' is not a market instrument");
                }
            }

            for (int p = 0; p < (chain.Pools?.Count ?? 0); p++)
            {
                SimulatedPoolOptions? pool = chain.Pools![p];
                string pa = $"{at}.pools[{p}]";
                if (pool is null)
                {
                    errors.Add($"{pa}: must not be null");
                    continue;
                }

                if (pool.Kind is not ("v2" or "v3"))
                {
                    errors.Add($"{pa}.kind: must be v2 or v3");
                }
                else if (pool.Kind == "v2" ? pool.Fee >= 10_000 : pool.Fee >= 1_000_000 || pool.TickSpacing is < 1 or > 16_384)
                {
                    errors.Add($"{pa}: fee below 10000 bps (v2) or 1000000 pips with tickSpacing [1, 16384] (v3)");
                }

                if (!symbols.Contains(pool.Token0 ?? "") || !symbols.Contains(pool.Token1 ?? "") || pool.Token0 == pool.Token1)
                {
                    errors.Add($"{pa}: token0 and token1 must be two of the chain's tokens");
                }

                if (!IsAddress(pool.Address) || !(pool.DepthQuote > 0 && pool.DepthQuote < 1e12) || !(pool.NoiseBps >= 0 && pool.NoiseBps <= 1000)
                    || !(pool.DislocationProbability >= 0 && pool.DislocationProbability <= 1) || !(pool.DislocationBps >= 0 && pool.DislocationBps <= 5000))
                {
                    errors.Add($"{pa}: a 0x address, depthQuote (0, 1e12), noiseBps [0, 1000], dislocationProbability [0, 1], dislocationBps [0, 5000]");
                }
            }
        }

        for (int b = 0; b < (Bridges?.Count ?? 0); b++)
        {
            SimulatedBridgeOptions? bridge = Bridges![b];
            if (bridge is null || !chainNames.Contains(bridge.ChainA ?? "") || !chainNames.Contains(bridge.ChainB ?? "") || bridge.ChainA == bridge.ChainB
                || !(bridge.FeeBps >= 0 && bridge.FeeBps < 10_000) || !(bridge.FixedFee >= 0 && double.IsFinite(bridge.FixedFee)) || !(bridge.LatencySeconds >= 0 && bridge.LatencySeconds < 1e7))
            {
                errors.Add($"{path}.bridges[{b}]: two different configured chains, feeBps [0, 10000), fixedFee ≥ 0, latencySeconds [0, 1e7)");
            }
        }

        foreach (string venue in InventoryVenues ?? [])
        {
            if (!market.Venues.Any(v => v?.Name == venue))
            {
                errors.Add($"{path}.inventoryVenues: '{venue}' is not a market venue");
            }
        }
    }

    private static bool IsAddress(string? s) =>
        s is { Length: 42 } && s.StartsWith("0x", StringComparison.Ordinal) && s.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF") is false;

    /// <summary>
    /// The default DEX side: USDC/WETH (V3 0.05 %, V2 0.3 %), WETH/USDT (V3 0.05 %) and USDC/USDT (V3 0.01 %) on
    /// Ethereum; USDC/WETH V3 0.05 % and 0.3 %, a V2 pair, WETH/cbBTC and USDC/cbBTC on Base; WETH and USDC bridged
    /// between them. Addresses are labels for the simulation (the dry run calls nothing): token and most pool addresses
    /// are the mainnet ones, the two cbBTC pools' are placeholders (0x…b001, 0x…b002).
    /// </summary>
    public static SimulatedDexOptions Default => new()
    {
        Chains =
        [
            new SimulatedChainOptions
            {
                Name = "ethereum", BlockTimeMs = 12_000, StartBlock = 21_000_000, BaseFeeGwei = 8, PriorityFeeGwei = 0.5,
                Tokens =
                [
                    new SimulatedTokenOptions { Symbol = "USDC", Asset = "USDC", Decimals = 6, Address = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" },
                    new SimulatedTokenOptions { Symbol = "WETH", Asset = "ETH", Decimals = 18, Address = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", PriceInstrument = "ETH-USDT" },
                    new SimulatedTokenOptions { Symbol = "USDT", Asset = "USDT", Decimals = 6, Address = "0xdAC17F958D2ee523a2206206994597C13D831ec7" },
                ],
                Pools =
                [
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "USDC", Token1 = "WETH", Fee = 500, TickSpacing = 10, Address = "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640", DepthQuote = 40_000_000, NoiseBps = 8 },
                    new SimulatedPoolOptions { Kind = "v2", Token0 = "USDC", Token1 = "WETH", Fee = 30, Address = "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", DepthQuote = 15_000_000, NoiseBps = 25, DislocationProbability = 0.4, DislocationBps = 80 },
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "WETH", Token1 = "USDT", Fee = 500, TickSpacing = 10, Address = "0x11b815efB8f581194ae79006d24E0d814B7697F6", DepthQuote = 20_000_000, NoiseBps = 12 },
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "USDC", Token1 = "USDT", Fee = 100, TickSpacing = 1, Address = "0x3416cF6C708Da44DB2624D63ea0AAef7113527C6", DepthQuote = 50_000_000, NoiseBps = 3, DislocationBps = 20 },
                ],
            },
            new SimulatedChainOptions
            {
                Name = "base", BlockTimeMs = 2_000, StartBlock = 22_000_000, BaseFeeGwei = 0.02, PriorityFeeGwei = 0.001, L1DataFeeGwei = 2_000,
                Tokens =
                [
                    new SimulatedTokenOptions { Symbol = "WETH", Asset = "ETH", Decimals = 18, Address = "0x4200000000000000000000000000000000000006", PriceInstrument = "ETH-USDT" },
                    new SimulatedTokenOptions { Symbol = "USDC", Asset = "USDC", Decimals = 6, Address = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913" },
                    new SimulatedTokenOptions { Symbol = "cbBTC", Asset = "BTC", Decimals = 8, Address = "0xcbB7C0000aB88B473b1f5aFd9ef808440eed33Bf", PriceInstrument = "BTC-USDT" },
                ],
                Pools =
                [
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "WETH", Token1 = "USDC", Fee = 500, TickSpacing = 10, Address = "0xd0b53D9277642d899DF5C87A3966A349A798F224", DepthQuote = 10_000_000, NoiseBps = 10 },
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "WETH", Token1 = "USDC", Fee = 3000, TickSpacing = 60, Address = "0x6c561B446416E1A00E8E93E221854d6eA4171372", DepthQuote = 3_000_000, NoiseBps = 30, DislocationBps = 90 },
                    new SimulatedPoolOptions { Kind = "v2", Token0 = "WETH", Token1 = "USDC", Fee = 30, Address = "0x88A43bbDF9D098eEC7bCEda4e2494615dfD9bB9C", DepthQuote = 2_000_000, NoiseBps = 30, DislocationBps = 90 },
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "WETH", Token1 = "cbBTC", Fee = 500, TickSpacing = 10, Address = "0x000000000000000000000000000000000000b001", DepthQuote = 5_000_000, NoiseBps = 12 },
                    new SimulatedPoolOptions { Kind = "v3", Token0 = "USDC", Token1 = "cbBTC", Fee = 500, TickSpacing = 10, Address = "0x000000000000000000000000000000000000b002", DepthQuote = 5_000_000, NoiseBps = 12 },
                ],
            },
        ],
        Bridges =
        [
            new SimulatedBridgeOptions { Token = "WETH", ChainA = "ethereum", ChainB = "base", FeeBps = 4, LatencySeconds = 120 },
            new SimulatedBridgeOptions { Token = "USDC", ChainA = "ethereum", ChainB = "base", FeeBps = 2, LatencySeconds = 900 },
        ],
        InventoryVenues = ["sim-alpha", "sim-delta"],
    };
}
