using System.Runtime.CompilerServices;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Graph;

/// <summary>Settings of <see cref="GraphStage"/>, validated at construction.</summary>
public sealed record GraphStageOptions
{
    /// <summary>A path is a candidate when its marginal rate product beats 1 by this many bps.</summary>
    public double ThresholdBps { get; init; } = 1;

    /// <summary>A sized candidate is published when its net profit (quote asset) is at least this.</summary>
    public double MinNetProfitQuote { get; init; }

    /// <summary>Largest input, valued in the quote asset (bounds the size search and inventory use).</summary>
    public double MaxSizeQuote { get; init; } = 100_000;

    /// <summary>Bellman-Ford rounds of the cycle search (cycles of up to about this many legs are found).</summary>
    public int CycleRounds { get; init; } = 4;

    /// <summary>Cycles sized per evaluation at most (the rest are counted in <see cref="GraphStage.CyclesSkipped"/>).</summary>
    public int MaxCyclesPerEvaluation { get; init; } = 16;

    /// <summary>Golden-section steps per size search (0.618^n of the range).</summary>
    public int SearchIterations { get; init; } = 48;
}

/// <summary>
/// Finds, sizes and costs arbitrage on a <see cref="VenueGraph"/>: every two-leg route (CEX-CEX through inventory,
/// CEX-DEX, DEX-DEX, the same pair on another chain through a bridge) from a list built once, and triangular and
/// longer cycles through an <see cref="INegativeCycleSearch"/> kernel over the incoming-edge CSR. Each candidate is
/// sized on the exact quote functions (<see cref="GraphSizer"/>), costed with everything (<see cref="PathQuote"/>) and
/// handed to the sink as an <see cref="Opportunity"/> with its kind, path, size and costs.
/// Strategy thread only; allocates only in the constructor.
/// </summary>
public sealed class GraphStage
{
    private readonly VenueGraph _graph;
    private readonly GraphStageOptions _options;
    private readonly INegativeCycleSearch? _search;
    private readonly double _maxLogSum;

    private readonly OpportunityPath[] _pairs;
    private readonly double[] _pairEmittedWeight;
    private readonly int _pairCount;

    private readonly double[] _distance;
    private readonly int[] _predecessor;
    private readonly int[] _walkStamp;
    private readonly int[] _doneStamp;
    private readonly int[] _walk;
    private int _stamp;
    private int _evaluation;

    private readonly ulong[] _emittedCycles;
    private readonly double[] _emittedCycleWeight;
    private int _emittedCycleCount;
    private readonly ulong[] _previousCycles;
    private readonly double[] _previousCycleWeight;
    private int _previousCycleCount;

    private long _lastVersion = -1;
    private int _rearm;

    /// <param name="search">The cycle kernel (prepared here with the graph's topology); null: two-leg routes only.</param>
    public GraphStage(VenueGraph graph, GraphStageOptions options, INegativeCycleSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        if (!graph.IsFrozen)
        {
            throw new ArgumentException("freeze the graph before building its stage", nameof(graph));
        }

        if (!(options.ThresholdBps >= 0 && options.ThresholdBps < 10_000) || !double.IsFinite(options.MinNetProfitQuote)
            || !(options.MaxSizeQuote > 0 && double.IsFinite(options.MaxSizeQuote))
            || options.CycleRounds is < 2 or > 64 || options.MaxCyclesPerEvaluation is < 0 or > 1024 || options.SearchIterations is < 8 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "graph options out of range: thresholdBps [0, 10000), maxSizeQuote > 0, cycleRounds [2, 64], maxCyclesPerEvaluation [0, 1024], searchIterations [8, 200]");
        }

        _graph = graph;
        _options = options;
        _search = search;
        _maxLogSum = -Math.Log(1 + (options.ThresholdBps / 10_000));
        _pairs = BuildPairs(graph);
        _pairCount = _pairs.Length;
        _pairEmittedWeight = new double[_pairCount];
        int n = graph.NodeCount;
        _distance = new double[n];
        _predecessor = new int[n];
        _walkStamp = new int[n];
        _doneStamp = new int[n];
        _walk = new int[n + 1];
        int cap = Math.Max(1, options.MaxCyclesPerEvaluation);
        _emittedCycles = new ulong[cap];
        _emittedCycleWeight = new double[cap];
        _previousCycles = new ulong[cap];
        _previousCycleWeight = new double[cap];
        search?.Prepare(n, graph.IncomingStart, graph.CsrFrom);
    }

    public VenueGraph Graph => _graph;

    /// <summary>Two-leg routes the stage checks on every evaluation.</summary>
    public int PairRouteCount => _pairCount;

    /// <summary>Two-leg route <paramref name="index"/> (for tools and tests).</summary>
    public ref readonly OpportunityPath PairRoute(int index) => ref _pairs[index];

    /// <summary>Times standing routes were reported again on request (<see cref="RequestRearm"/>).</summary>
    public long Rearms { get; private set; }

    /// <summary>Evaluations that ran (the graph had changed).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Candidates whose marginal rate passed the threshold.</summary>
    public long Candidates { get; private set; }

    /// <summary>Candidates that could not be valued (an asset with no price, a chain with no gas reading) or sized to a profit.</summary>
    public long Unsized { get; private set; }

    /// <summary>Cycles found beyond <see cref="GraphStageOptions.MaxCyclesPerEvaluation"/>, or longer than a path holds.</summary>
    public long CyclesSkipped { get; private set; }

    /// <summary>Cycle searches the kernel refused (the two-leg routes were still evaluated).</summary>
    public long SearchRefusals { get; private set; }

    /// <summary>
    /// Evaluates when any rate changed since the last call: two-leg routes, then cycles. Returns how many opportunities
    /// were handed to <paramref name="sink"/>. Strategy thread; allocation-free.
    /// </summary>
    public int Evaluate<TSink>(ref TSink sink, long decisionTimeNs, long triggerTimestamp)
        where TSink : struct, IOpportunitySink
    {
        if (_graph.Version == _lastVersion)
        {
            return 0;
        }

        if (Volatile.Read(ref _rearm) != 0)
        {
            Rearm();
        }

        _lastVersion = _graph.Version;
        Evaluations++;
        int emitted = 0;
        ReadOnlySpan<double> weights = _graph.Weights;
        for (int p = 0; p < _pairCount; p++)
        {
            ref readonly OpportunityPath path = ref _pairs[p];
            double sum = 0;
            for (int i = 0; i < path.Count; i++)
            {
                sum += weights[path[i]];
            }

            if (!(sum < _maxLogSum))
            {
                _pairEmittedWeight[p] = 0;
                continue;
            }

            // A standing route is reported once per distinct set of rates, not on every evaluation.
            if (sum == _pairEmittedWeight[p])
            {
                continue;
            }

            _pairEmittedWeight[p] = sum;
            Candidates++;
            emitted += SizeAndEmit(ref sink, path, decisionTimeNs, triggerTimestamp);
        }

        if (_search is not null && _options.MaxCyclesPerEvaluation > 0)
        {
            emitted += SearchCycles(ref sink, decisionTimeNs, triggerTimestamp);
        }

        return emitted;
    }

    private int SearchCycles<TSink>(ref TSink sink, long decisionTimeNs, long triggerTimestamp)
        where TSink : struct, IOpportunitySink
    {
        _graph.RefreshCsrWeights();
        if (!_search!.Relax(_options.CycleRounds, _graph.CsrWeight, _distance, _predecessor))
        {
            SearchRefusals++;
            return 0;
        }

        SwapEmitted();
        _evaluation++;
        int emitted = 0;
        ReadOnlySpan<int> csrFrom = _graph.CsrFrom;
        ReadOnlySpan<int> csrEdge = _graph.CsrEdge;
        ReadOnlySpan<double> weights = _graph.Weights;
        for (int v = 0; v < _graph.NodeCount; v++)
        {
            if (_predecessor[v] < 0 || _doneStamp[v] == _evaluation)
            {
                continue;
            }

            // Walk predecessors until a node repeats (a cycle of the predecessor graph, whose weight is negative) or the
            // walk reaches a node already explored in this evaluation.
            _stamp++;
            int length = 0;
            int u = v;
            int cycleAt = -1;
            while (u >= 0 && _doneStamp[u] != _evaluation)
            {
                if (_walkStamp[u] == _stamp)
                {
                    cycleAt = u;
                    break;
                }

                _walkStamp[u] = _stamp;
                _walk[length++] = u;
                int slot = _predecessor[u];
                u = slot < 0 ? -1 : csrFrom[slot];
            }

            for (int i = 0; i < length; i++)
            {
                _doneStamp[_walk[i]] = _evaluation;
            }

            if (cycleAt < 0)
            {
                continue;
            }

            if (!TryCycle(cycleAt, csrFrom, csrEdge, out OpportunityPath path))
            {
                CyclesSkipped++;
                continue;
            }

            double sum = 0;
            int trades = 0;
            for (int i = 0; i < path.Count; i++)
            {
                sum += weights[path[i]];
                trades += _graph.IsTrade(path[i]) ? 1 : 0;
            }

            // Two-trade cycles are the pair routes' job; the predecessor graph's weights are re-checked on the live ones.
            if (trades < 3 || !(sum < _maxLogSum))
            {
                continue;
            }

            ulong signature = Signature(path);
            if (IsEmitted(signature))
            {
                continue;
            }

            if (_emittedCycleCount == _emittedCycles.Length)
            {
                CyclesSkipped++;
                continue;
            }

            _emittedCycles[_emittedCycleCount] = signature;
            _emittedCycleWeight[_emittedCycleCount++] = sum;
            if (WasEmitted(signature, sum))
            {
                continue;
            }

            Candidates++;
            emitted += SizeAndEmit(ref sink, path, decisionTimeNs, triggerTimestamp);
        }

        return emitted;
    }

    /// <summary>The cycle through <paramref name="start"/> in trade order, rotated to begin at its lowest edge index.</summary>
    private bool TryCycle(int start, ReadOnlySpan<int> csrFrom, ReadOnlySpan<int> csrEdge, out OpportunityPath path)
    {
        path = default;
        Span<int> reversed = stackalloc int[OpportunityPath.Capacity];
        int count = 0;
        int u = start;
        do
        {
            if (count == OpportunityPath.Capacity)
            {
                return false;
            }

            int slot = _predecessor[u];
            reversed[count++] = csrEdge[slot];
            u = csrFrom[slot];
        }
        while (u != start);

        int lowest = 0;
        for (int i = 1; i < count; i++)
        {
            if (reversed[i] < reversed[lowest])
            {
                lowest = i;
            }
        }

        // reversed[i] enters the node reversed[i − 1] leaves: trade order walks the array backwards.
        for (int i = 0; i < count; i++)
        {
            path.TryAdd(reversed[((lowest - i) % count + count) % count]);
        }

        return true;
    }

    private static ulong Signature(in OpportunityPath path)
    {
        ulong h = 14_695_981_039_346_656_037UL;
        for (int i = 0; i < path.Count; i++)
        {
            h = (h ^ (uint)path[i]) * 1_099_511_628_211UL;
        }

        return h;
    }

    /// <summary>
    /// Any thread: the next evaluation reports standing routes again, as if their rates were new. An executor asks for
    /// it when an account can act again (a bundle ended unsent or missed, or was out while the route was reported).
    /// </summary>
    public void RequestRearm() => Volatile.Write(ref _rearm, 1);

    private void Rearm()
    {
        Volatile.Write(ref _rearm, 0);
        _pairEmittedWeight.AsSpan().Clear();
        _previousCycleCount = 0;
        Rearms++;
    }

    private bool IsEmitted(ulong signature)
    {
        for (int i = 0; i < _emittedCycleCount; i++)
        {
            if (_emittedCycles[i] == signature)
            {
                return true;
            }
        }

        return false;
    }

    private bool WasEmitted(ulong signature, double weight)
    {
        for (int i = 0; i < _previousCycleCount; i++)
        {
            if (_previousCycles[i] == signature && _previousCycleWeight[i] == weight)
            {
                return true;
            }
        }

        return false;
    }

    private void SwapEmitted()
    {
        _emittedCycles.AsSpan(0, _emittedCycleCount).CopyTo(_previousCycles);
        _emittedCycleWeight.AsSpan(0, _emittedCycleCount).CopyTo(_previousCycleWeight);
        _previousCycleCount = _emittedCycleCount;
        _emittedCycleCount = 0;
    }

    /// <summary>Classifies, sizes and costs one path and hands it to the sink when it nets at least the minimum.</summary>
    private int SizeAndEmit<TSink>(ref TSink sink, in OpportunityPath path, long decisionTimeNs, long triggerTimestamp)
        where TSink : struct, IOpportunitySink
    {
        VenueGraph g = _graph;
        int startAsset = g.Node(g.EdgeFrom(path[0])).Asset;
        double startPrice = g.AssetPrice(startAsset);
        bool atomic = PathQuote.IsAtomic(g, path, out int chain);
        if (!(startPrice > 0) || !ChainsPriced(path))
        {
            Unsized++;
            return 0;
        }

        double premium = atomic ? g.Gas(chain).FlashLoanPremiumBps / 10_000d : 0;
        double size = GraphSizer.OptimalSize(g, path, _options.MaxSizeQuote / startPrice, premium, _options.SearchIterations, out _);
        if (!(size > 0))
        {
            Unsized++;
            return 0;
        }

        double output = PathQuote.QuoteWithCosts(g, path, size, out PathCosts pc);
        Opportunity o = default;
        o.Kind = Classify(path);
        o.Path = path;
        o.Size = size;
        o.SizeQuote = Math.Min(size * startPrice, _options.MaxSizeQuote); // the cap divided by the price and back may round one ulp over
        double net = PathQuote.NetProfit(in pc, size, output, premium, startPrice, out o.Costs);
        o.NetProfitQuote = net;
        o.GrossProfitQuote = net + o.Costs.Total;
        o.SettlementSeconds = pc.SettlementSeconds;
        o.GrossEdgeBps = o.GrossProfitQuote / o.SizeQuote * 10_000;
        o.NetEdgeBps = net / o.SizeQuote * 10_000;
        o.TriggerTimestamp = triggerTimestamp;
        o.DecisionTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        o.DecisionTimeNs = decisionTimeNs;
        FillVenues(ref o, path);
        if (!(net >= _options.MinNetProfitQuote))
        {
            Unsized++;
            return 0;
        }

        sink.OnOpportunity(in o);
        return 1;
    }

    /// <summary>Every chain a pool leg uses has a gas reading and a priced native token.</summary>
    private bool ChainsPriced(in OpportunityPath path)
    {
        for (int i = 0; i < path.Count; i++)
        {
            int e = path[i];
            GraphEdgeKind kind = _graph.EdgeKind(e);
            if (kind is GraphEdgeKind.V2Pool or GraphEdgeKind.V3Pool)
            {
                ref readonly ChainGas gas = ref _graph.Gas(_graph.Node(_graph.EdgeFrom(e)).Location);
                if (!gas.IsSet || !(_graph.AssetPrice(gas.NativeAsset) > 0))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The kind of a path: any bridge is cross-chain; three trades or more a cycle; else by the two trades' venues.</summary>
    public OpportunityKind Classify(in OpportunityPath path)
    {
        int trades = 0;
        int cex = 0;
        for (int i = 0; i < path.Count; i++)
        {
            GraphEdgeKind kind = _graph.EdgeKind(path[i]);
            if (kind == GraphEdgeKind.Bridge)
            {
                return OpportunityKind.CrossChain;
            }

            if (kind <= GraphEdgeKind.V3Pool)
            {
                trades++;
                cex += kind <= GraphEdgeKind.CexAsk ? 1 : 0;
            }
        }

        if (trades >= 3)
        {
            return OpportunityKind.Cycle;
        }

        return cex == 2 ? OpportunityKind.CexCex : cex == 1 ? OpportunityKind.CexDex : OpportunityKind.DexDex;
    }

    /// <summary>For the log's existing fields: the first trade leg's venue buys, the last one's sells (exchange venues only).</summary>
    private void FillVenues(ref Opportunity o, in OpportunityPath path)
    {
        for (int i = 0; i < path.Count; i++)
        {
            if (_graph.IsTrade(path[i]))
            {
                (GraphLocationKind kind, int location) = _graph.EdgeLocation(path[i]);
                if (kind == GraphLocationKind.Exchange && location <= byte.MaxValue)
                {
                    o.BuyVenue = new VenueId((byte)location);
                }

                break;
            }
        }

        for (int i = path.Count - 1; i >= 0; i--)
        {
            if (_graph.IsTrade(path[i]))
            {
                (GraphLocationKind kind, int location) = _graph.EdgeLocation(path[i]);
                if (kind == GraphLocationKind.Exchange && location <= byte.MaxValue)
                {
                    o.SellVenue = new VenueId((byte)location);
                }

                break;
            }
        }
    }

    /// <summary>
    /// Every two-trade route: trade e1 (a → b at X), then the link b@X → b@Y when X ≠ Y, trade e2 (b → a at Y), then the
    /// link a@Y → a@X. One route per unordered pair (e1 &lt; e2); the two sides of one book or one pool are not a route.
    /// </summary>
    private static OpportunityPath[] BuildPairs(VenueGraph g)
    {
        var routes = new List<OpportunityPath>();
        int m = g.EdgeCount;
        for (int e1 = 0; e1 < m; e1++)
        {
            if (!g.IsTrade(e1))
            {
                continue;
            }

            int a1 = g.Node(g.EdgeFrom(e1)).Asset;
            int b1 = g.Node(g.EdgeTo(e1)).Asset;
            for (int e2 = e1 + 1; e2 < m; e2++)
            {
                if (!g.IsTrade(e2) || g.Node(g.EdgeFrom(e2)).Asset != b1 || g.Node(g.EdgeTo(e2)).Asset != a1)
                {
                    continue;
                }

                if (g.EdgeSource(e1) == g.EdgeSource(e2) && SameMarket(g.EdgeKind(e1), g.EdgeKind(e2)))
                {
                    continue;
                }

                int linkB = g.EdgeTo(e1) == g.EdgeFrom(e2) ? -1 : FindLink(g, g.EdgeTo(e1), g.EdgeFrom(e2));
                int linkA = g.EdgeTo(e2) == g.EdgeFrom(e1) ? -1 : FindLink(g, g.EdgeTo(e2), g.EdgeFrom(e1));
                if (linkB == -2 || linkA == -2)
                {
                    continue;
                }

                OpportunityPath path = default;
                path.TryAdd(e1);
                if (linkB >= 0)
                {
                    path.TryAdd(linkB);
                }

                path.TryAdd(e2);
                if (linkA >= 0)
                {
                    path.TryAdd(linkA);
                }

                routes.Add(path);
            }
        }

        return routes.ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameMarket(GraphEdgeKind a, GraphEdgeKind b) =>
        (a <= GraphEdgeKind.CexAsk && b <= GraphEdgeKind.CexAsk) || (a == b && a is GraphEdgeKind.V2Pool or GraphEdgeKind.V3Pool);

    /// <summary>The inventory link or bridge from one node to another, or −2 when there is none.</summary>
    private static int FindLink(VenueGraph g, int from, int to)
    {
        for (int e = 0; e < g.EdgeCount; e++)
        {
            if (!g.IsTrade(e) && g.EdgeFrom(e) == from && g.EdgeTo(e) == to)
            {
                return e;
            }
        }

        return -2;
    }
}
