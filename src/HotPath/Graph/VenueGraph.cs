using System.Runtime.CompilerServices;
using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;

namespace LowLatency.HotPath.Graph;

/// <summary>
/// One graph for every arbitrage kind. Nodes are (asset, exchange or chain); edges are exchange books (a bid edge base →
/// quote and an ask edge quote → base, net of the taker fee), DEX pools (V2 pairs and V3 fee tiers, one edge per
/// direction, at the pool's marginal price net of its fee), inventory links (the same asset at two places, rate 1) and
/// bridges (fee and latency from configuration). Each edge has a rate (output per unit of input, whole tokens) and a
/// weight −ln(rate); a closed walk whose weights sum below zero makes money at the margin.
/// Built on the start-up thread (<c>Add*</c>, then <see cref="Freeze"/>); afterwards updated and read by the strategy
/// thread only. Allocates only while building.
/// </summary>
public sealed class VenueGraph
{
    /// <summary>Weight of an edge that cannot be traded (no quote, empty pool, book in resync).</summary>
    public const double Unusable = double.PositiveInfinity;

    private readonly GraphNode[] _nodes;
    private int _nodeCount;

    private readonly int[] _from;
    private readonly int[] _to;
    private readonly GraphEdgeKind[] _kind;
    private readonly int[] _source;
    private readonly bool[] _zeroForOne;
    private readonly double[] _fee;
    private readonly double[] _fixedFee;
    private readonly double[] _latencySeconds;
    private readonly double[] _rate;
    private readonly double[] _weight;
    private int _edgeCount;

    private readonly L2Book?[] _books;
    private readonly int[] _bookPriceDecimals;
    private readonly int[] _bookQuantityDecimals;
    private readonly double[] _bookBid;
    private readonly double[] _bookAsk;
    private readonly double[] _bookBidQty;
    private readonly double[] _bookAskQty;
    private readonly bool[] _bookTradeable;
    private readonly bool[] _bookPricesAsset;
    private readonly int[] _bookFirstEdge;
    private int _bookCount;

    private readonly V2PoolState[] _v2;
    private readonly int[] _v2FirstEdge;
    private readonly PoolPricing[] _v2Pricing;
    private int _v2Count;
    private readonly V3Pool?[] _v3;
    private readonly int[] _v3FirstEdge;
    private readonly PoolPricing[] _v3Pricing;
    private int _v3Count;

    private readonly double[] _assetPrice;
    private readonly ChainGas[] _gas;

    private int[] _incomingStart = [];
    private int[] _csrFrom = [];
    private int[] _csrEdge = [];
    private double[] _csrWeight = [];
    private bool _frozen;
    private long _version;

    /// <param name="maxNodes">Most nodes; <paramref name="maxEdges"/> most edges (two per book, pool, link or bridge).</param>
    /// <param name="maxAssets">Asset ids are [0, maxAssets); <paramref name="maxChains"/> chain ids [0, maxChains).</param>
    public VenueGraph(int maxNodes, int maxEdges, int maxAssets, int maxChains, int maxBooks = 256, int maxPools = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEdges, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAssets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChains, 1);
        _nodes = new GraphNode[maxNodes];
        _from = new int[maxEdges];
        _to = new int[maxEdges];
        _kind = new GraphEdgeKind[maxEdges];
        _source = new int[maxEdges];
        _zeroForOne = new bool[maxEdges];
        _fee = new double[maxEdges];
        _fixedFee = new double[maxEdges];
        _latencySeconds = new double[maxEdges];
        _rate = new double[maxEdges];
        _weight = new double[maxEdges];
        _books = new L2Book?[maxBooks];
        _bookPriceDecimals = new int[maxBooks];
        _bookQuantityDecimals = new int[maxBooks];
        _bookBid = new double[maxBooks];
        _bookAsk = new double[maxBooks];
        _bookBidQty = new double[maxBooks];
        _bookAskQty = new double[maxBooks];
        _bookTradeable = new bool[maxBooks];
        _bookPricesAsset = new bool[maxBooks];
        _bookFirstEdge = new int[maxBooks];
        _v2 = new V2PoolState[maxPools];
        _v2FirstEdge = new int[maxPools];
        _v2Pricing = new PoolPricing[maxPools];
        _v3 = new V3Pool?[maxPools];
        _v3FirstEdge = new int[maxPools];
        _v3Pricing = new PoolPricing[maxPools];
        _assetPrice = new double[maxAssets];
        _gas = new ChainGas[maxChains];
    }

    public int NodeCount => _nodeCount;

    public int EdgeCount => _edgeCount;

    /// <summary>True once <see cref="Freeze"/> has built the incoming-edge CSR; no edge can be added after.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>Bumped by every update that changes a rate: the stage evaluates only when it moved.</summary>
    public long Version => _version;

    public ref readonly GraphNode Node(int node) => ref _nodes[node];

    public int EdgeFrom(int edge) => _from[edge];

    public int EdgeTo(int edge) => _to[edge];

    public GraphEdgeKind EdgeKind(int edge) => _kind[edge];

    /// <summary>Book or pool index of the edge (its own index for links and bridges).</summary>
    public int EdgeSource(int edge) => _source[edge];

    /// <summary>For pool edges: token0 → token1.</summary>
    public bool EdgeZeroForOne(int edge) => _zeroForOne[edge];

    /// <summary>Taker fee, pool fee or bridge fee of the edge, as a fraction.</summary>
    public double EdgeFee(int edge) => _fee[edge];

    /// <summary>A bridge's fixed fee in whole tokens of the bridged asset.</summary>
    public double EdgeFixedFee(int edge) => _fixedFee[edge];

    /// <summary>A bridge's settlement latency in seconds.</summary>
    public double EdgeLatencySeconds(int edge) => _latencySeconds[edge];

    /// <summary>Output per unit of input at the margin, net of the edge's proportional fee; 0 when unusable.</summary>
    public double EdgeRate(int edge) => _rate[edge];

    /// <summary>−ln(rate), or <see cref="Unusable"/>.</summary>
    public ReadOnlySpan<double> Weights => _weight.AsSpan(0, _edgeCount);

    /// <summary>Where the edge trades: the exchange of a book, the chain of a pool, the source side of a link.</summary>
    public (GraphLocationKind Kind, int Location) EdgeLocation(int edge)
    {
        ref readonly GraphNode n = ref _nodes[_from[edge]];
        return (n.LocationKind, n.Location);
    }

    /// <summary>True for book and pool edges (the legs that trade), false for inventory links and bridges.</summary>
    public bool IsTrade(int edge) => _kind[edge] <= GraphEdgeKind.V3Pool;

    public L2Book? Book(int book) => _books[book];

    public int BookPriceDecimals(int book) => _bookPriceDecimals[book];

    public int BookQuantityDecimals(int book) => _bookQuantityDecimals[book];

    public double BookBid(int book) => _bookBid[book];

    public double BookAsk(int book) => _bookAsk[book];

    /// <summary>Top-of-book sizes in whole base units (the depth used when the book has no levels).</summary>
    public double BookBidQuantity(int book) => _bookBidQty[book];

    public double BookAskQuantity(int book) => _bookAskQty[book];

    public ref readonly V2PoolState V2(int pool) => ref _v2[pool];

    public V3Pool V3(int pool) => _v3[pool]!;

    /// <summary>Price of one whole token of <paramref name="asset"/> in the quote asset (0 = unknown).</summary>
    public double AssetPrice(int asset) => _assetPrice[asset];

    public ref readonly ChainGas Gas(int chain) => ref _gas[chain];

    public int ChainCount => _gas.Length;

    // ---- building (start-up thread) ----

    /// <summary>Adds a node; <paramref name="decimals"/> is the token's decimals on a chain (ignored at an exchange).</summary>
    public int AddNode(int asset, GraphLocationKind locationKind, int location, int decimals = 18)
    {
        EnsureBuilding();
        if ((uint)asset >= (uint)_assetPrice.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(asset), $"asset {asset} is outside [0, {_assetPrice.Length})");
        }

        if (locationKind == GraphLocationKind.Chain && (uint)location >= (uint)_gas.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(location), $"chain {location} is outside [0, {_gas.Length})");
        }

        if ((uint)decimals > Amounts.MaxDecimals)
        {
            throw new ArgumentOutOfRangeException(nameof(decimals), $"decimals {decimals} is outside [0, {Amounts.MaxDecimals}]");
        }

        if (_nodeCount == _nodes.Length)
        {
            throw new InvalidOperationException($"the graph holds at most {_nodes.Length} nodes");
        }

        _nodes[_nodeCount] = new GraphNode(asset, locationKind, location, decimals);
        return _nodeCount++;
    }

    /// <summary>
    /// An exchange book of base/quote: returns its book index. Edge <c>first</c> sells base at the bid, <c>first + 1</c>
    /// buys base at the ask. <paramref name="book"/> (may be null) gives depth for sizing; without it only the top is used.
    /// </summary>
    public int AddCexBook(int baseNode, int quoteNode, double takerFee, int priceDecimals, int quantityDecimals, L2Book? book = null)
    {
        EnsureBuilding();
        CheckPair(baseNode, quoteNode);
        if (!(takerFee >= 0 && takerFee < 0.1))
        {
            throw new ArgumentOutOfRangeException(nameof(takerFee), $"taker fee {takerFee} is not a fraction in [0, 0.1)");
        }

        if (_nodes[baseNode].LocationKind != GraphLocationKind.Exchange || _nodes[baseNode].Location != _nodes[quoteNode].Location || _nodes[quoteNode].LocationKind != GraphLocationKind.Exchange)
        {
            throw new ArgumentException("a book's two nodes must be at the same exchange");
        }

        if (_bookCount == _books.Length)
        {
            throw new InvalidOperationException($"the graph holds at most {_books.Length} books");
        }

        int index = _bookCount++;
        _books[index] = book;
        _bookPriceDecimals[index] = priceDecimals;
        _bookQuantityDecimals[index] = quantityDecimals;
        int first = AddEdge(baseNode, quoteNode, GraphEdgeKind.CexBid, index, false, takerFee);
        AddEdge(quoteNode, baseNode, GraphEdgeKind.CexAsk, index, false, takerFee);
        _bookFirstEdge[index] = first;
        return index;
    }

    /// <summary>A V2 pair between token0's and token1's nodes on one chain; returns its pool index (edges token0 → token1, then back).</summary>
    public int AddV2Pool(int token0Node, int token1Node, uint feeBps)
    {
        EnsureBuilding();
        CheckPair(token0Node, token1Node);
        CheckSameChain(token0Node, token1Node);
        if (feeBps >= UniswapV2Math.FeeDenominatorBps)
        {
            throw new ArgumentOutOfRangeException(nameof(feeBps), $"fee {feeBps} bps is not below 10,000");
        }

        if (_v2Count == _v2.Length)
        {
            throw new InvalidOperationException($"the graph holds at most {_v2.Length} V2 pools");
        }

        int index = _v2Count++;
        _v2[index] = new V2PoolState { FeeBps = feeBps };
        double fee = feeBps / 10_000d;
        _v2FirstEdge[index] = AddEdge(token0Node, token1Node, GraphEdgeKind.V2Pool, index, true, fee);
        AddEdge(token1Node, token0Node, GraphEdgeKind.V2Pool, index, false, fee);
        return index;
    }

    /// <summary>A V3 pool (its state is read from <paramref name="pool"/> on <see cref="OnV3Changed"/>); returns its pool index.</summary>
    public int AddV3Pool(int token0Node, int token1Node, V3Pool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        EnsureBuilding();
        CheckPair(token0Node, token1Node);
        CheckSameChain(token0Node, token1Node);
        if (_v3Count == _v3.Length)
        {
            throw new InvalidOperationException($"the graph holds at most {_v3.Length} V3 pools");
        }

        int index = _v3Count++;
        _v3[index] = pool;
        double fee = pool.Fee / 1e6;
        _v3FirstEdge[index] = AddEdge(token0Node, token1Node, GraphEdgeKind.V3Pool, index, true, fee);
        AddEdge(token1Node, token0Node, GraphEdgeKind.V3Pool, index, false, fee);
        return index;
    }

    /// <summary>The same asset held at two places (inventory on both, no transfer inside the trade): two edges at rate 1.</summary>
    public int AddInventoryLink(int nodeA, int nodeB)
    {
        EnsureBuilding();
        CheckSameAsset(nodeA, nodeB);
        int first = AddEdge(nodeA, nodeB, GraphEdgeKind.Inventory, 0, false, 0);
        AddEdge(nodeB, nodeA, GraphEdgeKind.Inventory, 0, false, 0);
        SetRate(first, 1);
        SetRate(first + 1, 1);
        return first;
    }

    /// <summary>
    /// A bridge for one asset between two chains, both directions: proportional <paramref name="feeFraction"/>, a fixed
    /// fee in whole tokens and the settlement latency, all from configuration.
    /// </summary>
    public int AddBridge(int nodeA, int nodeB, double feeFraction, double fixedFeeTokens, double latencySeconds)
    {
        EnsureBuilding();
        CheckSameAsset(nodeA, nodeB);
        if (_nodes[nodeA].LocationKind != GraphLocationKind.Chain || _nodes[nodeB].LocationKind != GraphLocationKind.Chain || _nodes[nodeA].Location == _nodes[nodeB].Location)
        {
            throw new ArgumentException("a bridge joins the same asset on two different chains");
        }

        if (!(feeFraction >= 0 && feeFraction < 1) || !(fixedFeeTokens >= 0 && double.IsFinite(fixedFeeTokens)) || !(latencySeconds >= 0 && double.IsFinite(latencySeconds)))
        {
            throw new ArgumentOutOfRangeException(nameof(feeFraction), "bridge fee must be in [0, 1), fixed fee and latency finite and not negative");
        }

        int first = AddEdge(nodeA, nodeB, GraphEdgeKind.Bridge, 0, false, feeFraction);
        AddEdge(nodeB, nodeA, GraphEdgeKind.Bridge, 0, false, feeFraction);
        for (int e = first; e <= first + 1; e++)
        {
            _source[e] = e;
            _fixedFee[e] = fixedFeeTokens;
            _latencySeconds[e] = latencySeconds;
            SetRate(e, 1 - feeFraction);
        }

        return first;
    }

    /// <summary>Builds the incoming-edge CSR the negative-cycle kernels read. Start-up thread; allocates; once.</summary>
    public void Freeze()
    {
        EnsureBuilding();
        int n = _nodeCount;
        int m = _edgeCount;
        _incomingStart = new int[n + 1];
        _csrFrom = new int[m];
        _csrEdge = new int[m];
        _csrWeight = new double[m];
        for (int e = 0; e < m; e++)
        {
            _incomingStart[_to[e] + 1]++;
        }

        for (int v = 0; v < n; v++)
        {
            _incomingStart[v + 1] += _incomingStart[v];
        }

        // Edges in index order within each node's slots: every kernel breaks ties by the lowest slot, so by lowest edge.
        var next = new int[n];
        for (int e = 0; e < m; e++)
        {
            int v = _to[e];
            int k = _incomingStart[v] + next[v]++;
            _csrFrom[k] = _from[e];
            _csrEdge[k] = e;
        }

        _frozen = true;
    }

    /// <summary>Node v's incoming slots are [IncomingStart[v], IncomingStart[v + 1]). After <see cref="Freeze"/>.</summary>
    public ReadOnlySpan<int> IncomingStart => _incomingStart;

    /// <summary>Source node of each CSR slot.</summary>
    public ReadOnlySpan<int> CsrFrom => _csrFrom;

    /// <summary>Graph edge of each CSR slot.</summary>
    public ReadOnlySpan<int> CsrEdge => _csrEdge;

    /// <summary>Weight of each CSR slot as of the last <see cref="RefreshCsrWeights"/>.</summary>
    public ReadOnlySpan<double> CsrWeight => _csrWeight;

    /// <summary>Copies the current weights into CSR order for a kernel. Strategy thread; allocation-free.</summary>
    public void RefreshCsrWeights()
    {
        int[] edge = _csrEdge;
        double[] csr = _csrWeight;
        double[] weight = _weight;
        for (int k = 0; k < csr.Length; k++)
        {
            csr[k] = weight[edge[k]];
        }
    }

    // ---- updates (strategy thread; allocation-free) ----

    /// <summary>
    /// An exchange book's top: bid and ask in whole quote per whole base, their sizes in whole base; an untradeable book
    /// (missing, resync, crossed) or a price outside (0, ∞) makes both its edges unusable.
    /// </summary>
    public void UpdateBookTop(int book, double bid, double bidQuantity, double ask, double askQuantity, bool tradeable)
    {
        if ((uint)book >= (uint)_bookCount)
        {
            return;
        }

        bool ok = tradeable && bid > 0 && ask > 0 && double.IsFinite(bid) && double.IsFinite(ask) && bid < ask;
        _bookBid[book] = bid;
        _bookAsk[book] = ask;
        _bookBidQty[book] = bidQuantity > 0 && double.IsFinite(bidQuantity) ? bidQuantity : 0;
        _bookAskQty[book] = askQuantity > 0 && double.IsFinite(askQuantity) ? askQuantity : 0;
        if (ok && _bookPricesAsset[book])
        {
            int first = _bookFirstEdge[book];
            SetAssetPrice(_nodes[_from[first]].Asset, (bid + ask) / 2 * _assetPrice[_nodes[_to[first]].Asset]);
        }

        _bookTradeable[book] = ok;
        int e = _bookFirstEdge[book];
        SetRate(e, ok ? bid * (1 - _fee[e]) : 0);
        SetRate(e + 1, ok ? (1 - _fee[e + 1]) / ask : 0);
        _version++;
    }

    /// <summary>
    /// The same from a book's fixed-point top (the strategy thread's levels), converted with the decimals the book was
    /// added with; then, when the book is an asset's price source, that asset's price (mid × the quote asset's price).
    /// </summary>
    public void UpdateBookTop(int book, in BookLevel bid, in BookLevel ask, bool tradeable)
    {
        if ((uint)book >= (uint)_bookCount)
        {
            return;
        }

        int pd = _bookPriceDecimals[book];
        int qd = _bookQuantityDecimals[book];
        UpdateBookTop(
            book,
            FixedPoint.ToDouble(bid.Price.Raw, pd),
            FixedPoint.ToDouble(bid.Quantity.Raw, qd),
            FixedPoint.ToDouble(ask.Price.Raw, pd),
            FixedPoint.ToDouble(ask.Quantity.Raw, qd),
            tradeable && bid.Price.IsSet && ask.Price.IsSet);
    }

    /// <summary>
    /// Makes <paramref name="book"/>'s mid the price of its base asset (times its quote asset's price), refreshed on every
    /// top update: how gas in the native token and sizes are valued live. Start-up thread.
    /// </summary>
    public void PriceFromBook(int book)
    {
        EnsureBuilding();
        if ((uint)book >= (uint)_bookCount)
        {
            throw new ArgumentOutOfRangeException(nameof(book), $"book {book} does not exist");
        }

        _bookPricesAsset[book] = true;
    }

    /// <summary>
    /// Build time: each update of V2 pool <paramref name="pool"/> prices one of its tokens' assets at the pool's mid
    /// times the other token's price (<paramref name="pricesToken0"/>: token0 from token1, else token1 from token0), as
    /// <see cref="PriceFromBook"/> prices a base asset: a token no book or fixed price covers is priced where it trades.
    /// An unusable pool or an unpriced other token leaves the price as it was.
    /// </summary>
    public void PriceFromV2Pool(int pool, bool pricesToken0)
    {
        EnsureBuilding();
        if ((uint)pool >= (uint)_v2Count)
        {
            throw new ArgumentOutOfRangeException(nameof(pool), $"V2 pool {pool} does not exist");
        }

        _v2Pricing[pool] = pricesToken0 ? PoolPricing.Token0 : PoolPricing.Token1;
    }

    /// <summary>As <see cref="PriceFromV2Pool"/>, for V3 pool <paramref name="pool"/> (its mid is √P² at the current tick).</summary>
    public void PriceFromV3Pool(int pool, bool pricesToken0)
    {
        EnsureBuilding();
        if ((uint)pool >= (uint)_v3Count)
        {
            throw new ArgumentOutOfRangeException(nameof(pool), $"V3 pool {pool} does not exist");
        }

        _v3Pricing[pool] = pricesToken0 ? PoolPricing.Token0 : PoolPricing.Token1;
    }

    /// <summary>True when the book's last top was usable.</summary>
    public bool IsBookTradeable(int book) => (uint)book < (uint)_bookCount && _bookTradeable[book];

    /// <summary>A V2 pair's reserves (a Sync log or a snapshot); empty reserves make it unusable.</summary>
    public void UpdateV2Reserves(int pool, UInt256 reserve0, UInt256 reserve1)
    {
        if ((uint)pool >= (uint)_v2Count)
        {
            return;
        }

        ref V2PoolState state = ref _v2[pool];
        state.Reserve0 = reserve0;
        state.Reserve1 = reserve1;
        int e = _v2FirstEdge[pool];
        double r0 = Amounts.ToTokens(reserve0, _nodes[_from[e]].Decimals);
        double r1 = Amounts.ToTokens(reserve1, _nodes[_to[e]].Decimals);
        bool ok = r0 > 0 && r1 > 0;
        if (ok)
        {
            PriceFromMid(_v2Pricing[pool], e, r1 / r0);
        }

        SetRate(e, ok ? r1 / r0 * (1 - _fee[e]) : 0);
        SetRate(e + 1, ok ? r0 / r1 * (1 - _fee[e + 1]) : 0);
        _version++;
    }

    /// <summary>Re-reads a V3 pool's price after its state changed (a Swap, Mint or Burn applied to it).</summary>
    public void OnV3Changed(int pool)
    {
        if ((uint)pool >= (uint)_v3Count)
        {
            return;
        }

        V3Pool p = _v3[pool]!;
        int e = _v3FirstEdge[pool];
        ref readonly V3PoolState s = ref p.State;
        bool ok = s.IsInitialized && s.Liquidity != UInt128.Zero;
        double price = 0;
        if (ok)
        {
            // token1 per token0 in whole tokens: (sqrtP / 2^96)^2 · 10^(d0 − d1).
            double sqrt = Amounts.ToDouble(s.SqrtPriceX96) / 79228162514264337593543950336d;
            price = sqrt * sqrt * Amounts.Pow10(_nodes[_from[e]].Decimals) / Amounts.Pow10(_nodes[_to[e]].Decimals);
            ok = price > 0 && double.IsFinite(price);
        }

        if (ok)
        {
            PriceFromMid(_v3Pricing[pool], e, price);
        }

        SetRate(e, ok ? price * (1 - _fee[e]) : 0);
        SetRate(e + 1, ok ? (1 - _fee[e + 1]) / price : 0);
        _version++;
    }

    /// <summary>Price of one whole token of an asset in the quote asset (values sizes and converts gas); 0 = unknown.</summary>
    public void SetAssetPrice(int asset, double priceInQuote)
    {
        if ((uint)asset < (uint)_assetPrice.Length)
        {
            _assetPrice[asset] = priceInQuote > 0 && double.IsFinite(priceInQuote) ? priceInQuote : 0;
        }
    }

    /// <summary>A chain's current gas inputs (see <see cref="ChainGas"/>).</summary>
    public void SetChainGas(int chain, in ChainGas gas)
    {
        if ((uint)chain < (uint)_gas.Length)
        {
            _gas[chain] = gas;
        }
    }

    // ---- helpers ----

    /// <summary>A pool's mid (whole token1 per token0, before fees) prices the asset its pricing names from the other's price.</summary>
    private void PriceFromMid(PoolPricing pricing, int firstEdge, double token1PerToken0)
    {
        if (pricing == PoolPricing.None || !(token1PerToken0 > 0) || !double.IsFinite(token1PerToken0))
        {
            return;
        }

        int asset0 = _nodes[_from[firstEdge]].Asset;
        int asset1 = _nodes[_to[firstEdge]].Asset;
        if (pricing == PoolPricing.Token0 && _assetPrice[asset1] > 0)
        {
            SetAssetPrice(asset0, token1PerToken0 * _assetPrice[asset1]);
        }
        else if (pricing == PoolPricing.Token1 && _assetPrice[asset0] > 0)
        {
            SetAssetPrice(asset1, _assetPrice[asset0] / token1PerToken0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetRate(int edge, double rate)
    {
        bool ok = rate > 0 && double.IsFinite(rate);
        _rate[edge] = ok ? rate : 0;
        _weight[edge] = ok ? -Math.Log(rate) : Unusable;
    }

    private int AddEdge(int from, int to, GraphEdgeKind kind, int source, bool zeroForOne, double fee)
    {
        if (_edgeCount == _from.Length)
        {
            throw new InvalidOperationException($"the graph holds at most {_from.Length} edges");
        }

        int e = _edgeCount++;
        _from[e] = from;
        _to[e] = to;
        _kind[e] = kind;
        _source[e] = source;
        _zeroForOne[e] = zeroForOne;
        _fee[e] = fee;
        _rate[e] = 0;
        _weight[e] = Unusable;
        return e;
    }

    private void EnsureBuilding()
    {
        if (_frozen)
        {
            throw new InvalidOperationException("the graph is frozen: nodes and edges are added before Freeze");
        }
    }

    private void CheckNode(int node)
    {
        if ((uint)node >= (uint)_nodeCount)
        {
            throw new ArgumentOutOfRangeException(nameof(node), $"node {node} does not exist");
        }
    }

    private void CheckPair(int a, int b)
    {
        CheckNode(a);
        CheckNode(b);
        if (_nodes[a].Asset == _nodes[b].Asset)
        {
            throw new ArgumentException("a market trades two different assets");
        }
    }

    private void CheckSameChain(int a, int b)
    {
        if (_nodes[a].LocationKind != GraphLocationKind.Chain || _nodes[b].LocationKind != GraphLocationKind.Chain || _nodes[a].Location != _nodes[b].Location)
        {
            throw new ArgumentException("a pool's two tokens must be on the same chain");
        }
    }

    private void CheckSameAsset(int a, int b)
    {
        CheckNode(a);
        CheckNode(b);
        if (a == b || _nodes[a].Asset != _nodes[b].Asset)
        {
            throw new ArgumentException("a link joins the same asset at two different nodes");
        }
    }
}

/// <summary>Which of a pool's tokens its mid prices (<see cref="VenueGraph.PriceFromV2Pool"/>).</summary>
internal enum PoolPricing : byte
{
    None,
    Token0,
    Token1,
}
