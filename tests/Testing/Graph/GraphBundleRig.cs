using System.Diagnostics;
using System.Numerics;
using LowLatency.Adapters.Ethereum;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.Flashbots;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Ring;
using LowLatency.HotPath.Strategy;

namespace LowLatency.Testing.Graph;

/// <summary>
/// The strategy step of <c>run</c> for a pool tick, composed as the host composes it (StrategyPipeline, VenueGraph,
/// GraphStage with a cycle search, PoolEventApplier, GraphBundler with its nonce manager and bundle ring), on one
/// Ethereum-like chain: a USDC/WETH V2 pair and a V3 0.05 % pool (one full-range position), and a DAI triangle
/// (WETH/DAI, DAI/USDC V2 pairs) the cycle search runs over. <see cref="PoolTick"/> publishes a V2 Sync that moves the
/// pair 1 % off the V3 pool (alternately above and below), and the strategy handler takes it through the graph's
/// evaluation, sizing, costing and the bundler's exact re-quote, calldata and EIP-1559 signature. Single thread; the
/// rings are drained by moving their gating sequences (nobody reads them here).
/// </summary>
public sealed class GraphBundleRig : IDisposable
{
    private static readonly UInt256 s_e18 = 1_000_000_000_000_000_000UL;
    private static readonly UInt256 s_e6 = 1_000_000UL;

    /// <summary>Token addresses (DAI &lt; USDC &lt; WETH: token0 is the lower one in every pool).</summary>
    public static readonly Address Usdc = Address.Parse("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48");
    public static readonly Address Weth = Address.Parse("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
    public static readonly Address Dai = Address.Parse("0x6b175474e89094c44da98b954eedeac495271d0f");

    private readonly BatchEventProcessor<TickEvent, StrategyHandler> _strategy;
    private readonly Sequence _opportunityReader = new();
    private readonly Sequence _bundleReader = new();
    private readonly RingBuffer<Opportunity> _opportunities;
    private readonly UInt256[] _reserve0 = new UInt256[2];
    private readonly UInt256[] _reserve1 = new UInt256[2];
    private readonly IDisposable? _searchOwner;
    private long _block = 1;
    private int _phase;

    /// <param name="search">Makes the cycle kernel for (nodes, edges), as the host does (disposed with the rig when it is
    /// disposable); null: two-leg routes only.</param>
    public GraphBundleRig(Func<int, int, INegativeCycleSearch>? search)
    {
        // Two exchange books the graph does not use (the edge stage needs two venues); only pool ticks move here.
        var specs = new List<BookSpec>
        {
            new(VenueId.FromIndex(0), InstrumentId.FromIndex(0), SequenceRule.None, 2, 4, Capacity: 64, PendingSlots: 16),
            new(VenueId.FromIndex(1), InstrumentId.FromIndex(0), SequenceRule.None, 2, 4, Capacity: 64, PendingSlots: 16),
        };
        _opportunities = new RingBuffer<Opportunity>(1 << 10, ProducerType.Single, WaitStrategyKind.Yielding);
        _opportunities.AddGatingSequences(_opportunityReader);
        Pipeline = new StrategyPipeline(specs, 1, 2, [2], [0.001, 0.001], 5, _opportunities, null, int.MaxValue, 1 << 10, WaitStrategyKind.Yielding);

        Graph = new VenueGraph(8, 32, 3, 1, 1, 8);
        int usdc = Graph.AddNode(0, GraphLocationKind.Chain, 0, 6);
        int weth = Graph.AddNode(1, GraphLocationKind.Chain, 0, 18);
        int dai = Graph.AddNode(2, GraphLocationKind.Chain, 0, 18);
        Address[] nodeToken = [Usdc, Weth, Dai];

        // 3,000 USDC per WETH, 10 M USDC deep on each side of the V3 pool's full-range position.
        var v3 = new V3Pool(500, 10);
        BigInteger q192 = BigInteger.One << 192;
        BigInteger rawPrice = q192 * BigInteger.Pow(10, 12) / 3_000; // token1 (WETH wei) per token0 (USDC unit), Q192
        if (v3.Initialize(UInt256.FromBigInteger(Sqrt(rawPrice))) != V3Status.Ok
            || v3.Mint(-887_270, 887_270, (UInt128)Sqrt(BigInteger.Parse("10000000000000", System.Globalization.CultureInfo.InvariantCulture) * BigInteger.Parse("3333000000000000000000", System.Globalization.CultureInfo.InvariantCulture)), out _, out _) != V3Status.Ok)
        {
            throw new InvalidOperationException("the V3 pool could not be set up");
        }

        int pair = Graph.AddV2Pool(usdc, weth, 30);
        int pool = Graph.AddV3Pool(usdc, weth, v3);
        int wethDai = Graph.AddV2Pool(dai, weth, 30);
        int daiUsdc = Graph.AddV2Pool(dai, usdc, 30);
        Graph.Freeze();

        Pools = new PoolEventApplier(Graph, 4);
        PairPoolId = Pools.AddV2(pair, 0);
        Pools.AddV3(pool, 0);
        Pools.AddV2(wethDai, 0);
        Pools.AddV2(daiUsdc, 0);
        Graph.OnV3Changed(pool);
        Graph.UpdateV2Reserves(wethDai, s_e18 * 3_000_000UL, s_e18 * 1_000UL);
        Graph.UpdateV2Reserves(daiUsdc, s_e18 * 3_000_000UL, s_e6 * 3_000_000UL);
        Graph.SetAssetPrice(0, 1);
        Graph.SetAssetPrice(1, 3_000);
        Graph.SetAssetPrice(2, 1);
        Graph.SetChainGas(0, new ChainGas
        {
            BaseFeeWei = 8e9, PriorityFeeWei = 5e8, FlashLoanPremiumBps = 5, NativeAsset = 1,
            TxBaseGas = 21_000, FlashLoanGas = 170_922, V2SwapGas = 60_000, V3SwapGas = 100_000, V3TickCrossGas = 25_000,
        });

        // The pair's two states: 10 M USDC against WETH priced 1 % above, then 1 % below the V3 pool.
        _reserve0[0] = s_e6 * 10_000_000UL;
        _reserve1[0] = UInt256.FromBigInteger(BigInteger.Parse("3333000000000000000000", System.Globalization.CultureInfo.InvariantCulture) * 1_000 / 1_010);
        _reserve0[1] = s_e6 * 10_000_000UL;
        _reserve1[1] = UInt256.FromBigInteger(BigInteger.Parse("3333000000000000000000", System.Globalization.CultureInfo.InvariantCulture) * 1_010 / 1_000);
        Graph.UpdateV2Reserves(pair, _reserve0[1], _reserve1[1]);

        INegativeCycleSearch? cycles = search?.Invoke(Graph.NodeCount, Graph.EdgeCount);
        _searchOwner = cycles as IDisposable;
        Stage = new GraphStage(Graph, new GraphStageOptions { ThresholdBps = 1, MinNetProfitQuote = 0.01 }, cycles);
        StrategyState strategy = Pipeline.Strategy;
        strategy.AttachGraph(Stage, [-1, -1]);
        strategy.AttachPools(Pools);

        var signer = new EthSigner(PrivateKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"));
        Nonces = new NonceManager(signer.Address, _ => Task.FromResult(RpcResult<ulong>.Ok(0)));
        _ = Nonces.InitialiseAsync().GetAwaiter().GetResult();
        Factory = new BundleFactory(signer, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), 1);
        Bundles = new RingBuffer<BuiltBundle>(1 << 10, ProducerType.Single, WaitStrategyKind.Yielding);
        Bundles.AddGatingSequences(_bundleReader);
        Bundler = new GraphBundler(Graph, Pools, [new GraphBundlerChain(Factory, Nonces, Weth)], nodeToken,
            [Address.Parse("0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc"), Address.Parse("0xa478c2975ab1ea89e8196811f51a7b7ade33eb11"), Address.Parse("0xae461ca67b15dc8dc81ce7615e0320da1a9ab8d5")],
            [Address.Parse("0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640")], 1_000, Bundles);
        strategy.Bundler = Bundler;

        RingBuffer<TickEvent> ring = Pipeline.MarketRing;
        _strategy = new BatchEventProcessor<TickEvent, StrategyHandler>(ring, ring.NewBarrier(), new StrategyHandler(strategy));
        ring.AddGatingSequences(_strategy.Sequence);
    }

    public StrategyPipeline Pipeline { get; }

    public VenueGraph Graph { get; }

    public GraphStage Stage { get; }

    public PoolEventApplier Pools { get; }

    public GraphBundler Bundler { get; }

    public BundleFactory Factory { get; }

    public NonceManager Nonces { get; }

    public RingBuffer<BuiltBundle> Bundles { get; }

    /// <summary>The pool id of the USDC/WETH V2 pair (the one <see cref="PoolTick"/> moves).</summary>
    public int PairPoolId { get; }

    /// <summary>The last bundle published (valid until the next tick).</summary>
    public ref BuiltBundle LastBundle => ref Bundles[Bundles.Cursor];

    /// <summary>One pool tick through the strategy step; returns how many bundles it signed (1 when the rig works).</summary>
    public long PoolTick()
    {
        long built = Bundler.Built;
        _phase ^= 1;
        RingBuffer<TickEvent> ring = Pipeline.MarketRing;
        if (!ring.TryNext(out long sequence))
        {
            return -1;
        }

        ref TickEvent slot = ref ring[sequence];
        PoolUpdate.WriteV2(ref slot, PairPoolId, _block++, _reserve0[_phase], _reserve1[_phase]);
        slot.ReceiveTimestamp = Stopwatch.GetTimestamp();
        ring.Publish(sequence);
        _strategy.Poll();
        _opportunityReader.Value = _opportunities.Cursor;
        _bundleReader.Value = Bundles.Cursor;
        return Bundler.Built - built;
    }

    public void Dispose() => _searchOwner?.Dispose();

    private static BigInteger Sqrt(BigInteger n)
    {
        BigInteger x = BigInteger.One << (int)((n.GetBitLength() / 2) + 1);
        while (true)
        {
            BigInteger next = (x + (n / x)) / 2;
            if (next >= x)
            {
                return x;
            }

            x = next;
        }
    }
}
