using System.Diagnostics;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.FlashLoans;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Adapters.Flashbots;

/// <summary>
/// The engine's strategy step over one chain's pools, composed as <c>run</c> composes it: pool updates into the market
/// ring → <see cref="StrategyHandler"/> → <see cref="VenueGraph"/> evaluation, sizing and costing (<see cref="GraphStage"/>)
/// → <see cref="GraphBundler"/>'s exact re-quote, executor calldata and EIP-1559 signature → the bundle ring, which the
/// caller drains (<see cref="DrainBundles"/>) into a <see cref="BundleExecutor"/>. The pools' state comes from the
/// chain (<see cref="Publish"/>). The caller's thread is the strategy thread; signing is one bundle at a time.
/// </summary>
public sealed class ChainStrategy
{
    /// <summary>Takes a signed bundle from its ring slot (<see cref="BundleExecutor.Submit"/>).</summary>
    public delegate bool BundleHandOff(in BuiltBundle bundle, long sequence);

    private const int RingSize = 1 << 8;

    private readonly BatchEventProcessor<TickEvent, StrategyHandler> _strategy;
    private readonly BatchEventProcessor<Opportunity, OpportunitySink> _opportunityDrain;
    private readonly Sequence _bundleReader = new();
    private readonly Dictionary<Address, (int PoolId, PoolKind Kind)> _poolIds = [];
    private readonly List<Opportunity> _found = [];
    private readonly Dictionary<Address, int> _assetOf;
    private readonly int[] _graphIndex;

    /// <param name="pools">The chain's pools (token0/token1 as on chain); every token is a node.</param>
    /// <param name="decimals">Each token's decimals.</param>
    /// <param name="quotePrice">
    /// Each token's price in the quote unit (the graph's costing currency); a token missing or at 0 is priced at each
    /// update by a pool that pairs it with a priced token (<see cref="VenueGraph.PriceFromV2Pool"/>), and one no pool
    /// reaches is in <see cref="Unpriced"/>. A token priced through another pool-priced one uses that one's price as of
    /// its pool's last update (at most one block old where the pools are published in another order).
    /// </param>
    /// <param name="gas">The chain's gas readings and gas units per leg (its native asset is set to <paramref name="weth"/>'s).</param>
    /// <param name="stage">The graph stage's thresholds; default 1 bps and 0.01 of the quote unit net.</param>
    public ChainStrategy(IReadOnlyList<DexPool> pools, IReadOnlyDictionary<Address, int> decimals, IReadOnlyDictionary<Address, double> quotePrice,
        in ChainGas gas, BundleFactory factory, NonceManager nonces, Address weth, uint builderBps, GraphStageOptions? stage = null)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(decimals);
        ArgumentNullException.ThrowIfNull(quotePrice);

        // Two exchange books the graph does not use (the edge stage needs two venues); only pool updates move here.
        var specs = new List<BookSpec>
        {
            new(VenueId.FromIndex(0), InstrumentId.FromIndex(0), SequenceRule.None, 2, 4, Capacity: 16, PendingSlots: 4),
            new(VenueId.FromIndex(1), InstrumentId.FromIndex(0), SequenceRule.None, 2, 4, Capacity: 16, PendingSlots: 4),
        };
        Opportunities = new RingBuffer<Opportunity>(RingSize, ProducerType.Single, WaitStrategyKind.Yielding);
        Pipeline = new StrategyPipeline(specs, 1, 2, [2], [0.001, 0.001], 5, Opportunities, null, int.MaxValue, RingSize, WaitStrategyKind.Yielding);

        var tokens = new List<Address>();
        foreach (DexPool pool in pools)
        {
            foreach (Address token in new[] { pool.Token0, pool.Token1 })
            {
                if (!tokens.Contains(token))
                {
                    tokens.Add(token);
                }
            }
        }

        Graph = new VenueGraph(tokens.Count, 4 * pools.Count, tokens.Count, 1, 1, pools.Count);
        var node = new Dictionary<Address, int>();
        for (int i = 0; i < tokens.Count; i++)
        {
            node[tokens[i]] = Graph.AddNode(i, GraphLocationKind.Chain, 0, decimals[tokens[i]]);
        }

        Pools = new PoolEventApplier(Graph, pools.Count);
        var v2Address = new List<Address>();
        var v3Address = new List<Address>();
        var graphIndex = new int[pools.Count];
        _graphIndex = graphIndex;
        for (int p = 0; p < pools.Count; p++)
        {
            DexPool pool = pools[p];
            if (pool.Kind == PoolKind.UniswapV2)
            {
                graphIndex[p] = Graph.AddV2Pool(node[pool.Token0], node[pool.Token1], pool.V2.FeeBps);
                _poolIds[pool.Address] = (Pools.AddV2(graphIndex[p], 0), PoolKind.UniswapV2);
                v2Address.Add(pool.Address);
            }
            else
            {
                // The graph takes this read's pool (its initialized ticks); later reads move its state through pool updates.
                V3Pool v3 = pool.V3 ?? throw new ArgumentException("a V3 pool without state", nameof(pools));
                graphIndex[p] = Graph.AddV3Pool(node[pool.Token0], node[pool.Token1], v3);
                _poolIds[pool.Address] = (Pools.AddV3(graphIndex[p], 0), PoolKind.UniswapV3);
                v3Address.Add(pool.Address);
            }
        }

        Unpriced = PriceFromPools(pools, graphIndex, tokens, quotePrice);
        Graph.Freeze();
        for (int i = 0; i < tokens.Count; i++)
        {
            Graph.SetAssetPrice(i, quotePrice.GetValueOrDefault(tokens[i]));
        }

        // Gas is paid in the native coin, priced as its wrapped token: whatever the caller's index, it is WETH's asset here.
        ChainGas chainGas = gas;
        int wethIndex = tokens.IndexOf(weth);
        if (wethIndex >= 0)
        {
            chainGas.NativeAsset = wethIndex;
        }

        Graph.SetChainGas(0, in chainGas);
        Stage = new GraphStage(Graph, stage ?? new GraphStageOptions { ThresholdBps = 1, MinNetProfitQuote = 0.01 }, null);
        _assetOf = node.ToDictionary(n => n.Key, n => Graph.Node(n.Value).Asset);
        StrategyState strategy = Pipeline.Strategy;
        strategy.AttachGraph(Stage, [-1, -1]);
        strategy.AttachPools(Pools);
        Signer = new GraphBundlerChain(factory, nonces, weth) { OneInFlight = true };
        Bundles = new RingBuffer<BuiltBundle>(RingSize, ProducerType.Single, WaitStrategyKind.Yielding);
        Bundles.AddGatingSequences(_bundleReader);
        Bundler = new GraphBundler(Graph, Pools, [Signer], [.. tokens], [.. v2Address], [.. v3Address], builderBps, Bundles);
        strategy.Bundler = Bundler;

        RingBuffer<TickEvent> ring = Pipeline.MarketRing;
        _strategy = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(strategy));
        ring.AddGatingSequences(_strategy.Sequence);
        _opportunityDrain = new BatchEventProcessor<Opportunity, OpportunitySink>(Opportunities, Opportunities.NewBarrier(), new OpportunitySink(_found));
        Opportunities.AddGatingSequences(_opportunityDrain.Sequence);
    }

    /// <summary>
    /// A chain's gas readings with the gas units the executor's two-hop path was measured at on anvil (the defaults of
    /// the host's <c>FlashLoanGasOptions</c>: 351,922 for base + flash loan + one V2 + one V3 swap).
    /// </summary>
    public static ChainGas MeasuredGas(double baseFeeWei, double priorityFeeWei, double flashLoanPremiumBps, int nativeAsset) => new()
    {
        BaseFeeWei = baseFeeWei, PriorityFeeWei = priorityFeeWei, FlashLoanPremiumBps = flashLoanPremiumBps, NativeAsset = nativeAsset,
        TxBaseGas = 21_000, FlashLoanGas = 170_922, V2SwapGas = 60_000, V3SwapGas = 100_000, V3TickCrossGas = 25_000,
    };

    public StrategyPipeline Pipeline { get; }

    /// <summary>The graph index of the constructor's pool <paramref name="pool"/> (its V2 pair or V3 pool index in <see cref="Graph"/>).</summary>
    public int GraphIndexOf(int pool) => _graphIndex[pool];

    /// <summary>Tokens with no price given and no pool that pairs them, directly or through other pools, with a priced one.</summary>
    public IReadOnlyList<Address> Unpriced { get; }

    public VenueGraph Graph { get; }

    public GraphStage Stage { get; }

    public PoolEventApplier Pools { get; }

    public GraphBundler Bundler { get; }

    /// <summary>The chain's signer: its nonce manager and the one-bundle-in-flight flag the executor clears.</summary>
    public GraphBundlerChain Signer { get; }

    public RingBuffer<Opportunity> Opportunities { get; }

    public RingBuffer<BuiltBundle> Bundles { get; }

    /// <summary>
    /// The strategy step for the pools' current state at <paramref name="block"/>: one pool update each into the market
    /// ring, then the strategy handler runs them (the graph evaluates every route through a changed pool). Returns the
    /// graph opportunities the step found (the opportunity ring, drained here).
    /// </summary>
    public IReadOnlyList<Opportunity> Publish(IReadOnlyList<DexPool> pools, long block)
    {
        ArgumentNullException.ThrowIfNull(pools);
        RingBuffer<TickEvent> ring = Pipeline.MarketRing;
        foreach (DexPool pool in pools)
        {
            if (!_poolIds.TryGetValue(pool.Address, out (int PoolId, PoolKind Kind) id) || !ring.TryNext(out long sequence))
            {
                continue;
            }

            ref TickEvent slot = ref ring[sequence];
            if (id.Kind == PoolKind.UniswapV2)
            {
                PoolUpdate.WriteV2(ref slot, id.PoolId, block, pool.V2.Reserve0, pool.V2.Reserve1);
            }
            else
            {
                ref readonly V3PoolState s = ref pool.V3!.State;
                PoolUpdate.WriteV3(ref slot, id.PoolId, block, s.SqrtPriceX96, s.Tick, s.Liquidity);
            }

            slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
            ring.Publish(sequence);
        }

        _found.Clear();
        _strategy.Poll();
        _opportunityDrain.Poll();
        return _found;
    }

    /// <summary>
    /// The chain's gas readings at <paramref name="block"/> into the market ring (applied by the next <see cref="Publish"/>,
    /// before its pool updates): base fee and tip in wei, Aave's premium in bps. False when the ring is full.
    /// </summary>
    public bool PublishGas(long block, UInt256 baseFeeWei, UInt256 priorityFeeWei, double flashLoanPremiumBps)
    {
        RingBuffer<TickEvent> ring = Pipeline.MarketRing;
        if (!ring.TryNext(out long sequence))
        {
            return false;
        }

        ref TickEvent slot = ref ring[sequence];
        PoolUpdate.WriteGas(ref slot, 0, block, baseFeeWei, priorityFeeWei, 0, flashLoanPremiumBps);
        slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
        ring.Publish(sequence);
        return true;
    }

    /// <summary>A token's price in the quote unit (the costing currency), e.g. from the pools' mids each block. Strategy thread.</summary>
    public void SetPrice(Address token, double priceInQuote)
    {
        if (_assetOf.TryGetValue(token, out int asset))
        {
            Graph.SetAssetPrice(asset, priceInQuote);
        }
    }

    /// <summary>A token's price in the quote unit as the graph holds it now (0: unknown). Strategy thread.</summary>
    public double Price(Address token) => _assetOf.TryGetValue(token, out int asset) ? Graph.AssetPrice(asset) : 0;

    /// <summary>Hands every bundle signed since the last call to <paramref name="take"/> (with its ring sequence), then releases the slots.</summary>
    public int DrainBundles(BundleHandOff take)
    {
        ArgumentNullException.ThrowIfNull(take);
        int n = 0;
        long cursor = Bundles.Cursor;
        for (long s = _bundleReader.Value + 1; s <= cursor; s++)
        {
            take(in Bundles[s], s);
            n++;
        }

        _bundleReader.Value = cursor;
        return n;
    }

    /// <summary>
    /// Marks, pass by pass outward from the priced tokens, the first pool that pairs each unpriced token with a priced
    /// one to price it at every update. Returns the tokens no pool reaches.
    /// </summary>
    private List<Address> PriceFromPools(IReadOnlyList<DexPool> pools, int[] graphIndex, List<Address> tokens, IReadOnlyDictionary<Address, double> quotePrice)
    {
        var priced = new HashSet<Address>();
        foreach (Address token in tokens)
        {
            if (quotePrice.GetValueOrDefault(token) > 0)
            {
                priced.Add(token);
            }
        }

        for (bool changed = true; changed;)
        {
            changed = false;
            for (int p = 0; p < pools.Count; p++)
            {
                DexPool pool = pools[p];
                bool has0 = priced.Contains(pool.Token0), has1 = priced.Contains(pool.Token1);
                if (has0 == has1)
                {
                    continue;
                }

                if (pool.Kind == PoolKind.UniswapV2)
                {
                    Graph.PriceFromV2Pool(graphIndex[p], pricesToken0: has1);
                }
                else
                {
                    Graph.PriceFromV3Pool(graphIndex[p], pricesToken0: has1);
                }

                priced.Add(has1 ? pool.Token0 : pool.Token1);
                changed = true;
            }
        }

        return [.. tokens.Where(t => !priced.Contains(t))];
    }

    private readonly struct OpportunitySink(List<Opportunity> found) : IEventHandler<Opportunity>
    {
        public void OnEvent(ref Opportunity evt, long sequence, bool endOfBatch) => found.Add(evt);
    }
}
