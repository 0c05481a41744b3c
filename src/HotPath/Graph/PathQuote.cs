using LowLatency.HotPath.Amm;
using LowLatency.HotPath.Book;
using LowLatency.HotPath.Primitives;
using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Graph;

/// <summary>What one exact quote of a path paid on the way, each in the quote asset; filled when asked for.</summary>
public struct PathCosts
{
    public double TakerFees;
    public double PoolFees;
    public double BridgeFees;

    /// <summary>Gas units per chain's legs, valued at that chain's base fee + tip in the quote asset.</summary>
    public double Gas;

    public double L1DataFee;

    /// <summary>Initialized V3 ticks crossed by the path's swaps.</summary>
    public int TicksCrossed;

    /// <summary>Chains with legs (bit per chain id below 64).</summary>
    public ulong Chains;

    /// <summary>Longest bridge latency on the path.</summary>
    public double SettlementSeconds;
}

/// <summary>
/// Exact quotes along a path of venue-graph edges: V2 through <see cref="UniswapV2Math"/>, V3 through
/// <see cref="V3Pool.Quote"/> (the tick walk), exchange books by a depth walk over their levels (the top alone when the
/// graph has no book), inventory at 1 and bridges net of their fees. Amounts are whole tokens. Any thread that owns the
/// graph (the strategy thread); never allocates.
/// </summary>
public static class PathQuote
{
    private const double WeiPerToken = 1e18;

    /// <summary>
    /// Output of the path's last leg for <paramref name="amountIn"/> of the first leg's asset; 0 when a leg cannot fill
    /// the amount (not enough depth, a pool revert, a tick walk past known data, an unusable edge).
    /// </summary>
    public static double Quote(VenueGraph graph, in OpportunityPath path, double amountIn)
    {
        PathCosts ignored = default;
        return Run(graph, path, amountIn, ref ignored, record: false);
    }

    /// <summary>
    /// A fast double-precision estimate of <see cref="Quote"/> for the size search: pools by their closed forms (V2's
    /// constant product; V3 within the current tick range at its liquidity, so a swap that would cross initialized
    /// ticks is estimated as if the range went on), books by the same depth walk. Never the published figure: the
    /// sizer refines its estimate on the exact quotes.
    /// </summary>
    public static double Estimate(VenueGraph graph, in OpportunityPath path, double amountIn)
    {
        double amount = amountIn;
        for (int i = 0; i < path.Count && amount > 0; i++)
        {
            int e = path[i];
            if (graph.EdgeRate(e) <= 0)
            {
                return 0;
            }

            amount = graph.EdgeKind(e) switch
            {
                GraphEdgeKind.CexBid => SellIntoBids(graph, graph.EdgeSource(e), amount) * (1 - graph.EdgeFee(e)),
                GraphEdgeKind.CexAsk => BuyFromAsks(graph, graph.EdgeSource(e), amount) * (1 - graph.EdgeFee(e)),
                GraphEdgeKind.V2Pool => V2Estimate(graph, e, amount),
                GraphEdgeKind.V3Pool => V3Estimate(graph, e, amount),
                GraphEdgeKind.Inventory => amount,
                _ => (amount * (1 - graph.EdgeFee(e))) - graph.EdgeFixedFee(e),
            };
        }

        return amount > 0 && double.IsFinite(amount) ? amount : 0;
    }

    private static double V2Estimate(VenueGraph graph, int e, double amount)
    {
        ref readonly V2PoolState pool = ref graph.V2(graph.EdgeSource(e));
        bool zeroForOne = graph.EdgeZeroForOne(e);
        double reserveIn = Amounts.ToTokens(zeroForOne ? pool.Reserve0 : pool.Reserve1, graph.Node(graph.EdgeFrom(e)).Decimals);
        double reserveOut = Amounts.ToTokens(zeroForOne ? pool.Reserve1 : pool.Reserve0, graph.Node(graph.EdgeTo(e)).Decimals);
        double net = amount * (1 - (pool.FeeBps / 10_000d));
        return reserveOut * net / (reserveIn + net);
    }

    private static double V3Estimate(VenueGraph graph, int e, double amount)
    {
        V3Pool pool = graph.V3(graph.EdgeSource(e));
        ref readonly V3PoolState state = ref pool.State;
        double liquidity = (double)state.Liquidity;
        double sqrtPrice = Amounts.ToTokens(state.SqrtPriceX96, 0) / 79228162514264337593543950336d;
        if (!(liquidity > 0) || !(sqrtPrice > 0))
        {
            return 0;
        }

        // Raw units within one range: Δ(1/√P) = x/L for token0 in, Δ√P = y/L for token1 in; the fee is taken from the input.
        int fromDecimals = graph.Node(graph.EdgeFrom(e)).Decimals;
        int toDecimals = graph.Node(graph.EdgeTo(e)).Decimals;
        double rawIn = amount * Amounts.Pow10(fromDecimals) * (1 - (pool.Fee / 1e6));
        double rawOut;
        // Written without the difference of two close prices, which loses digits on small sizes.
        if (graph.EdgeZeroForOne(e))
        {
            // √P' = L√P / (L + x√P), out = L(√P − √P') = L·x·P / (L + x√P).
            rawOut = liquidity * rawIn * sqrtPrice * sqrtPrice / (liquidity + (rawIn * sqrtPrice));
        }
        else
        {
            // √P' = √P + y/L, out = L(1/√P − 1/√P') = y / (√P·√P').
            rawOut = rawIn / (sqrtPrice * (sqrtPrice + (rawIn / liquidity)));
        }

        return rawOut / Amounts.Pow10(toDecimals);
    }

    /// <summary>As <see cref="Quote"/>, and fills <paramref name="costs"/> with every fee, the gas and the L1 data fee of the legs.</summary>
    public static double QuoteWithCosts(VenueGraph graph, in OpportunityPath path, double amountIn, out PathCosts costs)
    {
        costs = default;
        double output = Run(graph, path, amountIn, ref costs, record: true);
        if (output > 0)
        {
            AddChainCosts(graph, path, ref costs);
        }

        return output;
    }

    /// <summary>
    /// Net profit in the quote currency of <paramref name="size"/> whole start tokens that come back as
    /// <paramref name="output"/>, and its <paramref name="costs"/>: the path's fees, gas and L1 data fee from
    /// <paramref name="pathCosts"/>, and the flash-loan <paramref name="premium"/> (a fraction) on the size, all at the start
    /// asset's <paramref name="startPrice"/>. The pool and taker fees are already inside the output.
    /// </summary>
    public static double NetProfit(in PathCosts pathCosts, double size, double output, double premium, double startPrice, out OpportunityCosts costs)
    {
        costs = default;
        costs.TakerFees = pathCosts.TakerFees;
        costs.PoolFees = pathCosts.PoolFees;
        costs.BridgeFee = pathCosts.BridgeFees;
        costs.Gas = pathCosts.Gas;
        costs.L1DataFee = pathCosts.L1DataFee;
        costs.FlashLoanPremium = size * premium * startPrice;
        return ((output - size) * startPrice) - pathCosts.Gas - pathCosts.L1DataFee - costs.FlashLoanPremium;
    }

    /// <summary>True when every trade leg is a pool on one chain and nothing else is on the path: one transaction, flash-loan funded.</summary>
    public static bool IsAtomic(VenueGraph graph, in OpportunityPath path, out int chain)
    {
        chain = -1;
        for (int i = 0; i < path.Count; i++)
        {
            int e = path[i];
            GraphEdgeKind kind = graph.EdgeKind(e);
            if (kind is not (GraphEdgeKind.V2Pool or GraphEdgeKind.V3Pool))
            {
                return false;
            }

            int c = graph.Node(graph.EdgeFrom(e)).Location;
            if (chain >= 0 && c != chain)
            {
                return false;
            }

            chain = c;
        }

        return chain >= 0;
    }

    private static double Run(VenueGraph graph, in OpportunityPath path, double amountIn, ref PathCosts costs, bool record)
    {
        double amount = amountIn;
        for (int i = 0; i < path.Count && amount > 0; i++)
        {
            int e = path[i];
            double input = amount;
            amount = Leg(graph, e, amount, ref costs, record);
            if (record && amount > 0)
            {
                double inValue = input * graph.AssetPrice(graph.Node(graph.EdgeFrom(e)).Asset);
                double fee = graph.EdgeFee(e);
                switch (graph.EdgeKind(e))
                {
                    case GraphEdgeKind.CexBid:
                    case GraphEdgeKind.CexAsk:
                        // The fee is taken from the output: output / (1 − fee) · fee, valued in the output asset.
                        costs.TakerFees += amount / (1 - fee) * fee * graph.AssetPrice(graph.Node(graph.EdgeTo(e)).Asset);
                        break;
                    case GraphEdgeKind.V2Pool:
                    case GraphEdgeKind.V3Pool:
                        costs.PoolFees += inValue * fee;
                        costs.Chains |= ChainBit(graph.Node(graph.EdgeFrom(e)).Location);
                        break;
                    case GraphEdgeKind.Bridge:
                        costs.BridgeFees += (inValue * fee) + (graph.EdgeFixedFee(e) * graph.AssetPrice(graph.Node(graph.EdgeTo(e)).Asset));
                        costs.SettlementSeconds = Math.Max(costs.SettlementSeconds, graph.EdgeLatencySeconds(e));
                        break;
                }
            }
        }

        return amount > 0 && double.IsFinite(amount) ? amount : 0;
    }

    private static ulong ChainBit(int chain) => chain < 64 ? 1UL << chain : 0;

    private static double Leg(VenueGraph graph, int e, double amount, ref PathCosts costs, bool record)
    {
        if (graph.EdgeRate(e) <= 0)
        {
            return 0;
        }

        switch (graph.EdgeKind(e))
        {
            case GraphEdgeKind.CexBid:
                return SellIntoBids(graph, graph.EdgeSource(e), amount) * (1 - graph.EdgeFee(e));
            case GraphEdgeKind.CexAsk:
                return BuyFromAsks(graph, graph.EdgeSource(e), amount) * (1 - graph.EdgeFee(e));
            case GraphEdgeKind.V2Pool:
                return V2Leg(graph, e, amount, ref costs, record);
            case GraphEdgeKind.V3Pool:
                return V3Leg(graph, e, amount, ref costs, record);
            case GraphEdgeKind.Inventory:
                return amount;
            default:
                return (amount * (1 - graph.EdgeFee(e))) - graph.EdgeFixedFee(e);
        }
    }

    /// <summary>Quote received for selling <paramref name="baseAmount"/>: a walk down the bids (0 when the book cannot fill it).</summary>
    public static double SellIntoBids(VenueGraph graph, int book, double baseAmount)
    {
        L2Book? l2 = graph.Book(book);
        if (l2 is null || l2.BidCount == 0)
        {
            return baseAmount <= graph.BookBidQuantity(book) ? baseAmount * graph.BookBid(book) : 0;
        }

        ReadOnlySpan<BookLevel> levels = l2.Bids;
        int pd = graph.BookPriceDecimals(book);
        int qd = graph.BookQuantityDecimals(book);
        double left = baseAmount;
        double received = 0;
        for (int i = 0; i < levels.Length; i++)
        {
            double price = FixedPoint.ToDouble(levels[i].Price.Raw, pd);
            double size = FixedPoint.ToDouble(levels[i].Quantity.Raw, qd);
            double take = Math.Min(left, size);
            received += take * price;
            left -= take;
            if (left <= 0)
            {
                return received;
            }
        }

        return 0;
    }

    /// <summary>Base received for spending <paramref name="quoteAmount"/>: a walk up the asks (0 when the book cannot fill it).</summary>
    public static double BuyFromAsks(VenueGraph graph, int book, double quoteAmount)
    {
        L2Book? l2 = graph.Book(book);
        if (l2 is null || l2.AskCount == 0)
        {
            double ask = graph.BookAsk(book);
            double want = quoteAmount / ask;
            return want <= graph.BookAskQuantity(book) ? want : 0;
        }

        ReadOnlySpan<BookLevel> levels = l2.Asks;
        int pd = graph.BookPriceDecimals(book);
        int qd = graph.BookQuantityDecimals(book);
        double left = quoteAmount;
        double received = 0;
        for (int i = 0; i < levels.Length; i++)
        {
            double price = FixedPoint.ToDouble(levels[i].Price.Raw, pd);
            double size = FixedPoint.ToDouble(levels[i].Quantity.Raw, qd);
            double cost = size * price;
            if (cost >= left)
            {
                return received + (left / price);
            }

            received += size;
            left -= cost;
        }

        return 0;
    }

    private static double V2Leg(VenueGraph graph, int e, double amount, ref PathCosts costs, bool record)
    {
        int fromDecimals = graph.Node(graph.EdgeFrom(e)).Decimals;
        int toDecimals = graph.Node(graph.EdgeTo(e)).Decimals;
        if (!Amounts.TryToRaw(amount, fromDecimals, out UInt256 rawIn) || rawIn.IsZero)
        {
            return 0;
        }

        ref readonly V2PoolState pool = ref graph.V2(graph.EdgeSource(e));
        if (pool.QuoteExactIn(graph.EdgeZeroForOne(e), rawIn, out UInt256 rawOut) != V2Status.Ok)
        {
            return 0;
        }

        if (record)
        {
            costs.Gas += GasValue(graph, graph.Node(graph.EdgeFrom(e)).Location, graph.Gas(graph.Node(graph.EdgeFrom(e)).Location).V2SwapGas);
        }

        return Amounts.ToTokens(rawOut, toDecimals);
    }

    private static double V3Leg(VenueGraph graph, int e, double amount, ref PathCosts costs, bool record)
    {
        int fromDecimals = graph.Node(graph.EdgeFrom(e)).Decimals;
        int toDecimals = graph.Node(graph.EdgeTo(e)).Decimals;
        if (!Amounts.TryToRaw(amount, fromDecimals, out UInt256 rawIn) || rawIn.IsZero || !Int256.TryFromUInt256(rawIn, out Int256 specified))
        {
            return 0;
        }

        bool zeroForOne = graph.EdgeZeroForOne(e);
        V3Pool pool = graph.V3(graph.EdgeSource(e));
        if (pool.Quote(zeroForOne, specified, SizingLimit(pool, zeroForOne), out V3SwapResult r) != V3Status.Ok)
        {
            return 0;
        }

        // A swap that stopped at the price limit took less than asked: the path cannot move the whole amount.
        Int256 paid = zeroForOne ? r.Amount0 : r.Amount1;
        Int256 received = zeroForOne ? r.Amount1 : r.Amount0;
        if (paid != specified || !received.IsNegative)
        {
            return 0;
        }

        if (record)
        {
            int chain = graph.Node(graph.EdgeFrom(e)).Location;
            ref readonly ChainGas gas = ref graph.Gas(chain);
            costs.Gas += GasValue(graph, chain, gas.V3SwapGas + (gas.V3TickCrossGas * r.TicksCrossed));
            costs.TicksCrossed += r.TicksCrossed;
        }

        return Amounts.ToTokens(received.UnsignedAbs, toDecimals);
    }

    /// <summary>
    /// The price limit of a sizing quote: the price may fall to a quarter or rise to four times (sqrt price ÷ 2 or × 2),
    /// within the pool's own bounds. No arbitrage moves a pool that far, and without a limit a size beyond the liquidity
    /// walks every empty bitmap word to the end of the tick range (milliseconds per quote, GraphStageBenchmarks); such a
    /// size stops at the limit and does not fill either way.
    /// </summary>
    private static UInt256 SizingLimit(V3Pool pool, bool zeroForOne)
    {
        UInt256 sqrtPrice = pool.State.SqrtPriceX96;
        UInt256 bound = V3Pool.DefaultPriceLimit(zeroForOne);
        if (zeroForOne)
        {
            UInt256 down = sqrtPrice >> 1;
            return down > bound ? down : bound;
        }

        UInt256 up = sqrtPrice << 1;
        return (sqrtPrice >> 255).IsZero && up < bound ? up : bound;
    }

    /// <summary>Per chain with legs: the transaction's base gas (and the flash loan's when atomic), and its L1 data fee.</summary>
    private static void AddChainCosts(VenueGraph graph, in OpportunityPath path, ref PathCosts costs)
    {
        bool atomic = IsAtomic(graph, path, out _);
        ulong chains = costs.Chains;
        while (chains != 0)
        {
            int chain = System.Numerics.BitOperations.TrailingZeroCount(chains);
            chains &= chains - 1;
            ref readonly ChainGas gas = ref graph.Gas(chain);
            costs.Gas += GasValue(graph, chain, gas.TxBaseGas + (atomic ? gas.FlashLoanGas : 0));
            costs.L1DataFee += gas.L1DataFeeWei / WeiPerToken * graph.AssetPrice(gas.NativeAsset);
        }
    }

    /// <summary>Gas units at the chain's base fee plus tip, in the quote asset.</summary>
    public static double GasValue(VenueGraph graph, int chain, double gasUnits)
    {
        ref readonly ChainGas gas = ref graph.Gas(chain);
        return gasUnits * (gas.BaseFeeWei + gas.PriorityFeeWei) / WeiPerToken * graph.AssetPrice(gas.NativeAsset);
    }
}
