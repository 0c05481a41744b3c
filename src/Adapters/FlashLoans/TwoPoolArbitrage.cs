using LowLatency.Adapters.Ethereum;

namespace LowLatency.Adapters.FlashLoans;

/// <summary>What the detector found: the gross profit in the borrowed asset after Aave's premium (before gas and the builder).</summary>
public readonly record struct Dislocation(bool Found, UInt256 Amount, UInt256 ExpectedReturn, UInt256 Premium, UInt256 Profit);

/// <summary>
/// Finds the flash-loan amount that maximises asset out − amount − premium over two pools that share the asset
/// (asset → other token on one pool, back on the other; both orders tried), with our exact maths, and fills a
/// <see cref="FlashRoute"/>. Allocation-free: a golden-section search over the amount (the profit is concave in it).
/// </summary>
public static class TwoPoolArbitrage
{
    private const int Iterations = 160;

    /// <summary>Aave's premium: amount × bps / 10 000 rounded half up (PercentageMath.percentMul).</summary>
    public static UInt256 Premium(UInt256 amount, uint premiumBps) => ((amount * premiumBps) + 5_000UL) / 10_000UL;

    public static Dislocation Find(Address asset, DexPool first, DexPool second, uint premiumBps, UInt256 maxAmount, FlashRoute route)
    {
        route.Clear();
        if (!first.Holds(asset) || !second.Holds(asset) || maxAmount.IsZero)
        {
            return default;
        }

        Address other = first.Token0 == asset ? first.Token1 : first.Token0;
        if (!second.Holds(other) || other == asset)
        {
            return default;
        }

        Dislocation a = Search(asset, other, first, second, premiumBps, maxAmount);
        Dislocation b = Search(asset, other, second, first, premiumBps, maxAmount);
        bool useA = a.Found && (!b.Found || a.Profit >= b.Profit);
        if (!useA && !b.Found)
        {
            return default;
        }

        Dislocation best = useA ? a : b;
        DexPool buy = useA ? first : second;
        DexPool sell = useA ? second : first;
        buy.TryQuote(asset, best.Amount, out UInt256 middle, out bool zeroForOne1);
        sell.TryQuote(other, middle, out UInt256 back, out bool zeroForOne2);
        route.Asset = asset;
        route.Amount = best.Amount;
        route.ExpectedReturn = back;
        route.TryAdd(new RouteHop(buy.Address, buy.Kind, zeroForOne1, asset, best.Amount, middle));
        route.TryAdd(new RouteHop(sell.Address, sell.Kind, zeroForOne2, other, middle, back));
        return best;
    }

    private static Dislocation Search(Address asset, Address other, DexPool buy, DexPool sell, uint premiumBps, UInt256 maxAmount)
    {
        // A round trip of a small amount that loses means this order has nothing (the profit is concave in the amount).
        UInt256 probe = maxAmount / 1_000_000UL;
        if (probe.IsZero)
        {
            probe = UInt256.One;
        }

        if (!TryRoundTrip(asset, other, buy, sell, probe, out UInt256 probeBack) || probeBack <= probe)
        {
            return default;
        }

        // Golden-section search: one new quote pair per step (the other interior point is kept).
        UInt256 lo = UInt256.One;
        UInt256 hi = maxAmount;
        UInt256 c = hi - Golden(hi - lo);
        UInt256 d = lo + Golden(hi - lo);
        UInt256 fc = Score(asset, other, buy, sell, premiumBps, c);
        UInt256 fd = Score(asset, other, buy, sell, premiumBps, d);

        // Stop at a millionth of the amount: closer than that changes the profit by far less than the gas it pays.
        for (int i = 0; i < Iterations && hi - lo > 4UL && hi - lo > lo / 1_000_000UL; i++)
        {
            if (fc < fd)
            {
                lo = c;
                c = d;
                fc = fd;
                d = lo + Golden(hi - lo);
                fd = Score(asset, other, buy, sell, premiumBps, d);
            }
            else
            {
                hi = d;
                d = c;
                fd = fc;
                c = hi - Golden(hi - lo);
                fc = Score(asset, other, buy, sell, premiumBps, c);
            }
        }

        UInt256 amount = lo + ((hi - lo) / 2UL);
        if (!TryRoundTrip(asset, other, buy, sell, amount, out UInt256 back))
        {
            return default;
        }

        UInt256 premium = Premium(amount, premiumBps);
        UInt256 cost = amount + premium;
        return back > cost ? new Dislocation(true, amount, back, premium, back - cost) : default;
    }

    /// <summary>0.618… of <paramref name="width"/> (the golden ratio's conjugate, to six digits).</summary>
    private static UInt256 Golden(UInt256 width) => width / 1_000_000UL * 618_034UL + (width % 1_000_000UL * 618_034UL / 1_000_000UL);

    /// <summary>Return minus cost, offset by 2^255 so an unsigned comparison orders losses below gains; a revert is the lowest.</summary>
    private static UInt256 Score(Address asset, Address other, DexPool buy, DexPool sell, uint premiumBps, UInt256 amount)
    {
        if (!TryRoundTrip(asset, other, buy, sell, amount, out UInt256 back))
        {
            return UInt256.Zero;
        }

        UInt256 offset = UInt256.One << 255;
        return offset + back - amount - Premium(amount, premiumBps);
    }

    private static bool TryRoundTrip(Address asset, Address other, DexPool buy, DexPool sell, UInt256 amount, out UInt256 back)
    {
        back = default;
        return buy.TryQuote(asset, amount, out UInt256 middle, out _) && !middle.IsZero && sell.TryQuote(other, middle, out back, out _);
    }
}
