using System.Globalization;
using System.Text;
using LowLatency.Adapters.Cex.Simulated;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.Flashbots;
using LowLatency.Host.Composition;
using LowLatency.Host.Configuration;
using LowLatency.Host.Diagnostics;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;
using LowLatency.Kernels;
using LowLatency.Kernels.NegativeCycle;
using Microsoft.Extensions.Logging;

namespace LowLatency.Host.Lifecycle;

/// <summary>A pool of the graph as paper trading needs it: its event id (the applier's), chain index, kind and graph index, tokens and fee.</summary>
public sealed record GraphPoolSpec(int Pool, int Chain, GraphEdgeKind Kind, int GraphIndex, string Token0, int Decimals0, string Token1, int Decimals1, uint Fee, int TickSpacing);

/// <summary>
/// The graph's fixed layout for an executor off the strategy thread (paper trading): which venue and instrument each
/// graph book is, every pool, each node's balance key (an exchange's asset, a chain's token symbol), the graph asset of
/// each token symbol, each chain's native token, and the configured gas units.
/// </summary>
public sealed record GraphTopology(
    IReadOnlyDictionary<int, (VenueId Venue, InstrumentId Instrument)> Books,
    IReadOnlyList<GraphPoolSpec> Pools,
    IReadOnlyList<string> NodeKeys,
    IReadOnlyDictionary<string, string> TokenAssets,
    IReadOnlyList<string> ChainNatives,
    ChainGas GasUnits);

/// <summary>
/// Where the on-chain agents' pools are in a venue graph: the chain index, the V2 pair's and the V3 pool's graph indices,
/// and whether WETH is the pools' token0 (USDC is on Ethereum, where the agents were trained; WETH is on Arbitrum and Base).
/// </summary>
public readonly record struct UsdcWethPools(int Chain, int V2, int V3, bool WethIsToken0 = false);

/// <summary>
/// The venue graph inside <c>run</c>: built at start-up from the simulated market's DEX side (chains, tokens, pools,
/// bridges, the exchanges holding inventory on chain) and the chain configuration (chain ids, block times); attached to
/// the strategy state with its pool-event applier and, for atomic DEX opportunities, a <see cref="GraphBundler"/> that
/// signs a bundle on the strategy thread. The host thread drains the bundles (<see cref="Drain"/>): in a dry run each is
/// logged as "would send" with its target blocks and costs, never sent. Start-up and host thread only.
/// </summary>
public sealed class GraphWiring : IDisposable
{
    private const int BundleRingSize = 1 << 10;

    private readonly NegativeCycleHost _search;
    private readonly RingBuffer<BuiltBundle> _bundles;
    private readonly BatchEventProcessor<BuiltBundle, BundleLogHandler> _bundleDrain;
    private readonly BundleLogState _bundleLog;
    private readonly StrategyState _strategy;
    private readonly string[] _edgeLabels;
    private readonly string[] _chainNames;
    private readonly string[] _assetNames;
    private readonly int _targetBlocks;

    private GraphWiring(StrategyState strategy, VenueGraph graph, GraphStage stage, PoolEventApplier pools, GraphBundler bundler, NegativeCycleHost search,
        RingBuffer<BuiltBundle> bundles, ILogger log, string[] edgeLabels, string[] chainNames, string[] assetNames, int targetBlocks)
    {
        _strategy = strategy;
        Graph = graph;
        Stage = stage;
        Pools = pools;
        Bundler = bundler;
        _search = search;
        _bundles = bundles;
        _edgeLabels = edgeLabels;
        _chainNames = chainNames;
        _assetNames = assetNames;
        _targetBlocks = targetBlocks;
        _bundleLog = new BundleLogState(log, this);
        _bundleDrain = new BatchEventProcessor<BuiltBundle, BundleLogHandler>(bundles, bundles.NewBarrier(), new BundleLogHandler(_bundleLog));
        bundles.AddGatingSequences(_bundleDrain.Sequence);
    }

    public VenueGraph Graph { get; }

    public GraphStage Stage { get; }

    public PoolEventApplier Pools { get; }

    public GraphBundler Bundler { get; }

    /// <summary>Tick → signed bundle, recorded as the host drains the bundles.</summary>
    public LatencyRecorder BundleLatency => _bundleLog.Latency;

    /// <summary>Bundles drained and logged.</summary>
    public long BundlesLogged => _bundleLog.Count;

    /// <summary>Log lines written besides opportunities: the key notice and one per bundle.</summary>
    public long LinesLogged => _bundleLog.Count + 1;

    /// <summary>The market with the chain configuration's block times on its simulated chains (those it names).</summary>
    public static SimulatedMarketOptions WithChainBlockTimes(SimulatedMarketOptions market, IReadOnlyDictionary<string, ChainOptions>? chains)
    {
        ArgumentNullException.ThrowIfNull(market);
        if (market.Dex is not { } dex || chains is null)
        {
            return market;
        }

        var updated = dex.Chains.Select(c => chains.TryGetValue(c.Name, out ChainOptions? o) && o is { BlockTimeMs: > 0 } ? c with { BlockTimeMs = o.BlockTimeMs } : c).ToArray();
        return market with { Dex = dex with { Chains = updated } };
    }

    /// <summary>
    /// Builds the graph for <paramref name="market"/>'s DEX side and attaches it to <paramref name="pipeline"/>'s strategy;
    /// null when the market has none. Says on <paramref name="console"/> and in the log which trading key signs.
    /// </summary>
    public static GraphWiring? TryAttach(EngineOptions options, SimulatedMarketOptions market, StrategyPipeline pipeline, int[] priceDecimals, int[] quantityDecimals, TextWriter console, EngineLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        GraphWiring? wiring = Compose(options, market, pipeline, priceDecimals, quantityDecimals, console, logs);
        if (wiring is not null)
        {
            // Before the strategy thread starts: compile the whole path on a throw-away copy, not on the first ticks.
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            (int events, long signed) = GraphWarmup.Run(options, market, priceDecimals, quantityDecimals);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up: {events} events and {signed} signed bundles on a throw-away copy of the strategy chain in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms (nothing of it is logged or kept)"));
        }

        return wiring;
    }

    /// <summary>As <see cref="TryAttach"/> without the warm-up; <paramref name="logs"/> null: nothing is logged (the warm-up's copy).</summary>
    internal static GraphWiring? Compose(EngineOptions options, SimulatedMarketOptions market, StrategyPipeline pipeline, int[] priceDecimals, int[] quantityDecimals, TextWriter console, EngineLogs? logs)
    {
        ArgumentNullException.ThrowIfNull(priceDecimals);
        ArgumentNullException.ThrowIfNull(quantityDecimals);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(pipeline);
        if (market.Dex is not { } dex)
        {
            return null;
        }

        var assets = new Dictionary<string, int>(StringComparer.Ordinal);
        int AssetId(string name)
        {
            if (!assets.TryGetValue(name, out int id))
            {
                id = assets.Count;
                assets[name] = id;
            }

            return id;
        }

        foreach (SimulatedChainOptions chain in dex.Chains)
        {
            foreach (SimulatedTokenOptions token in chain.Tokens)
            {
                AssetId(token.Asset);
            }
        }

        // Exchange books whose two assets are on chain, at the venues holding inventory there.
        var books = new List<(int Venue, int Instrument, string Base, string Quote)>();
        for (int i = 0; i < market.Instruments.Count; i++)
        {
            string[] parts = market.Instruments[i].Symbol.Split('-', '/');
            if (parts.Length != 2 || !assets.ContainsKey(parts[0]) || !assets.ContainsKey(parts[1]))
            {
                continue;
            }

            for (int v = 0; v < market.Venues.Count; v++)
            {
                if (dex.InventoryVenues.Contains(market.Venues[v].Name))
                {
                    books.Add((v, i, parts[0], parts[1]));
                }
            }
        }

        int poolCount = dex.Chains.Sum(c => c.Pools.Count);
        int maxNodes = (books.Count * 2) + dex.Chains.Sum(c => c.Tokens.Count) + 1;
        int maxEdges = (2 * (books.Count + poolCount + dex.Bridges.Count)) + (2 * books.Count * 2 * dex.Chains.Count) + 2;
        var graph = new VenueGraph(maxNodes, maxEdges, Math.Max(1, assets.Count), dex.Chains.Count, Math.Max(1, books.Count), Math.Max(1, poolCount));
        var labels = new List<string>();
        var nodeToken = new List<Address>();
        var nodeKeys = new List<string>();
        var graphBooks = new Dictionary<int, (VenueId, InstrumentId)>();
        var poolSpecs = new List<GraphPoolSpec>();
        var tokenAssets = new Dictionary<string, string>(StringComparer.Ordinal);
        var exchangeNode = new Dictionary<(int Venue, string Asset), int>();
        var chainNode = new Dictionary<(int Chain, string Symbol), int>();

        int ExchangeNode(int venue, string asset)
        {
            if (!exchangeNode.TryGetValue((venue, asset), out int n))
            {
                n = graph.AddNode(assets[asset], GraphLocationKind.Exchange, venue);
                exchangeNode[(venue, asset)] = n;
                nodeToken.Add(default);
                nodeKeys.Add(asset);
            }

            return n;
        }

        var graphBookOfBook = new int[pipeline.Books.Count];
        Array.Fill(graphBookOfBook, -1);
        var priceBooks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((int v, int i, string baseAsset, string quoteAsset) in books)
        {
            int book = pipeline.Books.IndexOf(VenueId.FromIndex(v), InstrumentId.FromIndex(i));
            int b = graph.AddCexBook(ExchangeNode(v, baseAsset), ExchangeNode(v, quoteAsset), market.Venues[v].TakerFee, priceDecimals[i], quantityDecimals[i], pipeline.Books.Book(book));
            graphBookOfBook[book] = b;
            graphBooks[b] = (VenueId.FromIndex(v), InstrumentId.FromIndex(i));
            string name = $"{market.Venues[v].Name}:{market.Instruments[i].Symbol}";
            labels.Add($"{name} bid");
            labels.Add($"{name} ask");
            priceBooks.TryAdd(baseAsset, b);
        }

        for (int c = 0; c < dex.Chains.Count; c++)
        {
            SimulatedChainOptions chain = dex.Chains[c];
            foreach (SimulatedTokenOptions token in chain.Tokens)
            {
                chainNode[(c, token.Symbol)] = graph.AddNode(assets[token.Asset], GraphLocationKind.Chain, c, token.Decimals);
                nodeToken.Add(Address.Parse(token.Address));
                nodeKeys.Add(token.Symbol);
                tokenAssets.TryAdd(token.Symbol, token.Asset);
            }
        }

        var pools = new PoolEventApplier(graph, Math.Max(1, poolCount));
        var usdcWethV2 = new Dictionary<int, int>();
        var usdcWethV3 = new Dictionary<int, int>();
        var v2Address = new List<Address>();
        var v3Address = new List<Address>();
        for (int c = 0; c < dex.Chains.Count; c++)
        {
            SimulatedChainOptions chain = dex.Chains[c];
            foreach (SimulatedPoolOptions pool in chain.Pools)
            {
                int n0 = chainNode[(c, pool.Token0)];
                int n1 = chainNode[(c, pool.Token1)];
                string name = pool.Kind == "v2"
                    ? $"{chain.Name}:v2 {pool.Token0}/{pool.Token1} {pool.Fee / 100.0:0.##}%"
                    : $"{chain.Name}:v3 {pool.Token0}/{pool.Token1} {pool.Fee / 10_000.0:0.###}%";
                if (pool.Kind == "v2")
                {
                    int index = graph.AddV2Pool(n0, n1, pool.Fee);
                    int id = pools.AddV2(index, c);
                    poolSpecs.Add(new GraphPoolSpec(id, c, GraphEdgeKind.V2Pool, index, pool.Token0, Decimals(chain, pool.Token0), pool.Token1, Decimals(chain, pool.Token1), pool.Fee, 0));
                    if (IsUsdcWeth(chain, pool))
                    {
                        usdcWethV2.TryAdd(c, index);
                    }

                    v2Address.Add(Address.Parse(pool.Address));
                }
                else
                {
                    int index = graph.AddV3Pool(n0, n1, new V3Pool(pool.Fee, pool.TickSpacing));
                    int id = pools.AddV3(index, c);
                    poolSpecs.Add(new GraphPoolSpec(id, c, GraphEdgeKind.V3Pool, index, pool.Token0, Decimals(chain, pool.Token0), pool.Token1, Decimals(chain, pool.Token1), pool.Fee, pool.TickSpacing));
                    if (pool.Fee == 500 && IsUsdcWeth(chain, pool))
                    {
                        usdcWethV3.TryAdd(c, index);
                    }

                    v3Address.Add(Address.Parse(pool.Address));
                }

                labels.Add($"{name} {pool.Token0}→{pool.Token1}");
                labels.Add($"{name} {pool.Token1}→{pool.Token0}");
            }
        }

        // Inventory: the exchanges' assets and the first chain's tokens of the same asset.
        foreach (((int venue, string asset), int node) in exchangeNode)
        {
            foreach (SimulatedTokenOptions token in dex.Chains[0].Tokens)
            {
                if (token.Asset == asset)
                {
                    graph.AddInventoryLink(node, chainNode[(0, token.Symbol)]);
                    labels.Add($"inventory {asset} {market.Venues[venue].Name}→{dex.Chains[0].Name}");
                    labels.Add($"inventory {asset} {dex.Chains[0].Name}→{market.Venues[venue].Name}");
                }
            }
        }

        foreach (SimulatedBridgeOptions bridge in dex.Bridges)
        {
            int a = dex.Chains.Select((c, i) => (c, i)).First(x => x.c.Name == bridge.ChainA).i;
            int b = dex.Chains.Select((c, i) => (c, i)).First(x => x.c.Name == bridge.ChainB).i;
            graph.AddBridge(chainNode[(a, bridge.Token)], chainNode[(b, bridge.Token)], bridge.FeeBps / 10_000, bridge.FixedFee, bridge.LatencySeconds);
            labels.Add($"bridge {bridge.Token} {bridge.ChainA}→{bridge.ChainB}");
            labels.Add($"bridge {bridge.Token} {bridge.ChainB}→{bridge.ChainA}");
        }

        foreach (int b in priceBooks.Values)
        {
            graph.PriceFromBook(b);
        }

        graph.Freeze();

        // Prices in the quote unit: stablecoins 1, the rest live from an exchange book's mid.
        foreach (SimulatedChainOptions chain in dex.Chains)
        {
            foreach (SimulatedTokenOptions token in chain.Tokens)
            {
                if (string.IsNullOrEmpty(token.PriceInstrument))
                {
                    graph.SetAssetPrice(assets[token.Asset], 1);
                }
            }
        }

        var natives = new string[dex.Chains.Count];
        for (int c = 0; c < dex.Chains.Count; c++)
        {
            string native = options.Chains.TryGetValue(dex.Chains[c].Name, out ChainOptions? co) && !string.IsNullOrEmpty(co.NativeToken) ? co.NativeToken : "ETH";
            int nativeAsset = assets.TryGetValue(native, out int id) ? id : assets.GetValueOrDefault("ETH");
            natives[c] = assets.ContainsKey(native) ? native : "ETH"; // as the graph values its gas
            graph.SetChainGas(c, options.FlashLoanGas.ApplyTo(new ChainGas { NativeAsset = nativeAsset }));
        }

        var search = new NegativeCycleHost(graph.NodeCount, graph.EdgeCount, KernelBackendPreference.Simd);
        // Sized within the gate's per-trade limit: a path sized past it would be denied whole, though a smaller trade pays.
        double maxSize = Math.Min(new GraphStageOptions().MaxSizeQuote, options.Execution.Risk.MaxTradeNotionalUsd);
        var stage = new GraphStage(graph, new GraphStageOptions { ThresholdBps = 1, MinNetProfitQuote = 0.01, MaxSizeQuote = maxSize }, search);
        StrategyState strategy = pipeline.Strategy;
        strategy.AttachGraph(stage, graphBookOfBook);
        strategy.AttachPools(pools);

        // The trading key: TRADING_PRIVATE_KEY when set; in a dry run without one, a throw-away key for this run only.
        PrivateKey key;
        string keyNotice;
        string? configured = Environment.GetEnvironmentVariable("TRADING_PRIVATE_KEY");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            key = PrivateKey.FromEnvironment("TRADING_PRIVATE_KEY");
            keyNotice = "bundles are signed with the trading key from TRADING_PRIVATE_KEY";
        }
        else
        {
            key = ThrowAwayKey.Create();
            keyNotice = "dry-run: no trading key configured (TRADING_PRIVATE_KEY); bundles are signed with a throw-away key generated for this run (not printed, never used to send)";
        }

        var signer = new EthSigner(key);
        var chains = new GraphBundlerChain?[dex.Chains.Count];
        for (int c = 0; c < dex.Chains.Count; c++)
        {
            SimulatedChainOptions chain = dex.Chains[c];
            ulong chainId = options.Chains.TryGetValue(chain.Name, out ChainOptions? co) ? co.ChainId : (ulong)(c + 1);

            // Dry run: no node, so the nonce manager starts from this (fresh) account's count, 0.
            var nonces = new NonceManager(signer.Address, _ => Task.FromResult(RpcResult<ulong>.Ok(0)));
            _ = nonces.InitialiseAsync().GetAwaiter().GetResult();
            Address weth = chain.Tokens.FirstOrDefault(t => t.Asset == "ETH") is { } w ? Address.Parse(w.Address) : default;
            chains[c] = new GraphBundlerChain(new BundleFactory(signer, Address.Parse(chain.Executor), chainId), nonces, weth);
        }

        var bundles = new RingBuffer<BuiltBundle>(BundleRingSize, ProducerType.Single, WaitStrategyKind.Yielding);
        var bundler = new GraphBundler(graph, pools, chains, nodeToken.ToArray(), v2Address.ToArray(), v3Address.ToArray(), (uint)options.Flashbots.BuilderBps, bundles);
        strategy.Bundler = bundler;

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"venue graph: {graph.NodeCount} nodes, {graph.EdgeCount} edges, {stage.PairRouteCount} two-leg routes, cycles on {search.Backend}; {poolCount} simulated pools on {string.Join(", ", dex.Chains.Select(c => $"{c.Name} ({c.BlockTimeMs} ms blocks)"))}; {keyNotice}"));
        if (logs is not null)
        {
            EngineLogs.GraphKey(logs.Engine, keyNotice);
        }

        int agentChain = Enumerable.Range(0, dex.Chains.Count).FirstOrDefault(c => usdcWethV2.ContainsKey(c) && usdcWethV3.ContainsKey(c), -1);
        return new GraphWiring(strategy, graph, stage, pools, bundler, search, bundles, logs?.Opportunities ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, labels.ToArray(),
            dex.Chains.Select(c => c.Name).ToArray(), assets.OrderBy(a => a.Value).Select(a => a.Key).ToArray(), options.Flashbots.TargetBlocks)
        {
            UsdcWeth = agentChain < 0 ? null : new UsdcWethPools(agentChain, usdcWethV2[agentChain], usdcWethV3[agentChain]),
            Topology = new GraphTopology(graphBooks, poolSpecs, nodeKeys, tokenAssets, natives, options.FlashLoanGas.ApplyTo(default)),
        };
    }

    private static int Decimals(SimulatedChainOptions chain, string symbol) => chain.Tokens.First(t => t.Symbol == symbol).Decimals;

    /// <summary>The graph's fixed layout (books, pools, balance keys, gas units) for paper trading off the strategy thread.</summary>
    public GraphTopology Topology { get; private init; } = null!;

    /// <summary>The pools the on-chain agents were trained on: USDC (6 decimals) as token0, WETH (18) as token1.</summary>
    private static bool IsUsdcWeth(SimulatedChainOptions chain, SimulatedPoolOptions pool) =>
        chain.Tokens.Any(t => t.Symbol == pool.Token0 && t.Asset == "USDC" && t.Decimals == 6)
        && chain.Tokens.Any(t => t.Symbol == pool.Token1 && t.Asset == "ETH" && t.Decimals == 18);

    /// <summary>
    /// The first chain with a USDC/WETH V2 pair and V3 0.05 % pool (the on-chain agents' market: their graph pool
    /// indices); null when the market has none.
    /// </summary>
    public UsdcWethPools? UsdcWeth { get; private init; }

    /// <summary>Logs every bundle built since the last call (host thread).</summary>
    public void Drain() => _bundleDrain.Poll();

    /// <summary>Drops the bundles built since the last call unlogged (the warm-up's copy).</summary>
    internal void SkipBundles() => _bundleDrain.Sequence.Value = _bundles.Cursor;

    /// <summary>"sim-alpha:ETH-USDT ask → inventory ETH sim-alpha→ethereum → ..." for a graph opportunity's path.</summary>
    public string DescribePath(in OpportunityPath path)
    {
        var text = new StringBuilder();
        for (int i = 0; i < path.Count; i++)
        {
            if (i > 0)
            {
                text.Append(" -> ");
            }

            int e = path[i];
            text.Append((uint)e < (uint)_edgeLabels.Length ? _edgeLabels[e] : e.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>The start asset of a path ("USDC").</summary>
    public string StartAsset(in OpportunityPath path) => path.Count == 0 ? "" : _assetNames[Graph.Node(Graph.EdgeFrom(path[0])).Asset];

    /// <summary>"graph cex-dex=N dex-dex=N cycle=N cross-chain=N bundles=N (dropped D, failed F) pool-events=A (dropped D)".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"graph cex-dex={_strategy.GraphOpportunitiesOf(OpportunityKind.CexDex)} dex-dex={_strategy.GraphOpportunitiesOf(OpportunityKind.DexDex)} cycle={_strategy.GraphOpportunitiesOf(OpportunityKind.Cycle)} cross-chain={_strategy.GraphOpportunitiesOf(OpportunityKind.CrossChain)} bundles={Bundler.Built} (dropped {Bundler.Dropped}, not built {Bundler.Failed}) pool-events={Pools.Applied} (dropped {Pools.Dropped + _strategy.PoolEventsUnrouted})");

    /// <summary>The done line of the graph: counts by kind and tick → signed bundle p50/p99.</summary>
    public string DescribeDone()
    {
        (double p50, double p99, double p999, double max) = BundleLatency.Total();
        return string.Create(CultureInfo.InvariantCulture,
            $"done: {Describe()}; tick-to-signed-bundle p50={EngineText.Ns(p50)} p99={EngineText.Ns(p99)} p99.9={EngineText.Ns(p999)} max={EngineText.Ns(max)} over {BundleLatency.TotalCount} bundles (dry-run: built and logged, never sent)");
    }

    /// <summary>Host thread: called with each bundle's tick → signed latency (ns), e.g. for the dashboard's histogram.</summary>
    public Action<long>? BundleSigned { get; set; }

    /// <summary>The graph's chain names by chain index (the pool applier's and the bundles' index).</summary>
    public IReadOnlyList<string> ChainNames => _chainNames;

    public void Dispose() => _search.Dispose();

    private sealed class BundleLogState(ILogger logger, GraphWiring owner)
    {
        public ILogger Logger { get; } = logger;

        public GraphWiring Owner { get; } = owner;

        public LatencyRecorder Latency { get; } = new();

        public long Count { get; set; }
    }

    /// <summary>Host thread: one "would send" line per bundle, and its tick → signed bundle latency.</summary>
    private readonly struct BundleLogHandler(BundleLogState state) : IEventHandler<BuiltBundle>
    {
        public void OnEvent(ref BuiltBundle evt, long sequence, bool endOfBatch)
        {
            state.Latency.Record(evt.TriggerTimestamp, evt.SignedTimestamp);
            state.Count++;
            GraphWiring w = state.Owner;
            long latencyNs = evt.TriggerTimestamp == 0 ? 0 : (long)((evt.SignedTimestamp - evt.TriggerTimestamp) * StrategyState.NanosecondsPerTick);
            Span<byte> hash = evt.TransactionHash;
            EngineLogs.BundleWouldSend(
                state.Logger,
                w._chainNames[evt.Chain],
                evt.Kind.ToString(),
                w.DescribePath(in evt.Path),
                evt.TargetBlock,
                evt.TargetBlock + w._targetBlocks - 1,
                evt.Nonce,
                evt.GasLimit,
                Math.Round(evt.MaxFeePerGasWei / 1e9, 6),
                evt.Amount,
                evt.ExpectedReturn,
                w.StartAsset(in evt.Path),
                Math.Round(evt.NetProfitQuote, 6),
                Math.Round(evt.Costs.Gas, 6),
                Math.Round(evt.Costs.L1DataFee, 6),
                Math.Round(evt.Costs.FlashLoanPremium, 6),
                Math.Round(evt.Costs.PoolFees, 6),
                "0x" + Convert.ToHexStringLower(hash),
                evt.RawLength,
                latencyNs);
            w.BundleSigned?.Invoke(latencyNs);
        }
    }
}

/// <summary>The venue graph's final figures of a run.</summary>
public sealed record GraphRunFigures(
    long CexDex,
    long DexDex,
    long Cycles,
    long CrossChain,
    long BundlesBuilt,
    long BundlesDropped,
    long BundlesNotBuilt,
    long PoolEventsApplied,
    long PoolEventsDropped,
    double TickToBundleP50Ns,
    double TickToBundleP99Ns)
{
    internal static GraphRunFigures From(GraphWiring graph, StrategyState strategy)
    {
        (double p50, double p99, _, _) = graph.BundleLatency.Total();
        return new GraphRunFigures(
            strategy.GraphOpportunitiesOf(OpportunityKind.CexDex),
            strategy.GraphOpportunitiesOf(OpportunityKind.DexDex),
            strategy.GraphOpportunitiesOf(OpportunityKind.Cycle),
            strategy.GraphOpportunitiesOf(OpportunityKind.CrossChain),
            graph.Bundler.Built,
            graph.Bundler.Dropped,
            graph.Bundler.Failed,
            graph.Pools.Applied,
            graph.Pools.Dropped + strategy.PoolEventsUnrouted,
            p50,
            p99);
    }
}
