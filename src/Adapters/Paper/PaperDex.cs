using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Graph;
using LowLatency.HotPath.Primitives;

namespace LowLatency.Adapters.Paper;

/// <summary>A chain the paper DEX venue settles on: its native token (gas) and how long our transaction takes to reach a block builder.</summary>
public sealed record PaperChainSpec(int Chain, string Name, string NativeAsset, long LatencyNs, double PriorityFeeWei = 0);

/// <summary>Uniswap V2 pair (or fork) or V3 pool.</summary>
public enum PaperPoolKind : byte
{
    V2,
    V3,
}

/// <summary>
/// A pool on a chain: its tokens (names are the balance keys on that chain) and decimals, and the gas a swap through it
/// uses (configuration estimates, as the venue graph's <see cref="ChainGas"/>; a V3 swap adds gas per initialized tick crossed);
/// a V2 pair's fee in bps (forks differ; an observed state without one keeps it).
/// </summary>
public sealed record PaperPoolSpec(int Pool, int Chain, PaperPoolKind Kind, string Token0, int Decimals0, string Token1, int Decimals1, double SwapGas, double TickCrossGas = 0, uint V2FeeBps = 30);

/// <summary>Where a paper swap stands.</summary>
public enum PaperSwapStatus : byte
{
    /// <summary>Sent; waiting for the first block at or after send time + the chain's latency.</summary>
    Pending,

    /// <summary>Included and swapped.</summary>
    Filled,

    /// <summary>Included and reverted (slippage bound, pool maths): gas paid, nothing swapped.</summary>
    Reverted,

    /// <summary>Never included (refused before sending, or no gas to pay for it).</summary>
    Rejected,
}

/// <summary>Why a paper swap did not fill: values, never exceptions.</summary>
public enum PaperSwapReject : byte
{
    None,
    UnknownPool,
    InvalidAmount,
    InsufficientBalance,
    InsufficientGas,
    DuplicateClientOrderId,

    /// <summary>The output at the landing block was below the transaction's minimum (the price moved while it travelled).</summary>
    SlippageExceeded,

    /// <summary>The pool maths refused the swap (no liquidity, overflow, a price limit): the contract would revert.</summary>
    PoolReverted,

    /// <summary>The pool has no observed state yet.</summary>
    NoPoolState,

    /// <summary>A route whose hops do not chain token to token on one chain, or a flash loan that does not end on its start token.</summary>
    InvalidRoute,
}

/// <summary>An exact-input swap: <see cref="AmountIn"/> of the input token (raw units), reverting below <see cref="MinAmountOut"/>.</summary>
public readonly record struct PaperSwapRequest(string ClientOrderId, int Strategy, int Pool, bool ZeroForOne, UInt256 AmountIn, UInt256 MinAmountOut);

/// <summary>One hop of a route: a pool and the direction through it.</summary>
public readonly record struct PaperHop(int Pool, bool ZeroForOne);

/// <summary>
/// An atomic exact-input transaction through several pools on one chain (the executor contract's path): each hop takes
/// the previous hop's whole output; the transaction reverts whole, gas paid, when a hop fails or the last output is
/// below <see cref="MinAmountOut"/>. With <see cref="FlashLoanPremiumBps"/> set it is flash-loan funded: the input is
/// borrowed and repaid with the premium from the output, so the route must end on its start token and nothing of it is
/// needed up front; <see cref="ExtraGas"/> is the transaction's gas around the swaps (base and flash loan).
/// </summary>
public sealed record PaperRouteRequest(string ClientOrderId, int Strategy, IReadOnlyList<PaperHop> Hops, UInt256 AmountIn, UInt256 MinAmountOut, double? FlashLoanPremiumBps, double ExtraGas)
{
    internal bool SameAs(PaperRouteRequest other) =>
        ClientOrderId == other.ClientOrderId && Strategy == other.Strategy && AmountIn == other.AmountIn && MinAmountOut == other.MinAmountOut
        && FlashLoanPremiumBps == other.FlashLoanPremiumBps && ExtraGas == other.ExtraGas && Hops.SequenceEqual(other.Hops);
}

/// <summary>The outcome of a swap once its block is known. Amounts in whole tokens; gas in the chain's native token.</summary>
public readonly record struct PaperSwapState(
    string ClientOrderId,
    PaperSwapStatus Status,
    PaperSwapReject Reason,
    long Block,
    long BlockTimeNs,
    double AmountIn,
    double AmountOut,
    double GasNative);

/// <summary>
/// The DEX legs of paper trading: an exact-input swap travels for its chain's latency, lands in the first block whose
/// time is at or after that, and is filled by our exact pool maths (<see cref="UniswapV2Math"/>, <see cref="V3Pool"/>)
/// against the pool's state at that block, with gas at that block's base fee (plus the configured tip) paid in the
/// chain's native token, reverted (gas still paid) when the output is below its minimum. Our fill moves the pool, so a
/// second swap in the same block sees it; the next observed state of the pool (the recorded chain, which never held our
/// trade) replaces it. Balances per chain and token; nothing overdraws one.
/// </summary>
/// <remarks>
/// Feed it in chain order: each pool's state at the start of a block (<see cref="ObserveV2"/>/<see cref="ObserveV3"/>),
/// then the block itself (<see cref="ObserveBlock"/>), which settles the swaps that land in it. One thread (the
/// execution thread); allocates per swap, like <see cref="PaperExchange"/>.
/// </remarks>
public sealed class PaperDexVenue
{
    private readonly Dictionary<int, PaperChainSpec> _chains = [];
    private readonly Dictionary<int, Pool> _pools = [];
    private readonly Dictionary<(int Chain, string Asset), double> _balances = [];
    private readonly Dictionary<string, Swap> _swaps = new(StringComparer.Ordinal);
    private readonly List<Swap> _pending = [];
    private readonly Dictionary<(int Strategy, int Chain, string Asset), double> _flows = [];
    private readonly Dictionary<(GraphEdgeKind Kind, int Source), int> _graphPools = [];
    private readonly Dictionary<int, double> _gasPaid = [];

    /// <param name="v3Pools">The V3 pools' tick tables, by paper pool id (their state is set by <see cref="ObserveV3"/>).</param>
    public PaperDexVenue(IReadOnlyList<PaperChainSpec> chains, IReadOnlyList<PaperPoolSpec> pools, IReadOnlyDictionary<int, V3Pool>? v3Pools = null)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(pools);
        foreach (PaperChainSpec c in chains)
        {
            _chains.Add(c.Chain, c);
        }

        foreach (PaperPoolSpec p in pools)
        {
            if (!_chains.ContainsKey(p.Chain))
            {
                throw new ArgumentException($"pool {p.Pool}: chain {p.Chain} is not configured", nameof(pools));
            }

            V3Pool? v3 = null;
            if (p.Kind == PaperPoolKind.V3 && (v3Pools is null || !v3Pools.TryGetValue(p.Pool, out v3)))
            {
                throw new ArgumentException($"pool {p.Pool}: a V3 pool needs its tick table", nameof(v3Pools));
            }

            _pools.Add(p.Pool, new Pool(p, v3));
        }
    }

    /// <summary>Gas paid so far on <paramref name="chain"/>, in its native token (reverted swaps pay too).</summary>
    public double GasPaid(int chain) => _gasPaid.GetValueOrDefault(chain);

    /// <summary>A V2 pool's state as the paper venue has it now: the last observed state, moved by our fills since.</summary>
    public V2PoolState V2State(int pool) => _pools.TryGetValue(pool, out Pool? p) ? p.V2 : default;

    /// <summary>Swaps still waiting for their block.</summary>
    public int PendingSwaps => _pending.Count;

    public void SetBalance(int chain, string asset, double amount) => _balances[(chain, asset)] = amount;

    public double Balance(int chain, string asset) => _balances.GetValueOrDefault((chain, asset));

    /// <summary>The balance less what swaps still waiting for their block will pay from it (what a new swap may spend).</summary>
    public double Available(int chain, string asset)
    {
        double committed = 0;
        foreach (Swap s in _pending)
        {
            (string token, int decimals) = s.Pools[0].In(s.ZeroForOne[0]);
            if (s.FlashLoanPremiumBps is null && s.Pools[0].Spec.Chain == chain && token == asset)
            {
                committed += Amounts.ToTokens(s.AmountIn, decimals);
            }
        }

        return Balance(chain, asset) - committed;
    }

    /// <summary>True while a swap or route through <paramref name="pool"/> waits for its block.</summary>
    public bool IsPending(int pool)
    {
        foreach (Swap s in _pending)
        {
            foreach (Pool p in s.Pools)
            {
                if (p.Spec.Pool == pool)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Seeds every chain from <c>INITIAL_CASH</c>, as <see cref="PaperExchange.SeedFromInitialCash"/> does the venues:
    /// an equal share per chain and per pool on it, half of a pool's share in each of its tokens at
    /// <paramref name="price"/> (quote per whole token; <paramref name="isQuote"/> tokens are 1; no fee; a token with no
    /// price gets nothing and its half goes to the other), plus <paramref name="gasReserveNative"/> of the native token.
    /// </summary>
    public void SeedFromInitialCash(double initialCash, Func<string, bool> isQuote, Func<string, double> price, double gasReserveNative)
    {
        ArgumentNullException.ThrowIfNull(isQuote);
        ArgumentNullException.ThrowIfNull(price);
        if (_chains.Count == 0 || !(initialCash > 0))
        {
            return;
        }

        double Price(string token) => isQuote(token) ? 1 : price(token);
        foreach (PaperChainSpec c in _chains.Values)
        {
            List<Pool> pools = [.. _pools.Values.Where(p => p.Spec.Chain == c.Chain)];
            _balances[(c.Chain, c.NativeAsset)] = Balance(c.Chain, c.NativeAsset) + gasReserveNative;
            if (pools.Count == 0)
            {
                continue;
            }

            double perPool = initialCash / _chains.Count / pools.Count;
            foreach (Pool p in pools)
            {
                double p0 = Price(p.Spec.Token0);
                double p1 = Price(p.Spec.Token1);
                bool priced0 = p0 > 0 && double.IsFinite(p0);
                bool priced1 = p1 > 0 && double.IsFinite(p1);
                double half = priced0 && priced1 ? perPool / 2 : perPool;
                if (priced0)
                {
                    _balances[(c.Chain, p.Spec.Token0)] = Balance(c.Chain, p.Spec.Token0) + (half / p0);
                }

                if (priced1)
                {
                    _balances[(c.Chain, p.Spec.Token1)] = Balance(c.Chain, p.Spec.Token1) + (half / p1);
                }
            }
        }
    }

    /// <summary>Maps a venue-graph pool (its edge kind and <see cref="VenueGraph.EdgeSource"/>) to a paper pool.</summary>
    public void MapGraphPool(GraphEdgeKind kind, int graphPool, int paperPool) => _graphPools[(kind, graphPool)] = paperPool;

    /// <summary>
    /// The swap a venue-graph pool edge stands for (its direction from <see cref="VenueGraph.EdgeZeroForOne"/>), for a
    /// CEX-DEX or DEX-DEX opportunity's pool leg. False when the edge is not a mapped pool edge.
    /// </summary>
    public bool TryLegOf(VenueGraph graph, int edge, string clientOrderId, int strategy, UInt256 amountIn, UInt256 minAmountOut, out PaperSwapRequest request)
    {
        ArgumentNullException.ThrowIfNull(graph);
        request = default;
        GraphEdgeKind kind = graph.EdgeKind(edge);
        if (kind is not (GraphEdgeKind.V2Pool or GraphEdgeKind.V3Pool) || !_graphPools.TryGetValue((kind, graph.EdgeSource(edge)), out int pool))
        {
            return false;
        }

        request = new PaperSwapRequest(clientOrderId, strategy, pool, graph.EdgeZeroForOne(edge), amountIn, minAmountOut);
        return true;
    }

    /// <summary>The state of the pool at the start of <paramref name="block"/> (the recorded chain's; replaces our own fills' effect).</summary>
    public void ObserveV2(int pool, long block, V2PoolState state)
    {
        if (_pools.TryGetValue(pool, out Pool? p) && p.Spec.Kind == PaperPoolKind.V2)
        {
            (p.V2, p.Block, p.HasState) = (state.FeeBps == 0 ? state with { FeeBps = p.Spec.V2FeeBps } : state, block, true);
        }
    }

    /// <summary>As <see cref="ObserveV2"/> for a V3 pool: its slot0 and liquidity (the ticks stay in its table).</summary>
    public void ObserveV3(int pool, long block, in V3PoolState state)
    {
        if (_pools.TryGetValue(pool, out Pool? p) && p.V3 is not null && V3Pool.ValidateState(in state) == V3Status.Ok)
        {
            p.V3.State = state;
            (p.Block, p.HasState) = (block, true);
        }
    }

    /// <summary>
    /// Sends a swap at <paramref name="nowNs"/>: Pending (it lands at the first block at or after now + the chain's
    /// latency), or Rejected with the reason (<see cref="PaperSwapReject.InsufficientBalance"/> beyond <see cref="Available"/>). The same request again is the same swap; another under that id is refused.
    /// </summary>
    public PaperSwapState Submit(in PaperSwapRequest request, long nowNs)
    {
        string id = request.ClientOrderId ?? "";
        if (_swaps.TryGetValue(id, out Swap? existing))
        {
            return existing.Single == request ? existing.State : Rejected(id, PaperSwapReject.DuplicateClientOrderId);
        }

        if (!_pools.TryGetValue(request.Pool, out Pool? pool))
        {
            return Rejected(id, PaperSwapReject.UnknownPool);
        }

        if (id.Length == 0 || request.AmountIn.IsZero)
        {
            return Rejected(id, PaperSwapReject.InvalidAmount);
        }

        (string tokenIn, int decimalsIn) = pool.In(request.ZeroForOne);
        if (Available(pool.Spec.Chain, tokenIn) + 1e-12 < Amounts.ToTokens(request.AmountIn, decimalsIn))
        {
            return Rejected(id, PaperSwapReject.InsufficientBalance);
        }

        var swap = new Swap(id, request.Strategy, [pool], [request.ZeroForOne], request.AmountIn, request.MinAmountOut, null, 0, nowNs + _chains[pool.Spec.Chain].LatencyNs)
        {
            Single = request,
        };
        _swaps.Add(id, swap);
        _pending.Add(swap);
        return swap.State;
    }

    /// <summary>
    /// Sends an atomic route at <paramref name="nowNs"/> (<see cref="PaperRouteRequest"/>): Pending, or Rejected with the
    /// reason (an unknown pool, pools on two chains, hops that do not chain token to token, a flash loan that does not
    /// end on its start token, no balance for an unfunded input). Idempotent by client order id, as <see cref="Submit"/>.
    /// </summary>
    public PaperSwapState SubmitRoute(PaperRouteRequest request, long nowNs)
    {
        ArgumentNullException.ThrowIfNull(request);
        string id = request.ClientOrderId ?? "";
        if (_swaps.TryGetValue(id, out Swap? existing))
        {
            return existing.Route is { } route && route.SameAs(request) ? existing.State : Rejected(id, PaperSwapReject.DuplicateClientOrderId);
        }

        if (id.Length == 0 || request.AmountIn.IsZero || request.Hops is not { Count: > 0 } hops
            || request.FlashLoanPremiumBps is { } bps && !(bps >= 0 && bps < 10_000) || !(request.ExtraGas >= 0))
        {
            return Rejected(id, PaperSwapReject.InvalidAmount);
        }

        var pools = new Pool[hops.Count];
        var directions = new bool[hops.Count];
        string? token = null;
        for (int h = 0; h < hops.Count; h++)
        {
            if (!_pools.TryGetValue(hops[h].Pool, out Pool? pool))
            {
                return Rejected(id, PaperSwapReject.UnknownPool);
            }

            if (h > 0 && (pool.Spec.Chain != pools[0].Spec.Chain || pool.In(hops[h].ZeroForOne).Token != token))
            {
                return Rejected(id, PaperSwapReject.InvalidRoute);
            }

            (pools[h], directions[h]) = (pool, hops[h].ZeroForOne);
            token = pool.Out(hops[h].ZeroForOne).Token;
        }

        (string start, int startDecimals) = pools[0].In(directions[0]);
        if (request.FlashLoanPremiumBps is not null ? token != start : Available(pools[0].Spec.Chain, start) + 1e-12 < Amounts.ToTokens(request.AmountIn, startDecimals))
        {
            return Rejected(id, request.FlashLoanPremiumBps is not null ? PaperSwapReject.InvalidRoute : PaperSwapReject.InsufficientBalance);
        }

        var swap = new Swap(id, request.Strategy, pools, directions, request.AmountIn, request.MinAmountOut, request.FlashLoanPremiumBps, request.ExtraGas,
            nowNs + _chains[pools[0].Spec.Chain].LatencyNs)
        {
            Route = request,
        };
        _swaps.Add(id, swap);
        _pending.Add(swap);
        return swap.State;
    }

    /// <summary>
    /// What an exact-input swap through <paramref name="pool"/> would return now, against the venue's current state
    /// (raw units; changes nothing). False when the pool is unknown, has no state, or would revert.
    /// </summary>
    public bool TryQuote(int pool, bool zeroForOne, UInt256 amountIn, out UInt256 amountOut)
    {
        amountOut = default;
        return _pools.TryGetValue(pool, out Pool? p) && p.HasState && !amountIn.IsZero && Step(p, zeroForOne, amountIn, commit: false, out amountOut, out _);
    }

    /// <summary>A pool's token and decimals on one side (<paramref name="input"/>: the side a swap in that direction pays in).</summary>
    public (string Token, int Decimals) TokenOf(int pool, bool zeroForOne, bool input) =>
        _pools.TryGetValue(pool, out Pool? p) ? (input ? p.In(zeroForOne) : p.Out(zeroForOne)) : ("", 0);

    /// <summary>The chain a pool is on (−1 when unknown).</summary>
    public int ChainOf(int pool) => _pools.TryGetValue(pool, out Pool? p) ? p.Spec.Chain : -1;

    /// <summary>The state of a swap (Rejected/UnknownPool when the id was never seen).</summary>
    public PaperSwapState Status(string clientOrderId) =>
        _swaps.TryGetValue(clientOrderId, out Swap? s) ? s.State : Rejected(clientOrderId, PaperSwapReject.UnknownPool);

    /// <summary>
    /// A new block on <paramref name="chain"/>: every pending swap on it that has arrived by <paramref name="timeNs"/> is
    /// included, in the order sent, against the pools' current state and at <paramref name="baseFeeWei"/>. Returns the
    /// swaps settled (filled, reverted or refused for gas).
    /// </summary>
    /// <param name="l1DataFeeWei">A rollup's L1 data fee per transaction, wei of the native token (0 on an L1).</param>
    public int ObserveBlock(int chain, long number, long timeNs, double baseFeeWei, double l1DataFeeWei = 0)
    {
        if (!_chains.TryGetValue(chain, out PaperChainSpec? spec))
        {
            return 0;
        }

        int settled = 0;
        for (int i = 0; i < _pending.Count; i++)
        {
            Swap s = _pending[i];
            if (s.Pools[0].Spec.Chain != chain || s.LandsAtNs > timeNs)
            {
                continue;
            }

            Include(s, spec, number, timeNs, baseFeeWei, l1DataFeeWei);
            settled++;
        }

        _pending.RemoveAll(s => s.Status != PaperSwapStatus.Pending);
        return settled;
    }

    /// <summary>
    /// What one swap or route did to the balances, valued at <paramref name="price"/> (quote per whole token): its tokens
    /// in and out (a flash loan's: what was left after the repayment) and its gas; 0 for one never included.
    /// </summary>
    public double FlowValueOf(string clientOrderId, Func<string, double> price)
    {
        ArgumentNullException.ThrowIfNull(price);
        if (!_swaps.TryGetValue(clientOrderId, out Swap? s))
        {
            return 0;
        }

        double value = -s.GasNative * price(_chains[s.Pools[0].Spec.Chain].NativeAsset);
        foreach ((string token, double amount) in s.Flows)
        {
            value += amount * price(token);
        }

        return value;
    }

    /// <summary>The native token (gas) of the chain a swap or route is on; "" when unknown.</summary>
    public string NativeOf(string clientOrderId) =>
        _swaps.TryGetValue(clientOrderId, out Swap? s) ? _chains[s.Pools[0].Spec.Chain].NativeAsset : "";

    /// <summary>
    /// A strategy's P&amp;L on the chains in quote units: its token flows (gas included, as the native token) valued at
    /// <paramref name="price"/> (quote per whole token).
    /// </summary>
    public double StrategyPnl(int strategy, Func<string, double> price)
    {
        ArgumentNullException.ThrowIfNull(price);
        double pnl = 0;
        foreach (((int s, int _, string asset), double flow) in _flows)
        {
            if (s == strategy && flow != 0)
            {
                pnl += flow * price(asset.StartsWith("gas:", StringComparison.Ordinal) ? asset[4..] : asset);
            }
        }

        return pnl;
    }

    private void Include(Swap s, PaperChainSpec chain, long number, long timeNs, double baseFeeWei, double l1DataFeeWei)
    {
        (s.Block, s.BlockTimeNs) = (number, timeNs);
        foreach (Pool p in s.Pools)
        {
            if (!p.HasState)
            {
                Settle(s, PaperSwapStatus.Rejected, PaperSwapReject.NoPoolState);
                return;
            }
        }

        // Each hop is committed as it goes (a later hop through the same pool sees it); a revert rolls them all back.
        var saved = new (V2PoolState V2, V3PoolState V3)[s.Pools.Length];
        for (int h = 0; h < s.Pools.Length; h++)
        {
            saved[h] = (s.Pools[h].V2, s.Pools[h].V3 is { } v3 ? v3.State : default);
        }

        UInt256 amount = s.AmountIn;
        double gas = s.ExtraGas;
        bool ok = true;
        for (int h = 0; h < s.Pools.Length; h++)
        {
            Pool p = s.Pools[h];
            gas += p.Spec.SwapGas;
            if (ok && Step(p, s.ZeroForOne[h], amount, commit: true, out UInt256 next, out int ticksCrossed) && !next.IsZero)
            {
                amount = next;
                gas += p.Spec.TickCrossGas * ticksCrossed;
            }
            else
            {
                ok = false;
            }
        }

        double gasNative = (gas * (baseFeeWei + chain.PriorityFeeWei) / 1e18) + (l1DataFeeWei / 1e18);
        if (Balance(chain.Chain, chain.NativeAsset) + 1e-18 < gasNative)
        {
            Restore(s, saved);
            Settle(s, PaperSwapStatus.Rejected, PaperSwapReject.InsufficientGas);
            return;
        }

        (string tokenIn, int decimalsIn) = s.Pools[0].In(s.ZeroForOne[0]);
        (string tokenOut, int decimalsOut) = s.Pools[^1].Out(s.ZeroForOne[^1]);
        double amountIn = Amounts.ToTokens(s.AmountIn, decimalsIn);
        Charge(s.Strategy, chain, gasNative);
        s.GasNative = gasNative;
        PaperSwapReject failure = !ok ? PaperSwapReject.PoolReverted
            : amount < s.MinAmountOut ? PaperSwapReject.SlippageExceeded
            : s.FlashLoanPremiumBps is { } bps && amount < Repayment(s.AmountIn, bps) ? PaperSwapReject.SlippageExceeded
            // Spent by another swap since it was sent: the transfer into the pool fails, the transaction reverts.
            : s.FlashLoanPremiumBps is null && Balance(chain.Chain, tokenIn) + 1e-12 < amountIn ? PaperSwapReject.InsufficientBalance
            : PaperSwapReject.None;
        if (failure != PaperSwapReject.None)
        {
            Restore(s, saved);
            Settle(s, PaperSwapStatus.Reverted, failure);
            return;
        }

        double outTokens = Amounts.ToTokens(amount, decimalsOut);
        if (s.FlashLoanPremiumBps is { } premium)
        {
            // Borrowed and repaid inside the transaction: only what is left after the repayment stays.
            double left = outTokens - Amounts.ToTokens(Repayment(s.AmountIn, premium), decimalsIn);
            Flow(s.Strategy, chain.Chain, tokenOut, left);
            s.Flows = [(tokenOut, left)];
        }
        else
        {
            Flow(s.Strategy, chain.Chain, tokenIn, -amountIn);
            Flow(s.Strategy, chain.Chain, tokenOut, outTokens);
            s.Flows = [(tokenIn, -amountIn), (tokenOut, outTokens)];
        }

        (s.AmountInTokens, s.AmountOut) = (amountIn, outTokens);
        Settle(s, PaperSwapStatus.Filled, PaperSwapReject.None);
    }

    /// <summary>Aave V3's repayment: the amount plus its premium, rounded up as the pool does (percentMul, half up).</summary>
    private static UInt256 Repayment(UInt256 amount, double premiumBps)
    {
        var bps = new UInt256((ulong)Math.Round(premiumBps));
        return amount + ((amount * bps) + new UInt256(5_000)) / new UInt256(10_000);
    }

    /// <summary>One exact-input swap through <paramref name="p"/>; with <paramref name="commit"/> the pool takes it.</summary>
    private static bool Step(Pool p, bool zeroForOne, UInt256 amountIn, bool commit, out UInt256 amountOut, out int ticksCrossed)
    {
        amountOut = default;
        ticksCrossed = 0;
        if (p.V3 is { } v3)
        {
            UInt256 limit = V3Pool.DefaultPriceLimit(zeroForOne);
            V3Status status = commit
                ? v3.Swap(zeroForOne, Int256.FromBits(amountIn), limit, out V3SwapResult r)
                : v3.Quote(zeroForOne, Int256.FromBits(amountIn), limit, out r);
            if (status != V3Status.Ok)
            {
                return false;
            }

            Int256 outSigned = zeroForOne ? r.Amount1 : r.Amount0;
            amountOut = outSigned.IsNegative ? outSigned.UnsignedAbs : UInt256.Zero;
            ticksCrossed = r.TicksCrossed;

            // An exact input the pool could not take whole (it ran out of range) is not what was sent: revert.
            Int256 inSigned = zeroForOne ? r.Amount0 : r.Amount1;
            return !inSigned.IsNegative && inSigned.UnsignedAbs == amountIn;
        }

        if (p.V2.QuoteExactIn(zeroForOne, amountIn, out amountOut) != V2Status.Ok)
        {
            return false;
        }

        if (commit)
        {
            V2PoolState v2 = p.V2;
            if (zeroForOne)
            {
                v2.Reserve0 += amountIn;
                v2.Reserve1 -= amountOut;
            }
            else
            {
                v2.Reserve1 += amountIn;
                v2.Reserve0 -= amountOut;
            }

            p.V2 = v2;
        }

        return true;
    }

    // In reverse, so a pool that appears twice ends in the state it had before the first hop.
    private static void Restore(Swap s, (V2PoolState V2, V3PoolState V3)[] saved)
    {
        for (int h = s.Pools.Length - 1; h >= 0; h--)
        {
            Pool p = s.Pools[h];
            p.V2 = saved[h].V2;
            if (p.V3 is { } v3)
            {
                v3.State = saved[h].V3;
            }
        }
    }

    private void Charge(int strategy, PaperChainSpec chain, double gasNative)
    {
        _balances[(chain.Chain, chain.NativeAsset)] = Balance(chain.Chain, chain.NativeAsset) - gasNative;
        _gasPaid[chain.Chain] = GasPaid(chain.Chain) + gasNative;
        _flows[(strategy, chain.Chain, "gas:" + chain.NativeAsset)] = _flows.GetValueOrDefault((strategy, chain.Chain, "gas:" + chain.NativeAsset)) - gasNative;
    }

    private void Flow(int strategy, int chain, string asset, double amount)
    {
        _balances[(chain, asset)] = Balance(chain, asset) + amount;
        _flows[(strategy, chain, asset)] = _flows.GetValueOrDefault((strategy, chain, asset)) + amount;
    }

    private static void Settle(Swap s, PaperSwapStatus status, PaperSwapReject reason) => (s.Status, s.Reason) = (status, reason);

    private static PaperSwapState Rejected(string id, PaperSwapReject reason) => new(id, PaperSwapStatus.Rejected, reason, 0, 0, 0, 0, 0);

    private sealed class Pool(PaperPoolSpec spec, V3Pool? v3)
    {
        public readonly PaperPoolSpec Spec = spec;
        public readonly V3Pool? V3 = v3;
        public V2PoolState V2 = new() { FeeBps = spec.V2FeeBps };
        public long Block;
        public bool HasState;

        public (string Token, int Decimals) In(bool zeroForOne) => zeroForOne ? (Spec.Token0, Spec.Decimals0) : (Spec.Token1, Spec.Decimals1);

        public (string Token, int Decimals) Out(bool zeroForOne) => zeroForOne ? (Spec.Token1, Spec.Decimals1) : (Spec.Token0, Spec.Decimals0);
    }

    private sealed class Swap(string id, int strategy, Pool[] pools, bool[] zeroForOne, UInt256 amountIn, UInt256 minAmountOut, double? flashLoanPremiumBps, double extraGas, long landsAtNs)
    {
        public readonly string Id = id;
        public readonly int Strategy = strategy;
        public readonly Pool[] Pools = pools;
        public readonly bool[] ZeroForOne = zeroForOne;
        public readonly UInt256 AmountIn = amountIn;
        public readonly UInt256 MinAmountOut = minAmountOut;
        public readonly double? FlashLoanPremiumBps = flashLoanPremiumBps;
        public readonly double ExtraGas = extraGas;
        public readonly long LandsAtNs = landsAtNs;
        public PaperSwapRequest? Single;
        public PaperRouteRequest? Route;
        public PaperSwapStatus Status = PaperSwapStatus.Pending;
        public PaperSwapReject Reason;
        public long Block;
        public long BlockTimeNs;
        public double AmountInTokens;
        public double AmountOut;
        public double GasNative;
        public (string Token, double Amount)[] Flows = [];

        public PaperSwapState State => new(Id, Status, Reason, Block, BlockTimeNs, AmountInTokens, AmountOut, GasNative);
    }
}
