using LowLatency.HotPath.Strategy;

namespace LowLatency.HotPath.Graph;

/// <summary>
/// Optimal size of a path: the input that maximises output − input·(1 + premium) over the exact quote functions.
/// Two V2 legs have a closed form; anything else is a golden-section search (every leg's output is concave in its
/// input, so the path's profit is unimodal), first on closed-form estimates, then refined on the exact quotes.
/// Strategy thread; never allocates.
/// </summary>
public static class GraphSizer
{
    private const double InverseGolden = 0.6180339887498949;

    /// <summary>Least exact steps over the ±25 % bracket: 0.618¹² of it is about 0.1 % of the size.</summary>
    private const int RefineIterations = 12;

    /// <summary>
    /// Best input in [0, <paramref name="maxAmount"/>] (whole tokens of the start asset) and the path's output there;
    /// 0 and 0 when no size makes money at the margin. <paramref name="premiumFraction"/> is a flash loan's premium on
    /// the input (0 when none).
    /// </summary>
    public static double OptimalSize(VenueGraph graph, in OpportunityPath path, double maxAmount, double premiumFraction, int iterations, out double output)
    {
        output = 0;
        if (!(maxAmount > 0) || !double.IsFinite(maxAmount))
        {
            return 0;
        }

        double best;
        if (premiumFraction == 0 && TryV2PairOptimum(graph, path, out double closed))
        {
            best = Math.Min(closed, maxAmount);
        }
        else
        {
            best = GoldenSection(graph, path, maxAmount, premiumFraction, iterations);
        }

        if (!(best > 0))
        {
            return 0;
        }

        double outAtBest = PathQuote.Quote(graph, path, best);
        if (!(outAtBest - (best * (1 + premiumFraction)) > 0))
        {
            return 0;
        }

        output = outAtBest;
        return best;
    }

    /// <summary>
    /// Two V2 swaps with only inventory links between them. Their composition is itself constant-product:
    /// z = A·x / (B + C·x) with A = γ₁γ₂R₁ₒR₂ₒ, B = R₁ᵢR₂ᵢ, C = γ₁(R₂ᵢ + γ₂R₁ₒ), so z − x peaks at x* = (√(AB) − B) / C.
    /// False for any other path; true with 0 when the pair has no profitable size.
    /// </summary>
    public static bool TryV2PairOptimum(VenueGraph graph, in OpportunityPath path, out double amount)
    {
        amount = 0;
        int first = -1;
        int second = -1;
        for (int i = 0; i < path.Count; i++)
        {
            int e = path[i];
            switch (graph.EdgeKind(e))
            {
                case GraphEdgeKind.V2Pool when first < 0:
                    first = e;
                    break;
                case GraphEdgeKind.V2Pool when second < 0:
                    second = e;
                    break;
                case GraphEdgeKind.Inventory:
                    break;
                default:
                    return false;
            }
        }

        if (second < 0)
        {
            return false;
        }

        Reserves(graph, first, out double r1In, out double r1Out, out double g1);
        Reserves(graph, second, out double r2In, out double r2Out, out double g2);
        double a = g1 * g2 * r1Out * r2Out;
        double b = r1In * r2In;
        double c = g1 * (r2In + (g2 * r1Out));
        if (!(a > b) || !(c > 0))
        {
            return true;
        }

        amount = (Math.Sqrt(a * b) - b) / c;
        return true;
    }

    private static void Reserves(VenueGraph graph, int e, out double reserveIn, out double reserveOut, out double gamma)
    {
        ref readonly Amm.V2PoolState pool = ref graph.V2(graph.EdgeSource(e));
        bool zeroForOne = graph.EdgeZeroForOne(e);
        double r0 = Amounts.ToTokens(pool.Reserve0, graph.Node(zeroForOne ? graph.EdgeFrom(e) : graph.EdgeTo(e)).Decimals);
        double r1 = Amounts.ToTokens(pool.Reserve1, graph.Node(zeroForOne ? graph.EdgeTo(e) : graph.EdgeFrom(e)).Decimals);
        reserveIn = zeroForOne ? r0 : r1;
        reserveOut = zeroForOne ? r1 : r0;
        gamma = 1 - (pool.FeeBps / 10_000d);
    }

    /// <summary>
    /// The search on the exact quotes costs one tick walk per leg per step, and it ran on the strategy thread for
    /// every candidate: so the full search runs on <see cref="PathQuote.Estimate"/> (closed forms, no tick walk). Where
    /// the exact quotes agree with it at its optimum and 25 % beyond, that optimum is taken (two exact quotes);
    /// otherwise the exact quotes refine a bracket of ±25 % around it. When the exact optimum sits on a
    /// bracket edge that is not a bound of the range (the estimate was off: ticks crossed, a thin range), or the
    /// estimate finds no profit, the full exact search decides.
    /// </summary>
    private static double GoldenSection(VenueGraph graph, in OpportunityPath path, double maxAmount, double premium, int iterations)
    {
        double estimate = Search(graph, path, 0, maxAmount, premium, iterations, exact: false);
        if (estimate > 0 && Profit(graph, path, estimate, premium, exact: false) > 0)
        {
            const double Bracket = 1.25;
            double lo = estimate / Bracket;
            double hi = Math.Min(maxAmount, estimate * Bracket);

            // The exact quotes equal the estimate at the optimum and 25 % beyond (no initialized tick crossed, no
            // book level the walk treats differently): they are the same function there, so its optimum is theirs.
            if (Agrees(graph, path, estimate) && Agrees(graph, path, hi))
            {
                return estimate;
            }
            double best = Search(graph, path, lo, hi, premium, Math.Max(RefineIterations, iterations / 4), exact: true);
            double edge = (hi - lo) * 0.01;
            bool atLowEdge = best - lo < edge;
            bool atHighEdge = hi - best < edge && hi < maxAmount;
            if (!atLowEdge && !atHighEdge)
            {
                return best;
            }
        }

        return Search(graph, path, 0, maxAmount, premium, iterations, exact: true);
    }

    private static bool Agrees(VenueGraph graph, in OpportunityPath path, double x)
    {
        double exact = PathQuote.Quote(graph, path, x);
        return exact > 0 && Math.Abs(exact - PathQuote.Estimate(graph, path, x)) <= exact * 1e-9;
    }

    private static double Search(VenueGraph graph, in OpportunityPath path, double lo, double hi, double premium, int iterations, bool exact)
    {
        double x1 = hi - (InverseGolden * (hi - lo));
        double x2 = lo + (InverseGolden * (hi - lo));
        double f1 = Profit(graph, path, x1, premium, exact);
        double f2 = Profit(graph, path, x2, premium, exact);
        for (int i = 0; i < iterations; i++)
        {
            if (f1 < f2)
            {
                lo = x1;
                x1 = x2;
                f1 = f2;
                x2 = lo + (InverseGolden * (hi - lo));
                f2 = Profit(graph, path, x2, premium, exact);
            }
            else
            {
                hi = x2;
                x2 = x1;
                f2 = f1;
                x1 = hi - (InverseGolden * (hi - lo));
                f1 = Profit(graph, path, x1, premium, exact);
            }
        }

        return f1 >= f2 ? x1 : x2;
    }

    private static double Profit(VenueGraph graph, in OpportunityPath path, double x, double premium, bool exact) =>
        (exact ? PathQuote.Quote(graph, path, x) : PathQuote.Estimate(graph, path, x)) - (x * (1 + premium));
}
